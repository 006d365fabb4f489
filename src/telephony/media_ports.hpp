#pragma once

#include <sys/socket.h>

#include <array>
#include <cstddef>
#include <cstdint>
#include <string>
#include <unordered_map>
#include <vector>

#include "core/error.hpp"
#include "media/detail/re.hpp"

// Internal to the switchboard: the server's RTP sockets. Loop thread only.
namespace crisisline::telephony {

struct Leg;

// A few UDP sockets (telephony.media_sockets, on even ports from the start of telephony.rtp_ports) carry
// every leg's audio. Each leg is placed on one of them and its SDP names that port; its packets are told
// apart from the other legs' on the same socket by where they come from. Packets are read with recvmmsg and
// sent with sendmmsg, a batch per system call: a socket per leg costs two system calls and an epoll wake-up
// for every relayed packet, which is what held one core to about 650 bridged calls.
//
// Which leg a packet from `src` on a socket belongs to:
//   1. The legs expecting `src` there: the address their SDP gave, or the one they latched onto. One such
//      leg: it. Several (two calls from one remote address placed on one socket, which Place avoids when it
//      knows the address): the one whose SSRC matches; a new SSRC goes to the only one that has not yet
//      received anything, and otherwise the packet is ignored. Audio never crosses between calls.
//   2. Nobody expects `src`: symmetric RTP. The one leg on the socket that has not yet received a packet and
//      whose SDP names the same host, or a private address (a phone behind NAT), latches onto `src`. None,
//      or more than one: ignored.
// Legs without a remote address (no SDP answer yet) receive nothing.
class MediaPorts {
public:
    // Called for each packet that belongs to a leg, with the packet's RTP header decoded and `mb` at the
    // payload.
    using Deliver = void (*)(Leg& leg, const sa* src, const rtp_header* hdr, mbuf* mb, void* arg);

    MediaPorts() = default;
    ~MediaPorts();  // closes the sockets; every leg has been removed first
    MediaPorts(const MediaPorts&) = delete;
    MediaPorts& operator=(const MediaPorts&) = delete;

    // Binds `count` UDP sockets on `address`, the first free even ports in [port_min, port_max] (odd ports
    // stay closed: RTCP goes to the RTP port + 1). kInvalid when `address` is not an IP address;
    // kUnavailable when fewer than `count` ports are free.
    [[nodiscard]] Result<void> Open(const std::string& address, std::uint16_t port_min, std::uint16_t port_max,
                                    size_t count, Deliver deliver, void* arg);
    // Has the libre loop call Receive when a socket is readable.
    [[nodiscard]] Result<void> Listen();

    size_t Count() const { return sockets_.size(); }
    std::uint16_t Port(size_t socket) const { return sockets_[socket].port; }

    // Puts `leg` on a socket (moving it if it was on one) and returns that socket's port for its SDP: the
    // socket with fewest legs among those where `remote`, when given, is not yet another leg's source.
    std::uint16_t Place(Leg& leg, const sa* remote);
    // leg.remote has changed (its SDP was decoded): packets from there are now the leg's.
    void Expect(Leg& leg);
    // Takes the leg off its socket; nothing more is delivered to it. Safe to call on a leg never placed.
    void Remove(Leg& leg);

    // Queues a packet from the leg's socket to `to`. Sent by Flush, or at once when the batch is full.
    void Send(const Leg& leg, const sa& to, const std::uint8_t* data, size_t n);
    // Sends every queued packet.
    void Flush();

    // Reads what is waiting on `socket` (up to a bounded number of packets, so SIP is not starved; the
    // loop comes back while more wait), delivers each, then flushes what was queued meanwhile.
    void Receive(size_t socket);

    std::uint64_t Ignored() const { return ignored_; }       // packets nobody was expecting
    std::uint64_t SendErrors() const { return send_errors_; }  // packets the kernel would not take
    size_t LegsOn(size_t socket) const { return sockets_[socket].placed; }

private:
    struct Key {
        std::array<std::uint8_t, 16> addr{};  // IPv4 as v4-mapped IPv6
        std::uint16_t port = 0;
        bool operator==(const Key& o) const { return port == o.port && addr == o.addr; }
    };
    struct KeyHash {
        size_t operator()(const Key& k) const noexcept;
    };
    static Key KeyOf(const sa& address);

    struct Outbox;
    struct Socket {
        int fd = -1;
        std::uint16_t port = 0;
        size_t placed = 0;
        std::unordered_multimap<Key, Leg*, KeyHash> legs;  // by the source they expect
        std::vector<Leg*> unlatched;                       // placed, no packet received yet
        Outbox* outbox = nullptr;
    };

    Leg* Owner(Socket& s, const sa& src, const rtp_header& hdr);
    void Unexpect(Leg& leg);
    void FlushSocket(Socket& s);
    static void Readable(int flags, void* arg);

    std::vector<Socket> sockets_;
    std::vector<std::pair<MediaPorts*, size_t>> handles_;  // (this, socket) for the fd handlers
    Deliver deliver_ = nullptr;
    void* arg_ = nullptr;
    std::uint64_t ignored_ = 0;
    std::uint64_t send_errors_ = 0;
    struct Inbox;
    Inbox* inbox_ = nullptr;
};

// Whether `address` is RFC 1918 or RFC 6598 (carrier-grade NAT) IPv4, or IPv6 unique-local: what a phone
// behind NAT puts in its SDP, which its packets will not come from.
bool IsPrivateAddress(const sa& address);

}  // namespace crisisline::telephony
