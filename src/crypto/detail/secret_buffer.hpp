#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

namespace crisisline::crypto::detail {

// A fixed-size heap buffer for secret bytes (data keys, derived keys, decoded
// key text), overwritten with zeros by sodium_memzero when destroyed. It never
// grows, so its bytes are never copied behind its back. Move-only.
class SecretBuffer {
public:
    explicit SecretBuffer(size_t size) : bytes_(size) {}
    ~SecretBuffer();

    SecretBuffer(SecretBuffer&& other) noexcept = default;
    SecretBuffer& operator=(SecretBuffer&& other) noexcept;
    SecretBuffer(const SecretBuffer&) = delete;
    SecretBuffer& operator=(const SecretBuffer&) = delete;

    std::uint8_t* data() { return bytes_.data(); }
    const std::uint8_t* data() const { return bytes_.data(); }
    size_t size() const { return bytes_.size(); }

private:
    void Wipe();

    std::vector<std::uint8_t> bytes_;
};

}  // namespace crisisline::crypto::detail
