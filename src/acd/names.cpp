#include <string>
#include <type_traits>
#include <variant>

#include "acd/acd.hpp"

namespace crisisline::acd {

const char* LanguageName(Language language) {
    switch (language) {
        case Language::kEnglish:
            return "en";
        case Language::kWelsh:
            return "cy";
    }
    return "unknown";
}

const char* StateName(CounsellorState state) {
    switch (state) {
        case CounsellorState::kOffline:
            return "offline";
        case CounsellorState::kAvailable:
            return "available";
        case CounsellorState::kRinging:
            return "ringing";
        case CounsellorState::kOnCall:
            return "on_call";
        case CounsellorState::kWrapUp:
            return "wrap_up";
        case CounsellorState::kBreak:
            return "break";
    }
    return "unknown";
}

const char* BreakReasonName(BreakReason reason) {
    switch (reason) {
        case BreakReason::kNone:
            return "none";
        case BreakReason::kChosen:
            return "chosen";
        case BreakReason::kMissedCall:
            return "missed_call";
        case BreakReason::kPhoneFailed:
            return "phone_failed";
    }
    return "unknown";
}

const char* StrategyName(Strategy strategy) {
    switch (strategy) {
        case Strategy::kLongestIdle:
            return "longest_idle";
        case Strategy::kRingAll:
            return "ring_all";
    }
    return "unknown";
}

std::string Describe(const Command& command) {
    return std::visit(
        [](const auto& c) -> std::string {
            using T = std::decay_t<decltype(c)>;
            if constexpr (std::is_same_v<T, Ring>) {
                return "ring " + c.call + " -> " + c.counsellor;
            } else if constexpr (std::is_same_v<T, StopRinging>) {
                return "stop_ringing " + c.call + " -> " + c.counsellor;
            } else if constexpr (std::is_same_v<T, Bridge>) {
                return "bridge " + c.call + " -> " + c.counsellor + " wait_ms=" + std::to_string(c.wait_ms);
            } else if constexpr (std::is_same_v<T, Announce>) {
                return "announce " + c.call + " position=" + std::to_string(c.position);
            } else if constexpr (std::is_same_v<T, Overflow>) {
                return "overflow " + c.call;
            } else if constexpr (std::is_same_v<T, Abandoned>) {
                return "abandoned " + c.call + " wait_ms=" + std::to_string(c.wait_ms);
            } else if constexpr (std::is_same_v<T, OfferLapsed>) {
                return "offer_lapsed " + c.call + " -> " + c.counsellor + " " + c.why;
            } else {
                return "state " + c.counsellor + " " + StateName(c.state) + "(" + BreakReasonName(c.reason) +
                       ") at=" + std::to_string(c.at);
            }
        },
        command);
}

}  // namespace crisisline::acd
