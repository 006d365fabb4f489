#include "telephony/sdes.hpp"

#include <cctype>
#include <cstdint>
#include <optional>

#include <sodium.h>

#include "media/detail/re.hpp"

namespace crisisline::telephony {

namespace {

constexpr size_t kMaxLine = 256;
constexpr size_t kMaxKeyText = 64;  // base64 of 30 bytes is 40 characters

tl::unexpected<Error> Refuse(const std::string& why) { return Fail(ErrorCode::kInvalid, "sdp", "a=crypto " + why); }

std::optional<SrtpSuite> SuiteNamed(std::string_view name) {
    for (auto suite : {SrtpSuite::kAesCm128HmacSha1_80, SrtpSuite::kAesCm128HmacSha1_32, SrtpSuite::kAeadAes128Gcm}) {
        if (name == SrtpSuiteName(suite)) return suite;
    }
    return std::nullopt;
}

bool AllDigits(std::string_view s) {
    if (s.empty()) return false;
    for (char c : s) {
        if (!std::isdigit(static_cast<unsigned char>(c))) return false;
    }
    return true;
}

// RFC 4568 section 9.1: lifetime = ["2^"] 1*DIGIT.
bool IsLifetime(std::string_view s) {
    if (s.substr(0, 2) == "2^") s.remove_prefix(2);
    return AllDigits(s) && s.size() <= 20;
}

// Splits at runs of spaces or tabs.
std::vector<std::string_view> Words(std::string_view s) {
    std::vector<std::string_view> out;
    size_t at = 0;
    while (at < s.size()) {
        while (at < s.size() && (s[at] == ' ' || s[at] == '\t')) ++at;
        size_t end = at;
        while (end < s.size() && s[end] != ' ' && s[end] != '\t') ++end;
        if (end > at) out.push_back(s.substr(at, end - at));
        at = end;
    }
    return out;
}

Result<std::unique_ptr<SrtpKey>> InlineKey(std::string_view param, SrtpSuite suite) {
    constexpr std::string_view kInline = "inline:";
    if (param.find(';') != std::string_view::npos) return Refuse("has more than one key (only one is supported)");
    if (param.substr(0, kInline.size()) != kInline) return Refuse("key method is not inline");
    param.remove_prefix(kInline.size());
    std::string_view text = param.substr(0, param.find('|'));
    std::string_view rest = text.size() < param.size() ? param.substr(text.size() + 1) : std::string_view();
    if (!rest.empty()) {
        std::string_view lifetime = rest.substr(0, rest.find('|'));
        // A lone "n:m" is an MKI without a lifetime.
        if (lifetime.find(':') != std::string_view::npos) return Refuse("names an MKI, which this server does not use");
        if (!IsLifetime(lifetime)) return Refuse("has a key lifetime that is neither decimal nor 2^n");
        if (lifetime.size() < rest.size()) return Refuse("names an MKI, which this server does not use");
    }
    if (text.empty() || text.size() > kMaxKeyText) return Refuse("key is not base64 of the suite's key and salt");
    std::uint8_t raw[kMaxKeyText] = {};
    size_t n = sizeof raw;
    bool decoded = base64_decode(text.data(), text.size(), raw, &n) == 0 && n == SrtpKeyLength(suite);
    // base64_decode takes characters outside the alphabet as zero bits; refuse them rather than guess.
    for (char c : text) {
        if (!std::isalnum(static_cast<unsigned char>(c)) && c != '+' && c != '/' && c != '=') decoded = false;
    }
    auto key = decoded ? SrtpKey::From(raw, n) : nullptr;
    sodium_memzero(raw, sizeof raw);
    if (!key) return Refuse("key is not base64 of the suite's key and salt");
    return key;
}

}  // namespace

Result<CryptoLine> ReadCryptoLine(std::string_view value) {
    if (value.size() > kMaxLine) return Refuse("line is longer than 256 characters");
    auto words = Words(value);
    if (words.size() < 3) return Refuse("needs a tag, a suite and a key");
    if (!AllDigits(words[0]) || words[0].size() > 9) return Refuse("tag is not 1 to 9 digits");
    CryptoLine line;
    line.tag = std::stoi(std::string(words[0]));
    if (line.tag == 0) return Refuse("tag is 0");
    auto suite = SuiteNamed(words[1]);
    // The suite offered is not echoed: the message goes into a Warning header and the log.
    if (!suite) {
        return Refuse("suite is not one this server speaks (AES_CM_128_HMAC_SHA1_80, AES_CM_128_HMAC_SHA1_32, "
                      "AEAD_AES_128_GCM)");
    }
    line.suite = *suite;
    if (words.size() > 3) return Refuse("has session parameters, which this server does not support");
    auto key = InlineKey(words[2], line.suite);
    if (!key) return tl::unexpected(key.error());
    line.key = std::move(*key);
    return line;
}

std::string WriteCryptoLine(int tag, SrtpSuite suite, const SrtpKey& key) {
    char text[kMaxKeyText + 1] = {};
    size_t n = kMaxKeyText;
    if (base64_encode(key.data(), key.size(), text, &n) != 0) n = 0;
    std::string out = std::to_string(tag) + " " + SrtpSuiteName(suite) + " inline:" + std::string(text, n);
    sodium_memzero(text, sizeof text);
    return out;
}

Result<CryptoLine> ChooseCryptoLine(const std::vector<std::string>& offered) {
    if (offered.empty()) return Refuse("lines are missing: RTP/SAVP needs at least one");
    std::optional<Error> first;
    for (const auto& value : offered) {
        auto line = ReadCryptoLine(value);
        if (line) return line;
        if (!first) first = line.error();
    }
    return tl::unexpected(*first);
}

std::vector<CryptoLine> OfferedCryptoLines() {
    std::vector<CryptoLine> lines;
    int tag = 1;
    for (auto suite : {SrtpSuite::kAesCm128HmacSha1_80, SrtpSuite::kAesCm128HmacSha1_32}) {
        CryptoLine line;
        line.tag = tag++;
        line.suite = suite;
        line.key = SrtpKey::Random(suite);
        lines.push_back(std::move(line));
    }
    return lines;
}

}  // namespace crisisline::telephony
