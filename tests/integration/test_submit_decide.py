"""The commission submits, management decides (KazStandart anti-corruption
standard p.7.10-7.11), against the real hotlined, PostgreSQL and an SMTP
server: the commission submits its conclusion, which meets the ten working
days; the director is notified (content-free) and records one of the four
decisions with its document's number and date, then the measures with
theirs, then the close; the commission cannot take the decision. Closing
ends every clock of the case and no mail about it follows. Every date of
an investigation is checked, with its message. Time moves with the
daemon's clock_offset and a SIGHUP, never by sleeping through it."""
import datetime
import signal
import time

from conftest import hotlinectl
from helpers import by_id, element_text, marker, submit
from smtp_fixture import wait_until
from staff_fixture import StaffClient, audit_rows

DIRECTOR = "director@org.example.kz"
ALTERNATE = "chair.board@org.example.kz"
COMPLIANCE = "compliance@org.example.kz"
HOUR = 3600
ONE_DAY = datetime.timedelta(days=1)


def ctl(hl, *args, ok=True):
    p = hotlinectl(*args, "--database", hl.admin_conninfo)
    if ok:
        assert p.returncode == 0, f"hotlinectl {' '.join(map(str, args))}:\n{p.stdout}{p.stderr}"
    return p


def start(make_staff_hotline, smtp_sink, **cfg):
    sink = smtp_sink()
    hl = make_staff_hotline(**sink.hotline_config(deadline_scan_interval=1, **cfg))
    for key, value in (("director_email", DIRECTOR), ("alternate_email", ALTERNATE),
                       ("compliance_email", COMPLIANCE),
                       ("console_url", "https://hotline.org.example.kz/staff/")):
        ctl(hl, "settings", "set", key, value)
    return hl, sink


def today(hl):
    """Today in Asia/Almaty by the database's clock."""
    d = hl.query("SELECT to_char((now() AT TIME ZONE 'Asia/Almaty')::date, 'YYYY-MM-DD')")[0][0]
    return datetime.date.fromisoformat(d)


def move_clock(hl, seconds):
    hl.config["clock_offset"] = str(max(0, int(seconds)))
    hl.write_config()
    hl.send_signal(signal.SIGHUP)


def mails_about(sink, reg_no):
    return [m for m in sink.messages() if reg_no in (m.header("Subject") or "")]


def ordered(hl, keys, what=None, member="Test Commission|member|commission", named=False):
    """A corruption report with an investigation ordered today."""
    text = what or ("Procurement kickback " + marker("w"))
    rec = submit(hl, what=text)
    ctl(hl, "case", "triage", rec.reg_no, "corruption", "--director-named",
        "yes" if named else "no")
    ctl(hl, "case", "decide", rec.reg_no, "investigate", "--doc", "resolution 1")
    ctl(hl, "investigation", "order", rec.reg_no, "--order-no", "7-k", "--order-date",
        today(hl).isoformat(), "--member", member, "--case-key", str(keys.case_sec),
        "--passphrase-file", str(keys.passphrase_file))
    return rec


def due_at(hl, reg_no, kind):
    return hl.query("SELECT extract(epoch FROM d.due_at)::bigint FROM hotline.deadlines d "
                    "JOIN hotline.cases c ON c.id = d.case_id JOIN hotline.journal j "
                    "ON j.id = c.journal_id WHERE j.reg_no = %s AND d.kind = %s",
                    (reg_no, kind))[0][0]


def concluded(hl, keys, reg_no, text="The contracts show a kickback."):
    ctl(hl, "investigation", "start", reg_no)
    f = hl.workdir / f"conclusion-{reg_no}.txt"
    f.write_text(text)
    ctl(hl, "investigation", "conclude", reg_no, "--norms", "Law art. 8", "--text-file", str(f),
        "--case-public-key", str(keys.case_pub))


def login(hl, who):
    c = StaffClient(hl)
    c.login_as(who)
    return c


def test_director_decides_with_document_and_date_commission_refused(make_staff_hotline,
                                                                     smtp_sink, keys):
    hl, sink = start(make_staff_hotline, smtp_sink)
    rec = ordered(hl, keys)
    day = today(hl)
    com = login(hl, "commission")
    path = "/staff/commission/" + rec.reg_no
    findings = "The contracts show a kickback. " + marker("f")
    assert com.post(path, {"do": "start"}).status == 303
    assert com.post(path, {"do": "conclude", "findings": findings, "norms": "Law art. 8",
                           "proposed": "Reprimand"}).status == 303
    assert com.post(path, {"do": "submit"}).status == 303

    # the director (not the alternate: the report does not name the director)
    # is told, without the conclusion's content
    wait_until(lambda: [m for m in mails_about(sink, rec.reg_no)
                        if DIRECTOR in m.meta["rcpt_tos"]
                        and "заключение" in m.header("Subject")], 20, "the submission notice")
    notice = [m for m in mails_about(sink, rec.reg_no) if "заключение" in m.header("Subject")]
    assert len(notice) == 1 and notice[0].meta["rcpt_tos"] == [DIRECTOR]
    assert findings not in notice[0].text and "kickback" not in notice[0].text
    assert rec.reg_no in notice[0].text

    # the commission cannot take the decision, by any road
    assert com.post(path, {"do": "decide", "decision": "stop"}).status == 403
    assert com.post(f"/staff/inv-decide/{rec.reg_no}",
                    {"decision": "stop", "doc": "1", "date": day.isoformat()}).status == 403
    p = ctl(hl, "investigation", "decide", rec.reg_no, "stop", "--doc", "1", "--date",
            day.isoformat(), "--as", "commission", ok=False)
    assert p.returncode == 1 and "director's role" in p.stderr
    p = ctl(hl, "investigation", "decide", rec.reg_no, "stop", ok=False)
    assert p.returncode == 1 and "--as LOGIN" in p.stderr
    # nor can the alternate, on a case that does not name the director
    alt = login(hl, "alternate")
    assert alt.post(f"/staff/inv-decide/{rec.reg_no}",
                    {"decision": "stop", "doc": "1", "date": day.isoformat()}).status == 404
    assert hl.query("SELECT state, decision FROM hotline.investigations") == [("submitted", None)]

    # the director reads the conclusion on the case page and decides there
    d = login(hl, "director")
    page = d.get(f"/staff/case/{rec.reg_no}")
    assert element_text(page.body, "findings-text") == findings
    assert by_id(page.body, "ruling") is not None
    url = f"/staff/inv-decide/{rec.reg_no}"
    r = d.post(url, {"decision": "disciplinary", "doc": "", "date": day.isoformat()})
    assert r.status == 400
    r = d.post(url, {"decision": "disciplinary", "doc": "order 50-k",
                     "date": (day - ONE_DAY).isoformat()})
    assert r.status == 400
    assert "раньше представления заключения" in element_text(r.body, "step-error")
    r = d.post(url, {"decision": "disciplinary", "doc": "order 50-k",
                     "date": (day + ONE_DAY).isoformat()})
    assert r.status == 400 and "Дата позже сегодняшней" in element_text(r.body, "step-error")
    r = d.post(url, {"decision": "disciplinary", "doc": "order 50-k", "date": day.isoformat()})
    assert r.status == 303
    assert hl.query("SELECT i.state, i.decision, i.decision_doc, "
                    "to_char(i.decision_date, 'YYYY-MM-DD'), u.login FROM "
                    "hotline.investigations i JOIN hotline.staff_users u ON u.id = i.decided_by") \
        == [("decided", "disciplinary", "order 50-k", day.isoformat(), "director")]
    # disciplinary measures: closing waits for their document
    assert d.post(f"/staff/inv-close/{rec.reg_no}", {}).status == 409
    r = d.post(f"/staff/inv-measures/{rec.reg_no}",
               {"doc": "order 51-k", "date": (day - ONE_DAY).isoformat()})
    assert r.status == 400 and "раньше решения" in element_text(r.body, "step-error")
    r = d.post(f"/staff/inv-measures/{rec.reg_no}", {"doc": "order 51-k",
                                                     "date": day.isoformat()})
    assert r.status == 303
    assert d.post(f"/staff/inv-close/{rec.reg_no}", {}).status == 303
    assert hl.query("SELECT c.state, i.state, i.measures_doc, "
                    "to_char(i.measures_date, 'YYYY-MM-DD'), c.overdue FROM hotline.cases c "
                    "JOIN hotline.investigations i ON i.case_id = c.id") == \
        [("closed", "closed", "order 51-k", day.isoformat(), False)]

    # the commission reads the decision and its document
    page = com.get(path)
    assert "order 50-k" in element_text(page.body, "decision-doc")
    assert "order 51-k" in element_text(page.body, "measures-doc")
    acts = [(a["login"], a["action"]) for a in audit_rows(hl) if rec.reg_no in a["object"]]
    for expected in (("commission", "investigation.submit"), ("director", "investigation.decide"),
                     ("director", "investigation.measures"), ("director", "investigation.close")):
        assert expected in acts, expected
    assert ("commission", "investigation.decide") not in acts
    p = hotlinectl("audit", "verify", "--database", hl.admin_conninfo)
    assert p.returncode == 0, p.stdout + p.stderr


def test_named_director_the_alternate_decides(make_staff_hotline, smtp_sink, keys):
    hl, sink = start(make_staff_hotline, smtp_sink)
    rec = ordered(hl, keys, named=True)
    concluded(hl, keys, rec.reg_no)
    ctl(hl, "investigation", "submit", rec.reg_no)
    wait_until(lambda: [m for m in mails_about(sink, rec.reg_no)
                        if "заключение" in m.header("Subject")], 20, "the submission notice")
    assert [m.meta["rcpt_tos"] for m in mails_about(sink, rec.reg_no)
            if "заключение" in m.header("Subject")] == [[ALTERNATE]]
    day = today(hl).isoformat()
    p = ctl(hl, "investigation", "decide", rec.reg_no, "stop", "--doc", "1", "--date", day,
            "--as", "director", ok=False)
    assert p.returncode == 1 and "alternate recipient's role" in p.stderr
    ctl(hl, "investigation", "decide", rec.reg_no, "hand_over", "--doc", "2", "--date", day,
        "--as", "alternate")
    ctl(hl, "investigation", "close", rec.reg_no)
    assert hl.query("SELECT i.decision, u.login FROM hotline.investigations i JOIN "
                    "hotline.staff_users u ON u.id = i.decided_by") == [("hand_over", "alternate")]
    show = ctl(hl, "investigation", "show", rec.reg_no).stdout
    assert f"decision: hand_over (2 of {day}, by alternate)" in show


def test_submit_meets_the_term_and_no_reminder_follows(make_staff_hotline, smtp_sink, keys):
    hl, sink = start(make_staff_hotline, smtp_sink, reminder_working_days="2,0")
    submitted = ordered(hl, keys)
    running = ordered(hl, keys)  # the control: the scanner does remind and escalate
    concluded(hl, keys, submitted.reg_no)
    ctl(hl, "investigation", "submit", submitted.reg_no)
    assert hl.query("SELECT d.met_at IS NOT NULL, d.voided FROM hotline.deadlines d JOIN "
                    "hotline.cases c ON c.id = d.case_id JOIN hotline.journal j ON "
                    "j.id = c.journal_id WHERE j.reg_no = %s AND d.kind = 'investigation'",
                    (submitted.reg_no,)) == [(True, False)]
    before = len(mails_about(sink, submitted.reg_no))
    now = int(time.time())
    move_clock(hl, due_at(hl, running.reg_no, "investigation") + HOUR - now)
    wait_until(lambda: [m for m in mails_about(sink, running.reg_no)
                        if "Просрочено" in m.header("Subject")], 20, "the control's escalation")
    time.sleep(2.5)  # a few more scans
    late = [m.header("Subject") for m in mails_about(sink, submitted.reg_no)[before:]
            if "Напоминание" in m.header("Subject") or "Просрочено" in m.header("Subject")]
    assert late == []
    assert hl.query("SELECT c.overdue FROM hotline.cases c JOIN hotline.journal j ON "
                    "j.id = c.journal_id WHERE j.reg_no = %s", (submitted.reg_no,)) == [(False,)]


def test_close_voids_requests_and_no_mail_follows(make_staff_hotline, smtp_sink, keys):
    hl, sink = start(make_staff_hotline, smtp_sink, reminder_working_days="2,0")
    rec = ordered(hl, keys)
    control = ordered(hl, keys)
    day = today(hl).isoformat()
    ctl(hl, "investigation", "request", rec.reg_no, "--to", "Head of accounting", "--what",
        "contracts", "--on", day, "--case-key", str(keys.case_sec), "--passphrase-file",
        str(keys.passphrase_file))
    # past the request's due date: its escalation goes out and flags the case
    now = int(time.time())
    move_clock(hl, due_at(hl, rec.reg_no, "material_request") + HOUR - now)
    wait_until(lambda: [m for m in mails_about(sink, rec.reg_no)
                        if "Просрочено" in m.header("Subject")], 20, "the request's escalation")
    assert hl.query("SELECT overdue FROM hotline.cases c JOIN hotline.journal j ON "
                    "j.id = c.journal_id WHERE j.reg_no = %s", (rec.reg_no,)) == [(True,)]
    # a reminder still waiting in the outbox when the case closes is withdrawn
    hl.query("INSERT INTO hotline.outbox (kind, recipient, subject, body, case_id, "
             "next_attempt_at) SELECT 'reminder', %s, %s, 'x', c.id, now() + interval '1 day' "
             "FROM hotline.cases c JOIN hotline.journal j ON j.id = c.journal_id "
             "WHERE j.reg_no = %s", (COMPLIANCE, "Напоминание: " + rec.reg_no, rec.reg_no))
    concluded(hl, keys, rec.reg_no)
    ctl(hl, "investigation", "submit", rec.reg_no)
    ctl(hl, "investigation", "decide", rec.reg_no, "stop", "--doc", "3", "--date", day,
        "--as", "director")
    ctl(hl, "investigation", "close", rec.reg_no)
    rows = hl.query("SELECT d.kind, d.met_at IS NOT NULL, d.voided FROM hotline.deadlines d "
                    "JOIN hotline.cases c ON c.id = d.case_id JOIN hotline.journal j ON "
                    "j.id = c.journal_id WHERE j.reg_no = %s ORDER BY d.kind", (rec.reg_no,))
    assert ("material_request", True, True) in rows and ("investigation", True, False) in rows
    assert all(met for _, met, _ in rows)
    assert hl.query("SELECT c.state, c.overdue FROM hotline.cases c JOIN hotline.journal j ON "
                    "j.id = c.journal_id WHERE j.reg_no = %s", (rec.reg_no,)) == \
        [("closed", False)]
    assert hl.query("SELECT withdrawn_at IS NOT NULL, sent_at IS NULL FROM hotline.outbox "
                    "WHERE kind = 'reminder' AND subject LIKE %s",
                    ("%" + rec.reg_no,)) == [(True, True)]
    # the case page tells a voided deadline from one met
    page = login(hl, "director").get(f"/staff/case/{rec.reg_no}")
    kinds = {li.attrs.get("data-kind"): li.text() for li in by_id(page.body, "deadlines").iter()
             if li.tag == "li"}
    assert "прекращён" in kinds["material_request"] and "выполнено" in kinds["investigation"]
    before = len(mails_about(sink, rec.reg_no))
    # far past every due date: the control escalates, the closed case stays silent
    move_clock(hl, due_at(hl, control.reg_no, "investigation") + 3 * HOUR - now)
    wait_until(lambda: [m for m in mails_about(sink, control.reg_no)
                        if "Просрочено" in m.header("Subject")], 20, "the control's escalation")
    time.sleep(2.5)
    assert len(mails_about(sink, rec.reg_no)) == before
    assert hl.query("SELECT count(*) FROM hotline.outbox o JOIN hotline.cases c ON "
                    "c.id = o.case_id JOIN hotline.journal j ON j.id = c.journal_id "
                    "WHERE j.reg_no = %s AND o.sent_at IS NULL AND o.withdrawn_at IS NULL",
                    (rec.reg_no,)) == [(0,)]


# fixed public holidays (DOMAIN.md); the daemon's calendar is the reference
HOLIDAYS = {(1, 1), (1, 2), (1, 7), (3, 8), (3, 21), (3, 22), (3, 23), (5, 1), (5, 7), (5, 9),
            (7, 6), (8, 30), (10, 25), (12, 16)}


def working_after(d):
    d += ONE_DAY
    while d.weekday() >= 5 or (d.month, d.day) in HOLIDAYS:
        d += ONE_DAY
    return d


def first_weekday(after, weekday):
    d = after + ONE_DAY
    while d.weekday() != weekday:
        d += ONE_DAY
    return d


def test_every_investigation_date_is_checked(make_staff_hotline, smtp_sink, keys):
    hl, sink = start(make_staff_hotline, smtp_sink)
    day = today(hl)
    yesterday, tomorrow = (day - ONE_DAY).isoformat(), (day + ONE_DAY).isoformat()
    rec = submit(hl, what="Kickbacks " + marker("w"))
    ctl(hl, "case", "triage", rec.reg_no, "corruption")
    ctl(hl, "case", "decide", rec.reg_no, "investigate")
    key = ["--member", "Seitov Daniyar", "--case-key", str(keys.case_sec),
           "--passphrase-file", str(keys.passphrase_file)]
    # the order: not before the director's decision (today), not after today
    p = ctl(hl, "investigation", "order", rec.reg_no, "--order-no", "1", "--order-date",
            yesterday, *key, ok=False)
    assert p.returncode == 1 and "before the director's decision to investigate" in p.stderr
    p = ctl(hl, "investigation", "order", rec.reg_no, "--order-no", "1", "--order-date",
            tomorrow, *key, ok=False)
    assert p.returncode == 1 and "after today" in p.stderr
    ctl(hl, "investigation", "order", rec.reg_no, "--order-no", "1", "--order-date",
        day.isoformat(), "--member", "Test Commission|member|commission", *key[2:])
    # a request for materials: not before the order, not after today
    req = [*key[2:], "--to", "HR", "--what", "files", "--on"]
    p = ctl(hl, "investigation", "request", rec.reg_no, *req, yesterday, ok=False)
    assert p.returncode == 1 and "before the order" in p.stderr
    p = ctl(hl, "investigation", "request", rec.reg_no, *req, tomorrow, ok=False)
    assert p.returncode == 1 and "after today" in p.stderr
    # the same on the commission's page, in the reader's language
    com = login(hl, "commission")
    r = com.post("/staff/commission/" + rec.reg_no, {"do": "request", "to": "HR", "what": "x",
                                                     "on": tomorrow})
    assert r.status == 422 and "Дата позже сегодняшней" in element_text(r.body, "error")
    r = com.post("/staff/commission/" + rec.reg_no, {"do": "request", "to": "HR", "what": "x",
                                                     "on": yesterday})
    assert r.status == 422 and "раньше приказа" in element_text(r.body, "error")
    assert hl.query("SELECT count(*) FROM hotline.material_requests") == [(0,)]

    due = datetime.date.fromisoformat(
        hl.query("SELECT to_char(due_date, 'YYYY-MM-DD') FROM hotline.investigations")[0][0])
    later = working_after(due + 7 * ONE_DAY)
    ext = ["--consent-doc", "17", "--consent-date"]

    def extend(consent_date, by, new_due):
        return ctl(hl, "investigation", "extend", rec.reg_no, *ext, consent_date,
                   "--consented-by", by, "--new-due", new_due, ok=False)

    p = extend(yesterday, "director", later.isoformat())
    assert p.returncode == 1 and "before the order" in p.stderr
    p = extend(tomorrow, "director", later.isoformat())
    assert p.returncode == 1 and "after today" in p.stderr
    # consent is the director's: not the commission's, nor the alternate's on this case
    p = extend(day.isoformat(), "commission", later.isoformat())
    assert p.returncode == 1 and "director's role" in p.stderr
    p = extend(day.isoformat(), "alternate", later.isoformat())
    assert p.returncode == 1 and "director's role" in p.stderr
    p = extend(day.isoformat(), "nobody-such", later.isoformat())
    assert p.returncode == 1 and "no staff account" in p.stderr
    # the new due date: after the current one, and a working day
    p = extend(day.isoformat(), "director", due.isoformat())
    assert p.returncode == 1 and "must be after" in p.stderr
    sunday = first_weekday(due, 6)
    p = extend(day.isoformat(), "director", sunday.isoformat())
    assert p.returncode == 1 and "not a working day" in p.stderr
    assert hl.query("SELECT count(*) FROM hotline.investigation_extensions") == [(0,)]
    ctl(hl, "investigation", "extend", rec.reg_no, *ext, day.isoformat(), "--consented-by",
        "director", "--new-due", later.isoformat())
    assert hl.query("SELECT x.consented_by, u.login, to_char(x.new_due_date, 'YYYY-MM-DD') "
                    "FROM hotline.investigation_extensions x JOIN hotline.staff_users u ON "
                    "u.id = x.consented_by_user") == \
        [("Test Director", "director", later.isoformat())]

    # the director's page: a Sunday, in the reader's language
    d = login(hl, "director")
    r = d.post(f"/staff/extend/{rec.reg_no}", {"consent_doc": "18", "consent_date":
                                               day.isoformat(),
                                               "new_due": first_weekday(later, 6).isoformat()})
    assert r.status == 400 and "рабочий день" in element_text(r.body, "step-error")
