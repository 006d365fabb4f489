#include <algorithm>
#include <array>
#include <map>

#include "directory/detail/text.hpp"
#include "directory/directory.hpp"
#include "reference/reference.hpp"

namespace crisisline::directory {

namespace {

using nlohmann::json;

constexpr std::string_view kVocabulary = "crisisline";

// Where each field of the API form came from in one HSDS service, so that an
// error found by ServiceFromFields can name the field the importer must fix.
struct Origins {
    std::map<std::string, std::string, std::less<>> fields;              // "organisation" -> "organization.name"
    std::map<std::string, std::vector<std::string>, std::less<>> items;  // "categories" -> one path per item

    [[nodiscard]] std::string Rename(const std::string& field) const {
        const auto head_end = field.find_first_of(".[");
        const std::string head = field.substr(0, head_end);
        if (head_end != std::string::npos && field[head_end] == '[') {
            const auto close = field.find(']', head_end);
            auto list = items.find(head);
            if (close != std::string::npos && list != items.end()) {
                size_t index = 0;
                for (size_t i = head_end + 1; i < close; ++i) index = index * 10 + static_cast<size_t>(field[i] - '0');
                if (index < list->second.size()) return list->second[index] + field.substr(close + 1);
            }
        }
        auto it = fields.find(head);
        return it == fields.end() ? field : it->second;
    }
};

tl::unexpected<Error> Invalid(const std::string& path, std::string message) {
    return Fail(ErrorCode::kInvalid, path, std::move(message));
}

// An optional member that must be an array when present; null when absent.
Result<const json*> ArrayAt(const json& service, const char* key, const std::string& path) {
    auto it = service.find(key);
    if (it == service.end() || it->is_null()) return nullptr;
    if (!it->is_array()) return Invalid(path + "." + key, "must be an array");
    return &*it;
}

// "09:00:00" reads as "09:00".
std::string ShortTime(const std::string& t) {
    return t.size() == 8 && t[2] == ':' && t.ends_with(":00") ? t.substr(0, 5) : t;
}

struct Day {
    std::string_view code;  // RFC 5545 BYDAY, lower-cased
    std::string_view name;  // lower-cased
    std::string_view shown;
};
constexpr std::array<Day, 7> kDays = {{{"mo", "monday", "Mon"},
                                       {"tu", "tuesday", "Tue"},
                                       {"we", "wednesday", "Wed"},
                                       {"th", "thursday", "Thu"},
                                       {"fr", "friday", "Fri"},
                                       {"sa", "saturday", "Sat"},
                                       {"su", "sunday", "Sun"}}};

// "MO,TU,WE,TH,FR" reads as "Mon–Fri"; "SA,SU" as "Sat, Sun"; "Monday" as "Mon".
// Anything that is not a list of days is kept as given.
std::string Days(const std::string& byday) {
    std::vector<size_t> days;
    size_t start = 0;
    while (start < byday.size()) {
        const size_t end = std::min(byday.find(',', start), byday.size());
        std::string word = detail::Lower(byday.substr(start, end - start));
        word.erase(0, word.find_first_not_of(' '));
        word.erase(word.find_last_not_of(' ') + 1);
        auto day = std::find_if(kDays.begin(), kDays.end(), [&](const Day& d) {
            return word == d.code || word == d.name || (word.size() == 3 && d.name.starts_with(word));
        });
        if (day == kDays.end()) return byday;
        days.push_back(static_cast<size_t>(day - kDays.begin()));
        start = end + 1;
    }
    if (days.empty()) return byday;
    const bool run = days.size() >= 3 && std::adjacent_find(days.begin(), days.end(), [](size_t a, size_t b) {
                                             return b != a + 1;
                                         }) == days.end();
    if (run) return std::string(kDays[days.front()].shown) + "–" + std::string(kDays[days.back()].shown);
    std::string out;
    for (size_t d : days) out += (out.empty() ? "" : ", ") + std::string(kDays[d].shown);
    return out;
}

Result<std::string> ScheduleText(const json& schedule, const std::string& path) {
    if (!schedule.is_object()) return Invalid(path, "must be an object");
    std::map<std::string, std::string> text;
    for (const char* key : {"description", "byday", "weekday", "opens_at", "closes_at"}) {
        auto it = schedule.find(key);
        if (it == schedule.end() || it->is_null()) continue;
        if (!it->is_string()) return Invalid(path + "." + key, "must be a string");
        text[key] = it->get<std::string>();
    }
    if (!text["description"].empty()) return text["description"];
    std::string days = Days(!text["byday"].empty() ? text["byday"] : text["weekday"]);
    std::string hours;
    if (!text["opens_at"].empty() || !text["closes_at"].empty()) {
        hours = ShortTime(text["opens_at"]) + "–" + ShortTime(text["closes_at"]);
    }
    return days + (days.empty() || hours.empty() ? "" : " ") + hours;
}

Result<void> ReadSchedules(const json& service, const std::string& path, json& input, Origins& origins) {
    const char* key = service.contains("regular_schedules") ? "regular_schedules" : "schedules";
    auto list = ArrayAt(service, key, path);
    if (!list) return tl::unexpected(list.error());
    if (*list == nullptr) return {};
    std::string text;
    for (size_t i = 0; i < (*list)->size(); ++i) {
        auto part = ScheduleText((**list)[i], path + "." + key + "[" + std::to_string(i) + "]");
        if (!part) return tl::unexpected(part.error());
        if (!part->empty()) text += (text.empty() ? "" : "; ") + *part;
    }
    input["opening_times"] = text;
    origins.fields["opening_times"] = key;
    return {};
}

// The category code an HSDS taxonomy term stands for: its code, else the
// category whose label is its term. Unknown terms pass through to be refused.
json CategoryOf(const json& term) {
    if (term.contains("code") && !term["code"].is_null()) return term["code"];
    if (!term.contains("term") || !term["term"].is_string()) return term.value("term", json());
    const std::string wanted = detail::Lower(term["term"].get<std::string>());
    for (const auto& c : reference::SignpostingCategories()) {
        if (detail::Lower(c.label) == wanted || c.code == wanted) return c.code;
    }
    return term["term"];
}

// A language named by code or by English or Welsh name.
json LanguageOf(const json& value) {
    if (!value.is_string()) return value;
    const std::string wanted = detail::Lower(value.get<std::string>());
    if (wanted == "english") return "en";
    if (wanted == "welsh" || wanted == "cymraeg") return "cy";
    return value;
}

// Appends `value` to input[name] unless already there (an HSDS document may tag
// a service twice), remembering where in the service it came from.
void AddItem(json& input, Origins& origins, const std::string& name, json value, std::string origin) {
    json& list = input[name];
    if (!list.is_array()) list = json::array();
    if (value.is_string() && std::find(list.begin(), list.end(), value) != list.end()) return;
    list.push_back(std::move(value));
    origins.items[name].push_back(std::move(origin));
}

Result<void> ReadCategories(const json& service, const std::string& path, json& input, Origins& origins) {
    const bool attributes = service.contains("attributes");
    const char* key = attributes ? "attributes" : "categories";
    auto list = ArrayAt(service, key, path);
    if (!list) return tl::unexpected(list.error());
    origins.fields["categories"] = key;
    if (*list == nullptr) return {};
    input["categories"] = json::array();
    for (size_t i = 0; i < (*list)->size(); ++i) {
        const json& item = (**list)[i];
        std::string item_path = path + "." + key + "[" + std::to_string(i) + "]";
        if (item.is_string()) {
            AddItem(input, origins, "categories", item, item_path.substr(path.size() + 1));
            continue;
        }
        if (!item.is_object()) return Invalid(item_path, "must be an object or a category code");
        const json* term = &item;
        if (attributes) {
            auto it = item.find("taxonomy_term");
            if (it == item.end() || !it->is_object()) return Invalid(item_path + ".taxonomy_term", "must be an object");
            term = &*it;
            item_path += ".taxonomy_term";
        }
        auto vocabulary = term->find("vocabulary");
        if (vocabulary != term->end() && vocabulary->is_string() && *vocabulary != kVocabulary) continue;
        AddItem(input, origins, "categories", CategoryOf(*term), item_path.substr(path.size() + 1));
    }
    return {};
}

Result<void> ReadAreasAndLanguages(const json& service, const std::string& path, json& input, Origins& origins) {
    struct ListSpec {
        const char* key;
        std::vector<const char*> members;  // where an object item keeps its value, first found wins
    };
    for (const ListSpec& spec :
         {ListSpec{"service_areas", {"service_area"}}, ListSpec{"languages", {"language", "code"}}}) {
        auto list = ArrayAt(service, spec.key, path);
        if (!list) return tl::unexpected(list.error());
        if (*list == nullptr) continue;
        input[spec.key] = json::array();
        for (size_t i = 0; i < (*list)->size(); ++i) {
            const json& item = (**list)[i];
            std::string item_path = path + "." + spec.key + "[" + std::to_string(i) + "]";
            json value = item;
            if (item.is_object()) {
                const char* member = spec.members.front();
                for (const char* m : spec.members) {
                    if (item.contains(m)) {
                        member = m;
                        break;
                    }
                }
                value = item.value(member, json());
                item_path += std::string(".") + member;
            }
            if (std::string_view(spec.key) == "languages") value = LanguageOf(value);
            AddItem(input, origins, spec.key, std::move(value), item_path.substr(path.size() + 1));
        }
    }
    return {};
}

Result<void> ReadContacts(const json& service, const std::string& path, json& input, Origins& origins) {
    auto org = service.find("organization");
    origins.fields["organisation"] = "organization.name";
    if (org != service.end() && !org->is_null()) {
        if (!org->is_object()) return Invalid(path + ".organization", "must be an object with a name");
        if (org->contains("name")) input["organisation"] = (*org)["name"];
    }
    auto phones = ArrayAt(service, "phones", path);
    if (!phones) return tl::unexpected(phones.error());
    origins.fields["phone"] = "phones[0].number";
    if (*phones != nullptr && !(*phones)->empty()) {
        const json& first = (**phones)[0];
        if (!first.is_object()) return Invalid(path + ".phones[0]", "must be an object with a number");
        if (first.contains("number")) input["phone"] = first["number"];
    }
    return {};
}

// The API form of one HSDS service, for ServiceFromFields to validate.
Result<json> ToInput(const json& service, const std::string& path, Origins& origins) {
    if (!service.is_object()) return Invalid(path, "must be an object");
    json input = json::object();
    for (const char* key : {"id", "name", "description", "url", "email", "assured_date", "demo"}) {
        if (service.contains(key)) input[key] = service[key];
    }
    if (service.contains("eligibility_description")) input["eligibility"] = service["eligibility_description"];
    origins.fields["eligibility"] = "eligibility_description";
    for (auto read : {ReadContacts, ReadSchedules, ReadCategories, ReadAreasAndLanguages}) {
        if (auto r = read(service, path, input, origins); !r) return tl::unexpected(r.error());
    }
    return input;
}

json ToHsds(const Service& s) {
    json out = json::object();
    if (!s.id.empty()) out["id"] = s.id;
    out["name"] = s.name;
    out["organization"] = {{"name", s.organisation}};
    if (!s.description.empty()) out["description"] = s.description;
    if (!s.eligibility.empty()) out["eligibility_description"] = s.eligibility;
    if (!s.url.empty()) out["url"] = s.url;
    if (!s.email.empty()) out["email"] = s.email;
    if (!s.phone.empty()) out["phones"] = json::array({{{"number", s.phone}}});
    if (!s.opening_times.empty()) out["regular_schedules"] = json::array({{{"description", s.opening_times}}});
    out["service_areas"] = json::array();
    for (const auto& area : s.service_areas) out["service_areas"].push_back({{"service_area", area}});
    out["attributes"] = json::array();
    for (const auto& code : s.categories) {
        const auto& all = reference::SignpostingCategories();
        auto c = std::find_if(all.begin(), all.end(), [&](const reference::Item& i) { return i.code == code; });
        json term = {{"code", code}, {"vocabulary", kVocabulary}};
        if (c != all.end()) term["term"] = c->label;
        out["attributes"].push_back({{"taxonomy_term", term}});
    }
    if (!s.languages.empty()) {
        out["languages"] = json::array();
        for (const auto& code : s.languages) out["languages"].push_back({{"language", code}});
    }
    out["assured_date"] = s.assured_date;
    if (s.demo) out["demo"] = true;
    return out;
}

}  // namespace

Result<std::vector<Service>> ImportHsds(std::string_view text) {
    if (text.size() > kMaxImportBytes) {
        return Fail(ErrorCode::kTooLarge, "",
                    "the document is larger than " + std::to_string(kMaxImportBytes) + " bytes");
    }
    const json doc = json::parse(text, nullptr, /*allow_exceptions=*/false);
    if (doc.is_discarded()) return Invalid("", "the document is not valid JSON");
    const json* list = &doc;
    if (doc.is_object()) {
        auto it = doc.find("services");
        if (it == doc.end() || !it->is_array()) return Invalid("services", "must be an array of HSDS service objects");
        list = &*it;
    } else if (!doc.is_array()) {
        return Invalid("", "must be an array of HSDS services, or an object with \"services\"");
    }
    if (list->size() > LimitOf("services")) {
        return Fail(ErrorCode::kTooLarge, "services",
                    "has more than " + std::to_string(LimitOf("services")) + " items");
    }
    std::vector<Service> out;
    out.reserve(list->size());
    for (size_t i = 0; i < list->size(); ++i) {
        const std::string path = "services[" + std::to_string(i) + "]";
        Origins origins;
        auto input = ToInput((*list)[i], path, origins);
        if (!input) return tl::unexpected(input.error());
        auto service = ServiceFromFields(Fields(std::move(*input), ""));
        if (!service) {
            Error e = service.error();
            e.field = e.field.empty() ? path : path + "." + origins.Rename(e.field);
            return tl::unexpected(std::move(e));
        }
        out.push_back(std::move(*service));
    }
    return out;
}

std::string ExportHsds(const std::vector<Service>& services) {
    json list = json::array();
    for (const auto& s : services) list.push_back(ToHsds(s));
    return json{{"services", std::move(list)}}.dump(2);
}

}  // namespace crisisline::directory
