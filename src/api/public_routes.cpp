// What anyone may read without signing in: the information the public page shows about a line.
#include "api/api.hpp"
#include "api/detail/requests.hpp"

namespace crisisline::api {

using namespace detail;

void Api::AddPublicRoutes(http::Router& r) {
    r.Add("GET", "/api/v1/public/lines/{line}", Public([this](const http::Request& req) -> Result<http::Response> {
              auto line = lines_.Get(Param(req, "line"));
              if (!line) return tl::unexpected(line.error());
              return Ok(records::PublicLineJson(*line));
          }));
}

}  // namespace crisisline::api
