#include "staff/sessions.hpp"

#include <sodium.h>

#include <algorithm>

#include "staff/accounts.hpp"
#include "writer/audit_trail.hpp"

namespace crisisline::staff {

namespace {

constexpr const char* kIssuer = "crisisline";

tl::unexpected<Error> WrongCredentials() {
    return Fail(ErrorCode::kUnauthenticated, "password", "the username or password is not right");
}

tl::unexpected<Error> MustWait(std::string_view field, TimeMs wait) {
    const TimeMs seconds = (wait + kSecondMs - 1) / kSecondMs;
    return Fail(ErrorCode::kThrottled, std::string(field),
                "too many failed attempts; try again in " + std::to_string(seconds) + " seconds");
}

std::string Folded(std::string_view username) {
    std::string folded(username);
    std::transform(folded.begin(), folded.end(), folded.begin(), [](unsigned char c) { return std::tolower(c); });
    return folded;
}

tl::unexpected<Error> SignInAgain() {
    return Fail(ErrorCode::kUnauthenticated, "your session has ended; please sign in again");
}

std::string TotpAad(const std::string& staff_id) { return "totp:" + staff_id; }

}  // namespace

Sessions::Sessions(store::Store& store,
                   writer::StorageWriter& writer,
                   const crypto::Keyring& keys,
                   const Clock& clock,
                   SessionPolicy policy)
    : store_(store),
      writer_(writer),
      keys_(keys),
      clock_(clock),
      policy_(policy),
      dummy_hash_(crypto::HashPassword(crypto::RandomToken()).value_or("")),
      sign_in_delays_(policy.sign_in_delays),
      password_change_delays_(policy.password_change_delays) {}

std::string Sessions::CsrfFor(std::string_view token) const {
    unsigned char out[32];
    std::string input = "csrf|" + std::string(token);
    const auto& key = keys_.Service();
    crypto_generichash(out, sizeof out, reinterpret_cast<const unsigned char*>(input.data()), input.size(), key.data(),
                       crypto::SecretKey::size());
    char hex[65];
    sodium_bin2hex(hex, sizeof hex, out, sizeof out);
    return hex;
}

Result<std::optional<store::StaffRow>> Sessions::FindStaff(std::string_view username) {
    const std::string folded = Folded(username);
    std::optional<store::StaffRow> found;
    auto r = store_.Read([&](store::Tx& tx) -> Result<void> {
        auto row = tx.GetStaffByUsername(folded);
        if (!row) return tl::unexpected(row.error());
        found = std::move(*row);
        return {};
    });
    if (!r) return tl::unexpected(r.error());
    return found;
}

void Sessions::RecordFailure(const std::string& key, const std::optional<store::StaffRow>& row, TimeMs now) {
    const TimeMs wait = sign_in_delays_.Failed(key, now);
    if (!row) return;  // nobody to audit for; the wait still applies, as for a known account
    const std::string action = wait > 0 ? "session.sign_in_delayed" : "session.sign_in_failed";
    writer_.Submit([id = row->id, action, now](store::Tx& tx) -> Result<void> {
        return writer::AppendAudit(tx, now, {id, action, "", "staff", id, "security"});
    });
}

Result<bool> Sessions::CheckTotp(store::StaffRow& row, std::string_view code, TimeMs now) {
    auto secret_text = crypto::OpenWithKey(keys_.Service(), row.totp_secret_sealed, TotpAad(row.id));
    if (!secret_text) return tl::unexpected(secret_text.error());
    store::Bytes secret(secret_text->begin(), secret_text->end());
    auto step = crypto::VerifyTotp(secret, code, now / 1000);
    sodium_memzero(secret.data(), secret.size());
    if (!step || *step <= row.totp_last_step) return false;  // wrong, or a code already used (replay)
    row.totp_last_step = *step;
    return true;
}

Result<SignedIn> Sessions::SignIn(std::string_view username,
                                  std::string_view password,
                                  std::string_view totp_code,
                                  std::string_view client) {
    const TimeMs now = clock_.Now();
    // The pair, not the account: a stranger elsewhere cannot slow the member of staff's own sign-in. Judged
    // before the account is looked up, so a waiting pair answers alike for every kind of account.
    const std::string key = Folded(username) + "|" + std::string(client);
    if (const TimeMs wait = sign_in_delays_.WaitFor(key, now); wait > 0) return MustWait("", wait);
    auto found = FindStaff(username);
    if (!found) return tl::unexpected(found.error());
    // One Argon2id verification whatever the account: an unknown or disabled one must not answer sooner.
    const bool password_ok = crypto::VerifyPassword(*found ? (*found)->password_hash : dummy_hash_, password);
    password_checks_.fetch_add(1, std::memory_order_relaxed);
    if (!*found || (*found)->disabled || !password_ok) {
        RecordFailure(key, *found, now);
        return WrongCredentials();
    }
    store::StaffRow row = std::move(**found);

    SignedIn out;
    bool mfa = false;
    if (row.totp_enrolled) {
        if (totp_code.empty()) {
            return Fail(ErrorCode::kUnauthenticated, "totp_code", "enter the 6-digit code from your authenticator app");
        }
        auto ok = CheckTotp(row, totp_code, now);
        if (!ok) return tl::unexpected(ok.error());
        if (!*ok) {
            RecordFailure(key, row, now);
            return Fail(ErrorCode::kUnauthenticated, "totp_code", "the code is not right or was already used");
        }
        mfa = true;
    } else {
        store::Bytes secret;
        if (row.totp_secret_sealed.empty()) {
            secret = crypto::NewTotpSecret();
            row.totp_secret_sealed = crypto::SealWithKey(
                keys_.Service(), std::string_view(reinterpret_cast<const char*>(secret.data()), secret.size()),
                TotpAad(row.id));
        } else {
            auto text = crypto::OpenWithKey(keys_.Service(), row.totp_secret_sealed, TotpAad(row.id));
            if (!text) return tl::unexpected(text.error());
            secret.assign(text->begin(), text->end());
        }
        out.totp_secret = crypto::Base32Encode(secret);
        out.totp_uri = crypto::TotpUri(kIssuer, row.username, secret);
        sodium_memzero(secret.data(), secret.size());
    }

    out.token = crypto::RandomToken();
    out.csrf = CsrfFor(out.token);
    out.mfa_complete = mfa;
    sign_in_delays_.Succeeded(key);
    row.failed_sign_ins = 0;
    row.locked_until = 0;  // a lock of older versions ends with the right password and code
    row.updated_at = now;
    store::SessionRow session{crypto::Sha256Hex(out.token), row.id, crypto::Sha256Hex(out.csrf), mfa, now, now};
    auto written = writer_.Run([&](store::Tx& tx) -> Result<void> {
        if (auto u = tx.UpdateStaff(row); !u) return u;
        if (auto s = tx.InsertSession(session); !s) return s;
        return writer::AppendAudit(tx, now, {row.id, "session.sign_in", "", "staff", row.id, "security"});
    });
    if (!written) return tl::unexpected(written.error());
    out.staff = std::move(row);
    return out;
}

Result<void> Sessions::ConfirmTotp(std::string_view token, std::string_view code) {
    const TimeMs now = clock_.Now();
    const std::string token_hash = crypto::Sha256Hex(token);
    auto confirmed = writer_.Run([&](store::Tx& tx) -> Result<void> {
        auto session = tx.GetSession(token_hash);
        if (!session) return tl::unexpected(session.error());
        if (!*session) return SignInAgain();
        auto staff = tx.GetStaff((*session)->staff_id);
        if (!staff) return tl::unexpected(staff.error());
        if (!*staff || (*staff)->disabled || (*staff)->totp_secret_sealed.empty()) return SignInAgain();
        store::StaffRow row = **staff;
        auto ok = CheckTotp(row, code, now);
        if (!ok) return tl::unexpected(ok.error());
        if (!*ok) return Fail(ErrorCode::kInvalid, "code", "the code is not right; check the time on your phone");
        const bool enrolling = !row.totp_enrolled;
        row.totp_enrolled = true;
        row.updated_at = now;
        if (auto u = tx.UpdateStaff(row); !u) return u;
        store::SessionRow updated = **session;
        updated.mfa_complete = true;
        updated.last_seen_at = now;
        if (auto u = tx.UpdateSession(updated); !u) return u;
        return writer::AppendAudit(tx, now,
                                   {row.id, enrolling ? "session.totp_enrolled" : "session.totp_confirmed", "", "staff",
                                    row.id, "security"});
    });
    Forget(token_hash);  // after the commit, so the remembered state cannot predate it
    return confirmed;
}

Result<std::optional<Sessions::Remembered>> Sessions::Load(const std::string& token_hash, TimeMs now) {
    std::uint64_t forgets_before = 0;
    {
        std::lock_guard lock(cache_mu_);
        auto it = cache_.find(token_hash);
        if (it != cache_.end() && now - it->second.fetched_at < policy_.cache_for) return it->second;
        forgets_before = forgets_;
    }
    std::optional<store::SessionRow> session;
    std::optional<store::StaffRow> staff;
    auto r = store_.Read([&](store::Tx& tx) -> Result<void> {
        auto s = tx.GetSession(token_hash);
        if (!s) return tl::unexpected(s.error());
        session = std::move(*s);
        if (!session) return {};
        auto st = tx.GetStaff(session->staff_id);
        if (!st) return tl::unexpected(st.error());
        staff = std::move(*st);
        return {};
    });
    if (!r) return tl::unexpected(r.error());
    if (!session || !staff || staff->disabled) {
        Forget(token_hash);
        return std::optional<Remembered>();
    }
    Remembered fresh{*session, PrincipalOf(*staff), now};
    std::lock_guard lock(cache_mu_);
    if (forgets_ != forgets_before) return std::optional<Remembered>(std::move(fresh));  // may predate a change
    if (cache_.size() >= 100000) cache_.clear();  // bounded; a miss only costs a read
    cache_[token_hash] = fresh;
    return std::optional<Remembered>(std::move(fresh));
}

void Sessions::Forget(const std::string& token_hash) {
    std::lock_guard lock(cache_mu_);
    ++forgets_;
    cache_.erase(token_hash);
}

void Sessions::ForgetStaff(const std::string& staff_id) {
    std::lock_guard lock(cache_mu_);
    ++forgets_;
    std::erase_if(cache_, [&](const auto& kv) { return kv.second.session.staff_id == staff_id; });
}

Authenticated Sessions::Describe(const Remembered& remembered, std::string_view token) const {
    const store::SessionRow& session = remembered.session;
    Authenticated out;
    out.principal = remembered.principal;
    out.csrf = CsrfFor(token);
    out.mfa_complete = session.mfa_complete;
    out.idle_expires_at =
        std::min(session.last_seen_at + policy_.idle_timeout, session.created_at + policy_.absolute_timeout);
    return out;
}

std::optional<Authenticated> Sessions::AuthenticateRemembered(std::string_view token) {
    if (token.empty()) return std::nullopt;
    const TimeMs now = clock_.Now();
    const std::string token_hash = crypto::Sha256Hex(token);
    std::lock_guard lock(cache_mu_);
    auto it = cache_.find(token_hash);
    if (it == cache_.end() || now - it->second.fetched_at >= policy_.cache_for) return std::nullopt;
    const store::SessionRow& session = it->second.session;
    if (now - session.last_seen_at > policy_.touch_interval || now - session.created_at > policy_.absolute_timeout) {
        return std::nullopt;  // needs a write (touch) or has ended: the full path handles both
    }
    return Describe(it->second, token);
}

Result<Authenticated> Sessions::Authenticate(std::string_view token) {
    return Check(token, true);
}

Result<Authenticated> Sessions::Verify(std::string_view token) {
    return Check(token, false);
}

Result<Authenticated> Sessions::Check(std::string_view token, bool touch) {
    if (token.empty()) return Fail(ErrorCode::kUnauthenticated, "sign in first");
    const TimeMs now = clock_.Now();
    const std::string token_hash = crypto::Sha256Hex(token);
    auto loaded = Load(token_hash, now);
    if (!loaded) return tl::unexpected(loaded.error());
    if (!*loaded) return SignInAgain();
    store::SessionRow& session = (*loaded)->session;
    if (now - session.last_seen_at > policy_.idle_timeout || now - session.created_at > policy_.absolute_timeout) {
        Forget(token_hash);
        writer_.Submit([token_hash](store::Tx& tx) { return tx.DeleteSession(token_hash); });
        return SignInAgain();
    }
    if (touch && now - session.last_seen_at > policy_.touch_interval) {
        session.last_seen_at = now;
        {
            std::lock_guard lock(cache_mu_);
            auto it = cache_.find(token_hash);
            if (it != cache_.end()) it->second.session.last_seen_at = now;
        }
        // Not waited for: a lost touch only shortens the idle window by a minute.
        writer_.Submit([touched = session](store::Tx& tx) { return tx.UpdateSession(touched); });
    }
    return Describe(**loaded, token);
}

Result<void> Sessions::SignOut(std::string_view token) {
    const std::string token_hash = crypto::Sha256Hex(token);
    auto deleted = writer_.Run([&](store::Tx& tx) { return tx.DeleteSession(token_hash); });
    Forget(token_hash);
    return deleted;
}

Result<void> Sessions::SignOutEverywhere(const std::string& staff_id) {
    const TimeMs now = clock_.Now();
    auto deleted = writer_.Run([&](store::Tx& tx) -> Result<void> {
        if (auto d = tx.DeleteSessionsOf(staff_id); !d) return d;
        return writer::AppendAudit(tx, now, {staff_id, "session.sign_out_everywhere", "", "staff", staff_id, "security"});
    });
    ForgetStaff(staff_id);
    return deleted;
}

Result<void> Sessions::ChangePassword(const std::string& staff_id,
                                      std::string_view current,
                                      std::string_view replacement) {
    std::optional<store::StaffRow> row;
    auto r = store_.Read([&](store::Tx& tx) -> Result<void> {
        auto s = tx.GetStaff(staff_id);
        if (!s) return tl::unexpected(s.error());
        row = std::move(*s);
        return {};
    });
    if (!r) return r;
    if (!row) return SignInAgain();
    const TimeMs now = clock_.Now();
    if (const TimeMs wait = password_change_delays_.WaitFor(staff_id, now); wait > 0) {
        return MustWait("current_password", wait);
    }
    if (!crypto::VerifyPassword(row->password_hash, current)) {
        const TimeMs wait = password_change_delays_.Failed(staff_id, now);
        auto audited = writer_.Run([&](store::Tx& tx) -> Result<void> {
            return writer::AppendAudit(tx, now,
                                       {staff_id, wait > 0 ? "session.password_change_delayed"
                                                           : "session.password_change_failed",
                                        "", "staff", staff_id, "security"});
        });
        if (!audited) return audited;
        return Fail(ErrorCode::kInvalid, "current_password", "the current password is not right");
    }
    password_change_delays_.Succeeded(staff_id);
    if (auto policy = crypto::CheckPasswordPolicy(replacement); !policy) {
        return Fail(ErrorCode::kInvalid, "new_password", policy.error().message);
    }
    Accounts accounts(store_, writer_, clock_);
    auto set = accounts.SetPassword(staff_id, replacement, staff_id);
    ForgetStaff(staff_id);
    return set;
}

}  // namespace crisisline::staff
