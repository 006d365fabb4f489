#include "records/reports.hpp"

#include <algorithm>
#include <cmath>
#include <map>
#include <sstream>

#include "records/carried_calls.hpp"
#include "records/contact_input.hpp"
#include "records/force_backfill.hpp"
#include "records/sealed_force.hpp"
#include "reference/reference.hpp"
#include "staffing/calendar.hpp"
#include "writer/audit_trail.hpp"

namespace crisisline::records {

namespace {

using reports::DisclosureRules;
using reports::Figure;
using reports::Period;
using reports::PeriodKind;

constexpr const char* kNotRecorded = "not_recorded";

const std::vector<std::string>& FollowUpStatuses() {
    static const std::vector<std::string> kStatuses = {"scheduled", "due",         "overdue",
                                                       "completed", "unreachable", "cancelled"};
    return kStatuses;
}

std::vector<std::string> WithNotRecorded(std::vector<std::string> codes) {
    codes.emplace_back(kNotRecorded);
    return codes;
}

// The position of `code` in `codes`; the last position (not_recorded) for anything else.
size_t Slot(const std::vector<std::string>& codes, const nlohmann::json& value) {
    if (value.is_string()) {
        auto it = std::find(codes.begin(), codes.end(), value.get<std::string>());
        if (it != codes.end()) return static_cast<size_t>(it - codes.begin());
    }
    return codes.size() - 1;
}

nlohmann::json FigureJson(const Figure& f) {
    if (f.not_applicable) return {{"value", nullptr}, {"suppressed", false}, {"not_applicable", true}};
    return {{"value", f.value ? nlohmann::json(*f.value) : nlohmann::json()}, {"suppressed", f.Suppressed()}};
}

nlohmann::json KeyedFigure(const std::string& key, const Figure& f) {
    auto j = FigureJson(f);
    j["key"] = key;
    return j;
}

nlohmann::json ListSection(const std::string& name,
                           const std::vector<std::string>& keys,
                           const std::vector<std::int64_t>& counts,
                           const DisclosureRules& rules) {
    auto published = reports::PublishList(counts, rules);
    nlohmann::json items = nlohmann::json::array();
    for (size_t i = 0; i < keys.size(); ++i) items.push_back(KeyedFigure(keys[i], published.items[i]));
    return {{"name", name}, {"kind", "list"}, {"items", items}, {"total", FigureJson(published.total)}};
}

nlohmann::json CountsSection(const std::string& name,
                             const std::vector<std::string>& keys,
                             const std::vector<std::int64_t>& counts,
                             const DisclosureRules& rules) {
    nlohmann::json items = nlohmann::json::array();
    for (size_t i = 0; i < keys.size(); ++i) items.push_back(KeyedFigure(keys[i], reports::PublishCount(counts[i], rules)));
    return {{"name", name}, {"kind", "counts"}, {"items", items}};
}

nlohmann::json TableJson(const std::string& name,
                         const std::vector<std::string>& rows,
                         const std::vector<std::string>& columns,
                         const reports::PublishedTable& published) {
    nlohmann::json cells = nlohmann::json::array();
    for (const auto& row : published.cells) {
        nlohmann::json out = nlohmann::json::array();
        for (const auto& f : row) out.push_back(FigureJson(f));
        cells.push_back(out);
    }
    nlohmann::json row_totals = nlohmann::json::array(), column_totals = nlohmann::json::array();
    for (const auto& f : published.row_totals) row_totals.push_back(FigureJson(f));
    for (const auto& f : published.column_totals) column_totals.push_back(FigureJson(f));
    return {{"name", name},         {"kind", "table"},
            {"rows", rows},         {"columns", columns},
            {"cells", cells},       {"row_totals", row_totals},
            {"column_totals", column_totals}, {"total", FigureJson(published.total)}};
}

nlohmann::json TableSection(const std::string& name,
                            const std::vector<std::string>& rows,
                            const std::vector<std::string>& columns,
                            const reports::CountTable& counts,
                            const DisclosureRules& rules,
                            const std::vector<std::vector<bool>>& structural = {}) {
    return TableJson(name, rows, columns, reports::PublishTable(counts, rules, structural));
}

// A rate or a time derived from published figures: shown only when what it rests on is shown.
nlohmann::json Derived(const std::string& key, std::optional<double> value, const char* unit) {
    return {{"key", key},
            {"value", value ? nlohmann::json(*value) : nlohmann::json()},
            {"suppressed", !value.has_value()},
            {"unit", unit}};
}

// A fraction of two published counts (never of the true ones), to two places.
std::optional<double> Rate(const Figure& part, const Figure& whole) {
    if (!part.value || !whole.value || *whole.value == 0) return std::nullopt;
    return std::round(100.0 * static_cast<double>(*part.value) / static_cast<double>(*whole.value)) / 100.0;
}

// A mean of seconds over `n` (shown when the count it is over is shown), rounded to the rounding step in seconds.
std::optional<double> MeanSeconds(std::int64_t total_s, std::int64_t n, const Figure& over, const DisclosureRules& rules) {
    if (!over.value || n <= 0) return std::nullopt;
    const auto mean = static_cast<std::int64_t>(std::llround(static_cast<double>(total_s) / static_cast<double>(n)));
    return static_cast<double>(reports::RoundToNearest(std::max<std::int64_t>(mean, 0), rules.rounding));
}

nlohmann::json Facts(const store::ContactRow& row) {
    auto facts = nlohmann::json::parse(row.facts_json, nullptr, false);
    return facts.is_object() ? facts : nlohmann::json::object();
}

std::int64_t Seconds(const nlohmann::json& call, const char* key) {
    if (call.is_object() && call.contains(key) && call[key].is_number_integer()) return call[key].get<std::int64_t>();
    return -1;
}

struct CallTally {
    std::int64_t answered = 0, abandoned = 0, overflowed = 0, other = 0;
    std::int64_t within_20s = 0, within_60s = 0;
    std::int64_t answer_wait_ms = 0;
    std::int64_t longest_wait_s = 0;
    std::int64_t abandoned_wait_s = 0, abandoned_with_wait = 0;
    std::int64_t talk_s = 0, talked = 0;
    std::int64_t within_target = 0;          // answered within the line's staffing target_s
    std::int64_t wrap_up_ms = 0, wrapped = 0;  // closed calls: from the call's end to the counsellor's close
};

constexpr TimeMs kLongestWrapUpMs = 2 * 60 * 60 * kSecondMs;  // as the staffing plan counts it

void Tally(CallTally& t, const store::ContactRow& row, const nlohmann::json& facts, TimeMs target_ms) {
    const nlohmann::json call = facts.value("call", nlohmann::json::object());
    const std::string end = call.is_object() && call.contains("end_reason") && call["end_reason"].is_string()
                                ? call["end_reason"].get<std::string>()
                                : "";
    const std::int64_t wait_s = Seconds(call, "queue_wait_s");
    if (wait_s > t.longest_wait_s) t.longest_wait_s = wait_s;
    if (row.answered_at && !row.counsellor_id.empty()) {
        ++t.answered;
        const TimeMs wait = *row.answered_at - row.arrived_at;
        t.answer_wait_ms += wait;
        if (wait <= 20 * kSecondMs) ++t.within_20s;
        if (wait <= 60 * kSecondMs) ++t.within_60s;
        if (wait <= target_ms) ++t.within_target;
        // Wrap-up: from the call's end to the counsellor's close (the contact's last change), at most 2 hours.
        if (row.status == "closed" && row.ended_at) {
            t.wrap_up_ms += std::clamp<TimeMs>(row.updated_at - *row.ended_at, 0, kLongestWrapUpMs);
            ++t.wrapped;
        }
        if (const auto talk = Seconds(call, "talk_s"); talk >= 0) {
            t.talk_s += talk;
            ++t.talked;
        }
    } else if (end == "abandoned") {
        ++t.abandoned;
        if (wait_s >= 0) {
            t.abandoned_wait_s += wait_s;
            ++t.abandoned_with_wait;
        }
    } else if (end == "overflowed") {
        ++t.overflowed;
    } else {
        ++t.other;
    }
}

// The rows and columns of the hour tables, on the UK's clock.
const std::vector<std::string>& DayNames() {
    static const std::vector<std::string> kDays = {"monday", "tuesday", "wednesday", "thursday",
                                                   "friday", "saturday", "sunday"};
    return kDays;
}

const std::vector<std::string>& HourNames() {
    static const std::vector<std::string> kHours = [] {
        std::vector<std::string> out;
        for (int h = 0; h < 24; ++h) out.push_back((h < 10 ? "0" : "") + std::to_string(h) + ":00");
        return out;
    }();
    return kHours;
}

// A day or a week carries no breakdown (its figures are line-wide): the hours are for months, quarters and years.
bool BreaksDownByHour(const Period& period) {
    return period.kind != PeriodKind::kDay && period.kind != PeriodKind::kWeek;
}

nlohmann::json ServiceLevels(const std::vector<store::ContactRow>& contacts,
                             const Period& period,
                             const StaffingTarget& target,
                             const DisclosureRules& rules) {
    CallTally t;
    // Calls offered by hour of the day (UK clock), split as the `calls` list is: answered, abandoned, overflowed,
    // other; so each hour's total is its calls offered.
    reports::CountTable by_hour(24, std::vector<std::int64_t>(4, 0));
    for (const auto& row : contacts) {
        const auto facts = Facts(row);
        if (facts.value("channel", "") != "phone") continue;
        // A call interrupted by the counsellor's connection and carried on to the next counsellor is one offered
        // call: its first contact counts it (answer, wait, talk so far); the contact it continues in does not.
        const auto call = facts.value("call", nlohmann::json::object());
        if (call.is_object() && call.contains("continues") && call["continues"].is_string()) continue;
        const CallTally before = t;
        Tally(t, row, facts, target.target_s * kSecondMs);
        const size_t kind = t.answered > before.answered     ? 0
                            : t.abandoned > before.abandoned   ? 1
                            : t.overflowed > before.overflowed ? 2
                                                               : 3;
        by_hour[static_cast<size_t>(staffing::UkDayAndHour(row.arrived_at).hour)][kind] += 1;
    }
    auto calls = ListSection("calls", {"answered", "abandoned", "overflowed", "other"},
                             {t.answered, t.abandoned, t.overflowed, t.other}, rules);
    const auto published = reports::PublishList({t.answered, t.abandoned, t.overflowed, t.other}, rules);
    const Figure& offered = published.total;
    const Figure& answered = published.items[0];
    const Figure& abandoned = published.items[1];
    const Figure within_20 = reports::PublishCount(t.within_20s, rules);
    const Figure within_60 = reports::PublishCount(t.within_60s, rules);
    const Figure talked = reports::PublishCount(t.talked, rules);
    const Figure abandoned_with_wait = reports::PublishCount(t.abandoned_with_wait, rules);
    const Figure within_target = reports::PublishCount(t.within_target, rules);
    const Figure wrapped = reports::PublishCount(t.wrapped, rules);
    nlohmann::json figures = nlohmann::json::array();
    figures.push_back(KeyedFigure("answered_within_20s", within_20));
    figures.push_back(KeyedFigure("answered_within_60s", within_60));
    figures.push_back(Derived("answer_rate", Rate(answered, offered), "fraction"));
    figures.push_back(Derived("service_level_20s", Rate(within_20, offered), "fraction"));
    figures.push_back(Derived("service_level_60s", Rate(within_60, offered), "fraction"));
    // The line's own target (its staffing target: answered within target_s, service_level_percent of calls).
    figures.push_back(KeyedFigure("answered_within_target", within_target));
    figures.push_back(Derived("service_level_target", Rate(within_target, offered), "fraction"));
    figures.push_back(Derived("average_speed_of_answer_s",
                              MeanSeconds((t.answer_wait_ms + kSecondMs / 2) / kSecondMs, t.answered, answered, rules),
                              "seconds"));
    figures.push_back(Derived("average_wait_before_abandoning_s",
                              abandoned.value ? MeanSeconds(t.abandoned_wait_s, t.abandoned_with_wait,
                                                            abandoned_with_wait, rules)
                                              : std::nullopt,
                              "seconds"));
    figures.push_back(Derived("longest_wait_s",
                              offered.value ? std::optional<double>(static_cast<double>(
                                                  reports::RoundToNearest(t.longest_wait_s, rules.rounding)))
                                            : std::nullopt,
                              "seconds"));
    figures.push_back(Derived("average_talk_s", MeanSeconds(t.talk_s, t.talked, talked, rules), "seconds"));
    figures.push_back(Derived("average_wrap_up_s",
                              MeanSeconds((t.wrap_up_ms + kSecondMs / 2) / kSecondMs, t.wrapped, wrapped, rules),
                              "seconds"));
    for (auto& f : figures) {
        if (!f.contains("unit")) f["unit"] = "count";
    }
    auto sections = nlohmann::json::array({calls, {{"name", "timings"}, {"kind", "figures"}, {"items", figures}}});
    if (BreaksDownByHour(period)) {
        sections.push_back(TableSection("calls_by_hour_of_day", HourNames(),
                                        {"answered", "abandoned", "overflowed", "other"}, by_hour, rules));
    }
    return sections;
}

// Counts kept after retention for the months of `period` (month, quarter and year periods only), by key.
std::map<std::string, std::int64_t> Retained(const std::vector<store::RetainedCountRow>& kept, const Period& period) {
    std::map<std::string, std::int64_t> out;
    if (period.kind == PeriodKind::kDay || period.kind == PeriodKind::kWeek) return out;
    for (const auto& k : kept) {
        auto month = reports::ParsePeriod(k.month);
        if (month && month->kind == PeriodKind::kMonth && month->from >= period.from && month->from < period.to) {
            out[k.key] += k.count;
        }
    }
    return out;
}

std::vector<std::int64_t> CountCodes(const std::vector<store::ContactRow>& contacts,
                                     const std::map<std::string, std::int64_t>& kept,
                                     const std::vector<std::string>& codes,
                                     const char* facts_key,
                                     const std::string& kept_prefix,
                                     bool exclusive);

// The force groups of the demand report: one per region of the demand table's rows (not_recorded last), each the
// region's forces in the reference list's order and then not_recorded (a contact of the region whose force is not
// known to the report: not given, or given before it was sealed on its own).
std::vector<std::vector<std::string>> ForcesByRegion(const std::vector<std::string>& regions) {
    std::vector<std::vector<std::string>> out(regions.size());
    for (const auto& f : reference::Forces()) {
        const auto it = std::find(regions.begin(), regions.end(), f.region);
        if (it != regions.end()) out[static_cast<size_t>(it - regions.begin())].push_back(f.code);
    }
    for (auto& forces : out) forces.emplace_back(kNotRecorded);
    return out;
}

// Contacts by force, for a whole month only: each region's contacts (the demand table's row) split by the force
// opened from its sealed form (records/sealed_force.hpp) with the line's key, the months past retention from their
// kept "region_force:" counts (what a region's kept count has beyond them is its not_recorded). Published nested
// under the region totals the demand table publishes (reports::PublishNested), with the same figures.
class ForceCounts {
public:
    explicit ForceCounts(const std::vector<std::string>& regions)
        : regions_(regions), forces_(ForcesByRegion(regions)), counts_(regions.size()) {
        for (size_t r = 0; r < regions.size(); ++r) counts_[r].assign(forces_[r].size(), 0);
    }

    // One contact of region row `r`, with its `facts`.
    void AddContact(size_t r, const store::ContactRow& row, const nlohmann::json& facts, const crypto::SecretKey& key) {
        auto force = OpenForce(key, row, facts);
        // Contacts stored before the force was sealed still hold it as a clear fact.
        if (!force && facts.contains("force") && facts["force"].is_string()) force = facts["force"];
        Add(r, force ? *force : kNotRecorded, 1);
    }

    void AddKept(const std::map<std::string, std::int64_t>& kept) {
        const std::string role_prefix = "region_role:", force_prefix = "region_force:";
        std::vector<std::int64_t> kept_region(regions_.size(), 0), kept_forces(regions_.size(), 0);
        for (const auto& [key, n] : kept) {
            const bool by_role = key.rfind(role_prefix, 0) == 0, by_force = key.rfind(force_prefix, 0) == 0;
            if (!by_role && !by_force) continue;
            const size_t from = (by_role ? role_prefix : force_prefix).size(), bar = key.find('|', from);
            if (bar == std::string::npos) continue;
            const size_t r = Slot(regions_, nlohmann::json(key.substr(from, bar - from)));
            if (by_role) {
                kept_region[r] += n;
            } else {
                Add(r, key.substr(bar + 1), n);
                kept_forces[r] += n;
            }
        }
        // Months purged before forces were kept: their region's contacts count as not_recorded.
        for (size_t r = 0; r < regions_.size(); ++r) {
            if (kept_region[r] > kept_forces[r]) counts_[r].back() += kept_region[r] - kept_forces[r];
        }
    }

    nlohmann::json Section(const reports::PublishedTable& region_table, const DisclosureRules& rules) const {
        const auto published =
            reports::PublishNested(counts_, region_table.row_totals, rules, /*last_is_remainder=*/true);
        nlohmann::json groups = nlohmann::json::array();
        for (size_t r = 0; r < regions_.size(); ++r) {
            nlohmann::json items = nlohmann::json::array();
            for (size_t i = 0; i < forces_[r].size(); ++i) items.push_back(KeyedFigure(forces_[r][i], published[r][i]));
            groups.push_back(
                {{"key", regions_[r]}, {"items", items}, {"total", FigureJson(region_table.row_totals[r])}});
        }
        return {{"name", "contacts_by_force"},
                {"kind", "groups"},
                {"groups", groups},
                {"total", FigureJson(region_table.total)}};
    }

    // Contacts per 1,000 workforce of each force (every force, in the reference list's order): its published count
    // in Section above × 1,000 ÷ the workforce the operator entered, to two places; suppressed when the count is, or
    // no workforce is entered. From published figures only, so it gives away nothing Section does not.
    nlohmann::json PerThousandWorkforce(const reports::PublishedTable& region_table,
                                        const DisclosureRules& rules,
                                        const std::vector<ForceWorkforce>& workforce) const {
        const auto published =
            reports::PublishNested(counts_, region_table.row_totals, rules, /*last_is_remainder=*/true);
        nlohmann::json items = nlohmann::json::array();
        for (size_t r = 0; r < regions_.size(); ++r) {
            for (size_t i = 0; i + 1 < forces_[r].size(); ++i) {  // the last is the region's not_recorded
                std::optional<double> rate;
                for (const auto& w : workforce) {
                    if (w.force == forces_[r][i] && published[r][i].value) {
                        rate = std::round(100000.0 * static_cast<double>(*published[r][i].value) /
                                          static_cast<double>(w.workforce)) /
                               100.0;
                    }
                }
                items.push_back(Derived(forces_[r][i], rate, "per_1000_workforce"));
            }
        }
        return {{"name", "contacts_by_force_per_1000_workforce"}, {"kind", "figures"}, {"items", items}};
    }

private:
    // A force not of region `r` (or not a force) counts as the region's not_recorded, so each region adds up.
    void Add(size_t r, const std::string& force, std::int64_t n) {
        const auto& codes = forces_[r];
        auto it = std::find(codes.begin(), codes.end(), force);
        counts_[r][it == codes.end() ? codes.size() - 1 : static_cast<size_t>(it - codes.begin())] += n;
    }

    const std::vector<std::string>& regions_;
    std::vector<std::vector<std::string>> forces_;
    std::vector<std::vector<std::int64_t>> counts_;
};

// Contacts by force are counted for a whole month only, and only once every contact's force is sealed on its own
// (records/force_backfill.hpp): until then the contacts not sealed yet would count as not_recorded.
bool CountsForces(const Period& period, bool forces_sealed) {
    return period.kind == PeriodKind::kMonth && forces_sealed;
}

nlohmann::json Demand(const std::vector<store::ContactRow>& contacts,
                      const std::map<std::string, std::int64_t>& kept,
                      const Period& period,
                      const LineConfig& line,
                      bool forces_sealed,
                      const crypto::SecretKey& line_key,
                      const DisclosureRules& rules) {
    const auto regions = WithNotRecorded(reference::RegionNames());
    const auto roles = WithNotRecorded(reference::CallerRoleCodes());
    reports::CountTable table(regions.size(), std::vector<std::int64_t>(roles.size(), 0));
    std::optional<ForceCounts> by_force;
    if (CountsForces(period, forces_sealed)) by_force.emplace(regions);
    for (const auto& row : contacts) {
        const auto facts = Facts(row);
        const size_t r = Slot(regions, facts.value("region", nlohmann::json()));
        table[r][Slot(roles, facts.value("caller_role", nlohmann::json()))] += 1;
        if (by_force) by_force->AddContact(r, row, facts, line_key);
    }
    for (size_t r = 0; r < regions.size(); ++r) {
        for (size_t c = 0; c < roles.size(); ++c) {
            if (auto it = kept.find("region_role:" + regions[r] + "|" + roles[c]); it != kept.end()) {
                table[r][c] += it->second;
            }
        }
    }
    // Contacts by hour of the week (UK clock): the ones held, and a purged month's from its kept counts.
    reports::CountTable by_hour(7, std::vector<std::int64_t>(24, 0));
    for (const auto& row : contacts) {
        const auto dh = staffing::UkDayAndHour(row.arrived_at);
        by_hour[static_cast<size_t>(dh.day)][static_cast<size_t>(dh.hour)] += 1;
    }
    for (int d = 0; d < 7; ++d) {
        for (int h = 0; h < 24; ++h) {
            const auto it = kept.find("day_hour:" + std::to_string(d) + "|" + std::to_string(h));
            if (it != kept.end()) by_hour[static_cast<size_t>(d)][static_cast<size_t>(h)] += it->second;
        }
    }
    const auto& categories = reference::SignpostingCategoryCodes();
    const auto region_table = reports::PublishTable(table, rules);
    auto sections = nlohmann::json::array(
        {TableJson("contacts_by_region_and_role", regions, roles, region_table),
         CountsSection("contacts_by_signposting_category", categories,
                       CountCodes(contacts, kept, categories, "signposting_categories", "signposting:", false), rules),
         TableSection("contacts_by_day_and_hour", DayNames(), HourNames(), by_hour, rules)});
    if (by_force) {
        by_force->AddKept(kept);
        sections.push_back(by_force->Section(region_table, rules));
        sections.push_back(by_force->PerThousandWorkforce(region_table, rules, line.force_workforce));
    }
    return sections;
}

// The column of the roll-out table a contact from `region` at `at` is in: 0 before the day the region began, 1
// since. A region with no start recorded (or no region recorded) counts as served throughout.
size_t RollOutColumn(const LineConfig& line, const std::string& region, TimeMs at) {
    for (const auto& start : line.region_starts) {
        if (start.region == region) return at >= start.began_at ? 1 : 0;
    }
    return 1;
}

// Demand per region before and since the day its calls began (LineConfig::region_starts), and contacts per 1,000
// workforce since then. A side of the start the period does not reach is a structural zero. Counts kept past
// retention are by month: a month counts as since the start when it begins on or after it.
nlohmann::json RollOut(const std::vector<store::ContactRow>& contacts,
                       const std::vector<store::RetainedCountRow>& kept,
                       const Period& period,
                       const LineConfig& line,
                       const DisclosureRules& rules) {
    const auto regions = WithNotRecorded(reference::RegionNames());
    const std::vector<std::string> columns = {"before_start", "since_start"};
    reports::CountTable table(regions.size(), std::vector<std::int64_t>(columns.size(), 0));
    std::vector<std::vector<bool>> structural(regions.size(), std::vector<bool>(columns.size(), false));
    for (size_t r = 0; r < regions.size(); ++r) {
        structural[r][0] = RollOutColumn(line, regions[r], period.from) == 1;
        structural[r][1] = RollOutColumn(line, regions[r], period.to - 1) == 0;
    }
    for (const auto& row : contacts) {
        const size_t r = Slot(regions, Facts(row).value("region", nlohmann::json()));
        table[r][RollOutColumn(line, regions[r], row.arrived_at)] += 1;
    }
    const std::string prefix = "region_role:";
    if (period.kind != PeriodKind::kDay && period.kind != PeriodKind::kWeek) {
        for (const auto& k : kept) {
            auto month = reports::ParsePeriod(k.month);
            if (!month || month->kind != PeriodKind::kMonth || month->from < period.from || month->from >= period.to ||
                k.key.rfind(prefix, 0) != 0) {
                continue;
            }
            const std::string region = k.key.substr(prefix.size(), k.key.find('|') - prefix.size());
            const size_t r = Slot(regions, nlohmann::json(region));
            table[r][RollOutColumn(line, regions[r], month->from)] += k.count;
        }
    }
    auto section = TableSection("contacts_by_region_and_start", regions, columns, table, rules, structural);
    nlohmann::json per_1000 = nlohmann::json::array();
    for (size_t r = 0; r + 1 < regions.size(); ++r) {
        std::optional<double> rate;
        for (const auto& start : line.region_starts) {
            const auto& since = section["cells"][r][1]["value"];
            if (start.region == regions[r] && start.workforce && since.is_number_integer()) {
                rate = std::round(100000.0 * since.get<double>() / static_cast<double>(*start.workforce)) / 100.0;
            }
        }
        per_1000.push_back(Derived(regions[r], rate, "per_1000_workforce"));
    }
    return nlohmann::json::array(
        {section, {{"name", "contacts_per_1000_workforce_since_start"}, {"kind", "figures"}, {"items", per_1000}}});
}

// A coded list's counts: `facts_key` is one code (exclusive, with not_recorded) or a list of codes.
std::vector<std::int64_t> CountCodes(const std::vector<store::ContactRow>& contacts,
                                     const std::map<std::string, std::int64_t>& kept,
                                     const std::vector<std::string>& codes,
                                     const char* facts_key,
                                     const std::string& kept_prefix,
                                     bool exclusive) {
    std::vector<std::int64_t> counts(codes.size(), 0);
    for (const auto& row : contacts) {
        const auto facts = Facts(row);
        const auto value = facts.value(facts_key, nlohmann::json());
        if (exclusive) {
            counts[Slot(codes, value)] += 1;
        } else if (value.is_array()) {
            std::vector<bool> seen(codes.size());
            for (const auto& v : value) {
                auto it = std::find(codes.begin(), codes.end(), v.is_string() ? v.get<std::string>() : "");
                if (it != codes.end()) seen[it - codes.begin()] = true;
            }
            for (size_t i = 0; i < codes.size(); ++i) counts[i] += seen[i] ? 1 : 0;
        }
    }
    for (size_t i = 0; i < codes.size(); ++i) {
        if (auto it = kept.find(kept_prefix + codes[i]); it != kept.end()) counts[i] += it->second;
    }
    return counts;
}

bool TakesDaysAndWeeks(const std::string& name) { return name == "service_levels"; }

nlohmann::json NotAvailable(const std::string& name, const Period& period, bool forces_sealed) {
    nlohmann::json out = nlohmann::json::array();
    auto add = [&](const char* figure, const char* reason) { out.push_back({{"figure", figure}, {"reason", reason}}); };
    if (name == "service_levels" && !BreaksDownByHour(period)) {
        add("calls_by_hour_of_day", "a day or a week carries no breakdown; the hours are for months, quarters and "
                                    "years");
    } else if (name == "demand") {
        if (period.kind != PeriodKind::kMonth) {
            add("contacts_by_force", "force-level figures are published for whole calendar months only; ask for "
                                     "each month of the period");
        } else if (!CountsForces(period, forces_sealed)) {
            add("contacts_by_force",
                "the upgrade that seals the force of contacts written before schema version 8 "
                "is still running (see the log); ask again when it is done");
        }
    } else if (name == "roll_out") {
        add("contacts_by_force", "the roll-out is recorded by region; contacts by force are in demand, by month");
    }
    return out;
}

}  // namespace

const std::vector<std::string>& ReportNames() {
    static const std::vector<std::string> kNames = {"service_levels", "demand",     "roll_out",    "themes", "outcomes",
                                                    "actions",        "follow_ups", "escalations", "survey"};
    return kNames;
}

reports::DisclosureRules RulesOf(const LineConfig& line) {
    auto rules = reports::CheckRules(line.disclosure_threshold, line.disclosure_rounding);
    return rules ? *rules : reports::kMinimumRules;
}

Result<void> CheckReportRequest(const std::string& name, const Period& period) {
    const auto& names = ReportNames();
    if (std::find(names.begin(), names.end(), name) == names.end()) {
        return Fail(ErrorCode::kNotFound, "report",
                    "is not a report; the reports are service_levels, demand, roll_out, themes, outcomes, actions, "
                    "follow_ups, escalations and survey");
    }
    if ((period.kind == PeriodKind::kDay || period.kind == PeriodKind::kWeek) && !TakesDaysAndWeeks(name)) {
        return Fail(ErrorCode::kInvalid, "period",
                    "must be a month, a quarter or a year for this report (days and weeks are for service_levels "
                    "only, which has no breakdown)");
    }
    return {};
}

Result<nlohmann::json> BuildReport(store::Store& store,
                                   const LineConfig& line,
                                   const std::string& name,
                                   const reports::Period& period,
                                   const crypto::SecretKey& line_key) {
    if (auto ok = CheckReportRequest(name, period); !ok) return tl::unexpected(ok.error());
    std::vector<store::ContactRow> contacts;
    std::vector<store::RetainedCountRow> kept_rows;
    std::vector<store::FollowUpRow> follow_ups;
    bool forces_sealed = true;  // demand: every contact's force is sealed on its own (the upgrade is done)
    std::vector<store::EscalationRow> escalations;
    auto read = store.Read([&](store::Tx& tx) -> Result<void> {
        if (name == "follow_ups") {
            auto f = tx.ListFollowUps(line.id, {});
            if (!f) return tl::unexpected(f.error());
            follow_ups = std::move(*f);
            return {};
        }
        if (name == "escalations") {
            auto e = tx.ListEscalations(line.id);
            if (!e) return tl::unexpected(e.error());
            escalations = std::move(*e);
            return {};
        }
        if (name == "survey") {  // counts only: no contact is read
            auto k = tx.ListRetainedCounts(line.id);
            if (!k) return tl::unexpected(k.error());
            kept_rows = std::move(*k);
            return {};
        }
        if (name == "demand") {
            auto done = tx.UpgradeDone(kForceUpgrade);
            if (!done) return tl::unexpected(done.error());
            forces_sealed = *done;
        }
        auto c = tx.ListContactFacts(line.id, period.from, period.to);
        if (!c) return tl::unexpected(c.error());
        contacts = std::move(*c);
        auto k = tx.ListRetainedCounts(line.id);
        if (!k) return tl::unexpected(k.error());
        kept_rows = std::move(*k);
        return {};
    });
    if (!read) return tl::unexpected(read.error());
    const auto rules = RulesOf(line);
    const auto kept = Retained(kept_rows, period);
    nlohmann::json sections;
    // A call carried on to another counsellor is one contact in every count (service_levels does it itself,
    // with the first contact's timings).
    if (name != "service_levels") contacts = OneRowPerCall(std::move(contacts));
    if (name == "service_levels") {
        sections = ServiceLevels(contacts, period, line.staffing, rules);
    } else if (name == "demand") {
        sections = Demand(contacts, kept, period, line, forces_sealed, line_key, rules);
    } else if (name == "roll_out") {
        sections = RollOut(contacts, kept_rows, period, line, rules);
    } else if (name == "themes") {
        const auto& codes = reference::ThemeCodes();
        sections = {CountsSection("contacts_by_theme", codes, CountCodes(contacts, kept, codes, "themes", "theme:", false),
                                  rules)};
    } else if (name == "outcomes") {
        const auto codes = WithNotRecorded(reference::OutcomeCodes());
        const auto& bands = DistressChangeBands();
        std::vector<std::int64_t> changes;
        for (const auto& band : bands) {
            auto it = kept.find("distress_change:" + band);
            changes.push_back(it == kept.end() ? 0 : it->second);
        }
        sections = {ListSection("contacts_by_outcome", codes,
                                CountCodes(contacts, kept, codes, "outcome", "outcome:", true), rules),
                    ListSection("distress_change_over_call", bands, changes, rules)};
    } else if (name == "actions") {
        const auto& codes = reference::ActionCodes();
        sections = {CountsSection("contacts_by_action", codes,
                                  CountCodes(contacts, kept, codes, "actions", "action:", false), rules)};
    } else if (name == "survey") {
        // The post-call survey's answers, kept only as counts per month (CallLog::SurveyAnswered).
        auto counted = [&](const std::vector<std::string>& answers, const std::string& prefix) {
            std::vector<std::int64_t> counts;
            for (const auto& a : answers) {
                auto it = kept.find("survey:" + prefix + a);
                counts.push_back(it == kept.end() ? 0 : it->second);
            }
            return counts;
        };
        const std::vector<std::string> helped = {"1", "2", "3", "4", "5"};
        const std::vector<std::string> again = {"yes", "no"};
        sections = {ListSection("did_the_call_help",
                                {"1_not_at_all", "2", "3", "4", "5_very_much"}, counted(helped, "helped:"), rules),
                    ListSection("would_call_again", again, counted(again, "call_again:"), rules)};
    } else if (name == "follow_ups") {
        const auto& statuses = FollowUpStatuses();
        std::vector<std::int64_t> counts(statuses.size(), 0);
        for (const auto& f : follow_ups) {
            if (f.created_at < period.from || f.created_at >= period.to) continue;
            auto it = std::find(statuses.begin(), statuses.end(), f.status);
            if (it != statuses.end()) counts[it - statuses.begin()] += 1;
        }
        sections = {ListSection("follow_ups_by_status", statuses, counts, rules)};
    } else {
        const auto& services = reference::EmergencyServiceCodes();
        std::vector<std::int64_t> counts(services.size(), 0);
        for (const auto& e : escalations) {
            if (e.raised_at < period.from || e.raised_at >= period.to) continue;
            auto it = std::find(services.begin(), services.end(), e.emergency_service);
            if (it != services.end()) counts[it - services.begin()] += 1;
        }
        sections = {ListSection("escalations_by_service", services, counts, rules)};
    }
    nlohmann::json report{
        {"line_id", line.id},
        {"report", name},
        {"period",
         {{"label", period.label},
          {"kind", reports::PeriodKindName(period.kind)},
          {"from", FormatTime(period.from)},
          {"to", FormatTime(period.to)}}},
        {"disclosure",
         {{"threshold", rules.threshold},
          {"rounding", rules.rounding},
          {"suppressed_shown_as", "null (CSV: suppressed); a zero is shown the same way"}}},
        {"sections", sections},
        {"not_available", NotAvailable(name, period, forces_sealed)}};
    if (name == "roll_out") report["region_starts"] = RegionStartsJson(line.region_starts);
    if (name == "service_levels") {  // what answered_within_target and service_level_target are measured against
        report["target"] = {{"target_s", line.staffing.target_s},
                            {"service_level_percent", line.staffing.service_level_percent}};
    }
    return report;
}

namespace {

std::string CsvField(const std::string& s) {
    if (s.find_first_of(",\"\n\r") == std::string::npos) return s;
    std::string out = "\"";
    for (char ch : s) {
        if (ch == '"') out += '"';
        out += ch;
    }
    return out + "\"";
}

std::string CsvValue(const nlohmann::json& figure) {
    if (figure.value("suppressed", false)) return "suppressed";
    if (figure.value("not_applicable", false)) return "not_applicable";
    const auto& v = figure["value"];
    if (v.is_number_integer()) return std::to_string(v.get<std::int64_t>());
    std::ostringstream out;
    out << v.get<double>();
    return out.str();
}

}  // namespace

std::string ReportCsv(const nlohmann::json& report) {
    std::string out = "section,row,column,value\r\n";
    auto line = [&](const std::string& section, const std::string& row, const std::string& column,
                    const nlohmann::json& figure) {
        out += CsvField(section) + "," + CsvField(row) + "," + CsvField(column) + "," + CsvValue(figure) + "\r\n";
    };
    for (const auto& s : report["sections"]) {
        const std::string name = s["name"];
        if (s["kind"] == "table") {
            for (size_t r = 0; r < s["rows"].size(); ++r) {
                for (size_t c = 0; c < s["columns"].size(); ++c) line(name, s["rows"][r], s["columns"][c], s["cells"][r][c]);
                line(name, s["rows"][r], "total", s["row_totals"][r]);
            }
            for (size_t c = 0; c < s["columns"].size(); ++c) line(name, "total", s["columns"][c], s["column_totals"][c]);
            line(name, "total", "total", s["total"]);
            continue;
        }
        if (s["kind"] == "groups") {  // row: the group (a region), column: the item (a force)
            for (const auto& g : s["groups"]) {
                for (const auto& item : g["items"]) line(name, g["key"], item["key"], item);
                line(name, g["key"], "total", g["total"]);
            }
            line(name, "total", "total", s["total"]);
            continue;
        }
        for (const auto& item : s["items"]) line(name, item["key"], "", item);
        if (s.contains("total")) line(name, "total", "", s["total"]);
    }
    return out;
}

Result<LineConfig> Reports::Admit(const staff::Principal& who,
                                  const std::string& line_id,
                                  const std::string& record,
                                  TimeMs& retry_after) {
    const TimeMs now = s_.clock.Now();
    if (const TimeMs wait = allowance_.Take(who.staff_id, now); wait > 0) {
        retry_after = wait;
        return Fail(ErrorCode::kThrottled, "report",
                    "too many report requests in the last hour; try again in " + std::to_string((wait + 999) / 1000) +
                        " s");
    }
    auto line_row = ReadOne<std::optional<store::LineRow>>(s_.store, [&](store::Tx& tx) { return tx.GetLine(line_id); });
    if (!line_row) return tl::unexpected(line_row.error());
    if (!*line_row) return Fail(ErrorCode::kNotFound, "line", "no line with this id");
    auto line = LineFromRow(**line_row);
    if (!line) return tl::unexpected(line.error());
    auto audited = s_.writer.Run([&](store::Tx& tx) -> Result<void> {
        return writer::AppendAudit(tx, now, {who.staff_id, "report.read", line_id, "report", record, "reporting"});
    });
    if (!audited) return tl::unexpected(audited.error());
    return line;
}

Result<nlohmann::json> Reports::Run(const staff::Principal& who,
                                    const std::string& line_id,
                                    const std::string& name,
                                    const std::string& period_text,
                                    TimeMs& retry_after) {
    retry_after = 0;
    auto period = reports::ParsePeriod(period_text);
    if (!period) return tl::unexpected(period.error());
    if (auto ok = CheckReportRequest(name, *period); !ok) return tl::unexpected(ok.error());
    auto line = Admit(who, line_id, name + "/" + period->label, retry_after);
    if (!line) return tl::unexpected(line.error());
    auto key = s_.keys.Line(line_id);  // the forces are counted from their sealed form
    if (!key) return tl::unexpected(key.error());
    return BuildReport(s_.store, *line, name, *period, **key);
}

Result<nlohmann::json> Reports::RunPack(const staff::Principal& who,
                                        const std::string& line_id,
                                        const std::string& period_text,
                                        TimeMs& retry_after) {
    retry_after = 0;
    auto period = reports::ParsePeriod(period_text);
    if (!period) return tl::unexpected(period.error());
    if (period->kind != reports::PeriodKind::kMonth) {
        return Fail(ErrorCode::kInvalid, "period", "the funder pack is monthly: a calendar month such as 2026-05");
    }
    auto line = Admit(who, line_id, "pack/" + period->label, retry_after);
    if (!line) return tl::unexpected(line.error());
    auto key = s_.keys.Line(line_id);  // the forces are counted from their sealed form
    if (!key) return tl::unexpected(key.error());
    nlohmann::json reports = nlohmann::json::array();
    for (const std::string& name : ReportNames()) {
        auto report = BuildReport(s_.store, *line, name, *period, **key);
        if (!report) return tl::unexpected(report.error());
        reports.push_back(std::move(*report));
    }
    nlohmann::json pack = {{"line_id", line->id}, {"line_name", line->name}};
    pack["period"] = reports.front()["period"];
    pack["disclosure"] = reports.front()["disclosure"];
    pack["reports"] = std::move(reports);
    return pack;
}

}  // namespace crisisline::records
