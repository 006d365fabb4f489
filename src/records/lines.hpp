#pragma once

#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/fields.hpp"
#include "records/services.hpp"

namespace crisisline::records {

// How a line's calls are offered to counsellors (carried out by telephony and acd).
// Documented, with the ranges LineFromFields enforces, in docs/api.md.
struct PhoneRouting {
    std::string strategy = "longest_idle";           // "longest_idle" | "ring_all"
    int ring_timeout_s = 20;                          // 5..300: unanswered this long, offer to the next
    int wrap_up_s = 60;                               // 0..3600: after a call, before the next is offered
    int wrap_up_after_concern_s = 300;                // 0..7200: the same after a call with cause for concern
    std::optional<int> overflow_after_s = 120;        // 10..3600 in the queue, then overflow; nullopt = never
    std::string overflow_to;                          // "" none, "line:<line id>" or a partner's "sip:..." URI
    std::optional<int> announce_every_s = 45;         // 10..600 between queue announcements; nullopt = none
    // Every leg of the line's calls encrypted: calls over plain SIP or RTP are refused (488), only counsellors
    // whose phone's leg is encrypted are rung, follow-ups go out over TLS with SRTP, and an overflow_to URI
    // must be sips: (or transport=tls).
    bool every_leg_encrypted = false;
};

// The line's staffing target (staffing::Target in whole numbers): the share of calls to answer within target_s,
// the most any counsellor should be kept busy, the share of rostered time not on the phones (breaks, training,
// sickness) and the fewest on the phones at any time. Ranges (enforced by LineFromFields) in docs/api.md.
struct StaffingTarget {
    int service_level_percent = 90;  // 1..99
    int target_s = 20;               // 0..3600
    int max_occupancy_percent = 85;  // 1..100
    int shrinkage_percent = 30;      // 0..89
    int min_counsellors = 1;         // 0..1000
};

// One region a line serves and since when: the roll-out from pilot to national, reported by "roll_out"
// (records/reports.hpp). The workforce is entered by the operator (the people in the region the line is for), for
// contacts per 1,000 workforce. Not personal data.
struct RegionStart {
    std::string region;                     // a reference::RegionNames() entry, e.g. "North East"
    std::string began;                      // "YYYY-MM-DD", the first day the region's calls were taken
    TimeMs began_at = 0;                    // 00:00 UTC of that day
    std::optional<std::int64_t> workforce;  // 1..10,000,000; nullopt when not entered
    std::string workforce_source;           // where the figure comes from, up to 200 characters; "" when not given
};

constexpr size_t kMaxRegionStarts = 16;

// The workforce of one force, entered by the operator, for the monthly contacts per 1,000 workforce by force
// (records/reports.hpp, "demand"). Not personal data.
struct ForceWorkforce {
    std::string force;            // a reference::ForceCodes() entry, e.g. "cleveland_police"
    std::int64_t workforce = 0;   // 1..10,000,000
    std::string workforce_source;  // where the figure comes from, up to 200 characters; "" when not given
};

constexpr size_t kMaxForceWorkforces = 64;

// A service outside this one that a counsellor may bring into a call (a three-party conference) or that a REFER
// may name: an emergency service or a partner service, set by an administrator per line. Only these may be
// dialled from a call; the caller's number is never sent to them (the caller ID is the line's number).
struct ExternalTarget {
    std::string id;    // slug, unique within the line, e.g. "ambulance"
    std::string name;  // what the console shows, e.g. "Ambulance service (999)"
    std::string uri;   // "sip:" or "sips:" URI it is dialled at; sips: or transport=tls under every_leg_encrypted
    std::string kind;  // "emergency" (dialled only once an escalation is recorded on the call) or "partner"
};

constexpr size_t kMaxTransferTargets = 16;

// A line's configuration. Not personal data: kept in clear.
struct LineConfig {
    std::string id;    // short slug, e.g. "police"
    std::string name;  // "Police Mental Health Crisis Line"
    std::string name_cy;  // the name in Welsh, for the Welsh public page; "" when not given (the name is shown)
    std::vector<std::string> numbers;    // public numbers, E.164
    std::string hours = "24/7/365";      // opening hours as shown to the public
    bool always_open = true;
    std::vector<std::string> regions;    // regions served; "national" for everywhere
    std::vector<std::string> languages = {"en", "cy"};
    std::int64_t retention_days = 1095;  // contacts older than this are crypto-shredded by `purge`
    std::int64_t follow_up_max_attempts = 3;
    std::int64_t follow_up_max_days = 7;  // a follow-up unanswered this long after its window opens is closed unreachable
    std::string audience = "police officers and staff";  // who the line is for, for the public page
    std::string audience_cy;  // the same in Welsh; "" when not given
    PhoneRouting routing;  // the optional "routing" object; defaults when absent
    StaffingTarget staffing;  // the optional "staffing" object; defaults when absent
    // Disclosure control of the line's reports (records/reports.hpp): counts 0..threshold suppressed, the rest
    // rounded to a multiple of rounding. The optional "disclosure" object; never below 7 and 5.
    std::int64_t disclosure_threshold = 7;
    std::int64_t disclosure_rounding = 5;
    // The optional "region_starts" list (each region once); empty when the roll-out is not recorded. An update that
    // gives the list replaces it whole.
    std::vector<RegionStart> region_starts;
    // The optional "force_workforce" list (each force once); empty when none is entered. An update that gives the
    // list replaces it whole.
    std::vector<ForceWorkforce> force_workforce;
    // The post-call survey ("post_call_survey", off unless set): when the counsellor hangs up first, a caller who
    // stays on hears two questions answered with the keypad; only counts per line, month and answer are kept.
    bool post_call_survey = false;
    // The optional "transfer_targets" list (ids unique): the external services the line's calls may reach. An
    // update that gives the list replaces it whole.
    std::vector<ExternalTarget> transfer_targets;
};

// Limits (documented in docs/api.md).
constexpr size_t kMaxLineName = 120;
constexpr size_t kMaxLineNumbers = 8;

constexpr size_t kMaxOverflowTo = 256;

// Reads a line from a create (`existing` == nullptr) or update request. In an update,
// the fields present in "routing" replace those stored; the others are kept.
Result<LineConfig> LineFromFields(const Fields& f, const LineConfig* existing);
nlohmann::json LineJson(const LineConfig& line);
// What the public information page may show of a line: {id, name, name_cy, numbers, hours, always_open, languages,
// regions, audience, audience_cy}; nothing about routing, retention or follow-ups.
nlohmann::json PublicLineJson(const LineConfig& line);
nlohmann::json RoutingJson(const PhoneRouting& routing);
nlohmann::json StaffingTargetJson(const StaffingTarget& target);
nlohmann::json RegionStartsJson(const std::vector<RegionStart>& starts);
nlohmann::json ForceWorkforceJson(const std::vector<ForceWorkforce>& forces);
nlohmann::json TransferTargetsJson(const std::vector<ExternalTarget>& targets);
Result<LineConfig> LineFromRow(const store::LineRow& row);

// Lines: creating one also creates its key-encryption key. Blocking; thread-safe.
class Lines {
public:
    explicit Lines(Services services) : s_(services) {}

    Result<LineConfig> Create(const Fields& f, const std::string& actor);
    Result<LineConfig> Update(const std::string& id, const Fields& f, const std::string& actor);
    Result<LineConfig> Get(const std::string& id);
    Result<std::vector<LineConfig>> List();

private:
    Services s_;
};

}  // namespace crisisline::records
