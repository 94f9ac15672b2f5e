"""The administrator runs accounts and reads nothing (docs/staff.md,
"Accounts and activation", "Privileged roles need a second person"):
one-time activation codes instead of passwords, everyone's own password
change, two-person confirmation of privileged roles, and hotline_app
limited to the audited account functions of migration 0020."""
import re
import time

import psycopg2
import pytest

from conftest import HOTLINECTL, run
from helpers import by_id, element_text, marker, submit
from staff_fixture import (STAFF_PASSWORD, StaffClient, activation_code, add_account, audit_rows,
                           confirm_role, fresh_totp, totp_code)

NEW_PASSWORD = "the person's own secret 7"


def ctl(conninfo, *args, stdin=None, ok=True):
    p = run([HOTLINECTL, *args, "--database", conninfo], check=False, input=stdin)
    if ok:
        assert p.returncode == 0, f"hotlinectl {args}: {p.stdout}\n{p.stderr}"
    return p


_sources = iter(range(10, 250))


def stranger(hl):
    """A client from an address of its own: failures here do not slow down
    the other tries' address (the login slow-down counts per client)."""
    return StaffClient(hl, source=f"127.0.0.{next(_sources)}")


def admin(hl):
    c = StaffClient(hl)
    c.login_as("admin")
    return c


def fingerprint_of(client):
    """The key fingerprint the person reads on their own page."""
    r = client.get("/staff/account/password")
    assert r.status == 200, r.body[:400]
    return element_text(r.body, "my-fingerprint").strip()


def grant_row(body, login, role):
    m = re.search(rf'<section class="grant" data-login="{re.escape(login)}" '
                  rf'data-role="{role}">(.*?)</section>', body, re.S)
    assert m, f"no waiting grant of {role} to {login} on the page"
    return m.group(1)


def test_the_admin_never_sees_a_password(staff_hotline):
    hl = staff_hotline
    a = admin(hl)
    outputs = []
    r = a.post("/staff/admin/users/add", [("login", "aigerim"), ("name", "Aigerim N."),
                                          ("roles", "registrar")])
    assert r.status == 200, r.body[:400]
    outputs.append(r.body)
    code = activation_code(r.body)
    # nothing is stored that a password could be checked against, nor a key
    assert hl.query("SELECT password_hash, kek_salt, public_key, secret_key_wrapped "
                    "FROM hotline.staff_users WHERE login = 'aigerim'") == [(None,) * 4]
    # the code is no password: the account cannot log in until activated
    for attempt in (code, STAFF_PASSWORD):
        assert stranger(hl).login_as("aigerim", attempt, check=False).status == 401
    # activation by the holder, with a password the admin never sees
    holder = StaffClient(hl)
    assert holder.activate("aigerim", code, NEW_PASSWORD, again="a different one 1").status == 400
    assert holder.activate("aigerim", code, "short").status == 400
    r = holder.activate("aigerim", code, NEW_PASSWORD)
    assert r.status == 200 and by_id(r.body, "done") is not None
    holder.login_as("aigerim", NEW_PASSWORD)
    # a reset gives a code again, from the page and from hotlinectl
    r = a.post("/staff/admin/user/reset", {"login": "aigerim"})
    assert r.status == 200
    outputs.append(r.body)
    reset_code = activation_code(r.body)
    assert stranger(hl).login_as("aigerim", NEW_PASSWORD, check=False).status == 401
    assert holder.get("/staff/").location.startswith("/staff/login")  # sessions ended
    assert StaffClient(hl).activate("aigerim", reset_code, NEW_PASSWORD).status == 200
    p = ctl(hl.admin_conninfo, "user", "add", "bolat", "--name", "Bolat", "--roles", "operator",
            stdin="a password piped in 1\n")
    outputs.append(p.stdout + p.stderr)
    cli_code = activation_code(p.stdout)
    assert stranger(hl).login_as("bolat", "a password piped in 1", check=False).status == 401
    ctl(hl.admin_conninfo, "user", "activate", "bolat", stdin=f"{cli_code}\n{NEW_PASSWORD}\n")
    StaffClient(hl).login_as("bolat", NEW_PASSWORD)
    p = ctl(hl.admin_conninfo, "user", "reset", "bolat")
    outputs.append(p.stdout + p.stderr)
    # every page the admin can open, and hotlinectl's listings
    for path in ("/staff/admin/users", "/staff/admin/user/aigerim", "/staff/admin/user/bolat",
                 "/staff/admin/policy", "/staff/", "/staff/account/password"):
        r = a.get(path)
        assert r.status == 200, path
        outputs.append(r.body)
    for args in (("user", "list"), ("user", "grants")):
        outputs.append(ctl(hl.admin_conninfo, *args).stdout)
    for text in outputs:
        assert NEW_PASSWORD not in text and STAFF_PASSWORD not in text
        # no password field filled in, no "password:" line: nothing to log in with
        assert not re.search(r'type="password"[^>]*value="[^"]', text)
        assert not re.search(r"^password:", text, re.M)
        assert '<code id="new-password">' not in text
    # the codes are single use, and what the admin saw opens nothing now
    for c in (code, reset_code):
        assert stranger(hl).activate("aigerim", c, "an attacker's password").status == 401
    actions = [(r["action"], r["object"]) for r in audit_rows(hl)]
    for want in (("admin.user.add", "aigerim"), ("account.activate", "aigerim"),
                 ("admin.user.reset", "aigerim"), ("user.add", "bolat"),
                 ("account.activate", "bolat"), ("user.reset", "bolat")):
        assert want in actions, want
    assert ("account.activate.failed", "") in actions


def test_an_expired_code_opens_nothing(staff_hotline):
    hl = staff_hotline
    code = activation_code(ctl(hl.admin_conninfo, "user", "add", "late", "--name", "Late",
                               "--roles", "operator").stdout)
    hl.query("UPDATE hotline.staff_users SET activation_expires_at = now() - interval '1 second' "
             "WHERE login = 'late'")
    assert StaffClient(hl).activate("late", code, NEW_PASSWORD).status == 401
    assert hl.query("SELECT public_key FROM hotline.staff_users WHERE login = 'late'") == [(None,)]


def test_activation_sets_up_the_second_factor_a_role_requires(staff_hotline):
    """An account whose role requires a TOTP code could never log in to set
    one up: the activation does it, or is refused without spending the code."""
    hl = staff_hotline
    ci = hl.admin_conninfo
    ctl(ci, "role", "totp", "registrar", "on")
    code = activation_code(ctl(ci, "user", "add", "rustem", "--name", "Rustem",
                               "--roles", "registrar").stdout)
    c = StaffClient(hl)
    r = c.activate("rustem", code, NEW_PASSWORD)
    assert r.status == 400 and by_id(r.body, "totp-secret") is not None
    assert hl.query("SELECT public_key FROM hotline.staff_users WHERE login = 'rustem'") == \
        [(None,)]
    # the secret in the form is only the one the page gave out
    r = c.post("/staff/activate", [("csrf", c.cookies.get("hotline_staff_pre", "")),
                                   ("login", "rustem"), ("code", code),
                                   ("password", NEW_PASSWORD), ("again", NEW_PASSWORD),
                                   ("secret", "A" * 32), ("totp", "123456")], csrf=False)
    assert r.status in (400, 403)
    r = c.activate("rustem", code, NEW_PASSWORD, totp=True)
    assert r.status == 200 and by_id(r.body, "done") is not None, r.body[:600]
    secret = c.totp_secret
    # the code that confirmed it is spent; the next step's logs in
    (step,), = hl.query("SELECT totp_last_step FROM hotline.staff_users WHERE login = 'rustem'")
    assert abs(step - int(time.time()) // 30) <= 1
    assert StaffClient(hl).login_as("rustem", NEW_PASSWORD, code=totp_code(secret, step * 30),
                                    check=False).status == 401
    StaffClient(hl).login_as("rustem", NEW_PASSWORD, code=totp_code(secret, (step + 1) * 30))
    rows = [(r["login"], r["action"], r["object"]) for r in audit_rows(hl)]
    assert ("rustem", "account.activate", "rustem") in rows
    assert ("rustem", "account.totp", "rustem") in rows


def test_a_role_grant_waits_for_its_confirmation(staff_hotline):
    hl = staff_hotline
    a = admin(hl)
    # the admin also holds compliance: asked by hotlinectl, confirmed by compliance
    ctl(hl.admin_conninfo, "user", "roles", "admin", "admin,compliance")
    assert hl.query("SELECT roles FROM hotline.staff_users WHERE login = 'admin'") == [(["admin"],)]
    confirm_role(hl.admin_conninfo, "admin", "compliance")
    a = admin(hl)  # the epoch moved on when the role was asked for
    assert 'data-role="compliance"' in a.get("/staff/").body
    # the admin asks for a director on the page
    r = a.post("/staff/admin/users/add", [("login", "dina"), ("name", "Dina D."),
                                          ("roles", "director"), ("roles", "analyst")])
    assert r.status == 200 and by_id(r.body, "pending") is not None
    code = activation_code(r.body)
    assert hl.query("SELECT roles FROM hotline.staff_users WHERE login = 'dina'") == \
        [(["analyst"],)]
    # before activation there is no key to compare: nobody can confirm
    comp = StaffClient(hl)
    comp.login_as("compliance")
    page = comp.get("/staff/grants")
    assert 'name="grant"' not in grant_row(page.body, "dina", "director")
    (gid,), = hl.query("SELECT g.id FROM hotline.staff_grants_pending g JOIN "
                       "hotline.staff_users u ON u.id = g.user_id WHERE u.login = 'dina'")
    r = comp.post("/staff/grants/confirm", {"grant": str(gid)})
    assert r.status == 403
    # the person activates; the role still waits: she cannot use it
    d = StaffClient(hl)
    assert d.activate("dina", code, NEW_PASSWORD).status == 200
    d.login_as("dina", NEW_PASSWORD)
    home = d.get("/staff/").body
    assert 'data-role="analyst"' in home and 'data-role="director"' not in home
    assert d.get("/staff/decisions").status == 403
    assert by_id(d.get("/staff/account/password").body, "my-pending") is not None
    # the admin who asked may not confirm it, even holding compliance
    r = a.get("/staff/grants")
    assert r.status == 200 and 'name="grant"' not in grant_row(r.body, "dina", "director")
    r = a.post("/staff/grants/confirm", {"grant": str(gid)})
    assert r.status == 403
    # the person may not confirm her own (no confirming role: refused by the route)
    assert d.post("/staff/grants/confirm", {"grant": str(gid)}).status == 403
    assert hl.query("SELECT roles FROM hotline.staff_users WHERE login = 'dina'") == \
        [(["analyst"],)]
    # the compliance manager compares the fingerprint she reads on her page
    theirs = fingerprint_of(d)
    assert re.fullmatch(r"[0-9a-f]{4}( [0-9a-f]{4}){7}", theirs), theirs
    row = grant_row(comp.get("/staff/grants").body, "dina", "director")
    assert theirs in row and "admin" in row
    assert comp.post("/staff/grants/confirm", {"grant": str(gid)}).status == 200
    home = d.get("/staff/").body
    assert 'data-role="director"' in home
    assert d.get("/staff/decisions").status == 200
    assert hl.query("SELECT count(*) FROM hotline.staff_grants_pending") == [(0,)]
    rows = [(r["login"], r["action"], r["object"]) for r in audit_rows(hl)]
    assert ("admin", "grant.request", "dina:director") in rows
    assert ("compliance", "grant.confirm", "dina:director") in rows
    assert ("admin", "grant.confirm.refused", str(gid)) in rows
    # dropping a role needs nobody
    r = a.post("/staff/admin/user/roles", [("login", "dina"), ("roles", "analyst")])
    assert r.status == 200
    assert hl.query("SELECT roles FROM hotline.staff_users WHERE login = 'dina'") == \
        [(["analyst"],)]


def test_the_bootstrap_rule_of_an_empty_installation(hotline):
    """The first compliance manager or director is granted at once by
    hotlinectl; once one exists, the next waits like on the page."""
    ci = hotline.admin_conninfo
    p = add_account(ci, "first", "First Director", "director")
    assert "waiting" not in p.stdout
    assert hotline.query("SELECT roles FROM hotline.staff_users WHERE login = 'first'") == \
        [(["director"],)]
    p = add_account(ci, "second", "Second", "compliance")
    assert "waiting for" in p.stdout
    assert hotline.query("SELECT roles FROM hotline.staff_users WHERE login = 'second'") == \
        [([],)]
    # the person themself may not confirm; the director may
    p = ctl(ci, "user", "confirm", "compliance", "second", "--by", "second",
            stdin=STAFF_PASSWORD + "\n", ok=False)
    assert p.returncode == 1
    p = ctl(ci, "user", "confirm", "compliance", "second", "--by", "first",
            stdin="a wrong password\n", ok=False)
    assert p.returncode == 1
    confirm_role(ci, "second", "compliance", by="first")
    assert hotline.query("SELECT roles FROM hotline.staff_users WHERE login = 'second'") == \
        [(["compliance"],)]
    rows = [(r["action"], r["object"]) for r in audit_rows(hotline)]
    assert ("grant.bootstrap", "first:director") in rows
    assert ("grant.confirm", "second:compliance") in rows


def test_password_change_keeps_case_access(staff_hotline):
    hl = staff_hotline
    # a case routed to the director: sealed to the director's key
    what = "Read before and after a new password " + marker("pw")
    rec = submit(hl, what=what)
    run([HOTLINECTL, "case", "triage", rec.reg_no, "corruption", "--database",
         hl.admin_conninfo])
    d = StaffClient(hl)
    d.login_as("director")
    other = StaffClient(hl)
    other.login_as("director")
    assert by_id(d.get("/staff/").body, "case-key") is not None
    assert what in d.get(f"/staff/case/{rec.reg_no}").body
    before = fingerprint_of(d)
    salt_before = hl.query("SELECT kek_salt FROM hotline.staff_users "
                           "WHERE login = 'director'")[0][0]
    # a wrong current password is refused and counts
    r = d.post("/staff/account/password", {"current": "not my password 1",
                                           "password": NEW_PASSWORD, "again": NEW_PASSWORD})
    assert r.status == 400 and by_id(r.body, "error") is not None
    r = d.post("/staff/account/password", {"current": STAFF_PASSWORD, "password": NEW_PASSWORD,
                                           "again": "something else 12"})
    assert r.status == 400
    r = d.post("/staff/account/password", {"current": STAFF_PASSWORD, "password": NEW_PASSWORD,
                                           "again": NEW_PASSWORD})
    assert r.status == 200 and by_id(r.body, "done") is not None, r.body[:500]
    # this session goes on, with the case key; the other one ended
    home = d.get("/staff/")
    assert home.status == 200 and by_id(home.body, "case-key") is not None
    assert other.get("/staff/").location.startswith("/staff/login")
    # the same key pair: the fingerprint and the case key grant stay
    assert fingerprint_of(d) == before
    # wrapped again in form 2 (migration 0019): a new salt, no password hash
    row = hl.query("SELECT kdf_version, password_hash IS NULL, kek_salt <> %s::bytea "
                   "FROM hotline.staff_users WHERE login = 'director'", (salt_before,))
    assert row == [(2, True, True)], row
    assert StaffClient(hl).login_as("director", STAFF_PASSWORD, check=False).status == 401
    n = StaffClient(hl)
    n.login_as("director", NEW_PASSWORD, code=fresh_totp(hl.dbname, "director"))
    assert by_id(n.get("/staff/").body, "case-key") is not None
    # the same key pair opens the same seal: the case still reads
    assert what in n.get(f"/staff/case/{rec.reg_no}").body
    rows = [(r["login"], r["action"]) for r in audit_rows(hl)]
    assert ("director", "account.password") in rows
    assert ("director", "account.password.failed") in rows


@pytest.mark.parametrize("sql", [
    "UPDATE hotline.staff_users SET roles = '{admin,compliance,director}' WHERE login = 'admin'",
    "UPDATE hotline.staff_users SET public_key = public_key WHERE login = 'director'",
    "UPDATE hotline.staff_users SET case_key_sealed = NULL",
    "INSERT INTO hotline.staff_users (login, display_name, roles) VALUES ('x', 'x', '{director}')",
    "DELETE FROM hotline.staff_users WHERE login = 'operator'",
    "UPDATE hotline.staff_role_policy SET totp_required = false",
    "DELETE FROM hotline.staff_grants_pending",
    "SELECT hotline.staff_apply_roles(1, '{director}', NULL, 'x')",
])
def test_hotline_app_changes_accounts_only_through_the_functions(staff_hotline, sql):
    hl = staff_hotline
    with pytest.raises(psycopg2.Error) as err:
        hl.query(sql, user="hotline_app")
    assert "permission denied" in str(err.value)
    # and the functions it may call refuse a bootstrap grant
    r = hl.query("SELECT array_to_string(hotline.staff_roles_set(NULL, 'x', 'operator', "
                 "'{operator,director}'), ',')", user="hotline_app")
    assert r == [("director",)]
    assert hl.query("SELECT roles FROM hotline.staff_users WHERE login = 'operator'") == \
        [(["operator"],)]
