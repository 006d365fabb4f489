#pragma once

#include <cstdint>
#include <string>
#include <utility>

#include "core/error.hpp"

namespace crisisline {

// "host:port" (or "[v6]:port") → host and port. kInvalid naming `field` when
// there is no host or the port is not a number from 0 to 65535.
Result<std::pair<std::string, std::uint16_t>> SplitHostPort(const std::string& text, const std::string& field);

}  // namespace crisisline
