#include "telephony/browser_sdp.hpp"

#include <sodium.h>

#include <algorithm>
#include <cctype>
#include <sstream>
#include <vector>

namespace crisisline::telephony {

namespace {

constexpr size_t kMaxOfferBytes = 16 * 1024;

Error Bad(const std::string& why) { return Error{ErrorCode::kInvalid, "sdp", why}; }

bool IceChars(const std::string& s, size_t min, size_t max) {
    if (s.size() < min || s.size() > max) return false;
    return std::all_of(s.begin(), s.end(), [](unsigned char c) { return std::isalnum(c) || c == '+' || c == '/'; });
}

std::vector<std::string> Lines(const std::string& sdp) {
    std::vector<std::string> out;
    std::istringstream in(sdp);
    std::string line;
    while (std::getline(in, line)) {
        if (!line.empty() && line.back() == '\r') line.pop_back();
        if (!line.empty()) out.push_back(line);
    }
    return out;
}

bool StartsWith(const std::string& s, const char* prefix) { return s.rfind(prefix, 0) == 0; }

// "a=rtpmap:0 PCMU/8000" -> pt 0, "pcmu/8000"
bool RtpMap(const std::string& value, int* pt, std::string* name) {
    auto space = value.find(' ');
    if (space == std::string::npos || space == 0 || space > 3) return false;
    try {
        *pt = std::stoi(value.substr(0, space));
    } catch (...) {
        return false;
    }
    *name = value.substr(space + 1);
    std::transform(name->begin(), name->end(), name->begin(), [](unsigned char c) { return std::tolower(c); });
    return *pt >= 0 && *pt <= 127;
}

bool Fingerprint(const std::string& hex) {
    // 32 bytes: "AB:CD:..." is 95 characters.
    if (hex.size() != 95) return false;
    for (size_t i = 0; i < hex.size(); ++i) {
        if (i % 3 == 2 ? hex[i] != ':' : !std::isxdigit(static_cast<unsigned char>(hex[i]))) return false;
    }
    return true;
}

std::string RandomIceChars(size_t n) {
    static const char kAlphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    std::string out(n, 'A');
    for (auto& c : out) c = kAlphabet[randombytes_uniform(64)];
    return out;
}

}  // namespace

Result<BrowserOffer> ReadBrowserOffer(const std::string& sdp) {
    if (sdp.empty()) return tl::unexpected(Bad("is empty"));
    if (sdp.size() > kMaxOfferBytes) return tl::unexpected(Bad("is longer than 16 KiB"));
    BrowserOffer offer;
    int audio_lines = 0, other_lines = 0;
    bool in_audio = false, rtcp_mux = false;
    std::string setup, proto;
    std::vector<int> offered_pts;
    for (const auto& line : Lines(sdp)) {
        if (line.size() < 2 || line[1] != '=') return tl::unexpected(Bad("has a line that is not type=value"));
        if (StartsWith(line, "m=")) {
            bool audio = StartsWith(line, "m=audio ");
            audio ? ++audio_lines : ++other_lines;
            in_audio = audio && audio_lines == 1;
            if (in_audio) {
                std::istringstream words(line.substr(2));
                std::string media, port;
                words >> media >> port >> proto;
                int pt;
                while (words >> pt) offered_pts.push_back(pt);
            }
            continue;
        }
        if (!StartsWith(line, "a=")) continue;
        std::string attr = line.substr(2);
        auto colon = attr.find(':');
        std::string name = attr.substr(0, colon);
        std::string value = colon == std::string::npos ? "" : attr.substr(colon + 1);
        bool session_or_audio = audio_lines == 0 || in_audio;
        if (!session_or_audio) continue;
        if (name == "ice-ufrag") offer.ice_ufrag = value;
        else if (name == "ice-pwd") offer.ice_pwd = value;
        else if (name == "fingerprint") {
            auto space = value.find(' ');
            std::string hash = value.substr(0, space);
            std::transform(hash.begin(), hash.end(), hash.begin(), [](unsigned char c) { return std::tolower(c); });
            if (hash == "sha-256" && space != std::string::npos) {
                offer.fingerprint = value.substr(space + 1);
                std::transform(offer.fingerprint.begin(), offer.fingerprint.end(), offer.fingerprint.begin(),
                               [](unsigned char c) { return std::toupper(c); });
            }
        } else if (name == "setup") setup = value;
        else if (name == "rtcp-mux" && in_audio) rtcp_mux = true;
        else if (name == "mid" && in_audio) offer.mid = value;
        else if (name == "rtpmap" && in_audio) {
            int pt;
            std::string codec;
            if (!RtpMap(value, &pt, &codec)) continue;
            if (std::find(offered_pts.begin(), offered_pts.end(), pt) == offered_pts.end()) continue;
            if (codec == "pcmu/8000" || codec == "pcmu/8000/1") offer.pcmu_pt = pt;
            else if (codec == "pcma/8000" || codec == "pcma/8000/1") offer.pcma_pt = pt;
            else if (codec == "telephone-event/8000") offer.event_pt = pt;
        }
    }
    if (audio_lines != 1) return tl::unexpected(Bad("must have exactly one audio m-line"));
    if (other_lines != 0) return tl::unexpected(Bad("must have no video or data m-line"));
    if (proto != "UDP/TLS/RTP/SAVPF") return tl::unexpected(Bad("audio must be UDP/TLS/RTP/SAVPF (DTLS-SRTP)"));
    if (!IceChars(offer.ice_ufrag, 4, 256)) return tl::unexpected(Bad("needs a=ice-ufrag of 4-256 ice-chars"));
    if (!IceChars(offer.ice_pwd, 22, 256)) return tl::unexpected(Bad("needs a=ice-pwd of 22-256 ice-chars"));
    if (!Fingerprint(offer.fingerprint)) return tl::unexpected(Bad("needs a=fingerprint:sha-256 of 32 bytes"));
    if (setup != "actpass" && setup != "active") {
        return tl::unexpected(Bad("a=setup must be actpass or active (the server is the passive DTLS side)"));
    }
    if (!rtcp_mux) return tl::unexpected(Bad("needs a=rtcp-mux"));
    // Static payload types 0 and 8 need no rtpmap (RFC 3551).
    if (offer.pcmu_pt < 0 && std::find(offered_pts.begin(), offered_pts.end(), 0) != offered_pts.end()) offer.pcmu_pt = 0;
    if (offer.pcma_pt < 0 && std::find(offered_pts.begin(), offered_pts.end(), 8) != offered_pts.end()) offer.pcma_pt = 8;
    if (offer.pcmu_pt != -1 && offer.pcmu_pt != 0) offer.pcmu_pt = -1;  // G.711 keeps its static numbers
    if (offer.pcma_pt != -1 && offer.pcma_pt != 8) offer.pcma_pt = -1;
    if (offer.pcmu_pt < 0 && offer.pcma_pt < 0) return tl::unexpected(Bad("must offer PCMU or PCMA at 8000 Hz"));
    if (offer.mid.size() > 32) return tl::unexpected(Bad("a=mid is longer than 32 characters"));
    return offer;
}

Result<BrowserOffer> ReadBrowserReoffer(const std::string& sdp, const BrowserOffer& answered, bool pcma) {
    auto next = ReadBrowserOffer(sdp);
    if (!next) return next;
    if (next->fingerprint != answered.fingerprint) {
        return tl::unexpected(Bad("a=fingerprint changed: the call keeps its DTLS-SRTP session, so re-offer with the "
                                  "same certificate"));
    }
    if (next->mid != answered.mid) return tl::unexpected(Bad("a=mid changed: re-offer the same audio m-line"));
    if ((pcma ? next->pcma_pt : next->pcmu_pt) < 0) {
        return tl::unexpected(Bad(pcma ? "must still offer PCMA, the call's codec"
                                       : "must still offer PCMU, the call's codec"));
    }
    return next;
}

bool RestartsIce(const BrowserOffer& answered, const BrowserOffer& next) {
    return next.ice_ufrag != answered.ice_ufrag || next.ice_pwd != answered.ice_pwd;
}

std::string WriteBrowserAnswer(const BrowserOffer& offer, const BrowserAnswerParams& p, bool* pcma) {
    bool use_pcma = offer.pcmu_pt < 0 || (p.prefer_pcma && offer.pcma_pt >= 0);
    if (pcma) *pcma = use_pcma;
    int pt = use_pcma ? 8 : 0;
    std::string port = std::to_string(p.port);
    std::ostringstream s;
    s << "v=0\r\n"
      << "o=crisisline " << p.session_id << ' ' << p.version << " IN IP4 " << p.address << "\r\n"
      << "s=-\r\n"
      << "t=0 0\r\n"
      << "a=ice-lite\r\n"
      << "m=audio " << port << " UDP/TLS/RTP/SAVPF " << pt;
    if (offer.event_pt >= 0) s << ' ' << offer.event_pt;
    s << "\r\n"
      << "c=IN IP4 " << p.address << "\r\n";
    if (!offer.mid.empty()) s << "a=mid:" << offer.mid << "\r\n";
    s << "a=ice-ufrag:" << p.ice_ufrag << "\r\n"
      << "a=ice-pwd:" << p.ice_pwd << "\r\n"
      << "a=fingerprint:sha-256 " << p.fingerprint << "\r\n"
      << "a=setup:passive\r\n"
      << "a=sendrecv\r\n"
      << "a=rtcp-mux\r\n"
      << "a=rtpmap:" << pt << (use_pcma ? " PCMA/8000" : " PCMU/8000") << "\r\n";
    if (offer.event_pt >= 0) {
        s << "a=rtpmap:" << offer.event_pt << " telephone-event/8000\r\n"
          << "a=fmtp:" << offer.event_pt << " 0-15\r\n";
    }
    s << "a=ptime:20\r\n"
      << "a=candidate:1 1 udp 2130706431 " << p.address << ' ' << port << " typ host\r\n"
      << "a=end-of-candidates\r\n";
    return s.str();
}

std::string NewIceUfrag() { return RandomIceChars(8); }
std::string NewIcePwd() { return RandomIceChars(24); }

}  // namespace crisisline::telephony
