#include "records/retention.hpp"

#include <map>

#include "records/carried_calls.hpp"
#include "records/lines.hpp"
#include "records/sealed_force.hpp"
#include "reference/reference.hpp"
#include "staffing/calendar.hpp"
#include "writer/audit_trail.hpp"

namespace crisisline::records {

namespace {

std::string MonthOf(TimeMs t) { return FormatTime(t).substr(0, 7); }

// The anonymous keys a contact adds to: a total, and one per coded fact. `line_key` opens its sealed force.
std::vector<std::string> CountKeys(const store::ContactRow& row, const crypto::SecretKey& line_key) {
    std::vector<std::string> keys = {"contacts"};
    auto facts = nlohmann::json::parse(row.facts_json, nullptr, false);
    if (!facts.is_object()) return keys;
    for (const char* key : {"caller_role", "outcome", "region", "language"}) {
        if (facts.contains(key) && facts[key].is_string()) keys.push_back(std::string(key) + ":" + facts[key].get<std::string>());
    }
    if (facts.contains("themes") && facts["themes"].is_array()) {
        for (const auto& t : facts["themes"]) {
            if (t.is_string()) keys.push_back("theme:" + t.get<std::string>());
        }
    }
    if (!facts.contains("outcome")) keys.push_back("outcome:not_recorded");
    if (facts.contains("actions") && facts["actions"].is_array()) {
        for (const auto& a : facts["actions"]) {
            if (a.is_string()) keys.push_back("action:" + a.get<std::string>());
        }
    }
    if (facts.contains("signposting_categories") && facts["signposting_categories"].is_array()) {
        for (const auto& c : facts["signposting_categories"]) {
            if (c.is_string()) keys.push_back("signposting:" + c.get<std::string>());
        }
    }
    // The cell of the demand report (records/reports.hpp), so a purged month keeps its region x role table.
    const auto coded = [&](const char* key) {
        return facts.contains(key) && facts[key].is_string() ? facts[key].get<std::string>() : "not_recorded";
    };
    keys.push_back("region_role:" + coded("region") + "|" + coded("caller_role"));
    // The force, opened from its sealed form as the shredding takes it away, so a purged month keeps its monthly
    // contacts by force (region and force together: the demand report nests forces under their region).
    auto force = OpenForce(line_key, row, facts);
    // A contact stored before the force was sealed still holds it as a clear fact.
    if (!force && facts.contains("force") && facts["force"].is_string()) force = facts["force"];
    const reference::Force* known = force ? reference::FindForce(*force) : nullptr;
    keys.push_back("region_force:" + coded("region") + "|" +
                   (known && known->region == coded("region") ? known->code : "not_recorded"));
    // The hour of the week it arrived in (UK clock), for the demand report's contacts_by_day_and_hour.
    const auto dh = staffing::UkDayAndHour(row.arrived_at);
    keys.push_back("day_hour:" + std::to_string(dh.day) + "|" + std::to_string(dh.hour));
    if (facts.value("cause_for_concern", false)) keys.push_back("cause_for_concern");
    if (facts.value("imminent_risk", false)) keys.push_back("imminent_risk");
    if (row.answered_at) keys.push_back("answered");
    return keys;
}

}  // namespace

Result<PurgeReport> Purge(Services& s) {
    const TimeMs now = s.clock.Now();
    PurgeReport report;
    auto written = s.writer.Run([&](store::Tx& tx) -> Result<void> {
        auto lines = tx.ListLines();
        if (!lines) return tl::unexpected(lines.error());
        for (const auto& line_row : *lines) {
            auto line = LineFromRow(line_row);
            if (!line) return tl::unexpected(line.error());
            store::ContactFilter filter;
            filter.arrived_before = now - line->retention_days * kDayMs;
            filter.limit = 1'000'000;
            auto old = tx.ListContacts(line->id, filter);
            if (!old) return tl::unexpected(old.error());
            if (old->empty()) continue;
            auto line_key = s.keys.Line(line->id);
            if (!line_key) return tl::unexpected(line_key.error());
            // A call carried on to another counsellor adds to the counts once (records/carried_calls.hpp).
            for (const auto& call : OneRowPerCall(*old)) {
                for (const auto& key : CountKeys(call, **line_key)) {
                    if (auto r = tx.AddRetainedCount({line->id, MonthOf(call.arrived_at), key, 1}); !r) return r;
                }
            }
            for (const auto& contact : *old) {
                auto follow_ups = tx.ListFollowUpsOfContact(line->id, contact.id);
                if (!follow_ups) return tl::unexpected(follow_ups.error());
                for (const auto& f : *follow_ups) {
                    if (auto r = tx.DeleteFollowUp(line->id, f.id); !r) return r;
                    ++report.follow_ups;
                }
                auto escalations = tx.ListEscalationsOfContact(line->id, contact.id);
                if (!escalations) return tl::unexpected(escalations.error());
                for (const auto& e : *escalations) {
                    if (auto r = tx.DeleteEscalation(line->id, e.id); !r) return r;
                    ++report.escalations;
                }
                if (auto r = tx.DeleteContact(line->id, contact.id); !r) return r;
                if (auto a = writer::AppendAudit(tx, now, {"system", "contact.purge", line->id, "contact", contact.id,
                                                           "retention"});
                    !a) {
                    return a;
                }
                ++report.contacts;
            }
        }
        // A pending create holds the new account's password hash for its approval; once it has lapsed
        // undecided, nothing can use it. It stays pending (shown as expired), without the hash.
        auto changes = tx.ListStaffChanges(0, 1'000'000);
        if (!changes) return tl::unexpected(changes.error());
        for (auto& change : *changes) {
            if (change.status != "pending" || change.expires_at > now || change.password_hash.empty()) continue;
            change.password_hash.clear();
            if (auto d = tx.DecideStaffChange(change); !d) return d;
            ++report.lapsed_staff_changes;
        }
        return {};
    });
    if (!written) return tl::unexpected(written.error());
    return report;
}

}  // namespace crisisline::records
