#pragma once

#include <string>
#include <string_view>
#include <vector>

#include <boost/asio/ip/address.hpp>
#include <boost/asio/ip/network_v4.hpp>
#include <boost/asio/ip/network_v6.hpp>

#include "core/error.hpp"

namespace crisisline::http::detail {

// The reverse proxies whose X-Forwarded-For the server believes, and the client address that follows from it.
// Immutable once parsed; thread-safe.
class TrustedProxies {
public:
    TrustedProxies() = default;

    // Each entry an address ("10.0.0.7", "::1") or a network ("10.0.0.0/8", "fd00::/8"). kInvalid, field
    // "trusted_proxies", naming the first entry that is neither.
    [[nodiscard]] static Result<TrustedProxies> Parse(const std::vector<std::string>& entries);

    bool Contains(const boost::asio::ip::address& address) const;

    // The client's address: `peer` itself unless it is a trusted proxy. Then X-Forwarded-For (`forwarded`, the
    // values of every such header in arrival order) is read from the right, hop by hop, past trusted proxies;
    // the first address that is not one is the client. An entry that is not an IP address ends the walk at the
    // last trusted hop (a client cannot claim any address by writing garbage in front of it); when every hop is
    // trusted, the leftmost is the client.
    std::string ClientOf(const boost::asio::ip::address& peer, const std::vector<std::string_view>& forwarded) const;

private:
    std::vector<boost::asio::ip::network_v4> v4_;
    std::vector<boost::asio::ip::network_v6> v6_;
};

}  // namespace crisisline::http::detail
