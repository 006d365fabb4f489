#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <utility>
#include <variant>
#include <vector>

#include "core/clock.hpp"
#include "core/error.hpp"

// acd: automatic call distribution for the lines, as pure decision logic.
//
// The Router holds the queue and every counsellor's state. Telephony reports
// what happened (a call arrived, a phone answered, a caller hung up) and the
// time; the Router answers with the commands to carry out (ring this phone,
// stop that ring, bridge, play an announcement, offer to overflow). No
// sockets, no storage, no threads, no clock of its own: the time is always
// passed in, so every scenario runs in tests with plain numbers.
//
// The promise it keeps: no command ever ends a call. A call leaves the Router
// only when its caller hangs up (CallAbandoned), when a bridged call ends
// (CallEnded), or when the overflow destination has answered it
// (OverflowAnswered). A call that nobody can take now simply waits; one whose
// counsellor's connection failed goes back to the front (CallInterrupted).
namespace crisisline::acd {

using CallId = std::string;
using CounsellorId = std::string;
using LineId = std::string;

enum class Language { kEnglish, kWelsh };

enum class CounsellorState { kOffline, kAvailable, kRinging, kOnCall, kWrapUp, kBreak };

// Why a counsellor is on a break. kMissedCall and kPhoneFailed are set by the
// Router (as Asterisk's autopause); the counsellor leaves them only by saying
// they are available again.
enum class BreakReason { kNone, kChosen, kMissedCall, kPhoneFailed };

enum class Strategy {
    kLongestIdle,  // ring one counsellor at a time, the one idle longest first
    kRingAll,      // ring every eligible available counsellor; the first to answer takes the call
};

// Stable lower_snake names for JSON and logs: "en"/"cy", "on_call", "missed_call", "ring_all", ...
const char* LanguageName(Language language);
const char* StateName(CounsellorState state);
const char* BreakReasonName(BreakReason reason);
const char* StrategyName(Strategy strategy);

// How one line routes its calls. Times in milliseconds.
struct LinePolicy {
    Strategy strategy = Strategy::kLongestIdle;
    TimeMs ring_timeout = 20 * kSecondMs;  // unanswered this long: stop, autopause the counsellor, ring the next
    TimeMs wrap_up = 60 * kSecondMs;       // after an ordinary call
    TimeMs wrap_up_after_concern = 300 * kSecondMs;  // after a call with cause for concern or an escalation
    // Waiting this long without being answered: offered to the overflow destination
    // as well, once, while staying queued. nullopt: never.
    std::optional<TimeMs> overflow_after = 120 * kSecondMs;
    // Another line whose counsellors may also take this line's calls once they have
    // overflowed (a sister line's pool). nullopt: the Overflow command is left to
    // telephony (e.g. an external partner service).
    std::optional<LineId> overflow_pool = std::nullopt;
    // A reassurance announcement ("you are number N") this often, first one interval
    // after arrival. nullopt: none.
    std::optional<TimeMs> announce_every = 45 * kSecondMs;
    // Every leg of the line's calls encrypted: its calls are offered only to counsellors whose phone's leg
    // would be encrypted (SetPhoneEncrypted); with none available they wait, as any call nobody can take.
    bool encrypted_phones_only = false;
};

// Who a counsellor is, for routing.
struct CounsellorProfile {
    CounsellorId id;
    std::vector<LineId> lines;  // offered calls only on these lines
    std::vector<Language> languages = {Language::kEnglish};
    std::vector<std::string> specialisms;
};

// A call joining a line's queue, after the greeting and language choice.
struct CallInfo {
    CallId id;
    LineId line;
    Language language = Language::kEnglish;
    std::optional<std::string> specialism;  // preferred, never required (see Router)
};

// How a bridged call went, for the length of the wrap-up.
struct CallOutcome {
    bool cause_for_concern = false;
    bool escalated = false;
};

// ---- Commands: what the telephony must do. None of them ends a caller's leg. ----

// Ring `counsellor`'s phone for `call`. The caller stays on hold meanwhile.
struct Ring {
    CallId call;
    CounsellorId counsellor;
};
// Cancel that ring. Emitted whenever the Router ends a ring that telephony did not
// itself report as answered or failed (another phone answered, ring timeout,
// caller hung up, counsellor went on break, overflow answered).
struct StopRinging {
    CallId call;
    CounsellorId counsellor;
};
// Connect the caller to the counsellor who answered. `wait_ms`: time the caller queued.
struct Bridge {
    CallId call;
    CounsellorId counsellor;
    TimeMs wait_ms = 0;
};
// Play the reassurance message; `position` is 1 for the first waiting call of its line.
struct Announce {
    CallId call;
    int position = 0;
};
// Offer the call to the line's overflow destination too; it stays queued and rung.
struct Overflow {
    CallId call;
};
// The caller hung up before being answered; record it as abandoned with this wait.
struct Abandoned {
    CallId call;
    TimeMs wait_ms = 0;
};
// A counsellor's state changed (for the event bus and the console).
struct StateChanged {
    CounsellorId counsellor;
    CounsellorState state = CounsellorState::kOffline;
    BreakReason reason = BreakReason::kNone;
    TimeMs at = 0;
};

// A supervisor's offer of a waiting call (Router::OfferCall) ended without an answer: the offered counsellor's
// ring stopped (`why`: "no_answer", "declined" (their phone refused or failed), "unavailable" (they went on a
// break or offline), "caller_gone"). The call, still in its place, is routed as before.
struct OfferLapsed {
    CallId call;
    CounsellorId counsellor;
    std::string why;
};

using Command = std::variant<Ring, StopRinging, Bridge, Announce, Overflow, Abandoned, StateChanged, OfferLapsed>;
using Commands = std::vector<Command>;

// One line of text for a command, for logs and test failure messages.
std::string Describe(const Command& command);

// ---- Live state, for /api/v1/live ----

struct WaitingCallView {
    CallId call;
    LineId line;
    Language language = Language::kEnglish;
    std::optional<std::string> specialism;
    int position = 0;  // within its line, 1-based, arrival order
    TimeMs wait_ms = 0;
    std::vector<CounsellorId> ringing;  // phones ringing for it now
    bool overflowed = false;
    std::optional<CounsellorId> offered_to;  // a supervisor's offer ringing now (Router::OfferCall)
};

struct ActiveCallView {
    CallId call;
    LineId line;
    CounsellorId counsellor;
    TimeMs wait_ms = 0;  // time it queued
    TimeMs talk_ms = 0;  // since bridged
};

struct CounsellorView {
    CounsellorId counsellor;
    CounsellorState state = CounsellorState::kOffline;
    BreakReason reason = BreakReason::kNone;
    TimeMs in_state_ms = 0;
    std::optional<CallId> call;                 // ringing for, or talking on
    std::optional<TimeMs> wrap_up_ends;         // in wrap-up
    std::optional<CounsellorState> after_call;  // asked for a break/offline during a call
    std::optional<CallId> wrapping_up;          // in wrap-up: the call whose record is being finished
};

struct LiveState {
    TimeMs at = 0;
    std::vector<WaitingCallView> waiting;  // arrival order
    TimeMs longest_wait_ms = 0;            // 0 when nobody waits
    std::vector<ActiveCallView> active;
    std::vector<CounsellorView> counsellors;  // by id
};

// The queue and the counsellors of every line served by one telephony loop.
//
// Time: every input takes `now` (ms). Time never runs backwards inside the
// Router: an earlier `now` than one already seen is treated as the latest seen.
// Timers (ring timeouts, wrap-up ends, overflow thresholds, announcements)
// fire only in Advance(now); arm one timer for NextDeadline() and call Advance
// when it fires. So an answer reported before Advance has run for its ring's
// deadline still wins.
//
// Routing rules:
//  - A call is offered only to counsellors who serve its line (or, once it has
//    overflowed, its line's overflow_pool), speak its language and are available. A Welsh call waits for a Welsh speaker; it
//    still overflows at the threshold.
//  - Calls are served in arrival order across all lines. A call that nobody
//    eligible can take now is passed over, so it does not block later calls.
//  - longest_idle: one phone rings per call; the counsellor whose last call
//    ended longest ago goes first (a counsellor with no call yet counts from
//    when first profiled), ties by id. ring_all: every eligible available
//    counsellor rings, including any who become available while it rings;
//    the first to answer takes it and the other rings stop.
//  - Specialism: for the first ring_timeout after arrival a call with a
//    specialism is offered only to counsellors with it; afterwards to anyone
//    eligible, specialists still ranked first. So such a caller waits at most
//    one ring timeout for a specialist before anyone may answer.
//  - A ring unanswered for ring_timeout stops; the counsellor goes to
//    break(missed_call) and the call rings the next eligible counsellor. In
//    ring_all every counsellor whose ring timed out is paused so.
//  - A line with encrypted_phones_only offers its calls only to counsellors
//    whose phone is encrypted (SetPhoneEncrypted; false until told), also
//    after an overflow to a pool.
//  - A counsellor rings for at most one call at a time, and never while on a
//    call, in wrap-up, on a break or offline.
//  - After a call: wrap_up (or wrap_up_after_concern), then available, or the
//    break/offline they asked for during the call.
//
// Errors: every input returns kNotFound for an unknown line, call or
// counsellor, kConflict when the event does not fit the current state (e.g.
// an answer from a phone the Router already stopped; telephony should then
// hang up that counsellor's leg, never the caller's), kInvalid for malformed
// input. On an error nothing changes.
//
// Not thread-safe: REQUIRES external synchronization (it lives on the
// telephony loop's thread).
class Router {
public:
    Router() = default;

    // Adds a line or replaces its policy; rings in progress go on, and the new
    // policy applies from the next routing decision or timer. kInvalid names
    // the field: ring_timeout must be > 0, wrap-ups >= 0, intervals > 0 when set.
    [[nodiscard]] Result<void> SetLinePolicy(const LineId& line, const LinePolicy& policy);

    // Adds a counsellor (offline) or replaces the profile of an existing one.
    // kConflict while they ring or are on a call. May ring them at once if
    // they are available and now match a waiting call.
    [[nodiscard]] Result<Commands> SetCounsellorProfile(const CounsellorProfile& profile, TimeMs now);

    // A caller has chosen their language and joins the queue. kConflict for an
    // id already in the Router; kNotFound for a line without policy.
    [[nodiscard]] Result<Commands> CallArrived(const CallInfo& call, TimeMs now);

    // The caller hung up while queued or ringing: stops every ring, emits
    // Abandoned with the wait. kConflict when the call is bridged (use CallEnded).
    [[nodiscard]] Result<Commands> CallAbandoned(const CallId& call, TimeMs now);

    // The counsellor (from the console) sets their availability: kAvailable,
    // kBreak or kOffline (other states: kInvalid).
    //  - available: from offline, break (this is how a missed-call pause is
    //    confirmed) or wrap-up (ends it early). While ringing it is a no-op;
    //    while on a call it cancels an earlier request for a break/offline.
    //  - break/offline: at once, except while on a call, when it is applied
    //    at the end of the wrap-up instead. While ringing, the ring stops and
    //    the call goes to the next counsellor.
    [[nodiscard]] Result<Commands> SetAvailability(const CounsellorId& counsellor, CounsellorState wanted, TimeMs now);

    // The counsellor's phone unregistered (or its registration expired): nobody can ring them now. Idle
    // (available, on a break, ringing): offline at once, as SetAvailability(kOffline). On a call or in
    // wrap-up: nothing changes; the call and its wrap-up go on, and afterwards the counsellor returns to
    // the state they chose (a phone going away is not their choice). kNotFound for an unknown counsellor.
    [[nodiscard]] Result<Commands> PhoneGone(const CounsellorId& counsellor, TimeMs now);

    // Whether the counsellor's phone, as registered now, would carry an encrypted leg (a browser phone, or a
    // desk phone over TLS with SRTP). Unknown until told: false. Rings in progress go on; a counsellor now
    // encrypted and available may be rung at once for a waiting call of a line with encrypted_phones_only.
    // kNotFound for an unknown counsellor.
    [[nodiscard]] Result<Commands> SetPhoneEncrypted(const CounsellorId& counsellor, bool encrypted, TimeMs now);

    // The counsellor's phone answered `call`: Bridge, and every other ring of
    // that call stops. kConflict if that phone is not ringing for that call.
    [[nodiscard]] Result<Commands> RingAnswered(const CallId& call, const CounsellorId& counsellor, TimeMs now);

    // The ring could not go on: declined, unreachable, phone vanished mid-ring.
    // The counsellor goes to break(phone_failed) (not rung again until they say
    // they are available) and the call rings the next. kConflict as RingAnswered.
    [[nodiscard]] Result<Commands> RingFailed(const CallId& call, const CounsellorId& counsellor, TimeMs now);

    // The bridged call ended, by either side. The counsellor goes to wrap-up.
    // kConflict when the call is not bridged.
    [[nodiscard]] Result<Commands> CallEnded(const CallId& call, const CallOutcome& outcome, TimeMs now);

    // The counsellor's side of bridged `call` failed (their media stopped, their browser tab closed) while the
    // caller is still there. The counsellor wraps up `call` (as CallEnded, by `outcome`) and is then not ready:
    // break(phone_failed), or offline if they had asked for it. The caller comes back as `requeued` (a new id,
    // telephony's new contact) at the FRONT of the queue, ahead of every waiting call, keeping the original
    // arrival time (waits, positions and the live figures count from it) and language; its overflow and
    // announcement clocks start again from `now`, and no specialist preference applies. kNotFound for an unknown
    // call; kConflict when it is not bridged or `requeued` is already in the Router; kInvalid for an empty id.
    [[nodiscard]] Result<Commands> CallInterrupted(const CallId& call, const CallId& requeued,
                                                   const CallOutcome& outcome, TimeMs now);

    // ---- blind transfer (the counsellor on a bridged call hands it on) ----
    // The counsellor of bridged `call` transfers it to `target`, who must be available and serve the call's
    // line (not its overflow pool). The target's phone rings for the call (Ring; kRinging, as any ring, for the
    // line's ring_timeout) while the call stays bridged to its counsellor. A transfer ring that times out ends
    // as any ring does (StopRinging, the target paused: missed_call), one that fails as RingFailed does; either
    // way the call stays with its counsellor, and telephony gives it back to them. kNotFound for an unknown
    // call; kConflict (field "call") when it is not bridged or a transfer already rings for it; kInvalid (field
    // "to") for an unknown target or the call's own counsellor; kForbidden (field "to") when the target does
    // not serve the line; kConflict (field "to") when the target is not available.
    [[nodiscard]] Result<Commands> TransferRing(const CallId& call, const CounsellorId& target, TimeMs now);
    // The target answered the transfer ring of `call`: its counsellor wraps it up (as CallEnded, by `outcome`)
    // and the caller carries on as `next` (telephony's new contact), bridged to the target (Bridge{next}),
    // keeping the original arrival time. kNotFound / kConflict as RingAnswered; kConflict (field "next") when
    // `next` is already in the Router; kInvalid for an empty id.
    [[nodiscard]] Result<Commands> TransferAnswered(const CallId& call, const CounsellorId& target, const CallId& next,
                                                    const CallOutcome& outcome, TimeMs now);
    // ---- warm transfer (consult): the counsellor talks to a colleague before handing the call on ----
    // The consult ring is TransferRing's (same rules, same ring timeout and pauses when unanswered or failed).
    // The colleague answered it: they are on the call (kOnCall, `call` on their view; no ring timeout) as its
    // consultant while the call stays bridged to its counsellor. kNotFound / kConflict as RingAnswered;
    // kConflict (field "call") when `call` is not connected.
    [[nodiscard]] Result<Commands> ConsultAnswered(const CallId& call, const CounsellorId& target, TimeMs now);
    // The consult ends without a hand-over (cancelled, the colleague hung up): a consultant goes to what they
    // asked for meanwhile (available unless they asked for a break or offline: it was no failure of theirs); a
    // consult ring still going stops (StopRinging, the colleague available). Nothing when there is neither.
    // kNotFound for an unknown call.
    [[nodiscard]] Result<Commands> ConsultEnded(const CallId& call, TimeMs now);
    // The counsellor joins the caller to the consultant and leaves: as TransferAnswered (they wrap `call` up
    // by `outcome`, the caller carries on as `next` bridged to the consultant, Bridge{next}). kNotFound for an
    // unknown call; kConflict (field "call") when nobody consults on it; kConflict (field "next") when `next`
    // exists; kInvalid for an empty id.
    [[nodiscard]] Result<Commands> ConsultCompleted(const CallId& call, const CallId& next, const CallOutcome& outcome,
                                                    TimeMs now);
    // The counsellor of bridged `call` hands it to `line`'s queue (their own line's, or another's): they wrap it
    // up (as CallEnded, by `outcome`) and the caller comes back as `next` at the FRONT of that line's queue,
    // as CallInterrupted does (original arrival and language kept, overflow and announcement clocks from
    // `now`, no specialist preference), but the counsellor is not paused. A transfer ring still going stops.
    // kNotFound for an unknown call; kInvalid (field "to") for a line without policy; kConflict when the call
    // is not bridged or `next` exists; kInvalid for an empty id.
    [[nodiscard]] Result<Commands> TransferToQueue(const CallId& call, const CallId& next, const LineId& line,
                                                   const CallOutcome& outcome, TimeMs now);

    // ---- reassign (a supervisor offers a waiting caller to a chosen counsellor: offer.cpp) ----
    // A supervisor offers waiting `call` to `counsellor`, ahead of the routing order: they are rung next for it,
    // alone (Ring, for the line's ring_timeout), and nobody else is rung for it while the offer rings; any other
    // ring of the call stops (StopRinging; those counsellors stay available, unpaused). The caller keeps their
    // place in the queue throughout (positions, waits and overflow go on). A counsellor ringing for another
    // waiting call that routing chose is taken off that ring (StopRinging, unpaused; that call keeps its place
    // and goes on to the next counsellor); one already ringing for `call` is kept ringing, now as the offer.
    // The offer ends with the ring: answered, the call is bridged as for any ring (RingAnswered); unanswered
    // for ring_timeout, declined or failed (RingFailed), the counsellor is paused as for any ring, OfferLapsed
    // is emitted and the call is routed as before, still in its place. The supervisor's choice overrides the
    // call's language and specialism; the line does not: the counsellor must serve the call's line (or, once
    // it has overflowed, its overflow_pool).
    // kNotFound (field "call") for an unknown call; kConflict (field "call") when it is answered or an offer
    // already rings for it; kInvalid (field "counsellor") for an unknown counsellor; kForbidden (field
    // "counsellor") when they do not serve the line; kConflict (field "counsellor") when they are not available
    // (on a call, in wrap-up, on a break, offline, or ringing for an offer or a transfer), or the line requires
    // encrypted phones and theirs is not. On an error nothing changes.
    [[nodiscard]] Result<Commands> OfferCall(const CallId& call, const CounsellorId& counsellor, TimeMs now);

    // `call` on `line` was cut short by a restart of the service (the previous process stopped without ending
    // it): its counsellor wraps it up now, for the line's wrap_up (wrap_up_after_concern when `outcome` says
    // so), then returns to the state they are in (available, break or offline). kNotFound for an unknown
    // counsellor or line; kConflict when they are ringing, on a call or already wrapping up (nothing changes).
    [[nodiscard]] Result<Commands> WrapUpCutCall(const CounsellorId& counsellor, const LineId& line,
                                                 const CallId& call, const CallOutcome& outcome, TimeMs now);

    // The counsellor finished their notes before the wrap-up time ran out.
    // kConflict when not in wrap-up.
    [[nodiscard]] Result<Commands> WrapUpDone(const CounsellorId& counsellor, TimeMs now);

    // The overflow destination answered a call already offered to it: its rings
    // stop and it leaves the queue. kConflict if not offered or already bridged.
    [[nodiscard]] Result<Commands> OverflowAnswered(const CallId& call, TimeMs now);

    // Acts on every deadline that has passed, as at `now`: ring timeouts, then
    // wrap-up ends, then routing, then overflow and announcements. Never fails.
    Commands Advance(TimeMs now);

    // The earliest time at which Advance would do something; nullopt when no
    // deadline is pending.
    std::optional<TimeMs> NextDeadline() const;

    // The live picture at `now` (not earlier than the latest time seen).
    LiveState Snapshot(TimeMs now) const;

private:
    struct Counsellor {
        CounsellorProfile profile;
        CounsellorState state = CounsellorState::kOffline;
        BreakReason reason = BreakReason::kNone;
        TimeMs since = 0;       // entered `state`
        TimeMs idle_since = 0;  // last call ended, or first profiled
        CallId call;            // ringing for / on; empty otherwise
        TimeMs wrap_up_ends = 0;
        CallId wrapping_up;  // the call that ended, while in wrap-up; empty otherwise
        CounsellorState after_call = CounsellorState::kAvailable;
        BreakReason after_call_reason = BreakReason::kNone;  // kPhoneFailed after an interrupted call
        bool encrypted_phone = false;  // SetPhoneEncrypted
    };
    struct Call {
        CallInfo info;
        TimeMs arrived = 0;
        std::vector<CounsellorId> ringing;
        CounsellorId bridged_to;  // empty until answered
        TimeMs answered = 0;
        bool overflowed = false;
        std::optional<TimeMs> next_announce;
        TimeMs queued_since = 0;  // overflow counts from here: arrival, or the requeue after an interruption
        bool requeued = false;    // back after an interruption: no specialist preference
        CounsellorId offered_to;  // a supervisor's offer ringing now (OfferCall); empty otherwise
        CounsellorId consulting;  // the colleague who answered a consult ring for it (kOnCall); empty otherwise
    };

    TimeMs Later(TimeMs now) const;  // `now`, or the latest time seen if that is later
    void Enter(Counsellor& counsellor, CounsellorState state, BreakReason reason, Commands& out);
    void StartRing(Call& call, Counsellor& counsellor, Commands& out);
    void EndRing(
        Call& call, Counsellor& counsellor, CounsellorState state, BreakReason reason, bool stop, Commands& out);
    void EndAllRings(Call& call, Commands& out);
    void FinishWrapUp(Counsellor& counsellor, Commands& out);
    // The bridged call `id` has left `counsellor`: wrap-up (by `outcome`) or straight to what comes after.
    void StartWrapUp(Counsellor& counsellor, const LinePolicy& policy, const CallId& id, const CallOutcome& outcome,
                     Commands& out);
    // The call's consultant (if any) leaves it for what they asked for meanwhile (available by default).
    void ReleaseConsultant(Call& call, Commands& out);
    // `back` (already out of calls_) joins its line's queue at the front as `next`.
    void Requeue(Call back, const CallId& next);
    bool Serves(const Call& call, const Counsellor& counsellor) const;  // its line, or its pool once overflowed
    // The waiting call `counsellor` rings for, when routing chose it (not an offer, not a transfer); else null.
    Call* RoutedRingOf(const Counsellor& counsellor);
    void Route(Commands& out);
    bool Eligible(const Call& call, const Counsellor& counsellor) const;
    bool SpecialistsOnly(const Call& call) const;
    void RemoveFromQueue(const CallId& call);
    void ExpireRings(Commands& out);
    void ExpireWrapUps(Commands& out);
    bool OfferOverflow(Commands& out);  // true when a call newly overflowed to a pool
    void Announcements(Commands& out);
    const LinePolicy& PolicyOf(const Call& call) const;
    Result<std::pair<Call*, Counsellor*>> FindRing(const CallId& call, const CounsellorId& counsellor);

    TimeMs now_ = 0;
    std::map<LineId, LinePolicy> lines_;
    std::map<CounsellorId, Counsellor> counsellors_;
    std::set<CounsellorId> available_;  // counsellors in kAvailable (kept by Enter)
    std::set<CounsellorId> timed_;      // counsellors ringing or in wrap-up: the ones with a deadline
    std::map<CallId, Call> calls_;
    std::vector<CallId> queue_;  // waiting (queued or ringing) calls, arrival order
};

}  // namespace crisisline::acd
