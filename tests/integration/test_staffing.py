"""The staffing plan over real HTTP from the real binary, with phone calls seeded into its real SQLite database.

The calls are written straight into the contacts table as telephony's CallLog writes them (channel "phone", the
call facts, times; content empty): four weeks of a steady, known demand, so the answer can be checked against
an Erlang C and an Erlang A computed here, independently of the server's code.
"""
import calendar
import json
import math
import os
import re
import sqlite3
import time
import unittest

import harness

HALF_HOUR_MS = 1_800_000
CALLS_PER_HALF_HOUR = 6  # 5 answered (10 s wait, 300 s talk, closed 60 s after), 1 abandoned after 30 s


def erlang_c_staff(calls, handling_s, target_s, level, max_occupancy, minimum):
    """Smallest N meeting the service level and the occupancy cap, by the textbook formula (log space)."""
    load = calls / 1800.0 * handling_s
    if load <= 0:
        return minimum
    n = max(1, minimum)
    while True:
        if n > load:
            terms = [k * math.log(load) - math.lgamma(k + 1) for k in range(n)]
            top = n * math.log(load) - math.lgamma(n + 1) + math.log(n / (n - load))
            biggest = max(terms + [top])
            p_wait = math.exp(top - biggest) / (sum(math.exp(t - biggest) for t in terms) + math.exp(top - biggest))
            level_n = 1 - p_wait * math.exp(-(n - load) * target_s / handling_s)
            if level_n >= level - 1e-12 and load / n <= max_occupancy + 1e-12:
                return n
        n += 1


def erlang_a_level(calls, handling_s, patience_s, n, target_s):
    """P(answered within target_s) in M/M/n+M, from its birth-death chain and the arriving caller's own chain
    integrated numerically (RK4): an independent method, the server uses a closed form."""
    lam, mu, theta = calls / 1800.0, 1 / handling_s, 1 / patience_s
    pi = [1.0]
    while len(pi) <= n or pi[-1] > 1e-16 * max(pi):  # the chain, truncated where its states vanish
        k = len(pi)
        pi.append(pi[-1] * lam / (min(k, n) * mu + max(0, k - n) * theta))
    total = sum(pi)
    depth = len(pi) - n
    # p[j]: the caller is still waiting with j callers ahead; they move up at n*mu + j*theta and hang up at theta.
    p = [pi[n + j] / total for j in range(depth)]

    def slope(q):
        d = []
        for j in range(depth):
            inflow = (n * mu + (j + 1) * theta) * q[j + 1] if j + 1 < depth else 0.0
            d.append(inflow - (n * mu + j * theta + theta) * q[j])
        return d

    answered = sum(pi[:n]) / total
    steps = 500
    dt = target_s / steps
    for _ in range(steps):
        k1 = slope(p)
        k2 = slope([x + dt / 2 * y for x, y in zip(p, k1)])
        k3 = slope([x + dt / 2 * y for x, y in zip(p, k2)])
        k4 = slope([x + dt * y for x, y in zip(p, k3)])
        served = n * mu * dt / 6 * (p[0] + 2 * (p[0] + dt / 2 * k1[0]) + 2 * (p[0] + dt / 2 * k2[0]) +
                                    (p[0] + dt * k3[0]))
        answered += served
        p = [x + dt / 6 * (a + 2 * b + 2 * c + d) for x, a, b, c, d in zip(p, k1, k2, k3, k4)]
    return answered


def iso_ms(text):
    """Milliseconds since the epoch of an RFC 3339 UTC time such as 2026-12-07T00:00:00Z."""
    return int(calendar.timegm(time.strptime(text[:19], "%Y-%m-%dT%H:%M:%S")) * 1000)


class StaffingTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.server = harness.Server().init()
        harness.run_cli(cls.server.data_dir, "staff", "add", "--username", "boot.admin", "--display-name", "Boot",
                        "--roles", "admin", env={"CRISISLINE_PASSWORD": harness.PASSWORD})
        cls.server.start()
        cls.admin = cls.server.client().sign_in("boot.admin")
        for line in ({"id": "police", "name": "Police line (test)"}, {"id": "fire", "name": "Fire line (test)"}):
            status, body, _ = cls.admin.call("POST", "/api/v1/lines", line)
            assert status == 201, body
        people = {"manager": (["service_manager"], ["police"]), "supervisor": (["supervisor"], ["police"]),
                  "fire.supervisor": (["supervisor"], ["fire"]), "counsellor": (["counsellor"], ["police"])}
        cls.clients = {}
        # Content roles come from an administrator who is also the lines' service manager (the two-person rule).
        granter = harness.line_manager(cls.server, cls.admin, ["police", "fire"])
        for name, (roles, lines) in people.items():
            status, body, _ = granter.call("POST", "/api/v1/staff", {
                "username": name, "display_name": name.title(), "password": harness.PASSWORD,
                "roles": roles, "lines": lines})
            assert status == 201, body
            cls.clients[name] = cls.server.client().sign_in(name)
        cls.seed_calls()

    @classmethod
    def seed_calls(cls):
        now_ms = int(time.time() * 1000)
        end = now_ms - now_ms % HALF_HOUR_MS
        start = end - 4 * 7 * 48 * HALF_HOUR_MS
        rows = []
        n = 0
        for half_hour in range(start, end, HALF_HOUR_MS):
            for k in range(CALLS_PER_HALF_HOUR):
                n += 1
                arrived = half_hour + k * 60_000
                if k < CALLS_PER_HALF_HOUR - 1:
                    answered, ended = arrived + 10_000, arrived + 310_000
                    facts = {"channel": "phone", "call": {"end_reason": "completed", "queue_wait_s": 10,
                                                          "talk_s": 300}}
                    if k == 1:
                        facts["language"] = "cy"  # one call in six is in Welsh
                    rows.append(("police", f"ct-seed-{n}", "closed", arrived, answered, ended, "st-seed",
                                 json.dumps(facts), ended + 60_000))
                else:
                    facts = {"channel": "phone", "call": {"end_reason": "abandoned", "queue_wait_s": 30,
                                                          "talk_s": None}}
                    rows.append(("police", f"ct-seed-{n}", "closed", arrived, None, arrived + 30_000, "",
                                 json.dumps(facts), arrived + 30_000))
        db = sqlite3.connect(os.path.join(cls.server.data_dir, "crisisline.db"), timeout=30)
        with db:
            db.executemany(
                "INSERT INTO contacts (line_id, id, status, arrived_at, answered_at, ended_at, counsellor_id, "
                "caller_hash, facts_json, wrapped_key, ciphertext, version, created_at, updated_at) "
                "VALUES (?, ?, ?, ?, ?, ?, ?, '', ?, x'', x'', 1, ?4, ?9)", rows)
        db.close()
        cls.seeded = len(rows)
        cls.arrivals = [r[3] for r in rows]

    @classmethod
    def tearDownClass(cls):
        cls.server.close()

    def plan(self, who, line="police", query=""):
        return self.clients[who].call("GET", f"/api/v1/lines/{line}/staffing{query}")

    def test_forecasts_and_staffs_next_week_from_the_calls(self):
        status, plan, _ = self.plan("manager")
        self.assertEqual(status, 200, plan)
        self.assertEqual(plan["forecast"]["method"], "holt_winters")
        self.assertIsNone(plan["forecast"]["backtest"])  # four weeks: too short for an eight-week backtest
        # The history ends where this week began (UK time), whatever week is asked for; its count is published
        # as the reports publish one (rounded to 5).
        history_to = iso_ms(plan["history"]["to"])
        self.assertLessEqual(int(time.time() * 1000) - history_to, 7 * 24 * 3600 * 1000 + 3600 * 1000)
        before = sum(1 for t in self.arrivals if t < history_to)
        self.assertEqual(plan["history"]["calls"], (before + 2) // 5 * 5)
        self.assertAlmostEqual(plan["handling_s"], 360.0)  # 300 s talk + 60 s wrap-up
        self.assertAlmostEqual(plan["patience_s"], 80.0)   # (5 x 10 s + 30 s) waited per abandoned call
        self.assertIn(len(plan["intervals"]), (334, 336, 338))
        target = plan["target"]
        self.assertEqual(target["service_level_percent"], 90)
        for row in plan["intervals"][::24]:
            self.assertAlmostEqual(row["forecast_calls"], CALLS_PER_HALF_HOUR, delta=0.3)
            expected = erlang_c_staff(row["forecast_calls"], 360, 20, 0.9, 0.85, 1)
            self.assertEqual(row["erlang_c"]["on_phones"], expected, row)
            self.assertEqual(row["erlang_c"]["rostered"], math.ceil(expected / 0.7 - 1e-9))
            self.assertGreaterEqual(row["erlang_c"]["service_level"], 0.9)
        row = plan["intervals"][0]
        n_a = row["erlang_a"]["on_phones"]
        self.assertGreaterEqual(erlang_a_level(row["forecast_calls"], 360, 80, n_a, 20), 0.9 - 1e-3)
        self.assertLess(erlang_a_level(row["forecast_calls"], 360, 80, n_a - 1, 20), 0.9 + 1e-3)
        self.assertAlmostEqual(row["erlang_a"]["service_level"],
                               erlang_a_level(row["forecast_calls"], 360, 80, n_a, 20), delta=2e-3)
        self.assertNotIn("ct-seed", json.dumps(plan))  # aggregates only: no call is named

    def test_plans_welsh_speakers_from_the_welsh_calls_alone(self):
        status, plan, _ = self.plan("manager")
        self.assertEqual(status, 200, plan)
        for row in plan["intervals"][::24]:
            welsh = row["welsh"]
            self.assertAlmostEqual(welsh["forecast_calls"], 1.0, delta=0.2)
            expected = erlang_c_staff(welsh["forecast_calls"], 360, 20, 0.9, 0.85, 1)
            self.assertEqual(welsh["rostered"], math.ceil(expected / 0.7 - 1e-9), row)
            self.assertLess(welsh["rostered"], row["erlang_c"]["rostered"])
        self.assertEqual(plan["totals"]["welsh_peak_rostered"], max(r["welsh"]["rostered"] for r in plan["intervals"]))
        # A line with no calls yet still needs one Welsh speaker on the phones in every half hour: two rostered
        # with the default 30 % shrinkage.
        status, fire, _ = self.plan("fire.supervisor", line="fire")
        self.assertEqual(status, 200, fire)
        self.assertEqual({(r["welsh"]["forecast_calls"], r["welsh"]["rostered"]) for r in fire["intervals"]}, {(0, 2)},
                         fire["intervals"][0])
        # A line answering in English only has no Welsh plan.
        self.assertEqual(self.admin.call("PATCH", "/api/v1/lines/fire", {"languages": ["en"]})[0], 200)
        try:
            status, fire, _ = self.plan("fire.supervisor", line="fire")
            self.assertEqual(status, 200, fire)
            self.assertTrue(all(r["welsh"] is None for r in fire["intervals"]))
            self.assertIsNone(fire["totals"]["welsh_peak_rostered"])
        finally:
            self.admin.call("PATCH", "/api/v1/lines/fire", {"languages": ["en", "cy"]})

    def test_follows_the_lines_target(self):
        status, body, _ = self.admin.call("PATCH", "/api/v1/lines/police",
                                          {"staffing": {"service_level_percent": 80, "target_s": 60}})
        self.assertEqual(status, 200, body)
        try:
            status, plan, _ = self.plan("supervisor", query="?week=2030-W10")
            self.assertEqual(status, 200, plan)
            self.assertEqual(plan["week"], "2030-W10")
            self.assertEqual(plan["target"]["target_s"], 60)
            row = plan["intervals"][10]
            self.assertEqual(row["erlang_c"]["on_phones"],
                             erlang_c_staff(row["forecast_calls"], 360, 60, 0.8, 0.85, 1))
            status, body, _ = self.admin.call("PATCH", "/api/v1/lines/police", {"staffing": {"target_s": 3601}})
            self.assertEqual(status, 400)
            self.assertEqual(body["error"]["field"], "staffing.target_s")
        finally:
            self.admin.call("PATCH", "/api/v1/lines/police", {"staffing": {"service_level_percent": 90,
                                                                             "target_s": 20}})

    def test_forecasts_a_region_not_started_yet_by_workforce(self):
        starts = [{"region": "North East", "began": "2020-01-01", "workforce": 3000},
                  {"region": "Wales", "began": "2020-01-01", "workforce": 1000},
                  {"region": "London", "began": "2035-01-01", "workforce": 2000}]
        status, body, _ = self.admin.call("PATCH", "/api/v1/lines/police", {"region_starts": starts})
        self.assertEqual(status, 200, body)
        try:
            status, plan, _ = self.plan("manager", query="?week=2030-W10")
            self.assertEqual(status, 200, plan)
            self.assertEqual([r["region"] for r in plan["new_regions"]], ["London"], plan["new_regions"])
            london = plan["new_regions"][0]
            self.assertEqual(london["served_workforce"], 4000)
            self.assertIsNone(london["reason"])
            # Half the served workforce: half the line's calls, half hour by half hour.
            scaled = london["intervals_forecast_calls"]
            self.assertEqual(len(scaled), len(plan["intervals"]))
            for row, calls in list(zip(plan["intervals"], scaled))[::24]:
                self.assertAlmostEqual(calls, row["forecast_calls"] / 2, delta=0.011)
            self.assertAlmostEqual(london["forecast_calls"], plan["totals"]["forecast_calls"] / 2, delta=0.5)
        finally:
            self.admin.call("PATCH", "/api/v1/lines/police", {"region_starts": []})
        status, plan, _ = self.plan("manager", query="?week=2030-W10")
        self.assertEqual(plan["new_regions"], [])

    def test_exports_csv(self):
        status, headers, body = self.server.raw("GET", "/api/v1/lines/police/staffing?week=2030-W10&format=csv",
                                                headers={"Cookie": self.clients["manager"].cookie})
        self.assertEqual(status, 200, body)
        headers = {k.lower(): v for k, v in headers.items()} if isinstance(headers, dict) else \
            {k.lower(): v for k, v in headers}
        self.assertTrue(headers["content-type"].startswith("text/csv"))
        self.assertIn('filename="staffing-police-2030-W10.csv"', headers["content-disposition"])
        lines = body.decode().strip().split("\r\n")
        self.assertTrue(lines[0].startswith("start_utc,start_uk,forecast_calls,erlang_c_on_phones"))
        self.assertEqual(len(lines), 1 + 336)
        self.assertEqual(len(lines[1].split(",")), len(lines[0].split(",")))

    def test_plans_of_any_week_rest_on_the_same_calls_and_each_request_is_audited(self):
        # Two weeks' plans that rested on history up to each week would differ by exactly that week's calls.
        answers = []
        for query in ("", "?week=2030-W10", "?week=2030-W11", "?week=" + time.strftime("%G-W%V", time.gmtime(
                time.time() - 14 * 24 * 3600))):
            status, plan, _ = self.plan("manager", query=query)
            self.assertEqual(status, 200, (query, plan))
            answers.append({k: plan[k] for k in ("history", "handling_s", "handling_measured_calls", "patience_s",
                                                 "patience_abandoned_calls")})
        self.assertTrue(all(a == answers[0] for a in answers), answers)
        db = sqlite3.connect(os.path.join(self.server.data_dir, "crisisline.db"), timeout=30)
        try:
            records = [r for (r,) in db.execute(
                "SELECT record_id FROM audit_log WHERE action = 'staffing.read' AND actor = ? AND purpose = 'planning'",
                (self.server_staff_id("manager"),))]
        finally:
            db.close()
        for record in ("staffing/next", "staffing/2030-W10", "staffing/2030-W11"):
            self.assertIn(record, records)
        # The rota's coverage rests on the same forecast: audited (and limited) as the plan is.
        status, coverage, _ = self.clients["supervisor"].call("GET", "/api/v1/lines/police/coverage?week=2030-W20")
        self.assertEqual(status, 200, coverage)
        db = sqlite3.connect(os.path.join(self.server.data_dir, "crisisline.db"), timeout=30)
        try:
            self.assertEqual(db.execute(
                "SELECT COUNT(*) FROM audit_log WHERE action = 'staffing.read' AND actor = ? AND record_id = ?",
                (self.server_staff_id("supervisor"), "staffing/2030-W20")).fetchone()[0], 1)
        finally:
            db.close()

    def server_staff_id(self, username):
        status, me, _ = self.clients[username].call("GET", "/api/v1/session")
        assert status == 200, me
        return me["staff"]["id"]

    def test_a_what_if_shows_the_figures_for_the_number_chosen(self):
        status, plan, _ = self.plan("manager", query="?week=2030-W30&on_phones=3")
        self.assertEqual(status, 200, plan)
        self.assertEqual(plan["chosen_on_phones"], 3)
        row = plan["intervals"][10]
        self.assertGreater(row["erlang_c"]["on_phones"], 3, "6 calls a half hour of 6 minutes need more than 3")
        self.assertLess(row["chosen"]["erlang_c"]["service_level"], row["erlang_c"]["service_level"])
        self.assertIsNotNone(row["chosen"]["erlang_a"])
        for query in ("?on_phones=0", "?on_phones=1001", "?on_phones=three"):
            status, body, _ = self.plan("manager", query=query)
            self.assertEqual((status, body["error"]["field"]), (400, "on_phones"), (query, body))

    def test_checks_roles_and_lines(self):
        self.assertEqual(self.plan("manager", line="fire")[0], 200)   # service managers plan any line
        self.assertEqual(self.plan("fire.supervisor", line="fire")[0], 200)
        self.assertEqual(self.plan("fire.supervisor")[0], 403)      # a supervisor of another line
        self.assertEqual(self.plan("counsellor")[0], 403)
        self.assertEqual(self.admin.call("GET", "/api/v1/lines/police/staffing")[0], 403)
        self.assertEqual(self.plan("manager", line="ambulance")[0], 404)
        for query, field in (("?week=2030-10", "week"), ("?week=2030-W54", "week"), ("?format=xml", "format")):
            status, body, _ = self.plan("manager", query=query)
            self.assertEqual(status, 400, (query, body))
            self.assertEqual(body["error"]["field"], field)
        status, _, _ = self.server.raw("GET", "/api/v1/lines/police/staffing")
        self.assertEqual(status, 401)


class StaffingRateLimitTest(unittest.TestCase):
    """Staffing plans are limited per person as the reports are ([reports] requests_per_hour, counted apart), the
    rota's coverage (which rests on the same forecast) with them, audited alike: then 429 with Retry-After."""

    def setUp(self):
        self.server = harness.Server().init()
        self.server.write_config("[reports]\nrequests_per_hour = 3\n")
        harness.run_cli(self.server.data_dir, "staff", "add", "--username", "boot.admin", "--display-name", "Boot",
                        "--roles", "admin", env={"CRISISLINE_PASSWORD": harness.PASSWORD})
        self.server.start()
        admin = self.server.client().sign_in("boot.admin")
        self.assertEqual(admin.call("POST", "/api/v1/lines", {"id": "police", "name": "Police line (test)"})[0], 201)
        for name in ("manager", "other.manager"):
            status, body, _ = admin.call("POST", "/api/v1/staff", {
                "username": name, "display_name": "M", "password": harness.PASSWORD, "roles": ["service_manager"],
                "lines": []})
            self.assertEqual(status, 201, body)
        self.manager = self.server.client().sign_in("manager")
        self.other = self.server.client().sign_in("other.manager")

    def tearDown(self):
        self.server.close()

    def test_the_fourth_request_in_the_hour_is_refused_with_retry_after(self):
        for path in ("staffing", "staffing?week=2030-W10", "staffing?week=2030-W12"):
            status, body, _ = self.manager.call("GET", f"/api/v1/lines/police/{path}")
            self.assertEqual(status, 200, (path, body))
        status, body, headers = self.manager.call("GET", "/api/v1/lines/police/staffing?week=2030-W11")
        self.assertEqual(status, 429, body)
        self.assertEqual(body["error"]["field"], "week")
        self.assertTrue(0 < int(headers["Retry-After"]) <= 3600, headers)
        status, body, _ = self.manager.call("GET", "/api/v1/lines/police/reports/demand?period=2026-05")
        self.assertEqual(status, 200, "the reports' allowance is counted apart")
        self.assertEqual(self.other.call("GET", "/api/v1/lines/police/staffing")[0], 200, "each person their own")


class DemoStaffingTest(unittest.TestCase):
    """`init --demo --demo-history` (what `make run` does): the demo service manager opens next week's plan at once.
    Plain `--demo` (the telephony and browser tests' fixture) adds no history."""

    def test_the_demo_line_has_a_history_to_forecast_from(self):
        server = harness.Server()
        try:
            out = harness.run_cli(server.data_dir, "init", "--demo", "--demo-history").stdout
            self.assertRegex(out, r"Call history: \d+ FICTIONAL past calls added, one history for Reports and Staffing")
            passwords = dict(re.findall(r"^\s+(demo\.\w+)\s+.*password: (\S+)$", out, re.M))
            server.start()
            manager = server.client().sign_in("demo.manager", passwords["demo.manager"])
            status, plan, _ = manager.call("GET", "/api/v1/lines/police/staffing")
            self.assertEqual(status, 200, plan)
            self.assertEqual(plan["forecast"]["method"], "holt_winters")
            self.assertIsNotNone(plan["forecast"]["backtest"])  # twelve weeks: eight to test on
            self.assertGreater(plan["history"]["calls"], 5000)
            self.assertIsNotNone(plan["patience_s"])
            self.assertTrue(all(i["erlang_a"] is not None for i in plan["intervals"]))
            self.assertGreater(plan["totals"]["erlang_c_peak_rostered"], 1)
            # The demo rota against that plan: a few gaps, and a few half hours short of Welsh speakers, not all.
            status, cover, _ = manager.call("GET", "/api/v1/lines/police/coverage")
            self.assertEqual(status, 200, cover)
            half_hours = len(cover["intervals"])
            self.assertEqual(half_hours, len(plan["intervals"]))
            self.assertTrue(0 < cover["gaps"] < half_hours / 4, cover["gaps"])
            self.assertTrue(cover["welsh_offered"])
            self.assertTrue(0 < cover["welsh_gaps"] < half_hours / 4, cover["welsh_gaps"])
            self.assertTrue(all(i["rostered_welsh"] >= 1 for i in cover["intervals"]))
            # Timings only: no demo call carries a caller's number, and the audit log still verifies.
            db = sqlite3.connect(os.path.join(server.data_dir, "crisisline.db"))
            try:
                self.assertEqual(db.execute("SELECT COUNT(*) FROM contacts WHERE caller_hash <> ''").fetchone()[0], 0)
            finally:
                db.close()
            self.assertEqual(harness.run_cli(server.data_dir, "audit", "verify", check=False).returncode, 0)
        finally:
            server.close()

    def test_plain_demo_adds_no_history(self):
        plain = harness.Server()
        try:
            out = harness.run_cli(plain.data_dir, "init", "--demo").stdout
            self.assertNotIn("Call history", out)
            db = sqlite3.connect(os.path.join(plain.data_dir, "crisisline.db"))
            try:
                self.assertEqual(db.execute("SELECT COUNT(*) FROM contacts").fetchone()[0], 0)
            finally:
                db.close()
            refused = harness.run_cli(plain.data_dir, "init", "--demo-history", check=False)
            self.assertNotEqual(refused.returncode, 0)  # only with --demo
        finally:
            plain.close()


if __name__ == "__main__":
    unittest.main()
