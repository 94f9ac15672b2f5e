"""A staff session ends after staff_idle_timeout without activity (15
minutes by default; 2 s here). Pages with forms say when, in Astana time;
a form posted after the end is not lost: its text is kept encrypted in
memory under a one-time token (accounts/keptform.c), the login page
carries the token, and after the login the kept form comes back, once,
to its author, with the text in an editable box and the new session's
CSRF token, to be sent on confirmation (staff/keptpage.c; docs/staff.md
"Sessions"). Never kept: the CSRF token and passwords. Real PostgreSQL,
real hotlined."""
import re
import time

from helpers import by_id, element_text, find_all, marker, submit
from staff_fixture import STAFF_PASSWORD, StaffClient, fresh_totp

IDLE = 2


def hidden(body, name):
    m = re.search(rf'<input type="hidden" name="{name}" value="([^"]*)"', body)
    return m and m.group(1)


def test_a_note_posted_after_expiry_comes_back_after_login(make_staff_hotline):
    hl = make_staff_hotline(staff_idle_timeout=IDLE)
    rec = submit(hl)
    c = StaffClient(hl)
    c.login_as("compliance")
    ends = ("SELECT to_char(clock_timestamp() AT TIME ZONE 'Asia/Almaty' "
            f"+ interval '{IDLE} seconds', 'HH24:MI')")
    before = hl.query(ends)[0][0]
    page = c.get(f"/staff/case/{rec.reg_no}?lang=ru")
    after = hl.query(ends)[0][0]
    # the page with forms says when the session ends, in Astana time
    note_text = element_text(page.body, "idle-note")
    assert note_text and "Астаны" in note_text, note_text
    assert before in note_text or after in note_text, (before, after, note_text)
    old_csrf = c.csrf

    time.sleep(IDLE + 1.5)
    note = "Проверить тендерную документацию\nи договор поставки " + marker("kept")
    r = c.post(f"/staff/case-note/{rec.reg_no}", {"note": note, "password": "not kept"})
    # not stored, not lost: the login page, with the token and the notice
    assert r.status == 200
    assert 'action="/staff/login"' in r.body
    assert by_id(r.body, "kept-notice") is not None
    token = hidden(r.body, "kept")
    assert token and re.fullmatch(r"[0-9a-f]{64}", token)
    assert note not in r.body
    assert hl.query("SELECT count(*) FROM hotline.case_notes")[0][0] == 0

    # a wrong password: the login page again, still carrying the token
    pre = re.search(r'name="csrf" value="([0-9a-f]{64})"', r.body).group(1)
    bad = c.post("/staff/login", [("csrf", pre), ("login", "compliance"),
                                  ("password", "wrong password"), ("code", ""),
                                  ("kept", token)], csrf=False)
    assert bad.status == 401 and hidden(bad.body, "kept") == token

    # someone else who signs in with the token gets nothing
    other = StaffClient(hl)
    other.login_as("director")
    assert other.get(f"/staff/kept?t={'0' * 64}").status == 404

    # the author signs in: the kept form comes back with the text
    pre = c.login_form()
    r = c.post("/staff/login", [("csrf", pre), ("login", "compliance"),
                                ("password", STAFF_PASSWORD),
                                ("code", fresh_totp(hl.dbname, "compliance")),
                                ("kept", token)], csrf=False)
    assert r.status == 303 and r.location == f"/staff/kept?t={token}", r.location
    back = c.get(r.location)
    assert back.status == 200
    form = [f for f in find_all(back.body, "form")
            if f.attrs.get("action") == f"/staff/case-note/{rec.reg_no}"]
    assert len(form) == 1
    box = find_all(form[0], "textarea")
    assert len(box) == 1 and box[0].attrs["name"] == "note"
    assert box[0].text().strip("\n") == note.replace("\r", "")
    # the new session's token, never the old one; no password came back
    assert c.csrf and c.csrf != old_csrf and hidden(back.body, "csrf") == c.csrf
    assert "not kept" not in back.body and 'name="password"' not in back.body
    # once only
    assert c.get(r.location).status == 404

    # sent on confirmation: stored as any note
    sent = c.post(f"/staff/case-note/{rec.reg_no}", {"note": box[0].text()})
    assert sent.status == 303
    assert " ".join(note.split()) in element_text(c.get(f"/staff/case/{rec.reg_no}").body, "notes")
    assert hl.query("SELECT count(*) FROM hotline.case_notes")[0][0] == 1


def test_a_post_without_any_session_is_not_kept(staff_hotline):
    """A POST that never had a session (a forged cross-site form carries no
    cookie: SameSite=Strict) keeps nothing and goes to the login page."""
    rec = submit(staff_hotline)
    c = StaffClient(staff_hotline)
    r = c.post(f"/staff/case-note/{rec.reg_no}", {"note": "forged", "csrf": "0" * 64})
    assert r.status == 303 and r.location.startswith("/staff/login")
