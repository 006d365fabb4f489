#include "api/api.hpp"

#include <boost/asio/post.hpp>

#include "reference/reference.hpp"
#include "staff/access.hpp"

namespace crisisline::api {

namespace {

using staff::Permission;

// Sign-in attempts allowed from one address per minute, across all usernames.
constexpr std::int64_t kSignInsPerAddressPerMinute = 30;

http::Response Ok(const nlohmann::json& body, unsigned status = 200) { return http::Response::Json(status, body); }

http::Response NoContent() {
    http::Response r;
    r.status = 204;
    return r;
}

Result<Fields> BodyOf(const http::Request& req) { return Fields::Parse(req.body); }

std::string SessionCookie(const std::string& token, TimeMs max_age) {
    return std::string(kSessionCookie) + "=" + token + "; Path=/; HttpOnly; Secure; SameSite=Strict; Max-Age=" +
           std::to_string(max_age / 1000);
}

std::string ClearedCookie() {
    return std::string(kSessionCookie) + "=; Path=/; HttpOnly; Secure; SameSite=Strict; Max-Age=0";
}

const std::string& Param(const http::Request& req, const char* name) {
    static const std::string empty;
    auto it = req.params.find(name);
    return it == req.params.end() ? empty : it->second;
}

Result<std::optional<std::string>> Query(const http::Request& req, const char* name, size_t max_len) {
    auto it = req.query.find(name);
    if (it == req.query.end() || it->second.empty()) return std::optional<std::string>();
    if (it->second.size() > max_len) {
        return Fail(ErrorCode::kTooLarge, name, "is longer than " + std::to_string(max_len) + " bytes");
    }
    return std::optional<std::string>(it->second);
}

Result<std::int64_t> QueryInt(const http::Request& req, const char* name, std::int64_t fallback, std::int64_t min,
                              std::int64_t max) {
    auto text = Query(req, name, 20);
    if (!text) return tl::unexpected(text.error());
    if (!*text) return fallback;
    try {
        size_t used = 0;
        std::int64_t v = std::stoll(**text, &used);
        if (used != (*text)->size() || v < min || v > max) throw std::out_of_range("range");
        return v;
    } catch (const std::exception&) {
        return Fail(ErrorCode::kInvalid, name,
                    "must be a whole number between " + std::to_string(min) + " and " + std::to_string(max));
    }
}

Result<std::optional<TimeMs>> QueryTime(const http::Request& req, const char* name) {
    auto text = Query(req, name, 40);
    if (!text) return tl::unexpected(text.error());
    if (!*text) return std::optional<TimeMs>();
    auto t = ParseTime(**text);
    if (!t) return Fail(ErrorCode::kInvalid, name, "must be an RFC 3339 timestamp such as 2026-11-27T19:04:00Z");
    return std::optional<TimeMs>(*t);
}

// Lines a person may see: the ones they serve; an admin sees all.
bool SeesLine(const staff::Principal& p, const std::string& id) { return p.Serves(id) || p.Has(staff::Role::kAdmin); }

}  // namespace

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
      sign_in_throttle_(kSignInsPerAddressPerMinute, kMinuteMs),
      storage_commits_(metrics.AddGauge("crisisline_storage_commits",
                                        "durable transactions committed by the storage writer since start")),
      storage_units_(metrics.AddGauge("crisisline_storage_units",
                                      "units of work written by the storage writer since start (group commit)")),
      pool_(static_cast<size_t>(workers)) {}

Api::~Api() { Drain(); }

void Api::Drain() { pool_.join(); }

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
        if (req.method != "GET" && req.method != "HEAD") {
            if (!crypto::ConstantTimeEquals(req.Header(kCsrfHeader), who->csrf)) {
                return Fail(ErrorCode::kForbidden, kCsrfHeader, "missing or wrong CSRF token; reload the page");
            }
        }
        return body(req, *who);
    });
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
    r->Add("GET", "/metrics", Public([this](const http::Request&) -> Result<http::Response> {
               storage_commits_.Set(static_cast<double>(s_.writer.Commits()));
               storage_units_.Set(static_cast<double>(s_.writer.Units()));
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
    return r;
}

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
              auto signed_in = sessions_.SignIn(*username, *password, code->value_or(""));
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
    r.Add("DELETE", "/api/v1/session",
          Signed(
              [this](const http::Request& req, const staff::Authenticated&) -> Result<http::Response> {
                  if (auto s = sessions_.SignOut(req.Cookie(kSessionCookie)); !s) return tl::unexpected(s.error());
                  auto resp = NoContent();
                  resp.headers.emplace_back("Set-Cookie", ClearedCookie());
                  return resp;
              },
              true));
    r.Add("POST", "/api/v1/session/sign-out-everywhere",
          Signed([this](const http::Request&, const staff::Authenticated& who) -> Result<http::Response> {
              if (auto s = sessions_.SignOutEverywhere(who.principal.staff_id); !s) return tl::unexpected(s.error());
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
              auto resp = NoContent();
              resp.headers.emplace_back("Set-Cookie", ClearedCookie());
              return resp;
          }));
}

void Api::AddAdministrationRoutes(http::Router& r) {
    r.Add("GET", "/api/v1/lines", Signed([this](const http::Request&, const staff::Authenticated& who) -> Result<http::Response> {
              auto lines = lines_.List();
              if (!lines) return tl::unexpected(lines.error());
              nlohmann::json out = nlohmann::json::array();
              for (const auto& line : *lines) {
                  if (SeesLine(who.principal, line.id)) out.push_back(records::LineJson(line));
              }
              return Ok({{"lines", out}});
          }));
    r.Add("POST", "/api/v1/lines", Signed([this](const http::Request& req, const staff::Authenticated& who) -> Result<http::Response> {
              if (auto a = staff::Authorise(who.principal, Permission::kManageLines, ""); !a) return tl::unexpected(a.error());
              auto f = BodyOf(req);
              if (!f) return tl::unexpected(f.error());
              auto line = lines_.Create(*f, who.principal.staff_id);
              if (!line) return tl::unexpected(line.error());
              return Ok(records::LineJson(*line), 201);
          }));
    r.Add("GET", "/api/v1/lines/{line}",
          Signed([this](const http::Request& req, const staff::Authenticated& who) -> Result<http::Response> {
              const auto& id = Param(req, "line");
              if (auto a = staff::Authorise(who.principal, Permission::kReadLine, id); !a) return tl::unexpected(a.error());
              auto line = lines_.Get(id);
              if (!line) return tl::unexpected(line.error());
              return Ok(records::LineJson(*line));
          }));
    r.Add("PATCH", "/api/v1/lines/{line}",
          Signed([this](const http::Request& req, const staff::Authenticated& who) -> Result<http::Response> {
              if (auto a = staff::Authorise(who.principal, Permission::kManageLines, ""); !a) return tl::unexpected(a.error());
              auto f = BodyOf(req);
              if (!f) return tl::unexpected(f.error());
              auto line = lines_.Update(Param(req, "line"), *f, who.principal.staff_id);
              if (!line) return tl::unexpected(line.error());
              return Ok(records::LineJson(*line));
          }));
    r.Add("GET", "/api/v1/staff", Signed([this](const http::Request&, const staff::Authenticated& who) -> Result<http::Response> {
              if (auto a = staff::Authorise(who.principal, Permission::kManageStaff, ""); !a) return tl::unexpected(a.error());
              auto rows = accounts_.List();
              if (!rows) return tl::unexpected(rows.error());
              nlohmann::json out = nlohmann::json::array();
              for (const auto& row : *rows) out.push_back(staff::StaffJson(row));
              return Ok({{"staff", out}});
          }));
    r.Add("POST", "/api/v1/staff", Signed([this](const http::Request& req, const staff::Authenticated& who) -> Result<http::Response> {
              if (auto a = staff::Authorise(who.principal, Permission::kManageStaff, ""); !a) return tl::unexpected(a.error());
              auto f = BodyOf(req);
              if (!f) return tl::unexpected(f.error());
              auto input = staff::NewStaffFromFields(*f);
              if (!input) return tl::unexpected(input.error());
              auto row = accounts_.Create(*input, who.principal.staff_id);
              if (!row) return tl::unexpected(row.error());
              return Ok(staff::StaffJson(*row), 201);
          }));
    r.Add("GET", "/api/v1/staff/{id}",
          Signed([this](const http::Request& req, const staff::Authenticated& who) -> Result<http::Response> {
              const auto& id = Param(req, "id");
              if (id != who.principal.staff_id) {
                  if (auto a = staff::Authorise(who.principal, Permission::kManageStaff, ""); !a) {
                      return tl::unexpected(a.error());
                  }
              }
              auto row = accounts_.Get(id);
              if (!row) return tl::unexpected(row.error());
              return Ok(staff::StaffJson(*row));
          }));
    r.Add("PATCH", "/api/v1/staff/{id}",
          Signed([this](const http::Request& req, const staff::Authenticated& who) -> Result<http::Response> {
              if (auto a = staff::Authorise(who.principal, Permission::kManageStaff, ""); !a) return tl::unexpected(a.error());
              auto f = BodyOf(req);
              if (!f) return tl::unexpected(f.error());
              auto row = accounts_.Update(Param(req, "id"), *f, who.principal.staff_id);
              sessions_.ForgetStaff(Param(req, "id"));
              if (!row) return tl::unexpected(row.error());
              return Ok(staff::StaffJson(*row));
          }));
    r.Add("POST", "/api/v1/staff/{id}/reset-mfa",
          Signed([this](const http::Request& req, const staff::Authenticated& who) -> Result<http::Response> {
              if (auto a = staff::Authorise(who.principal, Permission::kManageStaff, ""); !a) return tl::unexpected(a.error());
              auto reset = accounts_.ResetMfa(Param(req, "id"), who.principal.staff_id);
              sessions_.ForgetStaff(Param(req, "id"));
              if (!reset) return tl::unexpected(reset.error());
              return NoContent();
          }));
}

void Api::AddContactRoutes(http::Router& r) {
    const char* contacts = "/api/v1/lines/{line}/contacts";
    auto check = [](const staff::Authenticated& who, Permission p, const http::Request& req) {
        return staff::Authorise(who.principal, p, Param(req, "line"));
    };
    r.Add("POST", contacts, Signed([this, check](const http::Request& req, const staff::Authenticated& who) -> Result<http::Response> {
              if (auto a = check(who, Permission::kWriteContact, req); !a) return tl::unexpected(a.error());
              auto f = BodyOf(req);
              if (!f) return tl::unexpected(f.error());
              auto contact = contacts_.Create(who.principal, Param(req, "line"), *f);
              if (!contact) return tl::unexpected(contact.error());
              return Ok(*contact, 201);
          }));
    r.Add("GET", contacts, Signed([this, check](const http::Request& req, const staff::Authenticated& who) -> Result<http::Response> {
              if (auto a = check(who, Permission::kListContacts, req); !a) return tl::unexpected(a.error());
              store::ContactFilter filter;
              auto status = Query(req, "status", 16);
              if (!status) return tl::unexpected(status.error());
              if (*status && **status != "open" && **status != "closed") {
                  return Fail(ErrorCode::kInvalid, "status", "must be open or closed");
              }
              filter.status = *status;
              auto since = QueryTime(req, "since");
              if (!since) return tl::unexpected(since.error());
              filter.arrived_since = *since;
              auto limit = QueryInt(req, "limit", 50, 1, 500);
              if (!limit) return tl::unexpected(limit.error());
              filter.limit = static_cast<size_t>(*limit);
              // A counsellor sees their own contacts; a supervisor the line's.
              if (!who.principal.Has(staff::Role::kSupervisor)) filter.counsellor_id = who.principal.staff_id;
              auto list = contacts_.List(Param(req, "line"), filter);
              if (!list) return tl::unexpected(list.error());
              return Ok(*list);
          }));
    r.Add("GET", "/api/v1/lines/{line}/contacts/{id}",
          Signed([this, check](const http::Request& req, const staff::Authenticated& who) -> Result<http::Response> {
              if (auto a = check(who, Permission::kReadContactContent, req); !a) return tl::unexpected(a.error());
              auto purpose = Query(req, "purpose", 32);
              if (!purpose) return tl::unexpected(purpose.error());
              auto contact = contacts_.Read(who.principal, Param(req, "line"), Param(req, "id"),
                                            purpose->value_or("on_call"));
              if (!contact) return tl::unexpected(contact.error());
              return Ok(*contact);
          }));
    r.Add("PATCH", "/api/v1/lines/{line}/contacts/{id}",
          Signed([this, check](const http::Request& req, const staff::Authenticated& who) -> Result<http::Response> {
              if (auto a = check(who, Permission::kWriteContact, req); !a) return tl::unexpected(a.error());
              auto f = BodyOf(req);
              if (!f) return tl::unexpected(f.error());
              auto contact = contacts_.Update(who.principal, Param(req, "line"), Param(req, "id"), *f);
              if (!contact) return tl::unexpected(contact.error());
              return Ok(*contact);
          }));
    r.Add("POST", "/api/v1/lines/{line}/contacts/{id}/close",
          Signed([this, check](const http::Request& req, const staff::Authenticated& who) -> Result<http::Response> {
              if (auto a = check(who, Permission::kWriteContact, req); !a) return tl::unexpected(a.error());
              auto f = BodyOf(req);
              if (!f) return tl::unexpected(f.error());
              auto contact = contacts_.Close(who.principal, Param(req, "line"), Param(req, "id"), *f);
              if (!contact) return tl::unexpected(contact.error());
              return Ok(*contact);
          }));
    r.Add("POST", "/api/v1/lines/{line}/contacts/{id}/follow-ups",
          Signed([this, check](const http::Request& req, const staff::Authenticated& who) -> Result<http::Response> {
              if (auto a = check(who, Permission::kWriteContact, req); !a) return tl::unexpected(a.error());
              auto f = BodyOf(req);
              if (!f) return tl::unexpected(f.error());
              auto fu = follow_ups_.Schedule(who.principal, Param(req, "line"), Param(req, "id"), *f);
              if (!fu) return tl::unexpected(fu.error());
              return Ok(*fu, 201);
          }));
    r.Add("GET", "/api/v1/lines/{line}/follow-ups",
          Signed([this, check](const http::Request& req, const staff::Authenticated& who) -> Result<http::Response> {
              if (auto a = check(who, Permission::kListContacts, req); !a) return tl::unexpected(a.error());
              std::vector<std::string> statuses;
              auto status = Query(req, "status", 200);
              if (!status) return tl::unexpected(status.error());
              if (*status) {
                  static const std::vector<std::string> known = {"scheduled", "due",       "overdue",
                                                                 "completed", "unreachable", "cancelled"};
                  std::string text = **status;
                  size_t start = 0;
                  while (start <= text.size()) {
                      size_t comma = text.find(',', start);
                      std::string one = text.substr(start, comma == std::string::npos ? std::string::npos : comma - start);
                      if (std::find(known.begin(), known.end(), one) == known.end()) {
                          return Fail(ErrorCode::kInvalid, "status", "unknown follow-up status '" + one.substr(0, 20) + "'");
                      }
                      statuses.push_back(one);
                      if (comma == std::string::npos) break;
                      start = comma + 1;
                  }
              }
              auto list = follow_ups_.List(Param(req, "line"), statuses);
              if (!list) return tl::unexpected(list.error());
              return Ok(*list);
          }));
    r.Add("GET", "/api/v1/lines/{line}/follow-ups/{id}",
          Signed([this, check](const http::Request& req, const staff::Authenticated& who) -> Result<http::Response> {
              if (auto a = check(who, Permission::kReadContactContent, req); !a) return tl::unexpected(a.error());
              auto fu = follow_ups_.Read(who.principal, Param(req, "line"), Param(req, "id"));
              if (!fu) return tl::unexpected(fu.error());
              return Ok(*fu);
          }));
    r.Add("POST", "/api/v1/lines/{line}/follow-ups/{id}/attempts",
          Signed([this, check](const http::Request& req, const staff::Authenticated& who) -> Result<http::Response> {
              if (auto a = check(who, Permission::kWriteContact, req); !a) return tl::unexpected(a.error());
              auto f = BodyOf(req);
              if (!f) return tl::unexpected(f.error());
              auto fu = follow_ups_.RecordAttempt(who.principal, Param(req, "line"), Param(req, "id"), *f);
              if (!fu) return tl::unexpected(fu.error());
              return Ok(*fu);
          }));
    r.Add("POST", "/api/v1/lines/{line}/follow-ups/{id}/cancel",
          Signed([this, check](const http::Request& req, const staff::Authenticated& who) -> Result<http::Response> {
              if (auto a = check(who, Permission::kWriteContact, req); !a) return tl::unexpected(a.error());
              auto fu = follow_ups_.Cancel(who.principal, Param(req, "line"), Param(req, "id"));
              if (!fu) return tl::unexpected(fu.error());
              return Ok(*fu);
          }));
    r.Add("POST", "/api/v1/lines/{line}/contacts/{id}/escalations",
          Signed([this, check](const http::Request& req, const staff::Authenticated& who) -> Result<http::Response> {
              if (auto a = check(who, Permission::kWriteContact, req); !a) return tl::unexpected(a.error());
              auto f = BodyOf(req);
              if (!f) return tl::unexpected(f.error());
              auto e = escalations_.Raise(who.principal, Param(req, "line"), Param(req, "id"), *f);
              if (!e) return tl::unexpected(e.error());
              return Ok(*e, 201);
          }));
}

void Api::AddDirectoryRoutes(http::Router& r) {
    auto check = [](const staff::Authenticated& who, Permission p, const http::Request& req) {
        return staff::Authorise(who.principal, p, Param(req, "line"));
    };
    r.Add("GET", "/api/v1/lines/{line}/directory",
          Signed([this, check](const http::Request& req, const staff::Authenticated& who) -> Result<http::Response> {
              if (auto a = check(who, Permission::kReadDirectory, req); !a) return tl::unexpected(a.error());
              directory::Query q;
              auto need = Query(req, "need", 64);
              if (!need) return tl::unexpected(need.error());
              if (*need) {
                  const auto& codes = reference::SignpostingCategoryCodes();
                  if (std::find(codes.begin(), codes.end(), **need) == codes.end()) {
                      return Fail(ErrorCode::kInvalid, "need", "unknown signposting category");
                  }
                  q.need = **need;
              }
              auto region = Query(req, "region", 64);
              if (!region) return tl::unexpected(region.error());
              q.region = region->value_or("");
              auto text = Query(req, "q", 200);
              if (!text) return tl::unexpected(text.error());
              q.text = text->value_or("");
              auto limit = QueryInt(req, "limit", 20, 1, 100);
              if (!limit) return tl::unexpected(limit.error());
              q.limit = static_cast<size_t>(*limit);
              auto found = directory_.Search(Param(req, "line"), q);
              if (!found) return tl::unexpected(found.error());
              http::Response resp;
              resp.body = std::move(*found);
              return resp;
          }));
    r.Add("POST", "/api/v1/lines/{line}/directory",
          Signed([this, check](const http::Request& req, const staff::Authenticated& who) -> Result<http::Response> {
              if (auto a = check(who, Permission::kManageDirectory, req); !a) return tl::unexpected(a.error());
              auto f = BodyOf(req);
              if (!f) return tl::unexpected(f.error());
              auto s = directory_.Put(who.principal.staff_id, Param(req, "line"), "", *f);
              if (!s) return tl::unexpected(s.error());
              return Ok(*s, 201);
          }));
    r.Add("GET", "/api/v1/lines/{line}/directory/{id}",
          Signed([this, check](const http::Request& req, const staff::Authenticated& who) -> Result<http::Response> {
              if (auto a = check(who, Permission::kReadDirectory, req); !a) return tl::unexpected(a.error());
              auto s = directory_.Get(Param(req, "line"), Param(req, "id"));
              if (!s) return tl::unexpected(s.error());
              return Ok(*s);
          }));
    r.Add("PUT", "/api/v1/lines/{line}/directory/{id}",
          Signed([this, check](const http::Request& req, const staff::Authenticated& who) -> Result<http::Response> {
              if (auto a = check(who, Permission::kManageDirectory, req); !a) return tl::unexpected(a.error());
              auto f = BodyOf(req);
              if (!f) return tl::unexpected(f.error());
              auto s = directory_.Put(who.principal.staff_id, Param(req, "line"), Param(req, "id"), *f);
              if (!s) return tl::unexpected(s.error());
              return Ok(*s);
          }));
    r.Add("DELETE", "/api/v1/lines/{line}/directory/{id}",
          Signed([this, check](const http::Request& req, const staff::Authenticated& who) -> Result<http::Response> {
              if (auto a = check(who, Permission::kManageDirectory, req); !a) return tl::unexpected(a.error());
              if (auto d = directory_.Remove(who.principal.staff_id, Param(req, "line"), Param(req, "id")); !d) {
                  return tl::unexpected(d.error());
              }
              return NoContent();
          }));
    r.Add("GET", "/api/v1/lines/{line}/hsds",
          Signed([this, check](const http::Request& req, const staff::Authenticated& who) -> Result<http::Response> {
              if (auto a = check(who, Permission::kManageDirectory, req); !a) return tl::unexpected(a.error());
              auto exported = directory_.Export(Param(req, "line"));
              if (!exported) return tl::unexpected(exported.error());
              http::Response resp;
              resp.body = std::move(*exported);
              return resp;
          }));
    r.Add("POST", "/api/v1/lines/{line}/hsds",
          Signed([this, check](const http::Request& req, const staff::Authenticated& who) -> Result<http::Response> {
              if (auto a = check(who, Permission::kManageDirectory, req); !a) return tl::unexpected(a.error());
              auto n = directory_.Import(who.principal.staff_id, Param(req, "line"), req.body);
              if (!n) return tl::unexpected(n.error());
              return Ok({{"imported", *n}});
          }));
}

void Api::AddOversightRoutes(http::Router& r) {
    r.Add("GET", "/api/v1/lines/{line}/escalations",
          Signed([this](const http::Request& req, const staff::Authenticated& who) -> Result<http::Response> {
              if (auto a = staff::Authorise(who.principal, Permission::kReadEscalations, Param(req, "line")); !a) {
                  return tl::unexpected(a.error());
              }
              auto list = escalations_.List(Param(req, "line"));
              if (!list) return tl::unexpected(list.error());
              return Ok(*list);
          }));
    r.Add("GET", "/api/v1/lines/{line}/escalations/{id}",
          Signed([this](const http::Request& req, const staff::Authenticated& who) -> Result<http::Response> {
              if (auto a = staff::Authorise(who.principal, Permission::kReadEscalations, Param(req, "line")); !a) {
                  return tl::unexpected(a.error());
              }
              auto e = escalations_.Read(who.principal, Param(req, "line"), Param(req, "id"));
              if (!e) return tl::unexpected(e.error());
              return Ok(*e);
          }));
    r.Add("GET", "/api/v1/lines/{line}/statistics",
          Signed([this](const http::Request& req, const staff::Authenticated& who) -> Result<http::Response> {
              if (auto a = staff::Authorise(who.principal, Permission::kReadAggregates, Param(req, "line")); !a) {
                  return tl::unexpected(a.error());
              }
              const TimeMs now = s_.clock.Now();
              auto from = QueryTime(req, "from");
              if (!from) return tl::unexpected(from.error());
              auto to = QueryTime(req, "to");
              if (!to) return tl::unexpected(to.error());
              auto stats = records::LineStatistics(s_, Param(req, "line"), from->value_or(now - 365 * kDayMs),
                                                   to->value_or(now + 1));
              if (!stats) return tl::unexpected(stats.error());
              return Ok(*stats);
          }));
    r.Add("GET", "/api/v1/audit", Signed([this](const http::Request& req, const staff::Authenticated& who) -> Result<http::Response> {
              if (auto a = staff::Authorise(who.principal, Permission::kReadAudit, ""); !a) return tl::unexpected(a.error());
              auto from = QueryInt(req, "from_seq", 1, 1, INT64_MAX);
              if (!from) return tl::unexpected(from.error());
              auto limit = QueryInt(req, "limit", 100, 1, 1000);
              if (!limit) return tl::unexpected(limit.error());
              auto list = records::ListAudit(s_.store, *from, static_cast<size_t>(*limit));
              if (!list) return tl::unexpected(list.error());
              return Ok(*list);
          }));
    r.Add("GET", "/api/v1/audit/verify",
          Signed([this](const http::Request&, const staff::Authenticated& who) -> Result<http::Response> {
              if (auto a = staff::Authorise(who.principal, Permission::kReadAudit, ""); !a) return tl::unexpected(a.error());
              auto report = records::VerifyAudit(s_.store);
              if (!report) return tl::unexpected(report.error());
              return Ok({{"ok", report->ok},
                         {"entries", report->entries},
                         {"first_bad_seq", report->first_bad_seq},
                         {"reason", report->reason},
                         {"head_hash", report->head_hash}});
          }));
}

}  // namespace crisisline::api
