#include "crypto/keys.hpp"

#include <fcntl.h>
#include <sodium.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cassert>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <utility>

#include "crypto/detail/secret_buffer.hpp"

namespace crisisline::crypto {

namespace {

constexpr size_t kHexSize = 64;
constexpr size_t kMaxKeyFileSize = 128;  // 64 hex characters, a newline, and room for stray whitespace
constexpr size_t kMaxLineIdSize = 64;

// Closes a file descriptor when it goes out of scope.
class FileDescriptor {
public:
    explicit FileDescriptor(int fd) : fd_(fd) {}
    ~FileDescriptor() {
        if (fd_ >= 0) ::close(fd_);
    }
    FileDescriptor(const FileDescriptor&) = delete;
    FileDescriptor& operator=(const FileDescriptor&) = delete;

    int get() const { return fd_; }
    // Closes now, reporting the error close() may carry for buffered writes.
    bool Close() {
        const int fd = std::exchange(fd_, -1);
        return ::close(fd) == 0;
    }

private:
    int fd_;
};

// strerror is not thread-safe; g++ defines _GNU_SOURCE, so this is the GNU strerror_r returning the text.
std::string Errno() {
    char buffer[256];
    return ::strerror_r(errno, buffer, sizeof buffer);
}

Result<void> SyncDirectoryOf(const std::string& path) {
    const std::filesystem::path parent = std::filesystem::path(path).parent_path();
    const std::string dir = parent.empty() ? std::string(".") : parent.string();
    FileDescriptor fd(::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
    if (fd.get() < 0 || ::fsync(fd.get()) != 0) {
        return Fail(ErrorCode::kInternal, "cannot sync directory " + dir + ": " + Errno());
    }
    return {};
}

Result<void> WriteAll(int fd, const std::uint8_t* data, size_t size) {
    while (size > 0) {
        const ssize_t n = ::write(fd, data, size);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) return Fail(ErrorCode::kInternal, Errno());
        data += n;
        size -= static_cast<size_t>(n);
    }
    return {};
}

// Writes `text` to the new file `fd`, then makes it durable.
Result<void> FillNewFile(FileDescriptor& fd, const detail::SecretBuffer& text) {
    // The umask can only take bits away; fchmod makes sure the owner can read it back.
    if (::fchmod(fd.get(), S_IRUSR | S_IWUSR) != 0) return Fail(ErrorCode::kInternal, Errno());
    if (auto written = WriteAll(fd.get(), text.data(), text.size()); !written) return written;
    if (::fsync(fd.get()) != 0) return Fail(ErrorCode::kInternal, Errno());
    if (!fd.Close()) return Fail(ErrorCode::kInternal, Errno());
    return {};
}

bool ValidLineId(std::string_view line_id) {
    if (line_id.empty() || line_id.size() > kMaxLineIdSize) return false;
    for (const char c : line_id) {
        const bool ok =
            (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' || c == '_';
        if (!ok) return false;
    }
    return true;
}

tl::unexpected<Error> BadLineId() {
    return Fail(ErrorCode::kInvalid, "line_id", "a line id is 1-64 characters of letters, digits, '-' and '_'");
}

// nullopt when `name` is not set; otherwise the key it holds, or why it holds none.
std::optional<Result<SecretKey>> KeyFromEnvironment(const std::string& name) {
    const char* value = std::getenv(name.c_str());  // NOLINT(concurrency-mt-unsafe): read-only after start-up
    if (value == nullptr) return std::nullopt;
    auto key = SecretKey::FromHex(value);
    if (!key) {
        return Result<SecretKey>(Fail(
            ErrorCode::kInvalid, "environment variable " + name + " does not hold a key: expected 64 hex characters"));
    }
    return Result<SecretKey>(std::move(*key));
}

}  // namespace

SecretKey SecretKey::Generate() {
    SecretKey key;
    randombytes_buf(key.bytes_.data(), key.bytes_.size());
    return key;
}

Result<SecretKey> SecretKey::FromHex(std::string_view hex) {
    if (hex.size() != kHexSize) return Fail(ErrorCode::kInvalid, "a key is 64 hex characters");
    SecretKey key;
    size_t decoded = 0;
    const char* end = nullptr;
    const int rc =
        sodium_hex2bin(key.bytes_.data(), key.bytes_.size(), hex.data(), hex.size(), nullptr, &decoded, &end);
    if (rc != 0 || decoded != kSize || end != hex.data() + hex.size()) {
        return Fail(ErrorCode::kInvalid, "a key is 64 hex characters");
    }
    return key;
}

SecretKey::SecretKey(SecretKey&& other) noexcept : bytes_(other.bytes_) {
    sodium_memzero(other.bytes_.data(), other.bytes_.size());
}

SecretKey& SecretKey::operator=(SecretKey&& other) noexcept {
    if (this != &other) {
        bytes_ = other.bytes_;
        sodium_memzero(other.bytes_.data(), other.bytes_.size());
    }
    return *this;
}

SecretKey::~SecretKey() { sodium_memzero(bytes_.data(), bytes_.size()); }

Result<SecretKey> LoadKeyFile(const std::string& path) {
    FileDescriptor fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
    if (fd.get() < 0) {
        if (errno == ENOENT) return Fail(ErrorCode::kNotFound, "key file " + path + " does not exist");
        return Fail(ErrorCode::kInternal, "cannot open key file " + path + ": " + Errno());
    }
    struct stat st {};
    if (::fstat(fd.get(), &st) != 0) return Fail(ErrorCode::kInternal, "cannot stat key file " + path + ": " + Errno());
    if (!S_ISREG(st.st_mode)) return Fail(ErrorCode::kInvalid, "key file " + path + " is not a regular file");
    if ((st.st_mode & (S_IRWXG | S_IRWXO)) != 0) {
        return Fail(ErrorCode::kInvalid,
                    "key file " + path + " can be read or written by group or others; run: chmod 600 " + path);
    }

    detail::SecretBuffer text(kMaxKeyFileSize + 1);
    size_t size = 0;
    while (size < text.size()) {
        const ssize_t n = ::read(fd.get(), text.data() + size, text.size() - size);
        if (n < 0 && errno == EINTR) continue;
        if (n < 0) return Fail(ErrorCode::kInternal, "cannot read key file " + path + ": " + Errno());
        if (n == 0) break;
        size += static_cast<size_t>(n);
    }
    while (size > 0 && (text.data()[size - 1] == '\n' || text.data()[size - 1] == '\r' ||
                        text.data()[size - 1] == ' ' || text.data()[size - 1] == '\t')) {
        --size;
    }
    auto key = SecretKey::FromHex(std::string_view(reinterpret_cast<const char*>(text.data()), size));
    if (!key) {
        return Fail(ErrorCode::kInvalid,
                    "key file " + path + " does not hold a key: expected 64 hex characters and a newline");
    }
    return key;
}

Result<SecretKey> CreateKeyFile(const std::string& path) {
    SecretKey key = SecretKey::Generate();
    detail::SecretBuffer text(kHexSize + 1);
    sodium_bin2hex(reinterpret_cast<char*>(text.data()), text.size(), key.data(), SecretKey::size());
    text.data()[kHexSize] = '\n';  // replaces the NUL terminator sodium_bin2hex wrote

    FileDescriptor fd(::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, S_IRUSR | S_IWUSR));
    if (fd.get() < 0) {
        if (errno == EEXIST) {
            return Fail(ErrorCode::kConflict, "key file " + path + " already exists; it is never overwritten");
        }
        return Fail(ErrorCode::kInternal, "cannot create key file " + path + ": " + Errno());
    }
    if (auto filled = FillNewFile(fd, text); !filled) {
        ::unlink(path.c_str());
        return Fail(ErrorCode::kInternal, "cannot write key file " + path + ": " + filled.error().message);
    }
    if (auto synced = SyncDirectoryOf(path); !synced) return tl::unexpected(synced.error());
    return key;
}

Keyring::Keyring(std::string dir) : dir_(std::move(dir)) {}

std::string Keyring::LineVariable(std::string_view line_id) {
    std::string name = "CRISISLINE_LINE_KEY_";
    for (const char c : line_id) {
        if (c == '-') {
            name += '_';
        } else if (c >= 'a' && c <= 'z') {
            name += static_cast<char>(c - 'a' + 'A');
        } else {
            name += c;
        }
    }
    return name;
}

std::string Keyring::LinePath(const std::string& line_id) const { return dir_ + "/line-" + line_id + ".key"; }

Result<void> Keyring::LoadService(bool create_if_missing) {
    return LoadNamed("CRISISLINE_SERVICE_KEY", "service.key", create_if_missing, service_);
}

Result<void> Keyring::LoadAudit(bool create_if_missing) {
    return LoadNamed("CRISISLINE_AUDIT_KEY", "audit.key", create_if_missing, audit_);
}

Result<void> Keyring::LoadNamed(const std::string& variable,
                                const std::string& file,
                                bool create_if_missing,
                                std::optional<SecretKey>& slot) {
    std::lock_guard lock(mu_);
    if (slot) return {};
    if (auto from_env = KeyFromEnvironment(variable)) {
        if (!*from_env) return tl::unexpected(from_env->error());
        slot.emplace(std::move(**from_env));
        return {};
    }
    const std::string path = dir_ + "/" + file;
    auto key = LoadKeyFile(path);
    if (!key && key.error().code == ErrorCode::kNotFound) {
        if (!create_if_missing) {
            const std::string what = file.substr(0, file.find('.'));
            return Fail(ErrorCode::kUnavailable, "no " + what + " key: set " + variable + " or provide " + path);
        }
        key = CreateKeyFile(path);
        // Another process may have created it between our load and create: use theirs.
        if (!key && key.error().code == ErrorCode::kConflict) key = LoadKeyFile(path);
    }
    if (!key) return tl::unexpected(key.error());
    slot.emplace(std::move(*key));
    return {};
}

const SecretKey& Keyring::Service() const {
    std::lock_guard lock(mu_);
    assert(service_ && "Keyring::Service() called before LoadService() succeeded");
    return *service_;
}

const SecretKey& Keyring::Audit() const {
    std::lock_guard lock(mu_);
    assert(audit_ && "Keyring::Audit() called before LoadAudit() succeeded");
    return *audit_;
}

Result<void> Keyring::CreateLine(const std::string& line_id) {
    if (!ValidLineId(line_id)) return BadLineId();
    const std::string variable = LineVariable(line_id);
    std::lock_guard lock(mu_);
    if (lines_.contains(line_id)) return Fail(ErrorCode::kConflict, "line " + line_id + " already has a key");
    if (std::getenv(variable.c_str()) != nullptr) {  // NOLINT(concurrency-mt-unsafe): read-only after start-up
        return Fail(ErrorCode::kConflict, "the key for line " + line_id + " is set in " + variable +
                                              "; unset it to create a key file instead");
    }
    auto key = CreateKeyFile(LinePath(line_id));
    if (!key) return tl::unexpected(key.error());
    lines_.emplace(line_id, std::move(*key));
    return {};
}

Result<const SecretKey*> Keyring::LoadLine(const std::string& line_id) {
    if (!ValidLineId(line_id)) return BadLineId();
    std::lock_guard lock(mu_);
    if (auto it = lines_.find(line_id); it != lines_.end()) return &it->second;

    const std::string variable = LineVariable(line_id);
    std::optional<Result<SecretKey>> key = KeyFromEnvironment(variable);
    if (!key) {
        const std::string path = LinePath(line_id);
        key = LoadKeyFile(path);
        if (!*key && (*key).error().code == ErrorCode::kNotFound) {
            return Fail(ErrorCode::kUnavailable,
                        "no key for line " + line_id + ": set " + variable + " or provide " + path);
        }
    }
    if (!*key) return tl::unexpected((*key).error());
    auto [it, inserted] = lines_.emplace(line_id, std::move(**key));
    return &it->second;
}

Result<void> Keyring::CheckLines(const std::vector<std::string>& line_ids) {
    for (const auto& id : line_ids) {
        if (auto key = LoadLine(id); !key) return tl::unexpected(key.error());
    }
    return {};
}

Result<const SecretKey*> Keyring::Line(const std::string& line_id) {
    auto key = LoadLine(line_id);
    if (key || key.error().field == "line_id") return key;
    // What is wrong with a key file is the operator's to know, not the client's: no path, no variable name.
    return Fail(ErrorCode::kUnavailable, "the key of line " + line_id +
                                             " cannot be used; the operator must check the server's key files");
}

}  // namespace crisisline::crypto
