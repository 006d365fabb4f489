#include "telephony/ice_lite.hpp"

#include <gtest/gtest.h>

namespace crisisline::telephony {
namespace {

const std::string kPwd = "serverpasswordserverpwd1";

// A browser's connectivity check, as RFC 8445 section 7.2.2 has it.
std::vector<std::uint8_t> Check(const std::string& username, const std::string& key, bool fingerprint = true,
                                bool use_candidate = true) {
    mbuf* mb = mbuf_alloc(512);
    std::uint8_t tid[12];
    for (int i = 0; i < 12; ++i) tid[i] = static_cast<std::uint8_t>(i * 7);
    std::uint32_t priority = 2122260223;
    std::uint64_t tiebreak = 0x1122334455667788ull;
    int err;
    if (use_candidate) {
        err = stun_msg_encode(mb, STUN_METHOD_BINDING, STUN_CLASS_REQUEST, tid, nullptr,
                              reinterpret_cast<const std::uint8_t*>(key.data()), key.size(), fingerprint, 0x00, 4,
                              STUN_ATTR_USERNAME, username.c_str(), STUN_ATTR_PRIORITY, &priority,
                              STUN_ATTR_CONTROLLING, &tiebreak, STUN_ATTR_USE_CAND, &tiebreak);  // no value; libre skips null ones
    } else {
        err = stun_msg_encode(mb, STUN_METHOD_BINDING, STUN_CLASS_REQUEST, tid, nullptr,
                              reinterpret_cast<const std::uint8_t*>(key.data()), key.size(), fingerprint, 0x00, 3,
                              STUN_ATTR_USERNAME, username.c_str(), STUN_ATTR_PRIORITY, &priority,
                              STUN_ATTR_CONTROLLING, &tiebreak);
    }
    EXPECT_EQ(err, 0);
    std::vector<std::uint8_t> out(mb->buf, mb->buf + mb->end);
    mem_deref(mb);
    return out;
}

TEST(IceLiteTest, AnswersACheckMadeWithTheLegsPassword) {
    auto packet = Check("local1:remote9", kPwd);
    EXPECT_EQ(DemuxFirstByte(packet[0]), Demux::kStun);
    StunBindingRequest req(packet.data(), packet.size());
    ASSERT_EQ(req.fault(), StunFault::kNone);
    EXPECT_EQ(req.local_ufrag(), "local1");
    EXPECT_EQ(req.remote_ufrag(), "remote9");
    EXPECT_TRUE(req.use_candidate());
    EXPECT_EQ(req.Authenticate(kPwd, "remote9"), StunFault::kNone);

    sa from;
    sa_set_str(&from, "127.0.0.1", 50123);
    auto reply = req.Success(from, kPwd);
    ASSERT_FALSE(reply.empty());
    mbuf* mb = mbuf_alloc(reply.size());
    mbuf_write_mem(mb, reply.data(), reply.size());
    mb->pos = 0;
    stun_msg* msg = nullptr;
    ASSERT_EQ(stun_msg_decode(&msg, mb, nullptr), 0);
    EXPECT_EQ(stun_msg_class(msg), STUN_CLASS_SUCCESS_RESP);
    EXPECT_EQ(stun_msg_chk_mi(msg, reinterpret_cast<const std::uint8_t*>(kPwd.data()), kPwd.size()), 0);
    EXPECT_EQ(stun_msg_chk_fingerprint(msg), 0);
    auto* mapped = stun_msg_attr(msg, STUN_ATTR_XOR_MAPPED_ADDR);
    ASSERT_NE(mapped, nullptr);
    EXPECT_TRUE(sa_cmp(&mapped->v.xor_mapped_addr, &from, SA_ALL));
    mem_deref(msg);
    mem_deref(mb);
}

TEST(IceLiteTest, FailsClosedOnWrongCredentials) {
    auto wrong_key = Check("local1:remote9", "not the password of this leg");
    StunBindingRequest a(wrong_key.data(), wrong_key.size());
    ASSERT_EQ(a.fault(), StunFault::kNone);  // well formed: only the password tells
    EXPECT_EQ(a.Authenticate(kPwd, "remote9"), StunFault::kWrongCredentials);

    auto wrong_peer = Check("local1:someoneelse", kPwd);
    StunBindingRequest b(wrong_peer.data(), wrong_peer.size());
    EXPECT_EQ(b.Authenticate(kPwd, "remote9"), StunFault::kWrongCredentials);

    auto no_fp = Check("local1:remote9", kPwd, false);
    StunBindingRequest c(no_fp.data(), no_fp.size());
    EXPECT_EQ(c.fault(), StunFault::kNoFingerprint);
    EXPECT_EQ(c.Authenticate(kPwd, "remote9"), StunFault::kNoFingerprint);

    auto tampered = Check("local1:remote9", kPwd);
    tampered[30] ^= 0x01;  // inside the attributes, before MESSAGE-INTEGRITY
    StunBindingRequest d(tampered.data(), tampered.size());
    EXPECT_NE(d.Authenticate(kPwd, "remote9"), StunFault::kNone);

    auto nameless = Check("nocolon", kPwd);
    StunBindingRequest e(nameless.data(), nameless.size());
    EXPECT_EQ(e.fault(), StunFault::kUnknownUser);

    std::uint8_t junk[] = {0x00, 0x01, 0x00, 0x00, 1, 2, 3};
    StunBindingRequest f(junk, sizeof junk);
    EXPECT_EQ(f.fault(), StunFault::kMalformed);
}

TEST(IceLiteTest, DemultiplexesByFirstByte) {
    EXPECT_EQ(DemuxFirstByte(0), Demux::kStun);
    EXPECT_EQ(DemuxFirstByte(3), Demux::kStun);
    EXPECT_EQ(DemuxFirstByte(22), Demux::kDtls);
    EXPECT_EQ(DemuxFirstByte(63), Demux::kDtls);
    EXPECT_EQ(DemuxFirstByte(0x80), Demux::kRtp);
    EXPECT_EQ(DemuxFirstByte(191), Demux::kRtp);
    EXPECT_EQ(DemuxFirstByte(64), Demux::kOther);
    EXPECT_EQ(DemuxFirstByte(200), Demux::kOther);
}

// A check from the browser, as `Check` makes it, read off the wire.
IceSession::Verdict CheckWith(IceSession& ice, const std::string& username, const std::string& key,
                              bool use_candidate) {
    auto packet = Check(username, key, true, use_candidate);
    StunBindingRequest req(packet.data(), packet.size());
    EXPECT_EQ(req.fault(), StunFault::kNone) << username;
    return ice.Check(req);
}

const std::string kNewPwd = "serverpasswordrestarted";

TEST(IceSessionTest, RestartAcceptsNewCredentialsAndOldOnesUntilTheNewPairIsNominated) {
    IceSession ice("srv1", kPwd);
    ice.Answered("brw1", "browserpasswordbrowser1");
    EXPECT_EQ(CheckWith(ice, "srv1:brw1", kPwd, true).fault, StunFault::kNone);
    EXPECT_FALSE(ice.restarting());

    ASSERT_TRUE(ice.Reoffered("brw2", "browserpasswordbrowser2", "srv2", kNewPwd));
    EXPECT_TRUE(ice.restarting());
    EXPECT_EQ(ice.current().local_ufrag, "srv2");
    EXPECT_EQ(ice.LocalUfrags(), (std::vector<std::string>{"srv2", "srv1"}));

    // While the browser checks its new pairs, media and consent stay on the old one.
    auto old_pair = CheckWith(ice, "srv1:brw1", kPwd, false);
    EXPECT_EQ(old_pair.fault, StunFault::kNone);
    EXPECT_EQ(old_pair.local_pwd, kPwd);
    auto probing = CheckWith(ice, "srv2:brw2", kNewPwd, false);
    EXPECT_EQ(probing.fault, StunFault::kNone);
    EXPECT_EQ(probing.local_pwd, kNewPwd);
    EXPECT_FALSE(probing.restart_done);
    // The new generation is made only with the new password and the browser's new ufrag.
    EXPECT_EQ(CheckWith(ice, "srv2:brw2", kPwd, true).fault, StunFault::kWrongCredentials);
    EXPECT_EQ(CheckWith(ice, "srv2:brw1", kNewPwd, true).fault, StunFault::kWrongCredentials);
    EXPECT_TRUE(ice.restarting());

    auto nominated = CheckWith(ice, "srv2:brw2", kNewPwd, true);
    EXPECT_EQ(nominated.fault, StunFault::kNone);
    EXPECT_TRUE(nominated.restart_done);
    EXPECT_FALSE(ice.restarting());

    // Now the old credentials are refused, and counted as wrong credentials, not as a stranger.
    EXPECT_EQ(CheckWith(ice, "srv1:brw1", kPwd, true).fault, StunFault::kWrongCredentials);
    EXPECT_EQ(CheckWith(ice, "srv1:brw1", kPwd, false).fault, StunFault::kWrongCredentials);
    EXPECT_EQ(CheckWith(ice, "srv2:brw2", kNewPwd, true).fault, StunFault::kNone);
    EXPECT_FALSE(CheckWith(ice, "srv2:brw2", kNewPwd, true).restart_done);  // only once
    EXPECT_EQ(CheckWith(ice, "nobody:brw2", kNewPwd, true).fault, StunFault::kUnknownUser);
}

TEST(IceSessionTest, ReofferWithTheSameCredentialsChangesNothing) {
    IceSession ice("srv1", kPwd);
    ice.Answered("brw1", "browserpasswordbrowser1");
    EXPECT_FALSE(ice.Reoffered("brw1", "browserpasswordbrowser1", "srv9", kNewPwd));
    EXPECT_EQ(ice.current().local_ufrag, "srv1");
    EXPECT_FALSE(ice.restarting());
    EXPECT_EQ(CheckWith(ice, "srv1:brw1", kPwd, true).fault, StunFault::kNone);
    // A new password alone is a restart too (RFC 8839 section 4.4.1.1.1).
    EXPECT_TRUE(ice.Reoffered("brw1", "browserpasswordchanged1", "srv2", kNewPwd));
}

TEST(IceSessionTest, ASecondRestartBeforeTheFirstFinishesKeepsTheGenerationMediaIsOn) {
    IceSession ice("srv1", kPwd);
    ice.Answered("brw1", "browserpasswordbrowser1");
    ASSERT_TRUE(ice.Reoffered("brw2", "browserpasswordbrowser2", "srv2", kNewPwd));
    ASSERT_TRUE(ice.Reoffered("brw3", "browserpasswordbrowser3", "srv3", "serverpasswordthirdtime"));
    EXPECT_EQ(ice.LocalUfrags(), (std::vector<std::string>{"srv3", "srv1", "srv2"}));
    EXPECT_EQ(CheckWith(ice, "srv1:brw1", kPwd, false).fault, StunFault::kNone);  // media still here
    EXPECT_EQ(CheckWith(ice, "srv2:brw2", kNewPwd, true).fault, StunFault::kWrongCredentials);
    EXPECT_TRUE(CheckWith(ice, "srv3:brw3", "serverpasswordthirdtime", true).restart_done);
    EXPECT_EQ(CheckWith(ice, "srv1:brw1", kPwd, false).fault, StunFault::kWrongCredentials);
}

TEST(IceSessionTest, ForgetsAllButTheLastFewRetiredGenerations) {
    IceSession ice("srv0", kPwd);
    ice.Answered("brw0", "browserpasswordbrowser0");
    for (int i = 1; i <= 6; ++i) {
        std::string n = std::to_string(i);
        ASSERT_TRUE(ice.Reoffered("brw" + n, "browserpasswordbrowser" + n, "srv" + n, kNewPwd));
        ASSERT_TRUE(CheckWith(ice, "srv" + n + ":brw" + n, kNewPwd, true).restart_done);
    }
    EXPECT_EQ(ice.LocalUfrags().size(), 1 + IceSession::kRetiredKept);
    EXPECT_EQ(CheckWith(ice, "srv5:brw5", kNewPwd, true).fault, StunFault::kWrongCredentials);
    EXPECT_EQ(CheckWith(ice, "srv0:brw0", kPwd, true).fault, StunFault::kUnknownUser);
}

}  // namespace
}  // namespace crisisline::telephony
