#include "api/detail/call_quality_input.hpp"

#include <cmath>
#include <iterator>
#include <sstream>

namespace crisisline::api::detail {

namespace {

std::string Range(double max) {
    std::ostringstream s;
    s << "must be a number from 0 to " << max;
    return s.str();
}

// A number in [0, max], or nothing when absent (or null) and `optional`.
Result<std::optional<double>> Number(const Fields& body, const char* name, double max, bool optional) {
    const auto& json = body.Json();
    auto it = json.find(name);
    if (it == json.end() || it->is_null()) {
        if (optional) return std::optional<double>();
        return Fail(ErrorCode::kInvalid, body.PathOf(name), "is required");
    }
    if (!it->is_number()) return Fail(ErrorCode::kInvalid, body.PathOf(name), Range(max));
    double v = it->get<double>();
    if (!std::isfinite(v) || v < 0 || v > max) return Fail(ErrorCode::kInvalid, body.PathOf(name), Range(max));
    return std::optional<double>(v);
}

}  // namespace

Result<telephony::CallQuality> ReadCallQuality(const Fields& body) {
    if (auto k = body.OnlyKnown({"loss_percent", "jitter_ms", "rtt_ms", "grade"}); !k) return tl::unexpected(k.error());
    telephony::CallQuality q;
    auto loss = Number(body, "loss_percent", 100, false);
    if (!loss) return tl::unexpected(loss.error());
    q.loss_percent = **loss;
    auto jitter = Number(body, "jitter_ms", kMaxQualityMs, false);
    if (!jitter) return tl::unexpected(jitter.error());
    q.jitter_ms = **jitter;
    auto rtt = Number(body, "rtt_ms", kMaxQualityMs, true);
    if (!rtt) return tl::unexpected(rtt.error());
    q.rtt_ms = *rtt;
    std::vector<std::string> grades(std::begin(telephony::kCallGradeNames), std::end(telephony::kCallGradeNames));
    auto grade = body.Enum("grade", grades);
    if (!grade) return tl::unexpected(grade.error());
    for (size_t i = 0; i < grades.size(); ++i) {
        if (grades[i] == *grade) q.grade = static_cast<telephony::CallGrade>(i);
    }
    return q;
}

}  // namespace crisisline::api::detail
