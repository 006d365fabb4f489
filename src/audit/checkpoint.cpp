#include "audit/checkpoint.hpp"

#include <charconv>
#include <optional>

#include "crypto/crypto.hpp"

namespace crisisline::audit {

namespace {

constexpr std::string_view kMarker = "crisisline-audit-checkpoint v1 ";
constexpr std::string_view kDomain = "crisisline.audit.checkpoint.v1";
constexpr size_t kHexSize = 64;

std::string SignedText(const Checkpoint& c) {
    // Fields are separated by a character none of them can hold.
    return std::string(kDomain) + "\n" + std::to_string(c.seq) + "\n" + c.head_hash + "\n" + std::to_string(c.at);
}

bool LowerHex(std::string_view text) {
    return text.size() == kHexSize && text.find_first_not_of("0123456789abcdef") == std::string_view::npos;
}

// The value of " name=" in `padded` (which starts with a space), up to the next space, quote or the end.
std::optional<std::string> Field(const std::string& padded, std::string_view name) {
    // Appended rather than concatenated: GCC 12 warns falsely (-Wrestrict) on " " + std::string.
    std::string key(1, ' ');
    key.append(name).push_back('=');
    const size_t at = padded.find(key);
    if (at == std::string::npos) return std::nullopt;
    const size_t begin = at + key.size();
    const size_t end = padded.find_first_of(" \"", begin);
    return padded.substr(begin, end == std::string::npos ? std::string::npos : end - begin);
}

}  // namespace

Checkpoint SignCheckpoint(const crypto::SecretKey& key, std::int64_t seq, std::string head_hash, TimeMs at) {
    Checkpoint c{seq, std::move(head_hash), at, std::string()};
    c.mac = crypto::HmacSha256Hex(key, SignedText(c));
    return c;
}

bool CheckpointAuthentic(const crypto::SecretKey& key, const Checkpoint& checkpoint) {
    return crypto::ConstantTimeEquals(crypto::HmacSha256Hex(key, SignedText(checkpoint)), checkpoint.mac);
}

std::string FormatCheckpoint(const Checkpoint& c) {
    return std::string(kMarker) + "seq=" + std::to_string(c.seq) + " head=" + c.head_hash + " at=" + FormatTime(c.at) +
           " mac=" + c.mac;
}

Result<Checkpoint> ParseCheckpoint(std::string_view line) {
    const size_t start = line.find(kMarker);
    if (start == std::string_view::npos) return Fail(ErrorCode::kNotFound, "no audit checkpoint in the line");
    std::string text(1, ' ');
    text.append(line.substr(start + kMarker.size()));
    const auto seq = Field(text, "seq");
    const auto head = Field(text, "head");
    const auto at = Field(text, "at");
    const auto mac = Field(text, "mac");
    Checkpoint c;
    if (!seq || std::from_chars(seq->data(), seq->data() + seq->size(), c.seq).ec != std::errc() || c.seq < 0 ||
        std::to_string(c.seq) != *seq) {
        return Fail(ErrorCode::kInvalid, "checkpoint", "the checkpoint's seq is not a whole number");
    }
    if (!head || !LowerHex(*head)) return Fail(ErrorCode::kInvalid, "checkpoint", "the checkpoint's head is not a hash");
    const auto when = at ? ParseTime(*at) : std::nullopt;
    if (!when) return Fail(ErrorCode::kInvalid, "checkpoint", "the checkpoint's time is not a UTC time");
    if (!mac || !LowerHex(*mac)) return Fail(ErrorCode::kInvalid, "checkpoint", "the checkpoint's mac is not 64 hex");
    c.head_hash = std::string(*head);
    c.at = *when;
    c.mac = std::string(*mac);
    return c;
}

}  // namespace crisisline::audit
