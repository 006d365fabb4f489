#include "api/detail/live_view.hpp"

#include <algorithm>

namespace crisisline::api::detail {

namespace {

bool SharesLine(const staff::Principal& who, const std::vector<std::string>& lines) {
    return std::any_of(lines.begin(), lines.end(), [&](const std::string& line) { return who.Serves(line); });
}

nlohmann::json CallQualityJson(const telephony::CallQuality& q) {
    return {{"call", q.call},
            {"grade", telephony::kCallGradeNames[static_cast<size_t>(q.grade)]},
            {"loss_percent", q.loss_percent},
            {"jitter_ms", q.jitter_ms},
            {"rtt_ms", q.rtt_ms ? nlohmann::json(*q.rtt_ms) : nlohmann::json(nullptr)},
            {"at", FormatTime(q.at)}};
}

nlohmann::json CounsellorJson(const acd::CounsellorView& c, const telephony::Telephony::CounsellorInfo& info) {
    nlohmann::json j = {{"counsellor", c.counsellor},
                        {"display_name", info.display_name},
                        {"state", acd::StateName(c.state)},
                        {"in_state_ms", c.in_state_ms},
                        {"phone_registered", info.registered}};
    j["browser_phone"] = info.browser;
    if (info.quality) j["call_quality"] = CallQualityJson(*info.quality);
    if (c.reason != acd::BreakReason::kNone) j["reason"] = acd::BreakReasonName(c.reason);
    if (c.call) j["call"] = *c.call;
    if (c.wrap_up_ends) j["wrap_up_ends"] = FormatTime(*c.wrap_up_ends);
    if (c.after_call) j["after_call"] = acd::StateName(*c.after_call);
    // In wrap-up: the call whose record is being finished, so a desk reloaded then reopens it.
    if (c.wrapping_up) j["wrapping_up"] = *c.wrapping_up;
    return j;
}

nlohmann::json WaitingJson(const acd::WaitingCallView& w) {
    nlohmann::json j = {{"call", w.call},
                        {"line", w.line},
                        {"language", acd::LanguageName(w.language)},
                        {"position", w.position},
                        {"wait_ms", w.wait_ms},
                        {"ringing", w.ringing},
                        {"overflowed", w.overflowed}};
    // A supervisor's offer ringing now (reassign): the counsellor's staff id.
    if (w.offered_to) j["offered_to"] = *w.offered_to;
    return j;
}

// The call's control flags (held, and for how long; who monitors it, how) on its entry.
void AddControl(const telephony::Telephony::Live& live, const std::string& call, nlohmann::json& entry) {
    auto control = live.controls.find(call);
    const bool held = control != live.controls.end() && control->second.held;
    entry["held"] = held;
    if (held) entry["held_ms"] = control->second.held_ms;
    // A supervisor monitoring it: shown to the counsellor too (never covert).
    if (control != live.controls.end() && !control->second.supervisor.empty()) {
        entry["monitor"] = {{"supervisor", control->second.supervisor},
                            {"mode", control->second.monitor_mode},
                            {"state", control->second.monitor_state}};
    }
    // A blind transfer ringing a colleague (the caller on hold meanwhile): whose phone rings.
    if (control != live.controls.end() && !control->second.transfer_to.empty()) {
        entry["transfer"] = {{"to", control->second.transfer_to}, {"state", "ringing"}};
    }
    // A consult (warm transfer): the colleague rung or talking to the counsellor, the caller on hold meanwhile.
    if (control != live.controls.end() && !control->second.consult_to.empty()) {
        entry["consult"] = {{"to", control->second.consult_to}, {"state", control->second.consult_state}};
    }
    // A three-party conference: who was added (a staff id or an external target's id, never a number), its
    // kind and whether they have answered.
    if (control != live.controls.end() && !control->second.conference_to.empty()) {
        entry["conference"] = {{"to", control->second.conference_to},
                               {"kind", control->second.conference_kind},
                               {"state", control->second.conference_state}};
    }
}

// How the call's legs' media are protected: `encrypted` (both legs) and `legs` {caller, counsellor}, each
// "srtp", "dtls-srtp" or "rtp". A call not yet known bridged to telephony is shown not encrypted, without legs.
void AddLegs(const telephony::Telephony::Live& live, const std::string& call, nlohmann::json& entry) {
    auto legs = live.legs.find(call);
    entry["encrypted"] = legs != live.legs.end() && legs->second.encrypted;
    if (legs != live.legs.end()) {
        entry["legs"] = {{"caller", legs->second.caller}, {"counsellor", legs->second.counsellor}};
    }
}

// The floor of the lines `who` serves: waiting callers, calls in progress and the counsellors.
void AddFloor(const staff::Principal& who, const telephony::Telephony::Live& live, nlohmann::json& out) {
    nlohmann::json waiting = nlohmann::json::array();
    for (const auto& w : live.state.waiting) {
        if (who.Serves(w.line)) waiting.push_back(WaitingJson(w));
    }
    out["waiting"] = std::move(waiting);
    nlohmann::json active = nlohmann::json::array();
    for (const auto& a : live.state.active) {
        if (!who.Serves(a.line)) continue;
        auto noted = live.outcomes.find(a.call);
        const bool concern = noted != live.outcomes.end() && noted->second.cause_for_concern;
        const bool escalated = noted != live.outcomes.end() && noted->second.escalated;
        active.push_back({{"call", a.call},
                          {"line", a.line},
                          {"counsellor", a.counsellor},
                          {"wait_ms", a.wait_ms},
                          {"talk_ms", a.talk_ms},
                          {"cause_for_concern", concern},
                          {"imminent_risk", escalated}});
        AddControl(live, a.call, active.back());
        AddLegs(live, a.call, active.back());
    }
    out["active"] = std::move(active);
    nlohmann::json counsellors = nlohmann::json::array();
    for (const auto& c : live.state.counsellors) {
        auto info = live.counsellors.find(c.counsellor);
        if (info == live.counsellors.end() || !SharesLine(who, info->second.lines)) continue;
        counsellors.push_back(CounsellorJson(c, info->second));
    }
    out["counsellors"] = std::move(counsellors);
}

}  // namespace

CounsellorLines CounsellorLinesOf(const telephony::Telephony::Live& live) {
    CounsellorLines out;
    for (const auto& [id, info] : live.counsellors) out[id] = info.lines;
    return out;
}

bool WatchesLive(const staff::Principal& who) { return Oversees(who) || who.Has(staff::Role::kCounsellor); }

bool Oversees(const staff::Principal& who) {
    return who.Has(staff::Role::kSupervisor) || who.Has(staff::Role::kServiceManager);
}

bool SeesEvent(const staff::Principal& who, const events::Event& e, const CounsellorLines& lines_of) {
    // New content readers are told to the supervisors of their line only (not its service managers).
    if (e.type.rfind("announcement.", 0) == 0) return who.Has(staff::Role::kSupervisor) && who.Serves(e.line);
    if (!e.counsellor.empty() && e.counsellor == who.staff_id) return true;
    // A consult's events name the colleague too (data.to): their desk learns of the consult it is part of.
    if (e.type.rfind("call.consult", 0) == 0 && e.data.is_object() && e.data.value("to", "") == who.staff_id) {
        return true;
    }
    // So do a conference's when the third party is a colleague ("counsellor:<staff id>"): they are on the call.
    if (e.type == "call.conference" && e.data.is_object() && e.data.value("to", "") == "counsellor:" + who.staff_id) {
        return true;
    }
    if (!Oversees(who)) return e.type == "queue.summary" && who.Serves(e.line);
    if (!e.line.empty()) return who.Serves(e.line);
    auto lines = lines_of.find(e.counsellor);
    return lines != lines_of.end() && SharesLine(who, lines->second);
}

nlohmann::json LivePicture(const staff::Principal& who, const telephony::Telephony::Live& live) {
    nlohmann::json out = {{"at", FormatTime(live.state.at)}};
    // The queue of each line this person serves: everyone sees the summary.
    nlohmann::json queues = nlohmann::json::object();
    for (const auto& line : who.lines) queues[line] = {{"waiting", 0}, {"longest_wait_ms", 0}};
    for (const auto& w : live.state.waiting) {
        if (!who.Serves(w.line)) continue;
        auto& q = queues[w.line];
        q["waiting"] = q["waiting"].get<int>() + 1;
        q["longest_wait_ms"] = std::max(q["longest_wait_ms"].get<std::int64_t>(), w.wait_ms);
    }
    out["queues"] = std::move(queues);
    if (Oversees(who)) AddFloor(who, live, out);
    // A counsellor's own state (and their own call only); null for someone without a phone account.
    out["me"] = nullptr;
    for (const auto& c : live.state.counsellors) {
        if (c.counsellor != who.staff_id) continue;
        auto info = live.counsellors.find(c.counsellor);
        out["me"] = CounsellorJson(c, info == live.counsellors.end() ? telephony::Telephony::CounsellorInfo{}
                                                                      : info->second);
        if (c.call) AddControl(live, *c.call, out["me"]);
    }
    return out;
}

}  // namespace crisisline::api::detail
