#include "records/trunk.hpp"

#include <arpa/inet.h>

#include <algorithm>

#include "core/host_port.hpp"

namespace crisisline::records {

namespace {

// The address as inet_ntop writes it, or "" when `text` is not an IPv4 or IPv6 address.
std::string CanonicalAddress(const std::string& text) {
    unsigned char raw[sizeof(in6_addr)];
    char out[INET6_ADDRSTRLEN];
    if (inet_pton(AF_INET, text.c_str(), raw) == 1) return inet_ntop(AF_INET, raw, out, sizeof out) ? out : "";
    if (inet_pton(AF_INET6, text.c_str(), raw) == 1) return inet_ntop(AF_INET6, raw, out, sizeof out) ? out : "";
    return "";
}

// Printable ASCII without the characters that would break a quoted digest parameter.
bool IsDigestToken(const std::string& s) {
    return std::all_of(s.begin(), s.end(), [](char c) { return c > ' ' && c < 127 && c != '"' && c != '\\'; });
}

}  // namespace

const char* EncryptionName(Encryption e) {
    switch (e) {
        case Encryption::kRequired: return "required";
        case Encryption::kPreferred: return "preferred";
        case Encryption::kOff: return "off";
    }
    return "preferred";
}

Result<Encryption> ParseEncryption(const std::string& text, const std::string& field) {
    for (auto e : {Encryption::kRequired, Encryption::kPreferred, Encryption::kOff}) {
        if (text == EncryptionName(e)) return e;
    }
    return Fail(ErrorCode::kInvalid, field, "must be \"required\", \"preferred\" or \"off\"");
}

Result<void> CheckTrunk(Trunk& trunk, const std::string& prefix) {
    if (trunk.allow.size() > kMaxTrunkAddresses) {
        return Fail(ErrorCode::kInvalid, prefix + "allow", "may list at most " + std::to_string(kMaxTrunkAddresses) + " addresses");
    }
    for (size_t i = 0; i < trunk.allow.size(); ++i) {
        auto canonical = CanonicalAddress(trunk.allow[i]);
        if (canonical.empty()) {
            return Fail(ErrorCode::kInvalid, prefix + "allow[" + std::to_string(i) + "]",
                        "must be an IPv4 or IPv6 address such as 192.0.2.10 (no host names, no ports)");
        }
        trunk.allow[i] = canonical;
    }
    for (size_t i = 1; i < trunk.allow.size(); ++i) {
        if (std::find(trunk.allow.begin(), trunk.allow.begin() + static_cast<long>(i), trunk.allow[i]) !=
            trunk.allow.begin() + static_cast<long>(i)) {
            return Fail(ErrorCode::kInvalid, prefix + "allow[" + std::to_string(i) + "]", "is listed twice");
        }
    }
    if (trunk.username.size() > kMaxTrunkUsername || !IsDigestToken(trunk.username)) {
        return Fail(ErrorCode::kInvalid, prefix + "username",
                    "must be at most " + std::to_string(kMaxTrunkUsername) +
                        " printable characters without spaces, quotes or backslashes");
    }
    if (!trunk.username.empty()) {
        if (trunk.password.size() < kMinTrunkPassword || trunk.password.size() > kMaxTrunkPassword) {
            return Fail(ErrorCode::kInvalid, prefix + "password",
                        "must be " + std::to_string(kMinTrunkPassword) + " to " + std::to_string(kMaxTrunkPassword) +
                            " characters when a username is set");
        }
    } else if (!trunk.password.empty()) {
        return Fail(ErrorCode::kInvalid, prefix + "password", "is only used with a username");
    }
    if (!trunk.outbound.empty()) {
        if (trunk.outbound.size() > kMaxTrunkOutbound) {
            return Fail(ErrorCode::kInvalid, prefix + "outbound", "is longer than " + std::to_string(kMaxTrunkOutbound) + " bytes");
        }
        if (auto hp = SplitHostPort(trunk.outbound, prefix + "outbound"); !hp) return tl::unexpected(hp.error());
        if (!IsDigestToken(trunk.outbound)) {
            return Fail(ErrorCode::kInvalid, prefix + "outbound", "must be host:port with no spaces or quotes");
        }
    }
    if (trunk.allow.empty() && trunk.username.empty()) {
        return Fail(ErrorCode::kInvalid, prefix.empty() ? "allow" : prefix.substr(0, prefix.size() - 1),
                    "needs an allow list or a username and password");
    }
    return {};
}

nlohmann::json TrunkJson(const Trunk& trunk, const char* source) {
    return {{"name", trunk.name},
            {"allow", trunk.allow},
            {"username", trunk.username},
            {"digest", !trunk.username.empty()},
            {"outbound", trunk.outbound},
            {"encryption", EncryptionName(trunk.encryption)},
            {"tls_verified", !trunk.tls_ca.empty()},
            {"source", source}};
}

}  // namespace crisisline::records
