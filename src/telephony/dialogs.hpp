#pragma once

#include <string_view>

#include "media/detail/re.hpp"
#include "telephony/leg.hpp"

// Internal to the switchboard: who may speak inside a dialog. Loop thread only.
//
// A request inside an established dialog (re-INVITE, BYE, INFO, REFER, ACK) carries nothing secret: its
// Call-ID and tags are on the wire, so anyone who saw them could otherwise take over or end the call. Such a
// request is accepted only from one of the leg's peers (Leg::peers): for a caller, the addresses its trunk is
// admitted from (or, for a trunk admitted by digest, the address it called from); for the legs the server
// dials, the registered Contact and the address that answered.
namespace crisisline::telephony {

// Adds `from` (its address; the port is not compared) to the leg's peers, once.
void AddPeer(Leg& leg, const sa& from);
// Adds the host of `uri` (a SIP URI such as a registered Contact) when it is an IP address.
void AddPeerUri(Leg& leg, std::string_view uri);
// Whether `from` is the address of one of the leg's peers.
bool FromPeer(const Leg& leg, const sa& from);
// Whether `msg` is a request of leg's dialog (Call-ID and both tags).
bool InDialog(const Leg& leg, const sip_msg& msg);
// Whether leg's dialog is the one with this Call-ID and these two tags: `to_tag` its local tag and `from_tag` its
// peer's, as RFC 3891 section 3 reads a Replaces header, or the other way round (phones differ on whose side
// they write an attended transfer's Replaces from; both tags must still be the dialog's own). Early dialogs too.
bool NamedBy(const Leg& leg, std::string_view call_id, std::string_view to_tag, std::string_view from_tag);

}  // namespace crisisline::telephony
