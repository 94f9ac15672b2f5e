"""The administrator's pages: list, add, roles, disable, reset and the TOTP
policy per role; every change is audited and ends the account's sessions."""
import re

import helpers
from helpers import by_id, find_all
from staff_fixture import StaffClient, audit_rows


def admin(hl):
    c = StaffClient(hl)
    c.login_as("admin")
    return c


def test_list_add_and_log_in_as_the_new_account(staff_hotline):
    hl = staff_hotline
    c = admin(hl)
    r = c.get("/staff/admin/users")
    assert r.status == 200
    logins = re.findall(r'<tr data-login="([^"]+)"', r.body)
    assert set(logins) >= {"operator", "admin", "director"}
    # generated password, shown once
    r = c.post("/staff/admin/users/add", [("login", "new.person"), ("name", "Новый <Сотрудник>"),
                                          ("roles", "registrar"), ("roles", "analyst"),
                                          ("password", "")])
    assert r.status == 200, r.body[:500]
    password = helpers.element_text(r.body, "new-password")
    assert len(password) == 23
    assert "Новый &lt;Сотрудник&gt;" not in r.body  # the name is not on this page
    n = StaffClient(hl)
    n.login_as("new.person", password)
    home = n.get("/staff/")
    assert "Новый &lt;Сотрудник&gt;" in home.body and "<Сотрудник>" not in home.body
    assert 'data-role="registrar"' in home.body and 'data-role="analyst"' in home.body
    assert hl.query("SELECT roles FROM hotline.staff_users WHERE login = 'new.person'") == \
        [(["registrar", "analyst"],)]
    # a chosen password; then the same login again
    r = c.post("/staff/admin/users/add", [("login", "second"), ("name", "Second"),
                                          ("roles", "operator"), ("password", "chosen password 1")])
    assert r.status == 303 and r.location == "/staff/admin/user/second?added=1"
    StaffClient(hl).login_as("second", "chosen password 1")
    r = c.post("/staff/admin/users/add", [("login", "second"), ("name", "Again"),
                                          ("password", "chosen password 2")])
    assert r.status == 409
    for bad in ({"login": "Bad Login", "name": "x"}, {"login": "ok", "name": ""},
                {"login": "ok2", "name": "x", "password": "short"}):
        assert c.post("/staff/admin/users/add", bad).status == 400, bad
    actions = [(a["action"], a["object"]) for a in audit_rows(hl) if a["login"] == "admin"]
    assert ("admin.user.add", "new.person") in actions and ("admin.user.add", "second") in actions


def test_roles_disable_enable_reset(staff_hotline):
    hl = staff_hotline
    c = admin(hl)
    op = StaffClient(hl)
    op.login_as("operator")
    r = c.post("/staff/admin/user/roles", [("login", "operator"), ("roles", "operator"),
                                           ("roles", "registrar")])
    assert r.status == 200 and 'id="done"' in r.body
    assert hl.query("SELECT roles FROM hotline.staff_users WHERE login = 'operator'") == \
        [(["operator", "registrar"],)]
    # the changed account's session has ended
    assert op.get("/staff/").location.startswith("/staff/login")
    op.login_as("operator")
    assert c.post("/staff/admin/user/disable", {"login": "operator", "disable": "yes"}).status == 200
    assert op.get("/staff/").location.startswith("/staff/login")
    assert StaffClient(hl).login_as("operator", check=False).status == 401
    assert c.post("/staff/admin/user/disable", {"login": "operator", "disable": "no"}).status == 200
    StaffClient(hl).login_as("operator")
    # commission: holds the case key and needs no TOTP (a reset drops the
    # enrolment, so a role that needs one waits for `user totp`)
    r = c.post("/staff/admin/user/reset", {"login": "commission"})
    assert r.status == 200
    password = helpers.element_text(r.body, "new-password")
    assert StaffClient(hl).login_as("commission", check=False).status == 401
    comp = StaffClient(hl)
    comp.login_as("commission", password)
    assert 'id="case-key"' not in comp.get("/staff/").body  # the grant went with the old key
    # an administrator cannot lock themselves out
    assert c.post("/staff/admin/user/disable", {"login": "admin", "disable": "yes"}).status == 400
    assert c.post("/staff/admin/user/roles", {"login": "admin", "roles": "operator"}).status == 400
    assert c.post("/staff/admin/user/reset", {"login": "nobody"}).status == 404
    assert c.get("/staff/admin/user/nobody").status == 404
    page = c.get("/staff/admin/user/operator")
    assert page.status == 200 and 'id="roles-submit"' in page.body
    actions = [a["action"] for a in audit_rows(hl) if a["login"] == "admin"]
    for a in ("admin.user.roles", "admin.user.disable", "admin.user.enable", "admin.user.reset",
              "admin.user.view"):
        assert a in actions, a


def test_totp_policy_per_role(staff_hotline):
    hl = staff_hotline
    c = admin(hl)
    page = c.get("/staff/admin/policy")
    assert 'id="totp-director" checked' in page.body
    assert 'id="totp-operator">' in page.body
    # keep admin (this session) and director; drop custodian; add analyst
    r = c.post("/staff/admin/policy", [("totp", "admin"), ("totp", "director"), ("totp", "analyst")])
    assert r.status == 200 and 'id="done"' in r.body
    # the page names the accounts the new rule locks out: analyst has no
    # authenticator enrolled; director (enrolled) and custodian (no longer
    # required) are not named
    box = by_id(r.body, "unenrolled")
    assert box is not None, "no warning about accounts without an authenticator"
    assert [a.clean_text() for a in find_all(box, "a")] == ["analyst"]
    got = dict(hl.query("SELECT role, totp_required FROM hotline.staff_role_policy"))
    assert got["analyst"] and got["director"] and got["admin"] and not got["custodian"]
    # analyst has no TOTP enrolled: refused now; custodian logs in without a code
    assert StaffClient(hl).login_as("analyst", check=False).status == 401
    cu = StaffClient(hl)
    r = cu.login_as("custodian", code="", check=False)
    assert r.status == 303
    actions = [(a["action"], a["object"]) for a in audit_rows(hl) if a["login"] == "admin"]
    assert ("admin.role.totp.on", "analyst") in actions
    assert ("admin.role.totp.off", "custodian") in actions
