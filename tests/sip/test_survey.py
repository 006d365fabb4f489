"""The post-call survey (issue 14), against the real server with a real SIPp caller and phone: on a line with
`post_call_survey`, when the counsellor hangs up first, the caller stays connected to the server, answers two
questions with RFC 4733 keys and gets the server's BYE after the thanks. The contact is closed as "completed"
when the counsellor hangs up, whatever the caller does next; only counts per line, month and answer are stored
(read here from the real database file), and the survey report shows them under disclosure control.
"""
import datetime
import os
import sqlite3
import sys
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
sys.path.insert(0, os.path.join(HERE, "..", "integration"))
import siptest  # noqa: E402
from siptest import wait_until  # noqa: E402

LINE = siptest.LINE
PCMU = 0


@siptest.require_sipp
class PostCallSurveyTest(siptest.SipTestCase):
    routing = {"wrap_up_s": 0, "ring_timeout_s": 10}
    telephony = {"survey_wait_s": 3}

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        admin = cls.srv.sign_in("demo.admin")
        status, body, _ = admin.call("PATCH", f"/api/v1/lines/{LINE}", {"post_call_survey": True})
        assert status == 200 and body["post_call_survey"] is True, (status, body)
        status, body, _ = admin.call("PATCH", f"/api/v1/lines/{LINE}", {"post_call_survey": "yes"})
        assert status == 400 and body["error"]["field"] == "post_call_survey", (status, body)

    def survey_counts(self):
        db = sqlite3.connect(os.path.join(self.srv.server.data_dir, "crisisline.db"), timeout=30)
        try:
            rows = db.execute("SELECT month, key, count FROM retained_counts WHERE line_id = ? AND key LIKE 'survey:%'",
                              (LINE,)).fetchall()
        finally:
            db.close()
        return {(month, key): count for month, key, count in rows}

    def counsellor_call(self):
        """demo.counsellor's phone answers, talks 2 s and hangs up; the caller (English) stays up to 60 s."""
        self.phone("demo.counsellor", scenario="phone_answer_hangup.xml", pt=PCMU, ring_ms=300, talk_ms=2000,
                   send_seconds=60)
        self.srv.wait_counsellor("demo.counsellor", lambda c: c["state"] == "available" and c["phone_registered"])
        known = self.srv.contact_ids()
        offered = self.srv.metrics().get("crisisline_surveys_offered_total", 0.0)
        call = self.caller(scenario="caller_await_bye.xml", digit="2", talk_ms=60000, pt=PCMU)
        contact = self.srv.wait_contact(lambda c: (c.get("call") or {}).get("end_reason") == "completed", timeout=30,
                                        known=known)
        wait_until("the survey to be offered",
                   lambda: self.srv.metrics().get("crisisline_surveys_offered_total", 0.0) == offered + 1)
        self.assertTrue(call.sipp.running(), "the caller was hung up instead of being offered the survey")
        return call, contact

    def test_the_caller_answers_both_questions_and_only_counts_are_kept(self):
        month = datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m")
        before = self.survey_counts()
        call, contact = self.counsellor_call()
        self.assertEqual(self.srv.counsellor("demo.counsellor")["state"] in ("wrap_up", "available"), True)
        call.rtp.send_dtmf("4")
        wait_until("the first answer to be counted",
                   lambda: self.survey_counts().get((month, "survey:helped:4"), 0) == before.get((month, "survey:helped:4"), 0) + 1)
        call.rtp.send_dtmf("7")  # not an answer to "would you call again": ignored
        call.rtp.send_dtmf("1")
        wait_until("the second answer to be counted",
                   lambda: self.survey_counts().get((month, "survey:call_again:yes"), 0) == before.get((month, "survey:call_again:yes"), 0) + 1)
        self.ok(call.wait(30), "the caller (the server's BYE after the thanks)")
        after = self.survey_counts()
        changed = {k: v - before.get(k, 0) for k, v in after.items() if v != before.get(k, 0)}
        self.assertEqual(changed, {(month, "survey:helped:4"): 1, (month, "survey:call_again:yes"): 1})
        # The contact is as the counsellor's hang-up left it: nothing of the survey is in it.
        again = self.srv.wait_contact(lambda c: c["id"] == contact["id"])
        self.assertEqual(again["call"]["end_reason"], "completed")
        self.assertEqual(again.get("ended_at"), contact.get("ended_at"))
        self.assertNotIn("survey", str(again))
        # The report: two answers this month are below the threshold, so suppressed (as a zero would be).
        manager = self.srv.sign_in("demo.manager")
        status, report, _ = manager.call("GET", f"/api/v1/lines/{LINE}/reports/survey?period={month}")
        self.assertEqual(status, 200, report)
        sections = {s["name"]: s for s in report["sections"]}
        self.assertEqual([i["key"] for i in sections["did_the_call_help"]["items"]],
                         ["1_not_at_all", "2", "3", "4", "5_very_much"])
        self.assertEqual([i["key"] for i in sections["would_call_again"]["items"]], ["yes", "no"])
        for section in sections.values():
            self.assertTrue(all(i["suppressed"] for i in section["items"]), section)
            self.assertTrue(section["total"]["suppressed"], section)
        self.assertGreaterEqual(self.srv.metrics().get("crisisline_survey_answers_total", 0.0), 2.0)

    def test_a_caller_who_answers_nothing_is_thanked_and_hung_up_with_nothing_counted(self):
        before = self.survey_counts()
        call, _ = self.counsellor_call()
        # survey_wait_s = 3: each question's wait runs out, then the thanks, then the server's BYE.
        self.ok(call.wait(60), "the caller (the server's BYE after the survey went unanswered)")
        self.assertEqual(self.survey_counts(), before)


if __name__ == "__main__":
    unittest.main()
