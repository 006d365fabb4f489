#include "core/host_port.hpp"

#include <stdexcept>

namespace crisisline {

Result<std::pair<std::string, std::uint16_t>> SplitHostPort(const std::string& text, const std::string& field) {
    auto colon = text.rfind(':');
    if (colon == std::string::npos || colon == 0) return Fail(ErrorCode::kInvalid, field, "must be host:port");
    auto host = text.substr(0, colon);
    if (host.size() > 2 && host.front() == '[' && host.back() == ']') host = host.substr(1, host.size() - 2);
    try {
        size_t used = 0;
        int port = std::stoi(text.substr(colon + 1), &used);
        if (used != text.size() - colon - 1 || port < 0 || port > 65535) throw std::out_of_range("port");
        return std::make_pair(host, static_cast<std::uint16_t>(port));
    } catch (const std::exception&) {
        return Fail(ErrorCode::kInvalid, field, "the port must be a number from 0 to 65535");
    }
}

}  // namespace crisisline
