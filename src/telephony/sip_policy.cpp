// SIP over TLS and the encryption policy of trunks and phone accounts: the TLS transport, the sips: Contact,
// and refusing plaintext signalling where encryption is required.
#include <sys/socket.h>

#include <spdlog/spdlog.h>

#include "telephony/callbacks.hpp"
#include "telephony/sip_sockets.hpp"

namespace crisisline::telephony {

namespace {

std::string Address(const sa* addr, bool with_port) {
    char buf[80] = {};
    re_snprintf(buf, sizeof buf, with_port ? "%J" : "%j", addr);
    return buf;
}

}  // namespace

Result<void> Switchboard::OpenTls() {
    if (config_.tls_listen.empty()) return {};
    auto hp = SplitHostPort(config_.tls_listen, "telephony.tls_listen");
    if (!hp) return tl::unexpected(hp.error());
    sa laddr;
    if (sa_set_str(&laddr, hp->first.c_str(), hp->second) != 0) {
        return Fail(ErrorCode::kInvalid, "telephony.tls_listen", "'" + hp->first + "' is not an IP address");
    }
    auto made = SipTls::Create(config_.tls_certificate, config_.tls_key, counters_);
    if (!made) return tl::unexpected(made.error());
    if (auto trunks = (*made)->SetTrunks(config_.trunks); !trunks) return tl::unexpected(trunks.error());
    if (sip_transp_add(sip_, SIP_TRANSP_TLS, &laddr, (*made)->Context()) != 0) {
        return Fail(ErrorCode::kUnavailable, "SIP cannot listen on tls " + config_.tls_listen + " (address in use?)");
    }
    sa bound;
    sip_transp_laddr(sip_, &bound, SIP_TRANSP_TLS, &laddr);
    tls_port_ = sa_port(&bound);
    RaiseTcpBacklog(tls_port_, SOMAXCONN);  // libre listens with a backlog of 5 (sip_sockets.hpp)
    tls_address_ = Address(&bound, true);
    tls_ = std::move(*made);
    return {};
}

Result<void> Switchboard::ReloadTls() {
    if (!tls_) return Fail(ErrorCode::kUnavailable, "SIP over TLS is not enabled (telephony.tls_listen)");
    return tls_->Reload();
}

std::string Switchboard::ContactFor(int tp, const sa* local) const {
    if (tp != SIP_TRANSP_TLS) return "crisisline";
    // RFC 3261 section 26.2.2 (and 8.1.1.8): over TLS, and whenever the request named a sips: URI, the
    // Contact is a SIPS URI, so the peer's requests in the dialog come back over TLS too.
    const std::string here = local && sa_isset(local, SA_ALL) ? Address(local, true) : tls_address_;
    return "sips:crisisline@" + here + ";transport=tls";
}

bool Switchboard::RefusePlaintextTrunk(const sip_msg* msg, const Trunk& trunk) {
    if (trunk.encryption != records::Encryption::kRequired || msg->tp == SIP_TRANSP_TLS) return false;
    ++counters_.calls_refused;
    ++counters_.plaintext_refused;
    spdlog::warn("telephony: INVITE from trunk {} over {} refused 488: the trunk requires encryption (SIP over TLS)",
                 trunk.name, sip_transp_name(msg->tp));
    const std::string host = Address(&msg->dst, false);
    sip_treplyf(nullptr, nullptr, sip_, msg, false, 488, "Not Acceptable Here",
                "Warning: 399 %s \"trunk %s requires encryption: send calls over TLS (sips:, port %u)\"\r\n"
                "Content-Length: 0\r\n\r\n",
                host.c_str(), trunk.name.c_str(), static_cast<unsigned>(tls_port_));
    return true;
}

bool Switchboard::RefusePlaintextPhone(const sip_msg* msg, const records::PhoneCounsellor& account) {
    if (account.encryption != records::Encryption::kRequired || msg->tp == SIP_TRANSP_TLS) return false;
    ++counters_.registrations_refused;
    ++counters_.plaintext_refused;
    spdlog::warn("telephony: REGISTER for '{}' over {} refused 403: the phone account requires encryption (SIP over TLS)",
                 account.sip_username, sip_transp_name(msg->tp));
    const std::string host = Address(&msg->dst, false);
    sip_treplyf(nullptr, nullptr, sip_, msg, false, 403, "Forbidden",
                "Warning: 399 %s \"this phone account requires encryption: register over TLS (sips:, port %u)\"\r\n"
                "Content-Length: 0\r\n\r\n",
                host.c_str(), static_cast<unsigned>(tls_port_));
    return true;
}

void Switchboard::CountRequest(const sip_msg* msg) {
    switch (msg->tp) {
        case SIP_TRANSP_UDP: ++counters_.sip_requests[static_cast<size_t>(SipTransport::kUdp)]; break;
        case SIP_TRANSP_TCP: ++counters_.sip_requests[static_cast<size_t>(SipTransport::kTcp)]; break;
        case SIP_TRANSP_TLS: ++counters_.sip_requests[static_cast<size_t>(SipTransport::kTls)]; break;
        default: break;
    }
}

}  // namespace crisisline::telephony
