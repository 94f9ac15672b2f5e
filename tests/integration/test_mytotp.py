"""A staff member sets up their own authenticator app on /staff/account/totp:
the secret is shown once, a code from it and the password confirm it, and
from then on the login needs its codes when the role requires one."""
import time

from helpers import by_id, element_text, field_value
from staff_fixture import STAFF_PASSWORD, StaffClient, audit_rows, totp_code

HOSTILE = '<script>alert(1)</script>"'


def totp_row(hl, login):
    return hl.query("SELECT totp_wrapped IS NOT NULL, totp_last_step FROM hotline.staff_users "
                    "WHERE login = %s", (login,))[0]


def test_set_up_own_authenticator_then_it_is_required(staff_hotline):
    hl = staff_hotline
    c = StaffClient(hl)
    c.login_as("analyst")
    assert totp_row(hl, "analyst")[0] is False
    home = c.get("/staff/")
    assert 'href="/staff/account/totp"' in home.body, "no menu entry for the second factor"

    page = c.get("/staff/account/totp")
    assert page.status == 200
    assert by_id(page.body, "totp-state").attrs.get("data-enrolled") == "no"
    secret = field_value(page.body, "secret")
    assert secret and len(secret) == 32 and secret.isalnum()
    assert element_text(page.body, "totp-secret").replace(" ", "") == secret
    # a value to copy, not words: no translator touches it, and the words
    # test (test_staff_words.py) does not read its random groups as words
    assert by_id(page.body, "totp-secret").attrs.get("translate") == "no"
    assert f"secret={secret}" in by_id(page.body, "totp-uri").attrs["href"]
    # a fresh secret every time the page is opened
    assert field_value(c.get("/staff/account/totp").body, "secret") != secret

    now = time.time()
    good = totp_code(secret, now)
    wrong = f"{(int(good) + 1) % 1000000:06d}"
    r = c.post("/staff/account/totp", {"secret": secret, "code": wrong, "password": STAFF_PASSWORD})
    assert r.status == 400 and by_id(r.body, "error") is not None
    assert field_value(r.body, "secret") == secret, "the same secret is offered again"
    r = c.post("/staff/account/totp", {"secret": secret, "code": good, "password": "not it 12345"})
    assert r.status == 400 and by_id(r.body, "error") is not None
    assert totp_row(hl, "analyst")[0] is False, "enrolled without the password"

    r = c.post("/staff/account/totp", {"secret": secret, "code": good, "password": STAFF_PASSWORD})
    assert r.status == 200 and by_id(r.body, "done") is not None, r.body[:500]
    has, last = totp_row(hl, "analyst")
    assert has and last >= int(now // 30) - 1, "the confirming code's step is not recorded"
    assert by_id(c.get("/staff/account/totp").body, "totp-state").attrs["data-enrolled"] == "yes"
    assert ("account.totp", "analyst") in [(a["action"], a["object"]) for a in audit_rows(hl)]

    # the role now requires a code: none, or the one that confirmed, is refused
    hl.query("UPDATE hotline.staff_role_policy SET totp_required = true WHERE role = 'analyst'")
    try:
        assert StaffClient(hl).login_as("analyst", code="", check=False).status == 401
        assert StaffClient(hl).login_as("analyst", code=good, check=False).status == 401
        # the next step's code is within the window and not used yet
        later = totp_code(secret, (last + 1) * 30)
        r = StaffClient(hl).login_as("analyst", code=later, check=False)
        assert r.status == 303, f"the app's next code was refused: {r.status}"
    finally:
        hl.query("UPDATE hotline.staff_role_policy SET totp_required = false "
                 "WHERE role = 'analyst'")


def test_only_the_secret_the_page_gave_is_taken(staff_hotline):
    hl = staff_hotline
    c = StaffClient(hl)
    c.login_as("operator")
    for secret in (HOSTILE, "AAAA", "a" * 32, ""):
        r = c.post("/staff/account/totp", {"secret": secret, "code": "123456",
                                           "password": STAFF_PASSWORD})
        assert r.status == 200 and "<script>alert(1)" not in r.body
        assert field_value(r.body, "secret") != secret, "a secret not made here was offered"
        assert by_id(r.body, "error") is None
    assert totp_row(hl, "operator")[0] is False
    # without the CSRF token nothing is even looked at
    page = c.get("/staff/account/totp")
    secret = field_value(page.body, "secret")
    r = c.post("/staff/account/totp", {"secret": secret, "code": totp_code(secret, time.time()),
                                       "password": STAFF_PASSWORD}, csrf=False)
    assert r.status == 403 and totp_row(hl, "operator")[0] is False


def test_wrong_passwords_here_slow_the_account_down_like_logins(staff_hotline):
    """A session left open cannot be used to guess the password through this
    page: its failures count like failed logins (docs/staff.md, "Failed
    logins"): on the device cookie the login gave, five of them; without
    one, on the account's login slow-down."""
    import threading
    hl = staff_hotline
    c = StaffClient(hl, source="127.0.4.1")
    c.login_as("registrar")
    secret = field_value(c.get("/staff/account/totp").body, "secret")

    def wrong(i):
        t0 = time.monotonic()
        r = c.post("/staff/account/totp", {"secret": secret, "code": totp_code(secret, time.time()),
                                           "password": f"wrong {i} password"})
        assert r.status == 400
        return time.monotonic() - t0

    # with the device cookie: as at the login, the 4th failure is answered
    # after 1 s, the 5th after 2 s; they count on the cookie, not on the
    # account, so a login of the account from another address is at once
    times = [wrong(i) for i in range(5)]
    assert times[3] >= 1.0 and times[4] >= 2.0, times
    other = StaffClient(hl, source="127.0.4.3")
    t0 = time.monotonic()
    other.login_as("registrar")
    assert time.monotonic() - t0 < 2.5
    # the cookie is worn out now: the next failures count on the account
    times = [wrong(i) for i in range(5, 10)]
    assert times[3] >= 1.0 and times[4] >= 2.0, times
    # a 6th of those earns 4 s; a login of the account made meanwhile from
    # another address without a device cookie is refused, its right
    # password not looked at
    # (the code is checked first: the 6th has a right one, so its password is looked at)
    sixth = threading.Thread(target=lambda: wrong(10))
    sixth.start()
    time.sleep(1.5)
    r = StaffClient(hl, source="127.0.4.2").login_as("registrar", check=False)
    sixth.join()
    assert r.status == 401, "the login was looked at during the slow-down"
    assert totp_row(hl, "registrar")[0] is False


def _qr_image(svg_attrs, path_d, out):
    """The page's inline SVG QR code as a PGM file (8 pixels a module), so
    that zbarimg reads what a phone's camera would."""
    import re
    x0, y0, w, h = (int(v) for v in svg_attrs.get("viewBox") or svg_attrs["viewbox"].split())
    dark = set()
    for x, y, run in re.findall(r"M(\d+) (\d+)h(\d+)v1h-\d+z", path_d):
        for i in range(int(run)):
            dark.add((int(x) + i, int(y)))
    assert dark, "an empty QR code"
    scale = 8
    rows = []
    for py in range(h * scale):
        my = y0 + py // scale
        rows.append(bytes(0 if (x0 + px // scale, my) in dark else 255
                          for px in range(w * scale)))
    out.write_bytes(f"P5 {w * scale} {h * scale} 255\n".encode() + b"".join(rows))


def test_enrolment_page_shows_a_qr_code_of_its_secret(staff_hotline, tmp_path):
    """The QR code (libqrencode, inline SVG: no script, no image request)
    decodes, with zbarimg, to the otpauth:// URI of the secret the same page
    shows as text; it is labelled for screen readers."""
    import html
    import shutil
    import subprocess
    zbarimg = shutil.which("zbarimg")
    assert zbarimg, "zbarimg missing: apt-get install zbar-tools (tools/packages.txt)"
    c = StaffClient(staff_hotline)
    c.login_as("analyst")
    page = c.get("/staff/account/totp")
    assert page.status == 200
    secret = field_value(page.body, "secret")
    svg = by_id(page.body, "totp-qr")
    assert svg is not None and svg.tag == "svg", "no QR code on the enrolment page"
    assert svg.attrs.get("role") == "img" and svg.attrs.get("aria-labelledby") == "totp-qr-title"
    assert element_text(page.body, "totp-qr-title").strip(), "the QR code has no label"
    import re
    d = re.search(r'<svg id="totp-qr".*?<path fill="#000" d="([^"]+)"', page.body, re.S).group(1)
    img = tmp_path / "qr.pgm"
    _qr_image(svg.attrs, d, img)
    p = subprocess.run([zbarimg, "--quiet", "--raw", "-Sdisable", "-Sqrcode.enable", str(img)],
                       capture_output=True, text=True, timeout=60)
    assert p.returncode == 0, f"zbarimg read no code: {p.stderr}"
    decoded = p.stdout.strip()
    link = html.unescape(by_id(page.body, "totp-uri").attrs["href"])
    assert decoded == link, (decoded, link)
    assert decoded.startswith("otpauth://totp/Hotline:analyst?") and f"secret={secret}&" in decoded
    # a fresh page: a fresh secret, a fresh code
    again = c.get("/staff/account/totp").body
    assert field_value(again, "secret") != secret
    assert re.search(r'<path fill="#000" d="([^"]+)"', again).group(1) != d
