// A desk phone's own transfer button: REFER (RFC 3515) inside the dialog of a counsellor's phone bridged to a
// caller. Blind (Refer-To without Replaces): Refer-To names a colleague's SIP account (sip:<username>@...) or a
// line's number (sip:<number>@...); the transfer then takes the console's path (transfer.cpp) with the rules of
// the counsellor's own lines, and its progress goes back to the phone as NOTIFY with a message/sipfrag body (RFC
// 3515 section 2.4.5). Attended (Refer-To with Replaces, RFC 3891): the phone has dialled the colleague through
// crisisline (phone_consult.cpp: its dialog B is a consult of the call) and names, in one of its two dialogs, the
// other; the consult is completed as the console's "complete" (consult.cpp), NOTIFY "200 OK" first.
#include <spdlog/spdlog.h>

#include <algorithm>

#include "crypto/crypto.hpp"
#include "telephony/callbacks.hpp"
#include "telephony/dialogs.hpp"
#include "telephony/flow_target.hpp"
#include "telephony/refer_to.hpp"

namespace crisisline::telephony {

namespace {

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
    const bool consult_dialog = call && call->consult && call->consult->desk.get() == &leg;
    if (!call || (call->bridged != &leg && !consult_dialog) || leg.kind != LegKind::kPhone) {
        sip_treply(nullptr, sip_, msg, 403, "Forbidden");
        return;
    }
    if (!refer_to) {
        sip_treply(nullptr, sip_, msg, 400, "Missing Refer-To");
        return;
    }
    const std::string value = PlText(refer_to->val);
    auto replaces = ReferReplaces(value);
    if (!replaces) {
        sip_treplyf(nullptr, nullptr, sip_, msg, false, 400, "Bad Replaces",
                    "Warning: 399 crisisline \"%s\"\r\nContent-Length: 0\r\n\r\n", replaces.error().message.c_str());
        return;
    }
    if (*replaces) {
        OnAttendedRefer(leg, msg, **replaces);
        return;
    }
    if (consult_dialog) {
        sip_treplyf(nullptr, nullptr, sip_, msg, false, 403, "Forbidden",
                    "Warning: 399 crisisline \"a blind transfer is asked for in the call's own dialog\"\r\n"
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

void Switchboard::OnAttendedRefer(Leg& leg, const sip_msg* msg, const ReplacesDialog& replaces) {
    Call& call = *leg.call;
    // The dialog named must be the phone's other one for this call: B (its consult) from A, or A from B.
    Leg* other = nullptr;
    if (call.consult && call.consult->desk) other = &leg == call.bridged ? call.consult->desk.get() : call.bridged;
    if (!other || !NamedBy(*other, replaces.call_id, replaces.to_tag, replaces.from_tag)) {
        spdlog::info("telephony: call {}: REFER with Replaces from {} names no dialog of its consult: 481", call.id,
                     leg.counsellor);
        sip_treplyf(nullptr, nullptr, sip_, msg, false, 481, "Call/Transaction Does Not Exist",
                    "Warning: 399 crisisline \"Replaces names no dialog of a consult of yours on this call\"\r\n"
                    "Content-Length: 0\r\n\r\n");
        return;
    }
    if (!call.consult->connected) {
        sip_treplyf(nullptr, nullptr, sip_, msg, false, 403, "Forbidden",
                    "Warning: 399 crisisline \"the colleague has not answered yet\"\r\nContent-Length: 0\r\n\r\n");
        return;
    }
    const std::string counsellor = call.bridged ? call.bridged->counsellor : leg.counsellor;
    const std::string call_id = call.id;
    const std::string to = call.consult->to;
    if (hooks_.call_log) {
        hooks_.call_log->CallControl("call.consult_complete", call_id, call.record.line_id, counsellor,
                                     {{"to", "counsellor:" + to}, {"via", "refer"}});
    }
    call.consult->referred = true;
    sip_treply(nullptr, sip_, msg, 202, "Accepted");
    NotifyRefer(leg, "SIP/2.0 200 OK", true);  // while the dialog is up: both dialogs get BYE next
    // After this callback: the hand-over ends the session whose REFER this is. The phone's own BYE (of A or B)
    // may come first; it completes the hand-over the same way (ConsultPhoneGone, DeskGone).
    auto carry_out = [this, call_id, to] {
        Call* still = FindCall(call_id);
        if (!still || !still->consult || still->consult->to != to || !still->consult->connected) return;
        if (auto next = HandToConsultant(*still); !next) {
            spdlog::warn("telephony: call {}: the attended transfer to {} failed after 202: {}", call_id, to,
                         next.error().message);
        }
    };
    if (hooks_.post) {
        hooks_.post(std::move(carry_out));
    } else {
        carry_out();
    }
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
