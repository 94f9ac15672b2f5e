"""Smoke: every account logs in and sees its home page."""
from staff_fixture import ROLES, StaffClient


def test_every_role_logs_in(staff_hotline):
    for role in ROLES:
        c = StaffClient(staff_hotline)
        c.login_as(role)
        home = c.get("/staff/")
        assert home.status == 200
        assert f"({role})" in home.body


def test_staff_lang_cookie_is_a_session_cookie(staff_hotline):
    """?lang= on a staff page sets the language for the session only: no
    Max-Age or Expires, so a shared computer keeps no trace (issue 16)."""
    c = StaffClient(staff_hotline)
    r = c.get("/staff/login?lang=kk")
    cookies = [sc for sc in (r.headers.get_all("Set-Cookie") or []) if sc.startswith("lang=")]
    assert cookies, f"no lang cookie set: {r.headers}"
    parts = [p.strip().lower() for p in cookies[0].split(";")]
    assert parts[0] == "lang=kk", cookies
    assert not any(p.startswith("max-age") or p.startswith("expires") for p in parts), cookies
