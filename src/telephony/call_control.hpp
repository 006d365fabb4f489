#pragma once

#include <cstdint>
#include <string>

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
};

// How a bridged call's two legs' media are protected, for the live picture (flags only): "srtp" (SDES),
// "dtls-srtp" (a browser phone) or "rtp" (plain); `encrypted` when neither is plain.
struct CallLegs {
    std::string caller;
    std::string counsellor;  // the answering leg: a counsellor's phone or the overflow destination
    bool encrypted = false;
};

}  // namespace crisisline::telephony
