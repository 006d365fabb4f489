#include "telephony/ice_lite.hpp"

#include <cstring>

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

}  // namespace crisisline::telephony
