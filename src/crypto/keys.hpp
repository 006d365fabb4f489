#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/error.hpp"

namespace crisisline::crypto {

// A 32-byte symmetric key. Move-only; its bytes are zeroed with sodium_memzero
// when it is destroyed or moved from.
class SecretKey {
public:
    // A fresh random key. REQUIRES: Initialise() succeeded.
    static SecretKey Generate();
    // Parses exactly 64 hex characters (either case). Anything else is kInvalid;
    // the message never repeats the input.
    [[nodiscard]] static Result<SecretKey> FromHex(std::string_view hex);

    SecretKey(SecretKey&& other) noexcept;
    SecretKey& operator=(SecretKey&& other) noexcept;
    SecretKey(const SecretKey&) = delete;
    SecretKey& operator=(const SecretKey&) = delete;
    ~SecretKey();

    const std::uint8_t* data() const { return bytes_.data(); }
    static constexpr size_t size() { return kSize; }

private:
    static constexpr size_t kSize = 32;
    SecretKey() = default;

    std::array<std::uint8_t, kSize> bytes_{};
};

// Key files hold one key as 64 hex characters and a newline, mode 0600.
//
// LoadKeyFile: on success returns the key. Fails with kNotFound when the file does
// not exist, kInvalid when the file is readable or writable by group or others
// (the message says "chmod 600 <path>") or does not hold a key, kInternal on I/O errors.
[[nodiscard]] Result<SecretKey> LoadKeyFile(const std::string& path);
// CreateKeyFile: writes a new random key to a new file created with mode 0600 and
// fsyncs it (and its directory). Fails with kConflict when the file already exists,
// kInternal on I/O errors (a partly written file is removed). REQUIRES: Initialise() succeeded.
[[nodiscard]] Result<SecretKey> CreateKeyFile(const std::string& path);

// The service key, the audit key and one key-encryption key per line (tenant).
//
// Each key is taken from the environment first (CRISISLINE_SERVICE_KEY,
// CRISISLINE_LINE_KEY_<line id upper-cased, '-' -> '_'>, 64 hex characters), else from
// <dir>/service.key and <dir>/line-<id>.key. A variable that is set but malformed is an
// error, never silently replaced by the file. Line ids must be 1-64 characters of
// [A-Za-z0-9_-] (they become file names); others are kInvalid, field "line_id".
//
// Thread-safe. Keys, once loaded, stay at the same address for the Keyring's life,
// so the pointers and references handed out stay valid.
class Keyring {
public:
    explicit Keyring(std::string dir);

    // Loads the service key (a second call after success does nothing). When no variable
    // is set and the file is missing, creates the file if `create_if_missing`, else fails
    // with kUnavailable naming the variable and the file.
    [[nodiscard]] Result<void> LoadService(bool create_if_missing);
    // REQUIRES: LoadService succeeded.
    const SecretKey& Service() const;

    // Loads the audit key, which keys the audit log's chain and signs its checkpoints:
    // CRISISLINE_AUDIT_KEY, else <dir>/audit.key; otherwise as LoadService.
    [[nodiscard]] Result<void> LoadAudit(bool create_if_missing);
    // REQUIRES: LoadAudit succeeded.
    const SecretKey& Audit() const;

    // Creates <dir>/line-<id>.key with a new key and caches it. kConflict when the file
    // exists or the line's variable is set.
    [[nodiscard]] Result<void> CreateLine(const std::string& line_id);
    // The line's key, loaded on first use and cached. kInvalid (field "line_id") for an id that
    // cannot name a key; kUnavailable when the key is missing or unusable, with a message fit for
    // a client: it names the line but no path and no variable (CheckLines says what to fix).
    [[nodiscard]] Result<const SecretKey*> Line(const std::string& line_id);
    // Loads and caches every named line's key, so that a missing or unsafe key file stops the
    // server at start rather than failing a request later. On failure the error says, for the
    // operator, what to fix: kUnavailable ("no key for line X: set VAR or provide PATH") or
    // LoadKeyFile's kInvalid ("... run: chmod 600 PATH").
    [[nodiscard]] Result<void> CheckLines(const std::vector<std::string>& line_ids);

    // The environment variable consulted for `line_id`'s key.
    static std::string LineVariable(std::string_view line_id);

private:
    [[nodiscard]] Result<void> LoadNamed(const std::string& variable,
                                         const std::string& file,
                                         bool create_if_missing,
                                         std::optional<SecretKey>& slot);
    std::string LinePath(const std::string& line_id) const;
    // Line() with the operator's error messages.
    Result<const SecretKey*> LoadLine(const std::string& line_id);

    const std::string dir_;
    mutable std::mutex mu_;  // guards service_, audit_ and lines_
    std::optional<SecretKey> service_;
    std::optional<SecretKey> audit_;
    std::map<std::string, SecretKey, std::less<>> lines_;
};

}  // namespace crisisline::crypto
