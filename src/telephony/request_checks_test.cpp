#include "telephony/request_checks.hpp"

#include <gtest/gtest.h>

#include <string>

#include "media/detail/re.hpp"

namespace crisisline::telephony {
namespace {

const char* kBody =
    "v=0\r\no=- 1 1 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\nm=audio 4000 RTP/AVP 0\r\n";

struct Headers {
    std::string via = "Via: SIP/2.0/UDP 127.0.0.1:5070;branch=z9hG4bK1\r\n";
    std::string from = "From: <sip:caller@127.0.0.1>;tag=1\r\n";
    std::string to = "To: <sip:+448081570000@127.0.0.1>\r\n";
    std::string call_id = "Call-ID: abc@127.0.0.1\r\n";
    std::string cseq = "CSeq: 1 INVITE\r\n";
    std::string contact = "Contact: <sip:caller@127.0.0.1:5070>\r\n";
    std::string extra;
    std::string length = "";  // empty: the right Content-Length
    std::string method = "INVITE";
};

std::string Text(const Headers& h) {
    std::string body = kBody;
    std::string length = h.length.empty() ? "Content-Length: " + std::to_string(body.size()) + "\r\n" : h.length;
    return h.method + " sip:+448081570000@127.0.0.1 SIP/2.0\r\n" + h.via + h.from + h.to + h.call_id + h.cseq +
           h.contact + h.extra + "Content-Type: application/sdp\r\n" + length + "\r\n" + body;
}

// The status CheckRequest answers for `text` (0: handled).
int Status(const std::string& text, std::string* headers = nullptr) {
    mbuf* mb = mbuf_alloc(text.size());
    mbuf_write_mem(mb, reinterpret_cast<const std::uint8_t*>(text.data()), text.size());
    mb->pos = 0;
    sip_msg* msg = nullptr;
    int status = -1;
    if (sip_msg_decode(&msg, mb) == 0) {
        auto refusal = CheckRequest(*msg);
        status = refusal ? refusal->status : 0;
        if (refusal && headers) *headers = refusal->headers;
    }
    mem_deref(msg);
    mem_deref(mb);
    return status;
}

TEST(RequestChecks, AWellFormedInviteIsHandled) { EXPECT_EQ(Status(Text(Headers{})), 0); }

TEST(RequestChecks, MalformedInvitesAreRefusedAsRfc3261Says) {
    struct Case {
        const char* what;
        void (*change)(Headers&);
        int want;
    };
    const Case cases[] = {
        {"no To", [](Headers& h) { h.to.clear(); }, 400},
        {"no From", [](Headers& h) { h.from.clear(); }, 400},
        {"no Call-ID", [](Headers& h) { h.call_id.clear(); }, 400},
        {"no CSeq", [](Headers& h) { h.cseq.clear(); }, 400},
        {"no Contact", [](Headers& h) { h.contact.clear(); }, 400},
        {"CSeq 2^32", [](Headers& h) { h.cseq = "CSeq: 4294967296 INVITE\r\n"; }, 400},
        {"CSeq 2^31", [](Headers& h) { h.cseq = "CSeq: 2147483648 INVITE\r\n"; }, 400},
        {"CSeq -1", [](Headers& h) { h.cseq = "CSeq: -1 INVITE\r\n"; }, 400},
        {"CSeq of another method", [](Headers& h) { h.cseq = "CSeq: 1 BYE\r\n"; }, 400},
        {"Content-Length too long", [](Headers& h) { h.length = "Content-Length: 9999\r\n"; }, 400},
        {"Content-Length too short", [](Headers& h) { h.length = "Content-Length: 3\r\n"; }, 400},
        {"Content-Length not a number", [](Headers& h) { h.length = "Content-Length: ten\r\n"; }, 400},
        {"Max-Forwards 0", [](Headers& h) { h.extra = "Max-Forwards: 0\r\n"; }, 483},
        {"Max-Forwards not a number", [](Headers& h) { h.extra = "Max-Forwards: many\r\n"; }, 400},
        {"Require 100rel", [](Headers& h) { h.extra = "Require: 100rel\r\n"; }, 420},
        {"Require unknown", [](Headers& h) { h.extra = "Require: frobnicate\r\n"; }, 420},
        {"CSeq 2^31-1", [](Headers& h) { h.cseq = "CSeq: 2147483647 INVITE\r\n"; }, 0},
        {"Max-Forwards 70", [](Headers& h) { h.extra = "Max-Forwards: 70\r\n"; }, 0},
    };
    for (const auto& c : cases) {
        Headers h;
        c.change(h);
        EXPECT_EQ(Status(Text(h)), c.want) << c.what << ":\n" << Text(h);
    }
}

TEST(RequestChecks, AnUnknownRequireIsNamedInUnsupported) {
    Headers h;
    h.extra = "Require: frobnicate\r\n";
    std::string headers;
    ASSERT_EQ(Status(Text(h), &headers), 420);
    EXPECT_EQ(headers, "Unsupported: frobnicate\r\n");
}

TEST(RequestChecks, AckIsNotRefusedForRequireAndOtherMethodsNeedNoContact) {
    Headers ack;
    ack.method = "ACK";
    ack.cseq = "CSeq: 1 ACK\r\n";
    ack.extra = "Require: frobnicate\r\n";
    EXPECT_EQ(Status(Text(ack)), 0);
    Headers bye;
    bye.method = "BYE";
    bye.cseq = "CSeq: 2 BYE\r\n";
    bye.contact.clear();
    bye.extra = "Max-Forwards: 0\r\n";
    EXPECT_EQ(Status(Text(bye)), 0);
}

}  // namespace
}  // namespace crisisline::telephony
