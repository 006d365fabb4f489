// The live picture of the telephony (queue and counsellor states) and a
// counsellor's own availability. Identifiers, states and timings only: no
// contact content and no caller's number ever appear here.
#include <iterator>
#include <limits>

#include <boost/asio/post.hpp>
#include <spdlog/spdlog.h>

#include "api/detail/live_view.hpp"
#include "api/detail/requests.hpp"
#include "staff/access.hpp"
#include "telephony/telephony.hpp"

namespace crisisline::api {

using namespace detail;

namespace {

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
    AttachEvents(bus);
}

void Api::AddLiveRoutes(http::Router& r) {
    AddFollowUpCallRoute(r);
    r.Add("GET", "/api/v1/live", Signed([this](const http::Request&, const staff::Authenticated& who) -> Result<http::Response> {
              if (!WatchesLive(who.principal)) {
                  return Fail(ErrorCode::kForbidden, "the live picture is for counsellors, supervisors and service managers");
              }
              if (!telephony_) return Fail(ErrorCode::kUnavailable, "telephony is not running on this server");
              auto live = telephony_->Snapshot();
              if (!live) return tl::unexpected(live.error());
              return Ok(LivePicture(who.principal, *live));
          }));
    // The recent events (kept in memory, the last 1,000), for a client resynchronising after a
    // lost connection: those after `after` (a sequence number), filtered as the WebSocket's are.
    r.Add("GET", "/api/v1/live/events", Signed([this](const http::Request& req, const staff::Authenticated& who) -> Result<http::Response> {
              const auto& p = who.principal;
              if (!WatchesLive(p)) {
                  return Fail(ErrorCode::kForbidden, "the live picture is for counsellors, supervisors and service managers");
              }
              if (!bus_) return Fail(ErrorCode::kUnavailable, "live events are not available on this server");
              auto after = QueryInt(req, "after", 0, 0, std::numeric_limits<std::int64_t>::max());
              if (!after) return tl::unexpected(after.error());
              // A counsellor's own events (phone, state) carry no line: a supervisor sees them only for
              // counsellors who share one of their lines.
              CounsellorLines lines_of;
              if (Oversees(p) && telephony_) {
                  if (auto live = telephony_->Snapshot()) lines_of = CounsellorLinesOf(*live);
              }
              nlohmann::json out = nlohmann::json::array();
              for (const auto& e : bus_->Since(*after)) {
                  if (SeesEvent(p, e, lines_of)) out.push_back(events::ToJson(e));
              }
              return Ok({{"events", out}, {"last_seq", bus_->LastSeq()}, {"epoch", bus_->Epoch()}});
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
              // The call is under way: a pool follow-up is now this counsellor's (need to know for its details).
              if (auto claimed = follow_ups_.Claim(who.principal, line, id); !claimed) {
                  spdlog::warn("follow-up {}: could not claim it for the counsellor calling: {}", id,
                               claimed.error().message);
              }
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
    bump(m.AddCounter("crisisline_browser_feed_drops_kept_total",
                      "Browser calls kept when the tab's live feed dropped while the call's audio still arrived"),
         c.browser_feed_drops_kept);
    bump(m.AddCounter("crisisline_surveys_offered_total", "Callers offered the post-call survey"), c.surveys_offered);
    bump(m.AddCounter("crisisline_survey_answers_total", "Answers given to the post-call survey's questions"),
         c.survey_answers);
    bump(m.AddCounter("crisisline_calls_interrupted_total",
                      "Calls whose counsellor's connection failed mid-call; the caller went back to the front of the queue"),
         c.calls_interrupted);
    bump(m.AddCounter("crisisline_calls_refused_total", "INVITEs refused (unknown number, unknown peer, bad SDP)"),
         c.calls_refused);
    bump(m.AddCounter("crisisline_calls_over_capacity_total",
                      "New calls refused 503 by admission control (trunk_calls_per_s, line_max_calls/_waiting)"),
         c.calls_over_capacity);
    bump(m.AddCounter("crisisline_sip_forged_requests_total",
                      "In-dialog SIP requests refused 403: not from the trunk or phone of that dialog"),
         c.forged_requests);
    bump(m.AddCounter("crisisline_sip_registrations_refused_total",
                      "REGISTERs refused: wrong credentials, or too many wrong ones (throttled)"),
         c.registrations_refused);
    bump(m.AddCounter("crisisline_rtp_packets_relayed_total", "RTP packets relayed between bridged legs"), c.rtp_relayed);
    bump(m.AddCounter("crisisline_rtp_packets_played_total", "RTP packets of prompts and hold audio"), c.rtp_sent);
    bump(m.AddCounter("crisisline_rtp_packets_lost_total", "Gaps in the sequence numbers received"), c.rtp_lost);
    bump(m.AddCounter("crisisline_rtp_packets_ignored_total", "RTP from an unexpected source or payload type"),
         c.rtp_ignored);
    for (size_t i = 0; i < std::size(telephony::kBrowserDropNames); ++i) {
        bump(m.AddCounter("crisisline_browser_media_dropped_total",
                          "Browser phone packets dropped by a failed check (fail closed), by reason",
                          {{"reason", telephony::kBrowserDropNames[i]}}),
             c.browser_dropped[i]);
    }
    for (const char* grade : telephony::kCallGradeNames) {  // counted by the quality route; shown from 0
        m.AddCounter("crisisline_browser_call_quality_reports_total",
                     "Call-quality reports from browser phones (getStats over 5 s), by the console's grade",
                     {{"grade", grade}});
    }
    bump(m.AddCounter("crisisline_browser_handshakes_total",
                      "Browser phone DTLS-SRTP handshakes completed with the SDP's fingerprint"),
         c.browser_handshakes);
    bump(m.AddCounter("crisisline_browser_ice_restarts_total",
                      "Browser phone ICE restarts answered (new ICE credentials; the call and its keys kept)"),
         c.browser_ice_restarts);
    for (size_t i = 0; i < std::size(telephony::kSrtpDropNames); ++i) {
        bump(m.AddCounter("crisisline_srtp_packets_dropped_total",
                          "SRTP packets on SIP legs (SDES) dropped unrelayed: not authentic, replayed, or malformed",
                          {{"reason", telephony::kSrtpDropNames[i]}}),
             c.srtp_dropped[i]);
    }
    for (size_t side = 0; side < std::size(telephony::kLegSideNames); ++side) {
        for (size_t e = 0; e < std::size(telephony::kLegEncryptionNames); ++e) {
            bump(m.AddCounter("crisisline_bridged_legs_total",
                              "Legs of bridged calls by how their media was protected (plain, srtp, dtls_srtp)",
                              {{"leg", telephony::kLegSideNames[side]}, {"encryption", telephony::kLegEncryptionNames[e]}}),
                 c.bridged_legs[side][e]);
        }
    }
    bump(m.AddCounter("crisisline_calls_encrypted_total", "Bridged calls whose two legs' media were both encrypted"),
         c.calls_encrypted);
    for (size_t i = 0; i < std::size(telephony::kSipTransportNames); ++i) {
        bump(m.AddCounter("crisisline_sip_requests_total", "SIP requests received, by transport",
                          {{"transport", telephony::kSipTransportNames[i]}}),
             c.sip_requests[i]);
    }
    for (size_t i = 0; i < std::size(telephony::kTlsFailureNames); ++i) {
        bump(m.AddCounter("crisisline_sip_tls_handshake_failures_total",
                          "SIP over TLS handshakes that failed, by reason",
                          {{"reason", telephony::kTlsFailureNames[i]}}),
             c.tls_failures[i]);
    }
    bump(m.AddCounter("crisisline_sip_plaintext_refused_total",
                      "INVITEs (488) and REGISTERs (403) refused: plaintext from a trunk or phone account that "
                      "requires encryption"),
         c.plaintext_refused);
    m.AddGauge("crisisline_queue_length", "Callers waiting").Set(static_cast<double>(c.queue_length.load()));
    m.AddGauge("crisisline_queue_longest_wait_seconds", "The longest current wait")
        .Set(static_cast<double>(c.longest_wait_ms.load()) / 1000.0);
    m.AddGauge("crisisline_active_calls", "Calls bridged now").Set(static_cast<double>(c.active_calls.load()));
    m.AddGauge("crisisline_active_calls_by_encryption", "Calls bridged now, by whether both legs' media are encrypted",
               {{"encrypted", "true"}})
        .Set(static_cast<double>(c.active_encrypted.load()));
    m.AddGauge("crisisline_active_calls_by_encryption", "Calls bridged now, by whether both legs' media are encrypted",
               {{"encrypted", "false"}})
        .Set(static_cast<double>(c.active_plain.load()));
    bump(m.AddCounter("crisisline_line_encryption_refused_total",
                      "INVITEs refused 488 because their line requires every leg encrypted (plain SIP or RTP, or "
                      "a trunk whose encryption is off)"),
         c.line_encryption_refused);
    m.AddGauge("crisisline_registered_phones", "Counsellor phones registered")
        .Set(static_cast<double>(c.registered_phones.load()));
}

}  // namespace crisisline::api
