"""The fixed reports against the real binary: every request the API allows for a seeded (fictional) dataset, and an
attacker who differences them all (across periods, regions, roles, categories and totals) to recover a suppressed
cell. Also: one more contact never moves a published figure by exactly one, the old free-window statistics are
gone, every request is audited and each person is rate-limited."""
import json
import random
import unittest

import harness

LINE = "police"
YEAR = 2026
MONTHS = [f"{YEAR}-{m:02d}" for m in range(1, 13)]
QUARTERS = [f"{YEAR}-Q{q}" for q in range(1, 5)]
SEEDED_MONTHS = ["2026-04", "2026-05", "2026-06"]
BIG = 10 ** 6
THRESHOLD, ROUNDING = 7, 5
REGION_STARTS = [
    {"region": "North East", "began": "2026-05-01", "workforce": 8000, "workforce_source": "FICTIONAL test figure"},
    {"region": "North West", "began": "2026-05-15", "workforce": 12000},
    {"region": "Yorkshire and the Humber", "began": "2026-06-01"},
    {"region": "Wales", "began": "2026-05-10", "workforce": 7000},
]


def month_days(month):
    import datetime
    y, m = map(int, month.split("-"))
    d = datetime.date(y, m, 1)
    while d.month == m:
        yield d
        d += datetime.timedelta(days=1)


def q2_days():
    return [d for m in SEEDED_MONTHS for d in month_days(m)]


def units_of(report, period):
    """The atomic time units a period covers: days for service_levels (it takes days and weeks), months otherwise."""
    import datetime
    if report == "service_levels":
        if len(period) == 10:
            return [period]
        if "-W" in period:
            y, w = int(period[:4]), int(period[6:])
            monday = datetime.date.fromisocalendar(y, w, 1)
            return [(monday + datetime.timedelta(days=i)).isoformat() for i in range(7)]
        return [d.isoformat() for m in months_of(period) for d in month_days(m)]
    return months_of(period)


def months_of(period):
    if len(period) == 4:
        return MONTHS
    if "-Q" in period:
        q = int(period[-1])
        return MONTHS[3 * (q - 1):3 * q]
    return [period]


def figures(report, period, body):
    """Every count a report publishes, as (figure id, [atoms summed], published figure)."""
    units = units_of(report, period)
    for s in body["sections"]:
        name = s["name"]
        key = (report, name)
        if s["kind"] == "table":
            rows, cols = s["rows"], s["columns"]
            for i, r in enumerate(rows):
                for j, c in enumerate(cols):
                    yield (key, r, c, period), [(key, r, c, u) for u in units], s["cells"][i][j]
                yield (key, r, "total", period), [(key, r, c, u) for c in cols for u in units], s["row_totals"][i]
            for j, c in enumerate(cols):
                yield (key, "total", c, period), [(key, r, c, u) for r in rows for u in units], s["column_totals"][j]
            yield (key, "total", "total", period), [(key, r, c, u) for r in rows for c in cols for u in units], \
                s["total"]
            continue
        if s["kind"] == "groups":  # demand's contacts_by_force: each region's forces, under the region's total
            every = []
            for g in s["groups"]:
                atoms = [(key, g["key"], it["key"], u) for it in g["items"] for u in units]
                every += atoms
                for it in g["items"]:
                    yield (key, g["key"], it["key"], period), [(key, g["key"], it["key"], u) for u in units], it
                yield (key, g["key"], "total", period), atoms, g["total"]
            yield (key, "total", "total", period), every, s["total"]
            continue
        items = [it for it in s["items"] if it.get("unit", "count") == "count"]
        for it in items:
            yield (key, it["key"], "", period), [(key, it["key"], "", u) for u in units], it
        if s["kind"] == "list":
            yield (key, "total", "", period), [(key, it["key"], "", u) for it in items for u in units], s["total"]


def bounds(figure):
    """What a published figure tells of the true count it stands for."""
    if figure.get("not_applicable"):
        return 0, 0  # a structural zero (before a region's start, in a period that begins after it): known to all
    if figure["suppressed"]:
        return 0, BIG  # a zero, a small count, or a cell hidden to protect another: nothing more is said
    v = figure["value"]
    return max(v - ROUNDING // 2, THRESHOLD + 1), v + (ROUNDING - 1) // 2


def attack(published, links):
    """Bounds propagation over every published figure (y_f = sum of its atoms, y_f within its published bounds) and
    the links between reports (sum of one report's atoms of a month = another's). Returns the suppressed figures
    whose value is pinned to one number, and the final bounds."""
    index = {}

    def var(k):
        if k not in index:
            index[k] = len(index)
        return index[k]

    lo, hi, equations = [], [], []
    for fid, (atoms, figure) in published.items():
        y = var(("figure", fid))
        for a in atoms:
            var(("atom", a))
        equations.append([(y, -1)] + [(index[("atom", a)], 1) for a in atoms])
    for left, right in links:
        equations.append([(var(("atom", a)), 1) for a in left] + [(var(("atom", a)), -1) for a in right])
    lo = [0] * len(index)
    hi = [BIG] * len(index)
    for fid, (atoms, figure) in published.items():
        i = index[("figure", fid)]
        lo[i], hi[i] = bounds(figure)
    for _ in range(200):
        changed = False
        for eq in equations:
            mins = sum(lo[i] if a > 0 else -hi[i] for i, a in eq)
            maxs = sum(hi[i] if a > 0 else -lo[i] for i, a in eq)
            for i, a in eq:
                own_min = lo[i] if a > 0 else -hi[i]
                own_max = hi[i] if a > 0 else -lo[i]
                rest_min, rest_max = mins - own_min, maxs - own_max
                new_lo, new_hi = (-rest_max, -rest_min) if a > 0 else (rest_min, rest_max)
                if new_lo > lo[i]:
                    lo[i], changed = new_lo, True
                if new_hi < hi[i]:
                    hi[i], changed = new_hi, True
        if not changed:
            break
    pinned = []
    for fid, (atoms, figure) in published.items():
        i = index[("figure", fid)]
        assert lo[i] <= hi[i], ("the attacker's model contradicts what was published", fid, lo[i], hi[i])
        if figure["suppressed"] and lo[i] == hi[i]:
            pinned.append((fid, lo[i]))
    return pinned


REGION_ROLE = ("demand", "contacts_by_region_and_role")
BY_FORCE = ("demand", "contacts_by_force")


def month_links(published):
    """What the attacker knows ties the reports together: per month, the demand table and the outcomes list count the
    same contacts; per month and region, the demand table's row, the roll-out table's row and the region's forces
    count the same contacts."""
    atoms = {a for _, (atom_list, _) in published.items() for a in atom_list}
    by_month = {}
    for a in atoms:
        if a[0] in (REGION_ROLE, ("outcomes", "contacts_by_outcome")):
            by_month.setdefault(a[3], {}).setdefault(a[0][0], set()).add(a)
    links = [(sorted(v["demand"]), sorted(v["outcomes"])) for v in by_month.values() if len(v) == 2]
    by_region = {}
    for a in atoms:
        if a[0] in (REGION_ROLE, BY_FORCE) or a[0][0] == "roll_out" and a[0][1] == "contacts_by_region_and_start":
            by_region.setdefault((a[3], a[1]), {}).setdefault(a[0], set()).add(a)
    for v in by_region.values():
        for other in v:
            if other != REGION_ROLE and REGION_ROLE in v:
                links.append((sorted(v[REGION_ROLE]), sorted(v[other])))
    return links


class ReportsTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.server = harness.Server().init()
        cls.server.write_config("[reports]\nrequests_per_hour = 100000\n")
        d = cls.server.data_dir
        harness.run_cli(d, "staff", "add", "--username", "boot.admin", "--display-name", "Boot", "--roles", "admin",
                        env={"CRISISLINE_PASSWORD": harness.PASSWORD})
        cls.server.start()
        cls.admin = cls.server.client().sign_in("boot.admin")
        for line in ("police", "fire"):
            status, body, _ = cls.admin.call("POST", "/api/v1/lines", {"id": line, "name": f"{line} line (test)"})
            assert status == 201, body
        # The roll-out, with starts inside the seeded quarter so that periods straddle them (workforce fictional).
        status, body, _ = cls.admin.call("PATCH", f"/api/v1/lines/{LINE}", {"region_starts": REGION_STARTS})
        assert status == 200, body
        people = {"counsellor": (["counsellor"], ["police"]), "supervisor": (["supervisor"], ["police"]),
                  "fire.supervisor": (["supervisor"], ["fire"]), "manager": (["service_manager"], ["fire"]),
                  "auditor": (["auditor"], [])}
        cls.clients = {}
        # Content roles come from an administrator who is also the lines' service manager (the two-person rule).
        granter = harness.line_manager(cls.server, cls.admin, ["police", "fire"])
        for name, (roles, lines) in people.items():
            status, body, _ = granter.call("POST", "/api/v1/staff", {
                "username": name, "display_name": name.title(), "password": harness.PASSWORD, "roles": roles,
                "lines": lines})
            assert status == 201, body
            cls.clients[name] = cls.server.client().sign_in(name)
        cls.manager = cls.clients["manager"]
        status, reference, _ = cls.manager.call("GET", "/api/v1/reference")
        assert status == 200, reference
        cls.region_of = {f["code"]: f["region"] for f in reference["forces"]}
        cls.truth = cls.seed()

    @classmethod
    def tearDownClass(cls):
        cls.server.close()

    @classmethod
    def add_contact(cls, month, day, force, role, themes, outcome):
        status, body, _ = cls.clients["counsellor"].call("POST", f"/api/v1/lines/{LINE}/contacts", {
            "arrived_at": f"{month}-{day:02d}T10:00:00Z", "force": force, "caller_role": role, "themes": themes,
            "outcome": outcome, "notes": "FICTIONAL test contact"})
        assert status == 201, body

    @classmethod
    def seed(cls):
        """About 130 fictional contacts over Q2 2026, with one caller alone in their region, role and month."""
        rnd = random.Random(14)
        forces = ["cleveland_police", "durham_constabulary", "northumbria_police", "cumbria_constabulary",
                  "west_yorkshire_police"]
        forces = [f for f in forces if f in cls.region_of]
        roles = ["police_officer"] * 6 + ["police_staff"] * 3 + ["special_constable_volunteer"]
        themes = ["work_trauma", "sleep_problems", "bereavement", "workload_and_fatigue", "relationship_breakdown"]
        outcomes = ["support_given", "signposted", "follow_up_arranged", "caller_ended_call"]
        truth = []
        for month in SEEDED_MONTHS:
            for _ in range(rnd.randint(38, 48)):
                c = (month, rnd.choice(forces), rnd.choice(roles), rnd.sample(themes, rnd.randint(1, 2)),
                     rnd.choice(outcomes))
                truth.append(c)
        lone = ("2026-05", "dyfed_powys_police", "family_member", ["bereavement"], "escalated_emergency")
        truth.append(lone)
        for i, (month, force, role, ths, outcome) in enumerate(truth):
            cls.add_contact(month, 1 + i % 28, force, role, ths, outcome)
        return truth

    def report(self, name, period, client=None, **params):
        query = "&".join([f"period={period}"] + [f"{k}={v}" for k, v in params.items()])
        return (client or self.manager).call("GET", f"/api/v1/lines/{LINE}/reports/{name}?{query}")

    def every_request(self):
        """Every report request the API allows for this dataset: each report for every month, quarter and the
        year, and service levels for every ISO week and day of the seeded quarter."""
        status, listing, _ = self.manager.call("GET", f"/api/v1/lines/{LINE}/reports")
        self.assertEqual(status, 200, listing)
        requests = [(name, p) for name in listing["reports"] for p in MONTHS + QUARTERS + [str(YEAR)]]
        weeks = sorted({f"{d.isocalendar()[0]}-W{d.isocalendar()[1]:02d}" for d in q2_days()})
        requests += [("service_levels", w) for w in weeks]
        requests += [("service_levels", d.isoformat()) for d in q2_days()]
        return requests

    def publish_all(self):
        published, bodies = {}, {}
        for name, period in self.every_request():
            status, body, _ = self.report(name, period)
            self.assertEqual(status, 200, (name, period, body))
            bodies[(name, period)] = body
            for fid, atoms, figure in figures(name, period, body):
                published[fid] = (atoms, figure)
        return published, bodies

    def test_no_suppressed_cell_is_recovered_by_differencing_every_report(self):
        published, bodies = self.publish_all()
        for period in QUARTERS + [str(YEAR)]:
            refused = [n for n in bodies[("demand", period)]["not_available"] if n["figure"] == "contacts_by_force"]
            self.assertEqual(len(refused), 1, (period, "a quarter or a year says why it has no forces"))
        suppressed = [f for f, (_, fig) in published.items() if fig["suppressed"]]
        self.assertTrue(suppressed)
        lone = (("demand", "contacts_by_region_and_role"), "Wales", "family_member", "2026-05")
        self.assertTrue(published[lone][1]["suppressed"], "the lone caller's cell is suppressed")
        lone_force = (BY_FORCE, "Wales", "dyfed_powys_police", "2026-05")
        self.assertTrue(published[lone_force][1]["suppressed"], "and so is the lone caller's force")
        forces = [f for f in published if f[0] == BY_FORCE]
        self.assertTrue(any(not published[f][1]["suppressed"] for f in forces), "some forces are shown")
        self.assertTrue(all(f[3] in MONTHS for f in forces), "forces are published for months only")
        pinned = attack(published, month_links(published))
        self.maxDiff = None
        self.assertEqual(pinned, [], "suppressed figures an attacker pins down from all the published ones")

    def test_the_attacker_does_recover_cells_from_exact_counts_with_only_small_ones_hidden(self):
        # The same attack on what the old endpoint published (exact counts, 1-4 shown as "<5", zero as 0) finds the
        # lone caller: the attack above is able to fail.
        published, _ = self.publish_all()
        counts = {}
        for month, force, role, _, outcome in self.truth:
            region = self.region_of[force]
            for key in ((("demand", "contacts_by_region_and_role"), region, role, month),
                        (BY_FORCE, region, force, month),
                        (("outcomes", "contacts_by_outcome"), outcome, "", month)):
                counts[key] = counts.get(key, 0) + 1
        naive = {}
        for fid, (atoms, _) in published.items():
            if fid[0][0] not in ("demand", "outcomes"):
                continue
            n = sum(counts.get(a, 0) for a in atoms)
            naive[fid] = (atoms, {"suppressed": True, "value": None} if 0 < n < 5 else {"suppressed": False,
                                                                                           "value": n})
        global ROUNDING, THRESHOLD
        saved = ROUNDING, THRESHOLD
        ROUNDING, THRESHOLD = 1, -1  # exact figures, zero shown
        try:
            pinned = dict(attack(naive, month_links(naive)))
        finally:
            ROUNDING, THRESHOLD = saved
        lone = (("demand", "contacts_by_region_and_role"), "Wales", "family_member", "2026-05")
        self.assertEqual(pinned.get(lone), 1, "the old kind of output gives the lone caller away")
        lone_force = (BY_FORCE, "Wales", "dyfed_powys_police", "2026-05")
        self.assertEqual(pinned.get(lone_force), 1, "and their force: the attack on force cells is able to fail")

    def test_one_more_contact_never_moves_a_published_figure_by_exactly_one(self):
        periods = ["2026-05", "2026-Q2", "2026"]
        names = ["demand", "roll_out", "themes", "outcomes", "actions", "follow_ups", "escalations", "service_levels"]

        def values():
            out = {}
            for name in names:
                for p in periods:
                    status, body, _ = self.report(name, p)
                    self.assertEqual(status, 200, body)
                    for fid, _, figure in figures(name, p, body):
                        out[fid] = figure["value"]
                    for s in body["sections"]:
                        for it in s.get("items", []):
                            out[(name, s["name"], it["key"], p, "any")] = it["value"]
            return out

        before = values()
        self.add_contact("2026-05", 20, "cleveland_police", "police_officer", ["sleep_problems"], "support_given")
        after = values()
        self.assertEqual(before.keys(), after.keys(), "the shape is fixed")
        moved = 0
        for k, v in before.items():
            w = after[k]
            if isinstance(v, (int, float)) and isinstance(w, (int, float)):
                self.assertNotEqual(abs(w - v), 1, (k, v, w))
                moved += v != w
        type(self).truth.append(("2026-05", "cleveland_police", "police_officer", ["sleep_problems"],
                                 "support_given"))

    def test_roll_out_splits_each_region_at_its_start_and_rates_per_1000_workforce(self):
        status, body, _ = self.report("roll_out", "2026-Q2")
        self.assertEqual(status, 200, body)
        self.assertEqual(body["region_starts"][0]["began"], "2026-05-01")
        table = body["sections"][0]
        self.assertEqual(table["columns"], ["before_start", "since_start"])
        ne = table["rows"].index("North East")
        before, since = table["cells"][ne]
        truth_before = sum(1 for m, f, *_ in self.truth if self.region_of[f] == "North East" and m < "2026-05")
        truth_since = sum(1 for m, f, *_ in self.truth if self.region_of[f] == "North East" and m >= "2026-05")
        self.assertEqual(before["value"], (truth_before + 2) // 5 * 5, (before, truth_before))
        self.assertEqual(since["value"], (truth_since + 2) // 5 * 5, (since, truth_since))
        london = table["rows"].index("London")
        self.assertTrue(table["cells"][london][0]["not_applicable"], "no start recorded: served throughout")
        rates = {r["key"]: r for r in body["sections"][1]["items"]}
        self.assertAlmostEqual(rates["North East"]["value"], round(since["value"] * 1000 / 8000, 2))
        self.assertTrue(rates["London"]["suppressed"], "no workforce entered")
        status, text, _ = self.report("roll_out", "2026-06", format="csv")
        self.assertIn("contacts_by_region_and_start,North East,before_start,not_applicable", text.splitlines())

    def test_region_starts_refuse_bad_input_naming_the_field(self):
        cases = [([{"region": "Atlantis", "began": "2026-05-01"}], "region_starts[0].region"),
                 ([{"region": "Wales", "began": "2026-05"}], "region_starts[0].began"),
                 ([{"region": "Wales", "began": "2026-05-01", "workforce": -3}], "region_starts[0].workforce"),
                 ([{"region": "Wales", "began": "2026-05-01"}, {"region": "Wales", "began": "2026-06-01"}],
                  "region_starts[1].region")]
        for starts, field in cases:
            with self.subTest(field=field):
                status, body, _ = self.admin.call("PATCH", f"/api/v1/lines/{LINE}", {"region_starts": starts})
                self.assertEqual(status, 400, body)
                self.assertEqual(body["error"]["field"], field)
        status, line, _ = self.admin.call("GET", f"/api/v1/lines/{LINE}")
        self.assertEqual((status, line["region_starts"][0]["region"]), (200, "North East"), "nothing half-written")

    def test_the_free_window_statistics_are_gone(self):
        for path in ("/api/v1/lines/police/statistics?from=2026-05-14T10:00:00Z&to=2026-05-14T10:00:02Z",
                     "/api/v1/lines/police/statistics"):
            status, body, _ = self.manager.call("GET", path)
            self.assertEqual(status, 404, body)
        status, body, _ = self.report("demand", "2026-05", **{"from": "2026-05-14T10:00:00Z"})
        self.assertEqual(status, 400, body)
        self.assertEqual(body["error"]["field"], "from")

    def test_bad_requests_name_the_field(self):
        cases = [("demand", "2026-05-14T10:00:00Z", {}, 400, "period"), ("demand", "2026-05-14", {}, 400, "period"),
                 ("demand", "2026-W20", {}, 400, "period"), ("demand", "2026-13", {}, 400, "period"),
                 ("themes", "2026-05", {"format": "xml"}, 400, "format"),
                 ("statistics", "2026-05", {}, 404, "report")]
        for name, period, params, code, field in cases:
            with self.subTest(name=name, period=period):
                status, body, _ = self.report(name, period, **params)
                self.assertEqual(status, code, body)
                self.assertEqual(body["error"]["field"], field, body)
        status, body, _ = self.manager.call("GET", f"/api/v1/lines/{LINE}/reports/demand")
        self.assertEqual((status, body["error"]["field"]), (400, "period"))
        status, body, _ = self.manager.call("GET", "/api/v1/lines/nowhere/reports/demand?period=2026-05")
        self.assertEqual(status, 404, body)

    def test_who_may_read_reports(self):
        allowed = {"manager": 200, "supervisor": 200, "counsellor": 403, "fire.supervisor": 403, "auditor": 403}
        for name, expected in allowed.items():
            with self.subTest(name):
                status, body, _ = self.report("demand", "2026-05", client=self.clients[name])
                self.assertEqual(status, expected, body)
        status, body, _ = self.report("demand", "2026-05", client=self.admin)
        self.assertEqual(status, 403, body)
        # What the console's Reports page offers each of them.
        status, body, _ = self.manager.call("GET", "/api/v1/reports")
        self.assertEqual((status, sorted(l["id"] for l in body["lines"])), (200, ["fire", "police"]))
        status, body, _ = self.clients["supervisor"].call("GET", "/api/v1/reports")
        self.assertEqual((status, [l["id"] for l in body["lines"]]), (200, ["police"]))
        status, body, _ = self.clients["counsellor"].call("GET", "/api/v1/reports")
        self.assertEqual(status, 403, body)

    def test_csv_by_query_or_accept(self):
        status, text, headers = self.report("demand", "2026-Q2", format="csv")
        self.assertEqual(status, 200, text)
        self.assertTrue(headers["Content-Type"].startswith("text/csv"), headers)
        lines = text.splitlines()
        self.assertEqual(lines[0], "section,row,column,value")
        self.assertIn("contacts_by_region_and_role,Wales,family_member,suppressed", lines)
        self.assertNotIn("FICTIONAL", text)
        accept = self.server.client()
        accept.cookie, accept.csrf = self.manager.cookie, self.manager.csrf
        accept.headers["Accept"] = "text/csv"
        status, text2, headers = accept.call("GET", f"/api/v1/lines/{LINE}/reports/demand?period=2026-Q2")
        self.assertEqual(status, 200)
        self.assertTrue(headers["Content-Type"].startswith("text/csv"), headers)

    def test_every_request_is_audited_with_who_which_report_and_period(self):
        status, _, _ = self.report("themes", "2026-Q2")
        self.assertEqual(status, 200)
        status, audit, _ = self.clients["auditor"].call(
            "GET", "/api/v1/audit?action=report.read&record_id=themes/2026-Q2&limit=1000")
        self.assertEqual(status, 200, audit)
        entries = audit["entries"]
        self.assertTrue(entries, audit)
        self.assertEqual(entries[-1]["actor"], self.manager.staff["id"])
        self.assertEqual(entries[-1]["line_id"], LINE)

    def test_the_funder_pack_is_every_report_of_a_month_in_one_audited_request(self):
        status, pack, _ = self.manager.call("GET", f"/api/v1/lines/{LINE}/reports/pack?period=2026-05")
        self.assertEqual(status, 200, pack)
        status, listing, _ = self.manager.call("GET", f"/api/v1/lines/{LINE}/reports")
        self.assertEqual([r["report"] for r in pack["reports"]], listing["reports"])
        self.assertEqual((pack["line_id"], pack["period"]["label"], pack["period"]["kind"]), (LINE, "2026-05", "month"))
        # Each report in the pack is the report itself, figure for figure.
        for report in pack["reports"]:
            status, alone, _ = self.report(report["report"], "2026-05")
            self.assertEqual((status, alone["sections"]), (200, report["sections"]), report["report"])
        status, audit, _ = self.clients["auditor"].call(
            "GET", "/api/v1/audit?action=report.read&record_id=pack/2026-05&limit=1000")
        self.assertEqual(status, 200, audit)
        self.assertEqual([e["actor"] for e in audit["entries"]], [self.manager.staff["id"]])
        # Monthly only; no other parameter; the same roles as every report.
        for query, field in (("period=2026-Q2", "period"), ("period=2026", "period"), ("", "period"),
                             ("period=2026-05&format=csv", "format"), ("period=2026-05&region=Wales", "region")):
            status, body, _ = self.manager.call("GET", f"/api/v1/lines/{LINE}/reports/pack?{query}")
            self.assertEqual((status, body["error"]["field"]), (400, field), (query, body))
        status, body, _ = self.clients["counsellor"].call("GET", f"/api/v1/lines/{LINE}/reports/pack?period=2026-05")
        self.assertEqual(status, 403, body)
        status, body, _ = self.clients["fire.supervisor"].call("GET",
                                                               f"/api/v1/lines/{LINE}/reports/pack?period=2026-05")
        self.assertEqual(status, 403, body)

    def test_the_command_line_prints_a_month_as_csv_and_json(self):
        out = harness.run_cli(self.server.data_dir, "report", "--line", LINE, "--month", "2026-05", "--format", "csv")
        lines = out.stdout.splitlines()
        self.assertEqual(lines[0], "report,section,row,column,value")
        self.assertTrue(any(l.startswith("demand,contacts_by_region_and_role,North East,") for l in lines))
        out = harness.run_cli(self.server.data_dir, "report", "--line", LINE, "--month", "2026-05", "--report",
                              "outcomes")
        body = json.loads(out.stdout)
        self.assertEqual(body["period"]["label"], "2026-05")
        bad = harness.run_cli(self.server.data_dir, "report", "--line", LINE, "--month", "2026-5", check=False)
        self.assertNotEqual(bad.returncode, 0)
        self.assertEqual(len(bad.stderr.strip().splitlines()), 1, bad.stderr)
        self.assertIn("--month", bad.stderr)


class ReportRateLimitTest(unittest.TestCase):
    """The default allowance: 60 report requests an hour per person, then 429 with Retry-After."""

    def setUp(self):
        self.server = harness.Server().init()
        harness.run_cli(self.server.data_dir, "staff", "add", "--username", "boot.admin", "--display-name", "Boot",
                        "--roles", "admin", env={"CRISISLINE_PASSWORD": harness.PASSWORD})
        self.server.start()
        admin = self.server.client().sign_in("boot.admin")
        status, body, _ = admin.call("POST", "/api/v1/lines", {"id": LINE, "name": "police line (test)"})
        assert status == 201, body
        for name in ("manager", "other.manager"):
            status, body, _ = admin.call("POST", "/api/v1/staff", {
                "username": name, "display_name": "M", "password": harness.PASSWORD, "roles": ["service_manager"],
                "lines": []})
            assert status == 201, body
        self.manager = self.server.client().sign_in("manager")
        self.other = self.server.client().sign_in("other.manager")

    def tearDown(self):
        self.server.close()

    def test_the_sixty_first_request_in_an_hour_is_refused_with_retry_after(self):
        for i in range(60):
            status, body, _ = self.manager.call("GET", f"/api/v1/lines/{LINE}/reports/demand?period=2026-{1 + i % 12:02d}")
            self.assertEqual(status, 200, (i, body))
        status, body, headers = self.manager.call("GET", f"/api/v1/lines/{LINE}/reports/demand?period=2026-05")
        self.assertEqual(status, 429, body)
        self.assertEqual(body["error"]["field"], "report")
        wait = int(headers["Retry-After"])
        self.assertTrue(0 < wait <= 3600, wait)
        status, body, _ = self.other.call("GET", f"/api/v1/lines/{LINE}/reports/demand?period=2026-05")
        self.assertEqual(status, 200, "each person has their own allowance")


if __name__ == "__main__":
    unittest.main()


class DemoHistoryTest(unittest.TestCase):
    """`make run`'s demo: 18 months of fictional history, so every report of the last whole month is filled."""

    def test_the_demo_managers_reports_are_filled(self):
        import datetime
        import shutil
        import tempfile
        data = tempfile.mkdtemp(prefix="crisisline-it-")
        try:
            out = harness.run_cli(data, "init", "--demo", "--demo-history").stdout
            self.assertIn("FICTIONAL past calls", out)
            today = datetime.date.today().replace(day=1)
            last = (today - datetime.timedelta(days=1)).strftime("%Y-%m")
            body = json.loads(harness.run_cli(data, "report", "--line", "police", "--month", last).stdout)
            by_name = {r["report"]: r for r in body["reports"]}
            demand = by_name["demand"]["sections"][0]
            shown = {r: t for r, t in zip(demand["rows"], demand["row_totals"]) if not t["suppressed"]}
            self.assertIn("Wales", shown, "national by now")
            self.assertIn("North East", shown)
            for f in by_name["service_levels"]["sections"][1]["items"]:
                self.assertFalse(f["suppressed"], f)
            helped, again = by_name["survey"]["sections"]
            self.assertFalse(helped["total"]["suppressed"], helped)
            self.assertFalse(next(i for i in helped["items"] if i["key"] == "5_very_much")["suppressed"], helped)
            self.assertFalse(next(i for i in again["items"] if i["key"] == "yes")["suppressed"], again)
            bad = harness.run_cli(data + "/other", "init", "--demo-history", check=False)
            self.assertNotEqual(bad.returncode, 0)
            self.assertIn("--demo", bad.stderr)
        finally:
            shutil.rmtree(data, ignore_errors=True)
