#pragma once

#include <string_view>

namespace crisisline::crypto::detail {

// The text of src/crypto/data/common_passwords.txt, compiled in: one entry a line, lower case, '#' lines are
// comments. Thread-safe (a constant).
std::string_view CommonPasswordsText();

}  // namespace crisisline::crypto::detail
