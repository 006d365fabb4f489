#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <vector>

namespace crisisline::reference {

// The coded lists a contact record, a follow-up and the signposting directory are
// recorded against. They are compiled in: the running service never reads the
// source documents. Codes are stable lower_snake identifiers that are stored and
// counted; labels are English text for the console and may be reworded freely.
//
// There is deliberately no risk score and no low/medium/high band anywhere in
// these lists (NICE NG225): the assessment observations inform the counsellor's
// judgement and are never added up.
//
// Every function returns a reference to a table built once on first use; all are
// thread-safe and the references stay valid for the life of the process.

// One entry of a coded list.
struct Item {
    std::string code;
    std::string label;
};

// A territorial or national police force of England and Wales
// (source: police-forces-england-wales.csv, one entry per row, in its order).
struct Force {
    std::string code;     // e.g. "cleveland_police"
    std::string name;     // e.g. "Cleveland Police"
    std::string region;   // a Region::name, e.g. "North East"; "National" for the non-territorial forces
    std::string country;  // "England", "Wales", or "England and Wales"
};

// A region the forces are grouped by, in the order it first appears in the source.
struct Region {
    std::string code;     // e.g. "north_east"
    std::string name;     // e.g. "North East" (the name is what lines and the directory store)
    std::string country;  // "England", "Wales", or "England and Wales" for "National"
};

// One of the four core principles of the 988 Lifeline Suicide Risk Assessment
// Standards, with its sub-components in the order of the source table. Each
// sub-component is recorded as one of ObservationCodes().
struct Principle {
    std::string code;                 // desire | capability | intent | buffers
    std::string label;                // e.g. "Suicidal desire"
    std::vector<Item> subcomponents;  // codes unique within the principle, e.g. "hopelessness"
};

const std::vector<Force>& Forces();
const std::vector<Region>& Regions();
// The force with this code, or nullptr when there is none.
const Force* FindForce(std::string_view code);

const std::vector<Item>& CallerRoles();
const std::vector<Item>& Themes();  // presenting themes heard on a policing line
const std::vector<Principle>& Principles();
const std::vector<Item>& Observations();        // present | absent | not_asked
const std::vector<Item>& SafetyPlanSections();  // Stanley–Brown's six, then reasons_for_living
const std::vector<Item>& Actions();
const std::vector<Item>& Outcomes();
const std::vector<Item>& EmergencyServices();
const std::vector<Item>& ContactMethods();   // how a follow-up reaches the caller
const std::vector<Item>& AttemptOutcomes();  // what happened on one follow-up attempt
const std::vector<Item>& SignpostingCategories();
const std::vector<Item>& Languages();  // en, cy

// The codes of each list, in list order, for Fields::Enum and Fields::StringList.
const std::vector<std::string>& ForceCodes();
const std::vector<std::string>& RegionNames();  // Region::name, not Region::code
const std::vector<std::string>& CallerRoleCodes();
const std::vector<std::string>& ThemeCodes();
const std::vector<std::string>& PrincipleCodes();
const std::vector<std::string>& ObservationCodes();
const std::vector<std::string>& SafetyPlanCodes();
const std::vector<std::string>& ActionCodes();
const std::vector<std::string>& OutcomeCodes();
const std::vector<std::string>& EmergencyServiceCodes();
const std::vector<std::string>& ContactMethodCodes();
const std::vector<std::string>& AttemptOutcomeCodes();
const std::vector<std::string>& SignpostingCategoryCodes();
const std::vector<std::string>& LanguageCodes();

// Every list above as one document, the body of GET /api/v1/reference:
// {"forces": [{code, name, region, country}], "regions": [{code, name, country}],
//  "principles": [{code, label, subcomponents: [{code, label}]}],
//  "caller_roles" | "themes" | "observations" | "safety_plan_sections" | "actions" | "outcomes" |
//  "emergency_services" | "contact_methods" | "attempt_outcomes" | "signposting_categories" |
//  "languages": [{code, label}]}
nlohmann::json AsJson();

}  // namespace crisisline::reference
