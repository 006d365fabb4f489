#pragma once

#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>

#include "core/clock.hpp"
#include "crypto/crypto.hpp"
#include "staff/principal.hpp"
#include "store/store.hpp"
#include "writer/writer.hpp"

namespace crisisline::staff {

struct SessionPolicy {
    TimeMs idle_timeout = 30 * kMinuteMs;      // no request for this long ends the session
    TimeMs absolute_timeout = 12 * kHourMs;    // a session never outlives a long shift
    std::int64_t max_failed_sign_ins = 5;      // then the account is locked for `lockout`
    TimeMs lockout = 15 * kMinuteMs;
    TimeMs touch_interval = kMinuteMs;         // last-seen is written at most this often
    // A validated session is remembered this long, so a burst of requests does not read
    // storage each time. Changes made through this process (sign-out, disabling, MFA reset)
    // take effect at once; changes made by another process (the command line) within this time.
    TimeMs cache_for = 2 * kSecondMs;
};

struct SignedIn {
    std::string token;  // goes in the HttpOnly cookie; only its hash is stored
    std::string csrf;   // the client echoes it in X-CSRF-Token on every change
    store::StaffRow staff;
    bool mfa_complete = false;
    // Set when the account has no TOTP yet: the secret to enrol (shown once, as a QR code).
    std::optional<std::string> totp_secret;
    std::optional<std::string> totp_uri;
};

struct Authenticated {
    Principal principal;
    std::string csrf;
    bool mfa_complete = false;
    TimeMs idle_expires_at = 0;
};

// Staff sign-in: Argon2id passwords, TOTP second factor, random session tokens
// stored only as hashes, lockout after repeated failures, idle and absolute timeouts.
// Blocking (Argon2id is slow by design): call from a worker thread. Thread-safe.
class Sessions {
public:
    Sessions(store::Store& store,
             writer::StorageWriter& writer,
             const crypto::Keyring& keys,
             const Clock& clock,
             SessionPolicy policy = {});

    // Password first. With TOTP enrolled, `totp_code` must be valid too (kUnauthenticated,
    // field "totp_code", otherwise). Without it, the session is created with mfa_complete=false
    // and the enrolment secret returned; ConfirmTotp completes it.
    // The same error answers an unknown username and a wrong password.
    Result<SignedIn> SignIn(std::string_view username, std::string_view password, std::string_view totp_code);

    // Confirms TOTP enrolment (or a second factor for a session that lacks it).
    Result<void> ConfirmTotp(std::string_view token, std::string_view code);

    // kUnauthenticated when the token is unknown, expired or the account disabled.
    Result<Authenticated> Authenticate(std::string_view token);

    // As Authenticate, but not counted as activity: the idle timeout is not pushed back. For re-checking a
    // long-lived connection (the console's WebSocket), which must not keep an unattended session alive.
    Result<Authenticated> Verify(std::string_view token);

    // Authenticate without any I/O: answers only from what is remembered, and only
    // when that is fresh and needs no write; nullopt means "use Authenticate".
    // Never blocks (a mutex held for a lookup), so it may run on an event loop.
    std::optional<Authenticated> AuthenticateRemembered(std::string_view token);

    Result<void> SignOut(std::string_view token);
    Result<void> SignOutEverywhere(const std::string& staff_id);
    Result<void> ChangePassword(const std::string& staff_id, std::string_view current, std::string_view replacement);

    // Drops what this process remembers of `staff_id`'s sessions: call after changing the account.
    void ForgetStaff(const std::string& staff_id);

    // The CSRF token bound to a session token (a keyed hash; nothing to store).
    std::string CsrfFor(std::string_view token) const;

    const SessionPolicy& Policy() const { return policy_; }

private:
    struct Remembered {
        store::SessionRow session;
        Principal principal;
        TimeMs fetched_at = 0;
    };

    Result<Authenticated> Check(std::string_view token, bool touch);
    Result<std::optional<Remembered>> Load(const std::string& token_hash, TimeMs now);
    Authenticated Describe(const Remembered& remembered, std::string_view token) const;
    void Forget(const std::string& token_hash);
    Result<std::optional<store::StaffRow>> FindStaff(std::string_view username);
    Result<void> RecordFailure(const store::StaffRow& row, TimeMs now);
    Result<bool> CheckTotp(store::StaffRow& row, std::string_view code, TimeMs now);

    store::Store& store_;
    writer::StorageWriter& writer_;
    const crypto::Keyring& keys_;
    const Clock& clock_;
    const SessionPolicy policy_;
    const std::string dummy_hash_;  // verified against for unknown usernames, so timing does not tell
    std::mutex cache_mu_;
    std::unordered_map<std::string, Remembered> cache_;  // by token hash; guarded by cache_mu_
    std::uint64_t forgets_ = 0;  // bumped by every Forget; a read that raced one is not remembered. guarded by cache_mu_
};

}  // namespace crisisline::staff
