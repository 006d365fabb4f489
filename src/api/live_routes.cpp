// The live picture of the telephony (queue and counsellor states) and a
// counsellor's own availability. Identifiers, states and timings only: no
// contact content and no caller's number ever appear here.
#include <limits>
#include <set>

#include <boost/asio/post.hpp>
#include <spdlog/spdlog.h>

#include "api/detail/requests.hpp"
#include "staff/access.hpp"
#include "telephony/telephony.hpp"

namespace crisisline::api {

using namespace detail;

namespace {

bool SharesLine(const staff::Principal& who, const std::vector<std::string>& lines) {
    for (const auto& l : lines) {
        if (who.Serves(l)) return true;
    }
    return false;
}

nlohmann::json CounsellorJson(const acd::CounsellorView& c, const telephony::Telephony::CounsellorInfo& info) {
    nlohmann::json j = {{"counsellor", c.counsellor},
                        {"display_name", info.display_name},
                        {"state", acd::StateName(c.state)},
                        {"in_state_ms", c.in_state_ms},
                        {"phone_registered", info.registered}};
    if (c.reason != acd::BreakReason::kNone) j["reason"] = acd::BreakReasonName(c.reason);
    if (c.call) j["call"] = *c.call;
    if (c.wrap_up_ends) j["wrap_up_ends"] = FormatTime(*c.wrap_up_ends);
    if (c.after_call) j["after_call"] = acd::StateName(*c.after_call);
    return j;
}

Result<acd::CounsellorState> WantedState(const Fields& body) {
    if (auto k = body.OnlyKnown({"state"}); !k) return tl::unexpected(k.error());
    auto state = body.String("state", 16);
    if (!state) return tl::unexpected(state.error());
    if (*state == "available") return acd::CounsellorState::kAvailable;
    if (*state == "break") return acd::CounsellorState::kBreak;
    if (*state == "offline") return acd::CounsellorState::kOffline;
    return Fail(ErrorCode::kInvalid, "state", "must be one of: available, break, offline");
}

}  // namespace

void Api::AttachTelephony(telephony::Telephony& telephony, events::Bus& bus) {
    telephony_ = &telephony;
    bus_ = &bus;
}

void Api::AddLiveRoutes(http::Router& r) {
    AddFollowUpCallRoute(r);
    r.Add("GET", "/api/v1/live", Signed([this](const http::Request&, const staff::Authenticated& who) -> Result<http::Response> {
              const auto& p = who.principal;
              bool oversight = p.Has(staff::Role::kSupervisor) || p.Has(staff::Role::kServiceManager);
              if (!oversight && !p.Has(staff::Role::kCounsellor)) {
                  return Fail(ErrorCode::kForbidden, "the live picture is for counsellors, supervisors and service managers");
              }
              if (!telephony_) return Fail(ErrorCode::kUnavailable, "telephony is not running on this server");
              auto live = telephony_->Snapshot();
              if (!live) return tl::unexpected(live.error());
              const auto& state = live->state;
              nlohmann::json out = {{"at", FormatTime(state.at)}};
              // The queue of each line this person serves: everyone sees the summary.
              nlohmann::json queues = nlohmann::json::object();
              for (const auto& line : p.lines) queues[line] = {{"waiting", 0}, {"longest_wait_ms", 0}};
              nlohmann::json waiting = nlohmann::json::array();
              for (const auto& w : state.waiting) {
                  if (!p.Serves(w.line)) continue;
                  auto& q = queues[w.line];
                  q["waiting"] = q["waiting"].get<int>() + 1;
                  q["longest_wait_ms"] = std::max(q["longest_wait_ms"].get<std::int64_t>(), w.wait_ms);
                  if (!oversight) continue;
                  nlohmann::json j = {{"call", w.call},
                                      {"line", w.line},
                                      {"language", acd::LanguageName(w.language)},
                                      {"position", w.position},
                                      {"wait_ms", w.wait_ms},
                                      {"ringing", w.ringing},
                                      {"overflowed", w.overflowed}};
                  waiting.push_back(std::move(j));
              }
              out["queues"] = queues;
              if (oversight) {
                  out["waiting"] = waiting;
                  nlohmann::json active = nlohmann::json::array();
                  for (const auto& a : state.active) {
                      if (!p.Serves(a.line)) continue;
                      active.push_back({{"call", a.call},
                                        {"line", a.line},
                                        {"counsellor", a.counsellor},
                                        {"wait_ms", a.wait_ms},
                                        {"talk_ms", a.talk_ms}});
                  }
                  out["active"] = active;
                  nlohmann::json counsellors = nlohmann::json::array();
                  for (const auto& c : state.counsellors) {
                      auto info = live->counsellors.find(c.counsellor);
                      if (info == live->counsellors.end() || !SharesLine(p, info->second.lines)) continue;
                      counsellors.push_back(CounsellorJson(c, info->second));
                  }
                  out["counsellors"] = counsellors;
              }
              // A counsellor's own state (and their own call only).
              for (const auto& c : state.counsellors) {
                  if (c.counsellor != p.staff_id) continue;
                  auto info = live->counsellors.find(c.counsellor);
                  out["me"] = CounsellorJson(c, info == live->counsellors.end() ? telephony::Telephony::CounsellorInfo{}
                                                                                 : info->second);
              }
              if (!out.contains("me")) out["me"] = nullptr;  // no phone account
              return Ok(out);
          }));
    // The recent events (kept in memory, the last 1,000), for a client resynchronising after a
    // lost connection: those after `after` (a sequence number), filtered as the live picture is.
    r.Add("GET", "/api/v1/live/events", Signed([this](const http::Request& req, const staff::Authenticated& who) -> Result<http::Response> {
              const auto& p = who.principal;
              bool oversight = p.Has(staff::Role::kSupervisor) || p.Has(staff::Role::kServiceManager);
              if (!oversight && !p.Has(staff::Role::kCounsellor)) {
                  return Fail(ErrorCode::kForbidden, "the live picture is for counsellors, supervisors and service managers");
              }
              if (!bus_) return Fail(ErrorCode::kUnavailable, "telephony is not running on this server");
              auto after = QueryInt(req, "after", 0, 0, std::numeric_limits<std::int64_t>::max());
              if (!after) return tl::unexpected(after.error());
              // A counsellor's own events (phone, state) carry no line: a supervisor sees them only for
              // counsellors who share one of their lines.
              std::set<std::string> colleagues;
              if (oversight && telephony_) {
                  if (auto live = telephony_->Snapshot()) {
                      for (const auto& [id, info] : live->counsellors) {
                          if (SharesLine(p, info.lines)) colleagues.insert(id);
                      }
                  }
              }
              nlohmann::json out = nlohmann::json::array();
              for (const auto& e : bus_->Since(*after)) {
                  bool mine = e.counsellor == p.staff_id;
                  bool visible = mine || (oversight && (e.line.empty() ? colleagues.count(e.counsellor) > 0
                                                                        : p.Serves(e.line)));
                  if (visible) out.push_back(events::ToJson(e));
              }
              return Ok({{"events", out}, {"last_seq", bus_->LastSeq()}});
          }));
    r.Add("PUT", "/api/v1/me/availability", Signed([this](const http::Request& req, const staff::Authenticated& who) -> Result<http::Response> {
              if (!who.principal.Has(staff::Role::kCounsellor)) {
                  return Fail(ErrorCode::kForbidden, "only counsellors take calls");
              }
              auto body = BodyOf(req);
              if (!body) return tl::unexpected(body.error());
              auto wanted = WantedState(*body);
              if (!wanted) return tl::unexpected(wanted.error());
              if (!telephony_) return Fail(ErrorCode::kUnavailable, "telephony is not running on this server");
              if (auto set = telephony_->SetAvailability(who.principal.staff_id, *wanted); !set) {
                  return tl::unexpected(set.error());
              }
              return Ok({{"state", acd::StateName(*wanted)}});
          }));
    r.Add("POST", "/api/v1/me/wrap-up-done", Signed([this](const http::Request&, const staff::Authenticated& who) -> Result<http::Response> {
              if (!who.principal.Has(staff::Role::kCounsellor)) {
                  return Fail(ErrorCode::kForbidden, "only counsellors take calls");
              }
              if (!telephony_) return Fail(ErrorCode::kUnavailable, "telephony is not running on this server");
              if (auto done = telephony_->WrapUpDone(who.principal.staff_id); !done) return tl::unexpected(done.error());
              return NoContent();
          }));
}

void Api::AddFollowUpCallRoute(http::Router& r) {
    // Click to call: the counsellor's phone rings first, then the consented number. The attempt
    // is recorded on the follow-up when telephony knows its outcome (no answer, wrong number);
    // when the person answers, the counsellor records how it went (spoke with them, voicemail).
    r.Add("POST", "/api/v1/lines/{line}/follow-ups/{id}/call", Signed([this](const http::Request& req, const staff::Authenticated& who) -> Result<http::Response> {
              const auto& line = Param(req, "line");
              const auto& id = Param(req, "id");
              if (auto a = staff::Authorise(who.principal, staff::Permission::kWriteContact, line); !a) {
                  return tl::unexpected(a.error());
              }
              if (!who.principal.Has(staff::Role::kCounsellor)) return Fail(ErrorCode::kForbidden, "only counsellors call back");
              if (!telephony_) return Fail(ErrorCode::kUnavailable, "telephony is not running on this server");
              auto number = follow_ups_.NumberToDial(who.principal, line, id);
              if (!number) return tl::unexpected(number.error());
              auto principal = who.principal;
              auto started = telephony_->CallBack(id, line, principal.staff_id, std::move(*number),
                                                  [this, principal, line, id](std::string outcome) {
                  // On the telephony loop: record the attempt on a worker (storage blocks).
                  std::string code = outcome == "no_answer" || outcome == "busy" ? "no_answer"
                                     : outcome == "wrong_number"                   ? "wrong_number"
                                                                                   : "";
                  if (code.empty()) return;
                  boost::asio::post(pool_, [this, principal, line, id, code] {
                      auto body = Fields::Parse(nlohmann::json{{"outcome", code}}.dump());
                      if (!body) return;
                      if (auto r = follow_ups_.RecordAttempt(principal, line, id, *body); !r) {
                          spdlog::warn("follow-up {}: could not record the call attempt: {}", id, r.error().message);
                      }
                  });
              });
              if (!started) return tl::unexpected(started.error());
              return Ok({{"status", "ringing_your_phone"}, {"follow_up", id}}, 202);
          }));
}

void Api::NoteCallOutcome(const nlohmann::json& contact, bool escalated) {
    if (!telephony_ || !contact.contains("id")) return;
    bool concern = contact.contains("cause_for_concern") && contact["cause_for_concern"].is_boolean() &&
                   contact["cause_for_concern"].get<bool>();
    if (concern || escalated) telephony_->NoteOutcome(contact["id"].get<std::string>(), concern, escalated);
}

void Api::RefreshTelephonyMetrics() {
    if (!telephony_) return;
    const auto& c = telephony_->counters();
    auto bump = [](http::Counter& counter, std::uint64_t value) {
        if (value > counter.Value()) counter.Increment(value - counter.Value());
    };
    auto& m = metrics_;
    bump(m.AddCounter("crisisline_calls_offered_total", "Calls accepted for a line"), c.calls_offered);
    bump(m.AddCounter("crisisline_calls_answered_total", "Calls bridged to a counsellor or the overflow destination"),
         c.calls_answered);
    bump(m.AddCounter("crisisline_calls_abandoned_total", "Callers who hung up before an answer"), c.calls_abandoned);
    bump(m.AddCounter("crisisline_calls_refused_total", "INVITEs refused (unknown number, unknown peer, bad SDP)"),
         c.calls_refused);
    bump(m.AddCounter("crisisline_rtp_packets_relayed_total", "RTP packets relayed between bridged legs"), c.rtp_relayed);
    bump(m.AddCounter("crisisline_rtp_packets_played_total", "RTP packets of prompts and hold audio"), c.rtp_sent);
    bump(m.AddCounter("crisisline_rtp_packets_lost_total", "Gaps in the sequence numbers received"), c.rtp_lost);
    bump(m.AddCounter("crisisline_rtp_packets_ignored_total", "RTP from an unexpected source or payload type"),
         c.rtp_ignored);
    m.AddGauge("crisisline_queue_length", "Callers waiting").Set(static_cast<double>(c.queue_length.load()));
    m.AddGauge("crisisline_queue_longest_wait_seconds", "The longest current wait")
        .Set(static_cast<double>(c.longest_wait_ms.load()) / 1000.0);
    m.AddGauge("crisisline_active_calls", "Calls bridged now").Set(static_cast<double>(c.active_calls.load()));
    m.AddGauge("crisisline_registered_phones", "Counsellor phones registered")
        .Set(static_cast<double>(c.registered_phones.load()));
}

}  // namespace crisisline::api
