#include "telephony/media_address.hpp"

#include <arpa/inet.h>

#include <string>

namespace crisisline::telephony {

namespace {

std::uint32_t Mask(int prefix) { return prefix == 0 ? 0 : ~std::uint32_t{0} << (32 - prefix); }

}  // namespace

Result<MediaPeer> ParseMediaPeer(std::string_view text, const std::string& field) {
    auto invalid = [&] {
        return Fail(ErrorCode::kInvalid, field,
                    "'" + std::string(text) + "' is not an IPv4 address or range (e.g. 192.0.2.10 or 198.51.100.0/24)");
    };
    std::string address(text.substr(0, text.find('/')));
    MediaPeer peer;
    if (auto slash = text.find('/'); slash != std::string_view::npos) {
        auto digits = text.substr(slash + 1);
        if (digits.empty() || digits.size() > 2 || digits.find_first_not_of("0123456789") != std::string_view::npos) {
            return invalid();
        }
        peer.prefix = std::stoi(std::string(digits));
        if (peer.prefix > 32) return invalid();
    }
    in_addr parsed{};
    if (inet_pton(AF_INET, address.c_str(), &parsed) != 1) return invalid();
    peer.network = ntohl(parsed.s_addr);
    if ((peer.network & ~Mask(peer.prefix)) != 0) return invalid();
    return peer;
}

bool AllowedPeer(const std::vector<MediaPeer>& peers, std::uint32_t ip) {
    for (const auto& peer : peers) {
        if ((ip & Mask(peer.prefix)) == peer.network) return true;
    }
    return false;
}

const char* UnusableMediaAddress(std::uint32_t ip) {
    if ((ip >> 24) == 0) return "unspecified";
    if ((ip >> 28) == 0xE) return "multicast";
    if (ip == 0xFFFFFFFFu) return "broadcast";
    if ((ip >> 28) == 0xF) return "reserved";
    return nullptr;
}

bool AudioPortsInRange(std::string_view sdp) {
    constexpr std::string_view kAudio = "m=audio ";
    for (size_t at = 0; at < sdp.size();) {
        size_t end = sdp.find_first_of("\r\n", at);
        if (end == std::string_view::npos) end = sdp.size();
        auto line = sdp.substr(at, end - at);
        if (line.substr(0, kAudio.size()) == kAudio) {
            auto rest = line.substr(kAudio.size());
            auto port = rest.substr(0, rest.find(' '));
            if (port.empty() || port.size() > 5 || port.find_first_not_of("0123456789") != std::string_view::npos) {
                return false;
            }
            auto value = std::stoul(std::string(port));
            if (value < 1 || value > 65535) return false;
        }
        at = end + 1;
    }
    return true;
}

std::string_view AudioProto(std::string_view sdp) {
    constexpr std::string_view kAudio = "m=audio ";
    for (size_t at = 0; at < sdp.size();) {
        size_t end = sdp.find_first_of("\r\n", at);
        if (end == std::string_view::npos) end = sdp.size();
        auto line = sdp.substr(at, end - at);
        if (line.substr(0, kAudio.size()) == kAudio) {
            auto rest = line.substr(kAudio.size());
            size_t space = rest.find(' ');
            if (space == std::string_view::npos) return {};
            rest = rest.substr(space + 1);
            return rest.substr(0, rest.find(' '));
        }
        at = end + 1;
    }
    return {};
}

}  // namespace crisisline::telephony
