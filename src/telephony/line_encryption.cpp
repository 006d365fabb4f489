// A line whose every leg must be encrypted (routing.every_leg_encrypted): its calls come in over SIP over TLS
// with SRTP or not at all, ring only phones whose leg would be encrypted, and go out over TLS with SRTP.
// And what the live picture shows of each bridged call's legs: flags only.
#include <spdlog/spdlog.h>

#include "telephony/callbacks.hpp"
#include "telephony/media_path.hpp"

namespace crisisline::telephony {

const char* LiveLegName(const Leg& leg) {
    if (leg.browser) return "dtls-srtp";
    return leg.srtp ? "srtp" : "rtp";
}

bool Switchboard::RefuseUnencryptedLine(const sip_msg* msg,
                                        const records::PhoneLine& line,
                                        const std::string& trunk_name,
                                        records::Encryption trunk_policy) {
    if (!line.routing.every_leg_encrypted) return false;
    std::string why;
    if (msg->tp != SIP_TRANSP_TLS) {
        why = "line " + line.id + " requires every leg encrypted: send calls over TLS (sips:, port " +
              std::to_string(tls_port_) + ") with SRTP (RTP/SAVP, a=crypto)";
    } else if (trunk_policy == records::Encryption::kOff) {
        why = "line " + line.id + " requires every leg encrypted, and trunk " + trunk_name +
              " has encryption \"off\": set it to \"preferred\" or \"required\"";
    } else {
        return false;
    }
    ++counters_.calls_refused;
    ++counters_.line_encryption_refused;
    spdlog::warn(
        "telephony: INVITE from trunk {} for line {} over {} refused 488: the line requires every leg "
        "encrypted",
        trunk_name, line.id, sip_transp_name(msg->tp));
    char host[80] = {};
    re_snprintf(host, sizeof host, "%j", &msg->dst);
    sip_treplyf(nullptr, nullptr, sip_, msg, false, 488, "Not Acceptable Here",
                "Warning: 399 %s \"%s\"\r\nContent-Length: 0\r\n\r\n", host, why.c_str());
    return true;
}

bool Switchboard::PhoneLegEncrypted(const std::string& username) const {
    auto binding = bindings_.find(username);
    if (binding == bindings_.end() || binding->second.expires_ms <= Now()) return false;
    if (binding->second.browser) return true;  // DTLS-SRTP, always
    auto account = accounts_.find(username);
    if (account != accounts_.end() && account->second.counsellor.encryption == records::Encryption::kOff) return false;
    // Rung over TLS (its flow, or a sips: / transport=tls Contact), where Dial offers SRTP. A phone that then
    // answers with plain RTP is refused (the leg must be encrypted), as a failed ring.
    const std::string route = FlowRoute(binding->second);
    return tls_ != nullptr && SecureUri(route.empty() ? binding->second.contact_uri : route);
}

void Switchboard::NotePhoneEncryption(const std::string& username) {
    auto account = accounts_.find(username);
    if (account == accounts_.end()) return;
    const std::string& counsellor = account->second.counsellor.staff_id;
    auto commands = router_.SetPhoneEncrypted(counsellor, PhoneLegEncrypted(username), Now());
    // kNotFound: not yet profiled in the Router (its profile is retried at the next Load, which notes it again).
    if (commands) Apply(std::move(*commands));
}

bool Switchboard::EncryptsEveryLeg(const std::string& line_id) const {
    auto line = lines_.find(line_id);
    return line != lines_.end() && line->second.routing.every_leg_encrypted;
}

void Switchboard::RequireEncryptedLeg(Leg& leg, const std::string& line_id) const {
    if (!EncryptsEveryLeg(line_id)) return;
    leg.must_encrypt = true;
    leg.policy_owner = "line " + line_id;
}

std::map<std::string, CallLegs> Switchboard::BridgedLegs() const {
    std::map<std::string, CallLegs> out;
    for (const auto& [id, call] : calls_) {
        if (call->phase != CallPhase::kBridged || !call->caller || !call->bridged) continue;
        CallLegs legs{LiveLegName(*call->caller), LiveLegName(*call->bridged), false};
        legs.encrypted = legs.caller != std::string("rtp") && legs.counsellor != std::string("rtp");
        out[id] = legs;
    }
    return out;
}

}  // namespace crisisline::telephony
