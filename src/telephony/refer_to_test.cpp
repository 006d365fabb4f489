#include "telephony/refer_to.hpp"

#include <gtest/gtest.h>

namespace crisisline::telephony {
namespace {

TEST(ReferToTest, ReadsTheUserOfTheUri) {
    struct Case {
        const char* value;
        const char* user;
    };
    const Case cases[] = {
        {"<sip:demo.supervisor@127.0.0.1>", "demo.supervisor"},
        {"\"Jo\" <sips:jo@crisisline.example;transport=tls>", "jo"},
        {"sip:+448081570000@crisisline.example", "+448081570000"},
        {"<sip:jo@host?Replaces=abc%3Bto-tag%3D1%3Bfrom-tag%3D2>", "jo"},
        {"<sip:host.example>", ""},
        {"<sip:host;user=x@y>", ""},
        {"<tel:+448081570000>", ""},
        {"", ""},
    };
    for (const auto& c : cases) EXPECT_EQ(ReferUser(c.value), c.user) << c.value;
}

TEST(ReferToTest, ABlindTransferNamesNoReplaces) {
    for (const char* value : {"<sip:jo@host>", "<sip:jo@host?Subject=hello>", "sip:jo@host;transport=udp", ""}) {
        auto replaces = ReferReplaces(value);
        ASSERT_TRUE(replaces.has_value()) << value;
        EXPECT_FALSE(replaces->has_value()) << value;
    }
}

TEST(ReferToTest, ReadsTheEscapedReplacesOfAnAttendedTransfer) {
    struct Case {
        const char* value;
        const char* call_id;
        const char* to_tag;
        const char* from_tag;
        bool early_only;
    };
    const Case cases[] = {
        // As RFC 3891 section 6.1's example: escaped ';', '=' and '@'.
        {"<sip:jo@host?Replaces=425928%40bobster.example.org%3Bto-tag%3D7743%3Bfrom-tag%3D6472>",
         "425928@bobster.example.org", "7743", "6472", false},
        // Lower-case escapes, the header name in another case, another header before it, from-tag first.
        {"<sip:jo@host?Subject=x&replaces=abc%40h%3bfrom-tag%3dF%3bto-tag%3dT%3Bearly-only>", "abc@h", "T", "F",
         true},
        // Unescaped separators, as some phones send them inside the angle brackets.
        {"\"Jo\" <sip:jo@host?Replaces=abc@h;to-tag=T;from-tag=F>", "abc@h", "T", "F", false},
        // An unknown parameter is passed over.
        {"<sip:jo@host?Replaces=id%3Bx%3D1%3Bto-tag%3DT%3Bfrom-tag%3DF>", "id", "T", "F", false},
    };
    for (const auto& c : cases) {
        auto replaces = ReferReplaces(c.value);
        ASSERT_TRUE(replaces.has_value()) << c.value << ": " << replaces.error().message;
        ASSERT_TRUE(replaces->has_value()) << c.value;
        EXPECT_EQ((*replaces)->call_id, c.call_id) << c.value;
        EXPECT_EQ((*replaces)->to_tag, c.to_tag) << c.value;
        EXPECT_EQ((*replaces)->from_tag, c.from_tag) << c.value;
        EXPECT_EQ((*replaces)->early_only, c.early_only) << c.value;
    }
}

TEST(ReferToTest, RefusesAReplacesItCannotRead) {
    for (const char* value : {"<sip:jo@host?Replaces=abc%3Bto-tag%3DT>",          // no from-tag
                              "<sip:jo@host?Replaces=abc%3Bfrom-tag%3DF%3Bto-tag>",  // an empty to-tag
                              "<sip:jo@host?Replaces=%3Bto-tag%3DT%3Bfrom-tag%3DF>",  // no Call-ID
                              "<sip:jo@host?Replaces=abc%3Bto-tag%3DT%3Bfrom-tag%3DF%2>",  // a truncated escape
                              "<sip:jo@host?Replaces=abc%ZZ%3Bto-tag%3DT%3Bfrom-tag%3DF>"}) {  // not hex
        auto replaces = ReferReplaces(value);
        ASSERT_FALSE(replaces.has_value()) << value;
        EXPECT_EQ(replaces.error().code, ErrorCode::kInvalid) << value;
        EXPECT_EQ(replaces.error().field, "Replaces") << value;
    }
}

}  // namespace
}  // namespace crisisline::telephony
