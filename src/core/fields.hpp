#pragma once

#include <cstdint>
#include <initializer_list>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/clock.hpp"
#include "core/error.hpp"

namespace crisisline {

// Reads the fields of one JSON object sent by a client, checking type, length
// and enum membership. Every failure is an ErrorCode::kInvalid (or kTooLarge)
// that names the full field path ("assessment.desire.hopelessness") and the
// reason, ready for the HTTP edge. Lengths are counted in bytes of UTF-8.
class Fields {
public:
    // Parses a request body. Fails with field "" when it is not JSON or not an object.
    static Result<Fields> Parse(std::string_view body);

    // REQUIRES: object.is_object(). `path` prefixes field names in errors.
    Fields(nlohmann::json object, std::string path);

    Result<std::string> String(std::string_view name, size_t max_len) const;
    Result<std::optional<std::string>> OptionalString(std::string_view name, size_t max_len) const;
    Result<std::string> Enum(std::string_view name, const std::vector<std::string>& allowed) const;
    Result<std::optional<std::string>> OptionalEnum(std::string_view name,
                                                    const std::vector<std::string>& allowed) const;
    // A list of strings; when `allowed` is not empty every item must be in it. Duplicates are refused.
    Result<std::vector<std::string>> StringList(std::string_view name,
                                                size_t max_items,
                                                size_t max_len,
                                                const std::vector<std::string>& allowed = {}) const;
    Result<bool> Bool(std::string_view name) const;
    Result<std::optional<bool>> OptionalBool(std::string_view name) const;
    Result<std::int64_t> Int(std::string_view name, std::int64_t min, std::int64_t max) const;
    Result<std::optional<std::int64_t>> OptionalInt(std::string_view name, std::int64_t min, std::int64_t max) const;
    Result<std::optional<TimeMs>> OptionalTime(std::string_view name) const;
    Result<Fields> Object(std::string_view name) const;
    Result<std::optional<Fields>> OptionalObject(std::string_view name) const;
    // The elements of an array of objects, each as Fields with path "name[i]".
    Result<std::vector<Fields>> ObjectList(std::string_view name, size_t max_items) const;

    bool Has(std::string_view name) const;
    // Fails naming the first field that is not in `known`, so a typo is not silently dropped.
    Result<void> OnlyKnown(std::initializer_list<std::string_view> known) const;

    const nlohmann::json& Json() const { return object_; }
    std::string PathOf(std::string_view name) const;

private:
    const nlohmann::json* Find(std::string_view name) const;

    nlohmann::json object_;
    std::string path_;
};

}  // namespace crisisline
