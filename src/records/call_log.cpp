#include "records/call_log.hpp"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <map>
#include <memory>
#include <utility>

#include <spdlog/spdlog.h>

#include "records/contacts.hpp"
#include "records/trunks.hpp"
#include "reference/reference.hpp"
#include "staff/accounts.hpp"
#include "staff/sip_accounts.hpp"
#include "writer/audit_trail.hpp"

namespace crisisline::records {

struct CallLog::CarriedHashes {
    // contact id -> line id -> the caller's hash under that line's key. Only for contacts of calls in progress
    // whose number was given; touched by the writer's units only (one thread).
    std::map<std::string, std::map<std::string, std::string>> by_contact;
};

namespace {

constexpr TimeMs kRepeatWindow = 30 * kDayMs;  // as Contacts::Create
constexpr const char* kActor = "telephony";

// A call nobody here answered (abandoned, failed before an answer, handed to a partner service) has nobody
// to wrap it up: its contact closes when the call ends. A contact with a counsellor is theirs to close,
// whatever ended the call (the caller, the counsellor, or telephony finding no audio): its record is never
// taken from them mid-wrap-up.
bool ClosesAtOnce(const store::ContactRow& row) { return row.counsellor_id.empty(); }

nlohmann::json SecondsOrNull(const std::optional<TimeMs>& ms) {
    return ms ? nlohmann::json(*ms / 1000) : nlohmann::json();
}

// Applies what telephony knows to the row and its "call" facts. Times are kept in order
// (answered and ended never before arrival, ended never before the answer), so the
// counsellor's later changes, which check that order, are not refused over a clock step.
void Apply(const CallRecord& call, store::ContactRow& row, nlohmann::json& facts) {
    if (call.answered_at) row.answered_at = std::max(*call.answered_at, row.arrived_at);
    if (!call.counsellor_id.empty()) row.counsellor_id = call.counsellor_id;
    if (call.ended_at) row.ended_at = std::max(*call.ended_at, row.answered_at.value_or(row.arrived_at));
    // The caller chooses their language after the contact was created (DTMF during the greeting).
    const auto& languages = reference::LanguageCodes();
    if (std::find(languages.begin(), languages.end(), call.language) != languages.end()) {
        facts["language"] = call.language;
    }
    std::optional<TimeMs> wait;
    std::optional<TimeMs> talk;
    if (row.answered_at) {
        wait = *row.answered_at - row.arrived_at;
    } else if (row.ended_at) {
        wait = *row.ended_at - row.arrived_at;  // the caller waited until they hung up or were moved on
    }
    if (row.answered_at && row.ended_at) talk = *row.ended_at - *row.answered_at;
    nlohmann::json& c = facts["call"];
    if (!c.is_object()) c = nlohmann::json::object();
    if (!call.end_reason.empty()) c["end_reason"] = call.end_reason;
    if (!call.continues.empty()) c["continues"] = call.continues;
    if (!call.continued_in.empty()) c["continued_in"] = call.continued_in;
    if (!c.contains("end_reason")) c["end_reason"] = nullptr;
    c["queue_wait_s"] = SecondsOrNull(wait);
    c["talk_s"] = SecondsOrNull(talk);
}

// Failures are logged with ids and codes only: never the caller's number.
Result<void> Logged(const char* action, const CallRecord& call, Result<void> r) {
    if (!r) {
        spdlog::warn("call log: {} of contact {} on line {} failed ({}): {}", action, call.contact_id, call.line_id,
                     ErrorCodeName(r.error().code), r.error().message);
    }
    return r;
}

// The unit of Arrived (writer thread). On success `repeats` holds the repeat-caller count.
Result<void> CreateContact(Services& s, store::Tx& tx, const CallRecord& call, std::int64_t& repeats,
                           CallLog::CarriedHashes& carried) {
    auto kek = s.keys.Line(call.line_id);
    if (!kek) return tl::unexpected(kek.error());
    store::ContactRow row;
    row.id = call.contact_id;
    row.line_id = call.line_id;
    row.status = "open";
    row.arrived_at = call.arrived_at;
    // A withheld or unparsable number has no hash and links no contacts together.
    if (auto normal = crypto::NormalisePhoneNumber(call.caller_number); normal) {
        row.caller_hash = crypto::CallerHash(**kek, *normal);
        auto lines = tx.ListLines();
        if (!lines) return tl::unexpected(lines.error());
        auto& hashes = carried.by_contact[row.id];
        for (const auto& line : *lines) {
            if (line.id == call.line_id) {
                hashes[line.id] = row.caller_hash;
            } else if (auto other = s.keys.Line(line.id); other) {
                hashes[line.id] = crypto::CallerHash(**other, *normal);
            }
        }
    }
    bool continues_here = false;
    if (!call.continues.empty()) {
        // The same caller, carried on after their counsellor's connection failed or a transfer: the same hash.
        auto interrupted = tx.GetContact(call.line_id, call.continues);
        if (!interrupted) return tl::unexpected(interrupted.error());
        continues_here = interrupted->has_value();
        if (continues_here) row.caller_hash = (*interrupted)->caller_hash;
        if (auto held = carried.by_contact.find(call.continues); held != carried.by_contact.end()) {
            auto hashes = std::move(held->second);
            carried.by_contact.erase(held);
            if (!continues_here) {  // from another line: its hash under this line's key, made at arrival
                if (auto mine = hashes.find(call.line_id); mine != hashes.end()) row.caller_hash = mine->second;
            }
            carried.by_contact[row.id] = std::move(hashes);  // on along the call, for a transfer on or back
        }
    }
    nlohmann::json facts = {{"channel", "phone"}};
    const auto& languages = reference::LanguageCodes();
    if (std::find(languages.begin(), languages.end(), call.language) != languages.end()) {
        facts["language"] = call.language;
    }
    Apply(call, row, facts);
    repeats = 0;
    if (!row.caller_hash.empty()) {
        auto n = tx.CountContactsFromCaller(call.line_id, row.caller_hash, row.arrived_at - kRepeatWindow);
        if (!n) return tl::unexpected(n.error());
        repeats = *n;
        if (continues_here && repeats > 0) --repeats;  // the interrupted part of this same call
    }
    facts["repeat_calls_30d"] = repeats;
    row.facts_json = facts.dump();
    // Empty content, sealed like any contact's, so the counsellor's wrap-up can reseal it.
    row.sealed = crypto::Seal(**kek, "{}", SealingContext("contact", call.line_id, row.id));
    const TimeMs now = s.clock.Now();
    row.created_at = row.updated_at = now;
    if (auto line = tx.GetLine(call.line_id); !line) {
        return tl::unexpected(line.error());
    } else if (!*line) {
        return Fail(ErrorCode::kNotFound, "no line with this id");
    }
    if (auto r = tx.InsertContact(row); !r) return r;
    return writer::AppendAudit(tx, now, {kActor, "contact.create", call.line_id, "contact", row.id, "on_call"});
}

// The unit of Answered and Ended (writer thread).
Result<void> UpdateContact(Services& s, store::Tx& tx, const CallRecord& call, bool ending) {
    auto found = tx.GetContact(call.line_id, call.contact_id);
    if (!found) return tl::unexpected(found.error());
    if (!*found) return Fail(ErrorCode::kNotFound, "no contact with this id on this line");
    store::ContactRow row = std::move(**found);
    nlohmann::json facts = nlohmann::json::parse(row.facts_json, nullptr, false);
    if (!facts.is_object()) return Fail(ErrorCode::kInternal, "stored contact is unreadable");
    Apply(call, row, facts);
    const bool closing = ending && ClosesAtOnce(row) && row.status == "open";
    if (closing) row.status = "closed";
    const TimeMs now = s.clock.Now();
    row.facts_json = facts.dump();
    // A new version, so a counsellor's edit based on the older one is refused rather than
    // overwriting the call's times (they reload and apply it again).
    row.version += 1;
    row.updated_at = now;
    if (auto u = tx.UpdateContact(row); !u) return u;
    const char* action = !ending ? "contact.answer" : closing ? "contact.close" : "contact.end";
    return writer::AppendAudit(tx, now, {kActor, action, call.line_id, "contact", row.id, "on_call"});
}

// The unit of EndUnfinished (writer thread): every line's phone contacts without an end.
Result<void> EndUnfinishedCalls(Services& s, store::Tx& tx, std::vector<CallRecord>& ended) {
    auto lines = tx.ListLines();
    if (!lines) return tl::unexpected(lines.error());
    for (const auto& line : *lines) {
        auto unfinished = tx.ListUnfinishedCalls(line.id);
        if (!unfinished) return tl::unexpected(unfinished.error());
        for (const auto& row : *unfinished) {
            CallRecord call;
            call.contact_id = row.id;
            call.line_id = row.line_id;
            call.counsellor_id = row.counsellor_id;
            call.arrived_at = row.arrived_at;
            call.answered_at = row.answered_at;
            call.ended_at = std::max({row.arrived_at, row.answered_at.value_or(0), row.updated_at});
            call.end_reason = "server_restart";
            if (auto r = UpdateContact(s, tx, call, true); !r) return r;
            ended.push_back(std::move(call));
        }
    }
    return {};
}

}  // namespace

const std::vector<std::string>& CallEndReasons() {
    static const std::vector<std::string> reasons = {"completed", "abandoned", "overflowed", "failed",
                                                     "server_restart", "interrupted", "transferred"};
    return reasons;
}

Result<TelephonyBook> LoadTelephonyBook(Services& s) {
    std::vector<store::LineRow> lines;
    std::vector<store::StaffRow> staff;
    std::vector<store::SipAccountRow> accounts;
    auto read = s.store.Read([&](store::Tx& tx) -> Result<void> {
        auto l = tx.ListLines();
        if (!l) return tl::unexpected(l.error());
        auto st = tx.ListStaff();
        if (!st) return tl::unexpected(st.error());
        auto a = tx.ListSipAccounts();
        if (!a) return tl::unexpected(a.error());
        lines = std::move(*l);
        staff = std::move(*st);
        accounts = std::move(*a);
        return {};
    });
    if (!read) return tl::unexpected(read.error());

    TelephonyBook book;
    for (const auto& row : lines) {
        auto line = LineFromRow(row);
        if (!line) return tl::unexpected(line.error());
        book.lines.push_back({line->id, line->name, line->numbers, line->languages, line->routing,
                              line->post_call_survey, line->transfer_targets});
    }
    std::map<std::string, const store::SipAccountRow*> account_of;
    for (const auto& a : accounts) account_of[a.staff_id] = &a;
    for (const auto& row : staff) {
        const staff::Profile p = staff::ProfileOf(row);
        const bool counsellor = std::find(p.roles.begin(), p.roles.end(), "counsellor") != p.roles.end();
        auto account = account_of.find(row.id);
        if (row.disabled || !counsellor || account == account_of.end()) continue;
        auto password = staff::OpenSipSecret(s.keys.Service(), *account->second);
        if (!password) {
            return Fail(ErrorCode::kInternal, "the SIP secret of staff member " + row.id +
                                                  " cannot be opened with the service key; issue a new one");
        }
        book.counsellors.push_back({row.id, row.display_name, p.lines, p.languages, p.specialisms,
                                    account->second->username, std::move(*password),
                                    ParseEncryption(account->second->encryption, "encryption").value_or(kDefaultEncryption)});
    }
    auto trunks = Trunks(s).List();
    if (!trunks) return tl::unexpected(trunks.error());
    book.trunks = std::move(*trunks);
    return book;
}

CallLog::CallLog(Services s) : s_(s), carried_(std::make_shared<CarriedHashes>()) {}

void CallLog::Arrived(const CallRecord& call, std::function<void(Result<std::int64_t> repeat_count)> done) {
    // `done` is called exactly once: from the unit, or here when the writer has stopped.
    auto reported = std::make_shared<std::atomic<bool>>(false);
    auto report = [done = std::move(done), reported](Result<std::int64_t> r) {
        if (done && !reported->exchange(true)) done(std::move(r));
    };
    Services s = s_;
    auto pending = s_.writer.Submit([s, call, report, carried = carried_](store::Tx& tx) mutable -> Result<void> {
        std::int64_t repeats = 0;
        auto r = Logged("contact.create", call, CreateContact(s, tx, call, repeats, *carried));
        if (r) {
            report(repeats);
        } else {
            report(tl::unexpected(r.error()));
        }
        return r;
    });
    // Ready at once only when the writer refused the unit (stopped) or has already run it: no wait.
    if (pending.wait_for(std::chrono::seconds(0)) == std::future_status::ready) {
        if (auto r = pending.get(); !r) report(tl::unexpected(r.error()));
    }
}

void CallLog::Answered(const CallRecord& call) {
    Services s = s_;
    (void)s_.writer.Submit([s, call](store::Tx& tx) mutable -> Result<void> {
        return Logged("contact.answer", call, UpdateContact(s, tx, call, false));
    });
}

void CallLog::Ended(const CallRecord& call) {
    Services s = s_;
    (void)s_.writer.Submit([s, call, carried = carried_](store::Tx& tx) mutable -> Result<void> {
        // A call that ends without carrying on lets go of its hashes (one that carries on hands them to the
        // next contact when that one is created).
        if (call.continued_in.empty()) carried->by_contact.erase(call.contact_id);
        return Logged("contact.end", call, UpdateContact(s, tx, call, true));
    });
}

void CallLog::SurveyAnswered(const std::string& line_id, TimeMs arrived_at, const std::string& answer) {
    store::RetainedCountRow row{line_id, FormatTime(arrived_at).substr(0, 7), "survey:" + answer, 1};
    (void)s_.writer.Submit([row](store::Tx& tx) -> Result<void> {
        auto r = tx.AddRetainedCount(row);
        if (!r) spdlog::warn("a post-call survey answer could not be counted: {}", r.error().message);
        return r;
    });
}

void CallLog::Monitoring(const std::string& action, const std::string& call_id, const std::string& line_id,
                         const std::string& supervisor, const nlohmann::json& detail) {
    Services s = s_;
    writer::AuditEvent event{supervisor, action, line_id, "contact", call_id, "supervision", detail.dump()};
    (void)s_.writer.Submit([s, event](store::Tx& tx) -> Result<void> {
        auto r = writer::AppendAudit(tx, s.clock.Now(), event);
        if (!r) spdlog::warn("call {}: {} could not be audited: {}", event.record_id, event.action, r.error().message);
        return r;
    });
}

void CallLog::CallControl(const std::string& action, const std::string& call_id, const std::string& line_id,
                          const std::string& counsellor, const nlohmann::json& detail) {
    Services s = s_;
    writer::AuditEvent event{counsellor, action, line_id, "contact", call_id, "call_control", detail.dump()};
    (void)s_.writer.Submit([s, event](store::Tx& tx) -> Result<void> {
        auto r = writer::AppendAudit(tx, s.clock.Now(), event);
        if (!r) spdlog::warn("call {}: {} could not be audited: {}", event.record_id, event.action, r.error().message);
        return r;
    });
}

Result<std::vector<CallRecord>> CallLog::EndUnfinished() {
    std::vector<CallRecord> ended;
    Services s = s_;
    auto r = s_.writer.Run([&](store::Tx& tx) -> Result<void> {
        ended.clear();  // a unit may be retried
        return EndUnfinishedCalls(s, tx, ended);
    });
    if (!r) return tl::unexpected(r.error());
    return ended;
}

}  // namespace crisisline::records
