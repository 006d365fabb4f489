#include "records/demo_history.hpp"

#include <algorithm>
#include <cmath>
#include <map>
#include <random>
#include <vector>

#include "records/contacts.hpp"
#include "records/sealed_force.hpp"
#include "reference/reference.hpp"
#include "reports/period.hpp"
#include "staffing/calendar.hpp"

namespace crisisline::records {

namespace {

// Mean calls per half hour once the line is national, at a UK hour-of-week slot: about one every three half hours
// at night, two in the evening, more at weekends.
double NationalMean(int slot) {
    const double hour = (slot % 48) / 2.0;
    const double evening = std::exp(-std::pow((hour - 21.0) / 3.5, 2));
    const double day = std::exp(-std::pow((hour - 13.0) / 4.0, 2));
    const double weekend = slot / 48 >= 5 ? 1.25 : 1.0;
    return weekend * (0.8 + 2.5 * day + 4.0 * evening) / 3.0;
}

template <class T>
const T& Pick(std::mt19937_64& random, const std::vector<T>& from) {
    return from[random() % from.size()];
}

// One fictional call and what followed it.
struct FictionalCall {
    store::ContactRow contact;
    std::optional<store::FollowUpRow> follow_up;
    std::optional<store::EscalationRow> escalation;
    std::vector<std::string> survey_answers;  // the post-call survey, as CallLog::SurveyAnswered counts them
};

// The coded facts of an answered call, and its follow-up or escalation.
void Answered(std::mt19937_64& random,
              const crypto::SecretKey& kek,
              const DemoStaff& staff,
              TimeMs now,
              nlohmann::json& facts,
              FictionalCall& call) {
    static const std::vector<std::string> kRoles = {"police_officer", "police_officer", "police_officer",
                                                    "police_officer", "police_staff",   "police_staff",
                                                    "special_constable_volunteer", "family_member", "not_said"};
    static const std::vector<std::string> kOutcomes = {"support_given", "support_given", "signposted",
                                                       "follow_up_arranged", "caller_ended_call"};
    const store::ContactRow& row = call.contact;
    facts["caller_role"] = Pick(random, kRoles);
    facts["member_of_public"] = false;
    nlohmann::json picked = nlohmann::json::array();
    for (int i = 0, n = 1 + static_cast<int>(random() % 2); i < n; ++i) picked.push_back(Pick(random, reference::ThemeCodes()));
    facts["themes"] = picked;
    const std::string outcome = Pick(random, kOutcomes);
    facts["outcome"] = outcome;
    nlohmann::json actions = {"listened_and_supported"};
    if (outcome == "signposted") {
        actions.push_back("signposted");
        facts["signposting_categories"] = nlohmann::json::array({Pick(random, reference::SignpostingCategoryCodes())});
    }
    const bool concern = outcome == "follow_up_arranged";
    if (concern) actions.push_back("follow_up_arranged");
    facts["actions"] = actions;
    facts["cause_for_concern"] = concern;
    facts["imminent_risk"] = false;
    if (concern) {
        store::FollowUpRow f;
        f.id = crypto::NewId("fu");
        f.line_id = row.line_id;
        f.contact_id = row.id;
        f.status = random() % 5 == 0 ? "unreachable" : "completed";
        f.earliest = *row.ended_at + kDayMs;
        f.latest = f.earliest + 2 * kDayMs;
        f.assigned_to = "pool";
        f.attempts_json = "[]";
        f.created_at = *row.ended_at;
        f.updated_at = std::min(f.latest, now);
        // Closed, its sealed details already shredded; one whose window is still to come is left out (an open
        // follow-up would need details to act on).
        if (f.latest <= now) call.follow_up = f;
    }
    // About a third of callers stay on for the post-call survey (as if the line offered it); most found the call
    // helped and would call again.
    if (random() % 3 == 0) {
        static const std::vector<std::string> kHelped = {"1", "2", "3", "3", "4", "4", "4", "5", "5", "5", "5"};
        call.survey_answers.push_back("helped:" + Pick(random, kHelped));
        if (random() % 8 != 0) call.survey_answers.push_back(random() % 7 == 0 ? "call_again:no" : "call_again:yes");
    }
    if (random() % 60 == 0) {
        facts["imminent_risk"] = true;
        facts["outcome"] = "escalated_emergency";
        store::EscalationRow e;
        e.id = crypto::NewId("es");
        e.line_id = row.line_id;
        e.contact_id = row.id;
        e.raised_by = staff.counsellor_id;
        e.raised_at = *row.answered_at + 60 * kSecondMs;
        e.emergency_service = random() % 2 ? "ambulance" : "police";
        e.supervisor_id = staff.supervisor_id;
        e.sealed = crypto::Seal(kek, R"({"reason":"FICTIONAL demo escalation","disclosed":"none"})",
                                SealingContext("escalation", row.line_id, e.id));
        call.escalation = e;
    }
}

// One fictional call from `force` arriving at `arrived`; nullopt when it would still be going on `now`.
std::optional<FictionalCall> MakeCall(std::mt19937_64& random,
                                      const crypto::SecretKey& kek,
                                      const std::string& line_id,
                                      const DemoStaff& staff,
                                      const reference::Force& force,
                                      TimeMs arrived,
                                      TimeMs now) {
    std::exponential_distribution<double> wait_s(1 / 20.0), patience_s(1 / 150.0), wrap_up_s(1 / 240.0);
    std::lognormal_distribution<double> talk_s(std::log(900.0), 0.6);  // median 15 minutes
    FictionalCall call;
    store::ContactRow& row = call.contact;
    row.id = crypto::NewId("ct");
    row.line_id = line_id;
    row.status = "closed";
    row.arrived_at = arrived;
    nlohmann::json facts = {{"channel", "phone"}, {"fictional", true}, {"repeat_calls_30d", 0},
                            {"language", random() % 10 == 0 ? "cy" : "en"}};
    const double waited = wait_s(random), patience = patience_s(random);
    if (waited > patience) {
        row.ended_at = arrived + static_cast<TimeMs>(patience * 1000);
        row.updated_at = *row.ended_at;
        facts["call"] = {{"end_reason", "abandoned"}, {"queue_wait_s", std::llround(patience)}, {"talk_s", nullptr}};
    } else {
        const double talk = talk_s(random);
        row.answered_at = arrived + static_cast<TimeMs>(waited * 1000);
        row.ended_at = *row.answered_at + static_cast<TimeMs>(talk * 1000);
        row.updated_at = *row.ended_at + static_cast<TimeMs>(wrap_up_s(random) * 1000);
        row.counsellor_id = staff.counsellor_id;
        facts["call"] = {{"end_reason", "completed"}, {"queue_wait_s", std::llround(waited)}, {"talk_s", std::llround(talk)}};
        facts["region"] = force.region;  // only a caller who was answered said where they serve
        row.force_sealed = SealForce(kek, line_id, row.id, force.code);
        Answered(random, kek, staff, now, facts, call);
    }
    if (row.updated_at > now) return std::nullopt;
    row.facts_json = facts.dump();
    nlohmann::json content = {{"notes", "FICTIONAL demo history: no real caller."}};
    if (row.answered_at) content["force"] = force.code;
    row.sealed = crypto::Seal(kek, content.dump(), SealingContext("contact", line_id, row.id));
    row.created_at = arrived;
    return call;
}

// Each force's weight at `at`: 1 once its region has begun; before that a trickle (officers who heard of the line
// from a colleague in a region already served), so that demand before a start is not all zeros.
std::vector<double> ForceWeights(const std::vector<RegionStart>& starts, TimeMs at) {
    std::vector<double> out;
    for (const auto& f : reference::Forces()) {
        double w = 0.02;
        for (const auto& s : starts) {
            if (s.region == f.region && s.began_at <= at) w = 1.0;
        }
        out.push_back(w);
    }
    return out;
}

}  // namespace

std::vector<RegionStart> DemoRegionStarts() {
    const TimeMs pilot = reports::StartOfDate(2024, 6, 1);
    const TimeMs national = reports::StartOfDate(2025, 7, 21);
    std::vector<RegionStart> out;
    std::int64_t workforce = 9'000;
    for (const auto& region : reference::RegionNames()) {
        const bool first = region == "North East";
        RegionStart s{region, first ? "2024-06-01" : "2025-07-21", first ? pilot : national, workforce,
                      "FICTIONAL demo figure"};
        workforce += 1'750;  // made up, so that each region's rate differs
        out.push_back(std::move(s));
    }
    return out;
}

std::vector<ForceWorkforce> DemoForceWorkforce() {
    std::vector<ForceWorkforce> out;
    std::int64_t workforce = 1'200;
    for (const auto& force : reference::ForceCodes()) {
        out.push_back({force, workforce, "FICTIONAL demo figure"});
        workforce = 1'200 + (workforce * 7 + 350) % 6'000;  // made up, so that each force's rate differs
    }
    return out;
}

Result<std::int64_t> AddDemoHistory(Services& s,
                                    const LineConfig& line,
                                    const DemoStaff& staff,
                                    TimeMs now,
                                    std::uint32_t seed) {
    if (line.region_starts.empty()) {
        return Fail(ErrorCode::kInvalid, "region_starts", "the line records no region starts to build a history on");
    }
    auto kek = s.keys.Line(line.id);
    if (!kek) return tl::unexpected(kek.error());
    TimeMs from = now;
    for (const auto& start : line.region_starts) from = std::min(from, start.began_at);
    const size_t all_forces = reference::Forces().size();
    std::mt19937_64 random(seed);
    std::vector<FictionalCall> calls;
    for (TimeMs half = from - from % staffing::kHalfHourMs; half + staffing::kHalfHourMs <= now;
         half += staffing::kHalfHourMs) {
        const auto weights = ForceWeights(line.region_starts, half);
        double served = 0;
        for (double w : weights) served += w;
        // The pilot's few forces still get a fair share of calls: a pilot is where the word spreads first.
        const double share = std::max(0.12, served / static_cast<double>(all_forces));
        std::poisson_distribution<int> arrivals(NationalMean(staffing::WeekSlot(half)) * share);
        std::discrete_distribution<size_t> which(weights.begin(), weights.end());
        std::uniform_int_distribution<TimeMs> within(0, staffing::kHalfHourMs - 1);
        for (int n = arrivals(random); n > 0; --n) {
            const reference::Force& force = reference::Forces()[which(random)];
            auto call = MakeCall(random, **kek, line.id, staff, force, half + within(random), now);
            if (call) calls.push_back(std::move(*call));
        }
    }
    std::map<std::pair<std::string, std::string>, std::int64_t> survey;  // (month, key) -> count
    for (const auto& c : calls) {
        for (const auto& answer : c.survey_answers) {
            survey[{FormatTime(c.contact.arrived_at).substr(0, 7), "survey:" + answer}] += 1;
        }
    }
    auto written = s.writer.Run([&](store::Tx& tx) -> Result<void> {
        for (const auto& [at, count] : survey) {
            if (auto r = tx.AddRetainedCount({line.id, at.first, at.second, count}); !r) return r;
        }
        for (const auto& c : calls) {
            if (auto r = tx.InsertContact(c.contact); !r) return r;
            if (c.follow_up) {
                if (auto r = tx.InsertFollowUp(*c.follow_up); !r) return r;
            }
            if (c.escalation) {
                if (auto r = tx.InsertEscalation(*c.escalation); !r) return r;
            }
        }
        return writer::AppendAudit(tx, s.clock.Now(), {"system", "demo.history", line.id, "line", line.id, "demo"});
    });
    if (!written) return tl::unexpected(written.error());
    return static_cast<std::int64_t>(calls.size());
}

}  // namespace crisisline::records
