#include "api/api.hpp"

#include <boost/asio/post.hpp>

#include <spdlog/spdlog.h>

#include "api/detail/live_feed.hpp"
#include "api/detail/requests.hpp"
#include "reference/reference.hpp"
#include "staff/access.hpp"
#include "writer/audit_trail.hpp"

namespace crisisline::api {

namespace {

// Sign-in attempts allowed from one address per minute, across all usernames.
constexpr std::int64_t kSignInsPerAddressPerMinute = 30;

}  // namespace

using namespace detail;

Api::Api(records::Services services, http::Metrics& metrics, int workers)
    : s_(services),
      metrics_(metrics),
      accounts_(services.store, services.writer, services.clock),
      sessions_(services.store, services.writer, services.keys, services.clock),
      lines_(services),
      contacts_(services),
      follow_ups_(services),
      escalations_(services),
      directory_(services),
      reports_(std::make_unique<records::Reports>(services)),
      staffing_plans_(std::make_unique<records::StaffingPlans>(services)),
      sign_in_throttle_(kSignInsPerAddressPerMinute, kMinuteMs),
      storage_commits_(metrics.AddGauge("crisisline_storage_commits",
                                        "durable transactions committed by the storage writer since start")),
      storage_units_(metrics.AddGauge("crisisline_storage_units",
                                      "units of work written by the storage writer since start (group commit)")),
      sign_in_password_checks_(metrics.AddGauge(
          "crisisline_sign_in_password_checks",
          "sign-in password verifications since start: one per attempt not made to wait, whatever the account")),
      trunks_(services),
      pool_(static_cast<size_t>(workers)) {}

Api::~Api() {
    Drain();
    if (feed_) feed_->Detach();  // the sockets' callbacks may keep the feed; the bus goes its own way
}

void Api::Drain() {
    {
        std::lock_guard lock(recheck_mu_);
        draining_ = true;
        if (recheck_) recheck_->cancel();  // a pending wait would hold join() up
    }
    pool_.join();
}

http::Handler Api::Public(Body body) {
    return [this, body = std::move(body)](http::Request req, http::Respond respond) {
        boost::asio::post(pool_, [body, req = std::move(req), respond = std::move(respond)]() mutable {
            Result<http::Response> r = [&]() -> Result<http::Response> {
                try {
                    return body(req);
                } catch (const std::exception&) {
                    return Fail(ErrorCode::kInternal, "the request could not be handled");
                }
            }();
            respond(r ? std::move(*r) : http::Response::FromError(r.error()));
        });
    };
}

http::Handler Api::Signed(SignedBody body, bool allow_without_mfa) {
    return Public([this, body = std::move(body), allow_without_mfa](const http::Request& req) -> Result<http::Response> {
        auto who = sessions_.Authenticate(req.Cookie(kSessionCookie));
        if (!who) return tl::unexpected(who.error());
        if (!who->mfa_complete && !allow_without_mfa) {
            return Fail(ErrorCode::kUnauthenticated, "totp_code", "complete the second sign-in step first");
        }
        Result<http::Response> answer = [&]() -> Result<http::Response> {
            if (req.method != "GET" && req.method != "HEAD" &&
                !crypto::ConstantTimeEquals(req.Header(kCsrfHeader), who->csrf)) {
                return Fail(ErrorCode::kForbidden, kCsrfHeader, "missing or wrong CSRF token; reload the page");
            }
            return body(req, *who);
        }();
        if (!answer && answer.error().code == ErrorCode::kForbidden && !answer.error().audited) {
            AuditRefusal(req, who->principal);
        }
        return answer;
    });
}

// Every signed-in route is about content, oversight or administration, so every refusal of one is audited: who
// asked for which path (ids only; the query is left out, but for the purpose) and was refused. The refusal
// stands whether or not the entry could be written.
void Api::AuditRefusal(const http::Request& req, const staff::Principal& who) {
    static constexpr size_t kMaxRecorded = 200;
    const auto param = [&req](const char* name) {
        auto it = req.params.find(name);
        return it == req.params.end() ? std::string() : it->second.substr(0, kMaxRecorded);
    };
    std::string purpose;
    if (auto it = req.query.find("purpose"); it != req.query.end()) purpose = it->second.substr(0, 32);
    const writer::AuditEvent event{who.staff_id,     "access.refused", param("line"), "request",
                                   (req.method + " " + req.path).substr(0, kMaxRecorded), purpose};
    const TimeMs now = s_.clock.Now();
    auto written = s_.writer.Run([&](store::Tx& tx) { return writer::AppendAudit(tx, now, event); });
    if (!written) spdlog::warn("audit: a refused request could not be recorded: {}", written.error().message);
}

std::shared_ptr<const http::Router> Api::Routes() {
    auto r = std::make_shared<http::Router>();
    r->Add("GET", "/healthz", Public([](const http::Request&) -> Result<http::Response> {
               return Ok({{"status", "ok"}});
           }));
    r->Add("GET", "/readyz", Public([this](const http::Request&) -> Result<http::Response> {
               auto read = s_.store.Read([](store::Tx& tx) -> Result<void> {
                   auto lines = tx.ListLines();
                   if (!lines) return tl::unexpected(lines.error());
                   return {};
               });
               if (!read) return Fail(ErrorCode::kUnavailable, "storage is not answering");
               return Ok({{"status", "ready"}});
           }));
    r->Add("GET", "/metrics", Public([this](const http::Request& req) -> Result<http::Response> {
               if (metrics_token_.empty() ||
                   !crypto::ConstantTimeEquals(req.Header("authorization"), "Bearer " + metrics_token_)) {
                   auto refused = http::Response::FromError(
                       Error{ErrorCode::kUnauthenticated, "Authorization",
                             "metrics need the bearer token of this server (keys/metrics.token in its data directory)"});
                   refused.headers.emplace_back("WWW-Authenticate", "Bearer realm=\"crisisline metrics\"");
                   return refused;
               }
               storage_commits_.Set(static_cast<double>(s_.writer.Commits()));
               storage_units_.Set(static_cast<double>(s_.writer.Units()));
               sign_in_password_checks_.Set(static_cast<double>(sessions_.PasswordChecks()));
               RefreshTelephonyMetrics();
               http::Response resp;
               resp.content_type = http::Metrics::kContentType;
               resp.body = metrics_.Render();
               return resp;
           }));
    r->Add("GET", "/api/v1/reference", Signed([](const http::Request&, const staff::Authenticated&) -> Result<http::Response> {
               return Ok(reference::AsJson());
           }));
    AddSessionRoutes(*r);
    AddAdministrationRoutes(*r);
    AddContactRoutes(*r);
    AddDirectoryRoutes(*r);
    AddOversightRoutes(*r);
    AddRotaRoutes(*r);
    AddAuditRoutes(*r);
    AddLiveRoutes(*r);
    AddBrowserPhoneRoutes(*r);
    AddCallControlRoutes(*r);
    AddReassignRoutes(*r);
    AddEventRoutes(*r);
    AddPublicRoutes(*r);
    AddTelephonySetupRoutes(*r);
    return r;
}

}  // namespace crisisline::api
