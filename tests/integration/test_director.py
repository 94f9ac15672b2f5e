"""The director's and the alternate recipient's pages against the real
hotlined and PostgreSQL: the queue with the deadline of the day after
registration, acknowledging, deciding (forward with its printable cover
letter, an investigation with its order and commission, no grounds), the
extension with the written consent; and need to know: the director never
sees a case that names the director (404), the alternate sees exactly those."""
import datetime
import re

from helpers import by_id, element_text, find_all, marker, submit
from staff_fixture import StaffClient, audit_rows
from conftest import hotlinectl

ALMATY = datetime.timezone(datetime.timedelta(hours=5))


def reg_state(hl, reg_no):
    return hl.query("SELECT c.state, coalesce(c.decision, '') FROM hotline.cases c "
                    "JOIN hotline.journal j ON j.id = c.journal_id WHERE j.reg_no = %s",
                    (reg_no,))[0]


def triaged(hl, **over):
    rec = submit(hl, **over)
    comp = StaffClient(hl)
    comp.login_as("compliance")
    r = comp.post(f"/staff/case-triage/{rec.reg_no}", {"outcome": "corruption"})
    assert r.status == 303, r.body[:400]
    return rec


def queue_regs(body):
    return [li.attrs.get("data-reg-no") for li in find_all(body, "li", "card")]


def test_queue_and_need_to_know(staff_hotline):
    hl = staff_hotline
    plain = triaged(hl, director_involved="no")
    named = triaged(hl, director_involved="yes", what="The general director took a bribe "
                    + marker("named"))
    untriaged = submit(hl)
    d = StaffClient(hl)
    d.login_as("director")  # with TOTP
    q = d.get("/staff/decisions")
    assert q.status == 200
    assert queue_regs(q.body) == [plain.reg_no]
    # the deadline: the day after the day of registration
    due = hl.query("SELECT to_char((j.registered_at AT TIME ZONE 'Asia/Almaty')::date + 1, "
                   "'DD.MM.YYYY') FROM hotline.journal j WHERE reg_no = %s", (plain.reg_no,))[0][0]
    assert due in find_all(q.body, "li", "card")[0].clean_text()
    # the director never sees the case that names the director: 404, as if none
    for path in (f"/staff/case/{named.reg_no}", f"/staff/cover-letter/{named.reg_no}"):
        r = d.get(path)
        assert r.status == 404 and "general director" not in r.body, path
    assert d.post(f"/staff/decide-ack/{named.reg_no}", {}).status == 404
    assert d.post(f"/staff/decide/{named.reg_no}", {"decision": "no_grounds"}).status == 404
    assert reg_state(hl, named.reg_no) == ("to_director", "")
    files = hl.query("SELECT a.id FROM hotline.attachments a")
    assert files == []
    # the alternate: exactly the cases naming the director
    a = StaffClient(hl)
    a.login_as("alternate")
    assert queue_regs(a.get("/staff/decisions").body) == [named.reg_no]
    page = a.get(f"/staff/case/{named.reg_no}")
    assert page.status == 200 and "general director" in element_text(page.body, "content")
    assert a.get(f"/staff/case/{plain.reg_no}").status == 404
    # neither queue holds a case still to be triaged
    assert untriaged.reg_no not in queue_regs(q.body)
    # other roles cannot open the queue
    for role in ("compliance", "analyst", "commission"):
        o = StaffClient(hl)
        o.login_as(role)
        assert o.get("/staff/decisions").status == 403, role
    # the director's refused views are not audited as views
    views = [(r["login"], r["object"]) for r in audit_rows(hl) if r["action"] == "case.view"]
    assert ("director", named.reg_no) not in views and ("alternate", named.reg_no) in views


def test_director_acknowledges_and_forwards_with_a_cover_letter(staff_hotline):
    hl = staff_hotline
    p = hotlinectl("settings", "set", "organisation", "RSE KazStandart <Astana>",
                   "--database", hl.admin_conninfo)
    assert p.returncode == 0
    what = marker("what")
    rec = triaged(hl, what=f"Kickbacks {what}")
    d = StaffClient(hl)
    d.login_as("director")
    # the queue offers no "acknowledge": one acknowledges on the case page,
    # after opening it; a POST for a case not opened since the login is refused
    assert 'class="ack"' not in d.get("/staff/decisions").body
    refused = d.post(f"/staff/decide-ack/{rec.reg_no}", {})
    assert refused.status == 409 and by_id(refused.body, "step-error") is not None
    assert reg_state(hl, rec.reg_no) == ("to_director", "")
    page = d.get(f"/staff/case/{rec.reg_no}")
    # the report comes before the form that decides on it
    assert page.body.index('id="content"') < page.body.index('id="decide"')
    assert by_id(page.body, "ack-submit") is not None
    ack = d.post(f"/staff/decide-ack/{rec.reg_no}", {})
    assert ack.status == 303 and ack.location == "/staff/decisions"
    assert reg_state(hl, rec.reg_no) == ("acknowledged", "")
    assert hl.query("SELECT met_at IS NOT NULL FROM hotline.deadlines WHERE kind = "
                    "'director_notice'") == [(True,)]
    q = d.get("/staff/decisions")
    assert queue_regs(q.body) == [rec.reg_no]
    # a decision needs one of the four
    bad = d.post(f"/staff/decide/{rec.reg_no}", {"decision": "maybe"})
    assert bad.status == 400 and reg_state(hl, rec.reg_no)[0] == "acknowledged"
    page = d.get(f"/staff/case/{rec.reg_no}")
    assert by_id(page.body, "decide") is not None
    r = d.post(f"/staff/decide/{rec.reg_no}", {"decision": "forward", "doc": "resolution <7>"})
    assert r.status == 303
    assert reg_state(hl, rec.reg_no) == ("forwarded", "forward")
    assert queue_regs(d.get("/staff/decisions").body) == []
    page = d.get(f"/staff/case/{rec.reg_no}")
    link = by_id(page.body, "cover-letter")
    assert link is not None and by_id(page.body, "decide") is None
    letter = d.get(link.attrs["href"])
    assert letter.status == 200 and letter.body.startswith("<!DOCTYPE html>")
    assert element_text(letter.body, "letter-reg-no") == rec.reg_no
    assert "resolution &lt;7&gt;" in letter.body and "RSE KazStandart &lt;Astana&gt;" in letter.body
    assert what not in letter.body
    # the compliance manager records the sending
    c = StaffClient(hl)
    c.login_as("compliance")
    f = c.post(f"/staff/case-forwarded/{rec.reg_no}", {"to": "Anti-Corruption Agency"})
    assert f.status == 303
    # stored under the case's key only; the case page opens it (docs/keys.md)
    assert hl.query("SELECT forwarded_to, forwarded_to_sealed IS NOT NULL FROM hotline.cases") \
        == [(None, True)]
    assert element_text(c.get(f"/staff/case/{rec.reg_no}").body, "forwarded-body") == \
        "Anti-Corruption Agency"
    acts = [(r["login"], r["action"]) for r in audit_rows(hl) if r["object"] == rec.reg_no]
    for expected in (("director", "case.ack"), ("director", "case.decide"),
                     ("director", "case.cover_letter"), ("compliance", "case.forwarded")):
        assert expected in acts, expected
    p = hotlinectl("audit", "verify", "--database", hl.admin_conninfo)
    assert p.returncode == 0, p.stdout + p.stderr


def test_no_grounds_closes(staff_hotline):
    hl = staff_hotline
    rec = triaged(hl)
    d = StaffClient(hl)
    d.login_as("director")
    assert d.post(f"/staff/decide/{rec.reg_no}", {"decision": "no_grounds"}).status == 303
    assert reg_state(hl, rec.reg_no) == ("closed", "no_grounds")
    # decided once: a second decision is refused
    assert d.post(f"/staff/decide/{rec.reg_no}", {"decision": "forward"}).status == 409
    assert reg_state(hl, rec.reg_no) == ("closed", "no_grounds")


def test_director_orders_an_investigation_and_extends_it(staff_hotline):
    hl = staff_hotline
    rec = triaged(hl, who="Akhmetov Marat, head of procurement")
    d = StaffClient(hl)
    d.login_as("director")
    assert d.post(f"/staff/decide/{rec.reg_no}", {"decision": "investigate"}).status == 303
    # an order is dated neither after today nor before the decision
    today = datetime.datetime.now(ALMATY).date()
    future = today + datetime.timedelta(days=1)
    r = d.post(f"/staff/order/{rec.reg_no}", [("order_no", "45-k"),
                                               ("order_date", future.isoformat()),
                                               ("member", "commission")])
    assert r.status == 400
    # the rule in the reader's language (Russian here), then the dates
    # compared, as a Russian reader writes them: no English, no ISO date
    said = element_text(r.body, "step-error")
    assert "Дата позже сегодняшней" in said
    assert f"Указана дата {future:%d.%m.%Y}; сегодня {today:%d.%m.%Y}." in said, said
    assert not re.search(r"[A-Za-z]", said), said
    r = d.post(f"/staff/order/{rec.reg_no}", [("order_no", "45-k"), ("order_date", "2026-03-18"),
                                               ("member", "commission")])
    assert r.status == 400
    said = element_text(r.body, "step-error")
    assert "раньше решения руководителя" in said
    decided = hl.query("SELECT to_char(c.decided_at AT TIME ZONE 'Asia/Almaty', 'DD.MM.YYYY') "
                       "FROM hotline.cases c JOIN hotline.journal j ON j.id = c.journal_id "
                       "WHERE j.reg_no = %s", (rec.reg_no,))[0][0]
    assert f"Указана дата 18.03.2026; допустимо не ранее {decided}." in said, said
    assert not re.search(r"[A-Za-z]", said), said
    # a value that is not a date is named as typed
    r = d.post(f"/staff/order/{rec.reg_no}", [("order_no", "45-k"), ("order_date", "18.03.2026"),
                                               ("member", "commission")])
    assert r.status == 400
    assert "Указано: 18.03.2026." in element_text(r.body, "step-error")
    assert hl.query("SELECT count(*) FROM hotline.investigations") == [(0,)]
    # as if the director had decided in March
    hl.query("UPDATE hotline.cases SET decided_at = '2026-03-17 12:00+05'")
    page = d.get(f"/staff/case/{rec.reg_no}")
    form = by_id(page.body, "order")
    assert form is not None
    boxes = [n for n in form.iter() if n.tag == "input" and n.attrs.get("name") == "member"]
    assert [b.attrs["value"] for b in boxes] == ["commission"]
    # no member: refused
    r = d.post(f"/staff/order/{rec.reg_no}", {"order_no": "45-k", "order_date": "2026-03-18"})
    assert r.status == 400
    # an account without the commission role cannot be put on it
    r = d.post(f"/staff/order/{rec.reg_no}", [("order_no", "45-k"), ("order_date", "2026-03-18"),
                                               ("member", "analyst")])
    assert r.status == 400
    r = d.post(f"/staff/order/{rec.reg_no}", [("order_no", "45-k"), ("order_date", "2026-03-18"),
                                               ("member", "commission")])
    assert r.status == 303, r.body[:600]
    # ten working days across Nauryz
    assert hl.query("SELECT order_no, to_char(due_date, 'YYYY-MM-DD') FROM "
                    "hotline.investigations") == [("45-k", "2026-04-06")]
    assert hl.query("SELECT m.name, m.name_sealed IS NOT NULL, u.login FROM "
                    "hotline.commission_members m JOIN hotline.staff_users u "
                    "ON u.id = m.staff_user_id") == [(None, True, "commission")]
    assert "Test Commission" in by_id(d.get(f"/staff/case/{rec.reg_no}").body, "commission").text()
    # the member finds it on the commission's own page
    cm = StaffClient(hl)
    cm.login_as("commission")
    assert rec.reg_no in cm.get("/staff/commission").body
    page = d.get(f"/staff/case/{rec.reg_no}")
    assert "Test Commission" in element_text(page.body, "commission")
    due = by_id(page.body, "investigation-due")
    assert due.attrs["datetime"] == "2026-04-06" and due.clean_text() == "06.04.2026"
    # an extension only with the written consent's details
    r = d.post(f"/staff/extend/{rec.reg_no}", {"new_due": "2026-04-20"})
    assert r.status == 400
    assert hl.query("SELECT to_char(due_date, 'YYYY-MM-DD') FROM hotline.investigations") == \
        [("2026-04-06",)]
    # the consent is recorded as the director's account: no "given by" to type
    assert by_id(page.body, "consented-by") is None
    assert "Test Director" in element_text(page.body, "consent-as")
    r = d.post(f"/staff/extend/{rec.reg_no}", {"consent_doc": "17", "consent_date": "2026-04-03",
                                               "consented_by": "General Director",
                                               "new_due": "2026-04-20"})
    assert r.status == 303
    assert hl.query("SELECT to_char(due_date, 'YYYY-MM-DD'), extended FROM "
                    "hotline.investigations") == [("2026-04-20", True)]
    assert hl.query("SELECT consent_doc, consented_by, to_char(old_due_date, 'YYYY-MM-DD') "
                    "FROM hotline.investigation_extensions") == \
        [("17", "Test Director", "2026-04-06")]
    assert hl.query("SELECT to_char(due_date, 'YYYY-MM-DD') FROM hotline.deadlines WHERE "
                    "kind = 'investigation'") == [("2026-04-20",)]
    page = d.get(f"/staff/case/{rec.reg_no}")
    due = by_id(page.body, "investigation-due")
    assert due.attrs["datetime"] == "2026-04-20" and due.clean_text() == "20.04.2026"
    assert "Test Director" in element_text(page.body, "investigation")
    # the running investigation is listed in the queue with its extension link
    assert rec.reg_no in element_text(d.get("/staff/decisions").body, "running")
    acts = [r["action"] for r in audit_rows(hl) if r["object"] == rec.reg_no]
    assert "case.order" in acts and "case.extend" in acts
