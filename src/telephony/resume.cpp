// What the previous process left behind when it stopped without ending its calls (kill -9, a crash, a power
// cut): the phones' registrations, and the calls it had in progress.
#include <spdlog/spdlog.h>

#include "telephony/switchboard.hpp"

namespace crisisline::telephony {

void Switchboard::Resume(const std::vector<records::PhoneRegistration>& registrations,
                         const std::vector<records::CallRecord>& cut_short) {
    const TimeMs now = Now();
    size_t restored = 0;
    for (const auto& r : registrations) {
        auto account = accounts_.find(r.sip_username);
        if (account == accounts_.end() || account->second.counsellor.staff_id != r.counsellor || r.expires_at <= now) {
            if (hooks_.registrations) hooks_.registrations->Unregistered(r.sip_username);
            continue;
        }
        const bool known = bindings_.count(r.sip_username) > 0;
        bindings_[r.sip_username] = Binding{r.contact_uri, r.counsellor, r.expires_at, r.behind_nat, false, "", ""};
        ++restored;
        NotePhoneEncryption(r.sip_username);
        if (!known) PhoneRegistered(r.counsellor, "registered (restored from before the restart)");
    }
    counters_.registered_phones = static_cast<std::int64_t>(bindings_.size());
    if (restored) spdlog::info("telephony: {} phone registrations restored from before the restart", restored);
    for (const auto& call : cut_short) {
        if (!call.counsellor_id.empty()) {
            auto wrap = router_.WrapUpCutCall(call.counsellor_id, call.line_id, call.contact_id, {}, now);
            if (wrap) {
                Apply(std::move(*wrap));
            } else if (wrap.error().code != ErrorCode::kNotFound) {
                spdlog::warn("telephony: counsellor {} cannot wrap up call {}: {}", call.counsellor_id,
                             call.contact_id, wrap.error().message);
            }
        }
        if (hooks_.bus) {
            events::Event e;
            e.at = now;
            e.type = "call.ended";
            e.line = call.line_id;
            e.counsellor = call.counsellor_id;
            e.data = {{"call", call.contact_id}, {"reason", call.end_reason}};
            hooks_.bus->Publish(std::move(e));
        }
    }
}

}  // namespace crisisline::telephony
