#include "core/fields.hpp"

#include <algorithm>
#include <set>
#include <string>
#include <vector>

namespace crisisline {

namespace {

tl::unexpected<Error> Invalid(const std::string& field, std::string message) {
    return Fail(ErrorCode::kInvalid, field, std::move(message));
}

bool HasControlCharacters(std::string_view s) {
    return std::any_of(s.begin(), s.end(), [](char c) {
        auto u = static_cast<unsigned char>(c);
        return u < 0x20 && c != '\n' && c != '\t' && c != '\r';
    });
}

// Watches a parse for a key that appears twice in one object (RFC 8259 leaves its meaning open, and a parser
// that keeps the last copy would let a client hide a value from a reviewer who reads the first), and names the
// first such key by its path ("assessment.risk", "services[2].name").
class DuplicateKeys {
public:
    bool operator()(int /*depth*/, nlohmann::json::parse_event_t event, const nlohmann::json& parsed) {
        using Event = nlohmann::json::parse_event_t;
        switch (event) {
            case Event::object_start:
            case Event::array_start:
                scopes_.push_back(Scope{event == Event::array_start, ChildPath(), {}, {}, 0});
                break;
            case Event::object_end:
            case Event::array_end:
                scopes_.pop_back();
                ValueDone();
                break;
            case Event::key: {
                Scope& scope = scopes_.back();
                scope.key = parsed.get<std::string>();
                if (!scope.keys.insert(scope.key).second && first_.empty()) first_ = ChildPath();
                break;
            }
            case Event::value:
                ValueDone();
                break;
        }
        return true;
    }

    // The path of the first repeated key; empty when there was none.
    const std::string& First() const { return first_; }

private:
    struct Scope {
        bool array;
        std::string path;
        std::set<std::string> keys;
        std::string key;
        size_t index;
    };

    std::string ChildPath() const {
        if (scopes_.empty()) return "";
        const Scope& scope = scopes_.back();
        if (scope.array) return scope.path + "[" + std::to_string(scope.index) + "]";
        return scope.path.empty() ? scope.key : scope.path + "." + scope.key;
    }

    void ValueDone() {
        if (!scopes_.empty() && scopes_.back().array) ++scopes_.back().index;
    }

    std::vector<Scope> scopes_;
    std::string first_;
};

}  // namespace

Result<Fields> Fields::Parse(std::string_view body) {
    DuplicateKeys duplicates;
    nlohmann::json parsed = nlohmann::json::parse(
        body,
        [&duplicates](int depth, nlohmann::json::parse_event_t event, nlohmann::json& value) {
            return duplicates(depth, event, value);
        },
        /*allow_exceptions=*/false);
    if (parsed.is_discarded()) return Invalid("", "the request body is not valid JSON");
    if (!duplicates.First().empty()) return Invalid(duplicates.First(), "appears more than once in the request body");
    if (!parsed.is_object()) return Invalid("", "the request body must be a JSON object");
    return Fields(std::move(parsed), "");
}

Fields::Fields(nlohmann::json object, std::string path) : object_(std::move(object)), path_(std::move(path)) {}

std::string Fields::PathOf(std::string_view name) const {
    if (path_.empty()) return std::string(name);
    return path_ + "." + std::string(name);
}

const nlohmann::json* Fields::Find(std::string_view name) const {
    auto it = object_.find(std::string(name));
    if (it == object_.end() || it->is_null()) return nullptr;
    return &*it;
}

bool Fields::Has(std::string_view name) const { return Find(name) != nullptr; }

Result<std::optional<std::string>> Fields::OptionalString(std::string_view name, size_t max_len) const {
    const nlohmann::json* v = Find(name);
    if (v == nullptr) return std::optional<std::string>();
    if (!v->is_string()) return Invalid(PathOf(name), "must be a string");
    const auto& s = v->get_ref<const std::string&>();
    if (s.size() > max_len) {
        return Fail(ErrorCode::kTooLarge, PathOf(name), "is longer than " + std::to_string(max_len) + " bytes");
    }
    if (HasControlCharacters(s)) return Invalid(PathOf(name), "must not contain control characters");
    return std::optional<std::string>(s);
}

Result<std::string> Fields::String(std::string_view name, size_t max_len) const {
    auto v = OptionalString(name, max_len);
    if (!v) return tl::unexpected(v.error());
    if (!v->has_value() || (*v)->empty()) return Invalid(PathOf(name), "is required");
    return std::move(**v);
}

Result<std::optional<std::string>> Fields::OptionalEnum(std::string_view name,
                                                        const std::vector<std::string>& allowed) const {
    const nlohmann::json* v = Find(name);
    if (v == nullptr) return std::optional<std::string>();
    if (!v->is_string()) return Invalid(PathOf(name), "must be a string");
    const auto& s = v->get_ref<const std::string&>();
    if (std::find(allowed.begin(), allowed.end(), s) == allowed.end()) {
        std::string list;
        for (const auto& a : allowed) list += (list.empty() ? "" : ", ") + a;
        return Invalid(PathOf(name), "unknown value; expected one of: " + list);
    }
    return std::optional<std::string>(s);
}

Result<std::string> Fields::Enum(std::string_view name, const std::vector<std::string>& allowed) const {
    auto v = OptionalEnum(name, allowed);
    if (!v) return tl::unexpected(v.error());
    if (!v->has_value()) return Invalid(PathOf(name), "is required");
    return std::move(**v);
}

Result<std::vector<std::string>> Fields::StringList(std::string_view name,
                                                    size_t max_items,
                                                    size_t max_len,
                                                    const std::vector<std::string>& allowed) const {
    std::vector<std::string> out;
    const nlohmann::json* v = Find(name);
    if (v == nullptr) return out;
    if (!v->is_array()) return Invalid(PathOf(name), "must be an array of strings");
    if (v->size() > max_items) {
        return Fail(ErrorCode::kTooLarge, PathOf(name), "has more than " + std::to_string(max_items) + " items");
    }
    std::set<std::string> seen;
    for (size_t i = 0; i < v->size(); ++i) {
        const auto& item = (*v)[i];
        std::string item_path = PathOf(name) + "[" + std::to_string(i) + "]";
        if (!item.is_string()) return Invalid(item_path, "must be a string");
        const auto& s = item.get_ref<const std::string&>();
        if (s.empty()) return Invalid(item_path, "must not be empty");
        if (s.size() > max_len) {
            return Fail(ErrorCode::kTooLarge, item_path, "is longer than " + std::to_string(max_len) + " bytes");
        }
        if (HasControlCharacters(s)) return Invalid(item_path, "must not contain control characters");
        if (!allowed.empty() && std::find(allowed.begin(), allowed.end(), s) == allowed.end()) {
            return Invalid(item_path, "unknown value");
        }
        if (!seen.insert(s).second) return Invalid(item_path, "is listed twice");
        out.push_back(s);
    }
    return out;
}

Result<std::optional<bool>> Fields::OptionalBool(std::string_view name) const {
    const nlohmann::json* v = Find(name);
    if (v == nullptr) return std::optional<bool>();
    if (!v->is_boolean()) return Invalid(PathOf(name), "must be true or false");
    return std::optional<bool>(v->get<bool>());
}

Result<bool> Fields::Bool(std::string_view name) const {
    auto v = OptionalBool(name);
    if (!v) return tl::unexpected(v.error());
    if (!v->has_value()) return Invalid(PathOf(name), "is required");
    return **v;
}

Result<std::optional<std::int64_t>> Fields::OptionalInt(std::string_view name,
                                                        std::int64_t min,
                                                        std::int64_t max) const {
    const nlohmann::json* v = Find(name);
    if (v == nullptr) return std::optional<std::int64_t>();
    if (!v->is_number_integer()) return Invalid(PathOf(name), "must be a whole number");
    std::int64_t n = 0;
    if (v->is_number_unsigned()) {
        auto u = v->get<std::uint64_t>();
        if (u > static_cast<std::uint64_t>(max)) {
            return Invalid(PathOf(name), "must be between " + std::to_string(min) + " and " + std::to_string(max));
        }
        n = static_cast<std::int64_t>(u);
    } else {
        n = v->get<std::int64_t>();
    }
    if (n < min || n > max) {
        return Invalid(PathOf(name), "must be between " + std::to_string(min) + " and " + std::to_string(max));
    }
    return std::optional<std::int64_t>(n);
}

Result<std::int64_t> Fields::Int(std::string_view name, std::int64_t min, std::int64_t max) const {
    auto v = OptionalInt(name, min, max);
    if (!v) return tl::unexpected(v.error());
    if (!v->has_value()) return Invalid(PathOf(name), "is required");
    return **v;
}

Result<std::optional<TimeMs>> Fields::OptionalTime(std::string_view name) const {
    const nlohmann::json* v = Find(name);
    if (v == nullptr) return std::optional<TimeMs>();
    if (!v->is_string()) return Invalid(PathOf(name), "must be an RFC 3339 timestamp string");
    auto t = ParseTime(v->get_ref<const std::string&>());
    if (!t) return Invalid(PathOf(name), "must be an RFC 3339 timestamp from 1970 on, such as 2026-11-27T19:04:00Z");
    return std::optional<TimeMs>(*t);
}

Result<std::optional<Fields>> Fields::OptionalObject(std::string_view name) const {
    const nlohmann::json* v = Find(name);
    if (v == nullptr) return std::optional<Fields>();
    if (!v->is_object()) return Invalid(PathOf(name), "must be an object");
    return std::optional<Fields>(Fields(*v, PathOf(name)));
}

Result<Fields> Fields::Object(std::string_view name) const {
    auto v = OptionalObject(name);
    if (!v) return tl::unexpected(v.error());
    if (!v->has_value()) return Invalid(PathOf(name), "is required");
    return std::move(**v);
}

Result<std::vector<Fields>> Fields::ObjectList(std::string_view name, size_t max_items) const {
    std::vector<Fields> out;
    const nlohmann::json* v = Find(name);
    if (v == nullptr) return out;
    if (!v->is_array()) return Invalid(PathOf(name), "must be an array of objects");
    if (v->size() > max_items) {
        return Fail(ErrorCode::kTooLarge, PathOf(name), "has more than " + std::to_string(max_items) + " items");
    }
    for (size_t i = 0; i < v->size(); ++i) {
        std::string item_path = PathOf(name) + "[" + std::to_string(i) + "]";
        if (!(*v)[i].is_object()) return Invalid(item_path, "must be an object");
        out.emplace_back((*v)[i], item_path);
    }
    return out;
}

Result<void> Fields::OnlyKnown(std::initializer_list<std::string_view> known) const {
    for (const auto& [key, value] : object_.items()) {
        if (std::find(known.begin(), known.end(), key) == known.end()) {
            std::string shown = key.size() > 64 ? key.substr(0, 64) + "..." : key;
            return Invalid(PathOf(shown), "is not a known field");
        }
    }
    return {};
}

}  // namespace crisisline
