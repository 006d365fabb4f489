"""The rota over real HTTP from the real binary and its real SQLite: shifts created, changed and removed (bad input
refused naming the field, nothing half-written), need-to-know (counsellors and other lines' managers refused),
iCalendar import across the UK's clock changes kept exact through the API round trip, coverage against the
staffing plan on a hand-checked week, and who is rostered now but not signed in.
"""
import json
import time
import unittest

import harness

HOUR_MS = 3_600_000

# A calendar as another rota program writes it: times on the UK's clock with its VTIMEZONE, across both changes
# of 2030 (BST from 01:00 UTC on Sunday 31 March, GMT again from 01:00 UTC on Sunday 27 October), one floating
# time (read as UK time) and one in UTC. {A} and {W} are staff ids.
CALENDAR = """BEGIN:VCALENDAR
VERSION:2.0
PRODID:-//Fictional rota program//EN
BEGIN:VTIMEZONE
TZID:Europe/London
BEGIN:DAYLIGHT
TZOFFSETFROM:+0000
TZOFFSETTO:+0100
TZNAME:BST
DTSTART:19700329T010000
RRULE:FREQ=YEARLY;BYMONTH=3;BYDAY=-1SU
END:DAYLIGHT
BEGIN:STANDARD
TZOFFSETFROM:+0100
TZOFFSETTO:+0000
TZNAME:GMT
DTSTART:19701025T020000
RRULE:FREQ=YEARLY;BYMONTH=10;BYDAY=-1SU
END:STANDARD
END:VTIMEZONE
BEGIN:VEVENT
UID:spring-night@example.invalid
DTSTAMP:20300101T000000Z
DTSTART;TZID=Europe/London:20300331T000000
DTEND;TZID=Europe/London:20300331T080000
X-CRISISLINE-COUNSELLOR:{A}
END:VEVENT
BEGIN:VEVENT
UID:spring-day@example.invalid
DTSTAMP:20300101T000000Z
DTSTART:20300331T090000
DTEND:20300331T170000
ATTENDEE:mailto:{W}
END:VEVENT
BEGIN:VEVENT
UID:autumn-night@example.invalid
DTSTAMP:20300101T000000Z
DTSTART;TZID=Europe/London:20301027T000000
DTEND;TZID=Europe/London:20301027T080000
X-CRISISLINE-COUNSELLOR:{A}
END:VEVENT
BEGIN:VEVENT
UID:autumn-utc@example.invalid
DTSTAMP:20300101T000000Z
DTSTART:20301027T120000Z
DTEND:20301027T200000Z
X-CRISISLINE-COUNSELLOR:{W}
END:VEVENT
END:VCALENDAR
""".replace("\n", "\r\n")

# What those times are in UTC, worked out by hand from the rules above.
EXPECTED = [
    ("A", "2030-03-31T00:00:00.000Z", "2030-03-31T07:00:00.000Z"),  # 00:00 GMT to 08:00 BST: seven hours
    ("W", "2030-03-31T08:00:00.000Z", "2030-03-31T16:00:00.000Z"),  # floating 09:00-17:00, UK time (BST)
    ("A", "2030-10-26T23:00:00.000Z", "2030-10-27T08:00:00.000Z"),  # 00:00 BST to 08:00 GMT: nine hours
    ("W", "2030-10-27T12:00:00.000Z", "2030-10-27T20:00:00.000Z"),
]


class RotaTest(unittest.TestCase):
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
        # Two required in every half hour: no calls to forecast from, no shrinkage, at least two on the phones.
        status, body, _ = cls.admin.call("PATCH", "/api/v1/lines/police",
                                         {"staffing": {"min_counsellors": 2, "shrinkage_percent": 0}})
        assert status == 200, body
        people = {
            "manager": (["service_manager"], ["police"], ["en"]),
            "supervisor": (["supervisor"], ["police"], ["en"]),
            "fire.manager": (["service_manager"], ["fire"], ["en"]),
            "counsellor": (["counsellor"], ["police"], ["en"]),
            "welsh": (["counsellor"], ["police"], ["en", "cy"]),
            "fire.counsellor": (["counsellor"], ["fire"], ["en"]),
            "both": (["counsellor"], ["police", "fire"], ["en"]),
            "auditor": (["auditor"], [], ["en"]),
        }
        granter = harness.line_manager(cls.server, cls.admin, ["police", "fire"])
        cls.ids = {}
        for name, (roles, lines, languages) in people.items():
            status, body, _ = granter.call("POST", "/api/v1/staff", {
                "username": name, "display_name": name.title() + " (test)", "password": harness.PASSWORD,
                "roles": roles, "lines": lines, "languages": languages})
            assert status == 201, body
            cls.ids[name] = body["id"]
        cls.clients = {name: cls.server.client().sign_in(name)
                       for name in ("manager", "supervisor", "fire.manager", "counsellor", "auditor")}

    @classmethod
    def tearDownClass(cls):
        cls.server.close()

    def shift(self, who, counsellor, start, end, line="police"):
        return self.clients[who].call("POST", f"/api/v1/lines/{line}/shifts",
                                      {"counsellor": self.ids.get(counsellor, counsellor), "start": start, "end": end})

    def week(self, week, who="manager", line="police"):
        status, body, _ = self.clients[who].call("GET", f"/api/v1/lines/{line}/shifts?week={week}")
        self.assertEqual(status, 200, body)
        return body["shifts"]

    def calendar(self, method, path, text, who="manager"):
        client = self.clients[who]
        status, _, payload = self.server.raw(method, path, text, {
            "Content-Type": "text/calendar; charset=utf-8", "Cookie": client.cookie, "X-CSRF-Token": client.csrf})
        return status, json.loads(payload) if payload else None

    def audit(self, action):
        status, page, _ = self.clients["auditor"].call("GET", f"/api/v1/audit?action={action}&limit=1000")
        self.assertEqual(status, 200, page)
        return page["entries"]

    def test_creates_edits_and_removes_a_shift_each_audited(self):
        status, made, _ = self.shift("supervisor", "counsellor", "2030-01-07T08:00:00Z", "2030-01-07T16:00:00Z")
        self.assertEqual(status, 201, made)
        self.assertEqual((made["counsellor"], made["start"], made["end"], made["start_uk"]),
                         (self.ids["counsellor"], "2030-01-07T08:00:00.000Z", "2030-01-07T16:00:00.000Z",
                          "2030-01-07 08:00"))
        self.assertEqual(made["display_name"], "Counsellor (test)")
        self.assertFalse(made["welsh"])
        self.assertEqual([s["id"] for s in self.week("2030-W02")], [made["id"]])
        status, moved, _ = self.clients["manager"].call("PUT", f"/api/v1/lines/police/shifts/{made['id']}", {
            "counsellor": self.ids["welsh"], "start": "2030-01-07T09:00:00Z", "end": "2030-01-07T17:00:00Z"})
        self.assertEqual(status, 200, moved)
        self.assertTrue(moved["welsh"])
        [stored] = self.week("2030-W02")
        self.assertEqual((stored["counsellor"], stored["start"]), (self.ids["welsh"], "2030-01-07T09:00:00.000Z"))
        status, _, _ = self.clients["manager"].call("DELETE", f"/api/v1/lines/police/shifts/{made['id']}")
        self.assertEqual(status, 204)
        self.assertEqual(self.week("2030-W02"), [])
        self.assertEqual(self.clients["manager"].call("DELETE", f"/api/v1/lines/police/shifts/{made['id']}")[0], 404)
        for action, actor in (("rota.shift.create", "supervisor"), ("rota.shift.update", "manager"),
                              ("rota.shift.delete", "manager")):
            entries = [e for e in self.audit(action) if e["record_id"] == made["id"]]
            self.assertEqual(len(entries), 1, action)
            self.assertEqual((entries[0]["actor"], entries[0]["line_id"]), (self.ids[actor], "police"))
        update = [e for e in self.audit("rota.shift.update") if e["record_id"] == made["id"]][0]
        self.assertEqual(update["detail"]["before"]["start"], "2030-01-07T08:00:00.000Z")

    def test_refuses_bad_shifts_naming_the_field_and_stores_nothing(self):
        status, kept, _ = self.shift("manager", "counsellor", "2030-02-04T08:00:00Z", "2030-02-04T16:00:00Z")
        self.assertEqual(status, 201, kept)
        cases = [
            (("counsellor", "2030-02-05T16:00:00Z", "2030-02-05T08:00:00Z"), "end", "after the start"),
            (("counsellor", "2030-02-05T08:00:00Z", "2030-02-05T08:00:00Z"), "end", "after the start"),
            (("counsellor", "2030-02-05T08:00:00Z", "2030-02-06T09:00:00Z"), "end", "24 hours"),
            (("st_nobody", "2030-02-05T08:00:00Z", "2030-02-05T16:00:00Z"), "counsellor", "not a member of staff"),
            (("fire.counsellor", "2030-02-05T08:00:00Z", "2030-02-05T16:00:00Z"), "counsellor",
             "does not serve line police"),
            (("supervisor", "2030-02-05T08:00:00Z", "2030-02-05T16:00:00Z"), "counsellor", "not a counsellor"),
            (("counsellor", "2030-02-04T15:30:00Z", "2030-02-04T20:00:00Z"), "start", kept["id"]),  # overlaps
            (("counsellor", "2030-02-04T07:00:00Z", "2030-02-04T17:00:00Z"), "start", kept["id"]),  # contains it
            (("counsellor", "yesterday", "2030-02-04T17:00:00Z"), "start", "RFC 3339"),
        ]
        for (who, start, end), field, reason in cases:
            status, body, _ = self.shift("manager", who, start, end)
            self.assertEqual(status, 400, (who, start, end, body))
            self.assertEqual(body["error"]["field"], field, body)
            self.assertIn(reason, body["error"]["message"])
        status, body, _ = self.clients["manager"].call("POST", "/api/v1/lines/police/shifts",
                                                       {"counsellor": self.ids["counsellor"], "start": "x"})
        self.assertEqual((status, body["error"]["field"]), (400, "start"))
        status, body, _ = self.clients["manager"].call("POST", "/api/v1/lines/police/shifts", {
            "counsellor": self.ids["counsellor"], "start": "2030-02-06T08:00:00Z", "end": "2030-02-06T09:00:00Z",
            "room": "2"})
        self.assertEqual((status, body["error"]["field"]), (400, "room"))
        # Back to back is not an overlap; another counsellor at the same time is not either.
        self.assertEqual(self.shift("manager", "counsellor", "2030-02-04T16:00:00Z", "2030-02-04T20:00:00Z")[0], 201)
        self.assertEqual(self.shift("manager", "welsh", "2030-02-04T08:00:00Z", "2030-02-04T16:00:00Z")[0], 201)
        # An edit that would overlap is refused and leaves the shift as it was.
        status, body, _ = self.clients["manager"].call("PUT", f"/api/v1/lines/police/shifts/{kept['id']}", {
            "counsellor": self.ids["counsellor"], "start": "2030-02-04T08:00:00Z", "end": "2030-02-04T17:00:00Z"})
        self.assertEqual((status, body["error"]["field"]), (400, "start"))
        starts = sorted((s["counsellor"] == self.ids["counsellor"], s["start"], s["end"]) for s in self.week("2030-W06"))
        self.assertEqual(starts, [(False, "2030-02-04T08:00:00.000Z", "2030-02-04T16:00:00.000Z"),
                                  (True, "2030-02-04T08:00:00.000Z", "2030-02-04T16:00:00.000Z"),
                                  (True, "2030-02-04T16:00:00.000Z", "2030-02-04T20:00:00.000Z")])
        for query, field in (("?week=2030-6", "week"), ("?week=2030-W06&format=xml", "format")):
            status, body, _ = self.clients["manager"].call("GET", f"/api/v1/lines/police/shifts{query}")
            self.assertEqual((status, body["error"]["field"]), (400, field))
        self.assertEqual(self.clients["manager"].call("PUT", "/api/v1/lines/police/shifts/sh_none", {
            "counsellor": self.ids["counsellor"], "start": "2030-02-08T08:00:00Z",
            "end": "2030-02-08T09:00:00Z"})[0], 404)

    def test_need_to_know(self):
        status, made, _ = self.shift("manager", "counsellor", "2030-03-04T08:00:00Z", "2030-03-04T16:00:00Z")
        self.assertEqual(status, 201, made)
        counsellor = self.clients["counsellor"]
        self.assertEqual(self.shift("counsellor", "counsellor", "2030-03-05T08:00:00Z", "2030-03-05T16:00:00Z")[0], 403)
        self.assertEqual(counsellor.call("PUT", f"/api/v1/lines/police/shifts/{made['id']}", {
            "counsellor": self.ids["counsellor"], "start": "2030-03-04T09:00:00Z", "end": "2030-03-04T16:00:00Z"})[0], 403)
        self.assertEqual(counsellor.call("DELETE", f"/api/v1/lines/police/shifts/{made['id']}")[0], 403)
        self.assertEqual(counsellor.call("GET", "/api/v1/lines/police/shifts?week=2030-W10")[0], 403)
        fire = self.clients["fire.manager"]
        for path in ("shifts?week=2030-W10", "shifts?week=2030-W10&format=ics", "coverage?week=2030-W10", "rota/now",
                     "rota/counsellors"):
            self.assertEqual(fire.call("GET", f"/api/v1/lines/police/{path}")[0], 403, path)
        self.assertEqual(fire.call("DELETE", f"/api/v1/lines/police/shifts/{made['id']}")[0], 403)
        self.assertEqual(self.calendar("POST", "/api/v1/lines/police/shifts", CALENDAR, who="fire.manager")[0], 403)
        self.assertEqual(self.admin.call("GET", "/api/v1/lines/police/shifts?week=2030-W10")[0], 403)
        # Another line's shift is not reachable through this line's path.
        self.assertEqual(fire.call("DELETE", f"/api/v1/lines/fire/shifts/{made['id']}")[0], 404)
        self.assertEqual([s["id"] for s in self.week("2030-W10")], [made["id"]])
        refused = [e for e in self.audit("access.refused") if e["actor"] == self.ids["counsellor"]]
        self.assertTrue(any("/shifts" in e["record_id"] for e in refused), refused)

    def test_icalendar_across_the_clock_changes_is_exact_through_the_round_trip(self):
        text = CALENDAR.replace("{A}", self.ids["counsellor"]).replace("{W}", self.ids["welsh"])
        status, body = self.calendar("POST", "/api/v1/lines/police/shifts", text)
        self.assertEqual(status, 201, body)
        self.assertEqual(body["added"], 4)
        names = {"A": self.ids["counsellor"], "W": self.ids["welsh"]}
        expected = [(names[who], start, end) for who, start, end in EXPECTED]

        def stored():
            return [(s["counsellor"], s["start"], s["end"]) for s in self.week("2030-W13") + self.week("2030-W43")]
        self.assertEqual(stored(), expected)
        spring = self.week("2030-W13")
        self.assertEqual([(s["start_uk"], s["end_uk"]) for s in spring],
                         [("2030-03-31 00:00", "2030-03-31 08:00"), ("2030-03-31 09:00", "2030-03-31 17:00")])
        # Export each week, replace the week with its own export: the same shifts, to the millisecond.
        for week in ("2030-W13", "2030-W43"):
            status, headers, ics = self.server.raw("GET", f"/api/v1/lines/police/shifts?week={week}&format=ics",
                                                   headers={"Cookie": self.clients["manager"].cookie})
            self.assertEqual(status, 200)
            headers = {k.lower(): v for k, v in headers.items()}
            self.assertTrue(headers["content-type"].startswith("text/calendar"))
            self.assertIn(f'filename="rota-police-{week}.ics"', headers["content-disposition"])
            ics = ics.decode()
            self.assertIn("BEGIN:VCALENDAR", ics)
            self.assertNotIn("Counsellor (test)", ics)  # staff ids only
            status, body = self.calendar("PUT", f"/api/v1/lines/police/shifts?week={week}", ics)
            self.assertEqual(status, 200, body)
            self.assertEqual((body["added"], body["removed"]), (2, 2))
        self.assertEqual(stored(), expected)
        imports = [e for e in self.audit("rota.import") if e["actor"] == self.ids["manager"]]
        self.assertEqual(len(imports), 3)

    def test_a_bad_calendar_is_refused_whole(self):
        # In 2032, so that no other test's shifts are in the way.
        good = CALENDAR.replace("{A}", self.ids["counsellor"]).replace("{W}", self.ids["welsh"]).replace("2030", "2032")
        bad_event = good.replace("X-CRISISLINE-COUNSELLOR:" + self.ids["welsh"],
                                 "X-CRISISLINE-COUNSELLOR:" + self.ids["fire.counsellor"])
        for text, reason in (("not a calendar", "VCALENDAR"), (bad_event, "event 4: counsellor does not serve"),
                             (good.replace("DTEND;TZID=Europe/London:20320331T080000",
                                           "DTEND;TZID=Europe/London:20320330T080000"), "event 1")):
            status, body = self.calendar("POST", "/api/v1/lines/police/shifts", text)
            self.assertEqual(status, 400, body)
            self.assertEqual(body["error"]["field"], "calendar")
            self.assertIn(reason, body["error"]["message"])
        # Replacing a week with events of another week is refused too.
        status, body = self.calendar("PUT", "/api/v1/lines/police/shifts?week=2031-W13", good)
        self.assertEqual((status, body["error"]["field"]), (400, "calendar"))
        status, body = self.calendar("PUT", "/api/v1/lines/police/shifts", good)
        self.assertEqual((status, body["error"]["field"]), (400, "week"))
        self.assertEqual(self.week("2032-W14") + self.week("2032-W44"), [])  # Wednesdays 31 March, 27 October

    def test_coverage_gaps_on_a_hand_checked_week(self):
        # Week 2030-W20 (Monday 13 May, BST). Monday: the counsellor 08:00-16:00 UK, Ceri (Welsh) 12:00-20:00 UK,
        # and the counsellor again 20:15-21:30 UK, which covers no whole half hour until 20:30.
        for who, start, end in (("counsellor", "2030-05-13T07:00:00Z", "2030-05-13T15:00:00Z"),
                                ("welsh", "2030-05-13T11:00:00Z", "2030-05-13T19:00:00Z"),
                                ("counsellor", "2030-05-13T19:15:00Z", "2030-05-13T20:30:00Z")):
            self.assertEqual(self.shift("manager", who, start, end)[0], 201)
        status, cover, _ = self.clients["supervisor"].call("GET", "/api/v1/lines/police/coverage?week=2030-W20")
        self.assertEqual(status, 200, cover)
        self.assertEqual(cover["week"], "2030-W20")
        rows = {c["start_uk"]: c for c in cover["intervals"]}
        self.assertEqual(len(rows), 336)
        self.assertTrue(all(c["required"] == 2 for c in cover["intervals"]))
        # No Welsh calls yet: the Welsh plan still needs one Welsh speaker in every half hour.
        self.assertTrue(all(c["required_welsh"] == 1 for c in cover["intervals"]))

        def at(uk):
            c = rows["2030-05-13 " + uk]
            return c["rostered"], c["rostered_welsh"], c["gap"], c["welsh_gap"]
        self.assertEqual(at("07:30"), (0, 0, 2, True))
        self.assertEqual(at("08:00"), (1, 0, 1, True))
        self.assertEqual(at("11:30"), (1, 0, 1, True))
        self.assertEqual(at("12:00"), (2, 1, 0, False))
        self.assertEqual(at("15:30"), (2, 1, 0, False))
        self.assertEqual(at("16:00"), (1, 1, 1, False))
        self.assertEqual(at("19:30"), (1, 1, 1, False))
        self.assertEqual(at("20:00"), (0, 0, 2, True))   # the 20:15 shift does not cover 20:00-20:30
        self.assertEqual(at("20:30"), (1, 0, 1, True))
        self.assertEqual(at("21:00"), (1, 0, 1, True))
        self.assertEqual(at("21:30"), (0, 0, 2, True))
        # 8 half hours fully covered; 8 + 8 + 2 short by one; the rest (336 - 26) short by two.
        self.assertEqual(cover["gaps"], 336 - 8)
        self.assertEqual(cover["short_by"], 18 * 1 + (336 - 26) * 2)
        self.assertEqual(cover["welsh_gaps"], 336 - 16)
        self.assertTrue(cover["welsh_offered"])
        self.assertEqual(self.clients["counsellor"].call("GET", "/api/v1/lines/police/coverage?week=2030-W20")[0], 403)

    def test_rostered_now_but_not_signed_in(self):
        now = int(time.time() * 1000)
        iso = lambda ms: time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(ms // 1000))
        for who in ("counsellor", "welsh"):
            status, body, _ = self.shift("manager", who, iso(now - HOUR_MS), iso(now + HOUR_MS))
            self.assertEqual(status, 201, body)
        # The counsellor is signed in (a client made in setUpClass); Ceri never signed in.
        self.clients["counsellor"].call("GET", "/api/v1/session")
        status, body, _ = self.clients["supervisor"].call("GET", "/api/v1/lines/police/rota/now")
        self.assertEqual(status, 200, body)
        self.assertEqual(body["rostered"], 2)
        self.assertEqual([(p["staff_id"], p["display_name"]) for p in body["not_signed_in"]],
                         [(self.ids["welsh"], "Welsh (test)")])
        self.assertEqual(set(body["not_signed_in"][0]), {"staff_id", "display_name", "start", "end"})
        welsh = self.server.client().sign_in("welsh")
        status, body, _ = self.clients["supervisor"].call("GET", "/api/v1/lines/police/rota/now")
        self.assertEqual((body["rostered"], body["not_signed_in"]), (2, []))
        welsh.call("DELETE", "/api/v1/session")
        status, body, _ = self.clients["manager"].call("GET", "/api/v1/lines/police/rota/now")
        self.assertEqual([p["staff_id"] for p in body["not_signed_in"]], [self.ids["welsh"]])
        self.assertEqual(self.clients["counsellor"].call("GET", "/api/v1/lines/police/rota/now")[0], 403)

    def test_lists_the_lines_counsellors_for_the_form(self):
        status, body, _ = self.clients["manager"].call("GET", "/api/v1/lines/police/rota/counsellors")
        self.assertEqual(status, 200, body)
        self.assertEqual({(c["id"], c["welsh"]) for c in body["counsellors"]},
                         {(self.ids["counsellor"], False), (self.ids["welsh"], True), (self.ids["both"], False)})

    def test_one_counsellor_is_never_on_two_lines_at_once(self):
        # Someone who serves both lines is booked on the fire line; the police line cannot book them over it.
        status, fire_shift, _ = self.shift("fire.manager", "both", "2030-04-01T08:00:00Z", "2030-04-01T16:00:00Z",
                                           line="fire")
        self.assertEqual(status, 201, fire_shift)
        status, body, _ = self.shift("manager", "both", "2030-04-01T12:00:00Z", "2030-04-01T18:00:00Z")
        self.assertEqual(status, 400, body)
        self.assertEqual(body["error"]["field"], "start")
        self.assertIn(fire_shift["id"], body["error"]["message"])
        self.assertIn("on line fire", body["error"]["message"])
        self.assertEqual(self.week("2030-W14"), [])
        # Before or after the fire shift is fine; an edit onto it is refused and changes nothing.
        status, police_shift, _ = self.shift("manager", "both", "2030-04-01T16:00:00Z", "2030-04-01T20:00:00Z")
        self.assertEqual(status, 201, police_shift)
        status, body, _ = self.clients["manager"].call("PUT", f"/api/v1/lines/police/shifts/{police_shift['id']}", {
            "counsellor": self.ids["both"], "start": "2030-04-01T15:00:00Z", "end": "2030-04-01T20:00:00Z"})
        self.assertEqual((status, body["error"]["field"]), (400, "start"), body)
        self.assertEqual([(s["start"], s["end"]) for s in self.week("2030-W14")],
                         [("2030-04-01T16:00:00.000Z", "2030-04-01T20:00:00.000Z")])


if __name__ == "__main__":
    unittest.main()
