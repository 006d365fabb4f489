#include "http/detail/client_address.hpp"

#include <algorithm>

namespace crisisline::http::detail {
namespace ip = boost::asio::ip;
namespace {

std::string_view Trim(std::string_view text) {
    while (!text.empty() && (text.front() == ' ' || text.front() == '\t')) text.remove_prefix(1);
    while (!text.empty() && (text.back() == ' ' || text.back() == '\t')) text.remove_suffix(1);
    return text;
}

// An IPv4-mapped IPv6 address ("::ffff:10.0.0.1") is the IPv4 address it carries.
ip::address Plain(const ip::address& address) {
    if (address.is_v6() && address.to_v6().is_v4_mapped()) {
        return ip::make_address_v4(ip::v4_mapped, address.to_v6());
    }
    return address;
}

}  // namespace

Result<TrustedProxies> TrustedProxies::Parse(const std::vector<std::string>& entries) {
    TrustedProxies out;
    for (const std::string& entry : entries) {
        boost::system::error_code ec;
        const std::string text(Trim(entry));
        if (text.find('/') == std::string::npos) {
            const auto address = Plain(ip::make_address(text, ec));
            if (!ec && address.is_v4()) {
                out.v4_.emplace_back(address.to_v4(), 32);
            } else if (!ec) {
                out.v6_.emplace_back(address.to_v6(), 128);
            }
        } else if (text.find(':') == std::string::npos) {
            out.v4_.push_back(ip::make_network_v4(text, ec));
        } else {
            out.v6_.push_back(ip::make_network_v6(text, ec));
        }
        if (ec) {
            return Fail(ErrorCode::kInvalid, "trusted_proxies",
                        "trusted_proxies entry '" + entry +
                            "' is not an IP address or network such as 10.0.0.7 or 10.0.0.0/8");
        }
    }
    return out;
}

bool TrustedProxies::Contains(const ip::address& address) const {
    const ip::address plain = Plain(address);
    if (plain.is_v4()) {
        const ip::network_v4 host(plain.to_v4(), 32);
        return std::any_of(v4_.begin(), v4_.end(),
                           [&](const ip::network_v4& n) { return host == n || host.is_subnet_of(n); });
    }
    const ip::network_v6 host(plain.to_v6(), 128);
    return std::any_of(v6_.begin(), v6_.end(),
                       [&](const ip::network_v6& n) { return host == n || host.is_subnet_of(n); });
}

std::string TrustedProxies::ClientOf(const ip::address& peer, const std::vector<std::string_view>& forwarded) const {
    ip::address client = Plain(peer);
    if (!Contains(client)) return client.to_string();
    std::vector<std::string_view> hops;
    for (std::string_view header : forwarded) {
        size_t start = 0;
        while (start <= header.size()) {
            const size_t comma = std::min(header.find(',', start), header.size());
            hops.push_back(Trim(header.substr(start, comma - start)));
            start = comma + 1;
        }
    }
    for (auto hop = hops.rbegin(); hop != hops.rend(); ++hop) {
        boost::system::error_code ec;
        const ip::address address = ip::make_address(std::string(*hop), ec);
        if (ec) break;
        client = Plain(address);
        if (!Contains(client)) break;
    }
    return client.to_string();
}

}  // namespace crisisline::http::detail
