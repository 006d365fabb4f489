#include "api/api.hpp"
#include "api/detail/requests.hpp"
#include "reference/reference.hpp"
#include "staff/access.hpp"

namespace crisisline::api {

using namespace detail;
using staff::Permission;

namespace {

Result<directory::Query> ReadDirectoryQuery(const http::Request& req) {
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
    return q;
}

}  // namespace

void Api::AddDirectoryRoutes(http::Router& r) {
    auto check = [](const staff::Authenticated& who, Permission p, const http::Request& req) {
        return staff::Authorise(who.principal, p, Param(req, "line"));
    };
    auto search = Signed([this, check](const http::Request& req, const staff::Authenticated& who) -> Result<http::Response> {
        if (auto a = check(who, Permission::kReadDirectory, req); !a) return tl::unexpected(a.error());
        auto q = ReadDirectoryQuery(req);
        if (!q) return tl::unexpected(q.error());
        auto found = directory_.Search(Param(req, "line"), *q);
        if (!found) return tl::unexpected(found.error());
        http::Response resp;
        resp.shared_body = std::move(*found);
        return resp;
    });
    r.Add("GET", "/api/v1/lines/{line}/directory", [this, search](http::Request req, http::Respond respond) {
        // Searches are the most frequent request. With a remembered session and a built
        // index no I/O is needed, so they are answered here on the I/O thread; anything
        // else (a cache miss, an error to explain) takes the worker pool like every route.
        if (auto who = sessions_.AuthenticateRemembered(req.Cookie(kSessionCookie)); who && who->mfa_complete) {
            auto q = ReadDirectoryQuery(req);
            if (q && staff::Authorise(who->principal, Permission::kReadDirectory, Param(req, "line"))) {
                if (auto found = directory_.SearchRemembered(Param(req, "line"), *q)) {
                    http::Response resp;
                    resp.shared_body = std::move(found);
                    respond(std::move(resp));
                    return;
                }
            }
        }
        search(std::move(req), std::move(respond));
    });
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

}  // namespace crisisline::api
