#include "telephony/digest.hpp"

#include "media/detail/re.hpp"
#include <sodium.h>

#include <cstdio>

namespace crisisline::telephony {

std::array<std::uint8_t, 16> DigestHa1(std::string_view username, std::string_view realm, std::string_view password) {
    std::string joined;
    joined.reserve(username.size() + realm.size() + password.size() + 2);
    joined.append(username).append(":").append(realm).append(":").append(password);
    std::array<std::uint8_t, 16> out{};
    md5(reinterpret_cast<const std::uint8_t*>(joined.data()), joined.size(), out.data());
    return out;
}

NonceMaker::NonceMaker() { randombytes_buf(key_.data(), key_.size()); }

std::string NonceMaker::Mac(std::string_view issued, std::string_view client) const {
    std::string bound;
    bound.reserve(issued.size() + client.size() + 1);
    bound.append(issued).append("|").append(client);
    std::uint8_t mac[16];
    crypto_generichash(mac, sizeof mac, reinterpret_cast<const std::uint8_t*>(bound.data()), bound.size(),
                       key_.data(), key_.size());
    char hex[sizeof mac * 2 + 1];
    sodium_bin2hex(hex, sizeof hex, mac, sizeof mac);
    return hex;
}

std::string NonceMaker::Make(TimeMs now, std::string_view client) const {
    // issued.salt.mac: the salt makes every challenge's nonce its own, even two in one millisecond (each
    // nonce's counts are kept apart by NonceCounts).
    char issued[48];
    std::snprintf(issued, sizeof issued, "%llx.%08x", static_cast<unsigned long long>(now), randombytes_random());
    return std::string(issued) + "." + Mac(issued, client);
}

bool NonceMaker::Fresh(std::string_view nonce, TimeMs now, TimeMs max_age_ms, std::string_view client) const {
    auto dot = nonce.find('.');
    if (dot == std::string_view::npos || dot == 0 || dot > 16) return false;
    auto second = nonce.find('.', dot + 1);
    if (second == std::string_view::npos || second - dot - 1 != 8) return false;
    auto signed_part = nonce.substr(0, second);
    auto expected = Mac(signed_part, client);
    auto given = nonce.substr(second + 1);
    if (given.size() != expected.size() || sodium_memcmp(given.data(), expected.data(), expected.size()) != 0) {
        return false;
    }
    TimeMs at = 0;
    for (char c : nonce.substr(0, dot)) {
        int v = (c >= '0' && c <= '9') ? c - '0' : (c >= 'a' && c <= 'f') ? c - 'a' + 10 : -1;
        if (v < 0) return false;
        at = at * 16 + v;
    }
    return at <= now + 1000 && now - at <= max_age_ms;
}

bool NonceCounts::Use(std::string_view nonce, std::string_view nc, TimeMs now) {
    if (nc.size() != 8) return false;
    std::uint32_t count = 0;
    for (char c : nc) {
        int v = (c >= '0' && c <= '9') ? c - '0' : (c >= 'a' && c <= 'f') ? c - 'a' + 10
                : (c >= 'A' && c <= 'F') ? c - 'A' + 10 : -1;
        if (v < 0) return false;
        count = count * 16 + static_cast<std::uint32_t>(v);
    }
    if (count == 0) return false;
    auto it = seen_.find(nonce);
    if (it != seen_.end()) {
        if (count <= it->second.nc) return false;
        it->second.nc = count;
        return true;
    }
    if (seen_.size() >= capacity_) Forget(now);
    if (seen_.size() >= capacity_) return false;
    seen_.emplace(std::string(nonce), Seen{count, now});
    return true;
}

void NonceCounts::Forget(TimeMs now) {
    for (auto it = seen_.begin(); it != seen_.end();) {
        it = now - it->second.first_used > lifetime_ms_ ? seen_.erase(it) : std::next(it);
    }
}

bool DigestNamesRequest(std::string_view digest_uri, std::string_view request_uri) {
    return !digest_uri.empty() && digest_uri == request_uri;
}

}  // namespace crisisline::telephony
