#pragma once

#include <cstdint>
#include <deque>
#include <optional>
#include <string>
#include <vector>

#include "media/detail/re.hpp"

// The ICE-lite side of a browser phone's media (RFC 8445 section 2.5, RFC 5389): the server answers the
// browser's STUN binding requests on its media socket and never sends checks of its own. Loop thread only
// (libre objects).
namespace crisisline::telephony {

// Why a STUN packet on a media socket was dropped, for /metrics.
enum class StunFault {
    kNone,
    kMalformed,         // not a STUN binding request with the magic cookie, or its attributes do not decode
    kNoFingerprint,     // FINGERPRINT missing or wrong (RFC 8445 section 7.2.2: required of every check)
    kUnknownUser,       // USERNAME missing, or its first part names no browser leg
    kWrongCredentials,  // MESSAGE-INTEGRITY missing or not made with the leg's ice-pwd, or the wrong peer ufrag
};
const char* StunFaultName(StunFault fault);

// One binding request read off the wire. Holds libre's decoded message (and its copy of the packet).
class StunBindingRequest {
public:
    // Decodes `n` bytes. fault() is kNone when it is a well-formed binding request with a valid FINGERPRINT;
    // then local_ufrag() and remote_ufrag() are USERNAME's two halves ("local:remote" as the server sees it).
    StunBindingRequest(const std::uint8_t* data, size_t n);
    ~StunBindingRequest();
    StunBindingRequest(const StunBindingRequest&) = delete;
    StunBindingRequest& operator=(const StunBindingRequest&) = delete;

    StunFault fault() const { return fault_; }
    const std::string& local_ufrag() const { return local_ufrag_; }
    const std::string& remote_ufrag() const { return remote_ufrag_; }
    bool use_candidate() const { return use_candidate_; }

    // kNone when MESSAGE-INTEGRITY was made with `local_pwd` and the remote half of USERNAME is
    // `remote_ufrag` (the browser's own, from its offer); kWrongCredentials otherwise.
    StunFault Authenticate(const std::string& local_pwd, const std::string& remote_ufrag) const;

    // The success response (XOR-MAPPED-ADDRESS = `from`, MESSAGE-INTEGRITY with `local_pwd`, FINGERPRINT).
    // Empty when it cannot be encoded. REQUIRES: fault() == kNone.
    std::vector<std::uint8_t> Success(const sa& from, const std::string& local_pwd) const;

private:
    StunFault fault_ = StunFault::kMalformed;
    mbuf* mb_ = nullptr;
    stun_msg* msg_ = nullptr;
    std::string local_ufrag_, remote_ufrag_;
    bool use_candidate_ = false;
};

// One generation of a browser leg's ICE credentials: the server's (in its answer) and the browser's (in
// its offer).
struct IceCredentials {
    std::string local_ufrag, local_pwd;
    std::string remote_ufrag, remote_pwd;
};

// A browser leg's ICE credentials across ICE restarts (RFC 8445 section 2.4, RFC 8839 section 4.4.1.1.1).
// A restart answers with fresh server credentials; until the browser nominates a pair with them, checks
// with the previous generation still pass (media keeps flowing on the old pair meanwhile). Once it has,
// checks with any older generation are refused as wrong credentials. Pure logic; not thread-safe.
class IceSession {
public:
    IceSession() = default;
    IceSession(std::string local_ufrag, std::string local_pwd);

    // The browser's first offer (its answer to the ring).
    void Answered(const std::string& remote_ufrag, const std::string& remote_pwd);
    // A re-offer with these browser credentials. The same as now: false, nothing changes. Otherwise an ICE
    // restart: the server's credentials become `local_ufrag`/`local_pwd` (fresh ones, NewIceUfrag/NewIcePwd)
    // and true. A restart while one is still under way replaces the unfinished one, whose credentials retire.
    bool Reoffered(const std::string& remote_ufrag, const std::string& remote_pwd, std::string local_ufrag,
                   std::string local_pwd);

    struct Verdict {
        StunFault fault = StunFault::kUnknownUser;  // kNone: the check passes
        std::string local_pwd;                      // kNone: the password the success response is made with
        bool restart_done = false;                  // kNone: this check nominated the restart's first pair
    };
    // Authenticates a well-formed check (REQUIRES: request.fault() == kNone). kUnknownUser when its USERNAME
    // names none of this leg's server ufrags; kWrongCredentials when it names a retired one, or the password
    // or browser ufrag is not that generation's. A check with the newest credentials that nominates
    // (USE-CANDIDATE) ends a restart: the generation before retires.
    Verdict Check(const StunBindingRequest& request);

    const IceCredentials& current() const { return current_; }
    bool restarting() const { return previous_.has_value(); }
    // Every server ufrag a check may name and be told apart by (current, previous, retired), newest first.
    std::vector<std::string> LocalUfrags() const;

    static constexpr size_t kRetiredKept = 4;  // older retired ufrags are forgotten (then unknown users)

private:
    void Retire(std::string local_ufrag);

    IceCredentials current_;
    std::optional<IceCredentials> previous_;  // while restarting: the generation media still flows on
    std::deque<std::string> retired_;          // newest first
};

// RFC 7983: what the first byte of a datagram on a media socket says it is.
enum class Demux { kStun, kDtls, kRtp, kOther };
inline Demux DemuxFirstByte(std::uint8_t b) {
    if (b <= 3) return Demux::kStun;
    if (b >= 20 && b <= 63) return Demux::kDtls;
    if (b >= 128 && b <= 191) return Demux::kRtp;
    return Demux::kOther;
}

}  // namespace crisisline::telephony
