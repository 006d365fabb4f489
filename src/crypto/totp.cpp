#include "crypto/totp.hpp"

#include <sodium.h>

#include <algorithm>
#include <array>
#include <cassert>

#include "crypto/crypto.hpp"
#include "crypto/detail/hmac.hpp"

namespace crisisline::crypto {

namespace {

constexpr std::string_view kBase32Alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
constexpr size_t kTotpSecretSize = 20;
constexpr int kVerifyDigits = 6;
constexpr int kVerifyStepSeconds = 30;
constexpr int kMaxWindow = 10;  // bounds the work one guess can cost
constexpr std::array<std::uint32_t, 10> kPowersOfTen = {1,      10,      100,      1000,      10000,
                                                        100000, 1000000, 10000000, 100000000, 1000000000};

int Base32Value(char c) {
    if (c >= 'A' && c <= 'Z') return c - 'A';
    if (c >= 'a' && c <= 'z') return c - 'a';
    if (c >= '2' && c <= '7') return c - '2' + 26;
    return -1;
}

// Floor division, so times before 1970 fall into the right step too.
std::int64_t StepOf(std::int64_t unix_seconds, std::int64_t step_seconds) {
    std::int64_t step = unix_seconds / step_seconds;
    if (unix_seconds % step_seconds != 0 && unix_seconds < 0) --step;
    return step;
}

// RFC 4226 HOTP: HMAC of the big-endian counter, dynamically truncated to 31 bits.
std::string Hotp(const store::Bytes& secret, std::int64_t counter, int digits, TotpAlgorithm alg) {
    std::array<std::uint8_t, 8> message{};
    auto value = static_cast<std::uint64_t>(counter);
    for (size_t i = message.size(); i-- > 0; value >>= 8) message[i] = static_cast<std::uint8_t>(value);

    store::Bytes mac;
    switch (alg) {
        case TotpAlgorithm::kSha1:
            mac = detail::HmacSha1(secret, message);
            break;
        case TotpAlgorithm::kSha256:
            mac = detail::HmacSha256(secret, message);
            break;
        case TotpAlgorithm::kSha512:
            mac = detail::HmacSha512(secret, message);
            break;
    }
    const size_t offset = mac.back() & 0x0f;
    const std::uint32_t binary =
        (static_cast<std::uint32_t>(mac[offset] & 0x7f) << 24) | (static_cast<std::uint32_t>(mac[offset + 1]) << 16) |
        (static_cast<std::uint32_t>(mac[offset + 2]) << 8) | static_cast<std::uint32_t>(mac[offset + 3]);
    sodium_memzero(mac.data(), mac.size());

    std::string code = std::to_string(binary % kPowersOfTen[static_cast<size_t>(digits)]);
    code.insert(0, static_cast<size_t>(digits) - code.size(), '0');
    return code;
}

std::string PercentEncode(std::string_view text) {
    static constexpr char kHex[] = "0123456789ABCDEF";
    std::string out;
    for (const char c : text) {
        const auto byte = static_cast<unsigned char>(c);
        const bool unreserved = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
                                c == '-' || c == '.' || c == '_' || c == '~';
        if (unreserved) {
            out += c;
        } else {
            out += '%';
            out += kHex[byte >> 4];
            out += kHex[byte & 0x0f];
        }
    }
    return out;
}

}  // namespace

std::string Base32Encode(const store::Bytes& data) {
    std::string out;
    out.reserve((data.size() * 8 + 4) / 5);
    std::uint32_t buffer = 0;
    int bits = 0;
    for (const std::uint8_t byte : data) {
        buffer = (buffer << 8) | byte;
        bits += 8;
        while (bits >= 5) {
            bits -= 5;
            out += kBase32Alphabet[(buffer >> bits) & 0x1f];
        }
    }
    if (bits > 0) out += kBase32Alphabet[(buffer << (5 - bits)) & 0x1f];
    return out;
}

Result<store::Bytes> Base32Decode(std::string_view text) {
    store::Bytes out;
    std::uint32_t buffer = 0;
    int bits = 0;
    size_t symbols = 0;
    for (const char c : text) {
        if (c == ' ' || c == '=') continue;
        const int value = Base32Value(c);
        if (value < 0) return Fail(ErrorCode::kInvalid, "base32 has only the letters A-Z and digits 2-7");
        ++symbols;
        buffer = (buffer << 5) | static_cast<std::uint32_t>(value);
        bits += 5;
        if (bits >= 8) {
            bits -= 8;
            out.push_back(static_cast<std::uint8_t>(buffer >> bits));
        }
    }
    // 1, 3 or 6 symbols left over cannot come from whole bytes.
    const size_t tail = symbols % 8;
    if (tail == 1 || tail == 3 || tail == 6) {
        sodium_memzero(out.data(), out.size());
        return Fail(ErrorCode::kInvalid, "base32 text has a length no encoding produces (truncated?)");
    }
    return out;
}

store::Bytes NewTotpSecret() {
    store::Bytes secret(kTotpSecretSize);
    randombytes_buf(secret.data(), secret.size());
    return secret;
}

std::string TotpCode(
    const store::Bytes& secret, std::int64_t unix_seconds, int digits, TotpAlgorithm alg, int step_seconds) {
    assert(digits >= 1 && digits <= 9 && "TotpCode: digits out of range");
    assert(step_seconds > 0 && "TotpCode: step_seconds must be positive");
    digits = std::clamp(digits, 1, 9);
    step_seconds = std::max(step_seconds, 1);
    return Hotp(secret, StepOf(unix_seconds, step_seconds), digits, alg);
}

std::optional<std::int64_t> VerifyTotp(const store::Bytes& secret,
                                       std::string_view code,
                                       std::int64_t unix_seconds,
                                       int window) {
    if (code.size() != kVerifyDigits ||
        !std::all_of(code.begin(), code.end(), [](char c) { return c >= '0' && c <= '9'; })) {
        return std::nullopt;
    }
    window = std::clamp(window, 0, kMaxWindow);
    const std::int64_t now = StepOf(unix_seconds, kVerifyStepSeconds);
    std::optional<std::int64_t> matched;
    // Every step in the window is computed and compared, matching or not.
    for (std::int64_t step = now - window; step <= now + window; ++step) {
        const std::string expected = Hotp(secret, step, kVerifyDigits, TotpAlgorithm::kSha1);
        if (ConstantTimeEquals(expected, code) && !matched) matched = step;
    }
    return matched;
}

std::string TotpUri(std::string_view issuer, std::string_view account, const store::Bytes& secret) {
    const std::string encoded_issuer = PercentEncode(issuer);
    return "otpauth://totp/" + encoded_issuer + ":" + PercentEncode(account) + "?secret=" + Base32Encode(secret) +
           "&issuer=" + encoded_issuer + "&algorithm=SHA1&digits=6&period=30";
}

}  // namespace crisisline::crypto
