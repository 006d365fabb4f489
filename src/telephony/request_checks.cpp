#include "telephony/request_checks.hpp"

#include <string_view>

#include "media/detail/re.hpp"

namespace crisisline::telephony {

namespace {

std::string_view View(const pl& p) { return {p.p ? p.p : "", p.l}; }

// Digits only, at most `max`; std::nullopt otherwise.
std::optional<std::uint64_t> Number(std::string_view text, std::uint64_t max) {
    if (text.empty() || text.size() > 20) return std::nullopt;
    std::uint64_t value = 0;
    for (char c : text) {
        if (c < '0' || c > '9') return std::nullopt;
        value = value * 10 + static_cast<std::uint64_t>(c - '0');
        if (value > max) return std::nullopt;
    }
    return value;
}

std::string_view Trim(std::string_view s) {
    while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
    while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
    return s;
}

bool CSeqValid(const sip_msg& msg) {
    const sip_hdr* h = sip_msg_hdr(&msg, SIP_HDR_CSEQ);
    if (!h) return false;
    auto value = Trim(View(h->val));
    auto space = value.find_first_of(" \t");
    if (space == std::string_view::npos) return false;
    if (!Number(value.substr(0, space), (1ULL << 31) - 1)) return false;
    return Trim(value.substr(space)) == View(msg.met);
}

std::optional<Refusal> Refuse(std::uint16_t status, const char* reason, std::string headers = {}) {
    return Refusal{status, reason, std::move(headers)};
}

}  // namespace

std::optional<Refusal> CheckRequest(const sip_msg& msg) {
    const bool invite = pl_strcmp(&msg.met, "INVITE") == 0;
    const bool ack_or_cancel = pl_strcmp(&msg.met, "ACK") == 0 || pl_strcmp(&msg.met, "CANCEL") == 0;
    if (!sip_msg_hdr(&msg, SIP_HDR_VIA)) return Refuse(400, "Missing Via");
    if (!sip_msg_hdr(&msg, SIP_HDR_TO) || !pl_isset(&msg.to.auri)) return Refuse(400, "Missing To");
    if (!sip_msg_hdr(&msg, SIP_HDR_FROM) || !pl_isset(&msg.from.auri)) return Refuse(400, "Missing From");
    if (!sip_msg_hdr(&msg, SIP_HDR_CALL_ID) || !pl_isset(&msg.callid)) return Refuse(400, "Missing Call-ID");
    if (!CSeqValid(msg)) return Refuse(400, "Bad CSeq");
    if (const sip_hdr* h = sip_msg_hdr(&msg, SIP_HDR_CONTENT_LENGTH)) {
        auto length = Number(Trim(View(h->val)), 1ULL << 32);
        if (!length || *length != mbuf_get_left(msg.mb)) return Refuse(400, "Bad Content-Length");
    }
    if (invite) {
        const sip_hdr* contact = sip_msg_hdr(&msg, SIP_HDR_CONTACT);
        sip_addr addr;
        if (!contact || sip_addr_decode(&addr, &contact->val) != 0) return Refuse(400, "Missing Contact");
        if (const sip_hdr* h = sip_msg_hdr(&msg, SIP_HDR_MAX_FORWARDS)) {
            auto hops = Number(Trim(View(h->val)), 255);
            if (!hops) return Refuse(400, "Bad Max-Forwards");
            if (*hops == 0) return Refuse(483, "Too Many Hops");
        }
    }
    if (!ack_or_cancel) {
        std::string unsupported;
        for (le* e = list_head(&msg.hdrl); e; e = e->next) {
            auto* h = static_cast<const sip_hdr*>(e->data);
            if (h->id != SIP_HDR_REQUIRE) continue;
            if (!unsupported.empty()) unsupported += ", ";
            unsupported += Trim(View(h->val));
        }
        if (!unsupported.empty()) return Refuse(420, "Bad Extension", "Unsupported: " + unsupported + "\r\n");
    }
    return std::nullopt;
}

}  // namespace crisisline::telephony
