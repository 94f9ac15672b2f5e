"""The registrar's desk (seed 004 L194, seed 001 L261): a written or
in-person appeal is registered with the same sealing as the other channels,
and the person gets a printable ticket with the number, the date and the
receipt code, and nothing of the content."""
import re
from datetime import datetime, timedelta, timezone

from helpers import File, by_id, element_text, field_value, find_all, marker, page_excerpt, pg_dump
from staff_fixture import StaffClient, audit_rows

RECEIPT_RE = re.compile(r"^\d{4}(?: \d{4}){6}$")


def today_almaty():
    return datetime.now(timezone(timedelta(hours=5))).strftime("%Y-%m-%d")


def registrar(hl):
    c = StaffClient(hl)
    c.login_as("registrar")
    c.get("/staff/register")
    return c


def appeal_fields(**over):
    fields = {
        "channel": "written",
        "received_on": today_almaty(),
        "name": "Серикова Айгуль",
        "organisation": "",
        "address": "г. Астана, пр. Мангилик Ел 8",
        "phone": "",
        "email": "aigul@example.kz",
        "what": "Письмо о вымогательстве при приёмке работ",
        "when_where": "",
        "who": "",
        "category": "corruption",
        "director_involved": "unknown",
    }
    fields.update(over)
    return {k: v for k, v in fields.items() if v is not None}


def test_form_and_refusals(staff_hotline):
    hl = staff_hotline
    c = registrar(hl)
    f = c.get("/staff/register")
    assert f.status == 200
    assert field_value(f.body, "received_on") == today_almaty()
    ids = [n.attrs["id"] for n in find_all(f.body) if "id" in n.attrs]
    assert len(ids) == len(set(ids)), ids
    what = "<b>Жалоба</b> " + marker("wh")
    r = c.post("/staff/register", appeal_fields(channel="", what=what, category="nope"))
    assert r.status == 400, page_excerpt(r.body)
    for e in ("error-channel", "error-category"):
        assert by_id(r.body, e) is not None, e
    assert field_value(r.body, "what") == what and "<b>Жалоба</b>" not in r.body
    tomorrow = (datetime.now(timezone(timedelta(hours=5))) + timedelta(days=1)).strftime("%Y-%m-%d")
    for bad in (tomorrow, "2026-02-30", "yesterday"):
        r = c.post("/staff/register", appeal_fields(received_on=bad))
        assert r.status == 400 and by_id(r.body, "error-received_on") is not None, bad
    r = c.post("/staff/register", appeal_fields(what=" "))
    assert r.status == 400 and by_id(r.body, "error-what") is not None
    (n,), = hl.query("SELECT count(*) FROM hotline.journal")
    assert n == 0


def test_written_appeal_ticket(staff_hotline, case_show):
    hl = staff_hotline
    hl.query("INSERT INTO hotline.settings (key, value) VALUES ('organisation', %s)",
             ("РГП «Казстандарт» <test>",))
    c = registrar(hl)
    secrets = {"name": "Серикова " + marker("nm"), "email": marker("em") + "@example.kz",
               "what": "Вымогательство " + marker("wh")}
    scan = b"%PDF-1.4 scanned letter " + marker("fd").encode()
    r = c.post("/staff/register",
               appeal_fields(channel="in_person", received_on="2026-01-05", **secrets),
               files=[File("скан письма.pdf", scan, "application/pdf")])
    assert r.status == 200, page_excerpt(r.body)
    ticket = by_id(r.body, "ticket")
    assert ticket is not None
    reg_no = element_text(r.body, "reg-no")
    receipt = element_text(r.body, "receipt")
    assert re.match(r"^\d{4}-\d{6}$", reg_no) and RECEIPT_RE.match(receipt)
    assert element_text(r.body, "received-on") == "2026-01-05"
    assert element_text(r.body, "organisation") == "РГП «Казстандарт» <test>"
    assert "&lt;test&gt;" in r.body
    assert "/status" in element_text(r.body, "ticket-how")
    # nothing of the content on the ticket
    for v in secrets.values():
        assert v not in r.body
    (channel, anonymous, files), = hl.query(
        "SELECT j.channel, c.anonymous, (SELECT count(*) FROM hotline.attachments a "
        "WHERE a.case_id = c.id) FROM hotline.journal j JOIN hotline.cases c "
        "ON c.journal_id = j.id WHERE j.reg_no = %s", (reg_no,))
    assert (channel, anonymous, files) == ("in_person", False, 1)
    (kind, received), = hl.query(
        "SELECT s.kind, s.received_on::text FROM hotline.staff_intake s JOIN hotline.cases c "
        "ON c.id = s.case_id JOIN hotline.journal j ON j.id = c.journal_id WHERE j.reg_no = %s",
        (reg_no,))
    assert (kind, received) == ("desk", "2026-01-05")
    assert [(a["login"], a["object"]) for a in audit_rows(hl)
            if a["action"] == "appeal.register"] == [("registrar", reg_no)]
    shown, _ = case_show(hl, reg_no)
    for v in secrets.values():
        assert v in str(shown)
    dump = pg_dump(hl)
    for v in list(secrets.values()) + [scan.decode()]:
        assert v.encode() not in dump and v.encode().hex().encode() not in dump
    assert receipt.replace(" ", "").encode() not in dump
    # the person's code works on the status page
    s = hl.post_form("/status", {"receipt": receipt, "lang": "ru"})
    assert s.status == 200 and element_text(s.body, "reg-no") == reg_no


def test_only_the_registrar(staff_hotline):
    hl = staff_hotline
    for login in ("operator", "analyst", "compliance"):
        c = StaffClient(hl)
        c.login_as(login)
        assert c.get("/staff/register").status == 403, login
        assert c.post("/staff/register", appeal_fields()).status == 403, login
    (n,), = hl.query("SELECT count(*) FROM hotline.journal")
    assert n == 0


XSS = '"><script>alert(1)</script><img src=x onerror=alert(2)>\'&'


def test_every_text_field_is_shown_back_escaped_and_csrf_is_needed(staff_hotline):
    hl = staff_hotline
    c = registrar(hl)
    texts = ("name", "organisation", "address", "phone", "email", "what", "when_where", "who")
    r = c.post("/staff/register", appeal_fields(channel="", **{k: f"{k} {XSS}" for k in texts}))
    assert r.status == 400
    assert "<script>" not in r.body and "<img" not in r.body
    for k in texts:
        assert field_value(r.body, k) == f"{k} {XSS}", k
    r = c.post("/staff/register", appeal_fields(), csrf=False)
    assert r.status == 403, r.status
    (n,), = hl.query("SELECT count(*) FROM hotline.journal")
    assert n == 0
