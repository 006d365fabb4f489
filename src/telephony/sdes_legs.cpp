// SDES on SIP legs: which a=crypto lines a leg takes and offers, and over which transport.
#include <strings.h>

#include <algorithm>
#include <cctype>
#include <cstring>

#include <sodium.h>

#include "telephony/media_path.hpp"

namespace crisisline::telephony {

namespace {

bool CollectLine(const char*, const char* value, void* arg) {
    if (value) static_cast<std::vector<std::string>*>(arg)->emplace_back(value);
    return false;  // all of them
}

bool WipeLine(const char*, const char* value, void*) {
    // libre hands its own copy out as const; it is freed with the SDP, so overwriting it first is safe.
    if (value) sodium_memzero(const_cast<char*>(value), std::strlen(value));
    return false;
}

std::vector<std::string> RemoteCryptoLines(const Leg& leg) {
    std::vector<std::string> lines;
    sdp_media_rattr_apply(leg.audio, "crypto", CollectLine, &lines);
    return lines;
}

void WipeStrings(std::vector<std::string>& lines) {
    for (auto& line : lines) sodium_memzero(line.data(), line.size());
}

void BecomePlain(Leg& leg) {
    leg.srtp.reset();
    leg.remote_key.reset();
    leg.offered_crypto.clear();
    sdp_media_del_lattr(leg.audio, "crypto");
}

bool TakeOffer(Leg& leg, std::vector<std::string>& lines, std::string& why) {
    auto chosen = ChooseCryptoLine(lines);
    if (!chosen) {
        why = chosen.error().message;
        return false;
    }
    if (leg.srtp && leg.remote_key && *leg.remote_key == *chosen->key && leg.srtp->suite() == chosen->suite) {
        return true;  // a re-offer that keeps its key: the contexts (and their replay windows) stay
    }
    auto ours = SrtpKey::Random(chosen->suite);
    auto session = SrtpSession::Make(chosen->suite, *ours, *chosen->key);
    if (!session) {
        why = session.error().message;
        return false;
    }
    std::string line = WriteCryptoLine(chosen->tag, chosen->suite, *ours);
    int err = sdp_media_set_lattr(leg.audio, true, "crypto", "%s", line.c_str());
    sodium_memzero(line.data(), line.size());
    if (err) {
        why = "could not write the a=crypto answer";
        return false;
    }
    leg.srtp = std::move(*session);
    leg.remote_key = std::move(chosen->key);
    leg.offered_crypto.clear();
    return true;
}

bool TakeAnswer(Leg& leg, std::vector<std::string>& lines, std::string& why) {
    if (leg.srtp && leg.offered_crypto.empty()) return true;  // a repeated answer (a 183, then the 200)
    if (lines.size() != 1) {
        why = "an RTP/SAVP answer must carry exactly one a=crypto line";
        return false;
    }
    auto line = ReadCryptoLine(lines.front());
    if (!line) {
        why = line.error().message;
        return false;
    }
    auto offered = std::find_if(leg.offered_crypto.begin(), leg.offered_crypto.end(),
                                [&](const CryptoLine& o) { return o.tag == line->tag && o.suite == line->suite; });
    if (offered == leg.offered_crypto.end()) {
        why = "the a=crypto answer names a tag and suite that were not offered";
        return false;
    }
    auto session = SrtpSession::Make(line->suite, *offered->key, *line->key);
    if (!session) {
        why = session.error().message;
        return false;
    }
    // Our later offers in this dialog carry the one line agreed.
    std::string ours = WriteCryptoLine(offered->tag, offered->suite, *offered->key);
    sdp_media_del_lattr(leg.audio, "crypto");
    int err = sdp_media_set_lattr(leg.audio, false, "crypto", "%s", ours.c_str());
    sodium_memzero(ours.data(), ours.size());
    if (err) {
        why = "could not keep the agreed a=crypto line";
        return false;
    }
    leg.srtp = std::move(*session);
    leg.remote_key = std::move(line->key);
    leg.offered_crypto.clear();
    return true;
}

}  // namespace

bool SecureUri(const std::string& uri) {
    if (strncasecmp(uri.c_str(), "sips:", 5) == 0 || strncasecmp(uri.c_str(), "<sips:", 6) == 0) return true;
    std::string lower(uri);
    std::transform(lower.begin(), lower.end(), lower.begin(), [](unsigned char c) { return std::tolower(c); });
    return lower.find(";transport=tls") != std::string::npos;
}

Result<void> OfferCrypto(Leg& leg) {
    leg.offered_crypto = OfferedCryptoLines();
    sdp_media_del_lattr(leg.audio, "crypto");
    for (const auto& line : leg.offered_crypto) {
        std::string text = WriteCryptoLine(line.tag, line.suite, *line.key);
        int err = sdp_media_set_lattr(leg.audio, false, "crypto", "%s", text.c_str());
        sodium_memzero(text.data(), text.size());
        if (err) return Fail(ErrorCode::kInternal, "could not write the a=crypto offer");
    }
    return {};
}

bool TakeRemoteCrypto(Leg& leg, sip_transp tp, bool offer, std::string& why, std::string_view remote_proto) {
    if (!leg.audio) return true;
    auto lines = RemoteCryptoLines(leg);
    const std::string proto = remote_proto.empty() ? std::string(sdp_media_proto(leg.audio)) : std::string(remote_proto);
    const bool savp = strcasecmp(proto.c_str(), "RTP/SAVP") == 0;
    bool taken = true;
    if ((savp || !lines.empty()) && tp != SIP_TRANSP_TLS) {
        // RFC 4568 section 8.3: the keys are in the SDP in clear; on UDP or TCP anyone on the path has them.
        why = std::string("SRTP keys (a=crypto, RTP/SAVP) are exchanged only over SIP over TLS; this came over ") +
              sip_transp_name(tp);
        taken = false;
    } else if (!savp && leg.must_encrypt) {
        why = leg.policy_owner + " requires encryption: offer RTP/SAVP with a=crypto (SRTP), over SIP over TLS";
        taken = false;
    } else if (!savp) {
        // Plain RTP (an a=crypto line on RTP/AVP, best-effort SRTP, is not taken up). A phone that answers our
        // RTP/SAVP offer with RTP/AVP is taken as plain rather than left unreachable; a leg that must be
        // encrypted is refused by the encryption policy, not here.
        BecomePlain(leg);
    } else if (offer) {
        taken = TakeOffer(leg, lines, why);
    } else {
        if (leg.offered_crypto.empty() && !leg.srtp) {
            why = "an RTP/SAVP answer to an RTP/AVP offer";
            taken = false;
        } else {
            taken = TakeAnswer(leg, lines, why);
        }
    }
    WipeStrings(lines);
    return taken;
}

void WipeRemoteCrypto(Leg& leg) {
    if (leg.audio) sdp_media_rattr_apply(leg.audio, "crypto", WipeLine, nullptr);
}

const char* LegEncryption(const Leg& leg) {
    if (leg.browser) return "dtls_srtp";
    return leg.srtp ? "srtp" : "plain";
}

}  // namespace crisisline::telephony
