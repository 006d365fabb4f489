#include "reference/reference.hpp"

#include <algorithm>

namespace crisisline::reference {

namespace {

std::string SnakeCase(std::string_view text) {
    std::string out;
    bool gap = false;
    for (char c : text) {
        const bool lower = c >= 'a' && c <= 'z';
        const bool upper = c >= 'A' && c <= 'Z';
        const bool digit = c >= '0' && c <= '9';
        if (!lower && !upper && !digit) {
            gap = !out.empty();
            continue;
        }
        if (gap) out += '_';
        gap = false;
        out += upper ? static_cast<char>(c - 'A' + 'a') : c;
    }
    return out;
}

template <class T>
std::vector<std::string> CodesOf(const std::vector<T>& items) {
    std::vector<std::string> out;
    out.reserve(items.size());
    for (const auto& item : items) out.push_back(item.code);
    return out;
}

// One vector of codes per list, built on first use; `List` is one of the list functions above.
template <auto List>
const std::vector<std::string>& CachedCodes() {
    static const std::vector<std::string> kCodes = CodesOf(List());
    return kCodes;
}

nlohmann::json ItemsJson(const std::vector<Item>& items) {
    nlohmann::json out = nlohmann::json::array();
    for (const auto& item : items) out.push_back({{"code", item.code}, {"label", item.label}});
    return out;
}

nlohmann::json BuildJson() {
    nlohmann::json out = nlohmann::json::object();
    nlohmann::json forces = nlohmann::json::array();
    for (const auto& f : Forces()) {
        forces.push_back({{"code", f.code}, {"name", f.name}, {"region", f.region}, {"country", f.country}});
    }
    out["forces"] = std::move(forces);
    nlohmann::json regions = nlohmann::json::array();
    for (const auto& r : Regions()) regions.push_back({{"code", r.code}, {"name", r.name}, {"country", r.country}});
    out["regions"] = std::move(regions);
    nlohmann::json principles = nlohmann::json::array();
    for (const auto& p : Principles()) {
        principles.push_back({{"code", p.code}, {"label", p.label}, {"subcomponents", ItemsJson(p.subcomponents)}});
    }
    out["principles"] = std::move(principles);
    out["caller_roles"] = ItemsJson(CallerRoles());
    out["themes"] = ItemsJson(Themes());
    out["observations"] = ItemsJson(Observations());
    out["safety_plan_sections"] = ItemsJson(SafetyPlanSections());
    out["actions"] = ItemsJson(Actions());
    out["outcomes"] = ItemsJson(Outcomes());
    out["emergency_services"] = ItemsJson(EmergencyServices());
    out["contact_methods"] = ItemsJson(ContactMethods());
    out["attempt_outcomes"] = ItemsJson(AttemptOutcomes());
    out["signposting_categories"] = ItemsJson(SignpostingCategories());
    out["languages"] = ItemsJson(Languages());
    return out;
}

}  // namespace

const std::vector<Region>& Regions() {
    static const std::vector<Region> kRegions = [] {
        std::vector<Region> out;
        for (const auto& f : Forces()) {
            auto seen = std::find_if(out.begin(), out.end(), [&](const Region& r) { return r.name == f.region; });
            if (seen == out.end()) out.push_back({SnakeCase(f.region), f.region, f.country});
        }
        return out;
    }();
    return kRegions;
}

const Force* FindForce(std::string_view code) {
    const auto& forces = Forces();
    auto it = std::find_if(forces.begin(), forces.end(), [&](const Force& f) { return f.code == code; });
    return it == forces.end() ? nullptr : &*it;
}

const std::vector<Item>& CallerRoles() {
    static const std::vector<Item> kItems = {
        {"police_officer", "Police officer"},
        {"police_staff", "Police staff"},
        {"special_constable_volunteer", "Special constable or police volunteer"},
        {"family_member", "Family member of someone in policing"},
        {"member_of_public", "Member of the public"},
        {"not_said", "Not said"},
    };
    return kItems;
}

const std::vector<Item>& Themes() {
    static const std::vector<Item> kItems = {
        {"work_trauma", "Work trauma or critical-incident exposure"},
        {"post_traumatic_stress", "Post-traumatic stress"},
        {"misconduct_investigation", "Misconduct investigation or professional standards process"},
        {"workplace_bullying_or_conflict", "Workplace bullying or conflict"},
        {"workload_and_fatigue", "Workload and fatigue"},
        {"sleep_problems", "Sleep problems"},
        {"relationship_breakdown", "Relationship breakdown"},
        {"family_difficulties", "Family difficulties"},
        {"domestic_abuse", "Domestic abuse"},
        {"bereavement", "Bereavement (including the suicide of a colleague)"},
        {"financial_difficulty", "Financial difficulty or debt"},
        {"alcohol_or_drug_use", "Alcohol or drug use"},
        {"physical_health_or_injury", "Physical health or injury"},
        {"isolation_or_loneliness", "Isolation or loneliness"},
        {"moral_injury", "Moral injury"},
        {"retirement_or_leaving", "Retirement or leaving the service"},
        {"other", "Other"},
    };
    return kItems;
}

const std::vector<Principle>& Principles() {
    static const std::vector<Principle> kPrinciples = {
        {"desire",
         "Suicidal desire",
         {
             {"suicidal_ideation", "Suicidal ideation"},
             {"psychological_pain", "Psychological pain"},
             {"hopelessness", "Hopelessness"},
             {"helplessness", "Helplessness"},
             {"perceived_burden", "Perceives self as a burden on others"},
             {"feeling_trapped", "Feeling trapped"},
             {"feeling_intolerably_alone", "Feeling intolerably alone"},
         }},
        {"capability",
         "Suicidal capability",
         {
             {"history_of_attempts", "History of suicide attempts"},
             {"exposure_to_suicide", "Exposure to someone else's death by suicide"},
             {"violence_to_others", "History of / current violence to others"},
             {"available_means", "Available means of hurting self or others"},
             {"currently_intoxicated", "Currently intoxicated"},
             {"substance_misuse", "Substance misuse"},
             {"acute_mental_illness_symptoms",
              "Acute symptoms of mental illness (recent dramatic mood change; out of touch with reality)"},
             {"extreme_agitation_or_rage", "Extreme agitation or rage (increased anxiety; decreased sleep)"},
             {"recent_aggression", "Recent acts and/or threats of aggression"},
         }},
        {"intent",
         "Suicidal intent",
         {
             {"attempt_in_progress", "Attempt in progress"},
             {"plan_to_hurt_self_or_others", "Plan to hurt self or others"},
             {"method_known", "Method known"},
             {"preparatory_behaviours", "Preparatory behaviours"},
             {"expressed_intent_to_die", "Expressed intent to die"},
         }},
        {"buffers",
         "Buffers / connectedness",
         {
             {"immediate_supports", "Immediate supports"},
             {"social_supports", "Social supports"},
             {"planning_for_future", "Planning for the future"},
             {"engagement_with_helper", "Engagement with helper"},
             {"ambivalence_for_living_dying", "Ambivalence for living / dying"},
             {"core_values_beliefs", "Core values / beliefs"},
             {"sense_of_purpose", "Sense of purpose"},
         }},
    };
    return kPrinciples;
}

const std::vector<Item>& Observations() {
    static const std::vector<Item> kItems = {
        {"present", "Present"},
        {"absent", "Absent"},
        {"not_asked", "Not asked"},
    };
    return kItems;
}

const std::vector<Item>& SafetyPlanSections() {
    static const std::vector<Item> kItems = {
        {"warning_signs",
         "Warning signs (thoughts, images, moods, situations, behaviours) that a crisis may be developing"},
        {"internal_coping_strategies",
         "Internal coping strategies: things I can do on my own to take my mind off my problems"},
        {"social_distractions", "People and social settings that provide distraction"},
        {"people_to_ask_for_help", "People whom I can ask for help"},
        {"professionals_and_services", "Professionals or services I can contact during a crisis"},
        {"making_environment_safe", "Making the environment safer (reducing access to means)"},
        {"reasons_for_living", "The one thing that is most important to me and worth living for"},
    };
    return kItems;
}

const std::vector<Item>& Actions() {
    static const std::vector<Item> kItems = {
        {"listened_and_supported", "Listened and supported"},
        {"safety_plan_made", "Safety plan made or reviewed with the caller"},
        {"signposted", "Signposted to further support"},
        {"follow_up_arranged", "Follow-up call arranged"},
        {"emergency_services_contacted", "Emergency services contacted"},
        {"referred_to_gp", "Encouraged to contact their GP"},
        {"other", "Other"},
    };
    return kItems;
}

const std::vector<Item>& Outcomes() {
    static const std::vector<Item> kItems = {
        {"support_given", "Support given"},
        {"signposted", "Signposted"},
        {"follow_up_arranged", "Follow-up arranged"},
        {"escalated_emergency", "Escalated to emergency services"},
        {"caller_ended_call", "Caller ended the call"},
        {"call_dropped", "Call dropped"},
        {"member_of_public_signposted", "Member of the public signposted elsewhere"},
    };
    return kItems;
}

const std::vector<Item>& EmergencyServices() {
    static const std::vector<Item> kItems = {
        {"police", "Police"},
        {"ambulance", "Ambulance"},
        {"fire", "Fire and rescue"},
        {"coastguard", "Coastguard"},
        {"mental_health_crisis_team", "Mental health crisis team"},
    };
    return kItems;
}

const std::vector<Item>& ContactMethods() {
    static const std::vector<Item> kItems = {
        {"phone", "Phone call"},
        {"sms", "Text message (SMS)"},
    };
    return kItems;
}

const std::vector<Item>& AttemptOutcomes() {
    static const std::vector<Item> kItems = {
        {"spoke_with_caller", "Spoke with the caller"},
        {"no_answer", "No answer"},
        {"voicemail_not_left", "Voicemail reached, no message left"},
        {"wrong_number", "Wrong number"},
        {"declined", "Caller declined the follow-up"},
    };
    return kItems;
}

const std::vector<Item>& SignpostingCategories() {
    static const std::vector<Item> kItems = {
        {"counselling", "Counselling"},
        {"therapy", "Therapy"},
        {"bereavement", "Bereavement"},
        {"bereavement_by_suicide", "Bereavement by suicide"},
        {"financial", "Financial"},
        {"addiction", "Addiction"},
        {"peer_support", "Peer support"},
        {"trauma", "Trauma"},
        {"occupational_health_independent", "Independent occupational health"},
        {"domestic_abuse", "Domestic abuse"},
        {"legal", "Legal"},
        {"physical_health", "Physical health"},
        {"other", "Other"},
    };
    return kItems;
}

const std::vector<Item>& Languages() {
    static const std::vector<Item> kItems = {
        {"en", "English"},
        {"cy", "Welsh (Cymraeg)"},
    };
    return kItems;
}

const std::vector<std::string>& ForceCodes() {
    static const std::vector<std::string> kCodes = CodesOf(Forces());
    return kCodes;
}

const std::vector<std::string>& RegionNames() {
    static const std::vector<std::string> kNames = [] {
        std::vector<std::string> out;
        for (const auto& r : Regions()) out.push_back(r.name);
        return out;
    }();
    return kNames;
}

const std::vector<std::string>& CallerRoleCodes() { return CachedCodes<&CallerRoles>(); }
const std::vector<std::string>& ThemeCodes() { return CachedCodes<&Themes>(); }
const std::vector<std::string>& PrincipleCodes() { return CachedCodes<&Principles>(); }
const std::vector<std::string>& ObservationCodes() { return CachedCodes<&Observations>(); }
const std::vector<std::string>& SafetyPlanCodes() { return CachedCodes<&SafetyPlanSections>(); }
const std::vector<std::string>& ActionCodes() { return CachedCodes<&Actions>(); }
const std::vector<std::string>& OutcomeCodes() { return CachedCodes<&Outcomes>(); }
const std::vector<std::string>& EmergencyServiceCodes() { return CachedCodes<&EmergencyServices>(); }
const std::vector<std::string>& ContactMethodCodes() { return CachedCodes<&ContactMethods>(); }
const std::vector<std::string>& AttemptOutcomeCodes() { return CachedCodes<&AttemptOutcomes>(); }
const std::vector<std::string>& SignpostingCategoryCodes() { return CachedCodes<&SignpostingCategories>(); }
const std::vector<std::string>& LanguageCodes() { return CachedCodes<&Languages>(); }

nlohmann::json AsJson() {
    static const nlohmann::json kJson = BuildJson();
    return kJson;
}

}  // namespace crisisline::reference
