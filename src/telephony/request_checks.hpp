#pragma once

#include <cstdint>
#include <optional>
#include <string>

struct sip_msg;

// What RFC 3261 requires of a request before a UAS acts on it, checked before anything else sees it.
namespace crisisline::telephony {

struct Refusal {
    std::uint16_t status = 400;
    std::string reason;   // the reason phrase: says what is wrong ("Missing To", "Bad CSeq")
    std::string headers;  // extra header lines, each ending in CRLF (e.g. "Unsupported: 100rel\r\n")
};

// std::nullopt when `msg` (a request) may be handled. Otherwise how to refuse it:
//  400 when To, From, Call-ID, CSeq or Via is missing; when CSeq is not a number below 2^31 followed by the
//      request's own method (section 8.1.1.5); when Content-Length is not a number or is not the length of the
//      body that arrived (section 18.3); for an INVITE, when Contact is missing (section 8.1.1.8) or
//      Max-Forwards is not a number;
//  483 for an INVITE with Max-Forwards: 0 (section 16.3 / 8.2);
//  420 with Unsupported naming them when Require lists options (this server supports none; section 8.2.2.3).
// ACK and CANCEL are never refused for Require; an ACK is never answered at all (the caller drops it).
std::optional<Refusal> CheckRequest(const sip_msg& msg);

}  // namespace crisisline::telephony
