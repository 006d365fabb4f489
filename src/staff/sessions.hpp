#pragma once

#include <atomic>
#include <cstdint>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>

#include "core/clock.hpp"
#include "crypto/crypto.hpp"
#include "staff/principal.hpp"
#include "staff/throttle.hpp"
#include "store/store.hpp"
#include "writer/writer.hpp"

namespace crisisline::staff {

struct SessionPolicy {
    TimeMs idle_timeout = 30 * kMinuteMs;      // no request for this long ends the session
    TimeMs absolute_timeout = 12 * kHourMs;    // a session never outlives a long shift
    // Failed sign-ins, counted per account name and client address together, earn growing waits (the sixth
    // failure in a row 1 s, then 2 s, 4 s, ... at most 15 minutes); an account is never locked outright.
    DelayPolicy sign_in_delays;
    // Wrong current passwords on ChangePassword, counted per account, earn waits the same way.
    DelayPolicy password_change_delays;
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
    // An unknown username, a disabled account and a wrong password get the same error after the same work (one
    // Argon2id verification, no write waited for). Each failure counts against `username` from `client` (the
    // client's address); while that pair must wait (SessionPolicy::sign_in_delays) every attempt of it, whatever
    // the account, gets kThrottled with the wait in seconds, before any password is checked.
    Result<SignedIn> SignIn(std::string_view username,
                            std::string_view password,
                            std::string_view totp_code,
                            std::string_view client = "");

    // How many sign-in password checks (Argon2id verifications) SignIn has made since start: one for every
    // attempt that was not made to wait, whatever the account, so an unknown or disabled account costs the
    // same as a wrong password (served as a metric; the sign-in tests count it instead of timing answers).
    std::uint64_t PasswordChecks() const { return password_checks_.load(std::memory_order_relaxed); }

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
    // kInvalid, field "current_password", when `current` is wrong (audited as session.password_change_failed);
    // kThrottled, field "current_password", while wrong tries have earned a wait
    // (SessionPolicy::password_change_delays); kInvalid, field "new_password", when `replacement` breaks the
    // password policy (crypto::CheckPasswordPolicy). On success the person is signed out everywhere.
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
    // Counts a failed sign-in of `key` and queues its audit entry for a known account (not waited for, so a
    // known account answers in the time an unknown one does).
    void RecordFailure(const std::string& key, const std::optional<store::StaffRow>& row, TimeMs now);
    Result<bool> CheckTotp(store::StaffRow& row, std::string_view code, TimeMs now);

    store::Store& store_;
    writer::StorageWriter& writer_;
    const crypto::Keyring& keys_;
    const Clock& clock_;
    const SessionPolicy policy_;
    const std::string dummy_hash_;  // verified against for unknown usernames, so timing does not tell
    std::atomic<std::uint64_t> password_checks_{0};  // every VerifyPassword of SignIn
    FailureDelays sign_in_delays_;          // by folded username and client address
    FailureDelays password_change_delays_;  // by staff id
    std::mutex cache_mu_;
    std::unordered_map<std::string, Remembered> cache_;  // by token hash; guarded by cache_mu_
    std::uint64_t forgets_ = 0;  // bumped by every Forget; a read that raced one is not remembered. guarded by cache_mu_
};

}  // namespace crisisline::staff
