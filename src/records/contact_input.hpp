#pragma once

#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/fields.hpp"

namespace crisisline::records {

// Field limits for contacts (documented in docs/api.md).
constexpr size_t kMaxAddressedAs = 100;
constexpr size_t kMaxNote = 2000;       // sub-component notes, safety plan sections, reasons
constexpr size_t kMaxLongText = 8000;   // formulation, notes
constexpr size_t kMaxThemes = 20;
constexpr size_t kMaxSignposts = 20;

// A validated create or update request for a contact, split by how it is kept:
// `facts` are coded and kept in clear (they are counted for the funders);
// `content` is everything said or observed, and is sealed.
// Only the keys present in the request appear in each object.
struct ContactInput {
    nlohmann::json facts = nlohmann::json::object();
    nlohmann::json content = nlohmann::json::object();
    std::optional<TimeMs> arrived_at;
    std::optional<TimeMs> answered_at;
    std::optional<TimeMs> ended_at;
    std::optional<std::string> caller_number;  // only ever hashed
    std::optional<std::int64_t> version;
};

// Validates a request body. `creating` allows caller_number and arrived_at;
// updates require `version` (optimistic concurrency).
Result<ContactInput> ReadContactInput(const Fields& f, bool creating);

// The change in the caller's own distress rating over the call (0-10, asked by the counsellor at the start and
// the end; never a risk score, never used for routing), as the band the outcomes report counts: "better_by_3_or_more",
// "better_by_1_or_2", "no_change", "worse_by_1_or_2" or "worse_by_3_or_more" (a lower rating is less distress).
// REQUIRES: both in 0..10.
std::string DistressChangeBand(std::int64_t at_start, std::int64_t at_end);

// The bands in report order.
const std::vector<std::string>& DistressChangeBands();

// What must hold before a contact closes (wrap-up): an outcome and the caller's
// role; a member of the public is signposted; cause for concern has its reasons
// and a follow-up plan or scheduled follow-up. `has_follow_up` says whether one is scheduled.
Result<void> CheckReadyToClose(const nlohmann::json& facts, const nlohmann::json& content, bool has_follow_up);

}  // namespace crisisline::records
