#pragma once

#include <cstdint>

// The SIP transport's listening sockets, which libre 1.1.0 opens and does not expose: found by their bound port
// among the process's descriptors and tuned after sip_transp_add. Loop thread, at start-up.
namespace crisisline::telephony {

// Gives the UDP socket bound to `port` a receive buffer of `bytes` for bursts (the kernel default holds ~100
// datagrams; a busy hour's INVITEs, ACKs and BYEs arriving while the loop relays media would be dropped and
// retransmitted seconds later). SO_RCVBUFFORCE needs CAP_NET_ADMIN; otherwise SO_RCVBUF up to rmem_max.
void EnlargeUdpReceiveBuffer(std::uint16_t port, int bytes);

// Sets the listen backlog of the TCP socket listening on `port` (Linux takes a second listen() on a listening
// socket as a new backlog). libre 1.1.0 listens on its TCP and TLS transports with a backlog of 5: a burst of
// connections (a carrier opening several at once, phones re-registering after a network blip, a carrier
// opening a TLS connection per call) had SYNs dropped and waited a second or more for their retransmits.
// False when no such socket was found or listen() refused.
bool RaiseTcpBacklog(std::uint16_t port, int backlog);

}  // namespace crisisline::telephony
