#pragma once

#include <string>
#include <string_view>

#include "media/detail/re.hpp"

// Internal to the switchboard: where the server's own requests inside a caller's dialog go. Loop thread only.
//
// A carrier that calls over SIP-TLS names a SIPS Contact (RFC 3261 section 26, e.g.
// <sips:carrier@192.0.2.7:5061;transport=tls>), and the dialog's remote target is that URI. libre 1.1.0 sends
// a request only to a `sip:` target (sip_request() answers ENOSYS to any other scheme), so the server's BYE to
// such a carrier was never sent and the carrier heard nothing when the counsellor hung up. Before the server
// sends on that dialog, its remote target becomes the TLS connection the carrier called on: the same rule the
// server keeps for phones (rung by their flow, not their Contact), which also reuses the carrier's connection
// (RFC 5923) instead of opening one to a Contact that is often a client port nobody listens on.
namespace crisisline::telephony {

// The URI of the flow a request came on: sip:USER@ADDRESS:PORT;transport=tls|tcp (IPv6 in brackets; no user
// part when `user` is empty). Empty for UDP: a datagram peer is reached at its Contact.
std::string FlowTarget(const sa& source, int transport, std::string_view user);

// The user part of msg's Contact ("" when it has none or no Contact).
std::string ContactUser(const sip_msg& msg);

// Points dlg's remote target (and, with no Record-Route, its next hop) at `target`. Returns libre's error
// (0 on success); `dlg` is left as it was on failure.
int RetargetDialog(sip_dialog* dlg, const std::string& target);

struct Leg;
// Before the server sends a request in leg's established dialog: aims it at leg.flow_target when it has one
// (a caller over TLS or TCP). Logs when libre refuses; the request is then tried at the Contact as before.
void AimAtFlow(Leg& leg);

}  // namespace crisisline::telephony
