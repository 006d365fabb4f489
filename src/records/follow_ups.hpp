#pragma once

#include <functional>
#include <string>

#include <nlohmann/json.hpp>

#include "core/fields.hpp"
#include "records/services.hpp"
#include "staff/principal.hpp"

namespace crisisline::records {

// Follow-up calls, scheduled when there is cause for concern and the caller consents.
// The consented number is sealed, and shredded (its data key erased) as soon as the
// follow-up closes: completed, unreachable or cancelled. Blocking; thread-safe.
class FollowUps {
public:
    explicit FollowUps(Services services) : s_(services) {}

    // body: earliest, latest, method (phone|sms), number, consent (must be true), assigned_to (staff id or "pool"), notes.
    Result<nlohmann::json> Schedule(const staff::Principal& who,
                                    const std::string& line_id,
                                    const std::string& contact_id,
                                    const Fields& body);
    // Summaries (no number), earliest first; `statuses` empty for all.
    Result<nlohmann::json> List(const std::string& line_id, const std::vector<std::string>& statuses);
    // With the sealed details (number masked to its last three digits); audited ("follow_up.read").
    // Need to know: only the counsellor who holds it (assigned to them, or claimed from the pool) or a
    // supervisor of the line; anyone else gets kForbidden, audited as "follow_up.read_refused".
    Result<nlohmann::json> Read(const staff::Principal& who, const std::string& line_id, const std::string& id);
    // A counsellor takes a pool follow-up as theirs (assigned_to becomes their id); audited ("follow_up.claim").
    // Claiming one already theirs changes nothing. kForbidden for someone who is not a counsellor; kConflict
    // when another counsellor holds it or it is closed; kNotFound as Read.
    Result<nlohmann::json> Claim(const staff::Principal& who, const std::string& line_id, const std::string& id);
    // The consented number, for telephony to dial a follow-up call (it never goes back to
    // the browser). Audited as "follow_up.dial". Need to know: only for a follow-up assigned to `who` or still
    // in the pool (the caller claims it once the call starts); kForbidden, audited as "follow_up.dial_refused",
    // when another counsellor holds it. kConflict when the follow-up is closed or its consented method is not a
    // phone call; kNotFound as Read.
    Result<std::string> NumberToDial(const staff::Principal& who, const std::string& line_id, const std::string& id);
    // body: outcome (attempt outcome code), note. Completes on "spoke_with_caller"; unreachable
    // once the line's maximum attempts are used.
    Result<nlohmann::json> RecordAttempt(const staff::Principal& who,
                                         const std::string& line_id,
                                         const std::string& id,
                                         const Fields& body);
    Result<nlohmann::json> Cancel(const staff::Principal& who, const std::string& line_id, const std::string& id);

    // Moves every open follow-up of every line to its status at the clock's time
    // (see FollowUpStatusAt), shredding the number of any that became unreachable.
    // Returns how many changed. Run at start-up and periodically.
    Result<size_t> Tick();

private:
    Result<store::FollowUpRow> ReadIfAllowed(const staff::Principal& who,
                                             const std::string& line_id,
                                             const std::string& id,
                                             const std::function<Result<void>(const store::FollowUpRow&)>& may,
                                             const std::string& action);
    Result<nlohmann::json> Transition(const staff::Principal& who,
                                 const std::string& line_id,
                                 const std::string& id,
                                 const std::function<Result<std::string>(store::FollowUpRow&)>& decide,
                                 const std::string& action);

    Services s_;
};

nlohmann::json FollowUpJson(const store::FollowUpRow& row);

}  // namespace crisisline::records
