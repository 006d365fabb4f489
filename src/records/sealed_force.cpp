#include "records/sealed_force.hpp"

#include <cassert>

#include "crypto/envelope.hpp"

namespace crisisline::records {

namespace {

constexpr size_t kPaddedWidth = 48;  // the longest force code is 40 bytes

std::string Context(std::string_view line_id, std::string_view contact_id) {
    return "force:" + std::string(line_id) + ":" + std::string(contact_id);
}

std::string Hex(const store::Bytes& bytes) {
    static constexpr char kDigits[] = "0123456789abcdef";
    std::string out;
    out.reserve(2 * bytes.size());
    for (auto b : bytes) {
        out += kDigits[b >> 4];
        out += kDigits[b & 0xf];
    }
    return out;
}

int Nibble(char c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    return -1;
}

std::optional<store::Bytes> FromHex(std::string_view text) {
    if (text.size() % 2 != 0) return std::nullopt;
    store::Bytes out(text.size() / 2);
    for (size_t i = 0; i < out.size(); ++i) {
        const int hi = Nibble(text[2 * i]), lo = Nibble(text[2 * i + 1]);
        if (hi < 0 || lo < 0) return std::nullopt;
        out[i] = static_cast<std::uint8_t>(hi << 4 | lo);
    }
    return out;
}

}  // namespace

std::string SealForce(const crypto::SecretKey& line_key,
                      std::string_view line_id,
                      std::string_view contact_id,
                      std::string_view code) {
    assert(code.size() <= kPaddedWidth);  // the reference list's codes; checked by sealed_force_test
    std::string padded(code);
    padded.resize(kPaddedWidth, '\0');
    return Hex(crypto::SealWithKey(line_key, padded, Context(line_id, contact_id)));
}

std::optional<std::string> OpenForce(const crypto::SecretKey& line_key,
                                     std::string_view line_id,
                                     std::string_view contact_id,
                                     const nlohmann::json& facts) {
    const auto it = facts.find(kSealedForceKey);
    if (it == facts.end() || !it->is_string()) return std::nullopt;
    auto sealed = FromHex(it->get_ref<const std::string&>());
    if (!sealed) return std::nullopt;
    const auto sealed_for = facts.find(kSealedForceForKey);
    if (sealed_for != facts.end() && sealed_for->is_string()) contact_id = sealed_for->get_ref<const std::string&>();
    auto plain = crypto::OpenWithKey(line_key, *sealed, Context(line_id, contact_id));
    if (!plain || plain->size() != kPaddedWidth) return std::nullopt;
    std::string code = std::move(*plain);
    code.resize(code.find('\0') == std::string::npos ? code.size() : code.find('\0'));
    return code;
}

}  // namespace crisisline::records
