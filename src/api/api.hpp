#pragma once

#include <memory>

#include <boost/asio/thread_pool.hpp>

#include "events/bus.hpp"
#include "http/metrics.hpp"
#include "http/router.hpp"
#include "records/audit_log.hpp"
#include "records/contacts.hpp"
#include "records/directory_book.hpp"
#include "records/escalations.hpp"
#include "records/follow_ups.hpp"
#include "records/lines.hpp"
#include "records/retention.hpp"
#include "staff/accounts.hpp"
#include "staff/sessions.hpp"
#include "staff/throttle.hpp"

namespace crisisline::telephony {
class Telephony;
}

namespace crisisline::api {

// The name of the session cookie.
constexpr const char* kSessionCookie = "crisisline_session";
// The header a signed-in client echoes the CSRF token in, on every change.
constexpr const char* kCsrfHeader = "X-CSRF-Token";

// The JSON API under /api/v1 plus /healthz, /readyz and /metrics.
// Every handler runs on a worker pool (storage and Argon2id block), never on
// the HTTP event loop; authorisation (role x line) is checked in every handler.
class Api {
public:
    // `services` and `metrics` must outlive the Api.
    Api(records::Services services, http::Metrics& metrics, int workers);
    ~Api();

    // The routes, for http::Server.
    std::shared_ptr<const http::Router> Routes();

    // Waits for handlers in flight to finish. Called after the HTTP server stopped.
    void Drain();

    records::FollowUps& FollowUpsService() { return follow_ups_; }

    // Serves /api/v1/live and the counsellor's availability from `telephony`
    // (which must outlive the Api). Without it those routes answer 503.
    // REQUIRES: called before Routes().
    // `bus` carries the telephony's events (GET /api/v1/live/events).
    void AttachTelephony(telephony::Telephony& telephony, events::Bus& bus);

private:
    // A handler body: runs on the worker pool; its error becomes the JSON error response.
    using Body = std::function<Result<http::Response>(const http::Request&)>;
    using SignedBody = std::function<Result<http::Response>(const http::Request&, const staff::Authenticated&)>;

    http::Handler Public(Body body);
    // Requires a valid session (and, unless `allow_without_mfa`, a completed second factor);
    // state-changing methods also need the CSRF header.
    http::Handler Signed(SignedBody body, bool allow_without_mfa = false);
    void AddSessionRoutes(http::Router& r);
    void AddAdministrationRoutes(http::Router& r);
    void AddContactRoutes(http::Router& r);
    void AddDirectoryRoutes(http::Router& r);
    void AddOversightRoutes(http::Router& r);
    void AddLiveRoutes(http::Router& r);
    void AddFollowUpCallRoute(http::Router& r);
    void RefreshTelephonyMetrics();
    // Tells telephony (if any) that a call's contact now records cause for concern or an escalation.
    void NoteCallOutcome(const nlohmann::json& contact, bool escalated);

    records::Services s_;
    http::Metrics& metrics_;
    staff::Accounts accounts_;
    staff::Sessions sessions_;
    records::Lines lines_;
    records::Contacts contacts_;
    records::FollowUps follow_ups_;
    records::Escalations escalations_;
    records::DirectoryBook directory_;
    staff::SignInThrottle sign_in_throttle_;
    http::Gauge& storage_commits_;  // refreshed from the storage writer at each scrape
    http::Gauge& storage_units_;
    telephony::Telephony* telephony_ = nullptr;
    events::Bus* bus_ = nullptr;
    boost::asio::thread_pool pool_;
};

}  // namespace crisisline::api
