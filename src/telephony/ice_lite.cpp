#include "telephony/ice_lite.hpp"

#include <algorithm>
#include <cstring>
#include <utility>

namespace crisisline::telephony {

const char* StunFaultName(StunFault fault) {
    switch (fault) {
        case StunFault::kNone: return "none";
        case StunFault::kMalformed: return "stun_malformed";
        case StunFault::kNoFingerprint: return "stun_fingerprint";
        case StunFault::kUnknownUser: return "stun_unknown_user";
        case StunFault::kWrongCredentials: return "stun_wrong_credentials";
    }
    return "unknown";
}

StunBindingRequest::StunBindingRequest(const std::uint8_t* data, size_t n) {
    // libre's decoder keeps a reference to the buffer it decodes, so it gets one of its own.
    mb_ = mbuf_alloc(n ? n : 1);
    if (!mb_ || mbuf_write_mem(mb_, data, n) != 0) return;
    mb_->pos = 0;
    if (stun_msg_decode(&msg_, mb_, nullptr) != 0 || !msg_) return;
    if (stun_msg_method(msg_) != STUN_METHOD_BINDING || stun_msg_class(msg_) != STUN_CLASS_REQUEST ||
        !stun_msg_mcookie(msg_)) {
        return;
    }
    if (stun_msg_chk_fingerprint(msg_) != 0) {
        fault_ = StunFault::kNoFingerprint;
        return;
    }
    const stun_attr* user = stun_msg_attr(msg_, STUN_ATTR_USERNAME);
    if (!user || !user->v.username) {
        fault_ = StunFault::kUnknownUser;
        return;
    }
    std::string username = user->v.username;
    auto colon = username.find(':');
    if (colon == std::string::npos) {
        fault_ = StunFault::kUnknownUser;
        return;
    }
    local_ufrag_ = username.substr(0, colon);
    remote_ufrag_ = username.substr(colon + 1);
    use_candidate_ = stun_msg_attr(msg_, STUN_ATTR_USE_CAND) != nullptr;
    fault_ = StunFault::kNone;
}

StunBindingRequest::~StunBindingRequest() {
    mem_deref(msg_);
    mem_deref(mb_);
}

StunFault StunBindingRequest::Authenticate(const std::string& local_pwd, const std::string& remote_ufrag) const {
    if (fault_ != StunFault::kNone) return fault_;
    if (remote_ufrag_ != remote_ufrag) return StunFault::kWrongCredentials;
    if (stun_msg_chk_mi(msg_, reinterpret_cast<const std::uint8_t*>(local_pwd.data()), local_pwd.size()) != 0) {
        return StunFault::kWrongCredentials;
    }
    return StunFault::kNone;
}

std::vector<std::uint8_t> StunBindingRequest::Success(const sa& from, const std::string& local_pwd) const {
    std::vector<std::uint8_t> out;
    if (fault_ != StunFault::kNone) return out;
    mbuf* mb = mbuf_alloc(256);
    if (!mb) return out;
    int err = stun_msg_encode(mb, STUN_METHOD_BINDING, STUN_CLASS_SUCCESS_RESP, stun_msg_tid(msg_), nullptr,
                              reinterpret_cast<const std::uint8_t*>(local_pwd.data()), local_pwd.size(), true, 0x00,
                              1, STUN_ATTR_XOR_MAPPED_ADDR, &from);
    if (!err) out.assign(mb->buf, mb->buf + mb->end);
    mem_deref(mb);
    return out;
}

IceSession::IceSession(std::string local_ufrag, std::string local_pwd) {
    current_.local_ufrag = std::move(local_ufrag);
    current_.local_pwd = std::move(local_pwd);
}

void IceSession::Answered(const std::string& remote_ufrag, const std::string& remote_pwd) {
    current_.remote_ufrag = remote_ufrag;
    current_.remote_pwd = remote_pwd;
}

bool IceSession::Reoffered(const std::string& remote_ufrag, const std::string& remote_pwd, std::string local_ufrag,
                           std::string local_pwd) {
    if (remote_ufrag == current_.remote_ufrag && remote_pwd == current_.remote_pwd) return false;
    if (previous_) {
        Retire(current_.local_ufrag);  // never nominated: media is still on previous_
    } else {
        previous_ = current_;
    }
    current_ = IceCredentials{std::move(local_ufrag), std::move(local_pwd), remote_ufrag, remote_pwd};
    return true;
}

IceSession::Verdict IceSession::Check(const StunBindingRequest& request) {
    Verdict v;
    const std::string& ufrag = request.local_ufrag();
    const IceCredentials* generation = nullptr;
    if (ufrag == current_.local_ufrag) {
        generation = &current_;
    } else if (previous_ && ufrag == previous_->local_ufrag) {
        generation = &*previous_;
    } else {
        bool retired = std::find(retired_.begin(), retired_.end(), ufrag) != retired_.end();
        v.fault = retired ? StunFault::kWrongCredentials : StunFault::kUnknownUser;
        return v;
    }
    v.fault = request.Authenticate(generation->local_pwd, generation->remote_ufrag);
    if (v.fault != StunFault::kNone) return v;
    v.local_pwd = generation->local_pwd;
    if (generation == &current_ && previous_ && request.use_candidate()) {
        v.restart_done = true;
        std::string old = previous_->local_ufrag;
        previous_.reset();
        Retire(std::move(old));
    }
    return v;
}

std::vector<std::string> IceSession::LocalUfrags() const {
    std::vector<std::string> out{current_.local_ufrag};
    if (previous_) out.push_back(previous_->local_ufrag);
    out.insert(out.end(), retired_.begin(), retired_.end());
    return out;
}

void IceSession::Retire(std::string local_ufrag) {
    retired_.push_front(std::move(local_ufrag));
    if (retired_.size() > kRetiredKept) retired_.pop_back();
}

}  // namespace crisisline::telephony
