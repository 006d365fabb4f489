#include <algorithm>
#include <cctype>

#include <spdlog/spdlog.h>

#include "api/api.hpp"
#include "api/detail/requests.hpp"
#include "media/prompt_set.hpp"
#include "staff/access.hpp"
#include "telephony/telephony.hpp"

namespace crisisline::api {

using namespace detail;
using staff::Permission;

namespace {

constexpr const char* kWavType = "audio/wav";

// "audio/wav", "audio/x-wav" or "audio/wave", parameters and case aside.
bool IsWavType(std::string type) {
    type = type.substr(0, type.find(';'));
    type.erase(std::remove_if(type.begin(), type.end(), [](unsigned char c) { return std::isspace(c) != 0; }),
               type.end());
    std::transform(type.begin(), type.end(), type.begin(), [](unsigned char c) { return std::tolower(c); });
    return type == "audio/wav" || type == "audio/x-wav" || type == "audio/wave";
}

}  // namespace

void Api::AttachTelephonySetup(const telephony::TelephonyConfig& config,
                               std::string prompts_dir,
                               std::vector<std::string> fell_back) {
    sip_enabled_ = config.enabled;
    configured_trunks_.clear();
    if (config.enabled) {
        for (auto trunk : config.trunks) {
            trunk.password.clear();
            configured_trunks_.push_back(std::move(trunk));
        }
    }
    prompts_.emplace(std::move(prompts_dir));
    fell_back_ = std::move(fell_back);
}

Result<void> Api::RefuseConfiguredTrunk(const std::string& name) const {
    for (const auto& trunk : configured_trunks_) {
        if (trunk.name == name) {
            return Fail(ErrorCode::kConflict, "name", "this trunk is set in crisisline.toml; change it there");
        }
    }
    return {};
}

void Api::ReloadTelephony() {
    if (!telephony_) return;
    auto book = records::LoadTelephonyBook(s_);
    if (!book) {
        // The change is stored; the periodic reload (every 30 s) tries again.
        spdlog::warn("telephony: could not reload after a trunk change: {}", book.error().message);
        return;
    }
    telephony_->Reload(std::move(*book));
}

void Api::ApplyPrompts() {
    if (!telephony_) return;  // SIP is off: the recordings are loaded when it is switched on
    auto loaded = media::LoadPromptSet(prompts_->dir());
    if (!loaded) {
        // Each recording was checked before it was put in place, so this is a fault of the folder itself.
        spdlog::warn("telephony prompts: could not reload after a change, callers hear the previous ones until a "
                     "restart: {}", loaded.error().message);
        prompts_changed_ = true;
        return;
    }
    fell_back_ = loaded->fell_back;
    telephony_->ReplacePrompts(std::move(*loaded));
}

void Api::AddTelephonySetupRoutes(http::Router& r) {
    r.Add("GET", "/api/v1/telephony/trunks",
          Signed([this](const http::Request&, const staff::Authenticated& who) -> Result<http::Response> {
              if (auto a = staff::Authorise(who.principal, Permission::kManageLines, ""); !a) return tl::unexpected(a.error());
              auto added = trunks_.List();
              if (!added) return tl::unexpected(added.error());
              nlohmann::json out = nlohmann::json::array();
              for (const auto& trunk : configured_trunks_) out.push_back(records::TrunkJson(trunk, "config"));
              for (const auto& trunk : *added) out.push_back(records::TrunkJson(trunk, "console"));
              return Ok({{"telephony", sip_enabled_}, {"trunks", out}});
          }));
    // Trunks added here take effect at once: telephony is reloaded after each change. Those of
    // crisisline.toml are shown above and changed only in the file.
    r.Add("POST", "/api/v1/telephony/trunks",
          Signed([this](const http::Request& req, const staff::Authenticated& who) -> Result<http::Response> {
              if (auto a = staff::Authorise(who.principal, Permission::kManageLines, ""); !a) return tl::unexpected(a.error());
              auto f = BodyOf(req);
              if (!f) return tl::unexpected(f.error());
              if (auto name = f->OptionalString("name", records::kMaxTrunkName); name && name->has_value()) {
                  if (auto free = RefuseConfiguredTrunk(**name); !free) return tl::unexpected(free.error());
              }
              auto made = trunks_.Create(*f, who.principal.staff_id);
              if (!made) return tl::unexpected(made.error());
              ReloadTelephony();
              return Ok(records::TrunkJson(*made, "console"), 201);
          }));
    r.Add("PUT", "/api/v1/telephony/trunks/{name}",
          Signed([this](const http::Request& req, const staff::Authenticated& who) -> Result<http::Response> {
              if (auto a = staff::Authorise(who.principal, Permission::kManageLines, ""); !a) return tl::unexpected(a.error());
              const auto& name = Param(req, "name");
              if (auto free = RefuseConfiguredTrunk(name); !free) return tl::unexpected(free.error());
              auto f = BodyOf(req);
              if (!f) return tl::unexpected(f.error());
              auto updated = trunks_.Update(name, *f, who.principal.staff_id);
              if (!updated) return tl::unexpected(updated.error());
              ReloadTelephony();
              return Ok(records::TrunkJson(*updated, "console"));
          }));
    r.Add("DELETE", "/api/v1/telephony/trunks/{name}",
          Signed([this](const http::Request& req, const staff::Authenticated& who) -> Result<http::Response> {
              if (auto a = staff::Authorise(who.principal, Permission::kManageLines, ""); !a) return tl::unexpected(a.error());
              const auto& name = Param(req, "name");
              if (auto free = RefuseConfiguredTrunk(name); !free) return tl::unexpected(free.error());
              if (auto removed = trunks_.Remove(name, who.principal.staff_id); !removed) {
                  return tl::unexpected(removed.error());
              }
              ReloadTelephony();
              return NoContent();
          }));
    r.Add("GET", "/api/v1/prompts", Signed([this](const http::Request&, const staff::Authenticated& who) -> Result<http::Response> {
              if (auto a = staff::Authorise(who.principal, Permission::kManageLines, ""); !a) return tl::unexpected(a.error());
              if (!prompts_) return Fail(ErrorCode::kUnavailable, "prompts are not available on this server");
              std::lock_guard lock(prompts_mu_);
              nlohmann::json out = nlohmann::json::array();
              for (const auto& entry : prompts_->List()) {
                  const bool fell_back =
                      sip_enabled_ && std::find(fell_back_.begin(), fell_back_.end(), entry.name) != fell_back_.end();
                  out.push_back({{"name", entry.name},
                                 {"text", media::PromptText(entry.name)},
                                 {"present", entry.present},
                                 {"seconds", entry.seconds ? nlohmann::json(*entry.seconds) : nlohmann::json()},
                                 {"fallback", fell_back},
                                 {"previous", entry.has_previous}});
              }
              return Ok({{"prompts", out}, {"restart_needed", prompts_changed_.load()}});
          }));
    r.Add("GET", "/api/v1/prompts/{name}",
          Signed([this](const http::Request& req, const staff::Authenticated& who) -> Result<http::Response> {
              if (auto a = staff::Authorise(who.principal, Permission::kManageLines, ""); !a) return tl::unexpected(a.error());
              if (!prompts_) return Fail(ErrorCode::kUnavailable, "prompts are not available on this server");
              auto bytes = prompts_->Read(Param(req, "name"));
              if (!bytes) return tl::unexpected(bytes.error());
              http::Response resp;
              resp.content_type = kWavType;
              resp.body = std::move(*bytes);
              resp.headers.emplace_back("Cache-Control", "no-store");
              return resp;
          }));
    // A change is handed to telephony at once (ApplyPrompts): the next call hears it, calls in progress finish
    // with the prompts they began with. restart_needed says when that hand-over failed.
    r.Add("PUT", "/api/v1/prompts/{name}",
          Signed([this](const http::Request& req, const staff::Authenticated& who) -> Result<http::Response> {
              if (auto a = staff::Authorise(who.principal, Permission::kManageLines, ""); !a) return tl::unexpected(a.error());
              if (!prompts_) return Fail(ErrorCode::kUnavailable, "prompts are not available on this server");
              const auto& name = Param(req, "name");
              if (!media::PromptFolder::IsPrompt(name)) {
                  return Fail(ErrorCode::kNotFound, "name", "there is no prompt called '" + name + "'");
              }
              if (!IsWavType(req.Header("content-type"))) {
                  return Fail(ErrorCode::kInvalid, "body", "send the recording itself as the body, with Content-Type audio/wav");
              }
              std::lock_guard lock(prompts_mu_);
              auto staged = prompts_->Stage(name, req.body);
              if (!staged) return tl::unexpected(staged.error());
              // The trail is written first: a failed rename then leaves an entry for a change that did not
              // happen, never a change without an entry.
              if (auto audited = s_.writer.Run([&](store::Tx& tx) {
                      return writer::AppendAudit(tx, s_.clock.Now(),
                                                 {who.principal.staff_id, "prompt.replace", "", "prompt", name,
                                                  "administration"});
                  });
                  !audited) {
                  return tl::unexpected(audited.error());
              }
              if (auto installed = prompts_->Install(*staged); !installed) return tl::unexpected(installed.error());
              ApplyPrompts();
              return Ok({{"name", name}, {"seconds", staged->seconds()}, {"restart_needed", prompts_changed_.load()}});
          }));
    r.Add("DELETE", "/api/v1/prompts/{name}",
          Signed([this](const http::Request& req, const staff::Authenticated& who) -> Result<http::Response> {
              if (auto a = staff::Authorise(who.principal, Permission::kManageLines, ""); !a) return tl::unexpected(a.error());
              if (!prompts_) return Fail(ErrorCode::kUnavailable, "prompts are not available on this server");
              const auto& name = Param(req, "name");
              std::lock_guard lock(prompts_mu_);
              auto entries = prompts_->List();
              auto entry = std::find_if(entries.begin(), entries.end(), [&](const auto& e) { return e.name == name; });
              if (entry == entries.end()) return Fail(ErrorCode::kNotFound, "name", "there is no prompt called '" + name + "'");
              if (!entry->has_previous) {
                  return Fail(ErrorCode::kNotFound, "name", "prompt '" + name + "' has no previous recording to restore");
              }
              // Checked before the audit entry, so a refusal leaves no trail of a change that did not happen.
              if (auto usable = media::CheckRecording(prompts_->dir() + "/" + name + ".wav.previous"); !usable) {
                  return Fail(ErrorCode::kConflict, "name",
                              "the previous recording of '" + name + "' is not usable: " + usable.error().message);
              }
              if (auto audited = s_.writer.Run([&](store::Tx& tx) {
                      return writer::AppendAudit(tx, s_.clock.Now(),
                                                 {who.principal.staff_id, "prompt.restore", "", "prompt", name,
                                                  "administration"});
                  });
                  !audited) {
                  return tl::unexpected(audited.error());
              }
              if (auto restored = prompts_->RestorePrevious(name); !restored) return tl::unexpected(restored.error());
              ApplyPrompts();
              return Ok({{"name", name}, {"restart_needed", prompts_changed_.load()}});
          }));
}

}  // namespace crisisline::api
