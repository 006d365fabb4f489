#pragma once

#include <cstdint>
#include <deque>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "media/detail/re.hpp"

#include "acd/acd.hpp"
#include "media/dtmf.hpp"
#include "media/frames.hpp"
#include "media/monitor_mix.hpp"
#include "media/prompt_set.hpp"
#include "media/rtp_rewriter.hpp"
#include "records/call_log.hpp"
#include "telephony/counters.hpp"
#include "telephony/browser_sdp.hpp"
#include "telephony/dtls_srtp.hpp"
#include "telephony/ice_lite.hpp"
#include "telephony/media_ports.hpp"
#include "telephony/sdes.hpp"
#include "telephony/srtp_session.hpp"

// Internal to the switchboard: one SIP dialog with its media (a Leg) and one
// caller's call (a Call: the caller's leg, the phones ringing for it, and the
// leg it is bridged to). Loop thread only.
namespace crisisline::telephony {

class Switchboard;
struct Call;

enum class LegKind {
    kCaller,          // a caller from a trunk
    kPhone,           // a counsellor's phone rung for a caller
    kOverflow,        // the line's overflow destination
    kFollowUpPhone,   // a counsellor's phone, rung first for their follow-up call
    kFollowUpCallee,  // the person being called back, through the outbound trunk
    kSupervisor,      // a supervisor's phone, rung to monitor a call (listen, coach, join)
    kConferenceParty, // an external service (the line's transfer_targets) added to a call (conference.cpp)
};
struct FollowUpCall;
enum class LegState { kOffering, kRinging, kUp, kGone };

// A browser phone's media (WebRTC): no SIP dialog; ICE-lite answers the browser's checks, DTLS-SRTP keys
// the media, SRTP protects every packet both ways. The leg's `remote` is set by the first check that
// authenticates (and moved by one that nominates), never by the SDP.
struct BrowserMedia {
    IceSession ice;                      // the server's and the browser's ICE credentials, across restarts
    std::unique_ptr<DtlsSrtp> dtls;      // from the browser's offer on; kept across ICE restarts
    BrowserOffer offer;                  // what its first offer said (a re-offer must keep its certificate)
    std::string answer;                  // the server's last answer (a re-offer that changes nothing gets it again)
    std::uint64_t session_id = 0;        // the answer's o= line
    std::uint64_t version = 1;
    std::int64_t last_consent_ms = 0;    // the last authenticated check (consent freshness, RFC 7675)
    bool keys_reported = false;          // the handshake's outcome has been logged and counted
};

// Audio the server plays into a leg, frame by frame, on the 20 ms media clock.
struct Playlist {
    // The prompt set the pointers below point into, held so that a set replaced while this
    // leg plays (Switchboard::ReplacePrompts) lives until the leg is done with it.
    std::shared_ptr<const media::PromptSet> prompts;
    std::deque<const media::Prompt*> queue;  // played in order
    const media::Prompt* loop = nullptr;     // played forever once the queue is empty (hold audio)
    size_t frame = 0;
    bool Idle() const { return queue.empty() && loop == nullptr; }
};

struct Leg {
    Switchboard* board = nullptr;
    Call* call = nullptr;
    LegKind kind = LegKind::kCaller;
    LegState state = LegState::kOffering;
    std::string counsellor;  // phone legs
    std::unique_ptr<BrowserMedia> browser;  // a counsellor's browser phone (then `sess` stays null)

    struct sipsess* sess = nullptr;
    sdp_session* sdp = nullptr;
    sdp_media* audio = nullptr;

    // Its media: on one of the shared RTP sockets (MediaPorts), told apart from the other legs there by
    // where its packets come from; or, behind NAT, on a socket of its own.
    MediaPorts* ports = nullptr;
    int media_socket = -1;    // which of ports' sockets; -1 when not placed
    bool expecting = false;   // ports files it under `expected`
    sa expected{};
    sa remote{};              // where its media goes
    bool have_remote = false;
    bool latched = false;     // alone on its socket, a packet has arrived: remote is where it came from
    // Its SDP named a private address other than the host its signalling came from: its media goes to that
    // host (the SDP's port) until its first packet, from that host, latches.
    bool behind_nat = false;
    media::Codec codec = media::Codec::kPcmu;
    int remote_event_pt = -1;  // the telephone-event payload type it announced, or -1
    // RFC 3264 section 8.4, from its last SDP. on_hold: it said sendonly or inactive, i.e. it holds the call:
    // the server sends it nothing, relays nothing from it, and plays the hold audio to the other party.
    // sends_nothing: it said recvonly or inactive. Either way no RTP timeout applies to it.
    bool on_hold = false;
    bool sends_nothing = false;
    // Where its in-dialog requests may come from (addresses only): the trunk's admitted addresses for a
    // caller, the phone's registered Contact and whoever answered our INVITE for the legs the server dials.
    std::vector<sa> peers;
    // Where the server's own requests in its dialog go (BYE, NOTIFY; flow_target.hpp): for a caller that called
    // over TLS or TCP the connection it called on, for a follow-up call through a TLS trunk the trunk's address.
    // Empty otherwise (UDP, and phones, whose route is their flow).
    std::string flow_target;

    // SRTP keyed by SDES (RFC 4568): its SDP is RTP/SAVP with a=crypto, and its signalling is SIP over TLS
    // (keys never travel on UDP or TCP). `srtp` protects every packet both ways once both keys are known; the
    // keys are the leg's own (each leg of a call has its own), in locked memory, wiped when the leg goes.
    std::unique_ptr<SrtpSession> srtp;
    std::unique_ptr<SrtpKey> remote_key;     // the peer's key as last accepted (a re-offer keeping it keeps srtp)
    std::vector<CryptoLine> offered_crypto;  // a leg we dial over TLS: our offered lines, until the answer picks one
    // Its trunk or phone account says encryption = "required": plain RTP/AVP is refused (488 to an offer; an
    // answer ends the leg). `policy_owner` names the trunk or account for the Warning and the log.
    bool must_encrypt = false;
    std::string policy_owner;

    media::RtpRewriter out;     // its outgoing stream: one SSRC, continuous sequence
    media::RtpReceiveStats in;  // what arrived from it
    std::uint16_t local_seq = 0;   // input sequence for the server's own audio
    std::uint32_t local_ts = 0;
    std::int64_t last_rx_ms = 0;
    media::DtmfDetector dtmf;

    Playlist playlist;
    Leg* peer = nullptr;  // bridged to
    FollowUpCall* follow_up = nullptr;  // follow-up legs only (call is null for them)

    Leg(Switchboard* b, Call* c, LegKind k, std::uint32_t ssrc, std::uint16_t seq, std::uint32_t ts)
        : board(b), call(c), kind(k), out(ssrc, seq, ts) {}
    ~Leg();  // releases the libre objects without signalling (callers signal first)
};

// Ends the leg's dialog as libre does on release: BYE when established, CANCEL while it rings.
// Nothing when the other side already ended it.
void HangUp(Leg& leg);

// A libre pointer-length string as a std::string.
inline std::string PlText(const pl& p) { return std::string(p.p ? p.p : "", p.l); }

// kSurvey: the counsellor hung up first on a line with the post-call survey; the call's record is closed
// (ended as "completed", the counsellor wrapping up) and the caller, still on the line, hears the questions.
enum class CallPhase { kGreeting, kChoosing, kQueued, kBridged, kSurvey, kEnded };

// A supervisor monitoring a bridged call (call_control.cpp): their phone rings, and once it answers the call's
// audio is mixed per listener on the media clock (media::MonitorMix); until then, and for every call nobody
// monitors, the bridge stays a plain relay.
struct Monitoring {
    std::string supervisor;
    media::MonitorMode mode = media::MonitorMode::kListen;
    std::unique_ptr<Leg> leg;  // the supervisor's phone: ringing, then up
    bool connected = false;    // answered: mixing
    media::MonitorMix mix;
};

// A third party the counsellor added to a bridged call (conference.cpp). A colleague's phone leg is the Router's
// ring, kept in Call::phones under their id like a transfer's; an external service's leg is `leg`, dialled
// through the trunk with the line's number as caller ID. Until it answers the bridge stays a relay; once it has,
// all three hear each other through `mix` (MonitorMode::kJoin, the third party as Party::kSupervisor).
struct Conference {
    std::string to;           // as asked: "counsellor:<staff id>" or "external:<target id>"
    std::string party;        // the colleague's staff id or the target's id
    std::string kind;         // "colleague", "emergency" or "partner"
    std::unique_ptr<Leg> leg;  // external only
    bool connected = false;
    std::int64_t started_at = 0;
    std::int64_t ring_deadline = 0;  // external: unanswered by then, it ends "no_answer"
    media::MonitorMix mix;
};

struct Call {
    std::string id;  // also the contact record's id
    records::CallRecord record;
    CallPhase phase = CallPhase::kGreeting;
    // The caller ACKed our 200: only then does the greeting start (and so the queue and a bridge). Without an
    // ACK libre ends the leg after 64*T1 (Timer H) and the call is recorded "failed".
    bool acked = false;
    acd::Language language = acd::Language::kEnglish;
    std::unique_ptr<Leg> caller;
    std::map<std::string, std::unique_ptr<Leg>> phones;  // counsellor -> ringing or bridged phone leg
    std::unique_ptr<Leg> overflow;
    Leg* bridged = nullptr;  // the phone or overflow leg the caller talks to
    std::optional<std::int64_t> repeat_count;
    std::int64_t choice_deadline = 0;  // kChoosing: when English is chosen for them (0: none)
    std::int64_t bridged_at = 0;
    // Hold from the console (call_control.cpp): while held the caller hears the line's hold audio, nothing is
    // relayed either way, and the RTP timeout does not end the call.
    bool held = false;
    std::int64_t held_since = 0;  // while held
    std::unique_ptr<Monitoring> monitoring;  // a supervisor listening, coaching or joined (or being rung)
    std::unique_ptr<Conference> conference;  // a third party added by the counsellor (ringing or connected)
    // The external service the counsellor left the caller with (conference leave): it is `bridged` then.
    std::unique_ptr<Leg> external;
    // A blind transfer to a colleague whose phone rings now (transfer.cpp): the caller is held meanwhile.
    struct Transfer {
        std::string to;          // the colleague's staff id
        bool was_held = false;   // held from the console before: still held if the transfer fails
        std::int64_t started_at = 0;
        bool by_refer = false;   // asked for by the phone's REFER: its progress goes back as NOTIFY sipfrag
    };
    std::optional<Transfer> transfer;
    // A warm transfer (consult.cpp): the colleague's phone rings (in `phones` under their id, as a transfer's),
    // then, answered, the counsellor and the colleague talk to each other while the caller is held (hearing
    // the hold audio and nothing of either). Completed, the call moves on to the colleague as a transfer does;
    // cancelled, unanswered or hung up, the colleague's leg goes and the call is the counsellor's as it was.
    struct Consult {
        std::string to;          // the colleague's staff id
        bool was_held = false;   // held from the console before: still held when the consult ends
        std::int64_t started_at = 0;
        bool connected = false;  // the colleague answered: their leg and the counsellor's are relayed
        // Asked for by the counsellor's desk phone dialling the colleague (phone_consult.cpp): the phone's own
        // new dialog, answered when the colleague answers, which is then the counsellor's side of the consult
        // instead of `bridged` (held by the phone meanwhile). Null for a consult from the console.
        std::unique_ptr<Leg> desk;
        bool referred = false;  // the desk phone's REFER with Replaces was accepted: the hand-over follows
    };
    std::optional<Consult> consult;
    // kSurvey (survey.cpp): the step whose prompt plays or whose key is awaited (1 helped, 2 again, 3 thanks),
    // and when the wait for a key ends (0 while the prompt still plays).
    int survey_step = 0;
    std::int64_t survey_deadline = 0;
};

// A follow-up call: the counsellor's phone first, then the consented number.
struct FollowUpCall {
    std::string id;  // the follow-up's id
    std::string line_id;
    std::string counsellor;
    std::string number;  // in memory for the length of the call only
    std::unique_ptr<Leg> phone;
    std::unique_ptr<Leg> callee;
    bool restore_available = false;  // they were available before: back to available afterwards
    bool connected = false;
    tmr ring_timer{};  // whichever leg rings, it rings at most this long
    FollowUpCall() { tmr_init(&ring_timer); }
    ~FollowUpCall() { tmr_cancel(&ring_timer); }
};

}  // namespace crisisline::telephony
