#include "records/demo_history.hpp"

#include <random>
#include <vector>

#include "reference/reference.hpp"
#include "reports/period.hpp"
#include "records/contacts.hpp"

namespace crisisline::records {

namespace {

struct MonthSpan {
    TimeMs from = 0;
    TimeMs to = 0;
};

// The `months` whole calendar months before the one `now` falls in, oldest first.
std::vector<MonthSpan> MonthsBefore(TimeMs now, int months) {
    const std::string label = FormatTime(now).substr(0, 7);
    int year = std::stoi(label.substr(0, 4));
    int month = std::stoi(label.substr(5, 2));
    std::vector<MonthSpan> out(static_cast<size_t>(months));
    for (int i = months - 1; i >= 0; --i) {
        const int next_year = year, next_month = month;
        if (--month == 0) {
            month = 12;
            --year;
        }
        out[static_cast<size_t>(i)] = {reports::StartOfDate(year, static_cast<unsigned>(month), 1),
                                       reports::StartOfDate(next_year, static_cast<unsigned>(next_month), 1)};
    }
    return out;
}

template <class T>
const T& Pick(std::mt19937& random, const std::vector<T>& from) {
    return from[random() % from.size()];
}

// One fictional call and what followed it.
struct FictionalCall {
    store::ContactRow contact;
    std::optional<store::FollowUpRow> follow_up;
    std::optional<store::EscalationRow> escalation;
};

FictionalCall MakeCall(std::mt19937& random,
                       const crypto::SecretKey& kek,
                       const std::string& line_id,
                       const DemoStaff& staff,
                       const std::vector<const reference::Force*>& forces,
                       TimeMs arrived,
                       TimeMs now) {
    static const std::vector<std::string> kRoles = {"police_officer", "police_officer", "police_officer",
                                                    "police_officer", "police_staff",   "police_staff",
                                                    "special_constable_volunteer", "family_member", "not_said"};
    static const std::vector<std::string> kOutcomes = {"support_given", "support_given", "signposted",
                                                       "follow_up_arranged", "caller_ended_call"};
    const auto& themes = reference::ThemeCodes();
    const reference::Force& force = *forces[random() % forces.size()];
    FictionalCall call;
    store::ContactRow& row = call.contact;
    row.id = crypto::NewId("ct");
    row.line_id = line_id;
    row.status = "closed";
    row.arrived_at = arrived;
    nlohmann::json facts = {{"channel", "phone"},     {"fictional", true},       {"region", force.region},
                            {"repeat_calls_30d", 0},   {"language", random() % 12 == 0 ? "cy" : "en"}};
    const std::int64_t wait_s = std::uniform_int_distribution<std::int64_t>(2, 140)(random);
    const bool abandoned = random() % 14 == 0;
    if (abandoned) {
        row.ended_at = arrived + wait_s * kSecondMs;
        facts["call"] = {{"end_reason", "abandoned"}, {"queue_wait_s", wait_s}, {"talk_s", nullptr}};
    } else {
        const std::int64_t talk_s = std::uniform_int_distribution<std::int64_t>(240, 3600)(random);
        row.answered_at = arrived + wait_s * kSecondMs;
        row.ended_at = *row.answered_at + talk_s * kSecondMs;
        row.counsellor_id = staff.counsellor_id;
        facts["call"] = {{"end_reason", "completed"}, {"queue_wait_s", wait_s}, {"talk_s", talk_s}};
        const std::string role = Pick(random, kRoles);
        facts["caller_role"] = role;
        facts["member_of_public"] = false;
        nlohmann::json picked = nlohmann::json::array();
        for (int i = 0, n = 1 + static_cast<int>(random() % 2); i < n; ++i) picked.push_back(Pick(random, themes));
        facts["themes"] = picked;
        const std::string outcome = Pick(random, kOutcomes);
        facts["outcome"] = outcome;
        nlohmann::json actions = {"listened_and_supported"};
        if (outcome == "signposted") actions.push_back("signposted");
        const bool concern = outcome == "follow_up_arranged";
        if (concern) actions.push_back("follow_up_arranged");
        facts["actions"] = actions;
        facts["cause_for_concern"] = concern;
        facts["imminent_risk"] = false;
        if (concern) {
            store::FollowUpRow f;
            f.id = crypto::NewId("fu");
            f.line_id = line_id;
            f.contact_id = row.id;
            f.status = random() % 5 == 0 ? "unreachable" : "completed";
            f.earliest = *row.ended_at + kDayMs;
            f.latest = f.earliest + 2 * kDayMs;
            f.assigned_to = "pool";
            f.attempts_json = "[]";
            f.created_at = *row.ended_at;
            f.updated_at = std::min(f.latest, now);
            call.follow_up = f;  // closed: its sealed details are already shredded
        }
        if (random() % 60 == 0) {
            facts["imminent_risk"] = true;
            facts["outcome"] = "escalated_emergency";
            store::EscalationRow e;
            e.id = crypto::NewId("es");
            e.line_id = line_id;
            e.contact_id = row.id;
            e.raised_by = staff.counsellor_id;
            e.raised_at = *row.answered_at + 60 * kSecondMs;
            e.emergency_service = random() % 2 ? "ambulance" : "police";
            e.supervisor_id = staff.supervisor_id;
            e.sealed = crypto::Seal(kek, R"({"reason":"FICTIONAL demo escalation","disclosed":"none"})",
                                    SealingContext("escalation", line_id, e.id));
            call.escalation = e;
        }
    }
    row.facts_json = facts.dump();
    const nlohmann::json content = {{"force", force.code}, {"notes", "FICTIONAL demo history: no real caller."}};
    row.sealed = crypto::Seal(kek, content.dump(), SealingContext("contact", line_id, row.id));
    row.created_at = row.updated_at = now;
    return call;
}

}  // namespace

Result<std::int64_t> AddDemoHistory(Services& s,
                                    const std::string& line_id,
                                    const DemoStaff& staff,
                                    TimeMs now,
                                    int months,
                                    std::uint32_t seed) {
    auto kek = s.keys.Line(line_id);
    if (!kek) return tl::unexpected(kek.error());
    std::vector<const reference::Force*> pilot, national;
    for (const auto& f : reference::Forces()) {
        national.push_back(&f);
        if (f.region == "North East") pilot.push_back(&f);
    }
    std::mt19937 random(seed);
    const auto spans = MonthsBefore(now, months);
    std::vector<FictionalCall> calls;
    for (size_t m = 0; m < spans.size(); ++m) {
        const bool is_pilot = m < spans.size() / 3;
        const int n = is_pilot ? 45 + static_cast<int>(random() % 20) : 260 + static_cast<int>(random() % 80);
        for (int i = 0; i < n; ++i) {
            const TimeMs arrived =
                std::uniform_int_distribution<TimeMs>(spans[m].from, spans[m].to - kHourMs)(random);
            calls.push_back(MakeCall(random, **kek, line_id, staff, is_pilot ? pilot : national, arrived, now));
        }
    }
    auto written = s.writer.Run([&](store::Tx& tx) -> Result<void> {
        for (const auto& c : calls) {
            if (auto r = tx.InsertContact(c.contact); !r) return r;
            if (c.follow_up) {
                if (auto r = tx.InsertFollowUp(*c.follow_up); !r) return r;
            }
            if (c.escalation) {
                if (auto r = tx.InsertEscalation(*c.escalation); !r) return r;
            }
        }
        return writer::AppendAudit(tx, s.clock.Now(), {"system", "demo.history", line_id, "line", line_id, "demo"});
    });
    if (!written) return tl::unexpected(written.error());
    return static_cast<std::int64_t>(calls.size());
}

}  // namespace crisisline::records
