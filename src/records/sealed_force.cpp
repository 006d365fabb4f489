#include "records/sealed_force.hpp"

#include <cassert>

#include "crypto/envelope.hpp"

namespace crisisline::records {

namespace {

constexpr size_t kPaddedWidth = 48;  // the longest force code is 40 bytes

std::string Context(std::string_view line_id, std::string_view contact_id) {
    return "force:" + std::string(line_id) + ":" + std::string(contact_id);
}

}  // namespace

store::Bytes SealForce(const crypto::SecretKey& line_key,
                       std::string_view line_id,
                       std::string_view contact_id,
                       std::string_view code) {
    assert(code.size() <= kPaddedWidth);  // the reference list's codes; checked by sealed_force_test
    std::string padded(code);
    padded.resize(kPaddedWidth, '\0');
    return crypto::SealWithKey(line_key, padded, Context(line_id, contact_id));
}

std::optional<std::string> OpenForce(const crypto::SecretKey& line_key,
                                     const store::ContactRow& row,
                                     const nlohmann::json& facts) {
    if (row.force_sealed.empty()) return std::nullopt;
    std::string_view contact_id = row.id;
    const auto sealed_for = facts.find(kSealedForceForKey);
    if (sealed_for != facts.end() && sealed_for->is_string()) contact_id = sealed_for->get_ref<const std::string&>();
    auto plain = crypto::OpenWithKey(line_key, row.force_sealed, Context(row.line_id, contact_id));
    if (!plain || plain->size() != kPaddedWidth) return std::nullopt;
    std::string code = std::move(*plain);
    code.resize(std::min(code.find('\0'), code.size()));
    return code;
}

}  // namespace crisisline::records
