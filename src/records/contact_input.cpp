#include "records/contact_input.hpp"

#include "reference/reference.hpp"

namespace crisisline::records {

namespace {

template <class T>
Result<void> Into(nlohmann::json& out, const char* key, Result<std::optional<T>> value) {
    if (!value) return tl::unexpected(value.error());
    if (value->has_value()) out[key] = **value;
    return {};
}

Result<void> ListInto(const Fields& f,
                      nlohmann::json& out,
                      const char* key,
                      size_t max_items,
                      const std::vector<std::string>& allowed) {
    if (!f.Has(key)) return {};
    auto list = f.StringList(key, max_items, 64, allowed);
    if (!list) return tl::unexpected(list.error());
    out[key] = *list;
    return {};
}

// One principle of the assessment: {sub_component: {observation, note}}.
Result<nlohmann::json> ReadPrinciple(const Fields& principle, const reference::Principle& ref) {
    std::vector<std::string> codes;
    for (const auto& sub : ref.subcomponents) codes.push_back(sub.code);
    nlohmann::json out = nlohmann::json::object();
    for (const auto& [key, value] : principle.Json().items()) {
        if (std::find(codes.begin(), codes.end(), key) == codes.end()) {
            return Fail(ErrorCode::kInvalid, principle.PathOf(key), "is not a sub-component of " + ref.code);
        }
        auto item = principle.Object(key);
        if (!item) return tl::unexpected(item.error());
        if (auto k = item->OnlyKnown({"observation", "note"}); !k) return tl::unexpected(k.error());
        auto observation = item->Enum("observation", reference::ObservationCodes());
        if (!observation) return tl::unexpected(observation.error());
        nlohmann::json entry = {{"observation", *observation}};
        if (auto r = Into(entry, "note", item->OptionalString("note", kMaxNote)); !r) return tl::unexpected(r.error());
        out[key] = entry;
    }
    return out;
}

Result<nlohmann::json> ReadAssessment(const Fields& a) {
    std::vector<std::string_view> known = {"formulation", "safety_plan", "cause_for_concern", "concern_reasons",
                                           "imminent_risk"};
    for (const auto& p : reference::Principles()) known.push_back(p.code);
    for (const auto& [key, value] : a.Json().items()) {
        if (std::find(known.begin(), known.end(), key) == known.end()) {
            return Fail(ErrorCode::kInvalid, a.PathOf(key), "is not part of the assessment (there is no risk score)");
        }
    }
    nlohmann::json out = nlohmann::json::object();
    for (const auto& p : reference::Principles()) {
        auto principle = a.OptionalObject(p.code);
        if (!principle) return tl::unexpected(principle.error());
        if (!principle->has_value()) continue;
        auto read = ReadPrinciple(**principle, p);
        if (!read) return tl::unexpected(read.error());
        out[p.code] = *read;
    }
    if (auto r = Into(out, "formulation", a.OptionalString("formulation", kMaxLongText)); !r) {
        return tl::unexpected(r.error());
    }
    if (auto plan = a.OptionalObject("safety_plan"); !plan) {
        return tl::unexpected(plan.error());
    } else if (plan->has_value()) {
        nlohmann::json sections = nlohmann::json::object();
        for (const auto& [key, value] : (*plan)->Json().items()) {
            const auto& codes = reference::SafetyPlanCodes();
            if (std::find(codes.begin(), codes.end(), key) == codes.end()) {
                return Fail(ErrorCode::kInvalid, (*plan)->PathOf(key), "is not a section of the safety plan");
            }
            if (auto r = Into(sections, key.c_str(), (*plan)->OptionalString(key, kMaxNote)); !r) {
                return tl::unexpected(r.error());
            }
        }
        out["safety_plan"] = sections;
    }
    if (auto r = Into(out, "concern_reasons", a.OptionalString("concern_reasons", kMaxNote)); !r) {
        return tl::unexpected(r.error());
    }
    return out;
}

Result<void> ReadSignposting(const Fields& f, nlohmann::json& content) {
    if (!f.Has("signposting")) return {};
    auto items = f.ObjectList("signposting", kMaxSignposts);
    if (!items) return tl::unexpected(items.error());
    nlohmann::json out = nlohmann::json::array();
    for (const auto& item : *items) {
        if (auto k = item.OnlyKnown({"service_id", "name", "note"}); !k) return tl::unexpected(k.error());
        nlohmann::json entry = nlohmann::json::object();
        if (auto r = Into(entry, "service_id", item.OptionalString("service_id", 64)); !r) return r;
        auto name = item.String("name", 200);
        if (!name) return tl::unexpected(name.error());
        entry["name"] = *name;
        if (auto r = Into(entry, "note", item.OptionalString("note", kMaxNote)); !r) return r;
        out.push_back(entry);
    }
    content["signposting"] = out;
    return {};
}

// The caller's distress rating at the start and end of the call: content, sealed with the rest.
Result<void> ReadDistress(const Fields& f, nlohmann::json& content) {
    auto d = f.OptionalObject("distress");
    if (!d) return tl::unexpected(d.error());
    if (!d->has_value()) return {};
    if (auto k = (*d)->OnlyKnown({"at_start", "at_end"}); !k) return k;
    nlohmann::json out = nlohmann::json::object();
    if (auto r = Into(out, "at_start", (*d)->OptionalInt("at_start", 0, 10)); !r) return r;
    if (auto r = Into(out, "at_end", (*d)->OptionalInt("at_end", 0, 10)); !r) return r;
    content["distress"] = out;
    return {};
}

}  // namespace

const std::vector<std::string>& DistressChangeBands() {
    static const std::vector<std::string> kBands = {"better_by_3_or_more", "better_by_1_or_2", "no_change",
                                                    "worse_by_1_or_2", "worse_by_3_or_more"};
    return kBands;
}

std::string DistressChangeBand(std::int64_t at_start, std::int64_t at_end) {
    const std::int64_t change = at_end - at_start;
    const auto& bands = DistressChangeBands();
    if (change <= -3) return bands[0];
    if (change < 0) return bands[1];
    if (change == 0) return bands[2];
    if (change < 3) return bands[3];
    return bands[4];
}

Result<ContactInput> ReadContactInput(const Fields& f, bool creating) {
    std::initializer_list<std::string_view> known = {
        "version",      "arrived_at", "answered_at", "ended_at",     "caller_number",  "language",
        "addressed_as", "caller_role", "force",      "themes",       "assessment",     "actions",
        "actions_note", "signposting", "outcome",    "follow_up_plan", "notes",          "distress"};
    if (auto k = f.OnlyKnown(known); !k) return tl::unexpected(k.error());
    ContactInput in;
    if (creating) {
        if (f.Has("version")) return Fail(ErrorCode::kInvalid, "version", "is set by the server on create");
        auto number = f.OptionalString("caller_number", 64);
        if (!number) return tl::unexpected(number.error());
        in.caller_number = *number;
        auto arrived = f.OptionalTime("arrived_at");
        if (!arrived) return tl::unexpected(arrived.error());
        in.arrived_at = *arrived;
    } else {
        if (f.Has("caller_number")) {
            return Fail(ErrorCode::kInvalid, "caller_number", "can only be given when the contact is created");
        }
        if (f.Has("arrived_at")) return Fail(ErrorCode::kInvalid, "arrived_at", "cannot change after creation");
        auto version = f.Int("version", 1, INT64_MAX);
        if (!version) return tl::unexpected(version.error());
        in.version = *version;
    }
    auto answered = f.OptionalTime("answered_at");
    if (!answered) return tl::unexpected(answered.error());
    in.answered_at = *answered;
    auto ended = f.OptionalTime("ended_at");
    if (!ended) return tl::unexpected(ended.error());
    in.ended_at = *ended;

    if (auto r = Into(in.facts, "language", f.OptionalEnum("language", reference::LanguageCodes())); !r) {
        return tl::unexpected(r.error());
    }
    if (auto r = Into(in.facts, "caller_role", f.OptionalEnum("caller_role", reference::CallerRoleCodes())); !r) {
        return tl::unexpected(r.error());
    }
    // The force is sealed with the content: with the role and the time it could point at one officer, and the
    // reports need only the region, which stays a fact.
    if (auto r = Into(in.content, "force", f.OptionalEnum("force", reference::ForceCodes())); !r) {
        return tl::unexpected(r.error());
    }
    if (in.content.contains("force")) {
        in.facts["region"] = reference::FindForce(in.content["force"].get<std::string>())->region;
    }
    if (in.facts.contains("caller_role")) {
        in.facts["member_of_public"] = in.facts["caller_role"] == "member_of_public";
    }
    if (auto r = ListInto(f, in.facts, "themes", kMaxThemes, reference::ThemeCodes()); !r) return tl::unexpected(r.error());
    if (auto r = ListInto(f, in.facts, "actions", 20, reference::ActionCodes()); !r) return tl::unexpected(r.error());
    if (auto r = Into(in.facts, "outcome", f.OptionalEnum("outcome", reference::OutcomeCodes())); !r) {
        return tl::unexpected(r.error());
    }

    if (auto r = Into(in.content, "addressed_as", f.OptionalString("addressed_as", kMaxAddressedAs)); !r) {
        return tl::unexpected(r.error());
    }
    if (auto r = Into(in.content, "actions_note", f.OptionalString("actions_note", kMaxNote)); !r) {
        return tl::unexpected(r.error());
    }
    if (auto r = Into(in.content, "follow_up_plan", f.OptionalString("follow_up_plan", kMaxNote)); !r) {
        return tl::unexpected(r.error());
    }
    if (auto r = Into(in.content, "notes", f.OptionalString("notes", kMaxLongText)); !r) {
        return tl::unexpected(r.error());
    }
    if (auto r = ReadSignposting(f, in.content); !r) return tl::unexpected(r.error());
    if (auto r = ReadDistress(f, in.content); !r) return tl::unexpected(r.error());
    if (auto a = f.OptionalObject("assessment"); !a) {
        return tl::unexpected(a.error());
    } else if (a->has_value()) {
        auto assessment = ReadAssessment(**a);
        if (!assessment) return tl::unexpected(assessment.error());
        in.content["assessment"] = *assessment;
        // The two flags drive follow-up and escalation, and show on the wallboard: kept as facts.
        if (auto r = Into(in.facts, "cause_for_concern", (*a)->OptionalBool("cause_for_concern")); !r) {
            return tl::unexpected(r.error());
        }
        if (auto r = Into(in.facts, "imminent_risk", (*a)->OptionalBool("imminent_risk")); !r) {
            return tl::unexpected(r.error());
        }
    }
    return in;
}

Result<void> CheckReadyToClose(const nlohmann::json& facts, const nlohmann::json& content, bool has_follow_up) {
    if (!facts.contains("caller_role")) {
        return Fail(ErrorCode::kInvalid, "caller_role", "is required before the contact closes (\"not_said\" is fine)");
    }
    if (!facts.contains("outcome")) return Fail(ErrorCode::kInvalid, "outcome", "is required before the contact closes");
    const bool signposted = content.contains("signposting") && !content["signposting"].empty();
    if (facts.value("member_of_public", false) && !signposted) {
        return Fail(ErrorCode::kInvalid, "signposting",
                    "a member of the public is never turned away: signpost them to a service before closing");
    }
    if (facts.value("cause_for_concern", false)) {
        const auto& a = content.contains("assessment") ? content["assessment"] : nlohmann::json::object();
        if (!a.contains("concern_reasons")) {
            return Fail(ErrorCode::kInvalid, "assessment.concern_reasons", "say why there is cause for concern");
        }
        if (!has_follow_up && !content.contains("follow_up_plan")) {
            return Fail(ErrorCode::kInvalid, "follow_up_plan",
                        "there is cause for concern: schedule a follow-up, or record why there is none");
        }
    }
    return {};
}

}  // namespace crisisline::records
