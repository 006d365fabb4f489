#include "api/api.hpp"
#include "api/detail/requests.hpp"
#include "records/audit_chain.hpp"
#include "records/audit_log.hpp"
#include "staff/access.hpp"

namespace crisisline::api {

using namespace detail;
using staff::Permission;

namespace {

constexpr size_t kMaxFilterText = 200;
constexpr size_t kMaxCheckpointText = 256 * 1024;

Result<store::AuditFilter> ReadAuditFilter(const http::Request& req) {
    store::AuditFilter filter;
    auto from = QueryInt(req, "from_seq", 1, 1, INT64_MAX);
    if (!from) return tl::unexpected(from.error());
    auto limit = QueryInt(req, "limit", 100, 1, 1000);
    if (!limit) return tl::unexpected(limit.error());
    filter.from_seq = *from;
    filter.limit = static_cast<size_t>(*limit);
    const std::pair<const char*, std::optional<std::string>*> texts[] = {{"actor", &filter.actor},
                                                                         {"action", &filter.action},
                                                                         {"line_id", &filter.line_id},
                                                                         {"record_id", &filter.record_id}};
    for (const auto& [name, slot] : texts) {
        auto value = Query(req, name, kMaxFilterText);
        if (!value) return tl::unexpected(value.error());
        *slot = *value;
    }
    auto since = QueryTime(req, "since");
    if (!since) return tl::unexpected(since.error());
    auto before = QueryTime(req, "before");
    if (!before) return tl::unexpected(before.error());
    filter.since = *since;
    filter.before = *before;
    return filter;
}

nlohmann::json VerificationJson(const records::AuditVerification& v, const std::optional<std::string>& checkpoint_fault) {
    std::string reason = v.chain.reason;
    if (reason.empty() && !v.guard_faults.empty()) reason = "the append-only triggers of the audit log were tampered with";
    if (reason.empty() && checkpoint_fault) reason = *checkpoint_fault;
    return {{"ok", v.Ok() && !checkpoint_fault},
            {"entries", v.chain.entries},
            {"first_bad_seq", v.chain.first_bad_seq},
            {"reason", reason},
            {"head_hash", v.chain.head_hash},
            {"guards_ok", v.guard_faults.empty()},
            {"guard_faults", v.guard_faults},
            {"checkpoint", v.last_checkpoint ? records::CheckpointJson(*v.last_checkpoint) : nlohmann::json(nullptr)},
            {"checkpoints_held", v.chain.checkpoints},
            {"checkpoint_fault", checkpoint_fault ? nlohmann::json(*checkpoint_fault) : nlohmann::json(nullptr)}};
}

}  // namespace

void Api::AddAuditRoutes(http::Router& r) {
    r.Add("GET", "/api/v1/audit",
          Signed([this](const http::Request& req, const staff::Authenticated& who) -> Result<http::Response> {
              if (auto a = staff::Authorise(who.principal, Permission::kReadAudit, ""); !a) return tl::unexpected(a.error());
              auto filter = ReadAuditFilter(req);
              if (!filter) return tl::unexpected(filter.error());
              auto page = records::FindAudit(s_.store, *filter);
              if (!page) return tl::unexpected(page.error());
              return Ok(*page);
          }));
    // The server's own checkpoints: read from its file at each request (serve appends to it).
    auto own_checkpoints = [this]() -> Result<std::vector<audit::Checkpoint>> {
        if (audit_checkpoint_file_.empty()) return std::vector<audit::Checkpoint>{};
        auto read = records::ReadCheckpoints(audit_checkpoint_file_, *s_.writer.Chain().key);
        if (!read && read.error().code == ErrorCode::kNotFound) return std::vector<audit::Checkpoint>{};
        return read;
    };
    r.Add("GET", "/api/v1/audit/checkpoint",
          Signed([this, own_checkpoints](const http::Request&, const staff::Authenticated& who) -> Result<http::Response> {
              if (auto a = staff::Authorise(who.principal, Permission::kReadAudit, ""); !a) return tl::unexpected(a.error());
              auto read = own_checkpoints();
              if (!read) return Ok({{"checkpoint", nullptr}, {"count", 0}, {"fault", read.error().message}});
              return Ok({{"checkpoint", read->empty() ? nlohmann::json(nullptr) : records::CheckpointJson(read->back())},
                         {"count", read->size()},
                         {"fault", nullptr}});
          }));
    // Against the server's own checkpoints.
    r.Add("GET", "/api/v1/audit/verify",
          Signed([this, own_checkpoints](const http::Request&, const staff::Authenticated& who) -> Result<http::Response> {
              if (auto a = staff::Authorise(who.principal, Permission::kReadAudit, ""); !a) return tl::unexpected(a.error());
              auto checkpoints = own_checkpoints();
              std::optional<std::string> fault;
              if (!checkpoints) fault = checkpoints.error().message;
              auto v = records::VerifyAudit(s_.store, s_.writer.Chain(),
                                            checkpoints ? *checkpoints : std::vector<audit::Checkpoint>{});
              if (!v) return tl::unexpected(v.error());
              return Ok(VerificationJson(*v, fault));
          }));
    // Against checkpoints the auditor brings (e.g. from write-once storage): {"checkpoints": "<lines>"}.
    r.Add("POST", "/api/v1/audit/verify",
          Signed([this](const http::Request& req, const staff::Authenticated& who) -> Result<http::Response> {
              if (auto a = staff::Authorise(who.principal, Permission::kReadAudit, ""); !a) return tl::unexpected(a.error());
              auto body = BodyOf(req);
              if (!body) return tl::unexpected(body.error());
              auto text = body->String("checkpoints", kMaxCheckpointText);
              if (!text) return tl::unexpected(text.error());
              auto checkpoints = records::ParseCheckpoints(*text, *s_.writer.Chain().key, "checkpoints");
              if (!checkpoints) return Fail(ErrorCode::kInvalid, "checkpoints", checkpoints.error().message);
              if (checkpoints->empty()) {
                  return Fail(ErrorCode::kInvalid, "checkpoints", "holds no checkpoint line (crisisline-audit-checkpoint v1 ...)");
              }
              auto v = records::VerifyAudit(s_.store, s_.writer.Chain(), *checkpoints);
              if (!v) return tl::unexpected(v.error());
              return Ok(VerificationJson(*v, std::nullopt));
          }));
}

}  // namespace crisisline::api
