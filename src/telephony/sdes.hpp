#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "core/error.hpp"
#include "telephony/srtp_session.hpp"

// SDES keying (RFC 4568): the a=crypto attribute of an RTP/SAVP audio line, read and written. Pure text and
// random bytes; no I/O. Keys travel in these lines in clear, so they may only ever be sent or taken over
// SIP over TLS (the switchboard refuses them on UDP and TCP; see media_path.hpp).
namespace crisisline::telephony {

// One a=crypto line: its tag, its suite and its inline master key and salt.
struct CryptoLine {
    int tag = 0;  // 1-999999999
    SrtpSuite suite = SrtpSuite::kAesCm128HmacSha1_80;
    std::unique_ptr<SrtpKey> key;  // SrtpKeyLength(suite) bytes: master key, then master salt
};

// Reads the value of one a=crypto attribute (what follows "a=crypto:"):
//   <tag> <suite> inline:<base64 key||salt>[|<lifetime>][|<MKI>:<length>] [<session parameters>]
// Fails (kInvalid, field "sdp", the reason) for a tag that is not 1-9 digits; a suite this server does not
// speak (AES_CM_128_HMAC_SHA1_80/_32, AEAD_AES_128_GCM); not exactly one key parameter, or one that is not
// "inline:"; key text that is not base64 of exactly SrtpKeyLength(suite) bytes; a lifetime that is neither
// decimal nor 2^n; an MKI (libre's SRTP sends none, so the two sides could not agree on the packet format);
// any session parameter (RFC 4568 section 6.3: an answerer that does not support one must refuse the line);
// a line over 256 characters.
[[nodiscard]] Result<CryptoLine> ReadCryptoLine(std::string_view value);

// The value of an a=crypto attribute for `tag`, `suite` and `key` (inline, no lifetime, no MKI).
std::string WriteCryptoLine(int tag, SrtpSuite suite, const SrtpKey& key);

// The answerer's choice among the a=crypto lines of an offer (RFC 4568 section 7.1.1): the first line, in
// the offerer's order of preference, that ReadCryptoLine takes. Fails (kInvalid, field "sdp") when there are
// no lines, naming why the first one was refused when none can be taken.
[[nodiscard]] Result<CryptoLine> ChooseCryptoLine(const std::vector<std::string>& offered);

// What the server offers when it dials a phone over TLS, most preferred first: tags 1 and 2,
// AES_CM_128_HMAC_SHA1_80 and AES_CM_128_HMAC_SHA1_32, each with a fresh random key of its own.
std::vector<CryptoLine> OfferedCryptoLines();

}  // namespace crisisline::telephony
