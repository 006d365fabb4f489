#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "core/error.hpp"

// Internal to the switchboard: what a REFER's Refer-To header names (RFC 3515 section 2.1). Pure: no libre, no
// state; tested beside it (refer_to_test.cpp).
namespace crisisline::telephony {

// The user part of the URI in a Refer-To value ("<sip:user@host;params?headers>", "Name <sips:user@host>" or a
// bare URI), or empty when it has none.
std::string ReferUser(std::string_view refer_to);

// The dialog an attended transfer names (RFC 3891 section 6.1): the Replaces header embedded in the Refer-To
// URI's headers (`?Replaces=<call-id>%3Bto-tag%3D<tag>%3Bfrom-tag%3D<tag>`, escaped as RFC 3261 section 19.1.1
// says, or with `;` and `=` left unescaped as some phones send them). to-tag and from-tag are as the UA receiving
// the Replaces sees the dialog: to-tag its own tag, from-tag its peer's.
struct ReplacesDialog {
    std::string call_id;
    std::string to_tag;
    std::string from_tag;
    bool early_only = false;  // the early-only flag (section 6.1): replace only a dialog not yet answered
};

// The Replaces named in Refer-To value `refer_to`: nullopt when its URI carries no Replaces header (a blind
// transfer). kInvalid (field "Replaces") when it has one that cannot be read: a bad %-escape, no Call-ID, or
// without both to-tag and from-tag.
[[nodiscard]] Result<std::optional<ReplacesDialog>> ReferReplaces(std::string_view refer_to);

}  // namespace crisisline::telephony
