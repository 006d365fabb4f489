#include "core/host_port.hpp"

#include <gtest/gtest.h>

namespace crisisline {
namespace {

TEST(SplitHostPort, ReadsHostAndPortIncludingBracketedIpv6) {
    auto v4 = SplitHostPort("192.0.2.1:5060", "x");
    ASSERT_TRUE(v4);
    EXPECT_EQ(v4->first, "192.0.2.1");
    EXPECT_EQ(v4->second, 5060);
    auto v6 = SplitHostPort("[::1]:5061", "x");
    ASSERT_TRUE(v6);
    EXPECT_EQ(v6->first, "::1");
    EXPECT_EQ(v6->second, 5061);
}

TEST(SplitHostPort, RefusesNamingTheField) {
    for (const char* bad : {":5060", "host", "host:50a", "host:70000", "host:-1", "host:"}) {
        auto r = SplitHostPort(bad, "trunk.outbound");
        ASSERT_FALSE(r) << bad;
        EXPECT_EQ(r.error().code, ErrorCode::kInvalid);
        EXPECT_EQ(r.error().field, "trunk.outbound");
    }
}

}  // namespace
}  // namespace crisisline
