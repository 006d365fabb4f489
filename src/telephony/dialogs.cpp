// Requests inside a dialog: accepted only from that dialog's peer (see dialogs.hpp).
#include "telephony/dialogs.hpp"

#include <spdlog/spdlog.h>

#include "telephony/callbacks.hpp"

namespace crisisline::telephony {

void AddPeer(Leg& leg, const sa& from) {
    if (!sa_isset(&from, SA_ADDR) || FromPeer(leg, from)) return;
    leg.peers.push_back(from);
}

void AddPeerUri(Leg& leg, std::string_view text) {
    pl p{text.data(), text.size()};
    uri u{};
    sa host{};
    if (uri_decode(&u, &p) == 0 && sa_set(&host, &u.host, u.port) == 0) AddPeer(leg, host);
}

bool FromPeer(const Leg& leg, const sa& from) {
    for (const auto& peer : leg.peers) {
        if (sa_cmp(&peer, &from, SA_ADDR)) return true;
    }
    return false;
}

bool InDialog(const Leg& leg, const sip_msg& msg) {
    if (!leg.sess) return false;
    const sip_dialog* dialog = sipsess_dialog(leg.sess);
    return dialog && sip_dialog_cmp(dialog, &msg);
}

bool NamedBy(const Leg& leg, std::string_view call_id, std::string_view to_tag, std::string_view from_tag) {
    if (!leg.sess || call_id.empty() || to_tag.empty() || from_tag.empty()) return false;
    const sip_dialog* dialog = sipsess_dialog(leg.sess);
    if (!dialog) return false;
    // libre 1.1.0 has no accessor for a dialog's tags; sip_dialog_cmp reads only a request's Call-ID, To tag
    // (our local tag) and From tag (the peer's), so a request made of those three asks it.
    auto names = [&](std::string_view local, std::string_view remote) {
        sip_msg probe{};
        probe.req = true;
        probe.callid = pl{call_id.data(), call_id.size()};
        probe.to.tag = pl{local.data(), local.size()};
        probe.from.tag = pl{remote.data(), remote.size()};
        return sip_dialog_cmp(dialog, &probe);
    };
    return names(to_tag, from_tag) || names(from_tag, to_tag);
}

Leg* Switchboard::FindLeg(const sip_msg* msg) {
    auto matches = [&](const std::unique_ptr<Leg>& leg) { return leg && InDialog(*leg, *msg); };
    for (auto& [id, call] : calls_) {
        if (matches(call->caller)) return call->caller.get();
        for (auto& [counsellor, leg] : call->phones) {
            if (matches(leg)) return leg.get();
        }
        if (matches(call->overflow)) return call->overflow.get();
        if (call->monitoring && matches(call->monitoring->leg)) return call->monitoring->leg.get();
        if (call->consult && matches(call->consult->desk)) return call->consult->desk.get();
    }
    for (auto& [id, state] : follow_ups_) {
        if (!state.call) continue;
        if (matches(state.call->phone)) return state.call->phone.get();
        if (matches(state.call->callee)) return state.call->callee.get();
    }
    return nullptr;
}

bool Switchboard::RefuseForged(const sip_msg* msg) {
    if (!pl_isset(&msg->to.tag)) return false;  // not inside a dialog
    Leg* leg = FindLeg(msg);
    if (!leg || FromPeer(*leg, msg->src)) return false;  // libre answers 481, or handles it
    char from[64] = {};
    sa_ntop(&msg->src, from, sizeof from);
    spdlog::warn("telephony: {} for call {} from {}, which is not that dialog's peer: {}", PlText(msg->met),
                 leg->call ? leg->call->id : (leg->follow_up ? leg->follow_up->id : "?"), from,
                 pl_strcmp(&msg->met, "ACK") == 0 ? "ignored" : "403");
    ++counters_.forged_requests;
    if (pl_strcmp(&msg->met, "ACK") != 0) sip_treply(nullptr, sip_, msg, 403, "Forbidden");
    return true;
}

}  // namespace crisisline::telephony
