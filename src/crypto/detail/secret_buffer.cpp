#include "crypto/detail/secret_buffer.hpp"

#include <sodium.h>

namespace crisisline::crypto::detail {

SecretBuffer::~SecretBuffer() { Wipe(); }

SecretBuffer& SecretBuffer::operator=(SecretBuffer&& other) noexcept {
    if (this != &other) {
        Wipe();
        bytes_ = std::move(other.bytes_);
    }
    return *this;
}

void SecretBuffer::Wipe() {
    if (!bytes_.empty()) sodium_memzero(bytes_.data(), bytes_.size());
}

}  // namespace crisisline::crypto::detail
