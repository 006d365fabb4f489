"""Sign-in that cannot be turned against staff: the real binary behind a (simulated) reverse proxy on loopback.

The proxy is 127.0.0.1, trusted in crisisline.toml; requests name their client in X-Forwarded-For, as nginx's
`proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for` does. Connections from 127.0.0.2 are not from
the proxy, so their X-Forwarded-For must count for nothing.
"""
import os
import sqlite3
import re
import time
import unittest

import harness

CONFIG = """
[server]
trusted_proxies = ["127.0.0.1"]
"""


def next_code(client):
    """The code of the next time step: the server accepts one step either side, and the current one was used
    when the client enrolled (codes are single-use)."""
    return harness.totp(client.totp_secret, time.time() + 30)


def seconds_to_wait(reply):
    """The N of "... try again in N seconds", or 0."""
    words = reply["error"]["message"].split()
    return int(words[words.index("in") + 1]) if "in" in words and words[-1] == "seconds" else 0


class SignInTest(unittest.TestCase):
    def setUp(self):
        self.server = harness.Server().init()
        self.server.write_config(CONFIG)
        self.server.add_staff("alex", ["counsellor"], lines=())
        self.server.add_staff("gone", ["counsellor"], lines=())
        harness.run_cli(self.server.data_dir, "staff", "disable", "--username", "gone")
        self.server.start()

    def tearDown(self):
        self.server.close()

    def attempt(self, username, password, client, code=None, source=None):
        body = {"username": username, "password": password}
        if code:
            body["totp_code"] = code
        c = self.server.client(headers={"X-Forwarded-For": client}, source=source)
        started = time.monotonic()
        status, reply, _ = c.call("POST", "/api/v1/session", body)
        return status, reply, time.monotonic() - started

    def test_a_stranger_cannot_lock_a_counsellor_out(self):
        desk = self.server.client(headers={"X-Forwarded-For": "198.51.100.10"}).sign_in("alex")  # enrols TOTP
        # A stranger behind the same proxy: wrong passwords for alex, then the address's whole allowance on
        # made-up names. Before, the fifth locked alex for 15 minutes and the thirtieth locked the proxy out.
        statuses = [self.attempt("alex", "not alex's password", "203.0.113.66")[0] for _ in range(10)]
        statuses += [self.attempt(f"nobody{i}", "not a password at all", "203.0.113.66")[0] for i in range(25)]
        self.assertEqual(statuses[:5], [401] * 5, statuses)
        self.assertEqual(statuses[-1], 429, "the stranger is throttled")
        status, reply, _ = self.attempt("alex", harness.PASSWORD, "198.51.100.10", next_code(desk))
        self.assertEqual(status, 200, reply)
        self.assertTrue(reply["mfa_complete"])
        # X-Forwarded-For from a peer that is not a trusted proxy is not believed: a new made-up client address
        # on every attempt does not escape the per-address limit of 127.0.0.2.
        statuses = [self.attempt(f"someone{i}", "not a password at all", f"192.0.2.{i}", source="127.0.0.2")[0]
                    for i in range(31)]
        self.assertEqual(statuses[-1], 429, statuses)

    def until_throttled(self, send, limit=12):
        """Sends until the server answers 429 (each failure it counts doubles the wait, so one soon comes
        however slow this machine is); the answers, the 429 last."""
        answers = []
        for _ in range(limit):
            answers.append(send())
            if answers[-1][0] == 429:
                return answers
        self.fail(f"no 429 in {limit} tries: {answers}")

    def password_checks(self):
        """crisisline_sign_in_password_checks from /metrics: Argon2id verifications made by sign-in so far."""
        status, text = self.server.metrics()
        self.assertEqual(status, 200, text)
        found = re.search(r"^crisisline_sign_in_password_checks (\S+)$", text, re.M)
        self.assertIsNotNone(found, "the password-check gauge is served")
        return float(found.group(1))

    def test_unknown_disabled_and_wrong_password_answer_alike_and_as_slowly(self):
        cases = (("nobody", harness.PASSWORD, "198.51.100.21"), ("gone", harness.PASSWORD, "198.51.100.22"),
                 ("alex", "wrong one!!", "198.51.100.23"))
        # Five free failures each. "As slowly" is counted, not timed: every one of them must cost the server one
        # Argon2id verification (which is what takes the time), so an unknown or a disabled account cannot be told
        # from a wrong password by how soon it answers. A disabled account used to answer without one.
        answers = {}
        for name, password, client in cases:
            before = self.password_checks()
            tries = [self.attempt(name, password, client) for _ in range(5)]
            self.assertEqual(self.password_checks() - before, 5, f"{name}: one password check per attempt")
            answers[name] = {(status, reply["error"]["code"], reply["error"]["message"]) for status, reply, _ in tries}
            # Until the 429: each answer before it cost one check; the 429 is refused before any is made.
            before = self.password_checks()
            last = self.until_throttled(lambda: self.attempt(name, password, client))
            self.assertEqual(self.password_checks() - before, len(last) - 1, f"{name}: {last}")
            status, reply, _ = last[-1]
            answers[name].add((status, reply["error"]["code"], reply["error"]["message"].split(" in ")[0]))
        self.assertEqual(len(answers["alex"]), 2, answers)
        self.assertEqual(answers["nobody"], answers["alex"])
        self.assertEqual(answers["gone"], answers["alex"])

    def test_the_password_step_asks_for_the_code_without_a_failure_or_a_session(self):
        desk = self.server.client(headers={"X-Forwarded-For": "198.51.100.20"}).sign_in("alex")  # enrols TOTP
        c = self.server.client(headers={"X-Forwarded-For": "198.51.100.20"})
        status, reply, headers = c.call("POST", "/api/v1/session", {"username": "alex", "password": harness.PASSWORD})
        self.assertEqual((status, reply.get("totp_required")), (200, True), reply)
        self.assertNotIn("Set-Cookie", headers)
        self.assertNotIn("csrf_token", reply)
        # A wrong password without a code is still a failure, and a wrong code too.
        status, reply, _ = c.call("POST", "/api/v1/session", {"username": "alex", "password": "not alex's password"})
        self.assertEqual(status, 401, reply)
        status, reply, _ = c.call("POST", "/api/v1/session",
                                  {"username": "alex", "password": harness.PASSWORD, "totp_code": "000000"})
        self.assertEqual((status, reply["error"]["field"]), (401, "totp_code"), reply)
        status, reply, headers = c.call("POST", "/api/v1/session",
                                        {"username": "alex", "password": harness.PASSWORD, "totp_code": next_code(desk)})
        self.assertEqual(status, 200, reply)
        self.assertTrue(reply["mfa_complete"])
        self.assertIn("Set-Cookie", headers)

    def test_the_right_password_passes_once_a_wait_is_over(self):
        desk = self.server.client(headers={"X-Forwarded-For": "198.51.100.30"}).sign_in("alex")
        self.until_throttled(lambda: self.attempt("alex", "not alex's password", "198.51.100.30"))
        code = next_code(desk)
        deadline = time.monotonic() + 30  # no lock to wait out: the waits so far add up to a few seconds
        while True:
            status, reply, _ = self.attempt("alex", harness.PASSWORD, "198.51.100.30", code)
            if status != 429 or time.monotonic() > deadline:
                break
            time.sleep(max(0.2, seconds_to_wait(reply)))  # as the answer says, so the tries stay few
        self.assertEqual(status, 200, reply)

    def test_common_passwords_are_refused_and_wrong_current_passwords_throttled_and_audited(self):
        alex = self.server.client().sign_in("alex")
        for weak in ("aaaaaaaaaaaa", "password1234", "Password1234!", "qwertyuiop12"):
            status, reply, _ = alex.call("POST", "/api/v1/session/password",
                                         {"current_password": harness.PASSWORD, "new_password": weak})
            self.assertEqual(status, 400, (weak, reply))
            self.assertEqual(reply["error"]["field"], "new_password", weak)
        result = harness.run_cli(self.server.data_dir, "staff", "add", "--username", "weak", "--display-name", "W",
                                 "--roles", "counsellor",
                                 env={"CRISISLINE_PASSWORD": "password1234"}, check=False)
        self.assertNotEqual(result.returncode, 0)
        self.assertIn("common", result.stderr)
        def wrong():
            status, reply, _ = alex.call("POST", "/api/v1/session/password",
                                         {"current_password": "a guess at it", "new_password": "tram violet quarry"})
            return status, reply["error"]["field"]
        answers = self.until_throttled(wrong)
        self.assertEqual(answers[:6], [(400, "current_password")] * 6, "five free tries, and the sixth is checked")
        self.assertEqual(answers[-1], (429, "current_password"))
        with sqlite3.connect(os.path.join(self.server.data_dir, "crisisline.db")) as db:
            (n,) = db.execute("SELECT count(*) FROM audit_log WHERE action LIKE 'session.password_change_%' "
                              "AND actor = ?", (alex.staff["id"],)).fetchone()
        self.assertEqual(n, len(answers) - 1, "every wrong current password checked is audited")

if __name__ == "__main__":
    unittest.main()
