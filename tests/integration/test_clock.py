"""Every appeal has an owner and a clock from registration
(docs/procedure.md, "Deadlines"): registration opens a triage deadline due
on the director's day (the day after the day of registration); the
compliance manager gets a content-free notice of the new appeal; the
scanner reminds on the due day and escalates an untriaged appeal to the
alternate recipient and the compliance manager, never to the director;
triage meets it. A named appeal also gets its reply deadline (004 L196).
Real PostgreSQL, hotlined and SMTP server; time moved with clock_offset +
SIGHUP."""
import time

from helpers import marker, submit
from smtp_fixture import wait_until
from test_procedure import (ALTERNATE, COMPLIANCE, DAY, DIRECTOR, assert_no_content, ctl,
                            mails_to, move_clock, start_hotline)


def deadline(hl, reg_no, kind):
    rows = hl.query("SELECT to_char(d.due_date, 'YYYY-MM-DD'), extract(epoch FROM d.due_at)::bigint, "
                    "d.met_at IS NOT NULL, d.basis FROM hotline.deadlines d "
                    "JOIN hotline.cases c ON c.id = d.case_id JOIN hotline.journal j "
                    "ON j.id = c.journal_id WHERE j.reg_no = %s AND d.kind = %s", (reg_no, kind))
    return rows[0] if rows else None


def registration_day(hl, reg_no, plus=0):
    return hl.query("SELECT to_char((registered_at AT TIME ZONE 'Asia/Almaty')::date + %s, "
                    "'YYYY-MM-DD') FROM hotline.journal WHERE reg_no = %s", (plus, reg_no))[0][0]


def subjects(sink, address, word):
    return [m for m in mails_to(sink, address, new=True) if word in (m.header("Subject") or "")]


def test_untriaged_appeal_is_announced_reminded_and_escalated_past_the_director(
        make_hotline, smtp_sink):
    hl, sink = start_hotline(make_hotline, smtp_sink, reminder_working_days="2,0")
    what, name = marker("what"), marker("name")
    rec = submit(hl, what=f"Bribe {what}", identity="named", name=f"Reporter {name}",
                 phone="+77010000001")
    # the clock starts at registration: due on the director's day
    due = deadline(hl, rec.reg_no, "triage")
    assert due is not None and due[0] == registration_day(hl, rec.reg_no, 1)
    assert due[2] is False and due[3] == "calendar_days"
    # the compliance manager is told at once, without content
    wait_until(lambda: subjects(sink, COMPLIANCE, "Новое обращение"), 20, "the new appeal notice")
    [new] = subjects(sink, COMPLIANCE, "Новое обращение")
    assert rec.reg_no in new.header("Subject") and due[0] in new.text
    assert "веб-сайт" in new.text  # the channel
    assert "https://hotline.org.example.kz/staff/case/" + rec.reg_no in new.text
    assert_no_content(new, what, name, "+77010000001", rec.receipt.replace(" ", ""))
    time.sleep(2.5)  # more scans: one notice, no reminder yet, nothing to the others
    assert len(mails_to(sink, COMPLIANCE, new=True)) == 1
    assert mails_to(sink, DIRECTOR) == [] and mails_to(sink, ALTERNATE) == []
    # on the due day: a reminder to compliance only
    now = int(time.time())
    move_clock(hl, max(0, due[1] - 12 * 3600 - now))
    wait_until(lambda: subjects(sink, COMPLIANCE, "Напоминание"), 20, "the triage reminder")
    [rem] = subjects(sink, COMPLIANCE, "Напоминание")
    assert rec.reg_no in rem.text and due[0] in rem.text
    assert mails_to(sink, DIRECTOR) == [] and mails_to(sink, ALTERNATE) == []
    # past it: the alternate and compliance, never the director (nobody
    # has checked yet whether the report names the director)
    move_clock(hl, due[1] + 3600 - now)
    wait_until(lambda: subjects(sink, ALTERNATE, "Просрочено")
               and subjects(sink, COMPLIANCE, "Просрочено"), 20, "the escalation")
    time.sleep(2.5)
    assert mails_to(sink, DIRECTOR) == []
    assert len(subjects(sink, ALTERNATE, "Просрочено")) == 1
    assert len(subjects(sink, COMPLIANCE, "Просрочено")) == 1
    assert hl.query("SELECT c.overdue FROM hotline.cases c JOIN hotline.journal j "
                    "ON j.id = c.journal_id WHERE j.reg_no = %s", (rec.reg_no,)) == [(True,)]


def test_triage_meets_the_triage_deadline(make_hotline, smtp_sink):
    hl, sink = start_hotline(make_hotline, smtp_sink)
    rec = submit(hl)
    wait_until(lambda: subjects(sink, COMPLIANCE, "Новое обращение"), 20, "the new appeal notice")
    ctl(hl, "case", "triage", rec.reg_no, "corruption")
    assert deadline(hl, rec.reg_no, "triage")[2] is True
    # and so does every other outcome
    other = submit(hl, category="other")
    ctl(hl, "case", "triage", other.reg_no, "anonymous")
    assert deadline(hl, other.reg_no, "triage")[2] is True
    # a triaged appeal escalates nothing about triage, even long after
    now = int(time.time())
    move_clock(hl, deadline(hl, rec.reg_no, "triage")[1] + 3 * DAY - now)
    wait_until(lambda: subjects(sink, ALTERNATE, "Просрочено"), 20, "the director's escalation")
    time.sleep(2.5)
    overdue = hl.query("SELECT d.kind FROM hotline.deadline_notices n JOIN hotline.deadlines d "
                       "ON d.id = n.deadline_id WHERE n.kind = 'overdue'")
    assert overdue == [("director_notice",)]


def test_named_appeal_gets_its_reply_deadline_in_working_days(make_hotline, smtp_sink):
    hl, sink = start_hotline(make_hotline, smtp_sink)
    ctl(hl, "settings", "set", "reply_working_days", "15")
    named = submit(hl, identity="named", name="Someone Named")
    anon = submit(hl)
    wait_until(lambda: deadline(hl, named.reg_no, "reply"), 20, "the reply deadline")
    reply = deadline(hl, named.reg_no, "reply")
    assert reply[3] == "working_days" and reply[2] is False
    # 15 working days from the day of registration: at least three weeks
    start = registration_day(hl, named.reg_no)
    span = hl.query("SELECT %s::date - %s::date", (reply[0], start))[0][0]
    assert span >= 21, (start, reply[0])
    # counted on the working-day calendar: a day off on the due date moves it
    out = ctl(hl, "calendar", "set", reply[0], "off", "a moved day off").stdout
    assert f"reply deadline moved from {reply[0]}" in out
    assert deadline(hl, named.reg_no, "reply")[0] > reply[0]
    ctl(hl, "calendar", "unset", reply[0])
    assert deadline(hl, named.reg_no, "reply")[0] == reply[0]
    time.sleep(2)
    assert deadline(hl, anon.reg_no, "reply") is None  # nobody to answer
    # a bad value is refused by the database
    p = ctl(hl, "settings", "set", "reply_working_days", "0", ok=False)
    assert p.returncode != 0


def test_an_appeal_registered_at_the_desk_has_its_clock_too(make_staff_hotline, smtp_sink):
    """The registrar's desk (desk/desk.c) registers through the same
    hotline.register_case as the web form and the mail intake."""
    from test_registrar import appeal_fields, registrar
    sink = smtp_sink()
    hl = make_staff_hotline(**sink.hotline_config(deadline_scan_interval=1))
    for key, value in (("compliance_email", COMPLIANCE),
                       ("console_url", "https://hotline.org.example.kz/staff/")):
        ctl(hl, "settings", "set", key, value)
    c = registrar(hl)
    name = "Серикова " + marker("nm")
    r = c.post("/staff/register", appeal_fields(name=name))
    assert r.status == 200, r.body[:500]
    reg_no = hl.query("SELECT reg_no FROM hotline.journal")[0][0]
    due = deadline(hl, reg_no, "triage")
    assert due is not None and due[0] == registration_day(hl, reg_no, 1)
    wait_until(lambda: subjects(sink, COMPLIANCE, "Новое обращение"), 20, "the new appeal notice")
    [new] = subjects(sink, COMPLIANCE, "Новое обращение")
    assert reg_no in new.text and "письменное обращение" in new.text and name not in new.text
    wait_until(lambda: deadline(hl, reg_no, "reply"), 20, "the reply deadline of a named appeal")
