#pragma once

#include <atomic>
#include <memory>
#include <mutex>
#include <optional>

#include <boost/asio/steady_timer.hpp>
#include <boost/asio/thread_pool.hpp>

#include "api/turn_credentials.hpp"
#include "events/bus.hpp"
#include "http/metrics.hpp"
#include "http/router.hpp"
#include "media/prompt_folder.hpp"
#include "records/audit_log.hpp"
#include "records/contacts.hpp"
#include "records/directory_book.hpp"
#include "records/escalations.hpp"
#include "records/follow_ups.hpp"
#include "records/lines.hpp"
#include "records/reports.hpp"
#include "records/retention.hpp"
#include "records/staffing_plan.hpp"
#include "records/trunks.hpp"
#include "staff/accounts.hpp"
#include "staff/sessions.hpp"
#include "staff/throttle.hpp"
#include "telephony/config.hpp"

namespace crisisline::telephony {
class Telephony;
}

namespace crisisline::api {

namespace detail {
class LiveFeed;
}

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
    // `bus` carries the telephony's events (GET /api/v1/live/events); AttachEvents(bus) is implied.
    void AttachTelephony(telephony::Telephony& telephony, events::Bus& bus);

    // The events of GET /api/v1/live/events and the console's WebSocket (GET /api/v1/events), and where the
    // Api publishes its own (escalation.raised, contact.flags). Without it those routes answer 503.
    // REQUIRES: called once, before Routes(); `bus` outlives the Api.
    void AttachEvents(events::Bus& bus);

    // What the administration's Telephony page shows and changes: the trunks of `config` (shown, not
    // changed: the Api keeps no password of theirs), the trunks added in the console (records::Trunks;
    // each change reloads telephony at once), and the recordings in `prompts_dir`. `fell_back` names the prompts the running telephony plays generated audio for.
    // Without it GET /api/v1/telephony/trunks answers no trunks and the prompts routes answer 503.
    // REQUIRES: called before Routes().
    void AttachTelephonySetup(const telephony::TelephonyConfig& config,
                              std::string prompts_dir,
                              std::vector<std::string> fell_back);

    // GET /metrics answers only a request that carries `Authorization: Bearer <token>` (compared in constant
    // time); anyone else gets 401. Without this call, or with an empty token, it answers 401 to everyone.
    // REQUIRES: called before Routes().
    void RequireMetricsToken(std::string token) { metrics_token_ = std::move(token); }

    // Where serve writes the audit log's signed checkpoints, read by the auditor's routes
    // (GET /api/v1/audit/checkpoint, /api/v1/audit/verify). Without it they know no checkpoint.
    // REQUIRES: called before Routes().
    void AttachAuditCheckpoints(std::string file) { audit_checkpoint_file_ = std::move(file); }

    // GET /api/v1/session/ice-servers hands signed-in counsellors `turn`'s servers with a credential of their
    // own that expires after turn.lifetime (api/turn_credentials.hpp). Without it the route answers an empty
    // list. REQUIRES: called before Routes().
    void AttachTurn(TurnSettings turn) { turn_ = std::move(turn); }

    // How long a staff change waits for a second administrator ([staff] change_approval_s).
    // REQUIRES: called before Routes().
    void SetStaffChangeLifetime(TimeMs lifetime_ms) { accounts_.SetChangeLifetime(lifetime_ms); }
    // Report requests allowed per person per hour (GET /api/v1/lines/{line}/reports/...; 60 unless set).
    // REQUIRES: called before Routes().
    void LimitReports(std::int64_t per_hour) { reports_ = std::make_unique<records::Reports>(s_, per_hour); }
    // Staffing plan requests allowed per person per hour (GET /api/v1/lines/{line}/staffing; 60 unless set).
    void LimitStaffingPlans(std::int64_t per_hour) {
        staffing_plans_ = std::make_unique<records::StaffingPlans>(s_, per_hour);
    }

private:
    // A handler body: runs on the worker pool; its error becomes the JSON error response.
    using Body = std::function<Result<http::Response>(const http::Request&)>;
    using SignedBody = std::function<Result<http::Response>(const http::Request&, const staff::Authenticated&)>;

    http::Handler Public(Body body);
    // Requires a valid session (and, unless `allow_without_mfa`, a completed second factor);
    // state-changing methods also need the CSRF header.
    http::Handler Signed(SignedBody body, bool allow_without_mfa = false);
    // Appends "access.refused" for a signed-in request that was answered 403 (blocking: a storage write).
    void AuditRefusal(const http::Request& req, const staff::Principal& who);
    void AddSessionRoutes(http::Router& r);
    void AddAdministrationRoutes(http::Router& r);
    // The two-person rule's pending staff changes and the wallboard's announcements of new content readers.
    void AddStaffChangeRoutes(http::Router& r);
    // 202 with the pending change when `decided` waits for a second administrator; else the account with
    // `applied_status`. Publishes the announcements of grants that took effect.
    Result<http::Response> AnswerStaffDecision(const staff::StaffDecision& decided, int applied_status);
    void PublishAnnouncements(const std::vector<store::AnnouncementRow>& announced, const std::string& display_name);
    void AddContactRoutes(http::Router& r);
    void AddDirectoryRoutes(http::Router& r);
    void AddOversightRoutes(http::Router& r);
    Result<http::Response> FunderPack(const http::Request& req, const staff::Authenticated& who);
    void AddRotaRoutes(http::Router& r);  // rota_routes.cpp
    void AddAuditRoutes(http::Router& r);
    void AddLiveRoutes(http::Router& r);
    void AddFollowUpCallRoute(http::Router& r);
    void AddBrowserPhoneRoutes(http::Router& r);  // browser_phone_routes.cpp
    void AddCallControlRoutes(http::Router& r);   // call_control_routes.cpp
    void AddReassignRoutes(http::Router& r);      // reassign_routes.cpp
    Result<http::Response> HoldOrResume(const http::Request& req, const staff::Authenticated& who, bool hold);
    Result<http::Response> MonitorCall(const http::Request& req, const staff::Authenticated& who);
    Result<http::Response> TransferCall(const http::Request& req, const staff::Authenticated& who);
    Result<http::Response> TransferTargets(const http::Request& req, const staff::Authenticated& who);
    // Warm transfer (consult): start, complete, cancel; each audited before it is carried out.
    Result<http::Response> ConsultCall(const http::Request& req, const staff::Authenticated& who);
    Result<http::Response> CompleteConsult(const http::Request& req, const staff::Authenticated& who);
    Result<http::Response> CancelConsult(const http::Request& req, const staff::Authenticated& who);
    // Appends the call control `action` on `call` (its line) to the audit log; kUnavailable when it cannot.
    Result<void> AuditCallControl(const std::string& staff_id, const char* action, const std::string& line,
                                  const std::string& call, const nlohmann::json& detail);
    // Three-party conference (call_control_routes.cpp): add a party, drop them, or leave the caller with them.
    Result<http::Response> Conference(const http::Request& req, const staff::Authenticated& who,
                                      const std::string& action);
    void AddEventRoutes(http::Router& r);
    void AddPublicRoutes(http::Router& r);
    void AddTelephonySetupRoutes(http::Router& r);
    // GET /api/v1/events: authenticates on the worker pool, then accepts with the hello ready.
    Result<http::WebSocketCallbacks> OpenEvents(const http::Request& req);
    // contact.flags, when a change of `contact` changed its flags from `before`.
    void PublishFlags(const staff::Principal& who, const nlohmann::json& contact, records::ContactFlags before);
    // What telephony shows of `staff_id` and the call `contact_id` now (nothing without telephony, or when it
    // does not answer in time: need to know then rests on the stored records alone).
    records::CallView CallViewOf(const std::string& staff_id, const std::string& contact_id);
    // Publishes an event of the Api's own (ids and flags only) when there is a bus.
    void Publish(std::string type, std::string line, std::string counsellor, nlohmann::json data);
    // The console's sockets: re-checks each watcher's session and role (closing 4401/4403 what no longer
    // holds) every kRecheckEvery, and soon after a sign-out or an account change.
    void ArmRecheck();
    void RecheckSoon();
    void RecheckWatchers();
    // Refreshes the counsellors' lines the feed places line-less events with (on a worker: Snapshot waits).
    void WantCounsellorLines();
    void RefreshCounsellorLines();
    void RefreshTelephonyMetrics();
    // Tells telephony (if any) that a call's contact now records cause for concern or an escalation.
    void NoteCallOutcome(const nlohmann::json& contact, bool escalated);
    // Hands telephony (if any) the lines, counsellors and trunks as stored now. Blocking (a read).
    void ReloadTelephony();
    // Hands telephony (if any) the prompts folder as it is now, for the next call. REQUIRES: prompts_mu_ held.
    void ApplyPrompts();
    // kConflict naming "name" when `name` is a trunk of crisisline.toml, which only the file changes.
    Result<void> RefuseConfiguredTrunk(const std::string& name) const;

    records::Services s_;
    http::Metrics& metrics_;
    std::string metrics_token_;  // set before Routes(), read-only after
    std::string audit_checkpoint_file_;  // set once before Routes()
    TurnSettings turn_;                  // set once before Routes()
    staff::Accounts accounts_;
    staff::Sessions sessions_;
    records::Lines lines_;
    records::Contacts contacts_;
    records::FollowUps follow_ups_;
    records::Escalations escalations_;
    records::DirectoryBook directory_;
    std::unique_ptr<records::Reports> reports_;
    std::unique_ptr<records::StaffingPlans> staffing_plans_;
    staff::SignInThrottle sign_in_throttle_;
    http::Gauge& storage_commits_;  // refreshed from the storage writer at each scrape
    http::Gauge& storage_units_;
    http::Gauge& sign_in_password_checks_;  // refreshed from sessions_ at each scrape
    telephony::Telephony* telephony_ = nullptr;
    // The Telephony page: set once before Routes(), read-only afterwards except as noted.
    bool sip_enabled_ = false;
    std::vector<records::Trunk> configured_trunks_;  // crisisline.toml's, passwords removed
    records::Trunks trunks_;
    std::optional<media::PromptFolder> prompts_;
    std::vector<std::string> fell_back_;     // guarded by prompts_mu_ once routes run
    std::mutex prompts_mu_;                  // serialises changes to the prompts folder
    std::atomic<bool> prompts_changed_{false};  // a change could not be handed to telephony: a restart plays it
    events::Bus* bus_ = nullptr;
    std::shared_ptr<detail::LiveFeed> feed_;  // shared with the sockets' callbacks
    std::atomic<bool> lines_refreshing_{false};
    std::atomic<TimeMs> lines_refreshed_at_{0};
    std::atomic<bool> recheck_pending_{false};
    boost::asio::thread_pool pool_;
    std::mutex recheck_mu_;  // guards recheck_ and draining_
    std::optional<boost::asio::steady_timer> recheck_;  // on pool_; declared after it, so destroyed before it
    bool draining_ = false;
};

}  // namespace crisisline::api
