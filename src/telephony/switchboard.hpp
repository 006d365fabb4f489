#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <memory>
#include <string>
#include <vector>

#include "acd/acd.hpp"
#include "core/clock.hpp"
#include "events/bus.hpp"
#include "media/frames.hpp"
#include "media/monitor_mix.hpp"
#include "media/prompt_set.hpp"
#include "media/rtp_rewriter.hpp"
#include "records/call_log.hpp"
#include "records/phone_registrations.hpp"
#include "telephony/admission.hpp"
#include "telephony/call_control.hpp"
#include "telephony/call_quality.hpp"
#include "telephony/config.hpp"
#include "telephony/counters.hpp"
#include "telephony/digest.hpp"
#include "telephony/dtls_srtp.hpp"
#include "telephony/media_ports.hpp"
#include "telephony/queue_summary.hpp"
#include "telephony/registration.hpp"
#include "telephony/sip_tls.hpp"

struct sip;
struct sip_msg;
struct sipsess_sock;
struct sip_lsnr;
struct tmr;
struct sa;
struct rtp_header;
struct mbuf;

namespace crisisline::telephony {

struct Leg;
struct FollowUpCall;
enum class LegKind;
struct Call;
struct ReplacesDialog;

// What the switchboard reports outside the telephony loop. Every hook is
// called on the loop thread and must not block: CallLog queues to the
// storage writer; the Bus hands events on.
struct Hooks {
    records::CallLog* call_log = nullptr;
    records::PhoneRegistrations* registrations = nullptr;  // bindings kept across restarts (queued, never waited on)
    events::Bus* bus = nullptr;
    // Routing latency, in seconds: from the event that made a phone ring (a caller joining the
    // queue, a counsellor becoming available, a timer) to its INVITE handed to the transport.
    std::function<void(double seconds)> routing_latency;
    // Runs `task` on the loop thread later (after the current handler returns).
    // The CallLog's completion callbacks arrive on the writer thread and come back through this.
    std::function<void(std::function<void()>)> post;
};

// The SIP side of the service, on libre: terminates calls from carrier trunks,
// greets, lets the caller choose Welsh, queues, rings registered counsellor
// phones as the acd::Router decides, bridges (relaying RTP through the
// server) and writes each call's contact record through the CallLog.
//
// Threading: every method, and every libre object it holds, is used on the
// one thread running re_main (the telephony loop). Nothing here waits on the
// database. Construct, Open and destroy it on that thread.
//
// Never ends a caller's leg on its own account except: the caller hung up, the
// bridged counsellor hung up (the caller gets a BYE after their counsellor
// has gone), the caller's RTP stopped arriving for rtp_timeout_s, or the service
// stops. When the counsellor's side fails instead (no media from their phone or
// browser for counsellor_media_timeout_s, their browser tab closed), the caller
// is never the one who loses: they hear the reconnecting prompt and go back to
// the front of their line's queue (Interrupt, requeue.cpp).
class Switchboard {
public:
    Switchboard(TelephonyConfig config, media::PromptSet prompts, Hooks hooks, const Clock& clock,
                Counters& counters);
    ~Switchboard();
    Switchboard(const Switchboard&) = delete;
    Switchboard& operator=(const Switchboard&) = delete;

    // Binds SIP (UDP and TCP) on config.listen, TLS on config.tls_listen (when set), and starts the media
    // clock. kUnavailable with the address when it cannot bind; kInvalid naming the file when a TLS
    // certificate, key or trunk CA cannot be loaded.
    [[nodiscard]] Result<void> Open();
    std::uint16_t SipPort() const { return sip_port_; }
    std::uint16_t TlsPort() const { return tls_port_; }  // 0 without tls_listen
    // Re-reads the TLS certificate and key (SIGHUP): new handshakes present them, calls go on. kUnavailable
    // without tls_listen; the loading error (the old certificate stays) otherwise.
    [[nodiscard]] Result<void> ReloadTls();
    const TelephonyConfig& Config() const { return config_; }

    // Lines (numbers and routing) and counsellors (profiles and SIP accounts).
    // Counsellors who left the book go offline; calls in progress go on.
    void Load(const records::TelephonyBook& book);

    // After the first Load: what the previous process left. `registrations` (records::PhoneRegistrations::Load)
    // become bindings again, as if each phone had just registered, so routing resumes at once; one whose
    // account is no longer in the book, or belongs to someone else now, or that has expired, is dropped.
    // `cut_short` are the calls it left unfinished, ended at start (records::CallLog::EndUnfinished): each
    // counsellor who answered one wraps it up before being rung again, and the console hears call.ended
    // with reason "server_restart".
    void Resume(const std::vector<records::PhoneRegistration>& registrations,
                const std::vector<records::CallRecord>& cut_short);

    // A counsellor sets their availability (kAvailable, kBreak, kOffline).
    // kNotFound for someone without a SIP account; kInvalid for another state.
    [[nodiscard]] Result<void> SetAvailability(const std::string& counsellor, acd::CounsellorState wanted);
    // Rings `counsellor`'s phone, then (once they answer) dials `number` through the
    // outbound trunk with the line's number as caller ID, and bridges the two.
    // `done(outcome)` is called once, on this thread: "connected" (the number answered),
    // "no_answer", "busy", "wrong_number", "counsellor_did_not_answer" or "failed".
    // kNotFound: no phone account; kUnavailable: phone not registered, or no outbound
    // trunk; kConflict: the counsellor is ringing, on a call, or already calling back.
    [[nodiscard]] Result<void> CallBack(const std::string& follow_up_id, const std::string& line_id,
                                        const std::string& counsellor, const std::string& number,
                                        std::function<void(std::string outcome)> done);

    // What the counsellor has recorded on the call's contact so far: a call with cause for
    // concern or an escalation earns the longer wrap-up when it ends. Unknown calls are ignored.
    void NoteOutcome(const std::string& call_id, bool cause_for_concern, bool escalated);

    // The counsellor finished their notes; ends the wrap-up early.
    [[nodiscard]] Result<void> WrapUpDone(const std::string& counsellor);

    // New calls hear `prompts`; calls in progress finish with the prompts they began with.
    void ReplacePrompts(std::shared_ptr<const media::PromptSet> prompts);

    // Ends every call (BYE / CANCEL) for a shutdown; contact records are written.
    void HangUpAll();

    // ---- browser phones (browser_phones.cpp): the console as the counsellor's phone (WebRTC) ----
    struct BrowserPhoneHeld {
        std::string tab;           // the tab that holds the phone now
        std::string previous_tab;  // the tab it was taken from, or empty
    };
    // The counsellor answers in browser tab `tab` (an id the tab chose): routing treats it as their
    // registered phone for `expires_s` seconds, renewed by calling again (a tab that stops renewing is a
    // phone that stops registering). A SIP REGISTER later replaces it, as a newer binding would.
    // kNotFound: no phone account; kConflict (field "tab"): another tab holds it and `take_over` is false,
    // or that tab has a call in progress.
    [[nodiscard]] Result<BrowserPhoneHeld> HoldBrowserPhone(const std::string& counsellor, const std::string& tab,
                                                            bool take_over, std::int64_t expires_s);
    // Back to the desk phone: the binding goes, as an unregistration would. Nothing when `tab` does not hold
    // it. kConflict while that tab has a call in progress.
    [[nodiscard]] Result<void> ReleaseBrowserPhone(const std::string& counsellor, const std::string& tab);
    // The browser answers call `call_id`, which rings it, with its SDP offer; returns the server's answer.
    // `serves(line)` says whether the counsellor serves a line (checked against the call's line and, after
    // an overflow to a sister line, that line). kNotFound: no such call; kConflict: it is not ringing this
    // counsellor's browser (or someone else answered first); kInvalid (field "sdp"): an offer the server
    // cannot take (browser_sdp.hpp); kForbidden: a line they do not serve.
    [[nodiscard]] Result<std::string> AnswerInBrowser(const std::string& counsellor, const std::string& call_id,
                                                      const std::string& offer,
                                                      const std::function<bool(const std::string&)>& serves);
    // The browser re-offers on the call it answered (RFC 3264 section 8), e.g. to restart ICE after a network
    // change; returns the server's answer. New ICE credentials (an ICE restart, RFC 8445 section 2.4): fresh
    // server credentials, the same certificate, setup role and codec, the DTLS-SRTP session kept; checks with
    // the old credentials pass until the browser nominates a pair with the new ones, then are refused
    // (counted stun_wrong_credentials); the media follows the nominated pair. The same credentials: the last
    // answer again. kInvalid (field "sdp"): an offer ReadBrowserReoffer refuses (a changed fingerprint among
    // them); kNotFound: no such call; kConflict: not this counsellor's browser's call in progress;
    // kForbidden: a line they do not serve.
    [[nodiscard]] Result<std::string> ReofferFromBrowser(const std::string& counsellor, const std::string& call_id,
                                                         const std::string& offer,
                                                         const std::function<bool(const std::string&)>& serves);
    // Declines a ring (as a phone that rang out: the Router's ring timeout rules apply) or hangs up the call
    // in progress. kNotFound / kConflict as for AnswerInBrowser.
    [[nodiscard]] Result<void> HangUpInBrowser(const std::string& counsellor, const std::string& call_id);
    // The live feed (WebSocket) of browser tab `tab` closed (`open` false) or opened again (`open` true). A tab
    // holding the phone whose feed closed keeps it `grace_s` more seconds (a reload, a network blip), then it
    // is released as an expired registration, and a call in progress on it is interrupted (the caller goes
    // back to the front of the queue). Its feed opening again within the grace renews the phone. The feed's state
    // is kept per counsellor for the tab whose feed last opened: while it is closed, renewing the phone from that
    // tab does not keep it past the grace (the tab cannot hear a ring), and once the grace is over the tab cannot
    // take the phone again until its feed is back (HoldBrowserPhone: kConflict, field "tab").
    void BrowserTabFeed(const std::string& counsellor, const std::string& tab, bool open, std::int64_t grace_s);
    // Whether `counsellor` has a bridged browser call whose audio arrived in the last 2 s (a feed that dropped
    // then is a blip, not a closed tab: ExpireRegistrations keeps the call).
    bool BrowserMediaFresh(const std::string& counsellor, std::int64_t now) const;
    const std::string& DtlsFingerprint() const;
    // The browser of `counsellor` reports the quality it measures on call `call_id`, which is bridged to it.
    // The latest report per counsellor is kept in memory (numbers and a grade only) for the live picture, and
    // `phone.quality` goes to the live feed on a call's first report and whenever its grade changes.
    // kNotFound / kConflict as for HangUpInBrowser; kConflict (field "call") also while it still rings.
    [[nodiscard]] Result<void> ReportBrowserQuality(const std::string& counsellor, const std::string& call_id,
                                                    CallQuality quality);
    // Counsellor ids whose live registration is a browser tab's (they answer in the browser).
    std::vector<std::string> BrowserPhones() const;
    // The latest quality each counsellor's browser reported, by staff id.
    const std::map<std::string, CallQuality>& BrowserQuality() const { return browser_quality_; }

    // ---- call control (call_control.cpp): the console's controls of a bridged call ----
    // The counsellor on call `call_id` (desk or browser phone) puts the caller on hold (`hold`) or takes them
    // off it. While held the caller hears the line's hold audio, nothing is relayed either way (the
    // counsellor hears nothing of the caller), and the RTP timeout does not end the call. Idempotent: holding
    // a held call changes nothing. call.held / call.resumed go to the live feed when the state changes.
    // kNotFound: no such call in progress; kConflict (field "call"): it is not bridged to this counsellor;
    // kForbidden: `serves` says they do not serve the call's line (nor, after an overflow, its pool's).
    [[nodiscard]] Result<CallControl> HoldCall(const std::string& counsellor, const std::string& call_id, bool hold,
                                               const std::function<bool(const std::string&)>& serves);
    // ---- blind transfer (transfer.cpp) ----
    // The counsellor on bridged call `call_id` (desk or browser phone) hands it on. To a colleague
    // (TransferTarget::kCounsellor): they must be available, serve the call's line and have a phone that can
    // ring; their phone rings for the line's ring timeout while the caller hears the hold audio (the counsellor
    // hears nothing of them). When it answers, the counsellor's leg gets BYE, their contact ends "transferred"
    // (open for their wrap-up, `continued_in` the next) and the caller carries on in a new contact (`continues`)
    // bridged to the colleague. Unanswered, declined or failed, the call goes back to the counsellor as it was
    // (call.transfer_failed); the counsellor hanging up meanwhile leaves the caller at the front of the line's
    // queue. To a line (kLine): the line's overflow sister line, or one `serves` allows: the caller joins its
    // queue at the front as a new contact, and the counsellor's contact ends "transferred". call.transferring /
    // call.transferred go to the live feed (ids only). kNotFound: no such call in progress; kForbidden: a line
    // they do not serve, or (field "to") a colleague or line the rules do not allow; kConflict (field "call"):
    // not bridged to them, monitored, or a transfer already rings; kConflict (field "to"): the colleague is not
    // available or their phone is not registered; kInvalid (field "to"): no such counsellor or line, or
    // themselves.
    [[nodiscard]] Result<TransferStarted> TransferCall(const std::string& counsellor, const std::string& call_id,
                                                       const TransferTarget& to,
                                                       const std::function<bool(const std::string&)>& serves);
    // Whom `counsellor` may transfer bridged call `call_id` to now (the rules of TransferCall). Errors as
    // TransferCall's for the call.
    [[nodiscard]] Result<TransferTargets> TransferTargetsOf(const std::string& counsellor, const std::string& call_id,
                                                            const std::function<bool(const std::string&)>& serves);
    // ---- three-party conference (conference.cpp) ----
    // The counsellor on bridged call `call_id` adds a third party. A colleague (ConferenceTarget::kCounsellor)
    // is rung as for a blind transfer to them (the Router's rules: available, serving the call's line, a phone
    // that can ring); an external service (kExternal) must be one of the line's transfer_targets and is dialled
    // at its URI with the line's number as caller ID and the line's name as display name (never anything of the
    // caller's), over TLS with the trunk's rules when its host is an outbound trunk's; one of kind "emergency"
    // only once an escalation is recorded on the call (NoteOutcome). Caller and counsellor go on talking while
    // it rings; once it answers all three hear each other (mixed on the media clock). Unanswered (the line's
    // ring timeout for a colleague, 45 s for a service), refused, or the third party hanging up: back to a plain
    // bridge. call.conference (to, kind, state) goes to the live feed; call.conference_connected and
    // call.conference_ended are audited (CallLog::CallControl).
    // kNotFound / kForbidden / kConflict (field "call") as HoldCall's; kConflict (field "call") also while held,
    // monitored, transferring, in a consult (warm transfer) or already in a conference; kInvalid (field "to"):
    // no such colleague or target, or themselves; kForbidden (field "to"): a colleague who does not serve the
    // line; kConflict (field "to"): not available, phone not registered, or an emergency service before an
    // escalation; kUnavailable: the service could not be dialled (no media port, TLS required but off).
    [[nodiscard]] Result<CallControl> AddToConference(const std::string& counsellor, const std::string& call_id,
                                                      const ConferenceTarget& to,
                                                      const std::function<bool(const std::string&)>& serves);
    // Drops the third party (CANCEL while it rings, BYE once answered): a plain bridge again. kConflict (field
    // "call"): no conference; other errors as HoldCall's.
    [[nodiscard]] Result<CallControl> DropFromConference(const std::string& counsellor, const std::string& call_id,
                                                         const std::function<bool(const std::string&)>& serves);
    // The counsellor leaves the caller with the third party, who has answered: their leg gets BYE and their
    // contact ends "transferred", `continued_in` the contact the caller carries on in (bridged to the colleague,
    // who takes it as a transfer; or to the external service, with no counsellor). kConflict (field "call"): no
    // conference, or the third party has not answered; other errors as HoldCall's.
    [[nodiscard]] Result<TransferStarted> LeaveConference(const std::string& counsellor, const std::string& call_id,
                                                          const std::function<bool(const std::string&)>& serves);

    // ---- reassign (reassign.cpp): a supervisor offers a waiting caller to a chosen counsellor ----
    // `supervisor` offers waiting call `call_id` to `counsellor`, ahead of the routing order (acd::Router::OfferCall):
    // that counsellor's phone (desk or browser) rings for it next, alone, while the caller keeps their place in
    // the queue; unanswered or declined, the call is routed as before, still in its place. call.offered (with
    // the counsellor, and the supervisor in its data) and, if it lapses, call.offer_ended (its reason) go to
    // the live feed: ids only. `serves(line)` must allow the call's line. kNotFound (field "call"): no such
    // call in progress; kForbidden: not their line; kConflict (field "call"): the call is not waiting (still
    // greeting, answered) or already offered; kInvalid (field "counsellor"): no such counsellor takes calls;
    // kConflict (field "counsellor"): their phone is not registered, or they are not available (the Router's
    // rule); kForbidden (field "counsellor"): they do not serve the call's line.
    [[nodiscard]] Result<std::string> OfferCall(const std::string& supervisor, const std::string& call_id,
                                                const std::string& counsellor,
                                                const std::function<bool(const std::string&)>& serves);
    // Whom waiting call `call_id` may be offered to now (OfferCall's rules). Errors as OfferCall's for the call.
    [[nodiscard]] Result<OfferTargets> OfferTargetsOf(const std::string& call_id,
                                                      const std::function<bool(const std::string&)>& serves);
    // ---- warm transfer, or consult (consult.cpp) ----
    // The counsellor on bridged call `call_id` (desk or browser phone) consults colleague `to` (a staff id)
    // before handing the call on. The caller is held (the hold audio, nothing of either side) and the
    // colleague's phone (desk or browser) rings as for a blind transfer to them, with the same rules and errors
    // as TransferCall's (kConflict, field "call", also while a consult is under way or the call is in a
    // three-party conference). Answered, the counsellor
    // and the colleague hear each other (call.consulting, state "connected") and nobody hears the caller.
    // Unanswered, declined or failed, or the colleague hanging up, the call is the counsellor's again as it was
    // (call.consult_ended). The counsellor hanging up while the colleague is on the line hands the caller on to
    // them (as CompleteConsult); while it still rings, the caller goes to the front of the line's queue.
    [[nodiscard]] Result<CallControl> ConsultCall(const std::string& counsellor, const std::string& call_id,
                                                  const std::string& to,
                                                  const std::function<bool(const std::string&)>& serves);
    // Joins the caller to the colleague who answered and lets the counsellor's leg go, as an answered blind
    // transfer does: their contact ends "transferred", `continued_in` the contact the caller carries on in
    // (TransferStarted state "completed"). kConflict (field "call"): no consult, or the colleague's phone still
    // rings; other errors as HoldCall's for the call.
    [[nodiscard]] Result<TransferStarted> CompleteConsult(const std::string& counsellor, const std::string& call_id,
                                                          const std::function<bool(const std::string&)>& serves);
    // Ends the consult: the colleague's leg goes (CANCEL while it rings, BYE once answered) and the counsellor is
    // back with the caller (taken off hold unless held before the consult). kConflict (field "call"): no consult;
    // other errors as HoldCall's.
    [[nodiscard]] Result<CallControl> CancelConsult(const std::string& counsellor, const std::string& call_id,
                                                    const std::function<bool(const std::string&)>& serves);
    // Calls under control now, by call id (held or monitored ones; the others are left out).
    std::map<std::string, CallControl> CallControls() const;
    // Every bridged call's legs by how their media is protected, by call id (line_encryption.cpp).
    std::map<std::string, CallLegs> BridgedLegs() const;

    // ---- supervisor monitoring (monitoring.cpp), as Asterisk ChanSpy's modes, never covert ----
    // `supervisor` monitors bridged call `call_id` in `mode`: their registered desk phone rings (the line's name
    // as caller ID, prefixed "Monitor: "); once answered they hear caller and counsellor mixed (kListen), also
    // speak to the counsellor alone (kCoach) or to both (kJoin). Called again while monitoring, it changes the
    // mode. The counsellor is told at once (call.monitor, with the call's counsellor on it, so their desk shows
    // it) and each start, mode change and end is audited (CallLog::Monitoring). `serves(line)` must allow the
    // call's line. kNotFound: no such call in progress; kConflict (field "call"): not bridged to a counsellor,
    // or another supervisor monitors it; kConflict (field "supervisor"): the supervisor is on a call or ringing
    // themselves; kUnavailable (field "supervisor"): their phone is not registered; kForbidden: not their line.
    // A supervisor who answers in the browser (HoldBrowserPhone) is rung there instead: call.monitor carries
    // "browser": true, their tab answers with its WebRTC offer through AnswerInBrowser (and may re-offer, and
    // hang up, as for a call), and their DTLS-SRTP leg goes into the mix as a desk phone's would. A tab that
    // does not answer within rtp_timeout_s, or stops ICE consent for as long, or lets the phone go, ends the
    // monitoring (audited, and the counsellor told, as any end).
    [[nodiscard]] Result<CallControl> Monitor(const std::string& supervisor, const std::string& call_id,
                                              media::MonitorMode mode,
                                              const std::function<bool(const std::string&)>& serves);
    // Ends `supervisor`'s monitoring of the call (BYE or CANCEL to their phone). kNotFound when they are not
    // monitoring it.
    [[nodiscard]] Result<void> StopMonitoring(const std::string& supervisor, const std::string& call_id);

    acd::LiveState Snapshot() const;
    // Cause for concern / escalation noted on calls in progress (see NoteOutcome), by call id.
    const std::map<std::string, acd::CallOutcome>& Outcomes() const { return outcomes_; }
    std::vector<std::string> RegisteredPhones() const;  // counsellor ids with a live registration
    std::vector<records::PhoneCounsellor> Counsellors() const;  // without their SIP passwords

private:
    friend struct Callbacks;
    // A registered desk phone (or softphone): where a REGISTER said to ring it.
    struct DeskContact {
        std::string contact_uri;
        std::int64_t expires_ms = 0;
        bool behind_nat = false;
        std::string tls_flow;  // as Binding::tls_flow
    };
    struct Binding {
        std::string contact_uri;
        std::string counsellor;
        std::int64_t expires_ms = 0;
        bool behind_nat = false;  // its Contact names a private address other than where the REGISTER came from
        bool browser = false;     // a browser phone (HoldBrowserPhone): rung over the live feed, media WebRTC
        std::string tab;          // browser: the tab that holds it
        // Registered over TLS: the connection it registered on ("ip:port" of the phone's end), which rings
        // it (RFC 5626's flow, as a Route). Empty otherwise, and after a restart (its contact is dialled).
        std::string tls_flow;
        // browser: the desk phone's registration while the tab holds the phone. Its refreshes land here (and
        // in the store) instead of taking the phone back from the tab; "Use my desk phone" rings it again at
        // once, with no re-registration.
        std::optional<DeskContact> desk;
        bool feed_closed = false;      // browser: its tab's live feed closed; expires_ms cut to the grace
        std::int64_t renewed_until = 0;  // browser, feed_closed: the expiry to restore if the feed comes back
    };
    // After a browser tab lets go (released, or its hold lapsed): back to the desk phone kept aside, if it is
    // still registered, else unbound.
    void BrowserLetGo(const std::string& username, const char* why);
    struct Account {
        records::PhoneCounsellor counsellor;
        std::uint8_t ha1[16] = {};
        bool applied = false;  // the Router has this profile
    };

    // ---- a desk phone dials a colleague to consult on its call (phone_consult.cpp) ----
    // How a desk phone does an attended transfer when crisisline is its only server (RFC 3515 + RFC 3891): it
    // holds the caller's dialog (A), sends a new INVITE (B) for a colleague's SIP username, and, once they have
    // talked, sends REFER with Replaces naming the other dialog (in A naming B, or in B naming A). B is the
    // console's consult (StartConsult: the Router's TransferRing rules, the ordinary Ring, the caller held,
    // hearing neither side) whose counsellor side is B instead of A (Call::Consult::desk).
    //
    // Whether `msg`, an INVITE outside any dialog, is a desk phone's rather than a trunk's: its Request-URI names
    // no line's number, and it or its From names a phone account. An INVITE for a line's number always takes the
    // trunk path, as before.
    bool FromDeskPhone(const sip_msg* msg) const;
    // A desk phone's INVITE (B). The phone proves its account with a digest answer (407 challenge with a nonce
    // bound to its address, qop=auth, a rising nc; wrong answers throttled with REGISTER's; 403 for a wrong one,
    // and 403 + Warning when the account requires TLS and this came in plain). Then, each refusal a final
    // response with a Warning saying why and nothing changed: 403 when the counsellor has no call bridged to
    // their desk phone (crisisline is not a PBX: a phone dials colleagues only to consult on a live call), when
    // the Request-URI names no colleague's phone account (or themselves), or when the consult rules refuse the
    // colleague (another line) or the call (a transfer, consult, conference or monitoring under way); 480 when
    // the colleague is not available or their phone is not registered or cannot be rung; 488 for an INVITE with
    // no usable SDP offer. Otherwise 180, the colleague's phone rings, and the consult is audited
    // (call.consult_start, via "refer"). B is answered (200, SDP) when the colleague answers; refused 486 when
    // they decline, 480 unanswered, 503 when the ring fails.
    void OnDeskPhoneInvite(const sip_msg* msg);
    // The account whose digest answer `msg` (an INVITE) carries; null once `msg` has been answered instead
    // (407, 400, 403, 503).
    const Account* AuthenticateDeskPhone(const sip_msg* msg);
    // The call bridged to `counsellor`'s desk phone (a SIP leg, up), or null.
    Call* DeskCallOf(const std::string& counsellor);
    // The colleague answered a consult the desk phone dialled: its dialog B gets 200 with the SDP answer. false
    // when it cannot be sent (the consult then ends "failed").
    bool AnswerDesk(Call& call);
    // The desk phone's dialog B of `call` goes as the consult ends `why`: still unanswered it is refused (486
    // "declined", 480 "no_answer", 503 otherwise), answered it gets BYE; retired either way. Nothing without one.
    void ReleaseDesk(Call& call, const char* why);
    // Dialog B ended from the phone's side (BYE, CANCEL) or failed: the consult ends "cancelled" (audited
    // call.consult_cancel, via "refer") and the call is the counsellor's as before; after a REFER with Replaces was
    // accepted, the hand-over is completed instead.
    void DeskGone(Leg& leg);
    // REFER with Replaces in `leg` (dialog A or B of a desk phone's consult), refer.cpp. The dialog named (its
    // Call-ID and both tags, RFC 3891 section 3) must be the other of the two: else 481. 403 + Warning while the
    // colleague has not answered. Otherwise 202, audited call.consult_complete (via "refer"), NOTIFY
    // "SIP/2.0 200 OK" (subscription terminated) in `leg`'s dialog, then (posted: it ends the session whose
    // callback runs) the console's complete: the caller is bridged to the colleague, A and B get BYE.
    void OnAttendedRefer(Leg& leg, const sip_msg* msg, const ReplacesDialog& replaces);

    // ---- libre callbacks (static trampolines call these) ----
    bool OnRequest(const sip_msg* msg);
    // ---- dialogs (dialogs.cpp) ----
    // The leg whose dialog `msg` belongs to (Call-ID and tags), or null.
    Leg* FindLeg(const sip_msg* msg);
    // True when `msg` is a request inside one of our dialogs from an address that is not that leg's peer:
    // it has been refused (403; an ACK is dropped), logged and counted, and must go no further.
    bool RefuseForged(const sip_msg* msg);
    void OnInvite(const sip_msg* msg);
    void OnRegister(const sip_msg* msg);
    void OnTick(std::uint64_t expirations);
    void OnRouterTimer();

    // ---- inbound ----
    // Why `line_id` takes no more calls now (line_max_calls, line_max_waiting), or nullopt.
    std::optional<std::string> LineFull(const std::string& line_id) const;
    // 503 with Retry-After for a call over a limit (admission control); counted, logged at most once a second.
    void RefuseOverCapacity(const sip_msg* msg, const std::string& why, TimeMs retry_after_ms);
    void StartGreeting(Call& call);
    void ChooseLanguage(Call& call, acd::Language language);
    void CallerDigit(Call& call, int digit);
    void CallerGone(Call& call, const char* why);

    // ---- the post-call survey (survey.cpp) ----
    // Whether `call` (its counsellor has just hung up) goes on to the survey: its line offers it, the caller is
    // still there and the counsellor (not an overflow destination) was the one who hung up.
    bool SurveyWanted(const Call& call, const Leg& gone) const;
    // Ends the call as EndCall(call, "completed") does, but keeps the caller's leg for the questions.
    void StartSurvey(Call& call);
    void SurveyDigit(Call& call, int digit);
    // The prompts of the current step have played: start the wait for a key (or, after the thanks, hang up).
    void SurveyPromptsPlayed(Call& call);
    void SurveyTimers(std::int64_t now);  // waits that ran out: on to the thanks, or hang up after it

    // ---- media ----
    void OnMedia(Leg& leg, const rtp_header* hdr, mbuf* mb);
    void SendAudio(Leg& leg, const media::RtpIn& in, const std::uint8_t* payload, size_t n, media::Codec from);
    void PlayFrames(std::uint64_t now_ms);
    void PlayFrame(Leg& leg, const media::Prompt& prompt, size_t index);  // one 20 ms frame of the server's own
    void PlayHold(Leg& leg);
    // Whether a bridged counsellor's leg (a phone or browser) has sent nothing for a couple of seconds without
    // having said it would (hold, recvonly): the caller then hears the hold audio instead of silence.
    bool CounsellorGoneQuiet(const Leg& counsellor) const;  // the next frame of the line's hold audio, looping (its other side holds the call)
    void CheckMediaTimeouts(std::int64_t now);
    // The counsellor's side of bridged `call` failed (`why`, for the log): their leg is let go (BYE, or its tab
    // told), their contact ends "interrupted" for their wrap-up, and the caller carries on as a new contact
    // (same arrival) at the front of the queue, hearing the reconnecting prompt then hold audio. Falls back to
    // ending the call "failed" if routing refuses (it never should). Nothing unless bridged to a phone leg.
    void Interrupt(Call& call, const char* why);

    // ---- browser phones ----
    void RingBrowser(Call& call, const std::string& counsellor);
    // A ringing browser leg goes without an answer (rings stopped, caller gone): its tab is told.
    void BrowserRingStopped(Call& call, const Leg& leg);
    void OnStun(size_t socket, const sa& src, const std::uint8_t* data, size_t n);
    void OnSecureMedia(Leg& leg, mbuf* mb);
    void OnSdesMedia(Leg& leg, mbuf* mb);  // SRTP on a SIP leg keyed by SDES: checked, decrypted, then OnMedia
    void SendDtls(Leg& leg, const DtlsSrtp::Datagrams& datagrams);
    void BrowserTimers();  // DTLS retransmissions while handshakes are under way
    // Files `leg` in browser_legs_ under every ufrag its IceSession answers for now, unfiling those of
    // `before` it no longer knows.
    void FileBrowserLeg(Leg& leg, const std::vector<std::string>& before);
    void Dropped(BrowserDrop why) { ++counters_.browser_dropped[static_cast<size_t>(why)]; }
    // The browser leg of `counsellor` for call `call_id`, or the error to give.
    Result<Leg*> BrowserLegOf(const std::string& counsellor, const std::string& call_id);
    // Whether `serves` allows the call's line, or (a call that overflowed to a sister line) that line.
    bool ServesCallLine(const Call& call, const std::function<bool(const std::string&)>& serves) const;
    CallControl ControlOf(const Call& call) const;
    bool BrowserHasCall(const std::string& counsellor) const;

    // ---- blind transfer (transfer.cpp) ----
    // The call bridged to `counsellor` (their phone leg up), or the error TransferCall gives.
    Result<Call*> CallOf(const std::string& counsellor, const std::string& call_id,
                         const std::function<bool(const std::string&)>& serves);
    bool MayQueueOn(const Call& call, const std::string& line,
                    const std::function<bool(const std::string&)>& serves) const;
    Result<TransferStarted> TransferToColleague(Call& call, const std::string& counsellor, const std::string& to);
    // The colleague's phone answered the transfer ring: the call moves on to them.
    void TransferAnswered(Call& call, Leg& answering);
    // The transfer ring of `counsellor` ended unanswered (`why`): the call is the first counsellor's again.
    // Nothing unless a transfer to them is ringing for the call.
    void TransferRingEnded(Call& call, const std::string& counsellor, const char* why);
    // The caller of bridged `call` joins `line`'s queue at the front as a new contact (its id); routing's error
    // if it refused, when nothing changed.
    Result<std::string> MoveToQueue(Call& call, const std::string& line);
    // The first counsellor's side of `call` goes (their leg let go, their contact ends "transferred" and
    // continues in `next_id`, on `next_line`); returns the record of the contact the caller carries on in.
    // `where` is the call.transferred event's data.
    records::CallRecord HandOn(Call& call, const std::string& next_id, const std::string& next_line,
                               const nlohmann::json& where);
    // A transfer ring still going for `call` stops (CANCEL, or its tab told) before the call changes its id.
    void DropTransferRing(Call& call);
    // ---- consult (consult.cpp) ----
    // ConsultCall's work once the call is found (the console's and the desk phone's consult alike): the checks
    // and errors as ConsultCall's for the call and `to`, the caller held, the colleague's phone rung.
    Result<CallControl> StartConsult(Call& call, const std::string& counsellor, const std::string& to);
    // The colleague's phone answered the consult ring: their leg is up, relayed to the counsellor's.
    void ConsultAnswered(Call& call, Leg& answering);
    // The consult ring of `counsellor` ended unanswered (`why`): the call is the counsellor's again. Nothing
    // unless a consult to them rings for the call.
    void ConsultRingEnded(Call& call, const std::string& counsellor, const char* why);
    // Ends the call's consult (`why` on call.consult_ended): the colleague's leg hung up, the Router told, the
    // caller off hold unless held before. Nothing without a consult.
    void EndConsult(Call& call, const char* why);
    // The consult is completed: the caller carries on with the colleague as a new contact (its id).
    Result<std::string> HandToConsultant(Call& call);
    Leg* ConsultLeg(Call& call);  // the colleague's leg once answered, or null
    // `leg` of a call under consult hung up: true when the consult dealt with it (handed on, ended, requeued).
    bool ConsultPhoneGone(Call& call, Leg& leg);
    // Media of a call whose consult is connected: the counsellor's and the colleague's legs to each other only.
    void RelayConsult(Leg& from, const rtp_header* hdr, const std::uint8_t* payload, size_t n, bool is_event);
    // One packet of `hdr`'s stream on to `to` (DTMF events only if it takes them), transcoded if need be.
    void Relay(Leg& to, const rtp_header* hdr, const std::uint8_t* payload, size_t n, bool is_event);
    // ---- REFER from a counsellor's desk phone (refer.cpp): the same transfer, asked for over SIP ----
    // `leg` (bridged to the caller) sent REFER: Refer-To names a colleague's SIP account or a line's number.
    // 202 and NOTIFY "100 Trying", then the outcome as NOTIFY sipfrag; 403 for a target the rules do not allow.
    void OnRefer(Leg& leg, const sip_msg* msg);
    // NOTIFY (Event: refer) with `sipfrag` in `leg`'s dialog; `final` ends the implicit subscription.
    void NotifyRefer(Leg& leg, const char* sipfrag, bool final);

    // ---- reassign ----
    // The waiting call `call_id` on a line `serves` allows, or the error OfferCall gives.
    Result<Call*> WaitingCallOf(const std::string& call_id, const std::function<bool(const std::string&)>& serves);
    // Whether `counsellor` has a phone that can ring now (a live binding).
    bool PhoneCanRing(const std::string& counsellor) const;

    // ---- conference ----
    Result<CallControl> AddColleague(Call& call, const std::string& counsellor, const std::string& to);
    Result<CallControl> AddExternal(Call& call, const std::string& counsellor, const std::string& target);
    // The external target's leg, dialled as AddToConference says; null when it cannot be.
    std::unique_ptr<Leg> DialExternal(Call& call, const records::ExternalTarget& target);
    Leg* ConferenceLeg(Call& call);  // the third party's leg (ringing or up), or null
    // The third party answered (a colleague's ring or the external leg): mixing starts.
    void ConferenceAnswered(Call& call, Leg& leg);
    // `leg` of a call in a conference hung up or failed: true when it was the third party's (the conference
    // ended, `scode` telling how).
    bool ConferencePartyGone(Call& call, Leg& leg, std::uint16_t scode);
    // The colleague's conference ring stopped unanswered (`why`). Nothing unless it is theirs.
    void ConferenceRingEnded(Call& call, const std::string& counsellor, const char* why);
    // Ends the conference (`why` on call.conference and in the audit): the third party's leg hung up, the
    // Router told of a colleague. Nothing without a conference.
    void EndConference(Call& call, const char* why);
    // The counsellor leaves the caller with the connected third party, who carries the call on: the new
    // contact's id.
    Result<std::string> LeaveConference(Call& call);
    void PublishConference(const Call& call, const char* state, const char* why = nullptr);
    void ConferenceMixIn(Leg& leg, const rtp_header* hdr, const std::uint8_t* payload, size_t n);
    void ConferenceMixOut(Call& call);
    void ConferenceTimers(std::int64_t now);  // an external ring that ran out; a third party gone silent

    // ---- supervisor monitoring ----
    void SupervisorAnswered(Leg& leg);
    void SupervisorGone(Leg& leg, std::uint16_t scode);
    // Ends the call's monitoring (hangs up the supervisor's leg): published and, if it had connected, audited.
    void EndMonitoring(Call& call, const char* why);
    // Rings `supervisor`'s browser phone to monitor `call` in `mode` (Monitor, once its checks pass).
    Result<CallControl> RingSupervisorBrowser(Call& call, const std::string& supervisor, media::MonitorMode mode);
    // Browser monitoring legs that never answered, or lost ICE consent, for `limit_ms`: their monitoring ends.
    void CheckMonitoringTimeouts(std::int64_t now, std::int64_t limit_ms);
    // Every monitoring by `supervisor` ends (their browser phone went).
    void EndMonitoringBy(const std::string& supervisor, const char* why);
    void PublishMonitoring(const Call& call, const char* state);
    // A monitored call's media: a party's frame into the mix; once a tick, each party's mix out.
    void MixIn(Leg& leg, const rtp_header* hdr, const std::uint8_t* payload, size_t n);
    void MixOut(Call& call);
    void SendFrame(Leg& leg, const media::Frame& frame);  // one 20 ms frame of the server's own to `leg`

    // ---- phones ----
    // A phone now has a binding (registered, or restored at start): the console hears of it, and with
    // available_on_register an offline counsellor becomes available.
    void PhoneRegistered(const std::string& counsellor, const char* how, bool browser = false);
    void Unbind(const std::string& username, const char* why);
    void ExpireRegistrations();
    void Ring(Call& call, const std::string& counsellor);
    void StopRinging(Call& call, const std::string& counsellor);
    void RingOverflow(Call& call);
    void PhoneAnswered(Leg& leg);
    void PhoneGone(Leg& leg, int err, std::uint16_t scode);

    // ---- follow-up calls ----
    void FollowUpLegAnswered(Leg& leg);
    // A follow-up leg ended: `scode` the final response (0: none), `err` libre's error (0: none).
    void FollowUpLegGone(Leg& leg, std::uint16_t scode, int err);
    void FollowUpRingTimeout(Leg& leg);
    void FinishFollowUp(FollowUpCall& call, const std::string& outcome);
    // INVITEs `uri` with an SDP offer on a fresh leg (ringing); null when no media port is free or the
    // request cannot be sent. `call` is null for follow-up legs.
    // `behind_nat`: the leg gets a media socket of its own, where symmetric RTP can latch (MediaPorts).
    // `route`: a URI to send it by (a phone's TLS flow; libre adds it as a loose Route), or empty. Over TLS
    // the Contact is sips:, and the offer is RTP/SAVP with a=crypto unless `srtp` is false (an account whose
    // encryption is "off").
    std::unique_ptr<Leg> Dial(const std::string& uri, const std::string& from_name, const std::string& from_uri,
                              LegKind kind, Call* call, bool behind_nat = false, const std::string& route = "",
                              bool srtp = true);
    // ---- TLS and encryption policy (sip_policy.cpp) ----
    // The Contact user part (or URI) for a session on `tp`: a sips: URI on our TLS address over TLS.
    std::string ContactFor(int tp, const sa* local) const;
    // True (and refused 488 with a Warning, logged, counted) when `trunk` requires encryption and `msg`
    // came over plaintext.
    bool RefusePlaintextTrunk(const sip_msg* msg, const Trunk& trunk);
    // The same for a phone account's REGISTER (403).
    bool RefusePlaintextPhone(const sip_msg* msg, const records::PhoneCounsellor& account);
    void CountRequest(const sip_msg* msg);
    // ---- every leg encrypted (line_encryption.cpp) ----
    // True (refused 488 with a Warning saying why, logged with the trunk and line, counted) when `line`
    // requires every leg encrypted and `msg` came over plaintext, or from a trunk whose encryption is "off".
    bool RefuseUnencryptedLine(const sip_msg* msg, const records::PhoneLine& line, const std::string& trunk_name,
                               records::Encryption trunk_policy);
    // Whether the phone of account `username`, as bound now, would be rung on an encrypted leg: a browser
    // phone, or a desk phone rung over TLS (where the offer carries SRTP) whose account's encryption is not off.
    bool PhoneLegEncrypted(const std::string& username) const;
    // Tells the Router PhoneLegEncrypted for the account's counsellor (after any change to their binding).
    void NotePhoneEncryption(const std::string& username);
    bool EncryptsEveryLeg(const std::string& line_id) const;
    // A leg of a call on `line_id` whose line requires every leg encrypted: plain RTP ends it (must_encrypt).
    void RequireEncryptedLeg(Leg& leg, const std::string& line_id) const;
    Result<void> OpenTls();  // from Open: the TLS transport on config_.tls_listen, when set
    // The line's own number as a SIP URI: the caller ID of everything the server dials.
    std::string LineUri(const records::PhoneLine& line) const;
    std::string FlowRoute(const Binding& binding) const;  // a Route to the phone's TLS connection, or empty
    const Trunk* OutboundTrunk() const;  // the first trunk with `outbound`, or null
    // The number through `trunk` (a follow-up call's callee leg): over TLS when the trunk requires encryption.
    // `line_id`: the follow-up's line; one that requires every leg encrypted is called over TLS with SRTP
    // only (null when the trunk's encryption is "off" or TLS is not enabled).
    std::unique_ptr<Leg> DialTrunk(const Trunk& trunk, const std::string& number, const std::string& from_name,
                                   const std::string& from_uri, const std::string& line_id);

    // ---- routing ----
    void Apply(Result<acd::Commands> commands, const char* what);
    void Apply(acd::Commands commands);
    void Execute(const acd::Command& command);
    void ArmRouterTimer();
    void Bridge(Call& call, Leg& phone);
    // Counts the bridged call's legs by how their media is protected; true when both are encrypted.
    bool CountEncryption(const Leg& caller, const Leg& other);
    // keep_caller: the caller stays on the line for the post-call survey (the call becomes kSurvey).
    void EndCall(Call& call, const std::string& reason, bool keep_caller = false);
    // The queue and call gauges for /metrics, from a Router snapshot; and a queue.summary event for each line
    // whose number of waiting callers changed since the last refresh.
    void RefreshGauges();

    // ---- media ----
    // A new leg placed on one of the shared RTP sockets (or, `alone`, on one of its own: a phone behind NAT),
    // with its SDP; `secure`: an RTP/SAVP offer with fresh a=crypto lines (only for a leg dialled over TLS).
    Result<std::unique_ptr<Leg>> TakeLeg(Call* call, LegKind kind, bool alone = false, bool secure = false);

    // ---- bookkeeping ----
    void Publish(const std::string& type, const Call* call, const std::string& counsellor, nlohmann::json data);
    Call* FindCall(const std::string& id);
    void Retire(std::unique_ptr<Leg> leg);
    void Retire(Call& call);
    void Collect();
    TimeMs Now() const { return clock_.Now(); }

    TelephonyConfig config_;
    // Before every container of legs: a leg takes itself off its socket when it is destroyed.
    MediaPorts media_;
    std::shared_ptr<DtlsCertificate> dtls_identity_;  // made at Open; its fingerprint goes in every browser answer
    std::map<std::string, Leg*> browser_legs_;         // answered browser legs by their ICE ufrag (~Leg removes)
    std::map<std::string, CallQuality> browser_quality_;  // by counsellor: their browser's latest report
    std::vector<Trunk> trunks_;  // crisisline.toml's, then the console's (from the book)
    std::shared_ptr<const media::PromptSet> prompts_;  // what new calls hear; calls keep the set they began with
    Hooks hooks_;
    const Clock& clock_;
    Counters& counters_;
    NonceMaker nonces_;
    NonceCounts nonce_counts_{60 * kSecondMs, 100'000};  // the registrar's nonce lifetime (phones.cpp)
    // 10 wrong REGISTER answers a minute per account and address; then 503 with Retry-After there.
    RegistrationThrottle register_throttle_{10, 60 * kSecondMs, 100'000};
    NewCallRate call_rate_;  // config_.trunk_calls_per_s, per trunk
    TimeMs over_capacity_logged_at_ = 0;

    ::sip* sip_ = nullptr;
    sipsess_sock* sock_ = nullptr;
    sip_lsnr* lsnr_ = nullptr;
    int tick_fd_ = -1;  // timerfd: the 20 ms media clock
    std::optional<TimeMs> router_deadline_;  // when the Router next has something to do
    std::uint16_t sip_port_ = 0;
    std::uint16_t tls_port_ = 0;
    std::string tls_address_;  // "ip:port" of the TLS transport, as a Contact names it
    std::unique_ptr<SipTls> tls_;  // with tls_listen (libre's TLS transport holds its own reference to the context)
    mbuf* scratch_ = nullptr;  // one packet being built
    std::uint64_t ignored_seen_ = 0;  // media_.Ignored() already added to counters_.rtp_ignored
    std::uint64_t ticks_ = 0;

    acd::Router router_;
    std::map<std::string, records::PhoneLine> line_by_number_;  // normalised number -> line
    std::map<std::string, records::PhoneLine> lines_;           // id -> line
    std::map<std::string, Account> accounts_;                   // sip username -> account
    std::map<std::string, std::string> username_of_;            // counsellor id -> sip username
    std::map<std::string, Binding> bindings_;                   // sip username -> registration
    // counsellor -> the console tab whose live feed opened last: its feeds open now, and when a closed one's
    // grace ends (BrowserTabFeed). A client that never opens a feed for its tab (an API client) has none.
    struct TabFeed {
        std::string tab;
        int open = 0;
        std::int64_t grace_until = 0;
    };
    std::map<std::string, TabFeed> tab_feeds_;

    std::map<std::string, std::unique_ptr<Call>> calls_;
    std::map<std::string, acd::CallOutcome> outcomes_;  // by call id, while the call lasts
    std::map<std::string, QueueSummary> queues_;        // by line, as last published (queue.summary)
    struct FollowUpState {
        std::unique_ptr<FollowUpCall> call;
        std::function<void(std::string)> done;
    };
    std::map<std::string, FollowUpState> follow_ups_;  // by follow-up id
    std::vector<std::unique_ptr<FollowUpCall>> follow_up_graveyard_;
    std::vector<std::unique_ptr<Leg>> graveyard_;
    std::vector<std::unique_ptr<Call>> call_graveyard_;
    std::vector<std::function<void()>> deferred_;  // Router inputs raised while executing its commands
    bool applying_ = false;
    std::chrono::steady_clock::time_point routing_event_at_{};  // when the event being routed arrived
    bool stopping_ = false;
};

}  // namespace crisisline::telephony
