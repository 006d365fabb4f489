#pragma once

// The body of POST /api/v1/session/phone/calls/{call}/quality: what the console's browser phone measured over
// its last interval. Pure: no I/O.
#include "core/fields.hpp"
#include "telephony/call_quality.hpp"

namespace crisisline::api::detail {

// The largest jitter or round trip taken, in ms: anything above is not a measurement of a live call.
constexpr double kMaxQualityMs = 60'000;

// Reads {loss_percent, jitter_ms, rtt_ms (a number or null), grade}. loss_percent is 0-100, jitter_ms and
// rtt_ms 0-kMaxQualityMs, grade "good", "fair" or "poor"; no other field. On failure: kInvalid naming the
// first bad field (a missing one is "is required"). `call` and `at` are left for the caller to fill.
Result<telephony::CallQuality> ReadCallQuality(const Fields& body);

}  // namespace crisisline::api::detail
