"""The receipt cannot be lost by accident (issue 16, docs/http.md "The
receipt page"): a report is answered 303 to GET /receipt, which shows the
receipt kept in memory under a cookie (never in a URL) for
receipt_page_seconds; the page reloads, keeps itself across a language
switch, prints, and saves as a text file; and the /status form keeps a
wrong receipt as it was typed."""
import re
import time

from helpers import (RECEIPT_RE, bare, by_id, damm_valid, element_text, field_value,
                     group, html_lang, page_excerpt, random_receipt, report_fields, submit,
                     typo)

# po/*.po, the texts the tests read back
GONE = {"en": "For your safety the receipt is shown only for a short time",
        "ru": "В целях вашей безопасности квитанция показывается лишь короткое время"}
CODE = {"en": "Your receipt code", "ru": "Ваш код квитанции", "kk": "Сіздің түбіртек кодыңыз"}
STATUS_AT = {"en": "To check the status of your report and read replies, open {} and enter",
             "ru": "Чтобы узнать статус сообщения и прочитать ответы, откройте {} и введите"}
ZONE = {"en": "Astana time", "ru": "время Астаны", "kk": "Астана уақыты"}


def cookie_attrs(resp):
    """The receipt page's Set-Cookie, as {attribute (lower case): value}."""
    (line,) = [v for v in resp.headers.get_all("Set-Cookie") or [] if "receipt_page=" in v]
    parts = [p.strip() for p in line.split(";")]
    name, _, value = parts[0].partition("=")
    attrs = {"name": name, "value": value}
    for p in parts[1:]:
        k, _, v = p.partition("=")
        attrs[k.lower()] = v
    return attrs


def receipt_get(hl, rec, path="/receipt", lang=None):
    return hl.get(path + (f"?lang={lang}" if lang else ""), headers={"Cookie": rec.cookie})


def test_report_is_answered_303_and_the_receipt_stays_out_of_urls(hotline):
    r = hotline.post_form("/report", report_fields(lang="ru"))
    assert r.status == 303, page_excerpt(r.body)
    # no ?lang=: that would set the language cookie
    assert r.headers["Location"] == "/receipt"
    assert not any(v.startswith("lang=") for v in r.headers.get_all("Set-Cookie") or [])
    c = cookie_attrs(r)
    assert re.fullmatch(r"[0-9a-f]{68}", c["value"]), c
    assert c["path"] == "/receipt" and c["samesite"] == "Strict" and "httponly" in c, c
    assert c["max-age"] == "900", c
    rec = submit(hotline)  # expect_receipt: 303, GET, the receipt nowhere but on the page
    assert RECEIPT_RE.match(rec.receipt) and damm_valid(rec.digits)
    assert rec.resp.headers["Cache-Control"] == "no-store"
    # the page's receipt is the report's: the status page opens with it
    s = hotline.post_form("/status", {"receipt": rec.receipt, "lang": "en"})
    assert s.status == 200 and element_text(s.body, "reg-no") == rec.reg_no


def test_reload_and_language_switch_show_the_same_receipt(hotline):
    rec = submit(hotline, lang="ru")
    assert html_lang(rec.resp.body) == "ru"
    # the language links keep the receipt page
    links = {a.attrs["hreflang"]: a.attrs["href"] for a in by_id(rec.resp.body, "languages").iter()
             if a.tag == "a"}
    assert links == {"kk": "/receipt?lang=kk", "ru": "/receipt?lang=ru",
                     "en": "/receipt?lang=en"}, links
    for lang in ("kk", "en", "ru", None):  # a switch, another, back, a plain reload
        page = receipt_get(hotline, rec, lang=lang)
        assert page.status == 200, page_excerpt(page.body)
        assert element_text(page.body, "receipt") == rec.receipt
        assert element_text(page.body, "reg-no") == rec.reg_no
        assert html_lang(page.body) == (lang or "ru")
        assert CODE[lang or "ru"] in page.body
        assert ZONE[lang or "ru"] in element_text(page.body, "registered-at")
    # without ?lang= the page keeps the report's language, whatever the
    # cookie or the browser say (Back after a switch shows it as it was)
    page = hotline.get("/receipt", headers={"Cookie": rec.cookie + "; lang=kk",
                                            "Accept-Language": "en"})
    assert html_lang(page.body) == "ru" and element_text(page.body, "receipt") == rec.receipt
    # dd.mm.yyyy HH:MM in Russian
    assert re.fullmatch(r"\d{2}\.\d{2}\.\d{4} \d{2}:\d{2} \(время Астаны\)",
                        element_text(rec.resp.body, "registered-at"))


def test_without_the_cookie_there_is_no_receipt(hotline):
    rec = submit(hotline)
    for headers in ({}, {"Cookie": "receipt_page=" + "0" * 68},
                    {"Cookie": rec.cookie[:-1] + ("0" if rec.cookie[-1] != "0" else "1")}):
        r = hotline.get("/receipt?lang=en", headers=headers)
        assert r.status == 410, page_excerpt(r.body)
        assert GONE["en"] in element_text(r.body, "receipt-gone")
        assert by_id(r.body, "receipt") is None and rec.reg_no not in r.body
        assert cookie_attrs(r)["max-age"] == "0"
    # the right one still works
    assert receipt_get(hotline, rec).status == 200


def test_after_its_time_the_receipt_is_gone_with_a_clear_message(make_hotline):
    hl = make_hotline(receipt_page_seconds="2")
    rec = submit(hl, lang="ru")
    assert receipt_get(hl, rec).status == 200
    time.sleep(3.5)
    for path in ("/receipt", "/receipt/file"):
        r = receipt_get(hl, rec, path, lang="ru")
        assert r.status == 410, page_excerpt(r.body)
        assert GONE["ru"] in element_text(r.body, "receipt-gone")
        assert by_id(r.body, "receipt") is None and bare(rec.receipt) not in bare(r.body)
        assert cookie_attrs(r)["max-age"] == "0"
        assert html_lang(r.body) == "ru"
    # the status page still works with the receipt the reporter wrote down
    s = hl.post_form("/status", {"receipt": rec.receipt, "lang": "ru"})
    assert s.status == 200 and element_text(s.body, "reg-no") == rec.reg_no


def test_save_as_file(make_hotline):
    hl = make_hotline(public_url="https://hotline.example.kz/")
    rec = submit(hl, lang="ru")
    link = by_id(rec.resp.body, "save-file")
    assert link is not None and link.attrs["href"] == "/receipt/file?lang=ru"
    for lang in ("ru", "en"):
        f = receipt_get(hl, rec, "/receipt/file", lang=lang)
        assert f.status == 200, page_excerpt(f.body)
        assert f.headers["Content-Type"] == "text/plain; charset=utf-8"
        assert f.headers["Content-Disposition"] == \
            f'attachment; filename="receipt-{rec.reg_no}.txt"'
        assert f.headers["Cache-Control"] == "no-store"
        text = f.body
        assert f"{CODE[lang]}: {rec.receipt}\r\n" in text, text
        assert rec.reg_no in text
        assert STATUS_AT[lang].format("https://hotline.example.kz/status") in text, text
        assert ZONE[lang] in text
        assert "<" not in text  # a text, not a page
    # the page says the same
    assert STATUS_AT["ru"].format("https://hotline.example.kz/status") in \
        element_text(rec.resp.body, "status-at")


def test_printing_gives_the_receipt_alone(hotline):
    rec = submit(hotline)
    page = rec.resp.body
    links = re.findall(r"<link [^>]*>", page)
    assert '<link rel="stylesheet" href="/receipt/print.css" media="print">' in links
    css = hotline.get("/receipt/print.css")
    assert css.status == 200 and css.headers["Content-Type"] == "text/css; charset=utf-8"
    assert "@media print" in css.body and ".no-print{display:none" in css.body
    assert "header,footer" in css.body
    # what the paper keeps: number, date, receipt, how to check; the rest is screen only
    for ident in ("reg-no", "registered-at", "receipt", "status-at"):
        node = by_id(page, ident)
        while node is not None:
            assert "no-print" not in node.attrs.get("class", ""), ident
            node = node.parent
    for ident in ("keep", "shown-for"):
        assert "no-print" in by_id(page, ident).attrs.get("class", ""), ident


def test_receipt_routes_take_only_get(hotline):
    for path in ("/receipt", "/receipt/file", "/receipt/print.css"):
        r = hotline.request("POST", path, body=b"x=1",
                            headers={"Content-Type": "application/x-www-form-urlencoded"})
        assert r.status == 405 and r.headers["Allow"] == "GET", (path, r.status)


def test_no_receipt_or_token_in_the_log(hotline):
    rec = submit(hotline)
    receipt_get(hotline, rec, lang="kk")
    receipt_get(hotline, rec, "/receipt/file")
    hotline.get("/receipt")
    log = hotline.log()
    token = rec.cookie.split("=", 1)[1]
    assert bare(rec.receipt) not in re.sub(r"\D", "", log)
    assert rec.receipt not in log and token not in log
    assert "receipt page asked for, none kept" in log


def test_wrong_receipt_keeps_the_field(hotline):
    rec = submit(hotline)
    cases = [
        (group(typo(rec.digits)), 400, "typing error"),  # check digit
        (group(random_receipt()), 404, "No report has this receipt code"),  # unknown
        ("1234 5678 9012", 400, "A receipt code has 28 digits"),  # too short
        ("1234 5678 abcd <b>", 400, "A receipt code has 28 digits"),  # not digits
    ]
    for typed, code, says in cases:
        r = hotline.post_form("/status", {"receipt": typed, "lang": "en"})
        assert r.status == code, (typed, r.status, page_excerpt(r.body))
        assert field_value(r.body, "receipt", within="status") == typed
        field = by_id(r.body, "receipt")
        assert field.attrs.get("aria-invalid") == "true"
        assert field.attrs.get("aria-describedby") == "error-receipt"
        assert says in element_text(r.body, "error-receipt")
    # the first visit has no error and an empty field
    r = hotline.get("/status?lang=en")
    field = by_id(r.body, "receipt")
    assert field.attrs.get("value", "") == "" and "aria-invalid" not in field.attrs
