#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/clock.hpp"
#include "records/lines.hpp"  // PhoneRouting: a line's routing policy
#include "records/services.hpp"
#include "records/trunk.hpp"

namespace crisisline::records {

// What telephony needs to know about a line.
struct PhoneLine {
    std::string id;
    std::string name;
    std::vector<std::string> numbers;    // E.164
    std::vector<std::string> languages;  // "en", "cy"
    PhoneRouting routing;
    bool post_call_survey = false;  // LineConfig::post_call_survey
    std::vector<ExternalTarget> transfer_targets;  // LineConfig::transfer_targets
};

// A counsellor who can take calls, with the SIP account their phone registers with.
// `sip_password` is password-equivalent: keep it in memory only, never log it.
struct PhoneCounsellor {
    std::string staff_id;
    std::string display_name;
    std::vector<std::string> lines, languages, specialisms;
    std::string sip_username;
    std::string sip_password;
    // The phone account's policy (records::Encryption): kRequired registers and rings over TLS only, and
    // (the SRTP layer) its media SRTP only.
    Encryption encryption = kDefaultEncryption;
};

struct TelephonyBook {
    std::vector<PhoneLine> lines;
    std::vector<PhoneCounsellor> counsellors;
    std::vector<Trunk> trunks;  // added in the console (records::Trunks), passwords opened
};

// Every line, every enabled staff member with the counsellor role and a SIP account
// (password opened with the service key), read from one snapshot, and the trunks added in the console. Blocking read: call before
// starting telephony and again to refresh, never on the SIP/RTP loop. Fails with kInternal when
// a stored line or SIP secret cannot be read. REQUIRES: s.keys.LoadService succeeded. Thread-safe.
Result<TelephonyBook> LoadTelephonyBook(Services& s);

// One phone call as telephony knows it.
struct CallRecord {
    std::string contact_id;      // chosen by telephony (crypto::NewId("ct")) at arrival
    std::string line_id;
    std::string caller_number;   // in memory only: only its keyed hash is stored; empty or unparsable = withheld
    std::string language;        // "en" | "cy"
    TimeMs arrived_at = 0;
    std::optional<TimeMs> answered_at, ended_at;
    std::string counsellor_id;   // staff id, empty until answered
    // "", "completed", "abandoned", "overflowed", "failed", "server_restart", "interrupted" (the counsellor's
    // connection failed mid-call and the caller went back to the queue, as the contact `continued_in`) or
    // "transferred" (the counsellor handed the caller to a colleague or a line's queue, as `continued_in`).
    std::string end_reason;
    // The interrupted or transferred contact this call carries on from (ids only), or empty. On another line
    // than the call's own (a transfer to another line's queue) the new contact takes the hash of the number
    // under that line's key, which the CallLog made at arrival and holds in memory while the call lasts.
    std::string continues;
    std::string continued_in;  // "interrupted" or "transferred": the contact the caller carries on in
};

// The end reasons of CallRecord, in order.
const std::vector<std::string>& CallEndReasons();

// Writes the contact records of phone calls, asynchronously through the StorageWriter:
// each method queues one unit of work and returns at once (it never waits on storage).
// Units run in the order they were queued, so Arrived, Answered and Ended for one call
// must be called in that order from one thread (telephony's loop). Each unit appends
// its audit entry (actor "telephony") in the same transaction. A failed unit changes
// nothing and is logged (ids and codes only); Answered and Ended report nothing back.
// Thread-safe; may be destroyed while its units are pending (the units share what they hold).
//
// The contact's coded facts gain "channel": "phone" and a "call" object
// {"end_reason", "queue_wait_s", "talk_s"} (null until known), shown by ContactJson; after an interruption
// also "continued_in" (on the interrupted contact) and "continues" (on the one the caller carries on in).
class CallLog {
public:
    // REQUIRES: everything in `s` outlives the units queued (the writer drains before it stops).
    explicit CallLog(Services s);

    // Creates the contact (status "open", channel phone, no counsellor yet, empty content sealed
    // with the line's key). `done` (may be empty) is called on the writer thread once the unit has
    // run, with the repeat-caller count: contacts from the same number on this line in the last
    // 30 days, this one excluded (0 for a withheld number); or with the error (kNotFound for an
    // unknown line, kConflict for a contact id already used, kUnavailable once the writer stopped,
    // in which case it is called on the caller's thread). A call that `continues` an interrupted contact takes
    // that contact's caller hash (telephony no longer holds the number) and does not count it as a repeat.
    // For a transfer to another line the unit also makes, at arrival, the number's hash under each other
    // line's key; they are held in memory only (never stored), carried along the call's contacts, and dropped
    // when a contact ends without carrying on (Ended with no continued_in).
    // It runs before the batch's commit is
    // durable, so a rare failure of the commit itself is not reported to it. `done` must not block.
    void Arrived(const CallRecord& call, std::function<void(Result<std::int64_t> repeat_count)> done);
    // Records answered_at and the counsellor.
    void Answered(const CallRecord& call);
    // Records ended_at and end_reason. A call nobody answered (no counsellor on the contact: abandoned,
    // failed before an answer, overflowed to a partner service) is closed at once, as nobody will wrap
    // it up. A contact with a counsellor stays open whatever the end reason (completed, or "failed" when
    // telephony ended the call, e.g. no audio for rtp_timeout_s): only the counsellor closes it, after
    // their wrap-up, through the contacts API (Contacts::Update and Contacts::Close).
    void Ended(const CallRecord& call);

    // One answer of the post-call survey: adds 1 to the line's count of `answer` ("helped:1".."helped:5",
    // "call_again:yes"/"no") for the month the call arrived in. Counts only: no call, contact, time or
    // counsellor is written with it, and it is not audited (an audit entry would time it to the call).
    void SurveyAnswered(const std::string& line_id, TimeMs arrived_at, const std::string& answer);
    // A supervisor's monitoring of a call (listen, coach, join): `action` is "call.monitor_start",
    // "call.monitor_mode" or "call.monitor_end"; `detail` (ids and codes only: mode, counsellor, why it ended)
    // goes in the audit entry, whose actor is the supervisor. Queued like the others, in the same order.
    void Monitoring(const std::string& action, const std::string& call_id, const std::string& line_id,
                    const std::string& supervisor, const nlohmann::json& detail);

    // A call control asked for over SIP (a desk phone's REFER): audited as the console's are (purpose
    // "call_control", actor the counsellor, record the call's contact). Queued like the others.
    void CallControl(const std::string& action, const std::string& call_id, const std::string& line_id,
                     const std::string& counsellor, const nlohmann::json& detail);

    // At start, before telephony takes calls: ends every phone contact that a previous process left with no
    // end (it stopped without hanging up: kill -9, a crash, a power cut). Each gets the end reason
    // "server_restart" and, as its end time, the last time it was known to be in progress (the latest of its
    // arrival, its answer and its last update). Calls a counsellor answered stay open for that counsellor's
    // wrap-up; calls nobody answered are closed. One audited storage-writer unit; blocking, so never call it
    // on the telephony loop. Returns the calls ended (counsellor_id set for the answered ones); kInternal on a
    // storage failure, in which case nothing changed.
    [[nodiscard]] Result<std::vector<CallRecord>> EndUnfinished();

    struct CarriedHashes;  // the caller's hash under each line's key, by contact in progress (writer thread)

private:
    Services s_;
    std::shared_ptr<CarriedHashes> carried_;
};

}  // namespace crisisline::records
