"""Language choice: ?lang=, the lang cookie, Accept-Language, the default,
and the hidden lang field of forms, which wins for POSTs."""
import pytest

from helpers import by_id, expect_receipt, field_value, html_lang, report_fields


@pytest.mark.parametrize("header,lang", [
    ("kk", "kk"),
    ("kk-KZ,kk;q=0.9,ru;q=0.8", "kk"),
    ("en-US,en;q=0.9", "en"),
    ("ru-RU", "ru"),
    ("de-DE,de;q=0.9", "ru"),            # nothing we speak: default_language
    ("ru;q=0.2, en;q=0.8", "en"),        # q-values honoured
    ("fr, kk;q=0.5, en;q=0.4", "kk"),
])
def test_accept_language(hotline, header, lang):
    r = hotline.get("/", headers={"Accept-Language": header})
    assert r.status == 200
    assert html_lang(r.body) == lang, f"Accept-Language {header!r}: page lang {html_lang(r.body)}"
    assert field_value(r.body, "lang", within="report") == lang


def test_default_language(make_hotline):
    assert html_lang(make_hotline().get("/").body) == "ru"
    assert html_lang(make_hotline(default_language="kk").get("/").body) == "kk"


def test_lang_parameter_sets_cookie(hotline):
    r = hotline.get("/?lang=en", headers={"Accept-Language": "kk"})
    assert r.status == 200
    assert html_lang(r.body) == "en"
    cookie = r.headers.get("Set-Cookie") or ""
    parts = [p.strip() for p in cookie.split(";")]
    assert parts[0] == "lang=en", cookie
    attrs = {p.split("=")[0].lower(): (p.split("=", 1)[1] if "=" in p else True) for p in parts[1:]}
    assert attrs.get("path") == "/", cookie
    # a session cookie: a shared device keeps no trace of the language
    # once the browser is closed (issue 16)
    assert "max-age" not in attrs and "expires" not in attrs, cookie
    assert str(attrs.get("samesite", "")).lower() == "lax", cookie
    assert attrs.get("httponly") is True, cookie

    # The cookie wins over Accept-Language on later pages.
    r = hotline.get("/status", headers={"Cookie": "lang=en", "Accept-Language": "kk"})
    assert html_lang(r.body) == "en"
    # ?lang= wins over the cookie.
    r = hotline.get("/status?lang=kk", headers={"Cookie": "lang=en"})
    assert html_lang(r.body) == "kk"
    assert "lang=kk" in (r.headers.get("Set-Cookie") or "")


def test_bad_lang_values_are_ignored(hotline):
    r = hotline.get("/?lang=xx", headers={"Accept-Language": "en"})
    assert r.status == 200 and html_lang(r.body) == "en"
    assert "lang=xx" not in (r.headers.get("Set-Cookie") or "")
    r = hotline.get("/", headers={"Cookie": "lang=<script>", "Accept-Language": "kk"})
    assert r.status == 200 and html_lang(r.body) == "kk"


def test_language_links(hotline):
    r = hotline.get("/")
    nav = by_id(r.body, "languages")
    assert nav is not None and nav.tag == "nav"
    hrefs = {a.attrs.get("href", "") for a in nav.iter() if a.tag == "a"}
    for code in ("kk", "ru", "en"):
        assert any(h.endswith(f"?lang={code}") for h in hrefs), f"no ?lang={code} link: {hrefs}"


def test_pages_differ_by_language(hotline):
    bodies = {c: hotline.get(f"/?lang={c}").body for c in ("kk", "ru", "en")}
    assert bodies["kk"] != bodies["ru"] != bodies["en"] != bodies["kk"]
    assert "Report corruption confidentially" in bodies["en"]
    # Russian and Kazakh pages are in Cyrillic.
    for c in ("kk", "ru"):
        assert any("\u0400" <= ch <= "\u04ff" for ch in by_id(bodies[c], "report").text()), c


@pytest.mark.parametrize("lang", ["kk", "ru", "en"])
def test_receipt_page_in_form_language(hotline, lang):
    r = hotline.post_form("/report", report_fields(lang=lang),
                          headers={"Cookie": "lang=en" if lang != "en" else "lang=kk",
                                   "Accept-Language": "ru" if lang != "ru" else "kk"})
    rec = expect_receipt(r)
    assert html_lang(rec.resp.body) == lang
    (stored,), = hotline.query("""SELECT c.language FROM hotline.cases c
                                   JOIN hotline.journal j ON j.id = c.journal_id
                                  WHERE j.reg_no = %s""", (rec.reg_no,))
    assert stored == lang


def test_error_page_in_form_language(hotline):
    r = hotline.post_form("/report", report_fields(what="", lang="kk"),
                          headers={"Accept-Language": "en"})
    assert r.status == 400 and html_lang(r.body) == "kk"
    assert field_value(r.body, "lang", within="report") == "kk"
