"""The compliance manager's pages against the real hotlined and PostgreSQL:
the board of open cases (order, filters, working days left), triage from
the case page (the case moves, the director's notice is queued), the case
page with the decrypted report, files and messages (only to the roles that
may read cases, every view audited), the reply that the reporter reads on
/status, and internal notes kept encrypted."""
import re
import time

from conftest import hotlinectl
from helpers import File, by_id, clear_forms, element_text, find_all, marker, pg_dump, submit
from staff_fixture import StaffClient, audit_rows

DIRECTOR = "director@org.example.kz"
ALTERNATE = "chair.board@org.example.kz"


def settings(hl):
    for key, value in (("director_email", DIRECTOR), ("alternate_email", ALTERNATE),
                       ("compliance_email", "compliance@org.example.kz")):
        p = hotlinectl("settings", "set", key, value, "--database", hl.admin_conninfo)
        assert p.returncode == 0, p.stderr


def state_of(hl, reg_no):
    return hl.query("SELECT c.state FROM hotline.cases c JOIN hotline.journal j "
                    "ON j.id = c.journal_id WHERE j.reg_no = %s", (reg_no,))[0][0]


def board_rows(body):
    """(reg_no, data-state, overdue?) of the board's rows, in order."""
    rows = []
    for tr in find_all(body, "tr", "case-row"):
        link = [n for n in tr.iter() if n.tag == "a" and "reg-no" in n.classes()][0]
        rows.append((link.clean_text(), tr.attrs.get("data-state"), "overdue" in tr.classes()))
    return rows


def actions(hl, action):
    return [r["object"] for r in audit_rows(hl) if r["action"] == action]


def test_board_orders_overdue_first_and_filters(staff_hotline):
    hl = staff_hotline
    settings(hl)
    r1 = submit(hl, category="corruption")
    r2 = submit(hl, category="other")
    r3 = submit(hl, category="gift")
    c = StaffClient(hl)
    c.login_as("compliance")
    # r3 goes to the director; its notice deadline is then made long past
    t = c.post(f"/staff/case-triage/{r3.reg_no}", {"outcome": "corruption"})
    assert t.status == 303, t.body[:500]
    hl.query("UPDATE hotline.deadlines SET due_date = current_date - 10 WHERE case_id = "
             "(SELECT c.id FROM hotline.cases c JOIN hotline.journal j ON j.id = c.journal_id "
             "WHERE j.reg_no = %s)", (r3.reg_no,))
    b = c.get("/staff/board")
    assert b.status == 200
    rows = board_rows(b.body)
    assert [r[0] for r in rows][0] == r3.reg_no and rows[0][2], rows
    assert {r[0] for r in rows} == {r1.reg_no, r2.reg_no, r3.reg_no}
    assert not any(r[2] for r in rows[1:])
    # overdue in working days, shown on the row
    first = find_all(b.body, "tr", "case-row")[0]
    assert re.search(r"overdue by \d+ working days|просрочено|кешіктірілді", first.clean_text())
    # filters: category, state, channel (plain GET, no script)
    assert [r[0] for r in board_rows(c.get("/staff/board?category=other").body)] == [r2.reg_no]
    assert [r[0] for r in board_rows(c.get("/staff/board?state=to_director").body)] == [r3.reg_no]
    assert board_rows(c.get("/staff/board?channel=email").body) == []
    assert {r[0] for r in board_rows(c.get("/staff/board?channel=web&state=registered").body)} \
        == {r1.reg_no, r2.reg_no}
    # an unknown filter value is ignored, not passed to SQL
    assert len(board_rows(c.get("/staff/board?state=%27%3B--").body)) == 3
    # a closed case leaves the board
    hl.query("UPDATE hotline.cases SET state = 'closed' WHERE id = (SELECT c.id FROM "
             "hotline.cases c JOIN hotline.journal j ON j.id = c.journal_id WHERE j.reg_no = %s)",
             (r1.reg_no,))
    assert r1.reg_no not in [r[0] for r in board_rows(c.get("/staff/board").body)]
    # no other role opens the board
    for role in ("director", "analyst", "admin", "operator"):
        o = StaffClient(hl)
        o.login_as(role)
        assert o.get("/staff/board").status == 403, role


def test_triage_moves_the_case_and_queues_the_directors_notice(staff_hotline):
    hl = staff_hotline
    settings(hl)
    rec = submit(hl)
    other = submit(hl, category="other")
    c = StaffClient(hl)
    c.login_as("compliance")
    page = c.get(f"/staff/case/{rec.reg_no}")
    assert page.status == 200 and by_id(page.body, "triage") is not None
    # refused: not about corruption needs the unit; nothing changes
    bad = c.post(f"/staff/case-triage/{other.reg_no}", {"outcome": "not_corruption"})
    assert bad.status == 400
    # which field, in the reader's language (Russian by default)
    said = element_text(bad.body, "step-error")
    assert "Не заполнено обязательное поле." in said
    assert "направляется в подразделение: укажите подразделение." in said, said
    assert state_of(hl, other.reg_no) == "registered"
    ok = c.post(f"/staff/case-triage/{other.reg_no}",
                {"outcome": "not_corruption", "unit": "HR department"})
    assert ok.status == 303 and state_of(hl, other.reg_no) == "referred"
    # triaged once only: a second triage (a page left open) is refused,
    # and the refusal says in words where the case is now
    again = c.post(f"/staff/case-triage/{other.reg_no}",
                   {"outcome": "not_corruption", "unit": "Finance"})
    assert again.status == 409 and state_of(hl, other.reg_no) == "referred"
    said = element_text(again.body, "step-error")
    assert "Состояние дела сейчас: Направлено в подразделение." in said, said
    assert not re.search(r"[A-Za-z]", said), said
    # a named reporter cannot be triaged as anonymous
    named = submit(hl, identity="named", name="Someone")
    refused = c.post(f"/staff/case-triage/{named.reg_no}", {"outcome": "urgent"})
    assert refused.status == 409 and state_of(hl, named.reg_no) == "registered"
    said = element_text(refused.body, "step-error")
    assert "Обращение не анонимное" in said and not re.search(r"[A-Za-z]", said), said
    # corruption: to the director, with the notice in the outbox; the
    # triage note is kept as an internal note under the case's content key,
    # never as clear text in the database
    note = marker("triage-note")
    t = c.post(f"/staff/case-triage/{rec.reg_no}", {"outcome": "corruption", "note": note})
    assert t.status == 303 and t.location.startswith(f"/staff/case/{rec.reg_no}")
    assert state_of(hl, rec.reg_no) == "to_director"
    out = hl.query("SELECT recipient, subject FROM hotline.outbox WHERE kind = 'director_new'")
    assert [o[0] for o in out] == [DIRECTOR] and rec.reg_no in out[0][1]
    assert hl.query("SELECT detail->>'by' FROM hotline.case_events WHERE kind = 'triaged' "
                    "AND case_id = (SELECT c.id FROM hotline.cases c JOIN hotline.journal j "
                    "ON j.id = c.journal_id WHERE j.reg_no = %s)", (rec.reg_no,)) == [("compliance",)]
    after = c.get(f"/staff/case/{rec.reg_no}")
    assert note in element_text(after.body, "notes")
    assert hl.query("SELECT count(*) FROM hotline.cases WHERE triage_note LIKE %s",
                    ("%" + note + "%",)) == [(0,)]
    dump = pg_dump(hl)
    assert rec.reg_no.encode() in dump
    for form in clear_forms(note):
        assert form not in dump, "the triage note is in clear in the database"
    # triaged once: the form is gone and a second triage is refused
    assert by_id(after.body, "triage") is None
    again = c.post(f"/staff/case-triage/{rec.reg_no}", {"outcome": "not_corruption", "unit": "x"})
    assert again.status == 409
    assert actions(hl, "case.triage") == [other.reg_no, rec.reg_no]
    # the board says where it is now
    b = c.get("/staff/board?state=to_director")
    assert [r[0] for r in board_rows(b.body)] == [rec.reg_no]
    # without the CSRF token nothing happens
    x = c.post(f"/staff/case-triage/{named.reg_no}", {"outcome": "corruption"}, csrf=False)
    assert x.status == 403 and state_of(hl, named.reg_no) == "registered"


def test_case_page_content_only_to_case_roles_and_every_view_audited(staff_hotline):
    hl = staff_hotline
    what = marker("what")
    data = b"%PDF-1.4 contract scan " + what.encode()
    rec = submit(hl, what=f"Kickbacks on tender {what}",
                 files=[File("scan Q3;<b>отчёт.pdf", data, "text/html")])
    c = StaffClient(hl)
    c.login_as("compliance")
    page = c.get(f"/staff/case/{rec.reg_no}")
    assert page.status == 200
    report = element_text(page.body, "content")
    assert what in report and "office 214" in report
    assert element_text(page.body, "reg-no") == rec.reg_no
    assert "Kickbacks" not in str(hl.query("SELECT encode(content, 'escape') FROM hotline.cases"))
    # the file: listed by its decrypted name, downloaded as an attachment
    links = [a for a in find_all(page.body, "a", "file")]
    assert len(links) == 1 and "scan Q3;<b>отчёт.pdf" in links[0].clean_text()
    d = c.get(links[0].attrs["href"])
    assert d.status == 200 and d.body.encode("utf-8", "surrogateescape") == data
    assert d.headers["Content-Type"] == "application/octet-stream"
    assert d.headers["X-Content-Type-Options"] == "nosniff"
    cd = d.headers["Content-Disposition"]
    assert cd.startswith("attachment;") and "filename*=UTF-8''" in cd
    assert cd.count('"') == 2 and cd.count(";") == 2  # the name's ';' cannot split it
    assert "%D0%BE%D1%82%D1%87%D1%91%D1%82" in cd  # the UTF-8 name, RFC 5987
    # the director reads a case that does not name the director, once it
    # is triaged to them (issue 14: before triage, 404)
    dr = StaffClient(hl)
    dr.login_as("director")
    assert dr.get(f"/staff/case/{rec.reg_no}").status == 404
    assert c.post(f"/staff/case-triage/{rec.reg_no}", {"outcome": "corruption"}).status == 303
    assert what in element_text(dr.get(f"/staff/case/{rec.reg_no}").body, "content")
    # the roles without need to know are refused by the routes
    for role in ("analyst", "admin", "operator", "registrar", "custodian", "commission"):
        o = StaffClient(hl)
        o.login_as(role)
        r = o.get(f"/staff/case/{rec.reg_no}")
        assert r.status == 403 and what not in r.body, role
        assert o.get(links[0].attrs["href"]).status == 403, role
    # an unknown case and an unknown file are 404
    assert c.get("/staff/case/2000-999999").status == 404
    assert c.get("/staff/case-file/999999").status == 404
    assert c.get("/staff/case-file/1x").status == 404
    # every view and the download: who, what, on what; no content
    rows = audit_rows(hl)
    views = [(r["login"], r["object"]) for r in rows if r["action"] == "case.view"]
    assert views.count(("compliance", rec.reg_no)) == 1 and ("director", rec.reg_no) in views
    files = [r for r in rows if r["action"] == "case.file"]
    assert len(files) == 1 and files[0]["object"].startswith(rec.reg_no + "/")
    assert not any(what in str(r) for r in rows)
    p = hotlinectl("audit", "verify", "--database", hl.admin_conninfo)
    assert p.returncode == 0, p.stdout + p.stderr


def test_reply_reaches_the_reporter_and_notes_stay_internal(staff_hotline):
    hl = staff_hotline
    rec = submit(hl)
    assert hl.query("SELECT length(reporter_public_key) FROM hotline.cases") == [(32,)]
    follow = marker("follow")
    r = hl.post_multipart("/status/message", {"receipt": rec.receipt, "message": follow,
                                               "lang": "en"})
    assert r.status == 303
    c = StaffClient(hl)
    c.login_as("compliance")
    page = c.get(f"/staff/case/{rec.reg_no}")
    msgs = find_all(page.body, "article", "from-reporter")
    assert len(msgs) == 1 and follow in msgs[0].clean_text()
    answer = "Thank you. Could you say which contract? " + marker("reply")
    s = c.post(f"/staff/case-reply/{rec.reg_no}", {"message": answer})
    assert s.status == 303, s.body[:500]
    # stored sealed both ways, in clear nowhere
    assert answer not in str(hl.query("SELECT encode(body_case, 'escape'), "
                                      "encode(body_reporter, 'escape') FROM hotline.messages"))
    assert hl.query("SELECT author, staff_login FROM hotline.messages ORDER BY id") == \
        [("reporter", None), ("staff", "compliance")]
    # the reporter reads it on /status with the receipt
    st = hl.post_form("/status", {"receipt": rec.receipt, "lang": "en"})
    staff_msgs = find_all(st.body, "article", "from-staff")
    assert len(staff_msgs) == 1 and answer in staff_msgs[0].clean_text()
    # and staff see it on the case page
    page = c.get(f"/staff/case/{rec.reg_no}")
    assert answer in find_all(page.body, "article", "from-staff")[0].clean_text()
    # an empty reply is refused
    assert c.post(f"/staff/case-reply/{rec.reg_no}", {"message": "  "}).status == 400
    # internal notes: encrypted under the case key, never on /status
    note = "Check the tender file first " + marker("note")
    n = c.post(f"/staff/case-note/{rec.reg_no}", {"note": note})
    assert n.status == 303
    assert note not in str(hl.query("SELECT encode(body, 'escape') FROM hotline.case_notes"))
    assert note in element_text(c.get(f"/staff/case/{rec.reg_no}").body, "notes")
    assert note not in hl.post_form("/status", {"receipt": rec.receipt, "lang": "en"}).body
    assert actions(hl, "case.reply") == [rec.reg_no] and actions(hl, "case.note") == [rec.reg_no]
    # the director may write notes but not reply to the reporter
    dr = StaffClient(hl)
    dr.login_as("director")
    assert dr.post(f"/staff/case-reply/{rec.reg_no}", {"message": "x"}).status == 403


def test_a_case_registered_without_the_reporter_key_gets_it_at_lookup(staff_hotline):
    hl = staff_hotline
    rec = submit(hl)
    hl.query("UPDATE hotline.cases SET reporter_public_key = NULL")
    c = StaffClient(hl)
    c.login_as("compliance")
    page = c.get(f"/staff/case/{rec.reg_no}")
    assert by_id(page.body, "no-reply-key") is not None and by_id(page.body, "reply") is None
    assert c.post(f"/staff/case-reply/{rec.reg_no}", {"message": "hello"}).status == 409
    assert hl.post_form("/status", {"receipt": rec.receipt, "lang": "en"}).status == 200
    for _ in range(50):
        if hl.query("SELECT reporter_public_key IS NOT NULL FROM hotline.cases") == [(True,)]:
            break
        time.sleep(0.1)
    assert by_id(c.get(f"/staff/case/{rec.reg_no}").body, "reply") is not None
    assert c.post(f"/staff/case-reply/{rec.reg_no}", {"message": "hello"}).status == 303
    st = hl.post_form("/status", {"receipt": rec.receipt, "lang": "en"})
    assert "hello" in find_all(st.body, "article", "from-staff")[0].clean_text()
