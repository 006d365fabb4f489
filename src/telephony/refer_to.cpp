#include "telephony/refer_to.hpp"

#include <cctype>

namespace crisisline::telephony {

namespace {

bool SameText(std::string_view a, std::string_view b) {
    if (a.size() != b.size()) return false;
    for (size_t i = 0; i < a.size(); ++i) {
        if (std::tolower(static_cast<unsigned char>(a[i])) != std::tolower(static_cast<unsigned char>(b[i]))) {
            return false;
        }
    }
    return true;
}

int HexDigit(char c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

// RFC 3986 %-decoding of a URI header value; nullopt on a truncated or non-hex escape.
std::optional<std::string> Unescape(std::string_view text) {
    std::string out;
    out.reserve(text.size());
    for (size_t i = 0; i < text.size(); ++i) {
        if (text[i] != '%') {
            out.push_back(text[i]);
            continue;
        }
        if (i + 2 >= text.size()) return std::nullopt;
        const int hi = HexDigit(text[i + 1]);
        const int lo = HexDigit(text[i + 2]);
        if (hi < 0 || lo < 0) return std::nullopt;
        out.push_back(static_cast<char>(hi * 16 + lo));
        i += 2;
    }
    return out;
}

// The URI of a Refer-To value: inside <...> when there are angle brackets, else the value itself.
std::string_view UriOf(std::string_view value) {
    auto open = value.find('<');
    if (open == std::string_view::npos) return value;
    auto close = value.find('>', open);
    return value.substr(open + 1, close == std::string_view::npos ? std::string_view::npos : close - open - 1);
}

std::string_view Trim(std::string_view text) {
    while (!text.empty() && std::isspace(static_cast<unsigned char>(text.front()))) text.remove_prefix(1);
    while (!text.empty() && std::isspace(static_cast<unsigned char>(text.back()))) text.remove_suffix(1);
    return text;
}

}  // namespace

std::string ReferUser(std::string_view refer_to) {
    const std::string_view uri = Trim(UriOf(refer_to));
    size_t start = 0;
    if (uri.substr(0, 4) == "sip:") {
        start = 4;
    } else if (uri.substr(0, 5) == "sips:") {
        start = 5;
    } else {
        return "";
    }
    auto at = uri.find('@', start);
    auto end = uri.find_first_of(";?", start);
    if (at == std::string_view::npos || (end != std::string_view::npos && end < at)) return "";
    return std::string(uri.substr(start, at - start));
}

Result<std::optional<ReplacesDialog>> ReferReplaces(std::string_view refer_to) {
    const std::string_view uri = UriOf(refer_to);
    auto question = uri.find('?');
    if (question == std::string_view::npos) return std::optional<ReplacesDialog>{};
    // hname=hvalue pairs joined by '&' (RFC 3261 section 25.1, "headers").
    std::string_view headers = uri.substr(question + 1);
    std::optional<std::string> raw;
    while (!headers.empty()) {
        auto amp = headers.find('&');
        std::string_view header = headers.substr(0, amp);
        headers = amp == std::string_view::npos ? std::string_view{} : headers.substr(amp + 1);
        auto eq = header.find('=');
        if (eq == std::string_view::npos || !SameText(Trim(header.substr(0, eq)), "Replaces")) continue;
        raw = Unescape(header.substr(eq + 1));
        if (!raw) return Fail(ErrorCode::kInvalid, "Replaces", "the Replaces in Refer-To has a bad %-escape");
        break;
    }
    if (!raw) return std::optional<ReplacesDialog>{};
    // callid *(SEMI replaces-param), replaces-param = to-tag / from-tag / early-flag / generic-param.
    ReplacesDialog out;
    std::string_view rest = *raw;
    auto semi = rest.find(';');
    out.call_id = std::string(Trim(rest.substr(0, semi)));
    rest = semi == std::string_view::npos ? std::string_view{} : rest.substr(semi + 1);
    bool have_to = false;
    bool have_from = false;
    while (!rest.empty()) {
        semi = rest.find(';');
        std::string_view param = Trim(rest.substr(0, semi));
        rest = semi == std::string_view::npos ? std::string_view{} : rest.substr(semi + 1);
        auto eq = param.find('=');
        std::string_view name = Trim(param.substr(0, eq));
        std::string_view value = eq == std::string_view::npos ? std::string_view{} : Trim(param.substr(eq + 1));
        if (SameText(name, "to-tag")) {
            out.to_tag = std::string(value);
            have_to = !value.empty();
        } else if (SameText(name, "from-tag")) {
            out.from_tag = std::string(value);
            have_from = !value.empty();
        } else if (SameText(name, "early-only")) {
            out.early_only = true;
        }
    }
    if (out.call_id.empty()) return Fail(ErrorCode::kInvalid, "Replaces", "the Replaces in Refer-To has no Call-ID");
    if (!have_to || !have_from) {
        return Fail(ErrorCode::kInvalid, "Replaces", "the Replaces in Refer-To needs both to-tag and from-tag");
    }
    return std::optional<ReplacesDialog>{std::move(out)};
}

}  // namespace crisisline::telephony
