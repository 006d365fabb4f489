#include "directory/directory.hpp"

#include <algorithm>
#include <array>

#include "directory/detail/text.hpp"
#include "reference/reference.hpp"

namespace crisisline::directory {

namespace {

tl::unexpected<Error> Invalid(const Fields& f, std::string_view field, std::string message) {
    return Fail(ErrorCode::kInvalid, f.PathOf(field), std::move(message));
}

bool HasSpace(std::string_view s) {
    return std::any_of(s.begin(), s.end(), [](char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; });
}

bool IsId(std::string_view s) {
    return std::all_of(s.begin(), s.end(), [](char c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' || c == '_';
    });
}

bool IsPhone(std::string_view s) {
    const auto digits = std::count_if(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
    const bool allowed = std::all_of(s.begin(), s.end(), [](char c) {
        return (c >= '0' && c <= '9') || c == ' ' || c == '+' || c == '(' || c == ')' || c == '-';
    });
    return allowed && digits >= 3;
}

bool IsEmail(std::string_view s) {
    const auto at = s.find('@');
    if (at == std::string_view::npos || at == 0 || s.find('@', at + 1) != std::string_view::npos) return false;
    const auto domain = s.substr(at + 1);
    const auto dot = domain.find('.');
    return !HasSpace(s) && dot != std::string_view::npos && dot != 0 && domain.back() != '.';
}

bool IsUrl(std::string_view s) {
    for (std::string_view scheme : {"https://", "http://"}) {
        if (s.starts_with(scheme) && s.size() > scheme.size() && !HasSpace(s)) return true;
    }
    return false;
}

// Reads one text field into `out` under its documented limit.
Result<void> ReadText(const Fields& f, std::string_view name, bool required, std::string& out) {
    if (required) {
        auto v = f.String(name, LimitOf(name));
        if (!v) return tl::unexpected(v.error());
        out = std::move(*v);
        return {};
    }
    auto v = f.OptionalString(name, LimitOf(name));
    if (!v) return tl::unexpected(v.error());
    out = v->value_or(std::string());
    return {};
}

Result<void> ReadList(const Fields& f,
                      std::string_view name,
                      const std::vector<std::string>& allowed,
                      std::vector<std::string>& out) {
    auto v = f.StringList(name, LimitOf(name), 64, allowed);
    if (!v) return tl::unexpected(v.error());
    out = std::move(*v);
    return {};
}

Result<void> ReadTexts(const Fields& f, Service& s) {
    struct TextField {
        std::string_view name;
        bool required;
        std::string* out;
    };
    const std::array<TextField, 10> fields = {{
        {"id", false, &s.id},
        {"organisation", true, &s.organisation},
        {"name", true, &s.name},
        {"description", false, &s.description},
        {"eligibility", false, &s.eligibility},
        {"phone", false, &s.phone},
        {"email", false, &s.email},
        {"url", false, &s.url},
        {"opening_times", false, &s.opening_times},
        {"assured_date", true, &s.assured_date},
    }};
    for (const auto& field : fields) {
        if (auto r = ReadText(f, field.name, field.required, *field.out); !r) return r;
    }
    return {};
}

Result<void> ReadLists(const Fields& f, Service& s) {
    if (auto r = ReadList(f, "service_areas", detail::ServiceAreaChoices(), s.service_areas); !r) return r;
    if (s.service_areas.empty()) {
        return Invalid(f, "service_areas", "is required: name at least one region, or \"national\"");
    }
    if (auto r = ReadList(f, "categories", reference::SignpostingCategoryCodes(), s.categories); !r) return r;
    if (s.categories.empty()) return Invalid(f, "categories", "is required: name at least one signposting category");
    return ReadList(f, "languages", reference::LanguageCodes(), s.languages);
}

Result<void> CheckFormats(const Fields& f, const Service& s) {
    if (!IsId(s.id)) return Invalid(f, "id", "may hold only letters, digits, '-' and '_'");
    if (!s.phone.empty() && !IsPhone(s.phone)) {
        return Invalid(f, "phone", "must be a phone number: digits, spaces, '+', '(', ')' and '-'");
    }
    if (!s.email.empty() && !IsEmail(s.email))
        return Invalid(f, "email", "must be an email address such as info@example.org");
    if (!s.url.empty() && !IsUrl(s.url)) return Invalid(f, "url", "must be a web address starting https:// or http://");
    if (s.phone.empty() && s.email.empty() && s.url.empty()) {
        return Invalid(f, "phone", "give at least one way to reach the service: phone, email or url");
    }
    if (!detail::DayNumber(s.assured_date)) {
        return Invalid(f, "assured_date", "must be the date the entry was last checked, as YYYY-MM-DD");
    }
    return {};
}

nlohmann::json Body(const Service& s) {
    return {
        {"id", s.id},
        {"organisation", s.organisation},
        {"name", s.name},
        {"description", s.description},
        {"eligibility", s.eligibility},
        {"service_areas", s.service_areas},
        {"phone", s.phone},
        {"email", s.email},
        {"url", s.url},
        {"opening_times", s.opening_times},
        {"categories", s.categories},
        {"languages", s.languages},
        {"assured_date", s.assured_date},
        {"demo", s.demo},
    };
}

}  // namespace

Result<Service> ServiceFromFields(const Fields& f) {
    if (auto k = f.OnlyKnown({"id", "organisation", "name", "description", "eligibility", "service_areas", "phone",
                              "email", "url", "opening_times", "categories", "languages", "assured_date", "demo"});
        !k) {
        return tl::unexpected(k.error());
    }
    Service s;
    if (auto r = ReadTexts(f, s); !r) return tl::unexpected(r.error());
    if (auto r = ReadLists(f, s); !r) return tl::unexpected(r.error());
    auto demo = f.OptionalBool("demo");
    if (!demo) return tl::unexpected(demo.error());
    s.demo = demo->value_or(false);
    if (auto r = CheckFormats(f, s); !r) return tl::unexpected(r.error());
    return s;
}

nlohmann::json ToJson(const Service& s, TimeMs now) {
    nlohmann::json out = Body(s);
    const auto assured = detail::DayNumber(s.assured_date);
    // An unreadable date cannot vouch for the entry, so it counts as stale.
    out["stale"] = !assured || now / kDayMs - *assured > kStaleAfterDays;
    if (s.demo) out["notice"] = kDemoNotice;
    return out;
}

std::string ToStoredJson(const Service& s) { return Body(s).dump(); }

Result<Service> FromStoredJson(std::string_view json) {
    auto fields = Fields::Parse(json);
    Result<Service> s = fields ? ServiceFromFields(*fields) : Result<Service>(tl::unexpected(fields.error()));
    if (!s) {
        const Error& e = s.error();
        return Fail(ErrorCode::kInternal, "stored directory service is malformed: " + e.field + " " + e.message);
    }
    return s;
}

}  // namespace crisisline::directory
