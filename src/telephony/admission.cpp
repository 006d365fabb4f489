#include "telephony/admission.hpp"

#include <algorithm>
#include <cmath>

namespace crisisline::telephony {

double NewCallRate::Level(const Bucket& bucket, TimeMs now) const {
    double refilled = static_cast<double>(std::max<TimeMs>(0, now - bucket.at)) * per_second_ / 1000.0;
    return std::min<double>(per_second_, bucket.calls + refilled);
}

bool NewCallRate::Take(const std::string& trunk, TimeMs now) {
    auto [it, fresh] = buckets_.try_emplace(trunk, Bucket{static_cast<double>(per_second_), now});
    double level = fresh ? it->second.calls : Level(it->second, now);
    it->second.at = now;
    if (level < 1.0) {
        it->second.calls = level;
        return false;
    }
    it->second.calls = level - 1.0;
    return true;
}

TimeMs NewCallRate::Wait(const std::string& trunk, TimeMs now) const {
    auto it = buckets_.find(trunk);
    if (it == buckets_.end()) return 0;
    double level = Level(it->second, now);
    if (level >= 1.0) return 0;
    return static_cast<TimeMs>(std::ceil((1.0 - level) * 1000.0 / per_second_));
}

}  // namespace crisisline::telephony
