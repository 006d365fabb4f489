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

Access AccessOf(const store::StaffRow& row) {
    Profile p = ProfileOf(row);
    return Access{p.roles, p.lines, row.disabled};
}

namespace {

constexpr TimeMs kChangesShownMs = 30LL * 24 * 60 * 60 * 1000;

// What a pending change compares and applies: everything of the account an update may change.
nlohmann::json Snapshot(const store::StaffRow& row) {
    Profile p = ProfileOf(row);
    return {{"username", row.username},       {"display_name", row.display_name}, {"roles", p.roles},
            {"lines", p.lines},               {"languages", p.languages},       {"specialisms", p.specialisms},
            {"disabled", row.disabled}};
}

std::vector<std::string> ListOf(const nlohmann::json& j, const char* key) {
    std::vector<std::string> out;
    if (j.is_object() && j.contains(key) && j[key].is_array()) {
        for (const auto& v : j[key]) {
            if (v.is_string()) out.push_back(v.get<std::string>());
        }
    }
    return out;
}

Access AccessOfSnapshot(const nlohmann::json& j) {
    return Access{ListOf(j, "roles"), ListOf(j, "lines"), j.is_object() && j.value("disabled", false)};
}

// Puts a snapshot's fields into `row` (a pending change's "after").
void ApplySnapshot(const nlohmann::json& j, store::StaffRow& row) {
    Profile p{ListOf(j, "roles"), ListOf(j, "lines"), ListOf(j, "languages"), ListOf(j, "specialisms")};
    row.profile_json = ProfileJson(p);
    row.display_name = j.value("display_name", row.display_name);
    row.disabled = j.value("disabled", false);
}

// One announcement for each grant, for the supervisors of its line.
Result<std::vector<store::AnnouncementRow>> Announce(store::Tx& tx,
                                                     const std::string& staff_id,
                                                     const std::vector<ContentGrant>& grants,
                                                     TimeMs now) {
    std::vector<store::AnnouncementRow> out;
    for (const auto& g : grants) {
        store::AnnouncementRow a{crypto::NewId("an"), g.line, "content_reader_added", staff_id, g.role, now,
                                 now + kAnnouncementLifetimeMs, "", 0};
        if (auto r = tx.InsertAnnouncement(a); !r) return tl::unexpected(r.error());
        out.push_back(std::move(a));
    }
    return out;
}

nlohmann::json ChangeDetailOf(const store::StaffChangeRow& c) {
    auto before = nlohmann::json::parse(c.before_json.empty() ? "null" : c.before_json, nullptr, false);
    auto after = nlohmann::json::parse(c.after_json, nullptr, false);
    Access before_access = AccessOfSnapshot(before);
    nlohmann::json detail = ChangeDetail(before.is_object() ? &before_access : nullptr, AccessOfSnapshot(after));
    detail["change"] = c.id;
    detail["kind"] = c.kind;
    detail["requested_by"] = c.requested_by;
    return detail;
}

Result<void> AuditChange(store::Tx& tx, TimeMs at, const std::string& actor, const std::string& action,
                         const std::string& staff_id, const nlohmann::json& detail) {
    return writer::AppendAudit(tx, at, {actor, action, "", "staff", staff_id, "administration", detail.dump()});
}

}  // namespace

nlohmann::json StaffChangeJson(const store::StaffChangeRow& row, TimeMs now) {
    auto before = nlohmann::json::parse(row.before_json.empty() ? "null" : row.before_json, nullptr, false);
    auto after = nlohmann::json::parse(row.after_json, nullptr, false);
    const bool lapsed = row.status == "pending" && row.expires_at <= now;
    nlohmann::json grants = ChangeDetailOf(row).value("grants", nlohmann::json::array());
    return {{"id", row.id},
            {"kind", row.kind},
            {"staff_id", row.staff_id},
            {"requested_by", row.requested_by},
            {"requested_at", FormatTime(row.requested_at)},
            {"expires_at", FormatTime(row.expires_at)},
            {"status", lapsed ? "expired" : row.status},
            {"decided_by", row.decided_by.empty() ? nlohmann::json() : nlohmann::json(row.decided_by)},
            {"decided_at", row.decided_at == 0 ? nlohmann::json() : nlohmann::json(FormatTime(row.decided_at))},
            {"before", before.is_discarded() ? nlohmann::json() : before},
            {"after", after.is_discarded() ? nlohmann::json() : after},
            {"grants", grants}};
}

nlohmann::json AnnouncementJson(const store::AnnouncementRow& row, const std::string& display_name) {
    return {{"id", row.id},
            {"line", row.line_id},
            {"kind", row.kind},
            {"staff_id", row.staff_id},
            {"display_name", display_name},
            {"role", row.role},
            {"at", FormatTime(row.at)},
            {"expires_at", FormatTime(row.expires_at)}};
}

Accounts::Accounts(store::Store& store, writer::StorageWriter& writer, const Clock& clock)
    : store_(store), writer_(writer), clock_(clock) {}

Result<store::StaffRow> Accounts::Create(const NewStaff& who, const std::string& actor) {
    auto decided = CreateAs(who, nullptr, actor);
    if (!decided) return tl::unexpected(decided.error());
    return std::move(decided->row);
}

Result<StaffDecision> Accounts::Create(const NewStaff& who, const Principal& actor) {
    return CreateAs(who, &actor, actor.staff_id);
}

Result<StaffDecision> Accounts::CreateAs(const NewStaff& who, const Principal* actor, const std::string& actor_id) {
    auto hash = crypto::HashPassword(who.password);  // slow by design; outside the writer
    if (!hash) return tl::unexpected(hash.error());
    StaffDecision out;
    store::StaffRow& row = out.row;
    row.id = crypto::NewId("st");
    row.username = who.username;
    std::transform(row.username.begin(), row.username.end(), row.username.begin(),
                   [](unsigned char c) { return std::tolower(c); });
    row.display_name = who.display_name;
    row.profile_json = ProfileJson(who.profile);
    row.password_hash = *hash;
    row.created_at = row.updated_at = clock_.Now();
    const Access access = AccessOf(row);
    const auto grants = NewContentGrants({}, access);
    const bool alone = actor == nullptr || GrantsAlone(*actor, grants);
    auto written = writer_.Run([&](store::Tx& tx) -> Result<void> {
        out.announced.clear();
        if (auto lines = CheckLinesExist(tx, who.profile.lines); !lines) return lines;
        if (!alone) {
            auto taken = tx.GetStaffByUsername(row.username);
            if (!taken) return tl::unexpected(taken.error());
            if (*taken) return Fail(ErrorCode::kConflict, "username", "this username is already taken");
            store::StaffChangeRow change{crypto::NewId("sc"), "create", row.id, actor_id, row.created_at,
                                         row.created_at + change_lifetime_ms_, "", Snapshot(row).dump(), row.password_hash,
                                         "pending", "", 0};
            if (auto r = tx.InsertStaffChange(change); !r) return r;
            out.pending = change;
            return AuditChange(tx, row.created_at, actor_id, "staff.change.request", row.id, ChangeDetailOf(change));
        }
        if (auto r = tx.InsertStaff(row); !r) {
            if (r.error().code == ErrorCode::kConflict) {
                return Fail(ErrorCode::kConflict, "username", "this username is already taken");
            }
            return r;
        }
        auto announced = Announce(tx, row.id, grants, row.created_at);
        if (!announced) return tl::unexpected(announced.error());
        out.announced = std::move(*announced);
        return AuditChange(tx, row.created_at, actor_id, "staff.create", row.id, ChangeDetail(nullptr, access));
    });
    if (!written) return tl::unexpected(written.error());
    if (out.pending) out.pending->password_hash.clear();  // stored for the approval; never handed out
    return out;
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
    auto decided = UpdateAs(id, patch, nullptr, actor);
    if (!decided) return tl::unexpected(decided.error());
    return std::move(decided->row);
}

Result<StaffDecision> Accounts::Update(const std::string& id, const Fields& patch, const Principal& actor) {
    return UpdateAs(id, patch, &actor, actor.staff_id);
}

Result<StaffDecision> Accounts::UpdateAs(const std::string& id,
                                         const Fields& patch,
                                         const Principal* actor,
                                         const std::string& actor_id) {
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
    const bool disabling = disabled->value_or(false);
    StaffDecision out;
    auto written = writer_.Run([&](store::Tx& tx) -> Result<void> {
        out = StaffDecision{};
        auto found = tx.GetStaff(id);
        if (!found) return tl::unexpected(found.error());
        if (!*found) return Fail(ErrorCode::kNotFound, "no staff member with this id");
        const store::StaffRow before = **found;
        store::StaffRow row = before;
        Profile p = ProfileOf(row);
        // Separation of duties: an administrator could otherwise give themselves a content role and back.
        // Their own roles and lines sent back unchanged (as the console's form does) are not a change.
        if (id == actor_id) {
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
        if (auto lines = CheckLinesExist(tx, p.lines); !lines) return lines;
        const TimeMs now = clock_.Now();
        const Access was = AccessOf(before);
        const Access will = AccessOf(row);
        const auto grants = NewContentGrants(was, will);
        if (actor != nullptr && !GrantsAlone(*actor, grants)) {
            store::StaffChangeRow change{crypto::NewId("sc"), "update", id, actor_id, now, now + change_lifetime_ms_,
                                         Snapshot(before).dump(), Snapshot(row).dump(), "", "pending", "", 0};
            if (auto r = tx.InsertStaffChange(change); !r) return r;
            out.pending = change;
            out.row = before;
            return AuditChange(tx, now, actor_id, "staff.change.request", id, ChangeDetailOf(change));
        }
        row.updated_at = now;
        if (auto u = tx.UpdateStaff(row); !u) return u;
        if (disabling) {
            if (auto d = tx.DeleteSessionsOf(id); !d) return d;
        }
        auto announced = Announce(tx, id, grants, now);
        if (!announced) return tl::unexpected(announced.error());
        out.announced = std::move(*announced);
        out.row = row;
        return AuditChange(tx, now, actor_id, disabling ? "staff.disable" : "staff.update", id, ChangeDetail(&was, will));
    });
    if (!written) return tl::unexpected(written.error());
    return out;
}

Result<std::vector<store::StaffChangeRow>> Accounts::Changes() {
    const TimeMs since = clock_.Now() - kChangesShownMs;
    std::vector<store::StaffChangeRow> out;
    auto r = store_.Read([&](store::Tx& tx) -> Result<void> {
        auto rows = tx.ListStaffChanges(since, 200);
        if (!rows) return tl::unexpected(rows.error());
        out = std::move(*rows);
        return {};
    });
    if (!r) return tl::unexpected(r.error());
    for (auto& row : out) row.password_hash.clear();
    return out;
}

Result<StaffDecision> Accounts::Approve(const std::string& change_id, const Principal& approver) {
    StaffDecision out;
    auto decided = Decide(change_id, approver, true, &out);
    if (!decided) return tl::unexpected(decided.error());
    out.pending = std::move(*decided);
    return out;
}

Result<store::StaffChangeRow> Accounts::Reject(const std::string& change_id, const Principal& approver) {
    return Decide(change_id, approver, false, nullptr);
}

Result<store::StaffChangeRow> Accounts::Decide(const std::string& change_id,
                                               const Principal& approver,
                                               bool approve,
                                               StaffDecision* applied) {
    store::StaffChangeRow change;
    auto written = writer_.Run([&](store::Tx& tx) -> Result<void> {
        auto found = tx.GetStaffChange(change_id);
        if (!found) return tl::unexpected(found.error());
        if (!*found) return Fail(ErrorCode::kNotFound, "no staff change with this id");
        change = std::move(**found);
        if (auto may = MayDecide(approver, change.requested_by, change.staff_id); !may) return may;
        const TimeMs now = clock_.Now();
        if (change.status != "pending") {
            return Fail(ErrorCode::kConflict, "this change was " + change.status + " already");
        }
        if (change.expires_at <= now) {
            return Fail(ErrorCode::kConflict, "this change expired at " + FormatTime(change.expires_at) + "; ask again");
        }
        const std::string password_hash = change.password_hash;
        change.status = approve ? "approved" : "rejected";
        change.decided_by = approver.staff_id;
        change.decided_at = now;
        if (auto d = tx.DecideStaffChange(change); !d) return d;
        change.password_hash.clear();
        const nlohmann::json detail = ChangeDetailOf(change);
        if (!approve) return AuditChange(tx, now, approver.staff_id, "staff.change.reject", change.staff_id, detail);

        const auto after = nlohmann::json::parse(change.after_json, nullptr, false);
        store::StaffRow row;
        if (change.kind == "create") {
            row.id = change.staff_id;
            row.username = after.value("username", "");
            row.password_hash = password_hash;
            row.created_at = now;
        } else {
            auto current = tx.GetStaff(change.staff_id);
            if (!current) return tl::unexpected(current.error());
            if (!*current) return Fail(ErrorCode::kNotFound, "the member of staff this change is about no longer exists");
            row = std::move(**current);
            if (Snapshot(row).dump() != change.before_json) {
                return Fail(ErrorCode::kConflict,
                            "the account has changed since this change was asked for; reject it and ask again");
            }
        }
        const Access was = change.kind == "create" ? Access{} : AccessOf(row);
        ApplySnapshot(after, row);
        row.updated_at = now;
        if (auto lines = CheckLinesExist(tx, ProfileOf(row).lines); !lines) return lines;
        if (change.kind == "create") {
            if (auto r = tx.InsertStaff(row); !r) {
                if (r.error().code == ErrorCode::kConflict) {
                    return Fail(ErrorCode::kConflict, "username", "this username was taken since the change was asked for");
                }
                return r;
            }
        } else {
            if (auto u = tx.UpdateStaff(row); !u) return u;
            if (row.disabled) {
                if (auto d = tx.DeleteSessionsOf(row.id); !d) return d;
            }
        }
        auto announced = Announce(tx, row.id, NewContentGrants(was, AccessOf(row)), now);
        if (!announced) return tl::unexpected(announced.error());
        row.password_hash.clear();
        applied->row = row;
        applied->announced = std::move(*announced);
        return AuditChange(tx, now, approver.staff_id, "staff.change.approve", change.staff_id, detail);
    });
    if (!written) return tl::unexpected(written.error());
    return change;
}

Result<nlohmann::json> Accounts::Announcements(const std::string& line_id) {
    nlohmann::json out = nlohmann::json::array();
    auto r = store_.Read([&](store::Tx& tx) -> Result<void> {
        auto rows = tx.ListAnnouncements(line_id, clock_.Now());
        if (!rows) return tl::unexpected(rows.error());
        for (const auto& a : *rows) {
            auto who = tx.GetStaff(a.staff_id);
            if (!who) return tl::unexpected(who.error());
            out.push_back(AnnouncementJson(a, *who ? (*who)->display_name : std::string()));
        }
        return {};
    });
    if (!r) return tl::unexpected(r.error());
    return out;
}

Result<store::AnnouncementRow> Accounts::Acknowledge(const std::string& line_id,
                                                     const std::string& id,
                                                     const std::string& actor) {
    store::AnnouncementRow row;
    auto written = writer_.Run([&](store::Tx& tx) -> Result<void> {
        auto found = tx.GetAnnouncement(line_id, id);
        if (!found) return tl::unexpected(found.error());
        const TimeMs now = clock_.Now();
        if (!*found || !(*found)->acknowledged_by.empty() || (*found)->expires_at <= now) {
            return Fail(ErrorCode::kNotFound, "this line shows no such announcement");
        }
        row = std::move(**found);
        row.acknowledged_by = actor;
        row.acknowledged_at = now;
        if (auto a = tx.AcknowledgeAnnouncement(row); !a) return a;
        return writer::AppendAudit(tx, now, {actor, "announcement.acknowledge", line_id, "announcement", id, "supervision"});
    });
    if (!written) return tl::unexpected(written.error());
    return row;
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
