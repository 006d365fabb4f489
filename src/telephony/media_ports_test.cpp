#include "telephony/media_ports.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cstring>
#include <memory>
#include <vector>

#include <gtest/gtest.h>

#include "telephony/leg.hpp"

// Real UDP sockets on loopback; Receive is called by the test instead of the libre loop.
namespace crisisline::telephony {
namespace {

struct Delivery {
    Leg* leg;
    std::uint8_t first_payload_byte;
};

void Record(Leg& leg, const rtp_header*, mbuf* mb, void* arg) {
    auto* out = static_cast<std::vector<Delivery>*>(arg);
    out->push_back({&leg, mbuf_get_left(mb) ? mbuf_buf(mb)[0] : std::uint8_t{0}});
}

// A UDP socket on 127.0.0.1 playing a remote phone or carrier.
class Peer {
public:
    Peer() {
        fd_ = socket(AF_INET, SOCK_DGRAM, 0);
        sockaddr_in a{};
        a.sin_family = AF_INET;
        a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        bind(fd_, reinterpret_cast<sockaddr*>(&a), sizeof a);
        socklen_t len = sizeof a;
        getsockname(fd_, reinterpret_cast<sockaddr*>(&a), &len);
        port_ = ntohs(a.sin_port);
    }
    ~Peer() { close(fd_); }
    sa Address() const {
        sa s;
        sa_set_str(&s, "127.0.0.1", port_);
        return s;
    }
    std::uint16_t port() const { return port_; }
    void SendRtp(std::uint16_t to_port, std::uint32_t ssrc, std::uint8_t fill, std::uint8_t pt = 0) const {
        std::uint8_t packet[12 + 160];
        packet[0] = 0x80;
        packet[1] = pt;
        std::uint16_t seq = htons(1);
        std::memcpy(packet + 2, &seq, 2);
        std::uint32_t ts = htonl(160), s = htonl(ssrc);
        std::memcpy(packet + 4, &ts, 4);
        std::memcpy(packet + 8, &s, 4);
        std::memset(packet + 12, fill, 160);
        sockaddr_in to{};
        to.sin_family = AF_INET;
        to.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        to.sin_port = htons(to_port);
        sendto(fd_, packet, sizeof packet, 0, reinterpret_cast<sockaddr*>(&to), sizeof to);
    }
    void SendBytes(std::uint16_t to_port, const std::vector<std::uint8_t>& bytes) const {
        sockaddr_in to{};
        to.sin_family = AF_INET;
        to.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        to.sin_port = htons(to_port);
        sendto(fd_, bytes.data(), bytes.size(), 0, reinterpret_cast<sockaddr*>(&to), sizeof to);
    }
    // The next datagram within `timeout_ms`, and the port it came from; empty when none.
    std::vector<std::uint8_t> Receive(int timeout_ms, std::uint16_t* from_port = nullptr) const {
        pollfd p{fd_, POLLIN, 0};
        if (poll(&p, 1, timeout_ms) != 1) return {};
        std::vector<std::uint8_t> buf(2048);
        sockaddr_in from{};
        socklen_t len = sizeof from;
        auto n = recvfrom(fd_, buf.data(), buf.size(), 0, reinterpret_cast<sockaddr*>(&from), &len);
        if (n < 0) return {};
        buf.resize(static_cast<size_t>(n));
        if (from_port) *from_port = ntohs(from.sin_port);
        return buf;
    }

private:
    int fd_ = -1;
    std::uint16_t port_ = 0;
};

class MediaPortsTest : public ::testing::Test {
protected:
    // Opens `count` shared sockets somewhere in 40000-59999 (tests run in parallel: try blocks until one is free).
    void OpenPorts(size_t count) {
        for (unsigned base = 40000 + (static_cast<unsigned>(getpid()) % 100) * 200; base < 60000; base += 200) {
            ports_ = std::make_unique<MediaPorts>();
            // Room above the shared sockets for a few legs alone.
            if (ports_->Open("127.0.0.1", static_cast<std::uint16_t>(base),
                             static_cast<std::uint16_t>(base + 2 * count + 9), count, Record, &delivered_)) {
                return;
            }
        }
        FAIL() << "no free block of RTP ports";
    }
    std::unique_ptr<Leg> NewLeg(const sa* remote, bool alone = false) {
        auto leg = std::make_unique<Leg>(nullptr, nullptr, LegKind::kCaller, 1, 1, 1);
        if (remote) {
            leg->remote = *remote;
            leg->have_remote = true;
        }
        ports_->Place(*leg, remote, alone);
        return leg;
    }
    // A leg on a shared socket whose SDP names `peer`'s address.
    std::unique_ptr<Leg> LegHearing(const Peer& peer) {
        auto addr = peer.Address();
        return NewLeg(&addr);
    }
    std::uint16_t PortOf(const Leg& leg) const { return ports_->Port(static_cast<size_t>(leg.media_socket)); }
    // Lets loopback deliver, then reads every socket.
    void Pump() {
        usleep(20000);
        for (size_t i = 0; i < ports_->Count() + 4; ++i) ports_->Receive(i);  // shared, then legs alone
    }

    std::vector<Delivery> delivered_;
    std::unique_ptr<MediaPorts> ports_;
};

TEST_F(MediaPortsTest, OpensEvenPortsAndRefusesBadSettings) {
    OpenPorts(3);
    ASSERT_EQ(ports_->Count(), 3u);
    for (size_t i = 0; i < 3; ++i) EXPECT_EQ(ports_->Port(i) % 2, 0) << ports_->Port(i);
    MediaPorts bad;
    auto r = bad.Open("not-an-address", 30000, 30100, 2, Record, nullptr);
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().code, ErrorCode::kInvalid);
    EXPECT_EQ(r.error().field, "telephony.rtp_address");
    // The ports just opened are taken: a second set over the same block finds none free.
    MediaPorts taken;
    auto t = taken.Open("127.0.0.1", ports_->Port(0), static_cast<std::uint16_t>(ports_->Port(2) + 1), 3, Record, nullptr);
    ASSERT_FALSE(t);
    EXPECT_EQ(t.error().code, ErrorCode::kUnavailable);
}

TEST_F(MediaPortsTest, TellsLegsOnOneSocketApartBySource) {
    OpenPorts(1);
    Peer a, b, stranger;
    auto addr_a = a.Address(), addr_b = b.Address();
    auto leg_a = NewLeg(&addr_a);
    auto leg_b = NewLeg(&addr_b);
    ASSERT_EQ(PortOf(*leg_a), PortOf(*leg_b));
    a.SendRtp(PortOf(*leg_a), 11, 0xA1);
    b.SendRtp(PortOf(*leg_b), 22, 0xB2);
    stranger.SendRtp(PortOf(*leg_a), 33, 0xCC);
    Pump();
    ASSERT_EQ(delivered_.size(), 2u);
    for (const auto& d : delivered_) {
        if (d.leg == leg_a.get()) {
            EXPECT_EQ(d.first_payload_byte, 0xA1);
        } else {
            EXPECT_EQ(d.leg, leg_b.get());
            EXPECT_EQ(d.first_payload_byte, 0xB2);
        }
    }
    EXPECT_EQ(ports_->Ignored(), 1u);  // the stranger: the same host, but nobody's address
}

TEST_F(MediaPortsTest, ALegBehindNatGetsASocketOfItsOwnAndLatchesOntoTheFirstPacket) {
    OpenPorts(1);
    auto sockets_before = ports_->OpenSockets();
    sa private_sdp;
    sa_set_str(&private_sdp, "192.168.1.20", 4000);  // what a phone behind NAT puts in its SDP
    auto leg = NewLeg(&private_sdp, /*alone=*/true);
    EXPECT_EQ(ports_->OpenSockets(), sockets_before + 1);
    EXPECT_NE(PortOf(*leg), ports_->Port(0));
    EXPECT_EQ(PortOf(*leg) % 2, 0);
    Peer phone, intruder;
    phone.SendRtp(PortOf(*leg), 7, 0x55);
    Pump();
    ASSERT_EQ(delivered_.size(), 1u);
    EXPECT_EQ(delivered_[0].leg, leg.get());
    EXPECT_TRUE(leg->latched);
    sa expected = phone.Address();
    EXPECT_TRUE(sa_cmp(&leg->remote, &expected, SA_ALL));  // audio now goes where the phone sends from
    intruder.SendRtp(PortOf(*leg), 7, 0x66);  // too late: the leg has latched
    Pump();
    EXPECT_EQ(delivered_.size(), 1u);
    EXPECT_EQ(ports_->Ignored(), 1u);
    ports_->Remove(*leg);
    EXPECT_EQ(ports_->OpenSockets(), sockets_before);  // its socket closed with it
}

TEST_F(MediaPortsTest, OnASharedSocketOnlyTheExactAddressIsHeard) {
    // Two legs waiting for their first packet, one naming a private address: on a shared socket neither is
    // taken over by a packet from elsewhere, however plausible (a phone that starts sending before its
    // answer has arrived looks just like this, and must not be heard in another call).
    OpenPorts(1);
    sa private_sdp, same_host;
    sa_set_str(&private_sdp, "10.1.2.3", 6000);
    sa_set_str(&same_host, "127.0.0.1", 6002);
    auto nat_leg = NewLeg(&private_sdp);
    auto host_leg = NewLeg(&same_host);
    Peer early;
    early.SendRtp(PortOf(*nat_leg), 9, 0x11);
    Pump();
    EXPECT_TRUE(delivered_.empty());
    EXPECT_EQ(ports_->Ignored(), 1u);
    EXPECT_FALSE(nat_leg->latched);
    EXPECT_TRUE(sa_cmp(&host_leg->remote, &same_host, SA_ALL));
}

TEST_F(MediaPortsTest, ASecondLegCannotClaimAnAddressAnotherLegOnTheSocketExpects) {
    OpenPorts(1);  // one socket: Place cannot keep them apart
    Peer gateway;
    auto addr = gateway.Address();
    auto first = NewLeg(&addr);
    auto second = std::make_unique<Leg>(nullptr, nullptr, LegKind::kCaller, 1, 1, 1);
    ports_->Place(*second, nullptr);
    second->remote = addr;
    second->have_remote = true;
    EXPECT_FALSE(ports_->Expect(*second));
    gateway.SendRtp(PortOf(*first), 100, 0x01);
    gateway.SendRtp(PortOf(*first), 200, 0x02);  // another stream from the same address: still the first's
    Pump();
    ASSERT_EQ(delivered_.size(), 2u);
    EXPECT_EQ(delivered_[0].leg, first.get());
    EXPECT_EQ(delivered_[1].leg, first.get());
    ports_->Remove(*first);  // once the first has gone the address is free again
    EXPECT_TRUE(ports_->Expect(*second));
    gateway.SendRtp(PortOf(*second), 200, 0x03);
    Pump();
    ASSERT_EQ(delivered_.size(), 3u);
    EXPECT_EQ(delivered_[2].leg, second.get());
}

TEST_F(MediaPortsTest, PlacesACallAwayFromASocketWhereItsAddressIsTaken) {
    OpenPorts(2);
    Peer gateway;
    auto addr = gateway.Address();
    auto first = NewLeg(&addr);
    auto second = NewLeg(&addr);
    EXPECT_NE(first->media_socket, second->media_socket);
    EXPECT_EQ(ports_->LegsOn(0), 1u);
    EXPECT_EQ(ports_->LegsOn(1), 1u);
}

TEST_F(MediaPortsTest, SendsQueuedPacketsFromTheLegsPortOnFlush) {
    OpenPorts(2);
    Peer phone;
    auto addr = phone.Address();
    auto leg = NewLeg(&addr);
    const std::uint8_t packet[] = {0x80, 0x00, 0x00, 0x01, 1, 2, 3, 4, 5, 6, 7, 8, 0xAB};
    ports_->Send(*leg, addr, packet, sizeof packet);
    EXPECT_TRUE(phone.Receive(50).empty()) << "sent before Flush";
    ports_->Flush();
    std::uint16_t from = 0;
    auto got = phone.Receive(1000, &from);
    ASSERT_EQ(got.size(), sizeof packet);
    EXPECT_EQ(std::memcmp(got.data(), packet, sizeof packet), 0);
    EXPECT_EQ(from, PortOf(*leg));  // symmetric: from the port its SDP names
}

TEST_F(MediaPortsTest, NothingReachesARemovedLegOrRtcp) {
    OpenPorts(1);
    Peer phone;
    auto leg = LegHearing(phone);
    auto port = PortOf(*leg);
    phone.SendRtp(port, 1, 0x10, 200);  // RTCP sender report's packet type where RTP has M + PT
    Pump();
    EXPECT_TRUE(delivered_.empty());
    ports_->Remove(*leg);
    EXPECT_EQ(ports_->LegsOn(0), 0u);
    phone.SendRtp(port, 1, 0x10);
    Pump();
    EXPECT_TRUE(delivered_.empty());
    EXPECT_EQ(ports_->Ignored(), 2u);
}

TEST_F(MediaPortsTest, OversizedOrMalformedDatagramsAreIgnored) {
    OpenPorts(1);
    Peer phone;
    auto leg = LegHearing(phone);
    auto port = PortOf(*leg);
    std::vector<std::uint8_t> jumbo(3000, 0x80);  // RTP-looking, but longer than any packet we relay
    phone.SendBytes(port, jumbo);
    phone.SendBytes(port, {0x80, 0x00, 0x01});     // shorter than an RTP header
    phone.SendBytes(port, std::vector<std::uint8_t>(172, 0x40));  // RTP version 1
    Pump();
    EXPECT_TRUE(delivered_.empty());
    EXPECT_EQ(ports_->Ignored(), 3u);
    phone.SendRtp(port, 5, 0x42);  // and the leg still hears its phone
    Pump();
    ASSERT_EQ(delivered_.size(), 1u);
    EXPECT_EQ(delivered_[0].first_payload_byte, 0x42);
}

}  // namespace
}  // namespace crisisline::telephony
