#pragma once

#include "media/detail/re.hpp"

#include "telephony/leg.hpp"
#include "telephony/switchboard.hpp"

// Internal to the switchboard: the C callbacks libre calls, each forwarding to
// the Switchboard (through its `arg`) or to the Leg's switchboard.
namespace crisisline::telephony {

struct Callbacks {
    static bool Request(const sip_msg* msg, void* arg);
    static void Invite(const sip_msg* msg, void* arg);
    static void TickFd(int flags, void* arg);  // the media clock's timerfd
    static void FollowUpRingTimeout(void* arg);  // arg: the follow-up leg ringing

    static void Rtp(Leg& leg, const rtp_header* hdr, mbuf* mb, void* arg);  // MediaPorts::Deliver
    static void Stun(size_t socket, const sa& src, const std::uint8_t* data, size_t n, void* arg);
    static void Secure(Leg& leg, mbuf* mb, void* arg);
    static void BrowserLegGone(Leg& leg);  // from ~Leg: its ufrag no longer finds it

    // Caller leg (incoming session).
    static int CallerOffer(mbuf** descp, const sip_msg* msg, void* arg);
    static int CallerAnswer(const sip_msg* msg, void* arg);
    static int ReOffer(Leg& leg, mbuf** descp);  // a re-INVITE without SDP, on any leg: our offer
    static void CallerEstablished(const sip_msg* msg, void* arg);
    static void CallerClosed(int err, const sip_msg* msg, void* arg);

    // Phone and overflow legs (outgoing sessions).
    static int PhoneOffer(mbuf** descp, const sip_msg* msg, void* arg);
    static int PhoneAnswer(const sip_msg* msg, void* arg);
    static void PhoneProgress(const sip_msg* msg, void* arg);
    static void PhoneEstablished(const sip_msg* msg, void* arg);
    static void PhoneClosed(int err, const sip_msg* msg, void* arg);
    // REFER inside a counsellor phone's dialog (its own transfer button, RFC 3515): refer.cpp.
    static void PhoneRefer(struct sip* sip, const sip_msg* msg, void* arg);

    // A desk phone's own dialog for a consult (its INVITE for a colleague, incoming): phone_consult.cpp.
    static void DeskEstablished(const sip_msg* msg, void* arg);
    static void DeskClosed(int err, const sip_msg* msg, void* arg);
};

}  // namespace crisisline::telephony
