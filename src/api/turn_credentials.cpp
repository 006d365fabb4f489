#include "api/turn_credentials.hpp"

#include <openssl/evp.h>
#include <openssl/hmac.h>

namespace crisisline::api {

TurnCredential MakeTurnCredential(std::string_view secret,
                                  std::string_view staff_id,
                                  std::int64_t now_s,
                                  std::chrono::seconds lifetime) {
    TurnCredential out;
    out.expires_at_s = now_s + lifetime.count();
    out.username = std::to_string(out.expires_at_s) + ":" + std::string(staff_id);
    unsigned char mac[EVP_MAX_MD_SIZE];
    unsigned int mac_length = 0;
    HMAC(EVP_sha1(), secret.data(), static_cast<int>(secret.size()),
         reinterpret_cast<const unsigned char*>(out.username.data()), out.username.size(), mac, &mac_length);
    std::string encoded(4 * ((mac_length + 2) / 3) + 1, '\0');
    const int written = EVP_EncodeBlock(reinterpret_cast<unsigned char*>(encoded.data()), mac, static_cast<int>(mac_length));
    encoded.resize(static_cast<std::size_t>(written));
    out.password = std::move(encoded);
    return out;
}

}  // namespace crisisline::api
