"""The organisation's face and the trust page (docs/http.md, "The trust
page"), and the administrator's settings page that edits them
(docs/staff.md, "Settings"): admin only, clear errors tied to their fields,
every change audited by key (never the value), the notice addresses saved
there are the ones the mailer sends to, the public pages show the settings
or the defaults, and the logo is served with the type of its bytes."""
import struct
import time
import zlib

from helpers import File, by_id, element_text, get, submit
from smtp_fixture import wait_until
from staff_fixture import StaffClient, audit_rows


def admin(hl):
    c = StaffClient(hl)
    c.login_as("admin")
    return c


def png(width=4, height=2):
    """A small valid PNG."""
    def chunk(kind, data):
        return (struct.pack(">I", len(data)) + kind + data
                + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF))
    raw = b"".join(b"\x00" + b"\x30\x60\x90" * width for _ in range(height))
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(raw)) + chunk(b"IEND", b""))


def trust(hl, lang="ru", path="/trust"):
    r = get(hl.url, f"{path}?lang={lang}")
    assert r.status == 200, r.body[:300]
    return r


def test_defaults_when_nothing_is_set(hotline):
    hl = hotline
    for lang, hours, advice, kept in (
            ("ru", "По рабочим дням", "мобильный интернет", "Ничего не удаляется автоматически"),
            ("kk", "Жұмыс күндері", "мобильді интернетке", "Ештеңе автоматты түрде жойылмайды"),
            ("en", "Working days", "mobile data", "Nothing is deleted automatically")):
        r = trust(hl, lang)
        assert by_id(r.body, "safety") is not None and advice in element_text(r.body, "safety")
        assert kept in element_text(r.body, "privacy")
        # no number is made up: the hours go with a number, the form is always open
        assert by_id(r.body, "trust-phone") is None and by_id(r.body, "trust-email") is None
        assert hours not in r.body
        assert by_id(r.body, "trust-web") is not None
        assert by_id(r.body, "org-name") is None
    # /about and /privacy are the same page, not 404
    for path in ("/about", "/privacy"):
        r = trust(hl, "en", path)
        assert by_id(r.body, "privacy") is not None
        assert f'href="{path}?lang=kk"' in r.body
    assert get(hl.url, "/logo").status == 404


def test_the_link_is_on_every_public_page(hotline):
    hl = hotline
    pages = [get(hl.url, "/"), get(hl.url, "/status"), get(hl.url, "/trust"),
             get(hl.url, "/no-such-page")]
    assert pages[-1].status == 404
    for r in pages:
        link = by_id(r.body, "trust-link")
        assert link is not None and link.attrs.get("href") == "/trust", r.body[:300]


def test_only_the_administrator_opens_the_settings(staff_hotline):
    hl = staff_hotline
    for login in ("compliance", "operator", "director"):
        c = StaffClient(hl)
        c.login_as(login)
        assert c.get("/staff/admin/settings").status == 403
        assert c.post("/staff/admin/settings", {"organisation": "Hijack"}).status == 403
        assert c.post("/staff/admin/settings/logo", {"remove": "1"}).status == 403
    assert hl.query("SELECT count(*) FROM hotline.settings WHERE key = 'organisation'") == [(0,)]
    a = admin(hl)
    r = a.get("/staff/admin/settings")
    assert r.status == 200 and by_id(r.body, "set-organisation") is not None
    assert 'href="/staff/admin/settings"' in a.get("/staff/").body


def test_settings_saved_shown_and_audited(staff_hotline):
    hl = staff_hotline
    a = admin(hl)
    a.get("/staff/admin/settings")
    fields = {"organisation": "ТОО «Ромашка» <test>", "trust_phone": "+7 (7172) 55-01-02",
              "trust_email": "trust@romashka.kz", "trust_hours_ru": "Пн–Пт, 10:00–17:00",
              "trust_hours_kk": "", "trust_hours_en": "",
              "trust_safety_ru": "Свой совет\nвторая строка", "trust_safety_kk": "",
              "trust_safety_en": "", "trust_privacy_ru": "", "trust_privacy_kk": "Өз мәтініміз",
              "trust_privacy_en": "",
              "compliance_email": "compliance@romashka.kz", "director_email": "",
              "alternate_email": ""}
    r = a.post("/staff/admin/settings", fields)
    assert r.status == 200 and by_id(r.body, "done") is not None, r.body[:1500]
    assert dict(hl.query("SELECT key, value FROM hotline.settings WHERE key <> "
                         "'consider_anonymous_reports'")) == {
        k: v for k, v in fields.items() if v}
    rows = [(x["action"], x["object"]) for x in audit_rows(hl) if x["login"] == "admin"]
    set_keys = sorted(o for act, o in rows if act == "admin.settings.set")
    assert set_keys == sorted(k for k, v in fields.items() if v)
    # the audit names keys, never a value
    assert not any("Ромашка" in o or "romashka" in o for _, o in rows)
    # saving the same again changes nothing and writes no row
    n = len(audit_rows(hl))
    assert a.post("/staff/admin/settings", fields).status == 200
    assert len(audit_rows(hl)) == n
    # the public pages show them
    r = trust(hl, "ru")
    assert element_text(r.body, "trust-org") == "ТОО «Ромашка» <test>"
    assert "<test>" not in r.body  # escaped
    assert element_text(r.body, "trust-phone") == "+7 (7172) 55-01-02"
    assert 'href="tel:+77172550102"' in r.body
    assert element_text(r.body, "trust-hours") == "Пн–Пт, 10:00–17:00"
    assert element_text(r.body, "trust-email") == "trust@romashka.kz"
    assert element_text(r.body, "safety-text") == "Свой совет вторая строка"
    assert "Свой совет\nвторая строка" in r.body  # its lines kept (white-space: pre-line)
    assert "мобильный интернет" not in r.body
    assert "Ничего не удаляется" in element_text(r.body, "privacy")  # ru privacy default
    assert element_text(r.body, "org-name") == "ТОО «Ромашка» <test>"
    k = trust(hl, "kk")
    assert element_text(k.body, "privacy-text") == "Өз мәтініміз"
    assert element_text(k.body, "trust-hours").startswith("Жұмыс күндері")  # kk default
    # the header of the other pages follows (the cache was refreshed by /trust)
    assert element_text(get(hl.url, "/?lang=ru").body, "org-name") == "ТОО «Ромашка» <test>"
    # emptied: removed, audited as cleared, the defaults come back
    fields["trust_safety_ru"] = ""
    assert a.post("/staff/admin/settings", fields).status == 200
    assert ("admin.settings.clear", "trust_safety_ru") in [
        (x["action"], x["object"]) for x in audit_rows(hl)]
    assert "мобильный интернет" in element_text(trust(hl, "ru").body, "safety")


def test_errors_are_clear_and_nothing_is_saved(staff_hotline):
    hl = staff_hotline
    a = admin(hl)
    a.get("/staff/admin/settings")
    r = a.post("/staff/admin/settings", {
        "organisation": "Ok name", "trust_phone": "call me", "trust_email": "not an address",
        "compliance_email": "two@a.kz, three@b.kz", "trust_hours_ru": "line one\nline two",
        "trust_safety_en": "x" * 8001})
    assert r.status == 400
    for key in ("trust_phone", "trust_email", "compliance_email", "trust_hours_ru",
                "trust_safety_en"):
        field = by_id(r.body, f"set-{key}")
        assert field.attrs.get("aria-invalid") == "true", key
        assert f"err-{key}" in field.attrs.get("aria-describedby", ""), key
        assert element_text(r.body, f"err-{key}"), key
        assert f'href="#set-{key}"' in r.body, key  # linked from the summary
    assert "8000" in element_text(r.body, "err-trust_safety_en")
    assert "name@example.kz" in element_text(r.body, "err-compliance_email")
    # what was typed comes back
    assert by_id(r.body, "set-trust_phone").attrs.get("value") == "call me"
    assert by_id(r.body, "set-organisation").attrs.get("value") == "Ok name"
    assert hl.query("SELECT count(*) FROM hotline.settings WHERE key <> "
                    "'consider_anonymous_reports'") == [(0,)]
    assert not [x for x in audit_rows(hl) if x["action"].startswith("admin.settings")]


def test_logo_uploaded_served_with_its_type_and_removed(staff_hotline):
    hl = staff_hotline
    a = admin(hl)
    a.get("/staff/admin/settings")
    image = png()
    # the browser's claimed type is not trusted: the bytes say PNG
    r = a.post("/staff/admin/settings/logo", {}, files=[
        File("logo.bin", image, "application/octet-stream", "logo")])
    assert r.status == 200 and by_id(r.body, "done") is not None, element_text(r.body, "err-logo")
    assert ("admin.logo.set", "image/png") in [(x["action"], x["object"]) for x in audit_rows(hl)]
    page = trust(hl, "kk")
    logo = by_id(page.body, "logo")
    assert logo is not None and logo.attrs["src"].startswith("/logo?v=")
    r = get(hl.url, logo.attrs["src"])
    assert r.status == 200 and r.raw == image
    assert r.headers["Content-Type"] == "image/png"
    assert r.headers["X-Content-Type-Options"] == "nosniff"
    assert "immutable" in r.headers["Cache-Control"]
    # another address of it is not kept: it would outlive a new logo
    r = get(hl.url, "/logo")
    assert r.raw == image and r.headers["Cache-Control"] == "no-store"
    assert "img-src 'self'" in get(hl.url, "/").headers["Content-Security-Policy"]
    # not an image, too large, no file: refused with a clear message
    for files, err in (([File("x.svg", b"<svg onload=alert(1)>", "image/svg+xml", "logo")], "PNG"),
                       ([File("big.png", image + b"\0" * (256 * 1024), "image/png", "logo")], "256"),
                       ([], None)):
        r = a.post("/staff/admin/settings/logo", {"x": "1"}, files=files or None)
        assert r.status == 400, r.body[:500]
        assert element_text(r.body, "err-logo"), r.body[:500]
        if err:
            assert err in element_text(r.body, "err-logo")
    assert get(hl.url, logo.attrs["src"]).raw == image
    r = a.post("/staff/admin/settings/logo", {"remove": "1"})
    assert r.status == 200 and by_id(r.body, "logo-remove") is None
    assert ("admin.logo.clear", "") in [(x["action"], x["object"]) for x in audit_rows(hl)]
    assert by_id(trust(hl, "ru").body, "logo") is None
    assert get(hl.url, "/logo").status == 404


def test_notice_addresses_set_in_the_browser_are_the_mailers(make_staff_hotline, smtp_sink):
    sink = smtp_sink()
    # a scan each second: with the default minute, the notice came only when
    # the first scan (a second after start) happened to follow the report
    hl = make_staff_hotline(**sink.hotline_config(deadline_scan_interval=1))
    a = admin(hl)
    a.get("/staff/admin/settings")
    r = a.post("/staff/admin/settings", {"compliance_email": "cm@browser.example.kz",
                                         "director_email": "dir@browser.example.kz"})
    assert r.status == 200, r.body[:500]
    submit(hl)
    wait_until(lambda: sink.messages(), 20, "the registered notice")
    time.sleep(0.5)
    assert {m.meta["rcpt_tos"][0] for m in sink.messages()} == {"cm@browser.example.kz"}
    # a key the form did not send stays as it was
    assert dict(hl.query("SELECT key, value FROM hotline.settings WHERE key LIKE '%email'")) == {
        "compliance_email": "cm@browser.example.kz", "director_email": "dir@browser.example.kz"}


def test_hotlinectl_refuses_what_the_page_refuses(hotline):
    from test_procedure import ctl
    hl = hotline
    for key, value in (("compliance_email", "a@b.kz, c@d.kz"), ("trust_phone", "call me"),
                       ("organisation", "two\nlines"), ("trust_safety_kk", "x" * 8001)):
        p = ctl(hl, "settings", "set", key, value, ok=False)
        assert p.returncode == 2 and key in p.stderr, (key, p.stderr)
    assert hl.query("SELECT count(*) FROM hotline.settings WHERE key <> "
                    "'consider_anonymous_reports'") == [(0,)]
    assert ctl(hl, "settings", "set", "trust_phone", "+7 700 000 00 00").returncode == 0
    assert element_text(trust(hl, "en").body, "trust-phone") == "+7 700 000 00 00"
