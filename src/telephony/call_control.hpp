#pragma once

#include <cstdint>
#include <string>
#include <vector>

// What the console shows of a call under call control (held, monitored): ids, flags and timings only, never
// anything about the caller.
namespace crisisline::telephony {

struct CallControl {
    std::string line;            // the call's line (for the audit entry of a control)
    bool held = false;           // the counsellor has put the caller on hold from the console
    std::int64_t held_ms = 0;    // while held: how long this hold has lasted so far
    // A supervisor monitoring the call (never covert: the counsellor is shown this): their staff id, the mode
    // ("listen", "coach", "join") and whether their phone has answered ("ringing", "connected"); empty if none.
    std::string supervisor;
    std::string monitor_mode;
    std::string monitor_state;
    bool monitor_browser = false;  // the supervisor monitors from their browser phone (their tab answers the ring)
    // A blind transfer to a colleague whose phone rings now (the caller hears hold audio): their staff id.
    std::string transfer_to;
    // A consult (warm transfer) with a colleague: their staff id, and "ringing" or "connected"; empty if none.
    std::string consult_to;
    std::string consult_state;
    // A three-party conference: "counsellor:<staff id>" or "external:<target id>", its kind ("colleague",
    // "emergency", "partner") and "ringing" or "connected"; empty if none. Never a number.
    std::string conference_to;
    std::string conference_kind;
    std::string conference_state;
};

// Whom the counsellor adds to their call as a third party (conference): a colleague of the line, or one of the
// line's external services (records::ExternalTarget) by id.
struct ConferenceTarget {
    enum class Kind { kCounsellor, kExternal };
    Kind kind = Kind::kCounsellor;
    std::string id;  // a staff id or a transfer target's id
};

// Where the counsellor on a call hands it (blind transfer): a colleague who serves the call's line, or a line's
// queue (the line's overflow sister line, or a line the counsellor serves).
struct TransferTarget {
    enum class Kind { kCounsellor, kLine };
    Kind kind = Kind::kCounsellor;
    std::string id;  // a staff id or a line id
};

// What a transfer did. "ringing": the colleague's phone rings, the caller is on hold, and the call moves on if
// they answer within the line's ring timeout (else it stays with its counsellor). "queued": the caller waits at
// the front of `to_line`'s queue as the new contact `continued_in`.
struct TransferStarted {
    std::string line;  // the call's line (for the audit entry)
    std::string state;
    std::string continued_in;
};

// Whom the counsellor on a call may transfer it to now: available colleagues of the call's line (with a phone
// that can ring) and the lines whose queues may take it. Display names only, never anything about the caller.
struct TransferTargets {
    struct Colleague {
        std::string staff_id;
        std::string display_name;
    };
    struct Line {
        std::string id;
        std::string name;
    };
    struct External {
        std::string id;
        std::string name;
        std::string kind;  // "emergency" or "partner"
        bool allowed = false;  // emergency: only once an escalation is recorded on the call
    };
    std::string line;  // the call's line
    std::vector<Colleague> counsellors;
    std::vector<Line> lines;
    std::vector<External> external;  // the line's transfer_targets (never their URIs)
};

// Who a supervisor may offer a waiting caller to (reassign): the line's counsellors whose phone can ring who are
// available, or ringing for another waiting call that routing chose (the offer takes them off that ring).
// Display names and ids only.
struct OfferTargets {
    struct Counsellor {
        std::string staff_id;
        std::string display_name;
        std::string state;  // "available" or "ringing"
    };
    std::string line;  // the call's line
    std::vector<Counsellor> counsellors;
};

// How a bridged call's two legs' media are protected, for the live picture (flags only): "srtp" (SDES),
// "dtls-srtp" (a browser phone) or "rtp" (plain); `encrypted` when neither is plain.
struct CallLegs {
    std::string caller;
    std::string counsellor;  // the answering leg: a counsellor's phone or the overflow destination
    bool encrypted = false;
};

}  // namespace crisisline::telephony
