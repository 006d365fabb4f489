#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "core/clock.hpp"

// A browser phone's call quality as its console measured it (RTCPeerConnection.getStats(), over the last
// interval): numbers and a grade only, never anything about the caller or what was said.
namespace crisisline::telephony {

// The console's grade: the worst of loss (1 % / 3 %), jitter (30 / 50 ms) and round trip (300 / 500 ms).
enum class CallGrade { kGood, kFair, kPoor };
constexpr const char* kCallGradeNames[] = {"good", "fair", "poor"};

struct CallQuality {
    std::string call;                 // the call it was measured on
    double loss_percent = 0;          // packets lost as a share of those expected in the interval, 0-100
    double jitter_ms = 0;             // the browser's inbound jitter
    std::optional<double> rtt_ms;     // the round trip of the nominated ICE pair, when the browser knows it
    CallGrade grade = CallGrade::kGood;
    TimeMs at = 0;                    // when the server received it
};

}  // namespace crisisline::telephony
