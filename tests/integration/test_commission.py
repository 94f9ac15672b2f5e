"""The commission's pages (/staff/commission, staff/commission.c) against the
real hotlined and PostgreSQL: a member sees only the investigations they sit
on; working days left; requests for materials due the next working day;
the conclusion citing the norms, stored encrypted, submitted to management
(whose decision the commission cannot take: 403); every view and step in the
audit log, whose chain verifies.

Investigations are ordered with hotlinectl (as the director's page would,
through the same workflow/investigation.c), with the "commission" staff
account as a member."""
import datetime
import re

from conftest import PASSPHRASE, hotlinectl
from helpers import by_id, element_text, find_all, marker, submit
from staff_fixture import StaffClient, audit_rows

ALMATY = datetime.timezone(datetime.timedelta(hours=5))
# Kazakhstan's fixed public holidays (DOMAIN.md) and Nauryz 2026, enough for
# "the next working day" near today; the daemon's calendar is the reference.
HOLIDAYS = {(1, 1), (1, 2), (1, 7), (3, 8), (3, 21), (3, 22), (3, 23), (5, 1), (5, 7), (5, 9),
            (7, 6), (8, 30), (10, 25), (12, 16)}


def ctl(hl, *args, ok=True):
    p = hotlinectl(*args, "--database", hl.admin_conninfo)
    if ok:
        assert p.returncode == 0, f"hotlinectl {' '.join(map(str, args))}:\n{p.stdout}{p.stderr}"
    return p


def today():
    return datetime.datetime.now(ALMATY).date()


def next_working_day(d):
    d += datetime.timedelta(days=1)
    while d.weekday() >= 5 or (d.month, d.day) in HOLIDAYS:
        d += datetime.timedelta(days=1)
    return d


def order(hl, keys, member="Test Commission|member of the commission|commission",
          order_date=None, what=None, **report):
    """A named corruption report with an ordered investigation; returns the
    receipt and the report's marker text."""
    text = what or ("Procurement kickback " + marker("w"))
    rec = submit(hl, what=text, identity="named", name="Reporter " + marker("n"),
                 phone="+77015550000", **report)
    ctl(hl, "case", "triage", rec.reg_no, "corruption")
    ctl(hl, "case", "decide", rec.reg_no, "investigate", "--doc", "resolution 1")
    if order_date:
        # as if the director had decided the day before an order of the past
        hl.query("UPDATE hotline.cases c SET decided_at = %s::date - 1 + time '12:00' "
                 "FROM hotline.journal j WHERE j.id = c.journal_id AND j.reg_no = %s",
                 (order_date.isoformat(), rec.reg_no))
    ctl(hl, "investigation", "order", rec.reg_no, "--order-no", "7-k", "--order-date",
        (order_date or today()).isoformat(), "--member", member,
        "--member", "Omarova Gulnara|chief accountant",
        "--case-key", str(keys.case_sec), "--passphrase-file", str(keys.passphrase_file))
    return rec, text


def commission_client(hl):
    c = StaffClient(hl)
    c.login_as("commission")
    return c


def test_member_sees_only_the_investigations_they_sit_on(staff_hotline, keys):
    hl = staff_hotline
    mine, my_text = order(hl, keys)
    other, other_text = order(hl, keys, member="Seitov Daniyar|deputy director")
    c = commission_client(hl)

    lst = c.get("/staff/commission")
    assert lst.status == 200
    assert mine.reg_no in lst.body and other.reg_no not in lst.body
    # ten working days from today's order: the page agrees with the daemon's calendar
    show = ctl(hl, "investigation", "show", mine.reg_no).stdout
    left = int(re.search(r"\((\d+) working days left\)", show).group(1))
    cards = find_all(lst.body, "li", "investigation")
    assert len(cards) == 1
    days = [n for n in cards[0].iter() if "days-left" in n.classes()]
    assert days and days[0].attrs.get("data-days") == str(left)
    assert str(left) in days[0].text()

    page = c.get("/staff/commission/" + mine.reg_no)
    assert page.status == 200
    assert element_text(page.body, "report-what") == my_text
    assert "Omarova Gulnara" in page.body
    # the identity is the custodian's, never on the commission's page
    assert "+77015550000" not in page.body and "Reporter " not in page.body
    views = [r for r in audit_rows(hl) if r["action"] == "case.view"]
    assert views[-1]["login"] == "commission" and views[-1]["object"] == mine.reg_no

    # another investigation, and a case with none: as if they did not exist
    n_audit = len(audit_rows(hl))
    for reg_no in (other.reg_no, "2026-999999", "not-a-number"):
        r = c.get("/staff/commission/" + reg_no)
        assert r.status == 404, reg_no
        assert other_text not in r.body
        r = c.post("/staff/commission/" + reg_no, {"do": "start"})
        assert r.status == 404
    assert hl.query("SELECT i.state FROM hotline.investigations i JOIN hotline.cases c ON "
                    "c.id = i.case_id JOIN hotline.journal j ON j.id = c.journal_id "
                    "WHERE reg_no = %s", (other.reg_no,)) == [("ordered",)]
    assert not [r for r in audit_rows(hl)[n_audit:] if r["action"] == "case.view"]

    # other roles do not open the commission's pages at all
    comp = StaffClient(hl)
    comp.login_as("compliance")
    assert comp.get("/staff/commission").status == 403
    assert comp.get("/staff/commission/" + mine.reg_no).status == 403


def test_requests_for_materials_due_the_next_working_day(staff_hotline, keys):
    hl = staff_hotline
    rec, _ = order(hl, keys, order_date=datetime.date(2026, 3, 18))
    c = commission_client(hl)
    path = "/staff/commission/" + rec.reg_no
    # the form is there while the investigation runs
    assert by_id(c.get(path).body, "new-request") is not None
    r = c.post(path, {"do": "start"})
    assert r.status == 303 and r.location.startswith(path)

    # Friday 20 March 2026: the next working day is Thursday 26 March (Nauryz)
    r = c.post(path, {"do": "request", "to": "Head of accounting", "what": "Contracts of 2025",
                      "on": "2026-03-20"})
    assert r.status == 303
    r = c.post(path, {"do": "request", "to": "HR <b>department</b>", "what": "Personnel file"})
    assert r.status == 303
    rows = hl.query("SELECT id, to_char(requested_on, 'YYYY-MM-DD'), to_char(due_date, "
                    "'YYYY-MM-DD') FROM hotline.material_requests ORDER BY id")
    assert rows[0][1:] == ("2026-03-20", "2026-03-26")
    assert rows[1][1] == today().isoformat()
    assert rows[1][2] == next_working_day(today()).isoformat()
    # each has its deadline for the scanner
    assert hl.query("SELECT to_char(due_date, 'YYYY-MM-DD') FROM hotline.deadlines WHERE "
                    "kind = 'material_request' ORDER BY ref_id") == [(rows[0][2],), (rows[1][2],)]

    page = c.get(path)
    first = by_id(page.body, f"request-{rows[0][0]}")
    assert "26.03.2026" in first.text()  # dd.mm.yyyy on a Russian page
    assert any("overdue" in n.classes() for n in first.iter())
    assert "HR &lt;b&gt;department&lt;/b&gt;" in page.body  # escaped

    # answered: the deadline is met, the page says so
    r = c.post(path, {"do": "received", "request": str(rows[0][0])})
    assert r.status == 303
    assert hl.query("SELECT received_at IS NOT NULL FROM hotline.material_requests WHERE id = %s",
                    (rows[0][0],)) == [(True,)]
    assert hl.query("SELECT met_at IS NOT NULL FROM hotline.deadlines WHERE ref_id = %s",
                    (rows[0][0],)) == [(True,)]
    assert "received" in by_id(c.get(path).body, f"request-{rows[0][0]}").classes()
    # twice, or a request of nobody: refused with a reason
    r = c.post(path, {"do": "received", "request": str(rows[0][0])})
    assert r.status == 422 and by_id(r.body, "error") is not None
    r = c.post(path, {"do": "received", "request": "999999"})
    assert r.status == 422
    # a request without its addressee is refused
    r = c.post(path, {"do": "request", "to": "", "what": "x"})
    assert r.status == 422
    assert len(hl.query("SELECT 1 FROM hotline.material_requests")) == 2
    actions = [a["action"] for a in audit_rows(hl) if a["login"] == "commission"]
    assert actions.count("investigation.request") == 2
    assert actions.count("investigation.received") == 1


def test_conclusion_cites_norms_then_submitted_for_management(staff_hotline, keys):
    hl = staff_hotline
    rec, _ = order(hl, keys)
    c = commission_client(hl)
    path = "/staff/commission/" + rec.reg_no
    c.post(path, {"do": "start"})
    # nothing is submitted before there is a conclusion; the refusal says
    # in words where the investigation is (Russian by default)
    r = c.post(path, {"do": "submit"})
    assert r.status == 422
    said = element_text(r.body, "error")
    assert "Состояние проверки сейчас: Проводится." in said, said
    findings = "The contracts show a kickback. " + marker("f")
    # no norms: refused (004 p.7.10), and the refusal names the field
    r = c.post(path, {"do": "conclude", "findings": findings, "norms": ""})
    assert r.status == 422
    assert "правовые или внутренние нормы" in element_text(r.body, "error")
    assert hl.query("SELECT state FROM hotline.investigations") == [("in_progress",)]

    norms = "Law on Combating Corruption art. 8; Code of Ethics p. 3.2"
    proposed = "Reprimand <script>alert(1)</script> " + marker("p")
    r = c.post(path, {"do": "conclude", "findings": findings, "norms": norms,
                      "proposed": proposed})
    assert r.status == 303
    row = hl.query("SELECT state, norms, encode(conclusion, 'escape'), "
                   "encode(proposed_measures, 'escape'), encode(norms_sealed, 'escape') "
                   "FROM hotline.investigations")[0]
    # the norms too are under the conclusion's key (docs/keys.md, "Staff text")
    assert row[0] == "conclusion_drafted" and row[1] is None and "Corruption" not in row[4]
    assert findings not in row[2] and "Reprimand" not in row[3]  # stored encrypted
    page = c.get(path)
    assert element_text(page.body, "findings-text") == findings
    assert element_text(page.body, "norms-text") == norms
    assert element_text(page.body, "proposed-text") == proposed
    assert "<script>alert(1)</script>" not in page.body
    assert by_id(page.body, "submit-conclusion") is not None

    # the decision is management's: the commission's attempts are refused (403)
    for step in ({"do": "decide", "decision": "disciplinary"},
                 {"do": "measures", "doc": "order 51-k"}, {"do": "close"}):
        r = c.post(path, step)
        assert r.status == 403, step
    r = c.post(f"/staff/inv-decide/{rec.reg_no}", {"decision": "stop", "doc": "1",
                                                   "date": today().isoformat()})
    assert r.status == 403

    r = c.post(path, {"do": "submit"})
    assert r.status == 303
    assert hl.query("SELECT i.state, i.decision, u.login FROM hotline.investigations i "
                    "JOIN hotline.staff_users u ON u.id = i.submitted_by") == \
        [("submitted", None, "commission")]
    # submitting meets the ten working days
    assert hl.query("SELECT met_at IS NOT NULL, voided FROM hotline.deadlines WHERE "
                    "kind = 'investigation'") == [(True, False)]
    page = c.get(path)
    assert by_id(page.body, "submit-conclusion") is None
    assert today().strftime("%d.%m.%Y") in element_text(page.body, "submitted")
    assert by_id(page.body, "awaiting-decision") is not None
    assert by_id(page.body, "new-request") is None
    # (the director's notice and decision: test_submit_decide.py)
    assert hl.query("SELECT decision FROM hotline.investigations") == [(None,)]

    actions = [a["action"] for a in audit_rows(hl) if a["login"] == "commission"]
    for step in ("start", "conclude", "submit"):
        assert f"investigation.{step}" in actions
    assert "investigation.decide" not in actions and "access.denied" in actions
    # the audit log holds ids and actions, never the texts
    for a in audit_rows(hl):
        assert findings not in a["object"] and "Reprimand" not in a["object"]
    p = hotlinectl("audit", "verify", "--database", hl.admin_conninfo)
    assert p.returncode == 0, p.stdout + p.stderr
    log = hl.log()
    assert findings not in log and "Reprimand" not in log


def test_interest_declaration_is_recorded(staff_hotline, keys):
    hl = staff_hotline
    rec, _ = order(hl, keys)
    c = commission_client(hl)
    path = "/staff/commission/" + rec.reg_no
    assert by_id(c.get(path).body, "declare-interest") is not None
    # behind a confirmation: the box must be ticked, or nothing is recorded
    assert by_id(c.get(path).body, "interest-confirm").attrs.get("required") is not None
    r = c.post(path, {"do": "interest"})
    assert r.status == 422, r.status
    assert hl.query("SELECT count(*) FROM hotline.interest_declarations") == [(0,)]
    r = c.post(path, {"do": "interest", "confirm": "yes"})
    assert r.status == 303
    # the name is stored under the case's key only (docs/keys.md, "Staff text")
    assert hl.query("SELECT name, name_sealed IS NOT NULL, declared_by IS NOT NULL FROM "
                    "hotline.interest_declarations") == [(None, True, True)]
    page = c.get(path)
    assert by_id(page.body, "declare-interest") is None
    # the member stepped aside: their seal of the case is gone in the same
    # transaction (migration 0018), so their page lists the declaration
    # without its text, which only the case's readers open
    assert hl.query("SELECT count(*) FROM hotline.case_seals s JOIN hotline.staff_users u "
                    "ON u.id = s.user_id WHERE u.login = 'commission'") == [(0,)]
    interest = by_id(page.body, "interest")
    assert len(find_all(interest, "li")) == 1
    assert "Test Commission" not in interest.text()
    # the same person cannot then be put on a commission of that case
    assert any(a["action"] == "investigation.interest" for a in audit_rows(hl))


def test_forms_need_the_csrf_token(staff_hotline, keys):
    hl = staff_hotline
    rec, _ = order(hl, keys)
    c = commission_client(hl)
    r = c.post("/staff/commission/" + rec.reg_no, {"do": "start"}, csrf=False)
    assert r.status == 403
    assert hl.query("SELECT state FROM hotline.investigations") == [("ordered",)]


def test_days_left_follow_an_extension(staff_hotline, keys):
    hl = staff_hotline
    rec, _ = order(hl, keys, order_date=datetime.date(2026, 3, 18))
    ctl(hl, "investigation", "extend", rec.reg_no, "--consent-doc", "17", "--consent-date",
        "2026-04-03", "--consented-by", "director", "--new-due", "2026-04-20")
    c = commission_client(hl)
    page = c.get("/staff/commission/" + rec.reg_no)
    assert "20.04.2026" in by_id(page.body, "due").text()
    ext = find_all(page.body, "p", "extension")
    assert ext and "06.04.2026" in ext[0].text() and "Test Director" in ext[0].text()
    # long past: overdue, shown as such
    assert any("overdue" in n.classes() for n in by_id(page.body, "due").iter())
    assert PASSPHRASE not in page.body
