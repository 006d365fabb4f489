// Random event sequences against the Router, checking after every step that
// the commands it issued and the state it reports agree, and that the promises
// in acd.hpp hold: no counsellor rings for two calls, no call disappears unless
// its caller hung up, it was ended after being bridged, or overflow took it.

#include <gtest/gtest.h>

#include <algorithm>
#include <map>
#include <random>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "acd/acd.hpp"

namespace crisisline::acd {
namespace {

using S = CounsellorState;

template <class T>
bool Has(const std::vector<T>& items, const T& item) {
    return std::find(items.begin(), items.end(), item) != items.end();
}

// What the test believes, built only from its own inputs and the commands returned.
struct Model {
    std::map<LineId, LinePolicy> lines;
    std::map<CounsellorId, CounsellorProfile> profiles;
    std::map<CounsellorId, S> states;        // from StateChanged
    std::map<CounsellorId, CallId> ringing;  // from Ring / StopRinging / answered / failed
    std::map<CallId, CallInfo> calls;        // every call not yet ended by its caller, a hang-up or overflow
    std::map<CallId, TimeMs> arrived;
    std::set<CallId> bridged;
};

// The input a batch of commands answers, so a command can be checked against its cause.
struct Input {
    std::string kind;
    CallId call;
    CounsellorId counsellor;
};

class Scenario {
public:
    explicit Scenario(unsigned seed) : rng_(seed) {}

    // Runs `steps` random events; returns "" or what went wrong, with the events that led there.
    std::string Run(int steps) {
        SetUp();
        for (int i = 0; i < steps; ++i) {
            const std::string fault = Step();
            if (!fault.empty()) return fault + "\nevents:\n" + log_.str();
        }
        return "";
    }

private:
    int Pick(int n) { return std::uniform_int_distribution<int>(0, n - 1)(rng_); }
    bool Chance(int percent) { return Pick(100) < percent; }
    TimeMs Between(TimeMs lo, TimeMs hi) { return std::uniform_int_distribution<TimeMs>(lo, hi)(rng_); }

    template <class Map>
    std::string AnyKey(const Map& map) {
        if (map.empty()) return "none";
        auto it = map.begin();
        std::advance(it, Pick(static_cast<int>(map.size())));
        return it->first;
    }

    LinePolicy RandomPolicy(Strategy strategy) {
        LinePolicy p;
        p.strategy = strategy;
        p.ring_timeout = Between(1, 25) * kSecondMs;
        p.wrap_up = Between(0, 2) * 30 * kSecondMs;
        p.wrap_up_after_concern = p.wrap_up + Between(0, 240) * kSecondMs;
        if (Chance(70))
            p.overflow_after = Between(0, 200) * kSecondMs;
        else
            p.overflow_after.reset();
        if (Chance(70))
            p.announce_every = Between(5, 60) * kSecondMs;
        else
            p.announce_every.reset();
        return p;
    }

    CounsellorProfile RandomProfile(const CounsellorId& id) {
        CounsellorProfile p{id, {}, {}, {}};
        for (const char* line : {"li", "ra"}) {
            if (Chance(70)) p.lines.push_back(line);
        }
        const int language = Pick(100);
        if (language < 50)
            p.languages = {Language::kEnglish};
        else if (language < 85)
            p.languages = {Language::kEnglish, Language::kWelsh};
        else
            p.languages = {Language::kWelsh};
        for (const char* s : {"grief", "youth"}) {
            if (Chance(30)) p.specialisms.push_back(s);
        }
        return p;
    }

    void SetUp() {
        model_.lines["li"] = RandomPolicy(Strategy::kLongestIdle);
        model_.lines["ra"] = RandomPolicy(Strategy::kRingAll);
        for (const auto& [line, policy] : model_.lines) EXPECT_TRUE(router_.SetLinePolicy(line, policy).has_value());
        now_ = Between(0, 1'000'000'000);
        const int counsellors = 1 + Pick(6);
        for (int i = 0; i < counsellors; ++i) {
            const CounsellorId id = "k" + std::to_string(i);
            const CounsellorProfile profile = RandomProfile(id);
            EXPECT_TRUE(router_.SetCounsellorProfile(profile, now_).has_value());
            model_.profiles[id] = profile;
            model_.states[id] = S::kOffline;
        }
    }

    // One random event; returns "" or a fault.
    std::string Step() {
        const std::string before = Dump(router_.Snapshot(now_));
        Input input;
        Result<Commands> result = Commands{};
        const int roll = Pick(100);
        if (roll < 18) {
            CallInfo call{"c" + std::to_string(next_call_++), Chance(50) ? "li" : "ra",
                          Chance(30) ? Language::kWelsh : Language::kEnglish, std::nullopt};
            if (Chance(20)) call.specialism = Chance(50) ? "grief" : "youth";
            input = {"arrive", call.id, ""};
            result = router_.CallArrived(call, now_);
            if (result) {
                model_.calls[call.id] = call;
                model_.arrived[call.id] = now_;
            }
        } else if (roll < 26) {
            input = {"abandon", AnyKey(model_.calls), ""};
            result = router_.CallAbandoned(input.call, now_);
        } else if (roll < 44) {
            input = RandomRing("answer");
            result = router_.RingAnswered(input.call, input.counsellor, now_);
            if (result) model_.ringing.erase(input.counsellor);
        } else if (roll < 49) {
            input = RandomRing("fail");
            result = router_.RingFailed(input.call, input.counsellor, now_);
            if (result) model_.ringing.erase(input.counsellor);
        } else if (roll < 59) {
            input = {"end", model_.bridged.empty() ? AnyKey(model_.calls) : *model_.bridged.begin(), ""};
            result = router_.CallEnded(input.call, {Chance(30), Chance(10)}, now_);
        } else if (roll < 74) {
            const S wanted = Chance(60) ? S::kAvailable : (Chance(50) ? S::kBreak : S::kOffline);
            input = {std::string("set ") + StateName(wanted), "", AnyKey(model_.profiles)};
            result = router_.SetAvailability(input.counsellor, wanted, now_);
        } else if (roll < 79) {
            input = {"wrap_up_done", "", AnyKey(model_.profiles)};
            result = router_.WrapUpDone(input.counsellor, now_);
        } else if (roll < 82) {
            input = {"overflow_answered", AnyKey(model_.calls), ""};
            result = router_.OverflowAnswered(input.call, now_);
        } else if (roll < 86) {
            input = {"offer", AnyKey(model_.calls), AnyKey(model_.profiles)};  // a supervisor's reassign
            result = router_.OfferCall(input.call, input.counsellor, now_);
        } else if (roll < 88) {
            const CounsellorProfile profile = RandomProfile(AnyKey(model_.profiles));
            input = {"profile", "", profile.id};
            result = router_.SetCounsellorProfile(profile, now_);
            if (result) model_.profiles[profile.id] = profile;
        } else {
            const auto deadline = router_.NextDeadline();
            now_ = (deadline && Chance(60)) ? std::max(now_, *deadline) : now_ + Between(0, 30'000);
            input = {"advance", "", ""};
            result = router_.Advance(now_);
        }
        log_ << "  t=" << now_ << " " << input.kind << " " << input.call << " " << input.counsellor
             << (result ? "" : " -> error: " + result.error().message) << "\n";

        if (!result) {
            const std::string after = Dump(router_.Snapshot(now_));
            return after == before ? "" : "an input refused with an error changed the state";
        }
        for (const Command& command : *result) {
            log_ << "      " << Describe(command) << "\n";
            std::string fault = Apply(command, input);
            if (!fault.empty()) return fault;
        }
        Forget(input);
        std::string fault = CheckAgainstSnapshot();
        if (fault.empty() && input.kind == "advance") {
            const auto next = router_.NextDeadline();
            if (next && *next <= now_) fault = "NextDeadline is not after the Advance that just ran";
        }
        return fault;
    }

    // A ring the model knows of, mostly; sometimes a random pair, to exercise refusals.
    Input RandomRing(const std::string& kind) {
        if (!model_.ringing.empty() && Chance(85)) {
            const CounsellorId who = AnyKey(model_.ringing);
            return {kind, model_.ringing.at(who), who};
        }
        return {kind, AnyKey(model_.calls), AnyKey(model_.profiles)};
    }

    // Calls that leave by the caller's or the overflow's doing leave the model only after their commands.
    void Forget(const Input& input) {
        if (input.kind == "abandon" || input.kind == "end" || input.kind == "overflow_answered") {
            model_.calls.erase(input.call);
            model_.arrived.erase(input.call);
            model_.bridged.erase(input.call);
        }
    }

    std::string Apply(const Command& command, const Input& input) {
        if (const auto* ring = std::get_if<Ring>(&command)) return ApplyRing(*ring, input);
        if (const auto* lapsed = std::get_if<OfferLapsed>(&command)) {
            if (model_.calls.count(lapsed->call) == 0 || model_.bridged.count(lapsed->call) != 0) {
                return "an offer lapsed for a call not waiting";
            }
            return "";
        }
        if (const auto* stop = std::get_if<StopRinging>(&command)) {
            auto it = model_.ringing.find(stop->counsellor);
            if (it == model_.ringing.end() || it->second != stop->call) return "stopped a ring that was not ringing";
            model_.ringing.erase(it);
            return "";
        }
        if (const auto* bridge = std::get_if<Bridge>(&command)) {
            if (input.kind != "answer" || bridge->call != input.call || bridge->counsellor != input.counsellor) {
                return "bridged without that counsellor answering that call";
            }
            model_.bridged.insert(bridge->call);
            return "";
        }
        if (const auto* abandoned = std::get_if<Abandoned>(&command)) {
            if (input.kind != "abandon" || abandoned->call != input.call)
                return "abandoned without the caller hanging up";
            if (abandoned->wait_ms != now_ - model_.arrived.at(abandoned->call)) return "abandoned with a wrong wait";
            return "";
        }
        if (const auto* changed = std::get_if<StateChanged>(&command)) {
            model_.states[changed->counsellor] = changed->state;
            return "";
        }
        const CallId& call = std::holds_alternative<Announce>(command) ? std::get<Announce>(command).call
                                                                       : std::get<Overflow>(command).call;
        if (model_.calls.count(call) == 0 || model_.bridged.count(call) != 0)
            return "announced or overflowed a call not waiting";
        return "";
    }

    std::string ApplyRing(const Ring& ring, const Input& input) {
        if (model_.ringing.count(ring.counsellor) != 0) return "a counsellor rings for two calls at once";
        if (model_.states.at(ring.counsellor) != S::kAvailable) return "rang a counsellor who was not available";
        auto call = model_.calls.find(ring.call);
        if (call == model_.calls.end() || model_.bridged.count(ring.call) != 0) return "rang for a call not waiting";
        const CounsellorProfile& p = model_.profiles.at(ring.counsellor);
        if (!Has(p.lines, call->second.line)) return "rang a counsellor who does not serve the line";
        // A supervisor's offer overrides language and specialism (the line, never).
        const bool offered = input.kind == "offer" && ring.call == input.call && ring.counsellor == input.counsellor;
        if (offered) {
            model_.ringing[ring.counsellor] = ring.call;
            return "";
        }
        if (!Has(p.languages, call->second.language)) return "rang a counsellor who does not speak the language";
        if (!CouldTake(call->second, p)) return "rang a non-specialist while the call still prefers a specialist";
        model_.ringing[ring.counsellor] = ring.call;
        return "";
    }

    // Could this available counsellor take this call now (the rule in acd.hpp, restated)?
    bool CouldTake(const CallInfo& call, const CounsellorProfile& p) const {
        if (!Has(p.lines, call.line) || !Has(p.languages, call.language)) return false;
        const bool specialists_only =
            call.specialism && now_ < model_.arrived.at(call.id) + model_.lines.at(call.line).ring_timeout;
        return !specialists_only || Has(p.specialisms, *call.specialism);
    }

    std::string CheckAgainstSnapshot() const {
        const LiveState live = router_.Snapshot(now_);
        std::set<CallId> seen;
        std::map<LineId, int> position;
        for (const WaitingCallView& w : live.waiting) {
            if (!seen.insert(w.call).second) return "call listed twice";
            if (model_.calls.count(w.call) == 0 || model_.bridged.count(w.call) != 0) return "waiting call unknown";
            if (w.position != ++position[w.line]) return "positions not 1..n per line";
            std::vector<CounsellorId> expected;
            for (const auto& [who, call] : model_.ringing) {
                if (call == w.call) expected.push_back(who);
            }
            std::vector<CounsellorId> ringing = w.ringing;
            std::sort(ringing.begin(), ringing.end());
            if (ringing != expected) return "ringing set of " + w.call + " differs from the commands issued";
            const LinePolicy& policy = model_.lines.at(w.line);
            if (policy.strategy == Strategy::kLongestIdle && ringing.size() > 1) return "longest_idle rang two phones";
            if (w.offered_to && ringing != std::vector<CounsellorId>{*w.offered_to}) {
                return "offered call " + w.call + " rings someone other than the offer";
            }
            if (!w.offered_to && (policy.strategy == Strategy::kRingAll || ringing.empty())) {
                for (const auto& [who, state] : model_.states) {
                    if (state == S::kAvailable && CouldTake(model_.calls.at(w.call), model_.profiles.at(who))) {
                        return who + " sits available while " + w.call + " waits for someone like them";
                    }
                }
            }
        }
        std::set<CounsellorId> talking;
        for (const ActiveCallView& a : live.active) {
            if (!seen.insert(a.call).second) return "call both waiting and bridged";
            if (model_.bridged.count(a.call) == 0) return "bridged call the commands never bridged";
            if (!talking.insert(a.counsellor).second) return "counsellor on two calls";
        }
        if (seen.size() != model_.calls.size()) return "a call vanished without its caller hanging up";
        for (const CounsellorView& c : live.counsellors) {
            if (model_.states.at(c.counsellor) != c.state) return "state of " + c.counsellor + " differs from events";
            const bool rings = model_.ringing.count(c.counsellor) != 0;
            if (rings != (c.state == S::kRinging)) return "ringing state of " + c.counsellor + " inconsistent";
            if ((c.state == S::kOnCall) != (talking.count(c.counsellor) != 0)) return "on_call without a bridged call";
            if (c.state == S::kRinging && c.call != model_.ringing.at(c.counsellor)) return "ringing for another call";
            if (c.in_state_ms < 0) return "negative time in state";
        }
        return "";
    }

    static std::string Dump(const LiveState& live) {
        std::ostringstream out;
        for (const auto& w : live.waiting) {
            out << w.call << " " << w.position << " " << w.wait_ms << " " << w.overflowed << " " << w.ringing.size();
            for (const auto& r : w.ringing) out << " " << r;
            out << ";";
        }
        for (const auto& a : live.active) out << a.call << ">" << a.counsellor << ";";
        for (const auto& c : live.counsellors) {
            out << c.counsellor << " " << StateName(c.state) << " " << BreakReasonName(c.reason) << " " << c.in_state_ms
                << " " << c.call.value_or("-") << " " << c.wrap_up_ends.value_or(-1) << ";";
        }
        return out.str();
    }

    std::mt19937 rng_;
    Router router_;
    Model model_;
    TimeMs now_ = 0;
    int next_call_ = 0;
    std::ostringstream log_;
};

TEST(RouterPropertyTest, RandomEventSequencesKeepEveryPromise) {
    constexpr int kSequences = 2000;
    constexpr int kSteps = 150;
    for (unsigned seed = 1; seed <= kSequences; ++seed) {
        const std::string fault = Scenario(seed).Run(kSteps);
        if (!fault.empty()) FAIL() << "seed " << seed << ": " << fault;
    }
}

}  // namespace
}  // namespace crisisline::acd
