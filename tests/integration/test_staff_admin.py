"""The administrator's pages: list, add, roles, disable, reset and the TOTP
policy per role; every change is audited and ends the account's sessions."""
import re

from helpers import by_id, find_all
from staff_fixture import StaffClient, activation_code, audit_rows


def admin(hl):
    c = StaffClient(hl)
    c.login_as("admin")
    return c


def test_list_add_activate_and_log_in_as_the_new_account(staff_hotline):
    hl = staff_hotline
    c = admin(hl)
    r = c.get("/staff/admin/users")
    assert r.status == 200
    logins = re.findall(r'<tr data-login="([^"]+)"', r.body)
    assert set(logins) >= {"operator", "admin", "director"}
    assert 'name="password"' not in r.body  # the administrator never chooses one
    # a one-time activation code, shown once; no password
    r = c.post("/staff/admin/users/add", [("login", "new.person"), ("name", "Новый <Сотрудник>"),
                                          ("roles", "registrar"), ("roles", "analyst"),
                                          ("password", "an ignored password")])
    assert r.status == 200, r.body[:500]
    code = activation_code(r.body)
    # a value to copy, which a browser's translator must leave alone
    assert by_id(r.body, "activation-code").attrs.get("translate") == "no"
    assert by_id(r.body, "new-password") is None
    assert "Новый &lt;Сотрудник&gt;" not in r.body  # the name is not on this page
    # not usable before activation, not even with the ignored password
    assert StaffClient(hl).login_as("new.person", "an ignored password", check=False).status == 401
    assert 'data-state="inactive"' in c.get("/staff/admin/user/new.person").body
    n = StaffClient(hl)
    assert n.activate("new.person", code, "my own password 1").status == 200
    n.login_as("new.person", "my own password 1")
    home = n.get("/staff/")
    assert "Новый &lt;Сотрудник&gt;" in home.body and "<Сотрудник>" not in home.body
    assert 'data-role="registrar"' in home.body and 'data-role="analyst"' in home.body
    assert hl.query("SELECT roles FROM hotline.staff_users WHERE login = 'new.person'") == \
        [(["analyst", "registrar"],)]
    # the code is single use
    assert StaffClient(hl).activate("new.person", code, "a takeover password").status == 401
    r = c.post("/staff/admin/users/add", [("login", "new.person"), ("name", "Again")])
    assert r.status == 409
    for bad in ({"login": "Bad Login", "name": "x"}, {"login": "ok", "name": ""}):
        assert c.post("/staff/admin/users/add", bad).status == 400, bad
    actions = [(a["action"], a["object"]) for a in audit_rows(hl) if a["login"] == "admin"]
    assert ("admin.user.add", "new.person") in actions
    assert ("account.activate", "new.person") in [(a["action"], a["object"])
                                                  for a in audit_rows(hl)]


def test_roles_disable_enable_reset(staff_hotline):
    hl = staff_hotline
    c = admin(hl)
    op = StaffClient(hl)
    op.login_as("operator")
    r = c.post("/staff/admin/user/roles", [("login", "operator"), ("roles", "operator"),
                                           ("roles", "registrar")])
    assert r.status == 200 and 'id="done"' in r.body
    assert sorted(hl.query("SELECT roles FROM hotline.staff_users WHERE login = 'operator'")[0][0]) \
        == ["operator", "registrar"]
    # the changed account's session has ended
    assert op.get("/staff/").location.startswith("/staff/login")
    op.login_as("operator")
    assert c.post("/staff/admin/user/disable", {"login": "operator", "disable": "yes"}).status == 200
    assert op.get("/staff/").location.startswith("/staff/login")
    assert StaffClient(hl).login_as("operator", check=False).status == 401
    assert c.post("/staff/admin/user/disable", {"login": "operator", "disable": "no"}).status == 200
    StaffClient(hl).login_as("operator")
    # a reset drops the TOTP enrolment and sends the privileged role back to
    # waiting, so the reset compliance holds no role that needs a code
    # (migration 0019) until it is confirmed again
    r = c.post("/staff/admin/user/reset", {"login": "compliance"})
    assert r.status == 200
    code = activation_code(r.body)
    assert StaffClient(hl).login_as("compliance", check=False).status == 401
    comp = StaffClient(hl)
    assert comp.activate("compliance", code, "a new password of mine").status == 200
    comp.login_as("compliance", "a new password of mine")
    home = comp.get("/staff/")
    assert 'id="case-key"' not in home.body  # the grant went with the old key
    # the privileged role went back to waiting for a confirmation
    assert 'data-role="compliance"' not in home.body
    assert hl.query("SELECT role FROM hotline.staff_grants_pending g JOIN hotline.staff_users u "
                    "ON u.id = g.user_id WHERE u.login = 'compliance'") == [("compliance",)]
    # an administrator cannot lock themselves out
    assert c.post("/staff/admin/user/disable", {"login": "admin", "disable": "yes"}).status == 400
    assert c.post("/staff/admin/user/roles", {"login": "admin", "roles": "operator"}).status == 400
    assert c.post("/staff/admin/user/reset", {"login": "nobody"}).status == 404
    assert c.get("/staff/admin/user/nobody").status == 404
    page = c.get("/staff/admin/user/operator")
    assert page.status == 200 and 'id="roles-submit"' in page.body
    actions = [a["action"] for a in audit_rows(hl) if a["login"] == "admin"]
    for a in ("admin.user.roles", "admin.user.disable", "admin.user.enable", "admin.user.reset",
              "admin.user.view", "grant.request"):
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
