#include "staff/duties.hpp"

#include <gtest/gtest.h>

#include <tuple>

namespace crisisline::staff {
namespace {

Principal Person(std::string id, std::vector<Role> roles, std::vector<std::string> lines) {
    return Principal{std::move(id), "Test person (fictional)", std::move(roles), std::move(lines)};
}

TEST(DutiesTest, ACounsellorOrSupervisorRoleOnANewLineIsAContentGrant) {
    const Access before{{"admin"}, {"police"}, false};
    const Access after{{"admin", "counsellor", "supervisor"}, {"police", "fire"}, false};
    const std::vector<ContentGrant> want = {
        {"counsellor", "fire"}, {"counsellor", "police"}, {"supervisor", "fire"}, {"supervisor", "police"}};
    EXPECT_EQ(NewContentGrants(before, after), want);
}

TEST(DutiesTest, WhatWasHeldAlreadyIsNoGrant) {
    const Access before{{"counsellor"}, {"police"}, false};
    EXPECT_TRUE(NewContentGrants(before, before).empty());
    EXPECT_TRUE(NewContentGrants(before, Access{{"counsellor", "auditor"}, {"police"}, false}).empty());
    const std::vector<ContentGrant> fire = {{"counsellor", "fire"}};
    EXPECT_EQ(NewContentGrants(before, Access{{"counsellor"}, {"police", "fire", "fire"}, false}), fire);
}

TEST(DutiesTest, RolesThatNeverReadContentAreNoGrant) {
    const Access after{{"admin", "service_manager", "auditor"}, {"police", "fire"}, false};
    EXPECT_TRUE(NewContentGrants({}, after).empty());
}

TEST(DutiesTest, EnablingADisabledCounsellorGrantsWhatTheyHoldAndDisablingGrantsNothing) {
    const Access disabled{{"counsellor"}, {"police"}, true};
    const Access enabled{{"counsellor"}, {"police"}, false};
    const std::vector<ContentGrant> police = {{"counsellor", "police"}};
    EXPECT_EQ(NewContentGrants(disabled, enabled), police);
    EXPECT_TRUE(NewContentGrants(enabled, disabled).empty());
    EXPECT_EQ(NewContentGrants({}, enabled), police) << "a new account";
}

TEST(DutiesTest, OnlyAnAdministratorWhoIsServiceManagerOfEveryLineGrantedGrantsAlone) {
    const std::vector<ContentGrant> police = {{"counsellor", "police"}};
    const std::vector<ContentGrant> both = {{"counsellor", "police"}, {"supervisor", "fire"}};
    const auto manager = Person("st_a", {Role::kAdmin, Role::kServiceManager}, {"police"});
    EXPECT_TRUE(GrantsAlone(manager, police));
    EXPECT_FALSE(GrantsAlone(manager, both)) << "not the service manager of fire";
    EXPECT_FALSE(GrantsAlone(Person("st_b", {Role::kAdmin}, {"police"}), police));
    EXPECT_FALSE(GrantsAlone(Person("st_c", {Role::kServiceManager}, {"police"}), police)) << "not an admin";
    EXPECT_TRUE(GrantsAlone(Person("st_b", {Role::kAdmin}, {}), {})) << "no grant, nothing to approve";
}

TEST(DutiesTest, ASecondAdministratorWhoIsNeitherRequesterNorSubjectDecides) {
    const auto admin = Person("st_second", {Role::kAdmin}, {});
    EXPECT_TRUE(MayDecide(admin, "st_first", "st_subject"));
    for (const auto& [who, requester, subject] :
         {std::tuple{Person("st_first", {Role::kAdmin}, {}), "st_first", "st_subject"},
          std::tuple{Person("st_subject", {Role::kAdmin}, {}), "st_first", "st_subject"},
          std::tuple{Person("st_sup", {Role::kSupervisor}, {"police"}), "st_first", "st_subject"}}) {
        auto decided = MayDecide(who, requester, subject);
        ASSERT_FALSE(decided) << who.staff_id;
        EXPECT_EQ(decided.error().code, ErrorCode::kForbidden) << who.staff_id;
    }
}

TEST(DutiesTest, TheDetailSaysBeforeAndAfterAndTheGrantsOnly) {
    const Access before{{"admin"}, {}, false};
    const Access after{{"admin", "counsellor"}, {"police"}, false};
    const auto detail = ChangeDetail(&before, after);
    EXPECT_EQ(detail["before"]["roles"], nlohmann::json({"admin"}));
    EXPECT_EQ(detail["after"]["lines"], nlohmann::json({"police"}));
    EXPECT_EQ(detail["grants"], nlohmann::json::parse(R"([{"role":"counsellor","line":"police"}])"));
    EXPECT_TRUE(ChangeDetail(nullptr, before)["before"].is_null());
    EXPECT_FALSE(ChangeDetail(&after, after).contains("grants"));
}

}  // namespace
}  // namespace crisisline::staff
