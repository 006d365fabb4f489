#include "crypto/password.hpp"

#include <sodium.h>

#include <algorithm>
#include <cctype>
#include <string>
#include <unordered_set>
#include <vector>

#include "crypto/detail/common_passwords.hpp"

namespace crisisline::crypto {

namespace {

constexpr size_t kMinPasswordSize = 12;
constexpr size_t kMaxPasswordSize = 256;
// OWASP's Argon2id setting (19 MiB, 2 passes, 1 lane): strong against offline guessing while a
// few sign-ins at once stay inside the server's memory budget. Hashes carry their own parameters,
// so older hashes made with other settings still verify.
constexpr unsigned long long kOpsLimit = 2;
constexpr size_t kMemLimit = 19 * 1024 * 1024;
// At most this many different characters in a password of any length is a pattern, not a secret
// (aaaaaaaaaaaa, abababababab, 121212121212).
constexpr size_t kMaxTrivialDistinct = 3;

const std::unordered_set<std::string_view>& CommonPasswords() {
    static const auto* const kSet = [] {
        auto* set = new std::unordered_set<std::string_view>();
        const std::string_view text = detail::CommonPasswordsText();
        size_t start = 0;
        while (start < text.size()) {
            size_t end = text.find('\n', start);
            if (end == std::string_view::npos) end = text.size();
            std::string_view line = text.substr(start, end - start);
            if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
            if (!line.empty() && line.front() != '#') set->insert(line);
            start = end + 1;
        }
        return set;
    }();
    return *kSet;
}

std::string Lower(std::string_view text) {
    std::string out(text);
    std::transform(out.begin(), out.end(), out.begin(), [](unsigned char c) { return std::tolower(c); });
    return out;
}

// Without the spaces and separators people put between words.
std::string Compact(std::string_view text) {
    std::string out;
    for (char c : text) {
        if (c != ' ' && c != '-' && c != '_' && c != '.') out.push_back(c);
    }
    return out;
}

// Without leading and trailing digits and symbols: "2024password1234!" -> "password".
std::string Core(std::string_view text) {
    auto letter = [](char c) { return std::isalpha(static_cast<unsigned char>(c)) != 0; };
    auto first = std::find_if(text.begin(), text.end(), letter);
    auto last = std::find_if(text.rbegin(), text.rend(), letter).base();
    return first < last ? std::string(first, last) : std::string();
}

// The usual letter-for-digit or symbol swaps undone: "p@ssw0rd" -> "password".
std::string Unswapped(std::string_view text) {
    std::string out(text);
    for (char& c : out) {
        switch (c) {
            case '@': case '4': c = 'a'; break;
            case '3': c = 'e'; break;
            case '1': case '!': c = 'i'; break;
            case '0': c = 'o'; break;
            case '$': case '5': c = 's'; break;
            case '7': c = 't'; break;
            default: break;
        }
    }
    return out;
}

// The shortest unit `text` repeats (passwordpassword -> password); `text` itself when it repeats none.
std::string_view Unit(std::string_view text) {
    for (size_t n = 1; n <= text.size() / 2; ++n) {
        if (text.size() % n != 0) continue;
        bool repeats = true;
        for (size_t i = n; i < text.size() && repeats; ++i) repeats = text[i] == text[i - n];
        if (repeats) return text.substr(0, n);
    }
    return text;
}

// Every character one step from the last, the same way (abcdefghijkl, 987654321098 with digits wrapping).
bool IsSequence(std::string_view text) {
    if (text.size() < 3) return false;
    auto step = [](char a, char b) {
        const bool digits = std::isdigit(static_cast<unsigned char>(a)) && std::isdigit(static_cast<unsigned char>(b));
        int d = static_cast<unsigned char>(b) - static_cast<unsigned char>(a);
        if (digits && (d == 9 || d == -9)) d = d > 0 ? -1 : 1;
        return d;
    };
    const int first = step(text[0], text[1]);
    if (first != 1 && first != -1) return false;
    for (size_t i = 2; i < text.size(); ++i) {
        if (step(text[i - 1], text[i]) != first) return false;
    }
    return true;
}

bool IsCommon(std::string_view lower) {
    const auto& common = CommonPasswords();
    std::vector<std::string> forms;
    for (const std::string& base : {std::string(lower), Compact(lower)}) {
        forms.push_back(base);
        forms.push_back(Core(base));
        forms.push_back(Unswapped(Core(base)));
        forms.push_back(Core(Unswapped(base)));
    }
    return std::any_of(forms.begin(), forms.end(), [&](const std::string& form) {
        return !form.empty() && (common.count(form) > 0 || common.count(Unit(form)) > 0);
    });
}

bool IsTrivial(std::string_view lower) {
    std::string distinct(lower);
    std::sort(distinct.begin(), distinct.end());
    distinct.erase(std::unique(distinct.begin(), distinct.end()), distinct.end());
    if (distinct.size() <= kMaxTrivialDistinct) return true;
    const std::string compact = Compact(lower);
    return IsSequence(compact) || IsSequence(Unit(compact));
}

}  // namespace

Result<std::string> HashPassword(std::string_view password) {
    char encoded[crypto_pwhash_STRBYTES];
    if (crypto_pwhash_str_alg(encoded, password.data(), password.size(), kOpsLimit, kMemLimit, crypto_pwhash_ALG_ARGON2ID13) != 0) {
        return Fail(ErrorCode::kInternal, "cannot hash the password: not enough memory for Argon2id");
    }
    return std::string(encoded);
}

bool VerifyPassword(const std::string& encoded_hash, std::string_view password) {
    // libsodium reads the hash as a NUL-terminated string of at most crypto_pwhash_STRBYTES.
    if (encoded_hash.empty() || encoded_hash.size() >= crypto_pwhash_STRBYTES) return false;
    return crypto_pwhash_str_verify(encoded_hash.c_str(), password.data(), password.size()) == 0;
}

Result<void> CheckPasswordPolicy(std::string_view password) {
    if (password.size() < kMinPasswordSize) {
        return Fail(ErrorCode::kInvalid, "password", "a password is at least 12 characters");
    }
    if (password.size() > kMaxPasswordSize) {
        return Fail(ErrorCode::kInvalid, "password", "a password is at most 256 characters");
    }
    const std::string lower = Lower(password);
    if (IsTrivial(lower)) {
        return Fail(ErrorCode::kInvalid, "password",
                    "this password is a repeated or sequential pattern; choose a few unrelated words instead");
    }
    if (IsCommon(lower)) {
        return Fail(ErrorCode::kInvalid, "password",
                    "this password is too common (a well-known password or word with digits or symbols added); "
                    "choose a few unrelated words instead");
    }
    return {};
}

}  // namespace crisisline::crypto
