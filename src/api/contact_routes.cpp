#include "api/api.hpp"
#include "api/detail/requests.hpp"
#include "staff/access.hpp"
#include "telephony/telephony.hpp"

namespace crisisline::api {

using namespace detail;
using staff::Permission;

namespace {

// Need to know: true when the live picture shows `staff_id` on the call `contact_id` (a phone contact's id is
// its call's id) or wrapping it up.
bool OnTheCallWith(const acd::LiveState& live, const std::string& staff_id, const std::string& contact_id) {
    for (const auto& c : live.counsellors) {
        if (c.counsellor != staff_id) continue;
        if (c.state == acd::CounsellorState::kOnCall) return c.call == contact_id;
        if (c.state == acd::CounsellorState::kWrapUp) return c.wrapping_up == contact_id;
        return false;
    }
    return false;
}

}  // namespace

records::CallView Api::CallViewOf(const std::string& staff_id, const std::string& contact_id) {
    if (!telephony_) return {};
    auto live = telephony_->Snapshot();
    if (!live) return {};
    for (const auto& c : live->state.counsellors) {
        if (c.counsellor != staff_id) continue;
        return {c.state == acd::CounsellorState::kOnCall && c.call == contact_id,
                c.state == acd::CounsellorState::kWrapUp && c.wrapping_up == contact_id};
    }
    return {};
}

void Api::PublishFlags(const staff::Principal& who, const nlohmann::json& contact, records::ContactFlags before) {
    const records::ContactFlags now = records::FlagsOf(contact);
    if (now == before) return;
    // The counsellor it concerns is the contact's; a contact without one is the changer's.
    std::string counsellor = who.staff_id;
    if (auto c = contact.find("counsellor_id"); c != contact.end() && c->is_string() && !c->get<std::string>().empty()) {
        counsellor = c->get<std::string>();
    }
    Publish("contact.flags", contact.value("line_id", ""), counsellor,
            {{"contact", contact.value("id", "")},
             {"cause_for_concern", now.cause_for_concern},
             {"imminent_risk", now.imminent_risk}});
}

void Api::AddContactRoutes(http::Router& r) {
    const char* contacts = "/api/v1/lines/{line}/contacts";
    auto check = [](const staff::Authenticated& who, Permission p, const http::Request& req) {
        return staff::Authorise(who.principal, p, Param(req, "line"));
    };
    // Need to know for a change of the contact {id}: only the counsellor handling it.
    auto handling = [this](const staff::Authenticated& who, const http::Request& req, const std::string& action) {
        return contacts_.CheckHandling(who.principal, Param(req, "line"), Param(req, "id"),
                                       CallViewOf(who.principal.staff_id, Param(req, "id")), action);
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
              auto purpose = Query(req, "purpose", 32);
              if (!purpose) return tl::unexpected(purpose.error());
              const std::string why = purpose->value_or("on_call");
              if (auto a = check(who, Permission::kReadContactContent, req); !a) {
                  // Refused before the contact is looked at; still a refused read in the trail (codes only).
                  const auto& known = records::ReadPurposes();
                  const bool coded = std::find(known.begin(), known.end(), why) != known.end();
                  if (auto r = contacts_.AuditRefusal(who.principal, Param(req, "line"), Param(req, "id"),
                                                      "contact.read_refused", coded ? why : "unknown");
                      !r) {
                      return tl::unexpected(r.error());
                  }
                  return AlreadyAudited(a.error());
              }
              // Only these two purposes depend on what telephony shows.
              records::CallView call;
              if (why == "on_call" || why == "wrap_up") call = CallViewOf(who.principal.staff_id, Param(req, "id"));
              auto contact = contacts_.Read(who.principal, Param(req, "line"), Param(req, "id"), why, call);
              if (!contact) return tl::unexpected(contact.error());
              return Ok(*contact);
          }));
    // A repeat caller's earlier contacts: only for the counsellor on the call with them, every one audited.
    r.Add("GET", "/api/v1/lines/{line}/contacts/{id}/previous",
          Signed([this, check](const http::Request& req, const staff::Authenticated& who) -> Result<http::Response> {
              static constexpr const char* kNeedToKnow =
                  "earlier contacts are shown only to the counsellor on the call with this caller";
              if (auto a = check(who, Permission::kReadContactContent, req); !a) return tl::unexpected(a.error());
              if (!who.principal.Has(staff::Role::kCounsellor)) return Fail(ErrorCode::kForbidden, kNeedToKnow);
              if (!telephony_) return Fail(ErrorCode::kUnavailable, "telephony is not running on this server");
              auto live = telephony_->Snapshot();
              if (!live) return tl::unexpected(live.error());
              if (!OnTheCallWith(live->state, who.principal.staff_id, Param(req, "id"))) {
                  return Fail(ErrorCode::kForbidden, kNeedToKnow);
              }
              auto previous = contacts_.Previous(who.principal, Param(req, "line"), Param(req, "id"));
              if (!previous) return tl::unexpected(previous.error());
              return Ok(*previous);
          }));
    r.Add("PATCH", "/api/v1/lines/{line}/contacts/{id}",
          Signed([this, check, handling](const http::Request& req, const staff::Authenticated& who) -> Result<http::Response> {
              if (auto a = check(who, Permission::kWriteContact, req); !a) return tl::unexpected(a.error());
              auto f = BodyOf(req);
              if (!f) return tl::unexpected(f.error());
              if (auto h = handling(who, req, "contact.update"); !h) return tl::unexpected(h.error());
              records::ContactFlags before;
              auto contact = contacts_.Update(who.principal, Param(req, "line"), Param(req, "id"), *f, &before);
              if (!contact) return tl::unexpected(contact.error());
              NoteCallOutcome(*contact, false);
              PublishFlags(who.principal, *contact, before);
              return Ok(*contact);
          }));
    r.Add("POST", "/api/v1/lines/{line}/contacts/{id}/close",
          Signed([this, check, handling](const http::Request& req, const staff::Authenticated& who) -> Result<http::Response> {
              if (auto a = check(who, Permission::kWriteContact, req); !a) return tl::unexpected(a.error());
              auto f = BodyOf(req);
              if (!f) return tl::unexpected(f.error());
              // A supervisor of the line may also close it (a wrap-up left unfinished), audited as theirs.
              if (!who.principal.Has(staff::Role::kSupervisor)) {
                  if (auto h = handling(who, req, "contact.close"); !h) return tl::unexpected(h.error());
              }
              records::ContactFlags before;
              auto contact = contacts_.Close(who.principal, Param(req, "line"), Param(req, "id"), *f, &before);
              if (!contact) return tl::unexpected(contact.error());
              PublishFlags(who.principal, *contact, before);
              return Ok(*contact);
          }));
    r.Add("POST", "/api/v1/lines/{line}/contacts/{id}/follow-ups",
          Signed([this, check, handling](const http::Request& req, const staff::Authenticated& who) -> Result<http::Response> {
              if (auto a = check(who, Permission::kWriteContact, req); !a) return tl::unexpected(a.error());
              auto f = BodyOf(req);
              if (!f) return tl::unexpected(f.error());
              if (auto h = handling(who, req, "follow_up.create"); !h) return tl::unexpected(h.error());
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
    r.Add("POST", "/api/v1/lines/{line}/follow-ups/{id}/claim",
          Signed([this, check](const http::Request& req, const staff::Authenticated& who) -> Result<http::Response> {
              if (auto a = check(who, Permission::kWriteContact, req); !a) return tl::unexpected(a.error());
              auto fu = follow_ups_.Claim(who.principal, Param(req, "line"), Param(req, "id"));
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
          Signed([this, check, handling](const http::Request& req, const staff::Authenticated& who) -> Result<http::Response> {
              if (auto a = check(who, Permission::kWriteContact, req); !a) return tl::unexpected(a.error());
              auto f = BodyOf(req);
              if (!f) return tl::unexpected(f.error());
              if (auto h = handling(who, req, "escalation.create"); !h) return tl::unexpected(h.error());
              auto e = escalations_.Raise(who.principal, Param(req, "line"), Param(req, "id"), *f);
              if (!e) return tl::unexpected(e.error());
              NoteCallOutcome(nlohmann::json{{"id", Param(req, "id")}}, true);
              Publish("escalation.raised", Param(req, "line"), who.principal.staff_id,
                      {{"contact", Param(req, "id")}, {"escalation", e->value("id", "")},
                       {"supervisor", e->value("supervisor_id", "")}});
              return Ok(*e, 201);
          }));
}

}  // namespace crisisline::api
