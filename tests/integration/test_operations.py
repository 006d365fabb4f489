"""Operating crisisline: restarts, crashes, retention, backup, the audit chain and the command line."""
import json
import os
import signal
import sqlite3
import subprocess
import threading
import time
import unittest

import harness


def iso(t):
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(t))


class Deployment:
    """A data directory with a line, a counsellor and an auditor, and a running server."""

    def __init__(self):
        self.server = harness.Server().init()
        d = self.server.data_dir
        harness.run_cli(d, "staff", "add", "--username", "admin", "--display-name", "A", "--roles", "admin",
                        env={"CRISISLINE_PASSWORD": harness.PASSWORD})
        self.server.start()
        admin = self.server.client().sign_in("admin")
        status, body, _ = admin.call("POST", "/api/v1/lines", {"id": "police", "name": "Police (test)",
                                                               "retention_days": 30})
        assert status == 201, body
        granter = harness.line_manager(self.server, admin, ["police"])
        for name, roles in (("counsellor", ["counsellor", "supervisor"]), ("auditor", ["auditor"])):
            status, body, _ = granter.call("POST", "/api/v1/staff", {
                "username": name, "display_name": name, "password": harness.PASSWORD, "roles": roles,
                "lines": ["police"]})
            assert status == 201, body
        self.counsellor = self.server.client().sign_in("counsellor")
        self.auditor = self.server.client().sign_in("auditor")

    def restart(self, sig=signal.SIGTERM):
        code = self.server.stop(sig)
        self.server.start()
        return code

    def reconnect(self, client):
        """Sessions survive a restart: they live in the database."""
        return client


def write_burst(client, stop, answered, threads=6):
    def worker(n):
        i = 0
        while not stop.is_set():
            note = f"burst {n}-{i}"
            try:
                status, body, _ = client.call("POST", "/api/v1/lines/police/contacts",
                                              {"caller_role": "police_staff", "notes": note})
            except OSError:
                continue
            if status == 201:
                answered.append((body["id"], note))
            i += 1

    workers = [threading.Thread(target=worker, args=(n,)) for n in range(threads)]
    for w in workers:
        w.start()
    return workers


class OperationsTest(unittest.TestCase):
    def setUp(self):
        self.d = Deployment()

    def tearDown(self):
        self.d.server.close()

    def assert_all_present(self, answered):
        self.assertGreater(len(answered), 20, "the burst should have written something")
        for cid, note in answered:
            status, body, _ = self.d.counsellor.call("GET", f"/api/v1/lines/police/contacts/{cid}")
            self.assertEqual(status, 200, (cid, body))
            self.assertEqual(body["notes"], note)
        result = harness.run_cli(self.d.server.data_dir, "audit", "verify")
        self.assertIn("intact", result.stdout)

    def test_kill_9_during_writes_loses_nothing_answered(self):
        stop, answered = threading.Event(), []
        workers = write_burst(self.d.counsellor, stop, answered)
        time.sleep(2.0)
        self.d.server.proc.kill()
        self.d.server.proc.wait()
        stop.set()
        for w in workers:
            w.join()
        self.d.server.start()
        self.assert_all_present(answered)

    def test_sigterm_finishes_requests_in_flight(self):
        stop, answered = threading.Event(), []
        workers = write_burst(self.d.counsellor, stop, answered)
        time.sleep(1.0)
        code = self.d.server.stop(signal.SIGTERM)
        stop.set()
        for w in workers:
            w.join()
        self.assertEqual(code, 0, self.d.server.log()[-2000:])
        self.assertIn("stopped cleanly", self.d.server.log())
        self.d.server.start()
        self.assert_all_present(answered)

    def test_follow_up_status_moves_with_time_across_a_restart(self):
        status, contact, _ = self.d.counsellor.call("POST", "/api/v1/lines/police/contacts",
                                                    {"caller_role": "police_officer"})
        now = time.time()
        status, fu, _ = self.d.counsellor.call(
            "POST", f"/api/v1/lines/police/contacts/{contact['id']}/follow-ups",
            {"earliest": iso(now + 2), "latest": iso(now + 4), "method": "phone", "number": "07700900123",
             "consent": True})
        self.assertEqual(status, 201, fu)
        self.assertEqual(fu["status"], "scheduled")
        self.d.server.stop()
        time.sleep(max(0.0, now + 5.5 - time.time()))
        self.d.server.start()
        status, listing, _ = self.d.counsellor.call("GET", "/api/v1/lines/police/follow-ups?status=overdue")
        self.assertEqual(status, 200, listing)
        self.assertIn(fu["id"], [f["id"] for f in listing["follow_ups"]])

    def test_purge_crypto_shreds_old_contacts_and_keeps_counts(self):
        old = time.time() - 40 * 86400
        month = time.strftime("%Y-%m", time.gmtime(old))
        # Nine old contacts in one month: enough for the month's report to show them (0-7 are suppressed).
        for _ in range(9):
            status, contact, _ = self.d.counsellor.call("POST", "/api/v1/lines/police/contacts", {
                "caller_role": "police_officer", "arrived_at": iso(old), "notes": "OLD-CONTACT-MARKER",
                "outcome": "support_given"})
            self.assertEqual(status, 201, contact)

        def demand_total():
            out = harness.run_cli(self.d.server.data_dir, "report", "--line", "police", "--month", month,
                                  "--report", "demand")
            return json.loads(out.stdout)["sections"][0]["total"]

        self.assertEqual(demand_total(), {"value": 10, "suppressed": False})
        status, fresh, _ = self.d.counsellor.call("POST", "/api/v1/lines/police/contacts",
                                                  {"caller_role": "police_staff"})
        db_path = os.path.join(self.d.server.data_dir, "crisisline.db")
        with sqlite3.connect(f"file:{db_path}?mode=ro", uri=True) as db:
            row = db.execute("SELECT * FROM contacts WHERE id = ?", (contact["id"],)).fetchone()
        blobs = [v for v in row if isinstance(v, bytes) and len(v) >= 32]
        self.assertEqual(len(blobs), 2, "the wrapped data key and the ciphertext")
        result = harness.run_cli(self.d.server.data_dir, "purge")
        self.assertIn("purged 9 contacts", result.stdout)
        status, body, _ = self.d.counsellor.call("GET", f"/api/v1/lines/police/contacts/{contact['id']}")
        self.assertEqual(status, 404)
        status, body, _ = self.d.counsellor.call("GET", f"/api/v1/lines/police/contacts/{fresh['id']}")
        self.assertEqual(status, 200)
        self.assertEqual(demand_total(), {"value": 10, "suppressed": False}, "the kept counts still report the month")
        # Crypto-shredding: the wrapped data key and the ciphertext are gone from every file on disk.
        self.d.server.stop()
        with sqlite3.connect(db_path) as db:
            db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        for name in os.listdir(self.d.server.data_dir):
            if name.startswith("crisisline.db"):
                with open(os.path.join(self.d.server.data_dir, name), "rb") as f:
                    raw = f.read()
                for blob in blobs:
                    self.assertNotIn(blob[-32:], raw, f"{name} still holds the purged record's key or content")

    def test_audit_verify_detects_an_altered_and_a_removed_entry(self):
        for _ in range(3):
            self.d.counsellor.call("POST", "/api/v1/lines/police/contacts", {"caller_role": "not_said"})
        self.d.server.stop()
        db_path = os.path.join(self.d.server.data_dir, "crisisline.db")
        backup = db_path + ".orig"
        harness.run_cli(self.d.server.data_dir, "backup", backup)
        self.assertIn("intact", harness.run_cli(self.d.server.data_dir, "audit", "verify").stdout)

        def tamper(sql):
            with sqlite3.connect(db_path) as db:
                for (name,) in db.execute("SELECT name FROM sqlite_master WHERE type='trigger'").fetchall():
                    db.execute(f"DROP TRIGGER {name}")
                db.execute(sql)

        tamper("UPDATE audit_log SET actor = 'someone-else' WHERE seq = 3")
        result = harness.run_cli(self.d.server.data_dir, "audit", "verify", check=False)
        self.assertNotEqual(result.returncode, 0)
        self.assertIn("entry 3", result.stderr)
        self.assertEqual(len(result.stderr.strip().splitlines()), 1)

        os.replace(backup, db_path)
        for suffix in ("-wal", "-shm"):
            if os.path.exists(db_path + suffix):
                os.remove(db_path + suffix)
        self.assertIn("intact", harness.run_cli(self.d.server.data_dir, "audit", "verify").stdout)
        tamper("DELETE FROM audit_log WHERE seq = 4")
        result = harness.run_cli(self.d.server.data_dir, "audit", "verify", check=False)
        self.assertNotEqual(result.returncode, 0)
        self.assertIn("entry", result.stderr)

    def test_backup_is_a_working_copy(self):
        status, contact, _ = self.d.counsellor.call("POST", "/api/v1/lines/police/contacts",
                                                    {"caller_role": "police_officer", "notes": "backed up"})
        dest = os.path.join(self.d.server.data_dir, "copy", "crisisline.db")
        os.makedirs(os.path.dirname(dest))
        harness.run_cli(self.d.server.data_dir, "backup", dest)
        with sqlite3.connect(dest) as db:
            (n,) = db.execute("SELECT count(*) FROM contacts WHERE id = ?", (contact["id"],)).fetchone()
        self.assertEqual(n, 1)

    def test_refuses_a_database_from_a_newer_crisisline(self):
        self.d.server.stop()
        with sqlite3.connect(os.path.join(self.d.server.data_dir, "crisisline.db")) as db:
            db.execute("PRAGMA user_version = 999")
        proc = subprocess.run([harness.BINARY, "--data", self.d.server.data_dir, "serve", "--listen",
                               "127.0.0.1:0"], capture_output=True, text=True, timeout=30)
        self.assertNotEqual(proc.returncode, 0)
        self.assertIn("newer", proc.stdout + proc.stderr)

    def test_refuses_to_start_with_a_line_key_others_can_read(self):
        self.d.server.stop()
        path = os.path.join(self.d.server.data_dir, "keys", "line-police.key")
        os.chmod(path, 0o644)
        proc = subprocess.run([harness.BINARY, "--data", self.d.server.data_dir, "serve", "--listen",
                               "127.0.0.1:0", "--sip-listen", "off"], capture_output=True, text=True, timeout=30)
        self.assertNotEqual(proc.returncode, 0)
        self.assertIn("chmod 600 " + path, proc.stdout + proc.stderr)
        os.chmod(path, 0o600)
        self.d.server.start()
        status, body, _ = self.d.counsellor.call("POST", "/api/v1/lines/police/contacts", {"caller_role": "not_said"})
        self.assertEqual(status, 201, body)

    def test_sign_in_attempts_are_throttled_per_address(self):
        client = self.d.server.client()
        statuses = []
        for i in range(35):
            status, body, _ = client.call("POST", "/api/v1/session",
                                          {"username": f"nobody{i}", "password": "not a real password"})
            statuses.append(status)
        self.assertIn(401, statuses)
        self.assertEqual(statuses[-1], 429, statuses)

    def test_command_line_failures_exit_non_zero_with_one_line(self):
        cases = [
            ("staff", "add", "--username", "x", "--display-name", "X", "--roles", "wizard"),
            ("staff", "disable", "--username", "nobody"),
            ("directory", "export", "--line", "no-such-line"),
        ]
        for args in cases:
            with self.subTest(args):
                result = harness.run_cli(self.d.server.data_dir, *args, check=False)
                self.assertNotEqual(result.returncode, 0)
                self.assertEqual(len(result.stderr.strip().splitlines()), 1, result.stderr)
        result = subprocess.run([harness.BINARY, "--data", "/nonexistent/crisisline", "purge"], capture_output=True,
                                text=True)
        self.assertNotEqual(result.returncode, 0)
        self.assertIn("crisisline init", result.stderr)


class FirstRunTest(unittest.TestCase):
    """What `make run` does on a fresh machine: init --demo, then serve."""

    def setUp(self):
        self.server = harness.Server()

    def tearDown(self):
        self.server.close()

    def test_init_demo_creates_private_keys_demo_staff_and_a_marked_directory(self):
        out = harness.run_cli(self.server.data_dir, "init", "--demo").stdout
        keys = os.path.join(self.server.data_dir, "keys")
        for name in os.listdir(keys):
            self.assertEqual(os.stat(os.path.join(keys, name)).st_mode & 0o777, 0o600, name)
        self.assertEqual(os.stat(keys).st_mode & 0o777, 0o700)
        self.assertEqual(os.stat(os.path.join(self.server.data_dir, "crisisline.db")).st_mode & 0o777, 0o600)
        self.assertIn("demo data", out)
        passwords = {}
        for line in out.splitlines():
            if "password:" in line:
                passwords[line.split()[0]] = line.split("password:")[1].strip()
        self.assertIn("demo.counsellor", passwords)
        again = harness.run_cli(self.server.data_dir, "init", "--demo").stdout
        self.assertIn("already initialised", again)

        self.server.start()
        counsellor = self.server.client().sign_in("demo.counsellor", passwords["demo.counsellor"])
        status, found, _ = counsellor.call("GET", "/api/v1/lines/police/directory?need=counselling")
        self.assertEqual(status, 200, found)
        self.assertTrue(found["services"])
        for service in found["services"]:
            self.assertEqual(service["notice"], "demo data — verify before use")
        status, lines, _ = counsellor.call("GET", "/api/v1/lines")
        self.assertEqual(lines["lines"][0]["hours"], "24 hours a day, 7 days a week, 365 days a year")

    def test_the_data_directory_may_follow_the_subcommand_as_the_makefile_writes_it(self):
        # `make run` runs `crisisline init --data DIR --demo` and `crisisline serve --data DIR ...`.
        data = self.server.data_dir
        init = subprocess.run([harness.BINARY, "init", "--data", data, "--demo"], capture_output=True, text=True,
                              timeout=120)
        self.assertEqual(init.returncode, 0, init.stderr)
        self.assertTrue(os.path.exists(os.path.join(data, "crisisline.db")))
        listing = subprocess.run([harness.BINARY, "staff", "list", "--data", data], capture_output=True, text=True,
                                 timeout=60)
        self.assertEqual(listing.returncode, 0, listing.stderr)
        self.assertIn("demo.counsellor", listing.stdout)
        missing = subprocess.run([harness.BINARY, "init", "--data"], capture_output=True, text=True, timeout=60)
        self.assertNotEqual(missing.returncode, 0)
        self.assertIn("--data", missing.stderr)

    def test_every_command_has_help(self):
        for args in (["serve"], ["init"], ["staff", "add"], ["staff", "list"], ["staff", "disable"],
                     ["staff", "reset-mfa"], ["directory", "import"], ["directory", "export"], ["purge"],
                     ["audit", "verify"], ["backup"]):
            with self.subTest(args):
                result = subprocess.run([harness.BINARY, *args, "--help"], capture_output=True, text=True)
                self.assertEqual(result.returncode, 0, result.stderr)
                self.assertIn("Usage", result.stdout)


if __name__ == "__main__":
    unittest.main()
