"""The procedure runs itself (docs/procedure.md): triage, the director's
notice within a day, investigations within ten working days, reminders and
escalations, against a real PostgreSQL, the real hotlined and a real SMTP
server (aiosmtpd). Steps are taken with hotlinectl, as the compliance
manager and the director would; time is moved with the daemon's
clock_offset and a SIGHUP, never by sleeping."""
import os
import signal
import time

from conftest import HOTLINECTL, hotlinectl, run
from helpers import marker, submit
from smtp_fixture import wait_until

DIRECTOR = "director@org.example.kz"
ALTERNATE = "chair.board@org.example.kz"
COMPLIANCE = "compliance@org.example.kz"
DAY = 86400


def ctl(hl, *args, ok=True, without_key=False):
    """without_key: as an operator who has not set the recovery key in the
    environment either (conftest sets it for the seals' sake)."""
    if without_key:
        env = {k: v for k, v in os.environ.items()
               if k not in ("HOTLINE_CASE_KEY", "HOTLINE_CASE_PASSPHRASE_FILE")}
        p = run([HOTLINECTL, *args, "--database", hl.admin_conninfo], check=False, env=env)
    else:
        p = hotlinectl(*args, "--database", hl.admin_conninfo)
    if ok:
        assert p.returncode == 0, f"hotlinectl {' '.join(args)}: {p.returncode}\n{p.stdout}{p.stderr}"
    return p


def start_hotline(make_hotline, smtp_sink, **cfg):
    sink = smtp_sink()
    hl = make_hotline(**sink.hotline_config(deadline_scan_interval=1, **cfg))
    for key, value in (("director_email", DIRECTOR), ("alternate_email", ALTERNATE),
                       ("compliance_email", COMPLIANCE),
                       ("console_url", "https://hotline.org.example.kz/staff/")):
        ctl(hl, "settings", "set", key, value)
    return hl, sink


def is_new_appeal(m):
    """The compliance manager's notice of a new appeal, which every
    registration queues (test_clock.py has its tests)."""
    return (m.header("Subject") or "").startswith("Новое обращение")


def mails_to(sink, address, new=False):
    """The mails address got; new: with the notices of new appeals."""
    return [m for m in sink.messages() if address in m.meta["rcpt_tos"]
            and (new or not is_new_appeal(m))]


def move_clock(hl, seconds):
    hl.config["clock_offset"] = str(seconds)
    hl.write_config()
    hl.send_signal(signal.SIGHUP)


def assert_no_content(msg, *secrets):
    text = msg.text + (msg.header("Subject") or "")
    for s in secrets:
        assert s not in text, f"a notice carries report content or identity: {s!r}"


def test_corruption_report_reaches_the_director_without_content(make_hotline, smtp_sink):
    hl, sink = start_hotline(make_hotline, smtp_sink)
    what, name = marker("what"), marker("name")
    rec = submit(hl, what=f"Bribe asked {what}", identity="named", name=f"Reporter {name}",
                 phone="+77010000000")
    assert [m for m in sink.messages() if not is_new_appeal(m)] == []  # nothing before triage
    out = ctl(hl, "case", "triage", rec.reg_no, "corruption")
    # due the day after the day of registration
    due = hl.query("SELECT to_char((j.registered_at AT TIME ZONE 'Asia/Almaty')::date + 1, "
                   "'YYYY-MM-DD') FROM hotline.journal j WHERE reg_no = %s", (rec.reg_no,))[0][0]
    assert due in out.stdout
    wait_until(lambda: mails_to(sink, DIRECTOR), 20, "the director's notice")
    [m] = mails_to(sink, DIRECTOR)
    assert rec.reg_no in m.header("Subject")
    assert due in m.text and rec.reg_no in m.text
    assert "https://hotline.org.example.kz/staff/case/" + rec.reg_no in m.text
    assert_no_content(m, what, name, "+77010000000", rec.receipt.replace(" ", ""))
    assert mails_to(sink, ALTERNATE) == []
    # the outbox row records when it was sent
    sent = hl.query("SELECT sent_at IS NOT NULL FROM hotline.outbox WHERE recipient = %s",
                    (DIRECTOR,))
    assert sent == [(True,)]
    # the reporter sees the step and its date, no internal names
    page = hl.post_form("/status", {"receipt": rec.receipt, "lang": "en"})
    assert page.status == 200
    shown = "{2}.{1}.{0}".format(*due.split("-"))
    assert "With the director" in page.body and due not in page.body
    ru = hl.post_form("/status", {"receipt": rec.receipt, "lang": "ru"})
    assert f"Руководитель узнаёт о сообщении: до конца дня {shown}" in ru.body
    assert "director_notice" not in page.body and DIRECTOR not in page.body


def test_director_named_goes_to_the_alternate_only(make_hotline, smtp_sink):
    hl, sink = start_hotline(make_hotline, smtp_sink)
    rec = submit(hl, director_involved="yes")
    ctl(hl, "case", "triage", rec.reg_no, "corruption")
    wait_until(lambda: mails_to(sink, ALTERNATE), 20, "the alternate's notice")
    time.sleep(1.5)  # a scan or two more: still nothing for the director
    assert mails_to(sink, DIRECTOR) == []
    # and triage can also say so when the reporter did not
    rec2 = submit(hl, director_involved="no")
    ctl(hl, "case", "triage", rec2.reg_no, "corruption", "--director-named", "yes")
    wait_until(lambda: len(mails_to(sink, ALTERNATE)) == 2, 20, "second alternate notice")
    assert mails_to(sink, DIRECTOR) == []


def test_unacknowledged_notice_escalates_once(make_hotline, smtp_sink):
    hl, sink = start_hotline(make_hotline, smtp_sink)
    rec = submit(hl)
    ctl(hl, "case", "triage", rec.reg_no, "corruption")
    wait_until(lambda: mails_to(sink, DIRECTOR), 20, "the director's notice")
    assert mails_to(sink, ALTERNATE) == [] and mails_to(sink, COMPLIANCE) == []
    move_clock(hl, 3 * DAY)  # past the day after registration, not acknowledged
    wait_until(lambda: mails_to(sink, ALTERNATE) and mails_to(sink, COMPLIANCE), 20,
               "the escalation")
    [esc] = mails_to(sink, ALTERNATE)
    assert rec.reg_no in esc.header("Subject") and "Просрочено" in esc.header("Subject")
    assert hl.query("SELECT overdue FROM hotline.cases")[0][0] is True
    time.sleep(2.5)  # more scans: no second escalation
    assert len(mails_to(sink, ALTERNATE)) == 1 and len(mails_to(sink, COMPLIANCE)) == 1


def test_acknowledged_in_time_does_not_escalate(make_hotline, smtp_sink):
    hl, sink = start_hotline(make_hotline, smtp_sink)
    rec = submit(hl)
    ctl(hl, "case", "triage", rec.reg_no, "corruption")
    ctl(hl, "case", "ack", rec.reg_no)
    move_clock(hl, 3 * DAY)
    wait_until(lambda: mails_to(sink, DIRECTOR), 20, "the director's notice")
    time.sleep(2.5)
    assert mails_to(sink, ALTERNATE) == [] and mails_to(sink, COMPLIANCE) == []
    assert hl.query("SELECT met_at IS NOT NULL, overdue FROM hotline.deadlines d JOIN "
                    "hotline.cases c ON c.id = d.case_id WHERE d.kind = 'director_notice'") == \
        [(True, False)]


def test_urgent_anonymous_alerts_at_once(make_hotline, smtp_sink, keys):
    hl, sink = start_hotline(make_hotline, smtp_sink)
    rec = submit(hl)  # anonymous
    named = submit(hl, identity="named", name="Someone")
    p = ctl(hl, "case", "triage", named.reg_no, "urgent", ok=False)
    assert p.returncode != 0 and "not anonymous" in p.stderr
    ctl(hl, "case", "triage", rec.reg_no, "urgent")
    wait_until(lambda: mails_to(sink, COMPLIANCE) and mails_to(sink, DIRECTOR), 20,
               "urgent alerts")
    assert "СРОЧНО" in mails_to(sink, COMPLIANCE)[0].header("Subject")
    p = ctl(hl, "case", "forwarded", rec.reg_no, "--to", "Agency", ok=False, without_key=True)
    assert p.returncode == 2 and "--case-key" in p.stderr  # stored under the case's key
    ctl(hl, "case", "forwarded", rec.reg_no, "--to", "Anti-Corruption Agency, Astana",
        "--case-key", str(keys.case_sec), "--passphrase-file", str(keys.passphrase_file))
    assert hl.query("SELECT state FROM hotline.cases c JOIN hotline.journal j ON "
                    "j.id = c.journal_id WHERE reg_no = %s", (rec.reg_no,))[0][0] == "forwarded"


def test_other_triage_outcomes(make_hotline, smtp_sink, keys):
    hl, sink = start_hotline(make_hotline, smtp_sink)
    anon, other = submit(hl), submit(hl, identity="named", name="N", category="other")
    p = ctl(hl, "case", "triage", other.reg_no, "not_corruption", ok=False)
    assert p.returncode == 2 and "--unit" in p.stderr
    p = ctl(hl, "case", "triage", other.reg_no, "not_corruption", "--unit", "HR department",
            ok=False, without_key=True)
    assert p.returncode == 1 and "--case-key" in p.stderr
    ctl(hl, "case", "triage", other.reg_no, "not_corruption", "--unit", "HR department",
        "--case-key", str(keys.case_sec), "--passphrase-file", str(keys.passphrase_file))
    # no free text from the terminal: a note is kept encrypted, on the case page
    p = ctl(hl, "case", "triage", anon.reg_no, "anonymous", "--note", "who said what", ok=False)
    assert p.returncode == 2 and "kept encrypted" in p.stderr, p.stderr
    ctl(hl, "case", "triage", anon.reg_no, "anonymous")
    # the unit is stored under the case's key, never in clear
    rows = dict(hl.query("SELECT j.reg_no, c.state || '|' || coalesce(c.referred_unit, '') || '|' "
                         "|| c.triage_note FROM hotline.cases c JOIN hotline.journal j "
                         "ON j.id = c.journal_id"))
    assert rows[other.reg_no].startswith("referred||")
    assert hl.query("SELECT count(*) FROM hotline.cases WHERE referred_unit_sealed IS NOT NULL "
                    "AND position('HR department' in encode(referred_unit_sealed, 'escape')) = 0"
                    ) == [(1,)]
    assert rows[anon.reg_no].startswith("not_considered||anonymous")
    # a case triaged once cannot be triaged again or decided
    p = ctl(hl, "case", "triage", anon.reg_no, "corruption", ok=False)
    assert p.returncode == 1 and "closed" in p.stderr
    p = ctl(hl, "case", "decide", other.reg_no, "investigate", ok=False)
    assert p.returncode == 1
    time.sleep(1.5)
    assert [m for m in sink.messages() if not is_new_appeal(m)] == []  # nothing to tell anybody


def test_investigation_within_ten_working_days(make_staff_hotline, smtp_sink, keys):
    # staff accounts: the director's consent and decision are recorded as the
    # director's account
    hl, sink = start_hotline(make_staff_hotline, smtp_sink)
    rec = submit(hl, who="Akhmetov Marat, head of procurement",
                 what="Akhmetov asked for a bribe " + marker())
    ctl(hl, "case", "triage", rec.reg_no, "corruption")
    p = ctl(hl, "investigation", "start", rec.reg_no, ok=False)
    assert p.returncode == 1 and "no investigation" in p.stderr
    ctl(hl, "case", "decide", rec.reg_no, "investigate", "--doc", "resolution 12")
    # as if the director had decided in March (an order is never dated before the decision)
    hl.query("UPDATE hotline.cases SET decided_at = '2026-03-17 12:00+05'")
    key = ["--case-key", str(keys.case_sec), "--passphrase-file", str(keys.passphrase_file)]
    # a member named in the report is refused
    p = ctl(hl, "investigation", "order", rec.reg_no, "--order-no", "45-k", "--order-date",
            "2026-03-18", "--member", "Akhmetov Marat|deputy director", *key, ok=False)
    assert p.returncode == 1 and "named in the report" in p.stderr
    # so is one who declared a personal interest
    ctl(hl, "case", "declare-interest", rec.reg_no, "Bekova Aida", *key)
    p = ctl(hl, "investigation", "order", rec.reg_no, "--order-no", "45-k", "--order-date",
            "2026-03-18", "--member", "Bekova Aida|HR", *key, ok=False)
    assert p.returncode == 1 and "personal interest" in p.stderr
    # ordered 2026-03-18: ten working days across Nauryz (21-25 March off) -> 6 April
    out = ctl(hl, "investigation", "order", rec.reg_no, "--order-no", "45-k", "--order-date",
              "2026-03-18", "--member", "Seitov Daniyar|deputy director", "--member",
              "Omarova Gulnara|chief accountant", *key).stdout
    assert "due 2026-04-06" in out
    assert hl.query("SELECT to_char(due_date, 'YYYY-MM-DD') FROM hotline.deadlines "
                    "WHERE kind = 'investigation'") == [("2026-04-06",)]
    # no moving the date without the director's written consent
    p = ctl(hl, "investigation", "extend", rec.reg_no, "--new-due", "2026-04-20", ok=False)
    assert p.returncode == 1 and "written consent" in p.stderr
    ctl(hl, "investigation", "extend", rec.reg_no, "--consent-doc", "17", "--consent-date",
        "2026-04-03", "--consented-by", "director", "--new-due", "2026-04-20")
    assert hl.query("SELECT to_char(due_date, 'YYYY-MM-DD'), extended FROM "
                    "hotline.investigations") == [("2026-04-20", True)]
    assert hl.query("SELECT x.consent_doc, to_char(x.old_due_date, 'YYYY-MM-DD'), "
                    "x.consented_by, u.login FROM hotline.investigation_extensions x "
                    "JOIN hotline.staff_users u ON u.id = x.consented_by_user") == \
        [("17", "2026-04-06", "Test Director", "director")]
    # states in order only
    today = hl.query("SELECT to_char((now() AT TIME ZONE 'Asia/Almaty')::date, "
                     "'YYYY-MM-DD')")[0][0]
    decide = ["--doc", "order 50-k", "--date", today, "--as", "director"]
    p = ctl(hl, "investigation", "decide", rec.reg_no, "disciplinary", *decide, ok=False)
    assert p.returncode == 1 and "conclusion" in p.stderr
    ctl(hl, "investigation", "start", rec.reg_no)
    req = ctl(hl, "investigation", "request", rec.reg_no, "--to", "Head of accounting",
              "--what", "contracts of 2025", "--on", "2026-03-20", *key).stdout
    assert "due 2026-03-26" in req  # Friday 20 March + one working day, across Nauryz
    show = ctl(hl, "investigation", "show", rec.reg_no).stdout
    assert "OVERDUE" in show  # that was long ago
    req_id = req.split("request ")[1].split()[0]
    ctl(hl, "investigation", "received", rec.reg_no, req_id)
    assert "received" in ctl(hl, "investigation", "show", rec.reg_no).stdout
    text = hl.workdir / "conclusion.txt"
    text.write_text("The facts were confirmed by the contracts examined.")
    ctl(hl, "investigation", "conclude", rec.reg_no, "--norms",
        "Law on Combating Corruption art. 8; Code of Ethics p. 3.2", "--text-file", str(text),
        "--case-public-key", str(keys.case_pub))
    dump = hl.query("SELECT encode(conclusion, 'escape') FROM hotline.investigations")[0][0]
    assert "contracts examined" not in dump  # stored encrypted
    # drafted is not submitted: management cannot decide yet
    p = ctl(hl, "investigation", "decide", rec.reg_no, "disciplinary", *decide, ok=False)
    assert p.returncode == 1 and "submitted" in p.stderr
    ctl(hl, "investigation", "submit", rec.reg_no)
    ctl(hl, "investigation", "decide", rec.reg_no, "disciplinary", *decide)
    assert hl.query("SELECT i.decision, i.decision_doc, to_char(i.decision_date, 'YYYY-MM-DD'), "
                    "u.login FROM hotline.investigations i JOIN hotline.staff_users u "
                    "ON u.id = i.decided_by") == [("disciplinary", "order 50-k", today, "director")]
    p = ctl(hl, "investigation", "close", rec.reg_no, ok=False)
    assert p.returncode == 1 and "measures" in p.stderr
    ctl(hl, "investigation", "measures", rec.reg_no, "--doc", "order 51-k", "--date", today)
    ctl(hl, "investigation", "close", rec.reg_no)
    assert hl.query("SELECT c.state, i.state FROM hotline.cases c JOIN hotline.investigations i "
                    "ON i.case_id = c.id") == [("closed", "closed")]


def test_calendar_change_moves_running_deadlines(make_hotline, smtp_sink, keys):
    hl, sink = start_hotline(make_hotline, smtp_sink)
    rec = submit(hl, who="nobody in particular")
    ctl(hl, "case", "triage", rec.reg_no, "corruption")
    ctl(hl, "case", "decide", rec.reg_no, "investigate")
    today = hl.query("SELECT to_char((now() AT TIME ZONE 'Asia/Almaty')::date, "
                     "'YYYY-MM-DD')")[0][0]
    # an order is dated today at the latest; the calendar of June 2027 is the
    # one under test, so the order is moved there afterwards
    ctl(hl, "investigation", "order", rec.reg_no, "--order-no", "1", "--order-date",
        today, "--member", "Seitov Daniyar", "--case-key", str(keys.case_sec),
        "--passphrase-file", str(keys.passphrase_file))
    hl.query("UPDATE hotline.investigations SET order_date = '2027-06-01'")
    out = ctl(hl, "calendar", "set", "2027-06-04", "off", "government moved a day off").stdout
    assert "to 2027-06-16" in out
    assert hl.query("SELECT to_char(due_date, 'YYYY-MM-DD') FROM hotline.investigations") == \
        [("2027-06-16",)]
    ctl(hl, "calendar", "unset", "2027-06-04")
    assert hl.query("SELECT to_char(due_date, 'YYYY-MM-DD') FROM hotline.deadlines "
                    "WHERE kind = 'investigation'")[0][0] == "2027-06-15"


def test_investigation_reminder_and_escalation(make_hotline, smtp_sink, keys):
    hl, sink = start_hotline(make_hotline, smtp_sink, reminder_working_days="2,0")
    rec = submit(hl, who="nobody in particular")
    ctl(hl, "case", "triage", rec.reg_no, "corruption")
    ctl(hl, "case", "decide", rec.reg_no, "investigate")
    today = hl.query("SELECT to_char((now() AT TIME ZONE 'Asia/Almaty')::date, 'YYYY-MM-DD')")[0][0]
    ctl(hl, "investigation", "order", rec.reg_no, "--order-no", "2", "--order-date", today,
        "--member", "Seitov Daniyar", "--case-key", str(keys.case_sec),
        "--passphrase-file", str(keys.passphrase_file))
    due = hl.query("SELECT to_char(due_date, 'YYYY-MM-DD'), extract(epoch FROM due_at)::bigint "
                   "FROM hotline.deadlines WHERE kind = 'investigation'")[0]
    # ordered notice to compliance and the director
    wait_until(lambda: any("служебная проверка" in m.header("Subject")
                           for m in mails_to(sink, COMPLIANCE)), 20, "the order notice")
    n0 = len(mails_to(sink, COMPLIANCE))
    # move to the day before the due date: a reminder, once
    now = int(time.time())
    move_clock(hl, max(0, int(due[1]) - 2 * DAY + 3600 - now))
    wait_until(lambda: any("Напоминание" in m.header("Subject")
                           for m in mails_to(sink, COMPLIANCE)), 20, "a reminder")
    time.sleep(2.5)
    reminders = [m for m in mails_to(sink, COMPLIANCE) if "Напоминание" in m.header("Subject")]
    assert len(reminders) == 1 and due[0] in reminders[0].text
    # past the due date: escalation to the director and compliance
    move_clock(hl, int(due[1]) + 3600 - now)
    wait_until(lambda: any("Просрочено" in m.header("Subject") for m in mails_to(sink, DIRECTOR)),
               20, "the escalation")
    assert len(mails_to(sink, COMPLIANCE)) >= n0 + 2


def test_forward_decision_prints_a_cover_letter(make_hotline, smtp_sink):
    hl, sink = start_hotline(make_hotline, smtp_sink)
    what = marker("what")
    rec = submit(hl, what=f"Kickbacks {what}", identity="named", name="Reporter Name")
    ctl(hl, "settings", "set", "organisation", "RSE KazStandart")
    ctl(hl, "case", "triage", rec.reg_no, "corruption")
    p = ctl(hl, "case", "cover-letter", rec.reg_no, ok=False)
    assert p.returncode == 1 and "not decided to forward" in p.stderr
    ctl(hl, "case", "decide", rec.reg_no, "forward", "--doc", "resolution 7")
    letter = ctl(hl, "case", "cover-letter", rec.reg_no).stdout
    assert letter.startswith("<!DOCTYPE html>") and rec.reg_no in letter
    assert "RSE KazStandart" in letter and "resolution 7" in letter
    assert what not in letter and "Reporter Name" not in letter
    assert hl.query("SELECT c.state, c.decision, met_at IS NOT NULL FROM hotline.cases c "
                    "JOIN hotline.deadlines d ON d.case_id = c.id "
                    "WHERE d.kind = 'director_notice'") == [("forwarded", "forward", True)]
