#include "telephony/flow_target.hpp"

#include <cstring>
#include <string>

#include <gtest/gtest.h>

namespace crisisline::telephony {
namespace {

sa Address(const char* ip, std::uint16_t port) {
    sa out{};
    EXPECT_EQ(sa_set_str(&out, ip, port), 0);
    return out;
}

// A parsed SIP message from text (what libre's transport hands the switchboard).
struct Parsed {
    mbuf* mb = nullptr;
    sip_msg* msg = nullptr;
    explicit Parsed(const std::string& text) {
        mb = mbuf_alloc(text.size());
        mbuf_write_mem(mb, reinterpret_cast<const uint8_t*>(text.data()), text.size());
        mb->pos = 0;
        EXPECT_EQ(sip_msg_decode(&msg, mb), 0);
    }
    ~Parsed() {
        mem_deref(msg);
        mem_deref(mb);
    }
};

std::string Invite(const std::string& contact) {
    return "INVITE sips:+448081570000@192.0.2.1:5061 SIP/2.0\r\n"
           "Via: SIP/2.0/TLS 192.0.2.7:40001;branch=z9hG4bKtest\r\n"
           "From: <sip:01632960000@192.0.2.7>;tag=a1\r\nTo: <sips:+448081570000@192.0.2.1>\r\n"
           "Call-ID: flow-target-test\r\nCSeq: 1 INVITE\r\n"
           "Contact: " + contact + "\r\nContent-Length: 0\r\n\r\n";
}

TEST(FlowTargetTest, NamesTheConnectionTheRequestCameOnOverTlsOrTcp) {
    EXPECT_EQ(FlowTarget(Address("192.0.2.7", 40001), SIP_TRANSP_TLS, "carrier"),
              "sip:carrier@192.0.2.7:40001;transport=tls");
    EXPECT_EQ(FlowTarget(Address("192.0.2.7", 40001), SIP_TRANSP_TCP, ""), "sip:192.0.2.7:40001;transport=tcp");
    EXPECT_EQ(FlowTarget(Address("2001:db8::7", 5061), SIP_TRANSP_TLS, ""), "sip:[2001:db8::7]:5061;transport=tls");
}

TEST(FlowTargetTest, UdpHasNoFlowAndAnUnsetSourceNone) {
    EXPECT_EQ(FlowTarget(Address("192.0.2.7", 5060), SIP_TRANSP_UDP, "carrier"), "");
    EXPECT_EQ(FlowTarget(sa{}, SIP_TRANSP_TLS, "carrier"), "");
}

TEST(FlowTargetTest, TakesTheContactsUserOnlyWhenItIsPlainUriText) {
    Parsed sips(Invite("<sips:carrier-7@192.0.2.7:40001;transport=tls>"));
    EXPECT_EQ(ContactUser(*sips.msg), "carrier-7");
    Parsed none(Invite("<sips:192.0.2.7:40001;transport=tls>"));
    EXPECT_EQ(ContactUser(*none.msg), "");
    Parsed odd(Invite("<sips:a\"b@192.0.2.7:40001>"));
    EXPECT_EQ(ContactUser(*odd.msg), "");
}

TEST(FlowTargetTest, ADialogOnASipsContactIsRetargetedToASipUriLibreCanSendTo) {
    Parsed invite(Invite("<sips:carrier@192.0.2.7:40001;transport=tls>"));
    sip_dialog* dialog = nullptr;
    ASSERT_EQ(sip_dialog_accept(&dialog, invite.msg), 0);
    // libre's request path refuses the SIPS target as the dialog holds it now...
    sip* stack = nullptr;
    ASSERT_EQ(sip_alloc(&stack, nullptr, 4, 4, 4, "flow-target-test", nullptr, nullptr), 0);
    EXPECT_EQ(sip_drequestf(nullptr, stack, true, "BYE", dialog, 0, nullptr, nullptr, nullptr, nullptr,
                            "Content-Length: 0\r\n\r\n"),
              ENOSYS);
    // ...and takes the flow once retargeted (no transport is added here, so it stops there, not at the scheme).
    ASSERT_EQ(RetargetDialog(dialog, "sip:carrier@192.0.2.7:40001;transport=tls"), 0);
    EXPECT_NE(sip_drequestf(nullptr, stack, true, "BYE", dialog, 0, nullptr, nullptr, nullptr, nullptr,
                            "Content-Length: 0\r\n\r\n"),
              ENOSYS);
    EXPECT_EQ(RetargetDialog(dialog, ""), EINVAL);
    mem_deref(dialog);
    sip_close(stack, true);
    mem_deref(stack);
}

}  // namespace
}  // namespace crisisline::telephony
