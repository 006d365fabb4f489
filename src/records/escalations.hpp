#pragma once

#include <string>

#include <nlohmann/json.hpp>

#include "core/fields.hpp"
#include "records/services.hpp"
#include "staff/principal.hpp"

namespace crisisline::records {

// Emergency escalation: the one path by which identifying details may leave the
// service, when there is an imminent risk to life. Each is recorded (who, when,
// why, which emergency service, which supervisor was alerted), flags the contact
// as imminent risk, and is in the audit log. Blocking; thread-safe.
class Escalations {
public:
    explicit Escalations(Services services) : s_(services) {}

    // body: emergency_service, reason, disclosed (what was passed on), supervisor_id
    // (an active supervisor of this line).
    Result<nlohmann::json> Raise(const staff::Principal& who,
                                 const std::string& line_id,
                                 const std::string& contact_id,
                                 const Fields& body);
    // The register: who, when, service, supervisor; no reasons (read one to see them).
    Result<nlohmann::json> List(const std::string& line_id);
    // One escalation with its reason and disclosure; audited.
    Result<nlohmann::json> Read(const staff::Principal& who, const std::string& line_id, const std::string& id);

private:
    Services s_;
};

}  // namespace crisisline::records
