#include <gtest/gtest.h>

#include <algorithm>
#include <string>
#include <type_traits>
#include <variant>
#include <vector>

#include "acd/acd.hpp"

namespace crisisline::acd {
namespace {

using S = CounsellorState;

// A line and its counsellors, with a fake clock: every input happens at `now`.
class Floor {
public:
    explicit Floor(LinePolicy policy = {}) {
        EXPECT_TRUE(router.SetLinePolicy("police", policy).has_value());
        EXPECT_TRUE(router.SetLinePolicy("fire", policy).has_value());
    }

    // Adds a counsellor on `lines`, and makes them available unless told otherwise.
    Commands Counsellor(const std::string& id,
                        std::vector<Language> languages = {Language::kEnglish},
                        std::vector<std::string> specialisms = {},
                        std::vector<LineId> lines = {"police"},
                        bool available = true) {
        Commands out = Ok(router.SetCounsellorProfile({id, lines, languages, specialisms}, now));
        if (available) Append(out, Ok(router.SetAvailability(id, S::kAvailable, now)));
        return out;
    }
    Commands Arrive(const std::string& id,
                    Language language = Language::kEnglish,
                    std::optional<std::string> specialism = std::nullopt,
                    const std::string& line = "police") {
        return Ok(router.CallArrived({id, line, language, specialism}, now));
    }
    Commands Answer(const std::string& call, const std::string& who) { return Ok(router.RingAnswered(call, who, now)); }
    Commands Fail(const std::string& call, const std::string& who) { return Ok(router.RingFailed(call, who, now)); }
    Commands HangUp(const std::string& call) { return Ok(router.CallAbandoned(call, now)); }
    Commands End(const std::string& call, CallOutcome outcome = {}) { return Ok(router.CallEnded(call, outcome, now)); }
    Commands Set(const std::string& who, S state) { return Ok(router.SetAvailability(who, state, now)); }
    Commands At(TimeMs t) {
        now = t;
        return router.Advance(now);
    }

    S StateOf(const std::string& who) const {
        for (const auto& c : router.Snapshot(now).counsellors) {
            if (c.counsellor == who) return c.state;
        }
        ADD_FAILURE() << "no counsellor " << who;
        return S::kOffline;
    }
    BreakReason ReasonOf(const std::string& who) const {
        for (const auto& c : router.Snapshot(now).counsellors) {
            if (c.counsellor == who) return c.reason;
        }
        return BreakReason::kNone;
    }
    std::vector<std::string> Waiting() const {
        std::vector<std::string> ids;
        for (const auto& w : router.Snapshot(now).waiting) ids.push_back(w.call);
        return ids;
    }

    static Commands Ok(Result<Commands> result) {
        if (!result) {
            ADD_FAILURE() << "unexpected error: " << result.error().field << ": " << result.error().message;
            return {};
        }
        return *result;
    }
    static void Append(Commands& to, const Commands& more) { to.insert(to.end(), more.begin(), more.end()); }

    Router router;
    TimeMs now = 0;
};

// The commands of one kind, described, e.g. Only<Ring>(out) == {"ring c1 -> anna"}.
template <class T>
std::vector<std::string> Only(const Commands& commands) {
    std::vector<std::string> out;
    for (const Command& c : commands) {
        if (std::holds_alternative<T>(c)) out.push_back(Describe(c));
    }
    return out;
}

std::string All(const Commands& commands) {
    std::string text;
    for (const Command& c : commands) text += Describe(c) + "\n";
    return text;
}

using Lines = std::vector<std::string>;

// ---- longest idle ----

TEST(RouterTest, RingsLongestIdleCounsellorFirst) {
    struct Case {
        const char* name;
        std::vector<std::pair<std::string, TimeMs>> joined;  // counsellor, when first profiled
        std::string expected;
    };
    const Case cases[] = {
        {"earliest joiner first", {{"bea", 0}, {"cai", 5}, {"ann", 10}}, "bea"},
        {"order of joining, not of id", {{"cai", 1}, {"ann", 2}, {"bea", 3}}, "cai"},
        {"ties broken by id", {{"cai", 0}, {"bea", 0}, {"ann", 0}}, "ann"},
    };
    for (const Case& c : cases) {
        SCOPED_TRACE(c.name);
        Floor floor;
        for (const auto& [who, t] : c.joined) {
            floor.now = t;
            floor.Counsellor(who);
        }
        floor.now = 100;
        EXPECT_EQ(Only<Ring>(floor.Arrive("c1")), Lines{"ring c1 -> " + c.expected});
    }
}

TEST(RouterTest, CounsellorWhoseCallEndedLatestGoesLast) {
    Floor floor(LinePolicy{.wrap_up = 0});
    floor.Counsellor("ann");
    floor.now = 1;
    floor.Counsellor("bea");
    floor.Arrive("c1");  // rings ann, the longest idle
    floor.Answer("c1", "ann");
    floor.now = 50;
    floor.End("c1");  // ann is idle from 50, bea from 1
    floor.now = 60;
    EXPECT_EQ(Only<Ring>(floor.Arrive("c2")), Lines{"ring c2 -> bea"});
}

TEST(RouterTest, OneCounsellorRingsAtATimeUnderLongestIdle) {
    Floor floor;
    floor.Counsellor("ann");
    floor.Counsellor("bea");
    const Commands out = floor.Arrive("c1");
    EXPECT_EQ(Only<Ring>(out), Lines{"ring c1 -> ann"});
    EXPECT_EQ(floor.StateOf("bea"), S::kAvailable);
    EXPECT_EQ(Only<Ring>(floor.Arrive("c2")), Lines{"ring c2 -> bea"}) << "the next call takes the next counsellor";
}

TEST(RouterTest, OffersCallsOnlyToCounsellorsServingTheLine) {
    Floor floor;
    floor.Counsellor("ann", {Language::kEnglish}, {}, {"fire"});
    EXPECT_TRUE(Only<Ring>(floor.Arrive("c1")).empty());
    floor.Counsellor("bea", {Language::kEnglish}, {}, {"fire", "police"});
    EXPECT_EQ(floor.Waiting(), Lines{"c1"});
    EXPECT_EQ(floor.StateOf("bea"), S::kRinging);
}

// ---- every leg encrypted ----

// police requires every leg encrypted (with `police`'s other settings); fire does not.
Floor EncryptedPoliceFloor(LinePolicy police) {
    Floor floor;
    police.encrypted_phones_only = true;
    EXPECT_TRUE(floor.router.SetLinePolicy("police", police).has_value());
    return floor;
}

TEST(RouterTest, EncryptedLineRingsOnlyCounsellorsWithAnEncryptedPhone) {
    struct Case {
        const char* name;
        Strategy strategy;
        std::vector<std::string> encrypted;
        Lines rings;
    };
    const Case cases[] = {
        {"longest idle passes over the plain phone", Strategy::kLongestIdle, {"bea"}, {"ring c1 -> bea"}},
        {"ring all rings the encrypted phones only", Strategy::kRingAll, {"bea", "cai"},
         {"ring c1 -> bea", "ring c1 -> cai"}},
        {"nobody encrypted: nobody rings", Strategy::kRingAll, {}, {}},
    };
    for (const Case& c : cases) {
        SCOPED_TRACE(c.name);
        Floor floor = EncryptedPoliceFloor(LinePolicy{.strategy = c.strategy});
        for (const char* who : {"ann", "bea", "cai"}) {
            floor.Counsellor(who, {Language::kEnglish}, {}, {"police", "fire"});
        }
        for (const auto& who : c.encrypted) {
            EXPECT_TRUE(Floor::Ok(floor.router.SetPhoneEncrypted(who, true, floor.now)).empty()) << "no call waits yet";
        }
        EXPECT_EQ(Only<Ring>(floor.Arrive("c1")), c.rings);
        if (c.rings.empty()) {
            EXPECT_EQ(floor.Waiting(), Lines{"c1"}) << "the caller waits; the call is never refused";
        }
        EXPECT_EQ(floor.StateOf("ann"), S::kAvailable);
        EXPECT_EQ(Only<Ring>(floor.Arrive("f1", Language::kEnglish, std::nullopt, "fire")), Lines{"ring f1 -> ann"})
            << "a line without the policy rings the plain phone";
    }
}

TEST(RouterTest, EncryptedLineCallWaitsUntilAPhoneBecomesEncrypted) {
    Floor floor = EncryptedPoliceFloor(LinePolicy{});
    floor.Counsellor("ann");
    EXPECT_TRUE(Only<Ring>(floor.Arrive("c1")).empty());
    EXPECT_TRUE(Only<Ring>(floor.At(60 * kSecondMs)).empty()) << "time passing rings nobody";
    EXPECT_EQ(Only<Ring>(Floor::Ok(floor.router.SetPhoneEncrypted("ann", true, floor.now))), Lines{"ring c1 -> ann"});
    EXPECT_TRUE(Floor::Ok(floor.router.SetPhoneEncrypted("ann", true, floor.now)).empty()) << "no change, nothing to do";
    floor.Answer("c1", "ann");
    EXPECT_TRUE(Floor::Ok(floor.router.SetPhoneEncrypted("ann", false, floor.now)).empty()) << "the call goes on";
    EXPECT_EQ(floor.StateOf("ann"), S::kOnCall);
    EXPECT_FALSE(floor.router.SetPhoneEncrypted("nobody", true, floor.now).has_value());
}

TEST(RouterTest, EncryptedLineOverflowPoolRingsOnlyEncryptedPhones) {
    Floor floor = EncryptedPoliceFloor(LinePolicy{.overflow_after = 10 * kSecondMs, .overflow_pool = "fire"});
    floor.Counsellor("ann", {Language::kEnglish}, {}, {"fire"});
    floor.Counsellor("bea", {Language::kEnglish}, {}, {"fire"});
    floor.Arrive("c1");
    Floor::Ok(floor.router.SetPhoneEncrypted("bea", true, floor.now));
    EXPECT_EQ(Only<Ring>(floor.At(10 * kSecondMs)), Lines{"ring c1 -> bea"}) << "the pool's plain phone is passed over";
}

// ---- ring all ----

TEST(RouterTest, RingAllRingsEveryEligibleCounsellorAndStopsTheOthersOnAnswer) {
    Floor floor(LinePolicy{.strategy = Strategy::kRingAll});
    floor.Counsellor("ann");
    floor.Counsellor("bea");
    floor.Counsellor("cai");
    floor.Set("cai", S::kBreak);
    EXPECT_EQ(Only<Ring>(floor.Arrive("c1")), (Lines{"ring c1 -> ann", "ring c1 -> bea"}));

    floor.now = 3000;
    const Commands out = floor.Answer("c1", "bea");
    EXPECT_EQ(Only<Bridge>(out), Lines{"bridge c1 -> bea wait_ms=3000"});
    EXPECT_EQ(Only<StopRinging>(out), Lines{"stop_ringing c1 -> ann"});
    EXPECT_EQ(floor.StateOf("ann"), S::kAvailable);
    EXPECT_EQ(floor.StateOf("bea"), S::kOnCall);
}

TEST(RouterTest, RingAllAddsCounsellorsWhoBecomeAvailableWhileItRings) {
    Floor floor(LinePolicy{.strategy = Strategy::kRingAll});
    floor.Counsellor("ann");
    floor.Counsellor("bea", {Language::kEnglish}, {}, {"police"}, /*available=*/false);
    floor.Arrive("c1");
    floor.now = 5000;
    EXPECT_EQ(Only<Ring>(floor.Set("bea", S::kAvailable)), Lines{"ring c1 -> bea"});
}

// ---- language ----

TEST(RouterTest, OffersWelshCallsOnlyToWelshSpeakers) {
    struct Case {
        Language call;
        std::string expected;  // ann speaks English only (idle longest), bryn both, cerys Welsh only
    };
    const Case cases[] = {{Language::kWelsh, "bryn"}, {Language::kEnglish, "ann"}};
    for (const Case& c : cases) {
        SCOPED_TRACE(LanguageName(c.call));
        Floor floor;
        floor.Counsellor("ann", {Language::kEnglish});
        floor.now = 1;
        floor.Counsellor("bryn", {Language::kEnglish, Language::kWelsh});
        floor.now = 2;
        floor.Counsellor("cerys", {Language::kWelsh});
        EXPECT_EQ(Only<Ring>(floor.Arrive("c1", c.call)), Lines{"ring c1 -> " + c.expected});
    }
}

TEST(RouterTest, WelshCallWaitsForAWelshSpeakerAndStillOverflows) {
    Floor floor(LinePolicy{.overflow_after = 90 * kSecondMs});
    floor.Counsellor("ann", {Language::kEnglish});
    EXPECT_TRUE(Only<Ring>(floor.Arrive("c1", Language::kWelsh)).empty());
    EXPECT_EQ(Only<Overflow>(floor.At(90 * kSecondMs)), Lines{"overflow c1"});
    EXPECT_EQ(floor.StateOf("ann"), S::kAvailable) << "never offered to an English-only counsellor";
    EXPECT_EQ(Only<Ring>(floor.Counsellor("bryn", {Language::kWelsh})), Lines{"ring c1 -> bryn"});
}

TEST(RouterTest, CallNobodyCanTakeDoesNotBlockLaterCalls) {
    Floor floor;
    floor.Counsellor("ann", {Language::kEnglish});
    floor.Arrive("c1", Language::kWelsh);
    EXPECT_EQ(Only<Ring>(floor.Arrive("c2")), Lines{"ring c2 -> ann"});
    EXPECT_EQ(floor.Waiting(), (Lines{"c1", "c2"}));
}

TEST(RouterTest, ServesCallsFirstComeFirstServed) {
    Floor floor;
    floor.Counsellor("bea", {Language::kEnglish}, {}, {"police"}, /*available=*/false);
    floor.Arrive("c1");
    floor.now = 1;
    floor.Arrive("c2");
    floor.now = 2;
    EXPECT_EQ(Only<Ring>(floor.Set("bea", S::kAvailable)), Lines{"ring c1 -> bea"});
}

// ---- specialism ----

TEST(RouterTest, SpecialismIsPreferredForOneRingTimeoutThenAnyoneMayAnswer) {
    Floor floor;  // ring timeout 20 s
    floor.Counsellor("ann");
    floor.now = 1;
    floor.Counsellor("bea", {Language::kEnglish}, {"bereavement"});
    floor.now = 2;
    floor.Set("bea", S::kBreak);
    EXPECT_TRUE(Only<Ring>(floor.Arrive("c1", Language::kEnglish, "bereavement")).empty())
        << "ann lacks the specialism; the call waits for a specialist at first";
    EXPECT_EQ(floor.router.NextDeadline(), 2 + 20 * kSecondMs);
    EXPECT_EQ(Only<Ring>(floor.At(2 + 20 * kSecondMs)), Lines{"ring c1 -> ann"});
}

TEST(RouterTest, SpecialistIsRungBeforeALongerIdleCounsellor) {
    Floor floor;
    floor.Counsellor("ann");
    floor.now = 1;
    floor.Counsellor("bea", {Language::kEnglish}, {"bereavement"});
    EXPECT_EQ(Only<Ring>(floor.Arrive("c1", Language::kEnglish, "bereavement")), Lines{"ring c1 -> bea"});
}

// ---- ring timeout, missed calls, vanished phones ----

TEST(RouterTest, RingTimeoutMovesOnAndPausesTheCounsellorWhoMissedIt) {
    Floor floor;
    floor.Counsellor("ann");
    floor.now = 1;
    floor.Counsellor("bea");
    floor.Arrive("c1");  // rings ann at t=1
    EXPECT_TRUE(floor.At(1 + 20 * kSecondMs - 1).empty()) << "not yet";
    const Commands out = floor.At(1 + 20 * kSecondMs);
    EXPECT_EQ(Only<StopRinging>(out), Lines{"stop_ringing c1 -> ann"}) << All(out);
    EXPECT_EQ(Only<Ring>(out), Lines{"ring c1 -> bea"}) << All(out);
    EXPECT_EQ(floor.StateOf("ann"), S::kBreak);
    EXPECT_EQ(floor.ReasonOf("ann"), BreakReason::kMissedCall);

    floor.now = 25 * kSecondMs;
    EXPECT_TRUE(Only<Ring>(floor.Arrive("c2")).empty()) << "a paused counsellor is not rung";
    EXPECT_EQ(Only<Ring>(floor.Set("ann", S::kAvailable)), Lines{"ring c2 -> ann"}) << "until they confirm";
}

TEST(RouterTest, CallKeepsWaitingWhenEveryoneMissesIt) {
    Floor floor;
    floor.Counsellor("ann");
    floor.Arrive("c1");
    const Commands out = floor.At(20 * kSecondMs);
    EXPECT_TRUE(Only<Ring>(out).empty());
    EXPECT_EQ(floor.Waiting(), Lines{"c1"}) << "never dropped";
}

TEST(RouterTest, RingAllTimeoutPausesEveryCounsellorWhoLetItRing) {
    Floor floor(LinePolicy{.strategy = Strategy::kRingAll});
    floor.Counsellor("ann");
    floor.Counsellor("bea");
    floor.Arrive("c1");
    const Commands out = floor.At(20 * kSecondMs);
    EXPECT_EQ(Only<StopRinging>(out), (Lines{"stop_ringing c1 -> ann", "stop_ringing c1 -> bea"}));
    EXPECT_EQ(floor.ReasonOf("ann"), BreakReason::kMissedCall);
    EXPECT_EQ(floor.ReasonOf("bea"), BreakReason::kMissedCall);
    EXPECT_EQ(floor.Waiting(), Lines{"c1"});
}

TEST(RouterTest, PhoneVanishingMidRingRingsTheNext) {
    Floor floor;
    floor.Counsellor("ann");
    floor.now = 1;
    floor.Counsellor("bea");
    floor.Arrive("c1");
    floor.now = 4000;
    const Commands out = floor.Fail("c1", "ann");
    EXPECT_TRUE(Only<StopRinging>(out).empty()) << "that ring is already gone";
    EXPECT_EQ(Only<Ring>(out), Lines{"ring c1 -> bea"});
    EXPECT_EQ(floor.StateOf("ann"), S::kBreak);
    EXPECT_EQ(floor.ReasonOf("ann"), BreakReason::kPhoneFailed);
    EXPECT_EQ(floor.router.NextDeadline(), 4000 + 20 * kSecondMs) << "bea's ring has its own full timeout";
}

// ---- counsellor availability ----

TEST(RouterTest, CounsellorGoingOnBreakWhileRingingRingsTheNext) {
    for (S wanted : {S::kBreak, S::kOffline}) {
        SCOPED_TRACE(StateName(wanted));
        Floor floor;
        floor.Counsellor("ann");
        floor.now = 1;
        floor.Counsellor("bea");
        floor.Arrive("c1");
        const Commands out = floor.Set("ann", wanted);
        EXPECT_EQ(Only<StopRinging>(out), Lines{"stop_ringing c1 -> ann"});
        EXPECT_EQ(Only<Ring>(out), Lines{"ring c1 -> bea"});
        EXPECT_EQ(floor.StateOf("ann"), wanted);
    }
}

TEST(RouterTest, CounsellorOnBreakMidQueueIsPassedOver) {
    Floor floor;
    floor.Counsellor("ann");
    floor.Counsellor("bea");
    floor.Arrive("c1");
    floor.Answer("c1", "ann");
    floor.Set("bea", S::kBreak);
    EXPECT_TRUE(Only<Ring>(floor.Arrive("c2")).empty());
    floor.now = 10 * kSecondMs;
    EXPECT_EQ(Only<Ring>(floor.Set("bea", S::kAvailable)), Lines{"ring c2 -> bea"});
}

TEST(RouterTest, BreakAskedForDuringACallStartsAfterTheWrapUp) {
    Floor floor(LinePolicy{.wrap_up = 60 * kSecondMs});
    floor.Counsellor("ann");
    floor.Arrive("c1");
    floor.Answer("c1", "ann");
    EXPECT_TRUE(floor.Set("ann", S::kBreak).empty()) << "the call goes on";
    EXPECT_EQ(floor.StateOf("ann"), S::kOnCall);
    floor.now = 100;
    floor.End("c1");
    EXPECT_EQ(floor.StateOf("ann"), S::kWrapUp);
    floor.At(100 + 60 * kSecondMs);
    EXPECT_EQ(floor.StateOf("ann"), S::kBreak);
    EXPECT_EQ(floor.ReasonOf("ann"), BreakReason::kChosen);
}

// The phone going away is not the counsellor's choice: after the call and its wrap-up they return to the
// state they had chosen, whether the wrap-up runs out or they say they are done.
TEST(RouterTest, PhoneGoneDuringACallOrWrapUpKeepsTheCounsellorsChoice) {
    struct Case {
        const char* name;
        S chosen;          // what the counsellor chose (before or during the call)
        bool gone_in_wrap_up;  // the phone went during the wrap-up rather than the call
        bool done_early;   // "Ready for the next call" rather than the wrap-up running out
    };
    const Case cases[] = {
        {"available, phone gone mid-call, wrap-up runs out", S::kAvailable, false, false},
        {"available, phone gone mid-call, ready early", S::kAvailable, false, true},
        {"available, phone gone in wrap-up", S::kAvailable, true, false},
        {"available, phone gone in wrap-up, ready early", S::kAvailable, true, true},
        {"break asked for mid-call", S::kBreak, false, false},
    };
    for (const Case& c : cases) {
        SCOPED_TRACE(c.name);
        Floor floor(LinePolicy{.wrap_up = 60 * kSecondMs});
        floor.Counsellor("ann");
        floor.Arrive("c1");
        floor.Answer("c1", "ann");
        if (c.chosen != S::kAvailable) floor.Set("ann", c.chosen);
        if (!c.gone_in_wrap_up) EXPECT_TRUE(Floor::Ok(floor.router.PhoneGone("ann", floor.now)).empty());
        EXPECT_EQ(floor.StateOf("ann"), S::kOnCall) << "the call goes on";
        floor.now = 100;
        floor.End("c1");
        if (c.gone_in_wrap_up) EXPECT_TRUE(Floor::Ok(floor.router.PhoneGone("ann", floor.now)).empty());
        EXPECT_EQ(floor.StateOf("ann"), S::kWrapUp) << "the wrap-up goes on";
        for (const auto& v : floor.router.Snapshot(floor.now).counsellors) {
            if (v.counsellor == "ann") EXPECT_EQ(v.after_call.value_or(S::kAvailable), c.chosen);
        }
        if (c.done_early) {
            floor.now = 200;
            Floor::Ok(floor.router.WrapUpDone("ann", floor.now));
        } else {
            floor.At(100 + 60 * kSecondMs);
        }
        EXPECT_EQ(floor.StateOf("ann"), c.chosen);
    }
}

TEST(RouterTest, PhoneGoneWhileIdleTakesTheCounsellorOffline) {
    for (S idle : {S::kAvailable, S::kBreak}) {
        Floor floor;
        floor.Counsellor("ann");
        if (idle != S::kAvailable) floor.Set("ann", idle);
        EXPECT_EQ(Only<StateChanged>(Floor::Ok(floor.router.PhoneGone("ann", floor.now))).size(), 1U);
        EXPECT_EQ(floor.StateOf("ann"), S::kOffline) << StateName(idle);
    }
    Floor floor;
    floor.Counsellor("ann");
    floor.Counsellor("bob");
    floor.Arrive("c1");  // rings ann (longest idle by id)
    EXPECT_EQ(Only<Ring>(Floor::Ok(floor.router.PhoneGone("ann", floor.now))), Lines{"ring c1 -> bob"});
    EXPECT_EQ(floor.StateOf("ann"), S::kOffline);
    EXPECT_FALSE(floor.router.PhoneGone("nobody", floor.now));
}

// ---- the counsellor's connection fails mid-call ----

TEST(RouterTest, InterruptedCallGoesToTheFrontWithItsArrivalAndTheCounsellorIsNotReady) {
    Floor floor(LinePolicy{.wrap_up = 60 * kSecondMs, .overflow_after = 120 * kSecondMs});
    floor.Counsellor("ann");
    floor.now = 1'000;
    floor.Arrive("c1");
    floor.Answer("c1", "ann");
    floor.now = 2'000;
    floor.Arrive("c2");  // waits: nobody else is available
    floor.now = 90'000;
    floor.Arrive("c3");
    floor.now = 100'000;
    const Commands out = Floor::Ok(floor.router.CallInterrupted("c1", "c1b", {}, floor.now));
    EXPECT_TRUE(Only<Ring>(out).empty()) << All(out);
    EXPECT_EQ(floor.Waiting(), (Lines{"c1b", "c2", "c3"})) << "the interrupted caller goes first";
    const auto live = floor.router.Snapshot(floor.now);
    EXPECT_EQ(live.waiting.at(0).wait_ms, 99'000) << "the wait counts from the original arrival";
    EXPECT_EQ(live.waiting.at(0).position, 1);
    EXPECT_TRUE(live.active.empty());
    // ann wraps up the call that was interrupted, then is not ready (not rung until she says she is back).
    EXPECT_EQ(floor.StateOf("ann"), S::kWrapUp);
    EXPECT_EQ(live.counsellors.at(0).wrapping_up, "c1");
    EXPECT_EQ(live.counsellors.at(0).after_call, S::kBreak);
    floor.At(100'000 + 60 * kSecondMs);
    EXPECT_EQ(floor.StateOf("ann"), S::kBreak);
    EXPECT_EQ(floor.ReasonOf("ann"), BreakReason::kPhoneFailed);
    // The next counsellor takes the interrupted caller before the calls that were already waiting.
    EXPECT_EQ(Only<Ring>(floor.Counsellor("bob")), Lines{"ring c1b -> bob"});
    EXPECT_EQ(Only<Bridge>(floor.Answer("c1b", "bob")).size(), 1U);
    // Saying she is available again is how ann comes back.
    EXPECT_EQ(Only<Ring>(floor.Set("ann", S::kAvailable)), Lines{"ring c2 -> ann"});
}

TEST(RouterTest, InterruptedCallsOverflowClockStartsAgainAndReadyEarlyStillMeansNotReady) {
    Floor floor(LinePolicy{.wrap_up = 60 * kSecondMs, .overflow_after = 30 * kSecondMs});
    floor.Counsellor("ann");
    floor.Arrive("c1");
    floor.Answer("c1", "ann");
    floor.now = 50'000;  // long past overflow_after since arrival
    const Commands out = Floor::Ok(floor.router.CallInterrupted("c1", "c1b", {.cause_for_concern = true}, floor.now));
    EXPECT_TRUE(Only<Overflow>(out).empty()) << All(out);
    EXPECT_TRUE(Only<Overflow>(floor.At(79'999)).empty());
    EXPECT_EQ(Only<Overflow>(floor.At(80'000)), Lines{Describe(Overflow{"c1b"})});
    // Cause for concern: the longer wrap-up; "ready" early still leaves her not ready.
    EXPECT_EQ(floor.router.Snapshot(floor.now).counsellors.at(0).wrap_up_ends, 50'000 + 300 * kSecondMs);
    Floor::Ok(floor.router.WrapUpDone("ann", floor.now));
    EXPECT_EQ(floor.StateOf("ann"), S::kBreak);
    EXPECT_EQ(floor.ReasonOf("ann"), BreakReason::kPhoneFailed);
}

TEST(RouterTest, InterruptedCallKeepsAnOfflineChoiceAndAvailableInWrapUpEndsIt) {
    {
        Floor floor(LinePolicy{.wrap_up = 60 * kSecondMs});
        floor.Counsellor("ann");
        floor.Arrive("c1");
        floor.Answer("c1", "ann");
        floor.Set("ann", S::kOffline);  // asked for during the call
        Floor::Ok(floor.router.CallInterrupted("c1", "c1b", {}, floor.now));
        floor.At(60 * kSecondMs);
        EXPECT_EQ(floor.StateOf("ann"), S::kOffline);
    }
    {
        Floor floor(LinePolicy{.wrap_up = 60 * kSecondMs});
        floor.Counsellor("ann");
        floor.Arrive("c1");
        floor.Answer("c1", "ann");
        Floor::Ok(floor.router.CallInterrupted("c1", "c1b", {}, floor.now));
        // Back at once, by her own choice: available, and the caller rings her again.
        EXPECT_EQ(Only<Ring>(floor.Set("ann", S::kAvailable)), Lines{"ring c1b -> ann"});
        EXPECT_EQ(floor.ReasonOf("ann"), BreakReason::kNone);
    }
    {
        Floor floor(LinePolicy{.wrap_up = 0});
        floor.Counsellor("ann");
        floor.Arrive("c1");
        floor.Answer("c1", "ann");
        Floor::Ok(floor.router.CallInterrupted("c1", "c1b", {}, floor.now));
        EXPECT_EQ(floor.StateOf("ann"), S::kBreak) << "no wrap-up: not ready at once";
    }
}

TEST(RouterTest, InterruptingACallThatIsNotBridgedIsRefused) {
    Floor floor;
    floor.Arrive("c1");
    EXPECT_EQ(floor.router.CallInterrupted("c1", "c1b", {}, 0).error().code, ErrorCode::kConflict);
    EXPECT_EQ(floor.router.CallInterrupted("nope", "c1b", {}, 0).error().code, ErrorCode::kNotFound);
    floor.Counsellor("ann");
    floor.Answer("c1", "ann");
    floor.Arrive("c2");
    EXPECT_EQ(floor.router.CallInterrupted("c1", "c2", {}, 0).error().code, ErrorCode::kConflict);
    EXPECT_EQ(floor.router.CallInterrupted("c1", "", {}, 0).error().code, ErrorCode::kInvalid);
    EXPECT_EQ(floor.StateOf("ann"), S::kOnCall) << "refused: nothing changed";
}

// ---- caller hangs up ----

TEST(RouterTest, CallerHangingUpInQueueIsAbandonedWithTheWait) {
    Floor floor;
    floor.now = 1000;
    floor.Arrive("c1");
    floor.now = 38'500;
    const Commands out = floor.HangUp("c1");
    EXPECT_EQ(Only<Abandoned>(out), Lines{"abandoned c1 wait_ms=37500"});
    EXPECT_TRUE(floor.Waiting().empty());
}

TEST(RouterTest, CallerHangingUpWhileRingingStopsTheRingAndFreesTheCounsellor) {
    Floor floor;
    floor.Counsellor("ann");
    floor.Arrive("c1");
    floor.now = 5000;
    const Commands out = floor.HangUp("c1");
    EXPECT_EQ(Only<StopRinging>(out), Lines{"stop_ringing c1 -> ann"});
    EXPECT_EQ(Only<Abandoned>(out), Lines{"abandoned c1 wait_ms=5000"});
    EXPECT_EQ(floor.StateOf("ann"), S::kAvailable) << "not the counsellor's miss";
}

// ---- wrap-up ----

TEST(RouterTest, WrapUpIsLongerAfterCauseForConcernOrEscalation) {
    struct Case {
        const char* name;
        CallOutcome outcome;
        TimeMs wrap_up;
    };
    const Case cases[] = {
        {"ordinary", {}, 60 * kSecondMs},
        {"cause for concern", {.cause_for_concern = true}, 300 * kSecondMs},
        {"escalated", {.escalated = true}, 300 * kSecondMs},
        {"both", {.cause_for_concern = true, .escalated = true}, 300 * kSecondMs},
    };
    for (const Case& c : cases) {
        SCOPED_TRACE(c.name);
        Floor floor;
        floor.Counsellor("ann");
        floor.Arrive("c1");
        floor.Answer("c1", "ann");
        floor.now = 1000;
        floor.End("c1", c.outcome);
        EXPECT_EQ(floor.StateOf("ann"), S::kWrapUp);
        floor.Arrive("c2");
        EXPECT_TRUE(Only<Ring>(floor.At(1000 + c.wrap_up - 1)).empty());
        EXPECT_EQ(Only<Ring>(floor.At(1000 + c.wrap_up)), Lines{"ring c2 -> ann"});
    }
}

TEST(RouterTest, FinishingNotesEarlyEndsTheWrapUp) {
    Floor floor;
    floor.Counsellor("ann");
    floor.Arrive("c1");
    floor.Answer("c1", "ann");
    floor.End("c1");
    floor.Arrive("c2");
    floor.now = 10 * kSecondMs;
    EXPECT_EQ(Only<Ring>(Floor::Ok(floor.router.WrapUpDone("ann", floor.now))), Lines{"ring c2 -> ann"});
}

// ---- overflow ----

TEST(RouterTest, OverflowsAtTheThresholdWhileStayingQueued) {
    Floor floor(LinePolicy{.overflow_after = 120 * kSecondMs});
    floor.Arrive("c1");
    EXPECT_TRUE(Only<Overflow>(floor.At(120 * kSecondMs - 1)).empty());
    EXPECT_EQ(Only<Overflow>(floor.At(120 * kSecondMs)), Lines{"overflow c1"});
    EXPECT_TRUE(Only<Overflow>(floor.At(500 * kSecondMs)).empty()) << "offered once";
    EXPECT_EQ(floor.Waiting(), Lines{"c1"});
    EXPECT_EQ(Only<Ring>(floor.Counsellor("ann")), Lines{"ring c1 -> ann"}) << "still routed to counsellors";

    const Commands out = Floor::Ok(floor.router.OverflowAnswered("c1", floor.now));
    EXPECT_EQ(Only<StopRinging>(out), Lines{"stop_ringing c1 -> ann"});
    EXPECT_TRUE(floor.Waiting().empty());
    EXPECT_EQ(floor.StateOf("ann"), S::kAvailable);
}

TEST(RouterTest, OverflowToASisterLinesPoolRingsItsCounsellorsOnlyAfterTheThreshold) {
    Floor floor;
    ASSERT_TRUE(floor.router.SetLinePolicy("police", LinePolicy{.overflow_after = 60 * kSecondMs,
                                                                 .overflow_pool = LineId("fire")}));
    EXPECT_TRUE(Only<Ring>(floor.Counsellor("fay", {Language::kEnglish}, {}, {"fire"})).empty());
    floor.Arrive("c1");
    EXPECT_TRUE(Only<Ring>(floor.At(60 * kSecondMs - 1)).empty()) << "the fire counsellor is not offered it yet";
    const Commands out = floor.At(60 * kSecondMs);
    EXPECT_EQ(Only<Overflow>(out), Lines{"overflow c1"});
    EXPECT_EQ(Only<Ring>(out), Lines{"ring c1 -> fay"});
    // A fire call is never offered to police counsellors: the pool is one-way.
    Floor other;
    ASSERT_TRUE(other.router.SetLinePolicy("police", LinePolicy{.overflow_after = 60 * kSecondMs,
                                                                 .overflow_pool = LineId("fire")}));
    other.Counsellor("pat");
    other.Arrive("f1", Language::kEnglish, std::nullopt, "fire");
    EXPECT_TRUE(Only<Ring>(other.At(600 * kSecondMs)).empty());
}

TEST(RouterTest, OverflowAnsweredBeforeOfferIsRefused) {
    Floor floor;
    floor.Arrive("c1");
    auto result = floor.router.OverflowAnswered("c1", 0);
    ASSERT_FALSE(result.has_value());
    EXPECT_EQ(result.error().code, ErrorCode::kConflict);
}

// ---- announcements ----

TEST(RouterTest, AnnouncesAtTheIntervalWithEachCallersPosition) {
    Floor floor(LinePolicy{.overflow_after = std::nullopt, .announce_every = 45 * kSecondMs});
    floor.Arrive("c1");
    floor.now = 10 * kSecondMs;
    floor.Arrive("c2");
    floor.now = 12 * kSecondMs;
    floor.Arrive("f1", Language::kEnglish, std::nullopt, "fire");  // another line: its own positions
    floor.now = 20 * kSecondMs;
    floor.Arrive("c3");

    struct Step {
        TimeMs at;
        Lines announced;
    };
    const Step steps[] = {
        {44'999, {}},
        {45'000, {"announce c1 position=1"}},
        {55'000, {"announce c2 position=2"}},
        {57'000, {"announce f1 position=1"}},
        {65'000, {"announce c3 position=3"}},
        {90'000, {"announce c1 position=1"}},
    };
    for (const Step& step : steps) {
        EXPECT_EQ(Only<Announce>(floor.At(step.at)), step.announced) << "at " << step.at;
    }
    floor.now = 95'000;
    floor.HangUp("c1");
    EXPECT_EQ(Only<Announce>(floor.At(100'000)), Lines{"announce c2 position=1"}) << "moved up";
    EXPECT_EQ(Only<Announce>(floor.At(300'000)),
              (Lines{"announce c2 position=1", "announce f1 position=1", "announce c3 position=2"}))
        << "once each however late";
    EXPECT_EQ(floor.router.NextDeadline(), 325'000) << "c2 keeps its rhythm: 10 s + 7 x 45 s";
}

// ---- bad or late events ----

TEST(RouterTest, LateAnswerFromAStoppedRingIsRefusedAndChangesNothing) {
    Floor floor(LinePolicy{.strategy = Strategy::kRingAll});
    floor.Counsellor("ann");
    floor.Counsellor("bea");
    floor.Arrive("c1");
    floor.Answer("c1", "ann");
    auto late = floor.router.RingAnswered("c1", "bea", floor.now);
    ASSERT_FALSE(late.has_value());
    EXPECT_EQ(late.error().code, ErrorCode::kConflict);
    EXPECT_EQ(floor.StateOf("ann"), S::kOnCall);
    EXPECT_EQ(floor.StateOf("bea"), S::kAvailable);
}

TEST(RouterTest, RejectsUnknownAndMalformedInput) {
    Floor floor;
    floor.Arrive("c1");
    struct Case {
        const char* name;
        Result<Commands> result;
        ErrorCode code;
    };
    const Case cases[] = {
        {"duplicate call", floor.router.CallArrived({"c1", "police", Language::kEnglish, std::nullopt}, 0),
         ErrorCode::kConflict},
        {"unknown line", floor.router.CallArrived({"c9", "nowhere", Language::kEnglish, std::nullopt}, 0),
         ErrorCode::kNotFound},
        {"empty call id", floor.router.CallArrived({"", "police", Language::kEnglish, std::nullopt}, 0),
         ErrorCode::kInvalid},
        {"unknown call", floor.router.CallAbandoned("c9", 0), ErrorCode::kNotFound},
        {"unknown counsellor", floor.router.SetAvailability("zed", S::kAvailable, 0), ErrorCode::kNotFound},
        {"end of an unanswered call", floor.router.CallEnded("c1", {}, 0), ErrorCode::kConflict},
        {"no languages", floor.router.SetCounsellorProfile({"ann", {"police"}, {}, {}}, 0), ErrorCode::kInvalid},
    };
    for (const Case& c : cases) {
        ASSERT_FALSE(c.result.has_value()) << c.name;
        EXPECT_EQ(c.result.error().code, c.code) << c.name;
    }
    EXPECT_EQ(floor.Waiting(), Lines{"c1"});
    EXPECT_FALSE(floor.router.SetLinePolicy("police", {.ring_timeout = 0}).has_value());
    EXPECT_FALSE(floor.router.SetAvailability("ann", S::kOnCall, 0).has_value());
}

TEST(RouterTest, SetAvailabilityRefusesRouterOwnedStates) {
    Floor floor;
    floor.Counsellor("ann");
    for (S bad : {S::kRinging, S::kOnCall, S::kWrapUp}) {
        auto result = floor.router.SetAvailability("ann", bad, 0);
        ASSERT_FALSE(result.has_value()) << StateName(bad);
        EXPECT_EQ(result.error().code, ErrorCode::kInvalid);
    }
}

// ---- live state and time ----

TEST(RouterTest, SnapshotShowsWaitsStatesAndTimeInState) {
    Floor floor;
    floor.Counsellor("ann");
    floor.Counsellor("bea", {Language::kEnglish}, {}, {"police"}, /*available=*/false);
    floor.now = 1000;
    floor.Arrive("c1");  // rings ann
    floor.now = 4000;
    floor.Arrive("c2");
    floor.now = 9000;
    floor.Answer("c1", "ann");

    const LiveState live = floor.router.Snapshot(15'000);
    EXPECT_EQ(live.at, 15'000);
    ASSERT_EQ(live.waiting.size(), 1u);
    EXPECT_EQ(live.waiting[0].call, "c2");
    EXPECT_EQ(live.waiting[0].position, 1);
    EXPECT_EQ(live.waiting[0].wait_ms, 11'000);
    EXPECT_EQ(live.longest_wait_ms, 11'000);
    ASSERT_EQ(live.active.size(), 1u);
    EXPECT_EQ(live.active[0].counsellor, "ann");
    EXPECT_EQ(live.active[0].wait_ms, 8000);
    EXPECT_EQ(live.active[0].talk_ms, 6000);
    ASSERT_EQ(live.counsellors.size(), 2u);
    EXPECT_EQ(live.counsellors[0].state, S::kOnCall);
    EXPECT_EQ(live.counsellors[0].in_state_ms, 6000);
    EXPECT_EQ(live.counsellors[0].call, "c1");
    EXPECT_EQ(live.counsellors[1].state, S::kOffline);
    EXPECT_EQ(live.counsellors[1].in_state_ms, 15'000);
}

TEST(RouterTest, ACallCutShortByARestartIsWrappedUpBeforeTheCounsellorIsRungAgain) {
    LinePolicy policy;
    policy.wrap_up = 60'000;
    Floor floor(policy);
    floor.Counsellor("ann");                                   // restored available after the restart
    floor.Counsellor("bea", {Language::kEnglish}, {}, {"police"}, false);  // offline
    Floor::Ok(floor.router.WrapUpCutCall("ann", "police", "c0", {}, floor.now));
    Floor::Ok(floor.router.WrapUpCutCall("bea", "police", "c9", {}, floor.now));
    EXPECT_EQ(floor.StateOf("ann"), S::kWrapUp);
    EXPECT_EQ(floor.router.Snapshot(floor.now).counsellors.at(0).wrapping_up, "c0");
    auto rings = floor.Arrive("c1");
    EXPECT_TRUE(std::none_of(rings.begin(), rings.end(), [](const Command& c) { return std::holds_alternative<Ring>(c); }))
        << "nobody is rung while wrapping up";
    EXPECT_EQ(floor.router.WrapUpCutCall("ann", "police", "c0", {}, floor.now).error().code, ErrorCode::kConflict);
    EXPECT_EQ(floor.router.WrapUpCutCall("zed", "police", "c0", {}, floor.now).error().code, ErrorCode::kNotFound);
    floor.At(60'000);
    EXPECT_EQ(floor.StateOf("ann"), S::kRinging) << "back to available after the wrap-up, and rung for c1";
    EXPECT_EQ(floor.StateOf("bea"), S::kOffline) << "back to the state they were in";
}

TEST(RouterTest, SnapshotNamesTheCallBeingWrappedUpUntilTheWrapUpEnds) {
    Floor floor;
    floor.Counsellor("ann");
    floor.Arrive("c1");
    floor.Answer("c1", "ann");
    auto mine = [&] { return floor.router.Snapshot(floor.now).counsellors.at(0); };
    EXPECT_FALSE(mine().wrapping_up) << "on the call, not wrapping it up";
    floor.End("c1");
    ASSERT_EQ(mine().state, S::kWrapUp);
    EXPECT_EQ(mine().wrapping_up, "c1");
    EXPECT_FALSE(mine().call) << "the call itself is over";
    Floor::Ok(floor.router.WrapUpDone("ann", floor.now));
    EXPECT_FALSE(mine().wrapping_up);

    floor.Arrive("c2");
    floor.Answer("c2", "ann");
    floor.End("c2");
    EXPECT_EQ(mine().wrapping_up, "c2");
    floor.Set("ann", S::kBreak);  // leaving wrap-up by taking a break
    EXPECT_FALSE(mine().wrapping_up);
}

TEST(RouterTest, TimeNeverRunsBackwards) {
    Floor floor;
    floor.now = 10'000;
    floor.Arrive("c1");
    floor.now = 5000;  // a clock step backwards
    const Commands out = floor.HangUp("c1");
    EXPECT_EQ(Only<Abandoned>(out), Lines{"abandoned c1 wait_ms=0"});
}

TEST(RouterTest, NextDeadlineIsTheEarliestTimer) {
    Floor floor(
        LinePolicy{.wrap_up = 60 * kSecondMs, .overflow_after = 100 * kSecondMs, .announce_every = 45 * kSecondMs});
    EXPECT_EQ(floor.router.NextDeadline(), std::nullopt);
    floor.Counsellor("ann");
    floor.Arrive("c1");
    EXPECT_EQ(floor.router.NextDeadline(), 20 * kSecondMs) << "ring timeout";
    floor.now = 1000;
    floor.Answer("c1", "ann");
    EXPECT_EQ(floor.router.NextDeadline(), std::nullopt) << "nothing pending while talking";
    floor.now = 2000;
    floor.End("c1");
    EXPECT_EQ(floor.router.NextDeadline(), 2000 + 60 * kSecondMs) << "wrap-up end";
}

// ---- blind transfer ----

TEST(RouterTest, TransferToAColleagueRingsThemWhileTheCallStaysWithItsCounsellorThenMovesOnAnswer) {
    Floor floor(LinePolicy{.wrap_up = 60 * kSecondMs});
    floor.Counsellor("ann");
    floor.Arrive("c1");
    floor.Answer("c1", "ann");
    floor.Counsellor("bob");
    floor.now = 10'000;
    EXPECT_EQ(Only<Ring>(Floor::Ok(floor.router.TransferRing("c1", "bob", floor.now))), Lines{"ring c1 -> bob"});
    EXPECT_EQ(floor.StateOf("bob"), S::kRinging);
    EXPECT_EQ(floor.StateOf("ann"), S::kOnCall) << "ann keeps the caller while bob's phone rings";
    EXPECT_TRUE(floor.Waiting().empty()) << "the call is not queued while it is transferred";
    // A second transfer while one rings is refused; a new call does not ring bob.
    EXPECT_EQ(floor.router.TransferRing("c1", "bob", floor.now).error().code, ErrorCode::kConflict);
    EXPECT_TRUE(Only<Ring>(floor.Arrive("c2")).empty());
    floor.now = 12'000;
    const Commands out = Floor::Ok(floor.router.TransferAnswered("c1", "bob", "c1b", {}, floor.now));
    EXPECT_EQ(Only<Bridge>(out), Lines{"bridge c1b -> bob wait_ms=12000"}) << All(out);
    EXPECT_EQ(floor.StateOf("bob"), S::kOnCall);
    EXPECT_EQ(floor.StateOf("ann"), S::kWrapUp);
    const auto live = floor.router.Snapshot(floor.now);
    ASSERT_EQ(live.active.size(), 1U);
    EXPECT_EQ(live.active[0].call, "c1b");
    EXPECT_EQ(live.active[0].counsellor, "bob");
    EXPECT_EQ(live.counsellors.at(0).wrapping_up, "c1");
    // ann's wrap-up ends as after any call: available, and c2 (which waited) rings her.
    EXPECT_EQ(Only<Ring>(floor.At(12'000 + 60 * kSecondMs)), Lines{"ring c2 -> ann"});
    EXPECT_EQ(Only<Bridge>(floor.End("c1b")).size(), 0U);
    EXPECT_EQ(floor.StateOf("bob"), S::kWrapUp);
}

TEST(RouterTest, AnUnansweredTransferRingStopsAndTheCallStaysWithItsCounsellor) {
    Floor floor(LinePolicy{.ring_timeout = 20 * kSecondMs});
    floor.Counsellor("ann");
    floor.Arrive("c1");
    floor.Answer("c1", "ann");
    floor.Counsellor("bob");
    Floor::Ok(floor.router.TransferRing("c1", "bob", 1'000));
    EXPECT_TRUE(Only<StopRinging>(floor.At(20'999)).empty());
    EXPECT_EQ(Only<StopRinging>(floor.At(21'000)), Lines{"stop_ringing c1 -> bob"});
    EXPECT_EQ(floor.StateOf("bob"), S::kBreak);
    EXPECT_EQ(floor.ReasonOf("bob"), BreakReason::kMissedCall);
    EXPECT_EQ(floor.StateOf("ann"), S::kOnCall);
    // Declined: the same, paused as a failed phone; and another transfer may follow.
    floor.Counsellor("cat");
    Floor::Ok(floor.router.TransferRing("c1", "cat", floor.now));
    EXPECT_TRUE(Only<StopRinging>(floor.Fail("c1", "cat")).empty()) << "telephony already ended a failed ring";
    EXPECT_EQ(floor.ReasonOf("cat"), BreakReason::kPhoneFailed);
    floor.Set("bob", S::kAvailable);
    EXPECT_EQ(Only<Ring>(Floor::Ok(floor.router.TransferRing("c1", "bob", floor.now))), Lines{"ring c1 -> bob"});
}

TEST(RouterTest, TransferRefusesWhoCannotTakeTheCall) {
    Floor floor;
    floor.Counsellor("ann");
    floor.Counsellor("fay", {Language::kEnglish}, {}, {"fire"});
    floor.Counsellor("bob", {Language::kEnglish}, {}, {"police"}, /*available=*/false);
    floor.Arrive("c1");
    floor.Answer("c1", "ann");
    EXPECT_EQ(floor.router.TransferRing("c1", "fay", 0).error().code, ErrorCode::kForbidden) << "not her line";
    EXPECT_EQ(floor.router.TransferRing("c1", "fay", 0).error().field, "to");
    EXPECT_EQ(floor.router.TransferRing("c1", "bob", 0).error().code, ErrorCode::kConflict) << "not available";
    EXPECT_EQ(floor.router.TransferRing("c1", "bob", 0).error().field, "to");
    EXPECT_EQ(floor.router.TransferRing("c1", "ann", 0).error().code, ErrorCode::kInvalid) << "her own call";
    EXPECT_EQ(floor.router.TransferRing("c1", "nobody", 0).error().code, ErrorCode::kInvalid);
    EXPECT_EQ(floor.router.TransferRing("nope", "bob", 0).error().code, ErrorCode::kNotFound);
    floor.Arrive("c2");
    EXPECT_EQ(floor.router.TransferRing("c2", "bob", 0).error().code, ErrorCode::kConflict) << "c2 is not connected";
    EXPECT_EQ(floor.router.TransferToQueue("c1", "c1b", "ambulance", {}, 0).error().field, "to");
    EXPECT_EQ(floor.StateOf("ann"), S::kOnCall) << "a refused transfer changes nothing";
}

TEST(RouterTest, AnEncryptedLinesCallIsTransferredOnlyToAnEncryptedPhone) {
    Floor floor = EncryptedPoliceFloor(LinePolicy{});
    for (const char* who : {"ann", "bob", "cai"}) floor.Counsellor(who);
    for (const char* who : {"ann", "cai"}) Floor::Ok(floor.router.SetPhoneEncrypted(who, true, floor.now));
    EXPECT_EQ(Only<Ring>(floor.Arrive("c1")), Lines{"ring c1 -> ann"});
    floor.Answer("c1", "ann");
    const auto refused = floor.router.TransferRing("c1", "bob", floor.now);
    ASSERT_FALSE(refused.has_value());
    EXPECT_EQ(refused.error().code, ErrorCode::kConflict);
    EXPECT_EQ(refused.error().field, "to");
    EXPECT_EQ(floor.StateOf("bob"), S::kAvailable) << "the plain phone never rang";
    EXPECT_EQ(Only<Ring>(Floor::Ok(floor.router.TransferRing("c1", "cai", floor.now))), Lines{"ring c1 -> cai"});
}

TEST(RouterTest, TheCallerHangingUpOrTheCounsellorFailingWhileATransferRingsStopsTheRing) {
    {
        Floor floor;
        floor.Counsellor("ann");
        floor.Arrive("c1");
        floor.Answer("c1", "ann");
        floor.Counsellor("bob");
        Floor::Ok(floor.router.TransferRing("c1", "bob", 0));
        EXPECT_EQ(Only<StopRinging>(floor.End("c1")), Lines{"stop_ringing c1 -> bob"});
        EXPECT_EQ(floor.StateOf("bob"), S::kAvailable) << "not bob's fault: not paused";
    }
    {
        Floor floor;
        floor.Counsellor("ann");
        floor.Arrive("c1");
        floor.Answer("c1", "ann");
        floor.Counsellor("bob");
        Floor::Ok(floor.router.TransferRing("c1", "bob", 0));
        const Commands out = Floor::Ok(floor.router.CallInterrupted("c1", "c1b", {}, 0));
        EXPECT_EQ(Only<StopRinging>(out), Lines{"stop_ringing c1 -> bob"}) << All(out);
        EXPECT_EQ(Only<Ring>(out), Lines{"ring c1b -> bob"}) << "the requeued caller rings bob, who is free";
    }
}

TEST(RouterTest, TransferToAQueuePutsTheCallerAtTheFrontOfThatLineAndTheCounsellorWrapsUpUnpaused) {
    Floor floor(LinePolicy{.wrap_up = 60 * kSecondMs});
    floor.Counsellor("ann", {Language::kEnglish}, {}, {"police", "fire"});
    floor.Arrive("f1", Language::kEnglish, std::nullopt, "fire");  // ann takes it
    floor.Answer("f1", "ann");
    floor.Arrive("f2", Language::kEnglish, std::nullopt, "fire");
    floor.Counsellor("bob");  // police only
    floor.Arrive("p1");       // rings bob
    floor.now = 5'000;
    const Commands out = Floor::Ok(floor.router.TransferToQueue("f1", "f1b", "police", {}, floor.now));
    EXPECT_TRUE(Only<Ring>(out).empty()) << All(out);
    EXPECT_EQ(floor.Waiting(), (Lines{"f1b", "f2", "p1"}));
    const auto live = floor.router.Snapshot(floor.now);
    EXPECT_EQ(live.waiting.at(0).line, "police");
    EXPECT_EQ(live.waiting.at(0).position, 1) << "ahead of p1, which waited on police";
    EXPECT_EQ(live.waiting.at(0).wait_ms, 5'000) << "the wait counts from the first arrival";
    EXPECT_EQ(floor.StateOf("ann"), S::kWrapUp);
    EXPECT_FALSE(live.counsellors.at(0).after_call.has_value()) << "a transfer is no failure: not paused after";
    // bob's ring for p1 times out; then f1b comes first.
    floor.At(20'000);
    EXPECT_EQ(floor.StateOf("bob"), S::kBreak);
    EXPECT_EQ(Only<Ring>(floor.Set("bob", S::kAvailable)), Lines{"ring f1b -> bob"});
}

// ---- warm transfer (consult) ----

TEST(RouterTest, AConsultantWhoAnswersIsOnTheCallWithoutARingTimeoutAndTakesItOnCompletion) {
    Floor floor(LinePolicy{.ring_timeout = 20 * kSecondMs, .wrap_up = 60 * kSecondMs});
    floor.Counsellor("ann");
    floor.Arrive("c1");
    floor.Answer("c1", "ann");
    floor.Counsellor("bob");
    Floor::Ok(floor.router.TransferRing("c1", "bob", 1'000));
    floor.now = 3'000;
    EXPECT_TRUE(Only<Bridge>(Floor::Ok(floor.router.ConsultAnswered("c1", "bob", floor.now))).empty());
    EXPECT_EQ(floor.StateOf("bob"), S::kOnCall);
    EXPECT_EQ(floor.StateOf("ann"), S::kOnCall) << "ann keeps the caller while she talks to bob";
    EXPECT_TRUE(Only<StopRinging>(floor.At(60'000)).empty()) << "a consult that answered has no ring timeout";
    EXPECT_EQ(floor.StateOf("bob"), S::kOnCall);
    EXPECT_EQ(floor.router.TransferRing("c1", "bob", floor.now).error().code, ErrorCode::kConflict)
        << "no transfer while someone consults";
    EXPECT_TRUE(Only<Ring>(floor.Arrive("c2")).empty()) << "bob is not rung while he consults";
    const Commands out = Floor::Ok(floor.router.ConsultCompleted("c1", "c1b", {}, floor.now));
    EXPECT_EQ(Only<Bridge>(out), Lines{"bridge c1b -> bob wait_ms=60000"}) << "waits count from the first arrival";
    EXPECT_EQ(floor.StateOf("ann"), S::kWrapUp);
    EXPECT_EQ(floor.StateOf("bob"), S::kOnCall);
    const auto live = floor.router.Snapshot(floor.now);
    ASSERT_EQ(live.active.size(), 1U);
    EXPECT_EQ(live.active[0].call, "c1b");
    EXPECT_EQ(live.active[0].counsellor, "bob");
    EXPECT_EQ(floor.router.ConsultCompleted("c1b", "c1c", {}, floor.now).error().code, ErrorCode::kConflict)
        << "nobody consults on c1b";
    floor.End("c1b");
    EXPECT_EQ(floor.StateOf("bob"), S::kWrapUp) << "the call is bob's: he wraps it up";
}

TEST(RouterTest, AConsultThatEndsGivesTheColleagueBackUnpausedAndTheCallStaysWithItsCounsellor) {
    Floor floor(LinePolicy{.wrap_up = 0});
    floor.Counsellor("ann");
    floor.Arrive("c1");
    floor.Answer("c1", "ann");
    floor.Counsellor("bob");
    // Cancelled while it rings: the ring stops, bob is available (not paused as for a missed call).
    Floor::Ok(floor.router.TransferRing("c1", "bob", floor.now));
    EXPECT_EQ(Only<StopRinging>(Floor::Ok(floor.router.ConsultEnded("c1", floor.now))), Lines{"stop_ringing c1 -> bob"});
    EXPECT_EQ(floor.StateOf("bob"), S::kAvailable);
    // Ended once answered: bob goes to what he asked for meanwhile, else available; ann keeps the call.
    Floor::Ok(floor.router.TransferRing("c1", "bob", floor.now));
    Floor::Ok(floor.router.ConsultAnswered("c1", "bob", floor.now));
    floor.Set("bob", S::kBreak);
    EXPECT_EQ(floor.StateOf("bob"), S::kOnCall) << "a break asked for mid-consult waits for its end";
    Floor::Ok(floor.router.ConsultEnded("c1", floor.now));
    EXPECT_EQ(floor.StateOf("bob"), S::kBreak);
    EXPECT_EQ(floor.ReasonOf("bob"), BreakReason::kChosen);
    EXPECT_EQ(floor.StateOf("ann"), S::kOnCall);
    EXPECT_TRUE(Floor::Ok(floor.router.ConsultEnded("c1", floor.now)).empty()) << "nothing left to end";
    EXPECT_EQ(floor.router.ConsultEnded("nope", floor.now).error().code, ErrorCode::kNotFound);
    // The caller hanging up mid-consult frees the consultant too.
    floor.Set("bob", S::kAvailable);
    Floor::Ok(floor.router.TransferRing("c1", "bob", floor.now));
    Floor::Ok(floor.router.ConsultAnswered("c1", "bob", floor.now));
    floor.End("c1");
    EXPECT_EQ(floor.StateOf("bob"), S::kAvailable);
    EXPECT_EQ(floor.StateOf("ann"), S::kAvailable) << "no wrap-up on this line";
}

}  // namespace
}  // namespace crisisline::acd
