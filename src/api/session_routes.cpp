#include "api/api.hpp"
#include "api/detail/requests.hpp"
#include "staff/access.hpp"

namespace crisisline::api {

using namespace detail;
using staff::Permission;

void Api::AddSessionRoutes(http::Router& r) {
    r.Add("POST", "/api/v1/session", Public([this](const http::Request& req) -> Result<http::Response> {
              if (!sign_in_throttle_.Allow(req.remote_address, s_.clock.Now())) {
                  return Fail(ErrorCode::kThrottled, "too many sign-in attempts from this address; wait a minute");
              }
              auto f = BodyOf(req);
              if (!f) return tl::unexpected(f.error());
              if (auto k = f->OnlyKnown({"username", "password", "totp_code"}); !k) return tl::unexpected(k.error());
              auto username = f->String("username", staff::kMaxUsername);
              if (!username) return tl::unexpected(username.error());
              auto password = f->String("password", 256);
              if (!password) return tl::unexpected(password.error());
              auto code = f->OptionalString("totp_code", 16);
              if (!code) return tl::unexpected(code.error());
              auto signed_in = sessions_.SignIn(*username, *password, code->value_or(""), req.remote_address);
              // The right password without the code is the first of two steps, not a failure: the answer says
              // what comes next (a 401 here would be logged as an error by every browser on every sign-in).
              if (!signed_in && !code->has_value() && signed_in.error().code == ErrorCode::kUnauthenticated &&
                  signed_in.error().field == "totp_code") {
                  return Ok({{"totp_required", true}, {"message", signed_in.error().message}});
              }
              if (!signed_in) return tl::unexpected(signed_in.error());
              nlohmann::json body = {{"staff", staff::StaffJson(signed_in->staff)},
                                     {"csrf_token", signed_in->csrf},
                                     {"mfa_complete", signed_in->mfa_complete}};
              if (signed_in->totp_secret) {
                  body["totp_enrolment"] = {{"secret", *signed_in->totp_secret}, {"uri", *signed_in->totp_uri}};
              }
              auto resp = Ok(body);
              resp.headers.emplace_back("Set-Cookie",
                                        SessionCookie(signed_in->token, sessions_.Policy().absolute_timeout));
              return resp;
          }));
    r.Add("GET", "/api/v1/session",
          Signed(
              [this](const http::Request&, const staff::Authenticated& who) -> Result<http::Response> {
                  auto row = accounts_.Get(who.principal.staff_id);
                  if (!row) return tl::unexpected(row.error());
                  return Ok({{"staff", staff::StaffJson(*row)},
                             {"csrf_token", who.csrf},
                             {"mfa_complete", who.mfa_complete},
                             {"idle_expires_at", FormatTime(who.idle_expires_at)}});
              },
              true));
    r.Add("POST", "/api/v1/session/totp",
          Signed(
              [this](const http::Request& req, const staff::Authenticated&) -> Result<http::Response> {
                  auto f = BodyOf(req);
                  if (!f) return tl::unexpected(f.error());
                  if (auto k = f->OnlyKnown({"code"}); !k) return tl::unexpected(k.error());
                  auto code = f->String("code", 16);
                  if (!code) return tl::unexpected(code.error());
                  if (auto c = sessions_.ConfirmTotp(req.Cookie(kSessionCookie), *code); !c) return tl::unexpected(c.error());
                  return Ok({{"mfa_complete", true}});
              },
              true));
    // The browser phone's ICE servers: TURN with a credential for this counsellor alone, valid for
    // turn_.lifetime. Never cached (the server's no-store), never logged.
    r.Add("GET", "/api/v1/session/ice-servers",
          Signed([this](const http::Request&, const staff::Authenticated& who) -> Result<http::Response> {
              if (!who.principal.Has(staff::Role::kCounsellor)) {
                  return Fail(ErrorCode::kForbidden, "only counsellors answer calls in the browser");
              }
              nlohmann::json servers = nlohmann::json::array();
              if (turn_.urls.empty()) return Ok({{"ice_servers", servers}});
              const auto credential =
                  MakeTurnCredential(turn_.secret, who.principal.staff_id, s_.clock.Now() / kSecondMs, turn_.lifetime);
              servers.push_back(
                  {{"urls", turn_.urls}, {"username", credential.username}, {"credential", credential.password}});
              return Ok({{"ice_servers", servers},
                         {"ice_transport_policy", turn_.relay_only ? "relay" : "all"},
                         {"expires_at", FormatTime(credential.expires_at_s * kSecondMs)}});
          }));
    r.Add("DELETE", "/api/v1/session",
          Signed(
              [this](const http::Request& req, const staff::Authenticated&) -> Result<http::Response> {
                  if (auto s = sessions_.SignOut(req.Cookie(kSessionCookie)); !s) return tl::unexpected(s.error());
                  RecheckSoon();  // the console's socket of this session closes now, not within a minute
                  auto resp = NoContent();
                  resp.headers.emplace_back("Set-Cookie", ClearedCookie());
                  return resp;
              },
              true));
    r.Add("POST", "/api/v1/session/sign-out-everywhere",
          Signed([this](const http::Request&, const staff::Authenticated& who) -> Result<http::Response> {
              if (auto s = sessions_.SignOutEverywhere(who.principal.staff_id); !s) return tl::unexpected(s.error());
              RecheckSoon();
              auto resp = NoContent();
              resp.headers.emplace_back("Set-Cookie", ClearedCookie());
              return resp;
          }));
    r.Add("POST", "/api/v1/session/password",
          Signed([this](const http::Request& req, const staff::Authenticated& who) -> Result<http::Response> {
              auto f = BodyOf(req);
              if (!f) return tl::unexpected(f.error());
              if (auto k = f->OnlyKnown({"current_password", "new_password"}); !k) return tl::unexpected(k.error());
              auto current = f->String("current_password", 256);
              if (!current) return tl::unexpected(current.error());
              auto next = f->String("new_password", 256);
              if (!next) return tl::unexpected(next.error());
              if (auto c = sessions_.ChangePassword(who.principal.staff_id, *current, *next); !c) {
                  return tl::unexpected(c.error());
              }
              RecheckSoon();
              auto resp = NoContent();
              resp.headers.emplace_back("Set-Cookie", ClearedCookie());
              return resp;
          }));
}

}  // namespace crisisline::api
