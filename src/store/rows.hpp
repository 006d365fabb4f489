#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "core/clock.hpp"

namespace crisisline::store {

using Bytes = std::vector<std::uint8_t>;

// A record's confidential part: its data key wrapped by the line's key-encryption
// key, and the AEAD ciphertext of the record's free-text and identifying fields.
// Both empty means "shredded": the content is gone for good.
struct Sealed {
    Bytes wrapped_key;
    Bytes ciphertext;
    bool Empty() const { return wrapped_key.empty() && ciphertext.empty(); }
};

// A line (tenant). Its configuration is not personal data and is kept as JSON
// owned by the records layer (numbers, hours, regions, languages, retention, policies).
struct LineRow {
    std::string id;
    std::string name;
    std::string config_json;
    TimeMs created_at = 0;
    TimeMs updated_at = 0;
};

struct StaffRow {
    std::string id;
    std::string username;      // unique, case-folded by the caller
    std::string display_name;  // the name a counsellor gives the caller
    std::string profile_json;  // roles, lines, languages, specialisms
    std::string password_hash; // Argon2id encoded string
    Bytes totp_secret_sealed;  // empty until TOTP is enrolled; sealed with the service key
    bool totp_enrolled = false;
    std::int64_t totp_last_step = 0;  // the last TOTP time step accepted; older or equal steps are replays
    bool disabled = false;
    std::int64_t failed_sign_ins = 0;
    TimeMs locked_until = 0;
    TimeMs created_at = 0;
    TimeMs updated_at = 0;
};

// The SIP account a counsellor's phone registers with. The secret is
// password-equivalent: sealed with the service key, never logged.
struct SipAccountRow {
    std::string username;  // SIP user name, unique across the service
    std::string staff_id;  // one account per member of staff
    Bytes secret_sealed;
    TimeMs created_at = 0;
    TimeMs updated_at = 0;
    std::string encryption = "preferred";  // "required", "preferred" or "off" (records::Encryption)
};

// A carrier trunk added through the console (trunks written in crisisline.toml are not stored).
struct TrunkRow {
    std::string name;        // unique
    std::string allow_json;  // JSON array of the IP addresses admitted without credentials
    std::string username;    // digest user name; "" when the trunk has no credentials
    Bytes secret_sealed;     // the digest password, sealed with the service key; empty without a username
    std::string outbound;    // "host:port" follow-up calls are sent to, or ""
    TimeMs created_at = 0;
    TimeMs updated_at = 0;
    std::string encryption = "preferred";  // "required", "preferred" or "off" (records::Encryption)
};

// A counsellor phone's registration (the registrar's binding), kept so that a restart, even after a crash,
// rings the phone at once instead of waiting up to an hour for it to register again.
struct PhoneRegistrationRow {
    std::string username;     // the SIP account's user name
    std::string staff_id;
    std::string contact_uri;  // where the phone takes INVITEs
    TimeMs expires_at = 0;
    bool behind_nat = false;  // its Contact named a private address other than where the REGISTER came from
    TimeMs updated_at = 0;
};

struct SessionRow {
    std::string token_hash;  // SHA-256 of the cookie token, hex; the token itself is never stored
    std::string staff_id;
    std::string csrf_hash;   // SHA-256 of the CSRF token, hex
    bool mfa_complete = false;
    TimeMs created_at = 0;
    TimeMs last_seen_at = 0;
};

// One call. Coded, non-identifying facts (caller role, region, themes, outcome,
// flags) are clear JSON so they can be counted; everything said is in `sealed`; the
// force the caller named is in `sealed` and, sealed on its own for the reports, in `force_sealed`.
struct ContactRow {
    std::string id;
    std::string line_id;
    std::string status;  // "open" | "closed"
    TimeMs arrived_at = 0;
    std::optional<TimeMs> answered_at;
    std::optional<TimeMs> ended_at;
    std::string counsellor_id;  // empty until answered
    std::string caller_hash;    // keyed hash of the caller's number (hex), or empty
    std::string facts_json;
    Sealed sealed;
    std::int64_t version = 1;
    TimeMs created_at = 0;
    TimeMs updated_at = 0;
    Bytes force_sealed;  // nonce || AEAD of the padded force code under the line's key; empty when none
};

struct FollowUpRow {
    std::string id;
    std::string line_id;
    std::string contact_id;
    std::string status;  // scheduled | due | overdue | completed | unreachable | cancelled
    TimeMs earliest = 0;
    TimeMs latest = 0;
    std::string assigned_to;    // a staff id, or "pool"
    std::string attempts_json;  // [{at, outcome, by}], outcomes coded
    std::int64_t max_attempts = 3;
    Sealed sealed;              // consented contact method and number, notes; shredded on close
    std::int64_t version = 1;
    TimeMs created_at = 0;
    TimeMs updated_at = 0;
};

struct EscalationRow {
    std::string id;
    std::string line_id;
    std::string contact_id;
    std::string raised_by;
    TimeMs raised_at = 0;
    std::string emergency_service;  // coded: police, ambulance, fire, coastguard, mental_health_crisis_team
    std::string supervisor_id;
    Sealed sealed;                  // the reason and what was disclosed
};

// One signposting service, an Open Referral UK / HSDS-shaped JSON document.
struct DirectoryServiceRow {
    std::string id;
    std::string line_id;
    std::string service_json;
    TimeMs updated_at = 0;
};

// One entry of the append-only, hash-chained audit log.
struct AuditRow {
    std::int64_t seq = 0;  // 1, 2, 3, ... assigned by the store on append
    TimeMs at = 0;
    std::string actor;       // staff id, or "system"
    std::string action;      // e.g. "contact.read", "contact.update", "escalation.create"
    std::string line_id;
    std::string record_type;
    std::string record_id;
    std::string purpose;     // why: "on_call", "wrap_up", "supervision", "audit", ...
    std::string prev_hash;   // hex of the previous entry's hash; 64 zeros for the first
    std::string hash;        // hex SHA-256 over this entry's canonical form and prev_hash
    std::string detail;      // JSON: what changed (e.g. roles and lines before and after); never a secret.
                             // Empty for entries without one and for every entry before schema version 5.
};

// A staff change that waits for a second administrator (the two-person rule for content grants).
struct StaffChangeRow {
    std::string id;
    std::string kind;            // "create" | "update"
    std::string staff_id;        // the subject (for a create, the id the account will have)
    std::string requested_by;    // staff id of the administrator who asked
    TimeMs requested_at = 0;
    TimeMs expires_at = 0;
    std::string before_json;     // the subject's name, roles, lines, ... when asked ("" for a create)
    std::string after_json;      // what it would be: username, display_name, profile, disabled
    std::string password_hash;   // a create's Argon2id hash (never shown); "" for an update
    std::string status;          // pending | approved | rejected
    std::string decided_by;      // "" while pending
    TimeMs decided_at = 0;
};

// A notice on a line's wallboard, for its supervisors: someone new can now read its contacts.
struct AnnouncementRow {
    std::string id;
    std::string line_id;
    std::string kind;            // "content_reader_added"
    std::string staff_id;        // who was given access
    std::string role;            // "counsellor" | "supervisor"
    TimeMs at = 0;
    TimeMs expires_at = 0;
    std::string acknowledged_by;  // "" until a supervisor of the line acknowledges it
    TimeMs acknowledged_at = 0;
};

// What stays after retention: anonymous counts, one row per line, month and key.
struct RetainedCountRow {
    std::string line_id;
    std::string month;  // "2026-11"
    std::string key;    // e.g. "contacts", "role:police_officer", "outcome:signposted"
    std::int64_t count = 0;
};

// A line's phone calls in a time window, counted in storage (the supervisor's wallboard, "today").
struct PhoneTally {
    std::int64_t offered = 0;              // phone contacts (facts channel "phone") that arrived
    std::int64_t answered = 0;             // answered by a counsellor: answered_at set and a counsellor named
    std::int64_t abandoned = 0;            // call.end_reason "abandoned"
    std::int64_t overflowed = 0;           // call.end_reason "overflowed" (a partner service took it)
    std::int64_t answered_within_20s = 0;  // answered, answered_at - arrived_at <= 20 s
    std::int64_t answered_within_60s = 0;  // the same, <= 60 s
    std::int64_t answer_wait_ms_total = 0;  // sum of answered_at - arrived_at over the answered
};

// Phone calls that arrived in one half hour (staffing's forecast history): half_hour = arrived_at / 1,800,000.
struct HalfHourCount {
    std::int64_t half_hour = 0;
    std::int64_t calls = 0;
    std::int64_t welsh = 0;  // of which the caller chose Welsh
};

// A line's ended phone calls in a time window, summed for staffing (no call is read out). Calls that failed
// before reaching the queue (end reason "failed" or "server_restart") are left out.
struct CallTimings {
    std::int64_t answered = 0;          // answered by a counsellor and ended
    std::int64_t talk_ms_total = 0;     // sum of ended_at - answered_at over those
    std::int64_t closed = 0;            // of those, closed by their counsellor
    std::int64_t wrap_up_ms_total = 0;  // sum over the closed of the close (their last change) - ended_at, each
                                        // between 0 and 2 hours
    std::int64_t abandoned = 0;         // end reason "abandoned"
    std::int64_t waited_ms_total = 0;   // over every call counted: time before it was answered (by a counsellor
                                        // or a partner) or, unanswered, before it ended
};

// One counsellor's shift on a line's rota: who and when (UTC instants), never anything of a caller.
struct ShiftRow {
    std::string line_id;
    std::string id;
    std::string counsellor_id;  // a staff id
    TimeMs start_at = 0;
    TimeMs end_at = 0;  // after start_at
    std::string updated_by;
    TimeMs updated_at = 0;
};

}  // namespace crisisline::store
