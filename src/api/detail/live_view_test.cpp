#include "api/detail/live_view.hpp"

#include <gtest/gtest.h>

namespace crisisline::api::detail {
namespace {

using staff::Role;

events::Event Event(const std::string& type, const std::string& line, const std::string& counsellor,
                    nlohmann::json data = nlohmann::json::object()) {
    events::Event e;
    e.type = type;
    e.line = line;
    e.counsellor = counsellor;
    e.data = std::move(data);
    return e;
}

TEST(LiveViewTest, WhoSeesWhichEvent) {
    const staff::Principal counsellor{"st_c", "C", {Role::kCounsellor}, {"police"}};
    const staff::Principal supervisor{"st_s", "S", {Role::kSupervisor, Role::kCounsellor}, {"police"}};
    const staff::Principal manager{"st_m", "M", {Role::kServiceManager}, {"fire"}};
    // Telephony knows st_c on police, st_f on fire, st_both on both.
    const CounsellorLines lines_of = {{"st_c", {"police"}}, {"st_f", {"fire"}}, {"st_both", {"fire", "police"}}};
    struct Case {
        const char* name;
        events::Event e;
        bool counsellor, supervisor, manager;
    };
    const std::vector<Case> cases = {
        {"own state", Event("counsellor.state", "", "st_c"), true, true, false},
        {"colleague's phone", Event("phone.registered", "", "st_f"), false, false, true},
        {"counsellor of both lines", Event("counsellor.state", "", "st_both"), false, true, true},
        {"unknown counsellor", Event("counsellor.state", "", "st_new"), false, false, false},
        {"a call on police", Event("call.arrived", "police", ""), false, true, false},
        {"ringing someone else", Event("call.ringing", "police", "st_s"), false, true, false},
        {"ringing me", Event("call.ringing", "police", "st_c"), true, true, false},
        {"queue of my line", Event("queue.summary", "police", ""), true, true, false},
        {"queue of another line", Event("queue.summary", "fire", ""), false, false, true},
        {"someone's escalation", Event("escalation.raised", "police", "st_s"), false, true, false},
        {"my flags", Event("contact.flags", "police", "st_c"), true, true, false},
        {"a fire call", Event("call.ended", "fire", "st_f"), false, false, true},
        {"a new content reader on police", Event("announcement.added", "police", ""), false, true, false},
        {"a new content reader on fire", Event("announcement.added", "fire", ""), false, false, false},
        {"an announcement acknowledged", Event("announcement.acknowledged", "police", ""), false, true, false},
        {"a colleague consults me", Event("call.consulting", "police", "st_s", {{"call", "ct_1"}, {"to", "st_c"}}), true,
         true, false},
        {"a consult with me ended", Event("call.consult_ended", "police", "st_s", {{"call", "ct_1"}, {"to", "st_c"}}),
         true, true, false},
        {"a colleague consults another", Event("call.consulting", "police", "st_s", {{"to", "st_x"}}), false, true,
         false},
        {"not a consult's event", Event("call.transferring", "police", "st_s", {{"to", "st_c"}}), false, true, false},
        {"a colleague adds me to their call", Event("call.conference", "police", "st_s",
                                                    {{"call", "ct_1"}, {"to", "counsellor:st_c"}, {"state", "ringing"}}),
         true, true, false},
        {"a colleague adds another", Event("call.conference", "police", "st_s", {{"to", "counsellor:st_x"}}), false,
         true, false},
        {"a colleague adds a service", Event("call.conference", "police", "st_s", {{"to", "external:st_c"}}), false,
         true, false},
    };
    for (const auto& c : cases) {
        EXPECT_EQ(SeesEvent(counsellor, c.e, lines_of), c.counsellor) << c.name << " (counsellor)";
        EXPECT_EQ(SeesEvent(supervisor, c.e, lines_of), c.supervisor) << c.name << " (supervisor)";
        EXPECT_EQ(SeesEvent(manager, c.e, lines_of), c.manager) << c.name << " (service manager)";
    }
}

TEST(LiveViewTest, OnlyTheFloorRolesWatch) {
    EXPECT_TRUE(WatchesLive({"a", "", {Role::kCounsellor}, {}}));
    EXPECT_TRUE(WatchesLive({"a", "", {Role::kServiceManager}, {}}));
    EXPECT_FALSE(WatchesLive({"a", "", {Role::kAdmin}, {"police"}}));
    EXPECT_FALSE(WatchesLive({"a", "", {Role::kAuditor}, {}}));
    EXPECT_FALSE(Oversees({"a", "", {Role::kCounsellor}, {}}));
}

telephony::Telephony::Live SomeLive() {
    telephony::Telephony::Live live;
    live.state.at = 1000;
    acd::WaitingCallView w;
    w.call = "ct_1";
    w.line = "police";
    w.position = 1;
    w.wait_ms = 7000;
    acd::WaitingCallView other = w;
    other.call = "ct_2";
    other.line = "fire";
    live.state.waiting = {w, other};
    acd::ActiveCallView a;
    a.call = "ct_3";
    a.line = "police";
    a.counsellor = "st_c";
    live.state.active = {a};
    acd::CounsellorView c;
    c.counsellor = "st_c";
    c.state = acd::CounsellorState::kOnCall;
    c.call = "ct_3";
    acd::CounsellorView f;
    f.counsellor = "st_f";
    live.state.counsellors = {c, f};
    live.counsellors["st_c"].display_name = "Cam";
    live.counsellors["st_c"].lines = {"police"};
    live.counsellors["st_c"].registered = true;
    live.counsellors["st_f"].display_name = "Fen";
    live.counsellors["st_f"].lines = {"fire"};
    return live;
}

TEST(LiveViewTest, ACounsellorSeesQueueSummariesAndThemselvesOnly) {
    const auto picture = LivePicture({"st_c", "C", {Role::kCounsellor}, {"police"}}, SomeLive());
    EXPECT_EQ(picture["queues"], (nlohmann::json{{"police", {{"waiting", 1}, {"longest_wait_ms", 7000}}}}));
    EXPECT_FALSE(picture.contains("waiting"));
    EXPECT_FALSE(picture.contains("counsellors"));
    EXPECT_EQ(picture["me"]["state"], "on_call");
    EXPECT_EQ(picture["me"]["call"], "ct_3");
    EXPECT_TRUE(LivePicture({"st_x", "X", {Role::kCounsellor}, {"police"}}, SomeLive())["me"].is_null());
}

TEST(LiveViewTest, ACounsellorInWrapUpIsToldWhichCallTheyAreWrappingUp) {
    auto live = SomeLive();
    auto& c = live.state.counsellors[0];
    c.state = acd::CounsellorState::kWrapUp;
    c.call.reset();
    c.wrapping_up = "ct_3";
    c.wrap_up_ends = 61000;
    const auto picture = LivePicture({"st_c", "C", {Role::kCounsellor}, {"police"}}, live);
    EXPECT_EQ(picture["me"]["state"], "wrap_up");
    EXPECT_FALSE(picture["me"].contains("call"));
    EXPECT_EQ(picture["me"]["wrapping_up"], "ct_3");
}

TEST(LiveViewTest, ASupervisorSeesTheFloorOfTheirLines) {
    const auto picture = LivePicture({"st_s", "S", {Role::kSupervisor}, {"police"}}, SomeLive());
    ASSERT_EQ(picture["waiting"].size(), 1U);
    EXPECT_EQ(picture["waiting"][0]["call"], "ct_1");
    ASSERT_EQ(picture["active"].size(), 1U);
    ASSERT_EQ(picture["counsellors"].size(), 1U);
    EXPECT_EQ(picture["counsellors"][0]["display_name"], "Cam");
    EXPECT_TRUE(picture["counsellors"][0]["phone_registered"].get<bool>());
    EXPECT_TRUE(picture["me"].is_null());
    EXPECT_EQ(CounsellorLinesOf(SomeLive()).at("st_f"), std::vector<std::string>{"fire"});
}

TEST(LiveViewTest, ASupervisorSeesWhoAnswersInTheBrowserAndTheirLatestCallQuality) {
    auto live = SomeLive();
    auto& cam = live.counsellors["st_c"];
    cam.browser = true;
    telephony::CallQuality q;
    q.call = "ct_3";
    q.loss_percent = 1.5;
    q.jitter_ms = 12;
    q.grade = telephony::CallGrade::kFair;
    q.at = 2000;
    cam.quality = q;
    const auto floor = LivePicture({"st_s", "S", {Role::kSupervisor}, {"police"}}, live);
    ASSERT_EQ(floor["counsellors"].size(), 1U);
    const auto& entry = floor["counsellors"][0];
    EXPECT_TRUE(entry["browser_phone"].get<bool>());
    EXPECT_EQ(entry["call_quality"]["grade"], "fair");
    EXPECT_EQ(entry["call_quality"]["call"], "ct_3");
    EXPECT_DOUBLE_EQ(entry["call_quality"]["loss_percent"].get<double>(), 1.5);
    EXPECT_DOUBLE_EQ(entry["call_quality"]["jitter_ms"].get<double>(), 12);
    EXPECT_TRUE(entry["call_quality"]["rtt_ms"].is_null());
    // Numbers, a grade and ids only: nothing else rides along.
    EXPECT_EQ(entry["call_quality"].size(), 6U);
    // A desk phone: no quality, and the flag says so.
    const auto plain = LivePicture({"st_s", "S", {Role::kSupervisor}, {"police"}}, SomeLive());
    EXPECT_FALSE(plain["counsellors"][0]["browser_phone"].get<bool>());
    EXPECT_FALSE(plain["counsellors"][0].contains("call_quality"));
}

TEST(LiveViewTest, AHeldCallIsFlaggedOnTheDeskAndTheFloorWithItsTimeOnHold) {
    auto live = SomeLive();
    live.controls["ct_3"] = {"police", true, 4200};
    const auto mine = LivePicture({"st_c", "C", {Role::kCounsellor}, {"police"}}, live);
    EXPECT_TRUE(mine["me"]["held"].get<bool>());
    EXPECT_EQ(mine["me"]["held_ms"], 4200);
    const auto floor = LivePicture({"st_s", "S", {Role::kSupervisor}, {"police"}}, live);
    ASSERT_EQ(floor["active"].size(), 1U);
    EXPECT_TRUE(floor["active"][0]["held"].get<bool>());
    EXPECT_EQ(floor["active"][0]["held_ms"], 4200);
    // Not held: the flag says so, with no timing.
    const auto plain = LivePicture({"st_s", "S", {Role::kSupervisor}, {"police"}}, SomeLive());
    EXPECT_FALSE(plain["active"][0]["held"].get<bool>());
    EXPECT_FALSE(plain["active"][0].contains("held_ms"));
}

TEST(LiveViewTest, TheCounsellorIsShownWhoMonitorsTheirCall) {
    auto live = SomeLive();
    telephony::CallControl monitored;
    monitored.line = "police";
    monitored.supervisor = "st_s";
    monitored.monitor_mode = "coach";
    monitored.monitor_state = "connected";
    live.controls["ct_3"] = monitored;
    const auto mine = LivePicture({"st_c", "C", {Role::kCounsellor}, {"police"}}, live);
    EXPECT_EQ(mine["me"]["monitor"], (nlohmann::json{{"supervisor", "st_s"}, {"mode", "coach"}, {"state", "connected"}}));
    EXPECT_FALSE(mine["me"]["held"].get<bool>());
    const auto floor = LivePicture({"st_s", "S", {Role::kSupervisor}, {"police"}}, live);
    EXPECT_EQ(floor["active"][0]["monitor"]["mode"], "coach");
    EXPECT_FALSE(LivePicture({"st_s", "S", {Role::kSupervisor}, {"police"}}, SomeLive())["active"][0].contains("monitor"));
}

TEST(LiveViewTest, AConferencedCallShowsItsThirdPartyByIdOnly) {
    auto live = SomeLive();
    telephony::CallControl conferenced;
    conferenced.line = "police";
    conferenced.conference_to = "external:ambulance";
    conferenced.conference_kind = "emergency";
    conferenced.conference_state = "connected";
    live.controls["ct_3"] = conferenced;
    const nlohmann::json expected = {{"to", "external:ambulance"}, {"kind", "emergency"}, {"state", "connected"}};
    EXPECT_EQ(LivePicture({"st_c", "C", {Role::kCounsellor}, {"police"}}, live)["me"]["conference"], expected);
    EXPECT_EQ(LivePicture({"st_s", "S", {Role::kSupervisor}, {"police"}}, live)["active"][0]["conference"], expected);
    EXPECT_FALSE(LivePicture({"st_s", "S", {Role::kSupervisor}, {"police"}}, SomeLive())["active"][0].contains("conference"));
}

TEST(LiveViewTest, EachCallInProgressSaysWhetherBothLegsAreEncrypted) {
    struct Case {
        telephony::CallLegs legs;
        bool encrypted;
    };
    const Case cases[] = {
        {{"srtp", "dtls-srtp", true}, true},
        {{"srtp", "srtp", true}, true},
        {{"srtp", "rtp", false}, false},
    };
    for (const auto& c : cases) {
        SCOPED_TRACE(c.legs.caller + " / " + c.legs.counsellor);
        auto live = SomeLive();
        live.legs["ct_3"] = c.legs;
        const auto floor = LivePicture({"st_s", "S", {Role::kSupervisor}, {"police"}}, live);
        ASSERT_EQ(floor["active"].size(), 1U);
        EXPECT_EQ(floor["active"][0]["encrypted"].get<bool>(), c.encrypted);
        EXPECT_EQ(floor["active"][0]["legs"],
                  (nlohmann::json{{"caller", c.legs.caller}, {"counsellor", c.legs.counsellor}}));
    }
    // Not known to telephony as bridged: never shown as encrypted.
    const auto unknown = LivePicture({"st_s", "S", {Role::kSupervisor}, {"police"}}, SomeLive());
    EXPECT_FALSE(unknown["active"][0]["encrypted"].get<bool>());
    EXPECT_FALSE(unknown["active"][0].contains("legs"));
}

}  // namespace
}  // namespace crisisline::api::detail
