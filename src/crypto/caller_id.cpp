#include "crypto/caller_id.hpp"

#include <sodium.h>

#include <algorithm>
#include <cctype>

#include "crypto/detail/secret_buffer.hpp"

namespace crisisline::crypto {

namespace {

constexpr size_t kMaxRawSize = 128;
constexpr size_t kMinDigits = 7;
constexpr size_t kMaxDigits = 15;
constexpr std::uint64_t kCallerIdSubkey = 1;
constexpr char kCallerIdContext[crypto_kdf_CONTEXTBYTES + 1] = "callerid";

tl::unexpected<Error> BadNumber(std::string reason) { return Fail(ErrorCode::kInvalid, "number", std::move(reason)); }

bool StartsWithNoCase(std::string_view s, std::string_view prefix) {
    return s.size() >= prefix.size() && std::equal(prefix.begin(), prefix.end(), s.begin(), [](char p, char c) {
               return p == std::tolower(static_cast<unsigned char>(c));
           });
}

// The user part of a tel:/sip:/sips: URI, or `raw` itself when it is not one.
std::string_view UserPart(std::string_view raw) {
    for (const std::string_view scheme : {"tel:", "sip:", "sips:"}) {
        if (StartsWithNoCase(raw, scheme)) {
            raw.remove_prefix(scheme.size());
            return raw.substr(0, raw.find_first_of("@;?"));
        }
    }
    return raw;
}

bool IsSeparator(char c) { return c == ' ' || c == '\t' || c == '-' || c == '.'; }

}  // namespace

Result<std::string> NormalisePhoneNumber(std::string_view raw) {
    if (raw.size() > kMaxRawSize) return BadNumber("a phone number is at most 128 characters");
    while (!raw.empty() && std::isspace(static_cast<unsigned char>(raw.front()))) raw.remove_prefix(1);
    while (!raw.empty() && std::isspace(static_cast<unsigned char>(raw.back()))) raw.remove_suffix(1);

    std::string text;
    for (const char c : UserPart(raw)) {
        if (!IsSeparator(c)) text += c;
    }
    // "+44 (0)7700 900123": the bracketed trunk zero is not dialled after a country code.
    if (text.starts_with('+') || text.starts_with("00")) {
        for (size_t at = text.find("(0)"); at != std::string::npos; at = text.find("(0)")) text.erase(at, 3);
    }
    std::erase_if(text, [](char c) { return c == '(' || c == ')'; });

    std::string digits;
    if (text.starts_with('+')) {
        digits = text.substr(1);
    } else if (text.starts_with("00")) {
        digits = text.substr(2);
    } else if (text.starts_with('0')) {
        digits = "44" + text.substr(1);
    } else {
        return BadNumber("a phone number starts with +, 00 or 0");
    }
    if (!std::all_of(digits.begin(), digits.end(), [](char c) { return c >= '0' && c <= '9'; })) {
        return BadNumber("a phone number has only digits, '+', spaces, dashes, dots and brackets");
    }
    if (digits.size() < kMinDigits || digits.size() > kMaxDigits || digits.front() == '0') {
        return BadNumber("an international number has a country code and 7 to 15 digits in all");
    }
    return "+" + digits;
}

std::string CallerHash(const SecretKey& line_kek, std::string_view normalised_number) {
    static_assert(SecretKey::size() == crypto_kdf_KEYBYTES);
    detail::SecretBuffer subkey(crypto_generichash_KEYBYTES);
    crypto_kdf_derive_from_key(subkey.data(), subkey.size(), kCallerIdSubkey, kCallerIdContext, line_kek.data());
    unsigned char hash[crypto_generichash_BYTES];
    crypto_generichash(hash, sizeof hash, reinterpret_cast<const unsigned char*>(normalised_number.data()),
                       normalised_number.size(), subkey.data(), subkey.size());
    char hex[2 * sizeof hash + 1];
    sodium_bin2hex(hex, sizeof hex, hash, sizeof hash);
    return hex;
}

}  // namespace crisisline::crypto
