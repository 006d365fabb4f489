// A desk phone's own transfer button: REFER (RFC 3515) inside the dialog of a counsellor's phone bridged to a
// caller. Refer-To names a colleague's SIP account (sip:<username>@...) or a line's number (sip:<number>@...); the
// transfer then takes the console's path (transfer.cpp) with the rules of the counsellor's own lines, and its
// progress goes back to the phone as NOTIFY with a message/sipfrag body (RFC 3515 section 2.4.5). Attended
// transfer (Refer-To with Replaces, RFC 3891) is not done here: 501.
#include <spdlog/spdlog.h>

#include <algorithm>

#include "crypto/crypto.hpp"
#include "telephony/callbacks.hpp"
#include "telephony/flow_target.hpp"

namespace crisisline::telephony {

namespace {

// The user part of the URI in a Refer-To value ("<sip:user@host;params?headers>" or a bare URI), or empty.
std::string ReferUser(const std::string& value) {
    auto start = value.find("sip:");
    size_t skip = 4;
    if (auto secure = value.find("sips:"); secure != std::string::npos && secure <= start) {
        start = secure;
        skip = 5;
    }
    if (start == std::string::npos) return "";
    start += skip;
    auto at = value.find('@', start);
    auto end = value.find_first_of(">;?", start);
    if (at == std::string::npos || (end != std::string::npos && end < at)) return "";
    return value.substr(start, at - start);
}

void IgnoreResponse(int, const sip_msg*, void*) {}

}  // namespace

void Callbacks::PhoneRefer(struct sip*, const sip_msg* msg, void* arg) {
    auto* leg = static_cast<Leg*>(arg);
    if (leg->state == LegState::kGone) return;
    leg->board->OnRefer(*leg, msg);
}

void Switchboard::OnRefer(Leg& leg, const sip_msg* msg) {
    Call* call = leg.call;
    const sip_hdr* refer_to = sip_msg_hdr(msg, SIP_HDR_REFER_TO);
    if (!call || call->bridged != &leg || leg.kind != LegKind::kPhone) {
        sip_treply(nullptr, sip_, msg, 403, "Forbidden");
        return;
    }
    if (!refer_to) {
        sip_treply(nullptr, sip_, msg, 400, "Missing Refer-To");
        return;
    }
    const std::string value = PlText(refer_to->val);
    if (value.find("Replaces") != std::string::npos) {
        sip_treplyf(nullptr, nullptr, sip_, msg, false, 501, "Not Implemented",
                    "Warning: 399 crisisline \"attended transfer (Replaces) is not supported; consult from the console\"\r\n"
                    "Content-Length: 0\r\n\r\n");
        return;
    }
    // A colleague's SIP account, else a line's number.
    const std::string user = ReferUser(value);
    TransferTarget to;
    if (auto account = accounts_.find(user); !user.empty() && account != accounts_.end()) {
        to = {TransferTarget::Kind::kCounsellor, account->second.counsellor.staff_id};
    } else {
        auto normal = crypto::NormalisePhoneNumber(user);
        auto line = user.empty() ? line_by_number_.end() : line_by_number_.find(normal ? *normal : user);
        if (line == line_by_number_.end()) {
            spdlog::info("telephony: call {}: REFER from {} to a target that is neither a colleague nor a line: 403",
                         call->id, leg.counsellor);
            sip_treply(nullptr, sip_, msg, 403, "Forbidden");
            return;
        }
        to = {TransferTarget::Kind::kLine, line->second.id};
    }
    // The rules of the console's Transfer, with the counsellor's own lines.
    std::vector<std::string> lines;
    if (auto username = username_of_.find(leg.counsellor); username != username_of_.end()) {
        if (auto account = accounts_.find(username->second); account != accounts_.end()) {
            lines = account->second.counsellor.lines;
        }
    }
    auto serves = [&lines](const std::string& line) { return std::find(lines.begin(), lines.end(), line) != lines.end(); };
    const std::string counsellor = leg.counsellor;
    const std::string call_id = call->id;
    const std::string line_id = call->record.line_id;
    const std::string target = (to.kind == TransferTarget::Kind::kLine ? "line:" : "counsellor:") + to.id;
    if (hooks_.call_log) {
        hooks_.call_log->CallControl("call.transfer", call_id, line_id, counsellor, {{"to", target}, {"via", "refer"}});
    }
    if (to.kind == TransferTarget::Kind::kLine) {
        // A queue takes the caller at once, and the phone's leg goes with it: the checks first, then 202 and the
        // final NOTIFY while the dialog is still up, then the transfer, after this callback (it ends the
        // session whose REFER this is).
        if (call->transfer || call->monitoring || !MayQueueOn(*call, to.id, serves)) {
            sip_treply(nullptr, sip_, msg, 403, "Forbidden");
            return;
        }
        sip_treply(nullptr, sip_, msg, 202, "Accepted");
        NotifyRefer(leg, "SIP/2.0 200 OK", true);
        auto carry_out = [this, counsellor, call_id, to, lines] {
            auto serves_later = [&lines](const std::string& line) {
                return std::find(lines.begin(), lines.end(), line) != lines.end();
            };
            if (auto done = TransferCall(counsellor, call_id, to, serves_later); !done) {
                spdlog::warn("telephony: call {}: the REFER to line {} failed after 202: {}", call_id, to.id,
                             done.error().message);
            }
        };
        if (hooks_.post) {
            hooks_.post(std::move(carry_out));
        } else {
            carry_out();
        }
        return;
    }
    auto started = TransferCall(counsellor, call_id, to, serves);
    if (!started) {
        const auto code = started.error().code;
        const bool refused = code == ErrorCode::kForbidden || code == ErrorCode::kInvalid;
        spdlog::info("telephony: call {}: REFER from {} to {} refused: {}", call_id, counsellor, target,
                     started.error().message);
        sip_treply(nullptr, sip_, msg, refused ? 403 : 480, refused ? "Forbidden" : "Temporarily Unavailable");
        return;
    }
    sip_treply(nullptr, sip_, msg, 202, "Accepted");
    if (Call* still = FindCall(call_id); still && still->transfer) still->transfer->by_refer = true;
    NotifyRefer(leg, "SIP/2.0 100 Trying", false);
}

void Switchboard::NotifyRefer(Leg& leg, const char* sipfrag, bool final) {
    if (!leg.sess) return;
    sip_dialog* dialog = sipsess_dialog(leg.sess);
    if (!dialog) return;
    AimAtFlow(leg);
    const std::string body = std::string(sipfrag) + "\r\n";
    int err = sip_drequestf(nullptr, sip_, true, "NOTIFY", dialog, 0, nullptr, nullptr, IgnoreResponse, nullptr,
                            "Event: refer\r\n"
                            "Subscription-State: %s\r\n"
                            "Content-Type: message/sipfrag;version=2.0\r\n"
                            "Content-Length: %zu\r\n\r\n%s",
                            final ? "terminated;reason=noresource" : "active;expires=60", body.size(), body.c_str());
    if (err) spdlog::warn("telephony: NOTIFY of a REFER could not be sent ({})", err);
}

}  // namespace crisisline::telephony
