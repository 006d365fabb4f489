#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <vector>

#include "core/clock.hpp"
#include "core/error.hpp"
#include "core/fields.hpp"

namespace crisisline::directory {

// The signposting directory of one line: services a counsellor can point a caller
// to, shaped after Open Referral UK / HSDS. Service contacts are public contacts
// of organisations, not personal data.

// One signposting service.
struct Service {
    std::string id;            // empty for a service not yet stored
    std::string organisation;  // the organisation that runs it
    std::string name;
    std::string description;
    std::string eligibility;                 // who it is for
    std::vector<std::string> service_areas;  // reference::RegionNames() (not "National"), or "national"
    std::string phone;
    std::string email;
    std::string url;
    std::string opening_times;            // human text, e.g. "Mon–Fri 09:00–17:00"
    std::vector<std::string> categories;  // reference::SignpostingCategoryCodes()
    std::vector<std::string> languages;   // reference::LanguageCodes()
    std::string assured_date;             // YYYY-MM-DD, when the entry was last checked
    bool demo = false;                    // fictional demonstration data

    bool operator==(const Service&) const = default;
};

// The service area meaning "anywhere in England and Wales"; such a service matches every region.
inline constexpr std::string_view kNational = "national";
// Shown with every demo service.
inline constexpr std::string_view kDemoNotice = "demo data — verify before use";
// A service whose assured_date is more than this many days before now is flagged stale.
inline constexpr std::int64_t kStaleAfterDays = 365;

// The documented input limits: text in bytes of UTF-8, lists in items.
struct FieldLimit {
    std::string_view field;
    std::size_t max;
    std::string_view unit;  // "bytes" or "items"
};
inline constexpr std::array<FieldLimit, 14> kFieldLimits = {{
    {"id", 64, "bytes"},
    {"organisation", 200, "bytes"},
    {"name", 200, "bytes"},
    {"description", 4000, "bytes"},
    {"eligibility", 1000, "bytes"},
    {"service_areas", 16, "items"},
    {"phone", 40, "bytes"},
    {"email", 254, "bytes"},
    {"url", 500, "bytes"},
    {"opening_times", 500, "bytes"},
    {"categories", 13, "items"},
    {"languages", 2, "items"},
    {"assured_date", 10, "bytes"},
    {"services", 5000, "items"},  // services in one HSDS import
}};
// The limit of `field` in kFieldLimits. REQUIRES: the field is listed.
constexpr std::size_t LimitOf(std::string_view field) {
    for (const auto& limit : kFieldLimits) {
        if (limit.field == field) return limit.max;
    }
    return 0;
}
// The largest HSDS document ImportHsds reads.
inline constexpr std::size_t kMaxImportBytes = 16 * 1024 * 1024;

// Reads a service from an API request body (the fields of Service, by the same
// names; "id" and "demo" optional).
// On success: the service, text as given. organisation, name, at least one
// service area and category, at least one of phone/email/url, and a real
// calendar date in assured_date are required.
// On failure: kInvalid (or kTooLarge over a kFieldLimits limit) naming the field
// ("categories[1]"); a field that is not one of Service's is refused.
Result<Service> ServiceFromFields(const Fields& f);

// The API form of a service: every field of Service, plus "stale" (true when
// assured_date is more than kStaleAfterDays days before `now`) and, for demo
// services, "notice": kDemoNotice.
nlohmann::json ToJson(const Service& s, TimeMs now);

// The form kept in store::DirectoryServiceRow::service_json, and back.
// FromStoredJson(ToStoredJson(s)) == s. On a malformed document: kInternal.
std::string ToStoredJson(const Service& s);
Result<Service> FromStoredJson(std::string_view json);

// Reads an HSDS / Open Referral UK document: an array of service objects, or
// {"services": [...]}. Each service is read from: id, name, description,
// eligibility_description, url, email, organization.name, service_areas[].service_area,
// phones[0].number, regular_schedules[] or schedules[] (description, or
// byday/weekday + opens_at/closes_at, as opening_times text), attributes[].taxonomy_term
// (code, else term matched to a category label; terms whose "vocabulary" is set
// and is not "crisisline" are skipped) or categories[] (codes), languages[]
// (.language or .code: a code or an English/Welsh name), assured_date, demo.
// Other HSDS fields are ignored.
// On success: every service, validated as ServiceFromFields does.
// On failure: nothing is imported; the error names the first invalid service
// and its HSDS field, e.g. kInvalid "services[3].name" or
// "services[0].organization.name"; kTooLarge over a limit.
Result<std::vector<Service>> ImportHsds(std::string_view json);

// Writes {"services": [...]} in the shape ImportHsds reads; ImportHsds(ExportHsds(x)) == x
// for valid services.
std::string ExportHsds(const std::vector<Service>& services);

// A directory search.
struct Query {
    std::string need{};    // a signposting category code; "" for any
    std::string region{};  // a region name; "" for any. kNational services match every region
    std::string text{};    // words, all of which must appear (case-insensitive) in
                           // organisation, name, description or eligibility
    std::size_t limit = 20;
};

// An immutable in-memory index over one line's services; build a new one when the
// directory changes. Thread-safe: Search may run concurrently from any thread.
class Index {
public:
    explicit Index(std::vector<Service> services);

    // The matching services, at most q.limit: those serving q.region by name
    // first, then national ones; within each, by organisation then name.
    // The pointers stay valid for the life of the Index. Does not allocate
    // beyond the result and the lower-cased query words.
    std::vector<const Service*> Search(const Query& q) const;

    std::size_t size() const { return services_.size(); }

private:
    struct Entry {
        std::string haystack;          // organisation, name, description, eligibility, lower-cased
        std::uint32_t categories = 0;  // bit i: SignpostingCategoryCodes()[i]
        std::uint32_t regions = 0;     // bit i: RegionNames()[i]
        bool national = false;
    };

    bool Matches(const Entry& e, std::uint32_t need, const std::vector<std::string>& words) const;

    std::vector<Service> services_;  // sorted; never changed after construction
    std::vector<Entry> entries_;     // parallel to services_
};

// Fictional services for demonstration and training, all demo = true, with
// Ofcom drama-range phone numbers and example.org addresses.
std::vector<Service> DemoServices();

}  // namespace crisisline::directory
