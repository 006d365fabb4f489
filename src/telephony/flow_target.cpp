#include "telephony/flow_target.hpp"

#include <cctype>
#include <cstring>

#include <spdlog/spdlog.h>

#include "telephony/leg.hpp"

namespace crisisline::telephony {

std::string FlowTarget(const sa& source, int transport, std::string_view user) {
    const char* name = transport == SIP_TRANSP_TLS ? "tls" : transport == SIP_TRANSP_TCP ? "tcp" : nullptr;
    if (!name || !sa_isset(&source, SA_ALL)) return {};
    char where[64] = {};
    if (re_snprintf(where, sizeof where, "%J", &source) < 0) return {};
    std::string uri = "sip:";
    if (!user.empty()) uri.append(user).append("@");
    return uri.append(where).append(";transport=").append(name);
}

std::string ContactUser(const sip_msg& msg) {
    const sip_hdr* contact = sip_msg_hdr(&msg, SIP_HDR_CONTACT);
    sip_addr addr{};
    if (!contact || sip_addr_decode(&addr, &contact->val) != 0 || !addr.uri.user.p) return {};
    std::string user(addr.uri.user.p, addr.uri.user.l);
    // Only what a URI's user part may hold unescaped (RFC 3261 section 25.1), so it cannot end the URI early.
    for (char c : user) {
        if (!std::isalnum(static_cast<unsigned char>(c)) && !std::strchr("-_.!~*'()%&=+$,", c)) return {};
    }
    return user;
}

int RetargetDialog(sip_dialog* dlg, const std::string& target) {
    if (!dlg || target.empty()) return EINVAL;
    // libre updates a dialog's target from a request's Contact (sip_dialog_update, as for a target refresh);
    // give it a request that carries only the new one.
    mbuf* mb = mbuf_alloc(256);
    if (!mb) return ENOMEM;
    int err = mbuf_printf(mb, "OPTIONS %s SIP/2.0\r\nContact: <%s>\r\nContent-Length: 0\r\n\r\n", target.c_str(),
                          target.c_str());
    sip_msg* msg = nullptr;
    if (!err) {
        mb->pos = 0;
        err = sip_msg_decode(&msg, mb);
    }
    if (!err) err = sip_dialog_update(dlg, msg);
    mem_deref(msg);
    mem_deref(mb);
    return err;
}

// ---- leg.hpp

void AimAtFlow(Leg& leg) {
    sip_dialog* dialog = leg.sess ? sipsess_dialog(leg.sess) : nullptr;
    if (leg.flow_target.empty() || !dialog || !sip_dialog_established(dialog)) return;
    if (int err = RetargetDialog(dialog, leg.flow_target)) {
        spdlog::warn("telephony: could not aim a request at the caller's connection (error {})", err);
    }
}

void HangUp(Leg& leg) {
    if (!leg.sess || leg.state == LegState::kGone) return;
    AimAtFlow(leg);
    // libre's release sends BYE when established, CANCEL while it rings, nothing when the other side ended it.
    leg.sess = static_cast<sipsess*>(mem_deref(leg.sess));
}

}  // namespace crisisline::telephony
