#include "api/api.hpp"
#include "api/detail/requests.hpp"
#include "staff/access.hpp"
#include "records/trunk.hpp"
#include "staff/sip_accounts.hpp"

namespace crisisline::api {

using namespace detail;
using staff::Permission;

namespace {

// The staff answer: the account, and the SIP user name of its phone (never the SIP password).
nlohmann::json StaffWithSip(const store::StaffRow& row, const std::optional<std::string>& sip_username) {
    nlohmann::json out = staff::StaffJson(row);
    out["sip_username"] = sip_username ? nlohmann::json(*sip_username) : nlohmann::json();
    return out;
}

Result<nlohmann::json> StaffAnswer(staff::SipAccounts& sip, const store::StaffRow& row) {
    auto name = sip.UsernameOf(row.id);
    if (!name) return tl::unexpected(name.error());
    return StaffWithSip(row, *name);
}

// New content readers are told to the line's supervisors, and only to them.
Result<void> SupervisesLine(const staff::Principal& who, const std::string& line) {
    if (who.Has(staff::Role::kSupervisor) && who.Serves(line)) return {};
    return Fail(ErrorCode::kForbidden, "new access to a line's contacts is shown to the supervisors of that line only");
}

}  // namespace

Result<http::Response> Api::AnswerStaffDecision(const staff::StaffDecision& decided, int applied_status) {
    PublishAnnouncements(decided.announced, decided.row.display_name);
    if (decided.pending) {
        // Not applied: the account is as it was until a second administrator approves.
        return Ok({{"status", "pending_approval"}, {"change", staff::StaffChangeJson(*decided.pending, s_.clock.Now())}},
                  202);
    }
    staff::SipAccounts sip(s_.store, s_.writer, s_.keys, s_.clock);
    auto answer = StaffAnswer(sip, decided.row);
    if (!answer) return tl::unexpected(answer.error());
    return Ok(*answer, applied_status);
}

void Api::PublishAnnouncements(const std::vector<store::AnnouncementRow>& announced, const std::string& display_name) {
    for (const auto& a : announced) Publish("announcement.added", a.line_id, "", staff::AnnouncementJson(a, display_name));
}

void Api::AddStaffChangeRoutes(http::Router& r) {
    r.Add("GET", "/api/v1/staff/changes",
          Signed([this](const http::Request&, const staff::Authenticated& who) -> Result<http::Response> {
              if (auto a = staff::Authorise(who.principal, Permission::kManageStaff, ""); !a) return tl::unexpected(a.error());
              auto rows = accounts_.Changes();
              if (!rows) return tl::unexpected(rows.error());
              nlohmann::json out = nlohmann::json::array();
              for (const auto& row : *rows) out.push_back(staff::StaffChangeJson(row, s_.clock.Now()));
              return Ok({{"changes", out}});
          }));
    r.Add("POST", "/api/v1/staff/changes/{id}/approve",
          Signed([this](const http::Request& req, const staff::Authenticated& who) -> Result<http::Response> {
              if (auto a = staff::Authorise(who.principal, Permission::kManageStaff, ""); !a) return tl::unexpected(a.error());
              auto decided = accounts_.Approve(Param(req, "id"), who.principal);
              if (!decided) return tl::unexpected(decided.error());
              sessions_.ForgetStaff(decided->row.id);
              RecheckSoon();
              PublishAnnouncements(decided->announced, decided->row.display_name);
              staff::SipAccounts sip(s_.store, s_.writer, s_.keys, s_.clock);
              auto account = StaffAnswer(sip, decided->row);
              if (!account) return tl::unexpected(account.error());
              return Ok({{"change", staff::StaffChangeJson(*decided->pending, s_.clock.Now())}, {"staff", *account}});
          }));
    r.Add("POST", "/api/v1/staff/changes/{id}/reject",
          Signed([this](const http::Request& req, const staff::Authenticated& who) -> Result<http::Response> {
              if (auto a = staff::Authorise(who.principal, Permission::kManageStaff, ""); !a) return tl::unexpected(a.error());
              auto rejected = accounts_.Reject(Param(req, "id"), who.principal);
              if (!rejected) return tl::unexpected(rejected.error());
              return Ok({{"change", staff::StaffChangeJson(*rejected, s_.clock.Now())}});
          }));
    // New content readers of a line, for its supervisors' wallboard (who, which role, when; no content).
    r.Add("GET", "/api/v1/lines/{line}/announcements",
          Signed([this](const http::Request& req, const staff::Authenticated& who) -> Result<http::Response> {
              const auto& line = Param(req, "line");
              if (auto a = SupervisesLine(who.principal, line); !a) return tl::unexpected(a.error());
              auto list = accounts_.Announcements(line);
              if (!list) return tl::unexpected(list.error());
              return Ok({{"announcements", *list}});
          }));
    r.Add("POST", "/api/v1/lines/{line}/announcements/{id}/acknowledge",
          Signed([this](const http::Request& req, const staff::Authenticated& who) -> Result<http::Response> {
              const auto& line = Param(req, "line");
              if (auto a = SupervisesLine(who.principal, line); !a) return tl::unexpected(a.error());
              auto done = accounts_.Acknowledge(line, Param(req, "id"), who.principal.staff_id);
              if (!done) return tl::unexpected(done.error());
              Publish("announcement.acknowledged", line, "", {{"id", done->id}, {"by", who.principal.staff_id}});
              return NoContent();
          }));
}

void Api::AddAdministrationRoutes(http::Router& r) {
    AddStaffChangeRoutes(r);
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
              ReloadTelephony();  // routing and the survey hold for the line's next call
              return Ok(records::LineJson(*line));
          }));
    r.Add("GET", "/api/v1/staff", Signed([this](const http::Request&, const staff::Authenticated& who) -> Result<http::Response> {
              if (auto a = staff::Authorise(who.principal, Permission::kManageStaff, ""); !a) return tl::unexpected(a.error());
              auto rows = accounts_.List();
              if (!rows) return tl::unexpected(rows.error());
              staff::SipAccounts sip(s_.store, s_.writer, s_.keys, s_.clock);
              auto sip_names = sip.UsernamesByStaff();
              if (!sip_names) return tl::unexpected(sip_names.error());
              nlohmann::json out = nlohmann::json::array();
              for (const auto& row : *rows) {
                  auto name = sip_names->find(row.id);
                  out.push_back(StaffWithSip(row, name == sip_names->end() ? std::nullopt
                                                                            : std::optional<std::string>(name->second)));
              }
              return Ok({{"staff", out}});
          }));
    // Who a counsellor can ask for help on the line (and name in an escalation): the line's active
    // supervisors, by id and display name only.
    r.Add("GET", "/api/v1/lines/{line}/supervisors",
          Signed([this](const http::Request& req, const staff::Authenticated& who) -> Result<http::Response> {
              const auto& line = Param(req, "line");
              if (auto a = staff::Authorise(who.principal, Permission::kWriteContact, line); !a) {
                  return tl::unexpected(a.error());
              }
              auto rows = accounts_.List();
              if (!rows) return tl::unexpected(rows.error());
              nlohmann::json out = nlohmann::json::array();
              for (const auto& row : *rows) {
                  auto p = staff::PrincipalOf(row);
                  if (row.disabled || !p.Has(staff::Role::kSupervisor) || !p.Serves(line)) continue;
                  out.push_back({{"id", row.id}, {"display_name", row.display_name}});
              }
              return Ok({{"supervisors", out}});
          }));
    r.Add("POST", "/api/v1/staff", Signed([this](const http::Request& req, const staff::Authenticated& who) -> Result<http::Response> {
              if (auto a = staff::Authorise(who.principal, Permission::kManageStaff, ""); !a) return tl::unexpected(a.error());
              auto f = BodyOf(req);
              if (!f) return tl::unexpected(f.error());
              auto input = staff::NewStaffFromFields(*f);
              if (!input) return tl::unexpected(input.error());
              auto decided = accounts_.Create(*input, who.principal);
              if (!decided) return tl::unexpected(decided.error());
              return AnswerStaffDecision(*decided, 201);
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
              staff::SipAccounts sip(s_.store, s_.writer, s_.keys, s_.clock);
              auto answer = StaffAnswer(sip, *row);
              if (!answer) return tl::unexpected(answer.error());
              return Ok(*answer);
          }));
    r.Add("PATCH", "/api/v1/staff/{id}",
          Signed([this](const http::Request& req, const staff::Authenticated& who) -> Result<http::Response> {
              if (auto a = staff::Authorise(who.principal, Permission::kManageStaff, ""); !a) return tl::unexpected(a.error());
              auto f = BodyOf(req);
              if (!f) return tl::unexpected(f.error());
              auto decided = accounts_.Update(Param(req, "id"), *f, who.principal);
              sessions_.ForgetStaff(Param(req, "id"));
              RecheckSoon();  // roles, lines or disabling reach the console's sockets at once
              if (!decided) return tl::unexpected(decided.error());
              return AnswerStaffDecision(*decided, 200);
          }));
    // The SIP account of a counsellor's phone. The password is in this answer only.
    r.Add("PUT", "/api/v1/staff/{id}/sip-account",
          Signed([this](const http::Request& req, const staff::Authenticated& who) -> Result<http::Response> {
              if (auto a = staff::Authorise(who.principal, Permission::kManageStaff, ""); !a) return tl::unexpected(a.error());
              auto f = BodyOf(req);
              if (!f) return tl::unexpected(f.error());
              if (auto k = f->OnlyKnown({"sip_username", "encryption"}); !k) return tl::unexpected(k.error());
              auto name = f->String("sip_username", 256);  // CheckSipUsername gives the exact rule
              if (!name) return tl::unexpected(name.error());
              auto encryption = f->OptionalString("encryption", 16);
              if (!encryption) return tl::unexpected(encryption.error());
              const std::string policy = encryption->value_or("preferred");
              if (auto known = records::ParseEncryption(policy, "encryption"); !known) return tl::unexpected(known.error());
              staff::SipAccounts sip(s_.store, s_.writer, s_.keys, s_.clock);
              auto password = sip.Issue(Param(req, "id"), *name, who.principal.staff_id, policy);
              if (!password) return tl::unexpected(password.error());
              ReloadTelephony();  // the new password and policy hold for the phone's next REGISTER
              return Ok({{"sip_username", *name}, {"password", *password}, {"encryption", policy}});
          }));
    r.Add("DELETE", "/api/v1/staff/{id}/sip-account",
          Signed([this](const http::Request& req, const staff::Authenticated& who) -> Result<http::Response> {
              if (auto a = staff::Authorise(who.principal, Permission::kManageStaff, ""); !a) return tl::unexpected(a.error());
              staff::SipAccounts sip(s_.store, s_.writer, s_.keys, s_.clock);
              if (auto revoked = sip.Revoke(Param(req, "id"), who.principal.staff_id); !revoked) {
                  return tl::unexpected(revoked.error());
              }
              return NoContent();
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

}  // namespace crisisline::api
