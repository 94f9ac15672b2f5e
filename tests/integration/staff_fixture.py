"""Staff pages in the integration tests: accounts, logins and a client.

Fixtures (registered for every test file by conftest.py):

  staff_hotline          a running hotlined on a fresh database that has one
                         staff account per role, the login being the role
                         name: operator, registrar, compliance, director,
                         alternate, commission, custodian, analyst, admin.
                         All have the password STAFF_PASSWORD. Each case is
                         sealed to whoever its rules entitle among
                         CASE_KEY_LOGINS (compliance, director, alternate,
                         commission; docs/keys.md); keys.case_sec is the
                         recovery key, given to hotlinectl (conftest). TOTP
                         is required for the roles TOTP_ROLES (compliance,
                         director, alternate, custodian, admin: the default
                         of migration 0019), whose accounts are enrolled
                         with the known secrets TOTP_SECRETS.
  make_staff_hotline     factory: make_staff_hotline(**config overrides),
                         e.g. make_staff_hotline(staff_idle_timeout=2).
  staff_db               the fresh database (copy of the staff template).

Helpers:

  StaffClient(hl, source=None)
                         a browser-like client with its own cookies (source:
                         a local address such as "127.0.0.2" to send from):
      .login_as(login, password=STAFF_PASSWORD, code=None, check=True)
                         fills the TOTP code itself when the login needs one
                         (a fresh one: a code is never accepted twice);
                         check=False returns the answer of a failed login
                         instead of raising.
      .get(path, headers=None)
      .post(path, fields, files=None, csrf=True, headers=None)
                         fields: dict or list of pairs; files: list of
                         helpers.File. The session's CSRF token (learnt from
                         the last page that had one) is added as "csrf"
                         unless csrf=False or fields has one.
      .logout()
      .activate(login, code, password=STAFF_PASSWORD, again=None, totp=False)
                         the holder's step at /staff/activate (totp=True: with
                         the authenticator set up too, secret in .totp_secret).
      Each returns StaffResp(status, headers, body, location) and
      .page(resp) parses the body (helpers.parse_html).
      .cookies (dict name -> value), .csrf (the token in use).
  totp_now(login, at=None)  the 6-digit code of login's secret now.
  totp_code(secret_b32, at) RFC 6238 (SHA-1, 30 s, 6 digits).
  staff_routes()         the route table the binary prints
                         (hotlined --routes): list of Route(name, method,
                         pattern, roles) with roles a set of role names or
                         {"public"}.
  audit_rows(hl)         the audit log as dicts, in order.
  activation_code(text)  the one-time code in hotlinectl's or a page's output.
  add_account(conninfo, login, name, roles, password=STAFF_PASSWORD)
                         `hotlinectl user add` then `user activate` (the
                         holder's step) with password: a working account.
                         Privileged roles wait (see confirm_role) unless the
                         bootstrap rule applies.
  confirm_role(conninfo, login, role, by="compliance", password=STAFF_PASSWORD)
                         `hotlinectl user confirm`: the second person's step.

The accounts of the template are made with the real steps: compliance is
added first (the bootstrap rule of an empty installation lets its role take
effect at once), every account is activated with its one-time code, and
compliance confirms the director's, the alternate's and the custodian's
roles (docs/staff.md, "Privileged roles need a second person").
"""
import base64
import hashlib
import hmac
import re
import struct
import time
from typing import NamedTuple
from urllib.parse import urlsplit

import pytest

import helpers
from conftest import HOTLINECTL, HOTLINED, run

ROLES = ("operator", "registrar", "compliance", "director", "alternate", "commission",
         "custodian", "analyst", "admin")
STAFF_PASSWORD = "staff password (test only)"
CASE_KEY_LOGINS = ("compliance", "director", "alternate", "commission")
TOTP_ROLES = ("compliance", "director", "alternate", "custodian", "admin")
# Known secrets (base32) so that tests can make codes.
TOTP_SECRETS = {
    "director": "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ",
    "custodian": "MFRGGZDFMZTWQ2LKNNWG23TPOBYXE43U",
    "admin": "KRUGS4ZANFZSA5DIMUQGC3DNNFXCA23F",
    "compliance": "MNXW24DMNFQW4Y3FFV2G65DQFUYDAMBR",
    "alternate": "MFWHIZLSNZQXIZJNORXXI4BNGAYDAMBS",
}
STAFF_TEMPLATE_DB = "hotline_staff_template"
SESSION_COOKIE = "hotline_staff"


# ---------------------------------------------------------------- TOTP


def totp_code(secret_b32, at, digits=6, step=30):
    key = base64.b32decode(secret_b32 + "=" * (-len(secret_b32) % 8))
    counter = int(at) // step
    mac = hmac.new(key, struct.pack(">Q", counter), hashlib.sha1).digest()
    off = mac[-1] & 0x0F
    value = (struct.unpack(">I", mac[off:off + 4])[0] & 0x7FFFFFFF) % (10 ** digits)
    return str(value).zfill(digits)


def totp_now(login, at=None):
    return totp_code(TOTP_SECRETS[login], time.time() if at is None else at)


# Steps already used per (database, login): the daemon refuses a code of a
# step not later than the last accepted one, and accepts one step either
# side of now.
_used_steps = {}


def fresh_totp(dbname, login):
    """A code the daemon will accept for login now, waiting for the next
    30-second step if the window is used up."""
    key = (dbname, login)
    while True:
        now = time.time()
        step = int(now) // 30
        last = _used_steps.get(key, 0)
        candidate = max(step - 1, last + 1)
        # stay clear of the window's edges
        if candidate <= step + 1 and not (candidate == step - 1 and now % 30 > 25):
            _used_steps[key] = candidate
            return totp_code(TOTP_SECRETS[login], candidate * 30)
        time.sleep(30 - now % 30 + 0.2)


# ---------------------------------------------------------------- routes


class Route(NamedTuple):
    name: str
    method: str
    pattern: str
    roles: frozenset


def parse_routes(text):
    out = []
    for line in text.splitlines():
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        name, method, pattern, roles = line.split()
        out.append(Route(name, method, pattern, frozenset(roles.split(","))))
    return out


def staff_routes():
    return parse_routes(run([HOTLINED, "--routes"]).stdout)


# ---------------------------------------------------------------- client


class StaffResp(NamedTuple):
    status: int
    headers: object
    body: str
    location: str


_CSRF_RE = re.compile(r'name="csrf" value="([0-9a-f]{64})"')


class StaffClient:
    def __init__(self, hl, source=None):
        self.hl = hl
        # source: a local address to send from ("127.0.0.2"): the login
        # slow-down counts per client address
        self.kw = {"source_address": (source, 0)} if source else {}
        self.cookies = {}
        self.csrf = None
        self.login = None

    def _cookie_header(self):
        return "; ".join(f"{k}={v}" for k, v in self.cookies.items())

    def _take(self, r):
        for sc in r.headers.get_all("Set-Cookie") or []:
            nv = sc.split(";", 1)[0]
            name, _, value = nv.partition("=")
            attrs = sc.lower()
            if "max-age=0" in attrs or value == "":
                self.cookies.pop(name.strip(), None)
            else:
                self.cookies[name.strip()] = value.strip()
        m = _CSRF_RE.search(r.body) if r.status < 400 or r.body else None
        if m and 'action="/staff/login"' not in r.body:
            self.csrf = m.group(1)
        loc = r.headers.get("Location") or ""
        if loc:
            loc = urlsplit(loc).path + (("?" + urlsplit(loc).query) if urlsplit(loc).query else "")
        return StaffResp(r.status, r.headers, r.body, loc)

    def _headers(self, extra=None):
        h = {}
        if self.cookies:
            h["Cookie"] = self._cookie_header()
        h.update(extra or {})
        return h

    def get(self, path, headers=None):
        return self._take(helpers.get(self.hl.url, path, headers=self._headers(headers), **self.kw))

    def post(self, path, fields=None, files=None, csrf=True, headers=None):
        fields = list(fields.items()) if isinstance(fields, dict) else list(fields or [])
        if csrf and self.csrf and not any(k == "csrf" for k, _ in fields):
            fields.append(("csrf", self.csrf))
        if files:
            r = helpers.post_multipart(self.hl.url, path, fields, files,
                                       headers=self._headers(headers), **self.kw)
        else:
            r = helpers.post_form(self.hl.url, path, fields, headers=self._headers(headers),
                                  **self.kw)
        return self._take(r)

    def page(self, resp):
        return helpers.parse_html(resp.body)

    def login_form(self):
        """GETs the login page: sets the pre-login cookie; returns its token."""
        r = self.get("/staff/login")
        m = _CSRF_RE.search(r.body)
        assert r.status == 200 and m, f"no login form: {r.status} {r.body[:300]}"
        return m.group(1)

    def login_as(self, login, password=STAFF_PASSWORD, code=None, check=True, next_path=None):
        token = self.login_form()
        if code is None and login in TOTP_SECRETS:
            code = fresh_totp(self.hl.dbname, login)
        fields = [("csrf", token), ("login", login), ("password", password),
                  ("code", code or "")]
        if next_path:
            fields.append(("next", next_path))
        r = self.post("/staff/login", fields, csrf=False)
        if check:
            assert r.status == 303 and SESSION_COOKIE in self.cookies, (
                f"login as {login} failed: {r.status} {r.body[:500]}")
            self.login = login
            home = self.get("/staff/")
            assert home.status == 200, f"home page after login: {home.status}"
        return r

    def logout(self):
        return self.post("/staff/logout", {})

    def activate(self, login, code, password=STAFF_PASSWORD, again=None, totp=False):
        """The holder's step at /staff/activate: login, one-time code, the
        new password twice; totp=True also sets up the authenticator with
        the secret the page offers (its code now; the secret is left in
        .totp_secret). Returns the answer (200 when activated)."""
        r = self.get("/staff/activate")
        m = _CSRF_RE.search(r.body)
        assert r.status == 200 and m, f"no activation form: {r.status} {r.body[:300]}"
        self.totp_secret = re.search(r'name="secret" value="([A-Z2-7]+)"', r.body).group(1)
        fields = [("csrf", m.group(1)), ("login", login), ("code", code),
                  ("password", password), ("again", password if again is None else again),
                  ("secret", self.totp_secret)]
        if totp:
            fields.append(("totp", totp_code(self.totp_secret, time.time())))
        return self.post("/staff/activate", fields, csrf=False)


# ---------------------------------------------------------------- database


def audit_rows(hl):
    rows = hl.query("SELECT id, user_id, login, action, object FROM hotline.audit_log ORDER BY id")
    return [dict(zip(("id", "user_id", "login", "action", "object"), r)) for r in rows]


def _ctl(conninfo, *args, stdin=None):
    p = run([HOTLINECTL, *args, "--database", conninfo], check=False, input=stdin)
    assert p.returncode == 0, f"hotlinectl {' '.join(map(str, args))}: {p.stdout}\n{p.stderr}"
    return p


_CODE_RE = re.compile(r"activation code: ([a-z2-9]{5}(?:-[a-z2-9]{5}){3})")
_CODE_HTML_RE = re.compile(r'id="activation-code"[^>]*>([a-z2-9-]{23})<')


def activation_code(text):
    m = _CODE_RE.search(text) or _CODE_HTML_RE.search(text)
    assert m, f"no activation code in:\n{text[:2000]}"
    return m.group(1)


def add_account(conninfo, login, name, roles, password=STAFF_PASSWORD):
    p = _ctl(conninfo, "user", "add", login, "--name", name, "--roles", roles)
    code = activation_code(p.stdout)
    _ctl(conninfo, "user", "activate", login, stdin=f"{code}\n{password}\n")
    return p


def confirm_role(conninfo, login, role, by="compliance", password=STAFF_PASSWORD):
    return _ctl(conninfo, "user", "confirm", role, login, "--by", by, stdin=password + "\n")


PRIVILEGED = ("compliance", "director", "alternate", "custodian")


@pytest.fixture(scope="session")
def staff_template_db(pg, template_db, keys):
    """The migrated template plus the staff accounts, made once."""
    pg.createdb(STAFF_TEMPLATE_DB, template=template_db)
    ci = pg.conninfo(STAFF_TEMPLATE_DB)
    # compliance first: the bootstrap grant of an empty installation
    for role in sorted(ROLES, key=lambda r: r != "compliance"):
        add_account(ci, role, f"Test {role.capitalize()}", role)
    for role in PRIVILEGED:
        if role != "compliance":
            confirm_role(ci, role, role)
    # no grant: each case is sealed to the people entitled to it
    # (docs/keys.md); CASE_KEY_LOGINS are those whose roles entitle them
    for login, secret in TOTP_SECRETS.items():
        _ctl(ci, "user", "totp", login, "--secret", secret, stdin=STAFF_PASSWORD + "\n")
    for role in TOTP_ROLES:
        _ctl(ci, "role", "totp", role, "on")
    pg.execute(f"ALTER DATABASE {STAFF_TEMPLATE_DB} WITH IS_TEMPLATE true ALLOW_CONNECTIONS false")
    return STAFF_TEMPLATE_DB


_staff_db_numbers = iter(range(1, 1_000_000))


@pytest.fixture
def staff_db(pg, staff_template_db):
    name = f"s{next(_staff_db_numbers)}"
    pg.createdb(name, template=staff_template_db)
    yield name
    pg.dropdb(name)


@pytest.fixture
def make_staff_hotline(make_hotline, staff_db):
    """make_staff_hotline(**overrides) -> a running Hotline on staff_db."""
    def make(**overrides):
        return make_hotline(dbname=staff_db, **overrides)
    return make


@pytest.fixture
def staff_hotline(make_staff_hotline):
    return make_staff_hotline()
