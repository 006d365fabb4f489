#include "staff/accounts.hpp"

#include <algorithm>
#include <tuple>

#include "writer/audit_trail.hpp"

namespace crisisline::staff {

namespace {

bool SameMembers(std::vector<std::string> a, std::vector<std::string> b) {
    std::sort(a.begin(), a.end());
    std::sort(b.begin(), b.end());
    return a == b;
}

Result<std::string> ReadUsername(const Fields& f) {
    auto name = f.String("username", kMaxUsername);
    if (!name) return name;
    std::string folded = *name;
    std::transform(folded.begin(), folded.end(), folded.begin(), [](unsigned char c) { return std::tolower(c); });
    bool ok = folded.size() >= 3 && std::all_of(folded.begin(), folded.end(), [](char c) {
                  return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '.' || c == '_' || c == '-';
              });
    if (!ok) return Fail(ErrorCode::kInvalid, "username", "must be 3-64 letters, digits, '.', '_' or '-'");
    return folded;
}

Result<void> ReadProfileInto(const Fields& f, Profile& p, bool require_roles) {
    auto roles = f.StringList("roles", kMaxListItems, kMaxListItem, RoleCodes());
    if (!roles) return tl::unexpected(roles.error());
    if (require_roles && roles->empty()) return Fail(ErrorCode::kInvalid, "roles", "at least one role is required");
    auto lines = f.StringList("lines", kMaxListItems, kMaxListItem);
    if (!lines) return tl::unexpected(lines.error());
    auto languages = f.StringList("languages", 4, 8, {"en", "cy"});
    if (!languages) return tl::unexpected(languages.error());
    auto specialisms = f.StringList("specialisms", kMaxListItems, kMaxListItem);
    if (!specialisms) return tl::unexpected(specialisms.error());
    if (f.Has("roles") || require_roles) p.roles = *roles;
    if (f.Has("lines") || require_roles) p.lines = *lines;
    if (f.Has("languages") || require_roles) p.languages = languages->empty() ? std::vector<std::string>{"en"} : *languages;
    if (f.Has("specialisms") || require_roles) p.specialisms = *specialisms;
    return {};
}

Result<void> CheckLinesExist(store::Tx& tx, const std::vector<std::string>& lines) {
    for (size_t i = 0; i < lines.size(); ++i) {
        auto line = tx.GetLine(lines[i]);
        if (!line) return tl::unexpected(line.error());
        if (!*line) return Fail(ErrorCode::kInvalid, "lines[" + std::to_string(i) + "]", "no line with this id");
    }
    return {};
}

std::string ProfileJson(const Profile& p) {
    return nlohmann::json{{"roles", p.roles}, {"lines", p.lines}, {"languages", p.languages}, {"specialisms", p.specialisms}}
        .dump();
}

}  // namespace

Result<NewStaff> NewStaffFromFields(const Fields& f) {
    if (auto known = f.OnlyKnown({"username", "display_name", "password", "roles", "lines", "languages", "specialisms"});
        !known) {
        return tl::unexpected(known.error());
    }
    NewStaff out;
    auto username = ReadUsername(f);
    if (!username) return tl::unexpected(username.error());
    out.username = *username;
    auto display = f.String("display_name", kMaxDisplayName);
    if (!display) return tl::unexpected(display.error());
    out.display_name = *display;
    auto password = f.String("password", 256);
    if (!password) return tl::unexpected(password.error());
    if (auto policy = crypto::CheckPasswordPolicy(*password); !policy) return tl::unexpected(policy.error());
    out.password = *password;
    if (auto p = ReadProfileInto(f, out.profile, true); !p) return tl::unexpected(p.error());
    return out;
}

Profile ProfileOf(const store::StaffRow& row) {
    Profile p;
    auto j = nlohmann::json::parse(row.profile_json, nullptr, false);
    if (!j.is_object()) return p;
    auto list = [&](const char* key) {
        std::vector<std::string> out;
        if (j.contains(key) && j[key].is_array()) {
            for (const auto& v : j[key]) {
                if (v.is_string()) out.push_back(v.get<std::string>());
            }
        }
        return out;
    };
    p.roles = list("roles");
    p.lines = list("lines");
    p.languages = list("languages");
    p.specialisms = list("specialisms");
    return p;
}

Principal PrincipalOf(const store::StaffRow& row) {
    Profile p = ProfileOf(row);
    return Principal{row.id, row.display_name, RolesFromCodes(p.roles), p.lines};
}

nlohmann::json StaffJson(const store::StaffRow& row) {
    Profile p = ProfileOf(row);
    return {{"id", row.id},
            {"username", row.username},
            {"display_name", row.display_name},
            {"roles", p.roles},
            {"lines", p.lines},
            {"languages", p.languages},
            {"specialisms", p.specialisms},
            {"mfa_enrolled", row.totp_enrolled},
            {"disabled", row.disabled},
            {"created_at", FormatTime(row.created_at)},
            {"updated_at", FormatTime(row.updated_at)}};
}

Accounts::Accounts(store::Store& store, writer::StorageWriter& writer, const Clock& clock)
    : store_(store), writer_(writer), clock_(clock) {}

Result<store::StaffRow> Accounts::Create(const NewStaff& who, const std::string& actor) {
    auto hash = crypto::HashPassword(who.password);  // slow by design; outside the writer
    if (!hash) return tl::unexpected(hash.error());
    store::StaffRow row;
    row.id = crypto::NewId("st");
    row.username = who.username;
    std::transform(row.username.begin(), row.username.end(), row.username.begin(),
                   [](unsigned char c) { return std::tolower(c); });
    row.display_name = who.display_name;
    row.profile_json = ProfileJson(who.profile);
    row.password_hash = *hash;
    row.created_at = row.updated_at = clock_.Now();
    auto written = writer_.Run([&](store::Tx& tx) -> Result<void> {
        if (auto lines = CheckLinesExist(tx, who.profile.lines); !lines) return lines;
        if (auto r = tx.InsertStaff(row); !r) {
            if (r.error().code == ErrorCode::kConflict) {
                return Fail(ErrorCode::kConflict, "username", "this username is already taken");
            }
            return r;
        }
        return writer::AppendAudit(tx, row.created_at, {actor, "staff.create", "", "staff", row.id, "administration"});
    });
    if (!written) return tl::unexpected(written.error());
    return row;
}

Result<std::vector<store::StaffRow>> Accounts::List() {
    std::vector<store::StaffRow> out;
    auto r = store_.Read([&](store::Tx& tx) -> Result<void> {
        auto rows = tx.ListStaff();
        if (!rows) return tl::unexpected(rows.error());
        out = std::move(*rows);
        return {};
    });
    if (!r) return tl::unexpected(r.error());
    return out;
}

Result<store::StaffRow> Accounts::Get(const std::string& id) {
    std::optional<store::StaffRow> found;
    auto r = store_.Read([&](store::Tx& tx) -> Result<void> {
        auto row = tx.GetStaff(id);
        if (!row) return tl::unexpected(row.error());
        found = std::move(*row);
        return {};
    });
    if (!r) return tl::unexpected(r.error());
    if (!found) return Fail(ErrorCode::kNotFound, "no staff member with this id");
    return std::move(*found);
}

Result<store::StaffRow> Accounts::Change(const std::string& id,
                                         const std::string& actor,
                                         const std::string& action,
                                         const std::function<Result<void>(store::StaffRow&)>& edit,
                                         bool sign_out) {
    store::StaffRow result;
    auto written = writer_.Run([&](store::Tx& tx) -> Result<void> {
        auto row = tx.GetStaff(id);
        if (!row) return tl::unexpected(row.error());
        if (!*row) return Fail(ErrorCode::kNotFound, "no staff member with this id");
        result = std::move(**row);
        if (auto e = edit(result); !e) return e;
        if (auto lines = CheckLinesExist(tx, ProfileOf(result).lines); !lines) return lines;
        result.updated_at = clock_.Now();
        if (auto u = tx.UpdateStaff(result); !u) return u;
        if (sign_out) {
            if (auto d = tx.DeleteSessionsOf(id); !d) return d;
        }
        return writer::AppendAudit(tx, result.updated_at, {actor, action, "", "staff", id, "administration"});
    });
    if (!written) return tl::unexpected(written.error());
    return result;
}

Result<store::StaffRow> Accounts::Update(const std::string& id, const Fields& patch, const std::string& actor) {
    if (auto known = patch.OnlyKnown({"display_name", "roles", "lines", "languages", "specialisms", "disabled"});
        !known) {
        return tl::unexpected(known.error());
    }
    auto display = patch.OptionalString("display_name", kMaxDisplayName);
    if (!display) return tl::unexpected(display.error());
    if (display->has_value() && (*display)->empty()) {
        return Fail(ErrorCode::kInvalid, "display_name", "must not be empty");
    }
    auto disabled = patch.OptionalBool("disabled");
    if (!disabled) return tl::unexpected(disabled.error());
    Profile changes;
    if (auto p = ReadProfileInto(patch, changes, false); !p) return tl::unexpected(p.error());
    if (patch.Has("roles") && changes.roles.empty()) {
        return Fail(ErrorCode::kInvalid, "roles", "at least one role is required");
    }
    bool disabling = disabled->value_or(false);
    return Change(
        id, actor, disabling ? "staff.disable" : "staff.update",
        [&](store::StaffRow& row) -> Result<void> {
            Profile p = ProfileOf(row);
            // Separation of duties: an administrator could otherwise give themselves a content role and back.
            // Their own roles and lines sent back unchanged (as the console's form does) are not a change.
            if (id == actor) {
                for (auto [field, now, asked] : {std::tuple{"roles", &p.roles, &changes.roles},
                                                 std::tuple{"lines", &p.lines, &changes.lines}}) {
                    if (patch.Has(field) && !SameMembers(*now, *asked)) {
                        return Fail(ErrorCode::kForbidden, field,
                                    "nobody may change their own roles or lines; another administrator must do it");
                    }
                }
            }
            if (patch.Has("roles")) p.roles = changes.roles;
            if (patch.Has("lines")) p.lines = changes.lines;
            if (patch.Has("languages")) p.languages = changes.languages;
            if (patch.Has("specialisms")) p.specialisms = changes.specialisms;
            row.profile_json = ProfileJson(p);
            if (display->has_value()) row.display_name = **display;
            if (disabled->has_value()) row.disabled = **disabled;
            return {};
        },
        disabling);
}

Result<void> Accounts::ResetMfa(const std::string& id, const std::string& actor) {
    auto r = Change(
        id, actor, "staff.reset_mfa",
        [](store::StaffRow& row) -> Result<void> {
            row.totp_secret_sealed.clear();
            row.totp_enrolled = false;
            row.totp_last_step = 0;
            return {};
        },
        true);
    if (!r) return tl::unexpected(r.error());
    return {};
}

Result<void> Accounts::SetPassword(const std::string& id, std::string_view password, const std::string& actor) {
    if (auto policy = crypto::CheckPasswordPolicy(password); !policy) return policy;
    auto hash = crypto::HashPassword(password);
    if (!hash) return tl::unexpected(hash.error());
    auto r = Change(
        id, actor, "staff.set_password",
        [&](store::StaffRow& row) -> Result<void> {
            row.password_hash = *hash;
            row.failed_sign_ins = 0;
            row.locked_until = 0;
            return {};
        },
        true);
    if (!r) return tl::unexpected(r.error());
    return {};
}

}  // namespace crisisline::staff
