#include "media/monitor_mix.hpp"

#include <algorithm>
#include <cstring>

namespace crisisline::media {

const char* MonitorModeName(MonitorMode mode) {
    switch (mode) {
        case MonitorMode::kListen: return "listen";
        case MonitorMode::kCoach: return "coach";
        case MonitorMode::kJoin: return "join";
    }
    return "listen";
}

std::optional<MonitorMode> MonitorModeFromName(const char* name) {
    for (auto mode : {MonitorMode::kListen, MonitorMode::kCoach, MonitorMode::kJoin}) {
        if (std::strcmp(name, MonitorModeName(mode)) == 0) return mode;
    }
    return std::nullopt;
}

bool Hears(MonitorMode mode, Party listener, Party speaker) {
    if (listener == speaker) return false;
    if (listener == Party::kSupervisor) return true;
    if (speaker != Party::kSupervisor) return true;  // caller and counsellor always hear each other
    return mode == MonitorMode::kJoin || (mode == MonitorMode::kCoach && listener == Party::kCounsellor);
}

bool MonitorMix::Put(Party party, Codec codec, const std::uint8_t* payload, size_t n) {
    if (n != kFrameSamples) return false;
    auto& queue = queued_[static_cast<size_t>(party)];
    if (queue.size() == kMaxQueued) queue.pop_front();
    Pcm& pcm = queue.emplace_back();
    for (size_t i = 0; i < n; ++i) pcm[i] = DecodeSample(codec, payload[i]);
    return true;
}

void MonitorMix::Tick() {
    for (size_t p = 0; p < queued_.size(); ++p) {
        now_[p].reset();
        if (queued_[p].empty()) continue;
        now_[p] = queued_[p].front();
        queued_[p].pop_front();
    }
}

bool MonitorMix::Mix(MonitorMode mode, Party listener, Codec codec, Frame& out) const {
    std::array<std::int32_t, kFrameSamples> sum{};
    bool any = false;
    for (auto speaker : {Party::kCaller, Party::kCounsellor, Party::kSupervisor}) {
        const auto& frame = now_[static_cast<size_t>(speaker)];
        if (!frame || !Hears(mode, listener, speaker)) continue;
        any = true;
        for (size_t i = 0; i < kFrameSamples; ++i) sum[i] += (*frame)[i];
    }
    if (!any) return false;
    for (size_t i = 0; i < kFrameSamples; ++i) {
        out[i] = EncodeSample(codec, static_cast<std::int16_t>(std::clamp<std::int32_t>(sum[i], -32767, 32767)));
    }
    return true;
}

}  // namespace crisisline::media
