#include <gtest/gtest.h>

#include <string>
#include <variant>
#include <vector>

#include "acd/acd.hpp"

namespace crisisline::acd {
namespace {

using S = CounsellorState;
using Lines = std::vector<std::string>;

// The police and fire lines and their counsellors; every input at `now`.
struct Floor {
    explicit Floor(LinePolicy policy = LinePolicy{.ring_timeout = 20 * kSecondMs, .wrap_up = 0}) {
        EXPECT_TRUE(router.SetLinePolicy("police", policy).has_value());
        EXPECT_TRUE(router.SetLinePolicy("fire", policy).has_value());
    }
    static Commands Ok(Result<Commands> result) {
        if (!result) {
            ADD_FAILURE() << "unexpected error: " << result.error().field << ": " << result.error().message;
            return {};
        }
        return *result;
    }
    void Counsellor(const std::string& id, std::vector<Language> languages = {Language::kEnglish},
                    std::vector<LineId> lines = {"police"}, bool available = true) {
        Ok(router.SetCounsellorProfile({id, lines, languages, {}}, now));
        if (available) Ok(router.SetAvailability(id, S::kAvailable, now));
    }
    Commands Arrive(const std::string& id, Language language = Language::kEnglish) {
        return Ok(router.CallArrived({id, "police", language, std::nullopt}, now));
    }
    Commands Offer(const std::string& call, const std::string& who) { return Ok(router.OfferCall(call, who, now)); }
    Error Refused(const std::string& call, const std::string& who) {
        auto result = router.OfferCall(call, who, now);
        EXPECT_FALSE(result.has_value()) << "offer of " << call << " to " << who << " was not refused";
        return result ? Error{} : result.error();
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
    // The waiting calls in queue order, each as "call:position[:offered_to]".
    Lines Queue() const {
        Lines out;
        for (const auto& w : router.Snapshot(now).waiting) {
            out.push_back(w.call + ":" + std::to_string(w.position) + (w.offered_to ? ":" + *w.offered_to : ""));
        }
        return out;
    }

    Router router;
    TimeMs now = 0;
};

template <class T>
Lines Only(const Commands& commands) {
    Lines out;
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

TEST(OfferTest, TheChosenCounsellorIsRungNextForTheCallerWhoKeepsTheirPlace) {
    Floor floor;
    floor.Counsellor("ann");
    EXPECT_EQ(Only<Ring>(floor.Arrive("c1")), Lines{"ring c1 -> ann"});
    floor.Arrive("c2");
    floor.Arrive("c3");
    floor.Counsellor("ceri", {Language::kEnglish, Language::kWelsh});  // rung for c2 by routing (c1 rings ann)
    EXPECT_EQ(floor.StateOf("ceri"), S::kRinging);
    // The supervisor offers c3 to ceri, ahead of c2: ceri's ring for c2 stops, and she rings for c3.
    floor.now = 1'000;
    const Commands out = floor.Offer("c3", "ceri");
    EXPECT_EQ(Only<StopRinging>(out), Lines{"stop_ringing c2 -> ceri"}) << All(out);
    EXPECT_EQ(Only<Ring>(out), Lines{"ring c3 -> ceri"}) << All(out);
    EXPECT_EQ(floor.Queue(), (Lines{"c1:1", "c2:2", "c3:3:ceri"})) << "nobody moves in the queue";
    EXPECT_EQ(floor.router.Snapshot(floor.now).waiting.at(2).ringing, Lines{"ceri"});
    // Answered: bridged as any ring, with the wait from its arrival.
    const Commands answered = Floor::Ok(floor.router.RingAnswered("c3", "ceri", 2'000));
    EXPECT_EQ(Only<Bridge>(answered), Lines{"bridge c3 -> ceri wait_ms=2000"});
    EXPECT_TRUE(Only<OfferLapsed>(answered).empty());
    floor.now = 2'000;
    EXPECT_EQ(floor.Queue(), (Lines{"c1:1", "c2:2"}));
}

TEST(OfferTest, AnUnansweredOfferLeavesTheCallerInPlaceAndRoutingResumes) {
    Floor floor;
    floor.Counsellor("ann");
    floor.Arrive("c1");  // rings ann
    floor.Arrive("c2");
    floor.Counsellor("bob", {Language::kEnglish}, {"police"}, /*available=*/false);
    floor.Counsellor("ceri");  // rung for c2
    floor.now = 1'000;
    floor.Offer("c1", "ceri");  // c1 was ringing ann: that ring stops, ann is free and rung for c2
    EXPECT_EQ(floor.StateOf("ann"), S::kRinging) << "ann, freed, is rung for c2";
    EXPECT_EQ(floor.Queue(), (Lines{"c1:1:ceri", "c2:2"}));
    EXPECT_EQ(floor.ReasonOf("ann"), BreakReason::kNone) << "not paused: the offer took her ring";
    // While the offer rings nobody else is rung for c1, even someone who becomes available.
    EXPECT_TRUE(Only<Ring>(Floor::Ok(floor.router.SetAvailability("bob", S::kAvailable, floor.now))).empty());
    // Declined: ceri paused as for any failed ring; c1 is still first and rings the next, bob.
    floor.now = 3'000;
    const Commands declined = Floor::Ok(floor.router.RingFailed("c1", "ceri", floor.now));
    EXPECT_EQ(Only<OfferLapsed>(declined), Lines{"offer_lapsed c1 -> ceri declined"}) << All(declined);
    EXPECT_EQ(Only<Ring>(declined), Lines{"ring c1 -> bob"}) << All(declined);
    EXPECT_EQ(floor.ReasonOf("ceri"), BreakReason::kPhoneFailed);
    EXPECT_EQ(floor.Queue(), (Lines{"c1:1", "c2:2"}));
    EXPECT_EQ(floor.router.Snapshot(floor.now).waiting.at(0).wait_ms, 3'000) << "the wait counts from arrival";
}

TEST(OfferTest, AnOfferThatRingsOutPausesTheCounsellorAsAnyMissedRing) {
    Floor floor;
    floor.Arrive("c1");
    floor.Arrive("c2");
    floor.Counsellor("ann", {Language::kWelsh}, {"police"}, /*available=*/false);  // c1, c2 are English
    floor.Ok(floor.router.SetAvailability("ann", S::kAvailable, 0));
    EXPECT_EQ(floor.StateOf("ann"), S::kAvailable) << "an English call does not ring a Welsh-only speaker";
    floor.now = 5'000;
    EXPECT_EQ(Only<Ring>(floor.Offer("c2", "ann")), Lines{"ring c2 -> ann"}) << "the supervisor's choice";
    EXPECT_TRUE(Only<StopRinging>(floor.router.Advance(24'999)).empty());
    const Commands out = floor.router.Advance(25'000);
    EXPECT_EQ(Only<StopRinging>(out), Lines{"stop_ringing c2 -> ann"});
    EXPECT_EQ(Only<OfferLapsed>(out), Lines{"offer_lapsed c2 -> ann no_answer"});
    floor.now = 25'000;
    EXPECT_EQ(floor.ReasonOf("ann"), BreakReason::kMissedCall);
    EXPECT_EQ(floor.Queue(), (Lines{"c1:1", "c2:2"}));
}

TEST(OfferTest, AnOfferRingingForAllStopsTheOtherRingsAndLapsesWhenTheCallerGoes) {
    LinePolicy policy{.strategy = Strategy::kRingAll, .ring_timeout = 20 * kSecondMs, .wrap_up = 0};
    Floor floor(policy);
    floor.Counsellor("ann");
    floor.Counsellor("bob");
    EXPECT_EQ(Only<Ring>(floor.Arrive("c1")), (Lines{"ring c1 -> ann", "ring c1 -> bob"}));
    const Commands out = floor.Offer("c1", "bob");  // already ringing for it: kept, the others stop
    EXPECT_EQ(Only<StopRinging>(out), Lines{"stop_ringing c1 -> ann"}) << All(out);
    EXPECT_TRUE(Only<Ring>(out).empty()) << All(out);
    EXPECT_EQ(floor.Queue(), Lines{"c1:1:bob"});
    EXPECT_EQ(floor.StateOf("ann"), S::kAvailable);
    floor.Counsellor("cat");
    EXPECT_EQ(floor.StateOf("cat"), S::kAvailable) << "ring_all adds nobody to an offered call";
    const Commands gone = Floor::Ok(floor.router.CallAbandoned("c1", 1'000));
    EXPECT_EQ(Only<OfferLapsed>(gone), Lines{"offer_lapsed c1 -> bob caller_gone"}) << All(gone);
    EXPECT_EQ(floor.StateOf("bob"), S::kAvailable);
}

TEST(OfferTest, TheOfferedCounsellorGoingOnABreakEndsTheOffer) {
    Floor floor;
    floor.Arrive("c1");
    floor.Counsellor("ann", {Language::kWelsh});
    floor.Offer("c1", "ann");
    const Commands out = Floor::Ok(floor.router.SetAvailability("ann", S::kBreak, floor.now));
    EXPECT_EQ(Only<OfferLapsed>(out), Lines{"offer_lapsed c1 -> ann unavailable"}) << All(out);
    EXPECT_EQ(floor.Queue(), Lines{"c1:1"});
}

TEST(OfferTest, RefusesWhoCannotTakeTheCallNamingTheField) {
    Floor floor;
    floor.Counsellor("ann");
    floor.Arrive("c1");  // rings ann
    floor.Arrive("c2");
    floor.Arrive("c3");
    floor.Counsellor("fay", {Language::kEnglish}, {"fire"});
    floor.Counsellor("bob", {Language::kEnglish}, {"police"}, /*available=*/false);
    floor.Counsellor("ceri", {Language::kWelsh});
    struct Case {
        const char* call;
        const char* who;
        ErrorCode code;
        const char* field;
    };
    const Case cases[] = {
        {"nope", "ceri", ErrorCode::kNotFound, "call"},
        {"c2", "nobody", ErrorCode::kInvalid, "counsellor"},
        {"c2", "fay", ErrorCode::kForbidden, "counsellor"},   // another line's counsellor
        {"c2", "bob", ErrorCode::kConflict, "counsellor"},    // offline
    };
    for (const auto& c : cases) {
        const Error e = floor.Refused(c.call, c.who);
        EXPECT_EQ(e.code, c.code) << c.call << " -> " << c.who << ": " << e.message;
        EXPECT_EQ(e.field, c.field) << c.call << " -> " << c.who;
    }
    floor.Offer("c2", "ceri");
    EXPECT_EQ(floor.Refused("c2", "ceri").field, "call") << "an offer already rings";
    EXPECT_EQ(floor.Refused("c3", "ceri").field, "counsellor") << "ringing for an offer is not available";
    Floor::Ok(floor.router.RingAnswered("c1", "ann", 0));
    EXPECT_EQ(floor.Refused("c1", "ceri").field, "call") << "c1 is answered";
    EXPECT_EQ(floor.Refused("c3", "ann").field, "counsellor") << "on a call";
    EXPECT_EQ(floor.Queue(), (Lines{"c2:1:ceri", "c3:2"})) << "refusals change nothing";
}

TEST(OfferTest, AnEncryptedLinesCallIsOfferedOnlyToAnEncryptedPhone) {
    LinePolicy policy{.ring_timeout = 20 * kSecondMs, .wrap_up = 0};
    policy.encrypted_phones_only = true;
    Floor floor(policy);
    floor.Arrive("c1");
    floor.Counsellor("ann");  // plain phone: never rung for c1
    EXPECT_EQ(floor.Refused("c1", "ann").field, "counsellor");
    EXPECT_EQ(floor.StateOf("ann"), S::kAvailable);
}

}  // namespace
}  // namespace crisisline::acd
