#include "records/lines.hpp"

#include <algorithm>

#include "reference/reference.hpp"
#include "reports/period.hpp"
#include "writer/audit_trail.hpp"

namespace crisisline::records {

namespace {

bool IsSlug(const std::string& s) {
    return s.size() >= 2 && s.size() <= 32 && std::all_of(s.begin(), s.end(), [](char c) {
               return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-';
           });
}

std::vector<std::string> RegionChoices() {
    std::vector<std::string> out = {"national"};
    for (const auto& r : reference::RegionNames()) out.push_back(r);
    return out;
}

// "sip:" or "sips:", then [user@]host with no spaces, angle brackets or quotes.
bool IsSipUri(const std::string& s) {
    const size_t colon = s.find(':');
    if (colon == std::string::npos) return false;
    const std::string scheme = s.substr(0, colon);
    if (scheme != "sip" && scheme != "sips") return false;
    const std::string rest = s.substr(colon + 1);
    const size_t at = rest.find('@');
    const std::string host = at == std::string::npos ? rest : rest.substr(at + 1);
    if (at == 0 || host.empty() || host.front() == ';' || host.front() == ':') return false;
    return std::all_of(rest.begin(), rest.end(), [](char c) {
        return c > ' ' && c < 127 && c != '<' && c != '>' && c != '"';
    });
}

// A partner's URI that would be dialled over plain SIP: "sip:" without transport=tls.
bool IsPlainSipUri(const std::string& to) {
    if (to.rfind("sip:", 0) != 0) return false;
    std::string lower(to);
    std::transform(lower.begin(), lower.end(), lower.begin(), [](unsigned char c) { return std::tolower(c); });
    return lower.find(";transport=tls") == std::string::npos;
}

Result<void> CheckOverflowTo(const std::string& to, const std::string& own_line, const std::string& field) {
    if (to.empty()) return {};
    if (to.rfind("line:", 0) == 0) {
        const std::string target = to.substr(5);
        if (!IsSlug(target)) return Fail(ErrorCode::kInvalid, field, "\"line:\" must be followed by a line id");
        if (target == own_line) return Fail(ErrorCode::kInvalid, field, "a line cannot overflow to itself");
        return {};
    }
    if (!IsSipUri(to)) {
        return Fail(ErrorCode::kInvalid, field,
                    "must be empty, \"line:<line id>\" or a partner's SIP URI such as \"sip:overflow@partner.example\"");
    }
    return {};
}

// An integer setting that may be null (meaning "never"): absent keeps `into`.
Result<void> ReadNullableSeconds(const Fields& f, const char* name, std::int64_t min, std::int64_t max,
                                 std::optional<int>& into) {
    const auto& j = f.Json();
    if (auto it = j.find(name); it != j.end() && it->is_null()) {
        into.reset();
        return {};
    }
    auto v = f.OptionalInt(name, min, max);
    if (!v) return tl::unexpected(v.error());
    if (v->has_value()) into = static_cast<int>(**v);
    return {};
}

Result<void> ReadSeconds(const Fields& f, const char* name, std::int64_t min, std::int64_t max, int& into) {
    auto v = f.OptionalInt(name, min, max);
    if (!v) return tl::unexpected(v.error());
    if (v->has_value()) into = static_cast<int>(**v);
    return {};
}

Result<void> ReadRoutingInto(const Fields& f, const std::string& line_id, PhoneRouting& r) {
    if (auto k = f.OnlyKnown({"strategy", "ring_timeout_s", "wrap_up_s", "wrap_up_after_concern_s", "overflow_after_s",
                              "overflow_to", "announce_every_s", "every_leg_encrypted"});
        !k) {
        return k;
    }
    if (auto v = f.OptionalEnum("strategy", {"longest_idle", "ring_all"}); !v) {
        return tl::unexpected(v.error());
    } else if (v->has_value()) {
        r.strategy = **v;
    }
    if (auto v = ReadSeconds(f, "ring_timeout_s", 5, 300, r.ring_timeout_s); !v) return v;
    if (auto v = ReadSeconds(f, "wrap_up_s", 0, 3600, r.wrap_up_s); !v) return v;
    if (auto v = ReadSeconds(f, "wrap_up_after_concern_s", 0, 7200, r.wrap_up_after_concern_s); !v) return v;
    if (auto v = ReadNullableSeconds(f, "overflow_after_s", 10, 3600, r.overflow_after_s); !v) return v;
    if (auto v = ReadNullableSeconds(f, "announce_every_s", 10, 600, r.announce_every_s); !v) return v;
    if (auto v = f.OptionalString("overflow_to", kMaxOverflowTo); !v) {
        return tl::unexpected(v.error());
    } else if (v->has_value()) {
        if (auto ok = CheckOverflowTo(**v, line_id, f.PathOf("overflow_to")); !ok) return ok;
        r.overflow_to = **v;
    }
    if (auto v = f.OptionalBool("every_leg_encrypted"); !v) {
        return tl::unexpected(v.error());
    } else if (v->has_value()) {
        r.every_leg_encrypted = **v;
    }
    // Checked on the result, so an update that turns the policy on over a plain partner URI is refused too.
    if (r.every_leg_encrypted && IsPlainSipUri(r.overflow_to)) {
        return Fail(ErrorCode::kInvalid, f.PathOf("overflow_to"),
                    "must be a line, a sips: URI or a URI with transport=tls while every_leg_encrypted is true");
    }
    return {};
}

// The fields present in "staffing" replace those stored; the others are kept.
Result<void> ReadStaffingInto(const Fields& f, StaffingTarget& t) {
    if (auto k = f.OnlyKnown({"service_level_percent", "target_s", "max_occupancy_percent", "shrinkage_percent",
                              "min_counsellors"});
        !k) {
        return k;
    }
    if (auto v = ReadSeconds(f, "service_level_percent", 1, 99, t.service_level_percent); !v) return v;
    if (auto v = ReadSeconds(f, "target_s", 0, 3600, t.target_s); !v) return v;
    if (auto v = ReadSeconds(f, "max_occupancy_percent", 1, 100, t.max_occupancy_percent); !v) return v;
    if (auto v = ReadSeconds(f, "shrinkage_percent", 0, 89, t.shrinkage_percent); !v) return v;
    if (auto v = ReadSeconds(f, "min_counsellors", 0, 1000, t.min_counsellors); !v) return v;
    return {};
}

Result<RegionStart> ReadRegionStart(const Fields& f) {
    if (auto k = f.OnlyKnown({"region", "began", "workforce", "workforce_source"}); !k) return tl::unexpected(k.error());
    RegionStart start;
    auto region = f.Enum("region", reference::RegionNames());
    if (!region) return tl::unexpected(region.error());
    start.region = *region;
    auto began = f.String("began", 10);
    if (!began) return tl::unexpected(began.error());
    auto day = reports::ParsePeriod(*began);
    if (!day || day->kind != reports::PeriodKind::kDay) {
        return Fail(ErrorCode::kInvalid, f.PathOf("began"), "must be a date such as \"2025-07-21\"");
    }
    start.began = *began;
    start.began_at = day->from;
    auto workforce = f.OptionalInt("workforce", 1, 10'000'000);
    if (!workforce) return tl::unexpected(workforce.error());
    start.workforce = *workforce;
    auto source = f.OptionalString("workforce_source", 200);
    if (!source) return tl::unexpected(source.error());
    start.workforce_source = source->value_or("");
    return start;
}

Result<std::vector<RegionStart>> ReadRegionStarts(const Fields& f) {
    auto items = f.ObjectList("region_starts", kMaxRegionStarts);
    if (!items) return tl::unexpected(items.error());
    std::vector<RegionStart> out;
    for (const auto& item : *items) {
        auto start = ReadRegionStart(item);
        if (!start) return tl::unexpected(start.error());
        for (const auto& seen : out) {
            if (seen.region == start->region) {
                return Fail(ErrorCode::kInvalid, item.PathOf("region"), "is already listed: each region once");
            }
        }
        out.push_back(std::move(*start));
    }
    return out;
}

Result<std::vector<ForceWorkforce>> ReadForceWorkforce(const Fields& f) {
    auto items = f.ObjectList("force_workforce", kMaxForceWorkforces);
    if (!items) return tl::unexpected(items.error());
    std::vector<ForceWorkforce> out;
    for (const auto& item : *items) {
        if (auto k = item.OnlyKnown({"force", "workforce", "workforce_source"}); !k) return tl::unexpected(k.error());
        ForceWorkforce w;
        auto force = item.Enum("force", reference::ForceCodes());
        if (!force) return tl::unexpected(force.error());
        w.force = *force;
        auto workforce = item.OptionalInt("workforce", 1, 10'000'000);
        if (!workforce) return tl::unexpected(workforce.error());
        if (!*workforce) return Fail(ErrorCode::kInvalid, item.PathOf("workforce"), "is required, 1 to 10000000");
        w.workforce = **workforce;
        auto source = item.OptionalString("workforce_source", 200);
        if (!source) return tl::unexpected(source.error());
        w.workforce_source = source->value_or("");
        for (const auto& seen : out) {
            if (seen.force == w.force) {
                return Fail(ErrorCode::kInvalid, item.PathOf("force"), "is already listed: each force once");
            }
        }
        out.push_back(std::move(w));
    }
    return out;
}

Result<ExternalTarget> ReadExternalTarget(const Fields& f) {
    if (auto k = f.OnlyKnown({"id", "name", "uri", "kind"}); !k) return tl::unexpected(k.error());
    ExternalTarget t;
    auto id = f.String("id", 32);
    if (!id) return tl::unexpected(id.error());
    if (!IsSlug(*id)) return Fail(ErrorCode::kInvalid, f.PathOf("id"), "must be 2-32 of a-z, 0-9 and '-'");
    t.id = *id;
    auto name = f.String("name", kMaxLineName);
    if (!name) return tl::unexpected(name.error());
    if (name->empty()) return Fail(ErrorCode::kInvalid, f.PathOf("name"), "must not be empty");
    t.name = *name;
    auto uri = f.String("uri", kMaxOverflowTo);
    if (!uri) return tl::unexpected(uri.error());
    if (!IsSipUri(*uri)) {
        return Fail(ErrorCode::kInvalid, f.PathOf("uri"), "must be a SIP URI such as \"sip:999@trunk.example\"");
    }
    t.uri = *uri;
    auto kind = f.Enum("kind", {"emergency", "partner"});
    if (!kind) return tl::unexpected(kind.error());
    t.kind = *kind;
    return t;
}

Result<std::vector<ExternalTarget>> ReadTransferTargets(const Fields& f) {
    auto items = f.ObjectList("transfer_targets", kMaxTransferTargets);
    if (!items) return tl::unexpected(items.error());
    std::vector<ExternalTarget> out;
    for (const auto& item : *items) {
        auto target = ReadExternalTarget(item);
        if (!target) return tl::unexpected(target.error());
        for (const auto& seen : out) {
            if (seen.id == target->id) return Fail(ErrorCode::kInvalid, item.PathOf("id"), "is already listed");
        }
        out.push_back(std::move(*target));
    }
    return out;
}

}  // namespace

Result<LineConfig> LineFromFields(const Fields& f, const LineConfig* existing) {
    if (auto k = f.OnlyKnown({"id", "name", "name_cy", "numbers", "hours", "always_open", "regions", "languages",
                              "retention_days", "follow_up_max_attempts", "follow_up_max_days", "audience", "audience_cy",
                              "routing", "staffing", "disclosure", "region_starts", "force_workforce",
                              "post_call_survey", "transfer_targets"});
        !k) {
        return tl::unexpected(k.error());
    }
    LineConfig line = existing ? *existing : LineConfig{};
    if (!existing) {
        auto id = f.String("id", 32);
        if (!id) return tl::unexpected(id.error());
        if (!IsSlug(*id)) return Fail(ErrorCode::kInvalid, "id", "must be 2-32 of a-z, 0-9 and '-'");
        line.id = *id;
        auto name = f.String("name", kMaxLineName);
        if (!name) return tl::unexpected(name.error());
        line.name = *name;
    } else if (f.Has("id")) {
        return Fail(ErrorCode::kInvalid, "id", "a line's id cannot change");
    } else if (auto name = f.OptionalString("name", kMaxLineName); !name) {
        return tl::unexpected(name.error());
    } else if (name->has_value()) {
        if ((*name)->empty()) return Fail(ErrorCode::kInvalid, "name", "must not be empty");
        line.name = **name;
    }
    if (auto name_cy = f.OptionalString("name_cy", kMaxLineName); !name_cy) {
        return tl::unexpected(name_cy.error());
    } else if (name_cy->has_value()) {
        line.name_cy = **name_cy;
    }
    if (f.Has("numbers")) {
        auto numbers = f.StringList("numbers", kMaxLineNumbers, 32);
        if (!numbers) return tl::unexpected(numbers.error());
        line.numbers.clear();
        for (size_t i = 0; i < numbers->size(); ++i) {
            auto normal = crypto::NormalisePhoneNumber((*numbers)[i]);
            if (!normal) return Fail(ErrorCode::kInvalid, "numbers[" + std::to_string(i) + "]", "is not a phone number");
            line.numbers.push_back(*normal);
        }
    }
    if (auto hours = f.OptionalString("hours", 200); !hours) {
        return tl::unexpected(hours.error());
    } else if (hours->has_value()) {
        line.hours = **hours;
    }
    if (auto open = f.OptionalBool("always_open"); !open) {
        return tl::unexpected(open.error());
    } else if (open->has_value()) {
        line.always_open = **open;
    }
    if (f.Has("regions")) {
        auto regions = f.StringList("regions", 32, 64, RegionChoices());
        if (!regions) return tl::unexpected(regions.error());
        line.regions = *regions;
    }
    if (f.Has("languages")) {
        auto languages = f.StringList("languages", 4, 8, {"en", "cy"});
        if (!languages) return tl::unexpected(languages.error());
        if (languages->empty()) return Fail(ErrorCode::kInvalid, "languages", "at least one language is required");
        line.languages = *languages;
    }
    if (auto v = f.OptionalInt("retention_days", 30, 3650 * 3); !v) {
        return tl::unexpected(v.error());
    } else if (v->has_value()) {
        line.retention_days = **v;
    }
    if (auto v = f.OptionalInt("follow_up_max_attempts", 1, 10); !v) {
        return tl::unexpected(v.error());
    } else if (v->has_value()) {
        line.follow_up_max_attempts = **v;
    }
    if (auto v = f.OptionalInt("follow_up_max_days", 1, 60); !v) {
        return tl::unexpected(v.error());
    } else if (v->has_value()) {
        line.follow_up_max_days = **v;
    }
    if (auto v = f.OptionalString("audience", 300); !v) {
        return tl::unexpected(v.error());
    } else if (v->has_value()) {
        line.audience = **v;
    }
    if (auto v = f.OptionalString("audience_cy", 300); !v) {
        return tl::unexpected(v.error());
    } else if (v->has_value()) {
        line.audience_cy = **v;
    }
    if (auto routing = f.OptionalObject("routing"); !routing) {
        return tl::unexpected(routing.error());
    } else if (routing->has_value()) {
        if (auto r = ReadRoutingInto(**routing, line.id, line.routing); !r) return tl::unexpected(r.error());
    }
    if (auto staffing = f.OptionalObject("staffing"); !staffing) {
        return tl::unexpected(staffing.error());
    } else if (staffing->has_value()) {
        if (auto r = ReadStaffingInto(**staffing, line.staffing); !r) return tl::unexpected(r.error());
    }
    if (auto d = f.OptionalObject("disclosure"); !d) {
        return tl::unexpected(d.error());
    } else if (d->has_value()) {
        if (auto k = (*d)->OnlyKnown({"threshold", "rounding"}); !k) return tl::unexpected(k.error());
        // Stricter than the published-statistics floor (suppress 0-7, round to 5), never looser.
        if (auto v = (*d)->OptionalInt("threshold", 7, 1000); !v) {
            return tl::unexpected(v.error());
        } else if (v->has_value()) {
            line.disclosure_threshold = **v;
        }
        if (auto v = (*d)->OptionalInt("rounding", 5, 1000); !v) {
            return tl::unexpected(v.error());
        } else if (v->has_value()) {
            line.disclosure_rounding = **v;
        }
    }
    if (f.Has("region_starts")) {
        auto starts = ReadRegionStarts(f);
        if (!starts) return tl::unexpected(starts.error());
        line.region_starts = std::move(*starts);
    }
    if (f.Has("force_workforce")) {
        auto forces = ReadForceWorkforce(f);
        if (!forces) return tl::unexpected(forces.error());
        line.force_workforce = std::move(*forces);
    }
    if (auto survey = f.OptionalBool("post_call_survey"); !survey) {
        return tl::unexpected(survey.error());
    } else if (survey->has_value()) {
        line.post_call_survey = **survey;
    }
    if (f.Has("transfer_targets")) {
        auto targets = ReadTransferTargets(f);
        if (!targets) return tl::unexpected(targets.error());
        line.transfer_targets = std::move(*targets);
    }
    // Checked on the result, so turning every_leg_encrypted on over a plain target is refused too.
    if (line.routing.every_leg_encrypted) {
        for (size_t i = 0; i < line.transfer_targets.size(); ++i) {
            if (IsPlainSipUri(line.transfer_targets[i].uri)) {
                return Fail(ErrorCode::kInvalid, "transfer_targets[" + std::to_string(i) + "].uri",
                            "must be a sips: URI or a URI with transport=tls while routing.every_leg_encrypted is true");
            }
        }
    }
    if (line.regions.empty()) line.regions = {"national"};
    return line;
}

nlohmann::json RoutingJson(const PhoneRouting& r) {
    auto or_null = [](const std::optional<int>& v) { return v ? nlohmann::json(*v) : nlohmann::json(); };
    return {{"strategy", r.strategy},
            {"ring_timeout_s", r.ring_timeout_s},
            {"wrap_up_s", r.wrap_up_s},
            {"wrap_up_after_concern_s", r.wrap_up_after_concern_s},
            {"overflow_after_s", or_null(r.overflow_after_s)},
            {"overflow_to", r.overflow_to},
            {"announce_every_s", or_null(r.announce_every_s)},
            {"every_leg_encrypted", r.every_leg_encrypted}};
}

nlohmann::json StaffingTargetJson(const StaffingTarget& t) {
    return {{"service_level_percent", t.service_level_percent},
            {"target_s", t.target_s},
            {"max_occupancy_percent", t.max_occupancy_percent},
            {"shrinkage_percent", t.shrinkage_percent},
            {"min_counsellors", t.min_counsellors}};
}

nlohmann::json RegionStartsJson(const std::vector<RegionStart>& starts) {
    nlohmann::json out = nlohmann::json::array();
    for (const auto& s : starts) {
        out.push_back({{"region", s.region},
                       {"began", s.began},
                       {"workforce", s.workforce ? nlohmann::json(*s.workforce) : nlohmann::json()},
                       {"workforce_source", s.workforce_source}});
    }
    return out;
}

nlohmann::json ForceWorkforceJson(const std::vector<ForceWorkforce>& forces) {
    nlohmann::json out = nlohmann::json::array();
    for (const auto& w : forces) {
        out.push_back({{"force", w.force}, {"workforce", w.workforce}, {"workforce_source", w.workforce_source}});
    }
    return out;
}

nlohmann::json TransferTargetsJson(const std::vector<ExternalTarget>& targets) {
    nlohmann::json out = nlohmann::json::array();
    for (const auto& t : targets) out.push_back({{"id", t.id}, {"name", t.name}, {"uri", t.uri}, {"kind", t.kind}});
    return out;
}

nlohmann::json LineJson(const LineConfig& line) {
    return {{"id", line.id},
            {"name", line.name},
            {"name_cy", line.name_cy},
            {"numbers", line.numbers},
            {"hours", line.hours},
            {"always_open", line.always_open},
            {"regions", line.regions},
            {"languages", line.languages},
            {"retention_days", line.retention_days},
            {"follow_up_max_attempts", line.follow_up_max_attempts},
            {"follow_up_max_days", line.follow_up_max_days},
            {"audience", line.audience},
            {"audience_cy", line.audience_cy},
            {"routing", RoutingJson(line.routing)},
            {"staffing", StaffingTargetJson(line.staffing)},
            {"disclosure", {{"threshold", line.disclosure_threshold}, {"rounding", line.disclosure_rounding}}},
            {"region_starts", RegionStartsJson(line.region_starts)},
            {"force_workforce", ForceWorkforceJson(line.force_workforce)},
            {"post_call_survey", line.post_call_survey},
            {"transfer_targets", TransferTargetsJson(line.transfer_targets)}};
}

nlohmann::json PublicLineJson(const LineConfig& line) {
    return {{"id", line.id},
            {"name", line.name},
            {"name_cy", line.name_cy},
            {"numbers", line.numbers},
            {"hours", line.hours},
            {"always_open", line.always_open},
            {"languages", line.languages},
            {"regions", line.regions},
            {"audience", line.audience},
            {"audience_cy", line.audience_cy}};
}

Result<LineConfig> LineFromRow(const store::LineRow& row) {
    auto parsed = Fields::Parse(row.config_json);
    if (!parsed) return Fail(ErrorCode::kInternal, "stored configuration of line " + row.id + " is not readable");
    nlohmann::json j = parsed->Json();
    j.erase("id");
    j.erase("name");
    LineConfig base;
    base.id = row.id;
    base.name = row.name;
    auto line = LineFromFields(Fields(j, ""), &base);
    if (!line) {
        return Fail(ErrorCode::kInternal,
                    "stored configuration of line " + row.id + " is invalid at " + line.error().field);
    }
    return line;
}

namespace {

store::LineRow RowOf(const LineConfig& line, TimeMs created, TimeMs now) {
    nlohmann::json config = LineJson(line);
    config.erase("id");
    config.erase("name");
    return {line.id, line.name, config.dump(), created, now};
}

}  // namespace

Result<LineConfig> Lines::Create(const Fields& f, const std::string& actor) {
    auto line = LineFromFields(f, nullptr);
    if (!line) return line;
    const TimeMs now = s_.clock.Now();
    auto exists = ReadOne<bool>(s_.store, [&](store::Tx& tx) -> Result<bool> {
        auto row = tx.GetLine(line->id);
        if (!row) return tl::unexpected(row.error());
        return row->has_value();
    });
    if (!exists) return tl::unexpected(exists.error());
    if (*exists) return Fail(ErrorCode::kConflict, "id", "a line with this id already exists");
    // The key comes first: a line row without its key would hold records nobody can read.
    if (auto key = s_.keys.CreateLine(line->id); !key && key.error().code != ErrorCode::kConflict) {
        return tl::unexpected(key.error());
    }
    auto written = s_.writer.Run([&](store::Tx& tx) -> Result<void> {
        if (auto p = tx.PutLine(RowOf(*line, now, now)); !p) return p;
        return writer::AppendAudit(tx, now, {actor, "line.create", line->id, "line", line->id, "administration"});
    });
    if (!written) return tl::unexpected(written.error());
    return line;
}

Result<LineConfig> Lines::Update(const std::string& id, const Fields& f, const std::string& actor) {
    const TimeMs now = s_.clock.Now();
    LineConfig updated;
    auto written = s_.writer.Run([&](store::Tx& tx) -> Result<void> {
        auto row = tx.GetLine(id);
        if (!row) return tl::unexpected(row.error());
        if (!*row) return Fail(ErrorCode::kNotFound, "no line with this id");
        auto current = LineFromRow(**row);
        if (!current) return tl::unexpected(current.error());
        auto next = LineFromFields(f, &*current);
        if (!next) return tl::unexpected(next.error());
        updated = *next;
        if (auto p = tx.PutLine(RowOf(updated, (*row)->created_at, now)); !p) return p;
        return writer::AppendAudit(tx, now, {actor, "line.update", id, "line", id, "administration"});
    });
    if (!written) return tl::unexpected(written.error());
    return updated;
}

Result<LineConfig> Lines::Get(const std::string& id) {
    auto row = ReadOne<std::optional<store::LineRow>>(s_.store, [&](store::Tx& tx) { return tx.GetLine(id); });
    if (!row) return tl::unexpected(row.error());
    if (!*row) return Fail(ErrorCode::kNotFound, "no line with this id");
    return LineFromRow(**row);
}

Result<std::vector<LineConfig>> Lines::List() {
    auto rows = ReadOne<std::vector<store::LineRow>>(s_.store, [&](store::Tx& tx) { return tx.ListLines(); });
    if (!rows) return tl::unexpected(rows.error());
    std::vector<LineConfig> out;
    for (const auto& row : *rows) {
        auto line = LineFromRow(row);
        if (!line) return tl::unexpected(line.error());
        out.push_back(std::move(*line));
    }
    return out;
}

}  // namespace crisisline::records
