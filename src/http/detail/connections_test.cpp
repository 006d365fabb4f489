#include "http/detail/connections.hpp"

#include <gtest/gtest.h>

#include <algorithm>

#include <boost/asio/io_context.hpp>

namespace crisisline::http::detail {
namespace {

// A connection that records being asked to close when idle, and closes when `idle`.
class FakeConnection : public Connection {
public:
    FakeConnection(boost::asio::io_context& ioc, Connections& connections, bool idle)
        : ioc_(ioc), connections_(connections), idle_(idle) {}
    boost::asio::any_io_executor Executor() override { return ioc_.get_executor(); }
    void CloseIfIdle() override {
        ++asked_;
        if (idle_) connections_.Remove(this);
    }
    int asked_ = 0;

private:
    boost::asio::io_context& ioc_;
    Connections& connections_;
    bool idle_;
};

class ConnectionsTest : public ::testing::Test {
protected:
    std::shared_ptr<FakeConnection> Make(bool idle = true) {
        return std::make_shared<FakeConnection>(ioc_, connections_, idle);
    }
    // Runs what was posted (an io_context that ran out of work must be restarted first).
    void Poll() {
        ioc_.restart();
        ioc_.poll();
    }
    boost::asio::io_context ioc_;
    Connections connections_{nullptr, ConnectionLimits{16, 4}};
};

TEST_F(ConnectionsTest, RefusesAnAddressOverItsLimitButNotOthersOrTrustedProxies) {
    for (int i = 0; i < 4; ++i) EXPECT_EQ(connections_.Admit(Make(), "192.0.2.1", true), Admission::kAdmitted);
    EXPECT_EQ(connections_.Admit(Make(), "192.0.2.1", true), Admission::kTooManyFromAddress);
    EXPECT_EQ(connections_.Admit(Make(), "192.0.2.2", true), Admission::kAdmitted);
    EXPECT_EQ(connections_.Admit(Make(), "192.0.2.1", false), Admission::kAdmitted) << "a trusted proxy";
}

TEST_F(ConnectionsTest, AClosedConnectionGivesItsAddressRoomAgain) {
    std::vector<std::shared_ptr<FakeConnection>> held;
    for (int i = 0; i < 4; ++i) {
        held.push_back(Make());
        ASSERT_EQ(connections_.Admit(held.back(), "192.0.2.1", true), Admission::kAdmitted);
    }
    connections_.Remove(held.front().get());
    EXPECT_EQ(connections_.Admit(Make(), "192.0.2.1", true), Admission::kAdmitted);
}

TEST_F(ConnectionsTest, UnderAFloodTheOldestIdleConnectionsGiveWay) {
    std::vector<std::shared_ptr<FakeConnection>> flood;
    for (int i = 0; i < 14; ++i) {  // 16 - 16/8: shedding starts here
        flood.push_back(Make());
        ASSERT_EQ(connections_.Admit(flood.back(), "198.51.100." + std::to_string(i), true), Admission::kAdmitted);
    }
    auto newcomer = Make();
    EXPECT_EQ(connections_.Admit(newcomer, "192.0.2.77", true), Admission::kAdmitted);
    Poll();
    EXPECT_EQ(flood[0]->asked_, 1);
    EXPECT_EQ(flood[1]->asked_, 1);
    EXPECT_EQ(flood[2]->asked_, 0) << "only the two longest-standing are asked";
    EXPECT_EQ(newcomer->asked_, 0);
    for (int i = 0; i < 100; ++i) {
        EXPECT_EQ(connections_.Admit(Make(), "203.0.113." + std::to_string(i), true), Admission::kAdmitted)
            << "idle connections keep giving way; newcomer " << i;
        Poll();
    }
}

TEST_F(ConnectionsTest, BusyConnectionsAreNeverShedAndTheTotalHolds) {
    std::vector<std::shared_ptr<FakeConnection>> busy;
    for (int i = 0; i < 16; ++i) {
        busy.push_back(Make(false));
        ASSERT_EQ(connections_.Admit(busy.back(), "198.51.100." + std::to_string(i), true), Admission::kAdmitted)
            << i;
        Poll();
    }
    EXPECT_EQ(connections_.Admit(Make(), "192.0.2.1", true), Admission::kTooMany);
    Poll();
    const auto asked = std::count_if(busy.begin(), busy.end(), [](const auto& c) { return c->asked_ > 0; });
    EXPECT_GE(asked, 2) << "asked to close if idle, and they stayed because they were busy";
}

TEST_F(ConnectionsTest, UpgradedConnectionsAreCountedButNeverShed) {
    std::vector<std::shared_ptr<FakeConnection>> sockets;
    for (int i = 0; i < 16; ++i) {
        sockets.push_back(Make());
        ASSERT_TRUE(connections_.Add(sockets.back()));
    }
    EXPECT_EQ(connections_.Admit(Make(), "192.0.2.1", true), Admission::kTooMany);
    Poll();
    for (const auto& c : sockets) EXPECT_EQ(c->asked_, 0) << "a console's WebSocket is never shed";
}

}  // namespace
}  // namespace crisisline::http::detail
