#pragma once

#include <sys/socket.h>

#include <array>
#include <memory>
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
// Which leg a packet belongs to:
//   - On a shared socket: the leg expecting exactly that source address (IP and port), the one its SDP gave;
//     nothing else. A packet from any other address is ignored, even from the same host: endpoints sharing a
//     host (a carrier's gateway, a test rig) and phones that start sending before their answer arrives would
//     otherwise be taken for another call's, and audio must never cross between calls. One address is
//     expected by at most one leg per socket (Place keeps calls from one address on different sockets).
//   - A leg behind NAT (its SDP names a private address its packets will not come from) is placed alone on a
//     socket of its own, opened for it from the top of telephony.rtp_ports: there the first packet from the
//     SDP's host, or from anywhere when the SDP address is private, fixes where its media comes from and goes
//     to (symmetric RTP, `latched`); after that only that address is heard.
// Legs without a remote address (no SDP answer yet) receive nothing.
class MediaPorts {
public:
    // Called for each packet that belongs to a leg, with the packet's RTP header decoded and `mb` at the
    // payload.
    using Deliver = void (*)(Leg& leg, const rtp_header* hdr, mbuf* mb, void* arg);

    // Browser phones (WebRTC) share the sockets too; RFC 7983 tells their packets apart by the first byte.
    // A STUN packet (0-3) goes to `Stun` with the socket it came in on, whoever sent it (the switchboard
    // checks its credentials and may then have the leg Expect its source). DTLS (20-63) and SRTP/SRTCP
    // (128-191) from the source a browser leg expects go to `Secure` as they are, undecoded; so does SRTP from
    // a SIP leg keyed by SDES (leg.srtp), on any socket.
    using Stun = void (*)(size_t socket, const sa& src, const std::uint8_t* data, size_t n, void* arg);
    using Secure = void (*)(Leg& leg, mbuf* mb, void* arg);

    MediaPorts() = default;
    ~MediaPorts();  // closes the sockets; every leg has been removed first
    MediaPorts(const MediaPorts&) = delete;
    MediaPorts& operator=(const MediaPorts&) = delete;

    // Binds `count` shared UDP sockets on `address`, the first free even ports in [port_min, port_max] (odd
    // ports stay closed: RTCP goes to the RTP port + 1). kInvalid when `address` is not an IP address;
    // kUnavailable when fewer than `count` ports are free.
    [[nodiscard]] Result<void> Open(const std::string& address, std::uint16_t port_min, std::uint16_t port_max,
                                    size_t count, Deliver deliver, void* arg);
    // Where STUN and browser legs' packets go (see Stun and Secure); without them STUN and DTLS are ignored.
    void SetBrowserHandlers(Stun stun, Secure secure) {
        stun_ = stun;
        secure_ = secure;
    }
    // Has the libre loop call Receive when a socket is readable (sockets opened later for a leg alone are
    // listened to as they open).
    [[nodiscard]] Result<void> Listen();

    size_t Count() const { return shared_; }  // shared sockets
    std::uint16_t Port(size_t socket) const { return sockets_[socket]->port; }
    std::uint16_t PortOf(const Leg& leg) const;  // the port of the socket the leg is on; 0 when not placed

    // Puts `leg` on a socket (taking it off the one it was on) and returns that socket's port for its SDP.
    // `alone`: a socket of its own (a leg behind NAT; falls back to a shared one, with a log line, when no
    // port is free). Otherwise the shared socket with fewest legs among those where `remote`, when given, is
    // not yet another leg's source.
    std::uint16_t Place(Leg& leg, const sa* remote, bool alone = false);
    // leg.remote has changed (its SDP was decoded): packets from there are now the leg's. false when another
    // leg on the same shared socket already expects that address (the leg then hears nothing: the two could
    // not be told apart).
    bool Expect(Leg& leg);
    // Takes the leg off its socket (closing a socket of its own); nothing more is delivered to it. Safe to
    // call on a leg never placed.
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
    size_t LegsOn(size_t socket) const { return sockets_[socket]->placed; }
    size_t OpenSockets() const;  // shared and alone, for tests and diagnostics

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
        MediaPorts* owner = nullptr;
        size_t index = 0;
        int fd = -1;
        std::uint16_t port = 0;
        bool shared = true;
        size_t placed = 0;
        std::unordered_map<Key, Leg*, KeyHash> legs;  // shared: by the source they expect
        Leg* alone = nullptr;                         // not shared: its one leg
        Outbox* outbox = nullptr;
    };

    Result<int> Bind(std::uint16_t port);
    size_t OpenAlone();  // a new socket for one leg, or sockets_.size() when none could be opened
    void CloseSocket(Socket& s);
    Leg* Owner(Socket& s, const sa& src);
    void Unexpect(Leg& leg);
    void FlushSocket(Socket& s);
    static void Readable(int flags, void* arg);

    std::vector<std::unique_ptr<Socket>> sockets_;  // the shared ones first; then sockets for legs alone
    size_t shared_ = 0;
    bool listening_ = false;
    sa local_{};
    std::uint16_t port_min_ = 0, port_max_ = 0;
    std::uint16_t next_alone_ = 0;  // where the search for a free port for a leg alone resumes (downwards)
    Deliver deliver_ = nullptr;
    Stun stun_ = nullptr;
    Secure secure_ = nullptr;
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
