"""POST /report: the receipt page, the rows it leaves, and what an
authorised person can decrypt from them (`hotlinectl case show`)."""
import hashlib

from helpers import (RECEIPT_RE, REG_NO_RE, File, almaty_year, by_id, damm_valid, element_text,
                     expect_receipt, find_key, has_id, html_lang, marker, random_bytes,
                     report_fields, submit)

CASE_SQL = """
SELECT j.channel, j.year, j.seq, c.id, c.category, c.director_involved, c.anonymous,
       c.identity_sealed IS NULL, c.language, c.state
  FROM hotline.journal j JOIN hotline.cases c ON c.journal_id = j.id
 WHERE j.reg_no = %s"""

SECURITY_HEADERS = {
    "Content-Security-Policy": "default-src 'none'; style-src 'self'; img-src 'self'; "
                               "form-action 'self'; "
                               "frame-ancestors 'none'; base-uri 'none'",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "Cache-Control": "no-store",
}


def case_row(hl, reg_no):
    rows = hl.query(CASE_SQL, (reg_no,))
    assert len(rows) == 1, f"expected one journal+case row for {reg_no}, got {rows}"
    keys = ("channel", "year", "seq", "case_id", "category", "director_involved", "anonymous",
            "identity_null", "language", "state")
    return dict(zip(keys, rows[0]))


def check_receipt_shape(rec):
    assert RECEIPT_RE.match(rec.receipt), f"receipt not 7 groups of 4 digits: {rec.receipt!r}"
    assert damm_valid(rec.digits), f"receipt check digit wrong: {rec.receipt}"
    m = REG_NO_RE.match(rec.reg_no)
    assert m, f"reg-no not YYYY-NNNNNN: {rec.reg_no!r}"
    assert int(m.group(1)) == almaty_year()


def test_form_page(hotline):
    r = hotline.get("/")
    assert r.status == 200
    assert r.headers.get("Content-Type", "").startswith("text/html")
    assert "charset=utf-8" in r.headers.get("Content-Type", "").lower().replace(" ", "")
    form = by_id(r.body, "report")
    assert form is not None and form.tag == "form", "no <form id=report>"
    assert form.attrs.get("method", "").lower() == "post"
    assert form.attrs.get("action") == "/report"
    assert form.attrs.get("enctype") == "multipart/form-data"
    names = {n.attrs.get("name") for n in form.iter() if "name" in n.attrs}
    for f in ("what", "when_where", "who", "director_involved", "category", "identity", "name",
              "phone", "email", "address", "files", "lang"):
        assert f in names, f"form lacks field {f}"
    assert has_id(r.body, "languages")
    assert 'name="viewport"' in r.body


def every_kind_of_page(hl):
    """One answer of each kind: form, status form, receipt, status page,
    400, 404, 405, 413, 415."""
    rec = submit(hl)
    return [
        hl.get("/"), hl.get("/status"), rec.resp,
        hl.post_form("/status", {"receipt": rec.receipt}),
        hl.post_form("/report", report_fields(what="")),
        hl.post_form("/status", {"receipt": "123"}),
        hl.get("/nope"), hl.request("DELETE", "/"),
        hl.post_multipart("/report", report_fields(),
                          [File(f"{i}.txt", b"x") for i in range(hl.limit("max_files") + 1)]),
        hl.request("POST", "/report", b"{}", {"Content-Type": "application/json"}),
    ]


def test_security_headers_on_every_page(hotline):
    for r in every_kind_of_page(hotline):
        for k, v in SECURITY_HEADERS.items():
            assert r.headers.get(k) == v, f"{k} is {r.headers.get(k)!r} on a {r.status} page"
    css = hotline.get("/style.css")
    assert css.status == 200 and css.headers.get("Content-Type", "").startswith("text/css")


def test_every_page_is_a_whole_page(hotline):
    """lang, viewport, the language links and UTF-8 on every HTML answer."""
    for r in every_kind_of_page(hotline):
        assert r.headers.get("Content-Type", "").lower().replace(" ", "") == "text/html;charset=utf-8", \
            f"{r.status}: Content-Type {r.headers.get('Content-Type')}"
        r.raw.decode("utf-8")
        assert html_lang(r.body) in ("kk", "ru", "en"), f"{r.status} page without <html lang>"
        assert 'name="viewport"' in r.body, f"{r.status} page without a viewport meta tag"
        nav = by_id(r.body, "languages")
        assert nav is not None, f"{r.status} page without <nav id=languages>"
        hrefs = [a.attrs.get("href", "") for a in nav.iter() if a.tag == "a"]
        for code in ("kk", "ru", "en"):
            assert any(h.endswith(f"?lang={code}") for h in hrefs), f"{r.status}: no ?lang={code}"


def test_urlencoded_anonymous_report(hotline):
    # contact details with "anonymous" are dropped only when the reporter
    # answered so (test_anonymity.py): "anonymous_drop"
    rec = submit(hotline, category="gift", director_involved="yes", identity="anonymous_drop",
                 name="Should Be Ignored", phone="+77010000000")
    check_receipt_shape(rec)
    assert html_lang(rec.resp.body) == "en"
    row = case_row(hotline, rec.reg_no)
    assert row["channel"] == "web"
    assert row["category"] == "gift"
    assert row["director_involved"] == "yes"
    assert row["anonymous"] is True
    assert row["identity_null"] is True, "identity stored for an anonymous report"
    assert row["language"] == "en"
    assert row["state"] == "registered"
    assert rec.reg_no == f"{row['year']}-{row['seq']:06d}"
    # The receipt is stored only as a keyed hash.
    rows = hotline.query("SELECT receipt_hash FROM hotline.cases WHERE id = %s", (row["case_id"],))
    h = bytes(rows[0][0])
    assert len(h) == 32
    assert rec.digits.encode() not in h
    assert h != hashlib.sha256(rec.digits.encode()).digest()


def test_urlencoded_named_report(hotline):
    rec = submit(hotline, identity="named", name="Aigerim Example", phone="+7 701 123 45 67",
                 email="aigerim@example.kz", category="conflict_of_interest")
    check_receipt_shape(rec)
    row = case_row(hotline, rec.reg_no)
    assert row["channel"] == "web"
    assert row["category"] == "conflict_of_interest"
    assert row["anonymous"] is False
    assert row["identity_null"] is False, "no sealed identity for a named report"


def test_director_involved_defaults_to_unknown(hotline):
    rec = submit(hotline, director_involved=None, identity=None, category="other")
    row = case_row(hotline, rec.reg_no)
    assert row["director_involved"] == "unknown"
    assert row["anonymous"] is True and row["identity_null"] is True


def test_every_category_accepted(hotline):
    for cat in ("corruption", "conflict_of_interest", "gift", "unlawful_order", "other"):
        rec = submit(hotline, category=cat)
        assert case_row(hotline, rec.reg_no)["category"] == cat


def test_receipts_are_unique_and_numbers_follow(hotline):
    recs = [submit(hotline) for _ in range(3)]
    assert len({r.digits for r in recs}) == 3
    seqs = [int(r.reg_no.split("-")[1]) for r in recs]
    assert seqs == [1, 2, 3]


def test_multipart_report_with_files(hotline, case_show):
    text = "Бухгалтер просил откат 10%. Жемқорлық. " + marker("what")
    when_where = "2024-05-03, склад №2 " + marker("ww")
    who = "Иванов И.И., завхоз " + marker("who")
    name, phone, email = "Серікбаев Нұрлан " + marker("n"), "+7 777 555 12 34", marker("e") + "@mail.kz"
    doc = ("Договор №17\n" + marker("doc")).encode("utf-8")
    blob = random_bytes(200 * 1024)
    files = [File("договор.txt", doc, "text/plain"), File("photo.bin", blob, "application/octet-stream")]
    r = hotline.post_multipart("/report", report_fields(
        what=text, when_where=when_where, who=who, identity="named", name=name, phone=phone,
        email=email, category="unlawful_order", lang="ru"), files)
    rec = expect_receipt(r)
    check_receipt_shape(rec)
    row = case_row(hotline, rec.reg_no)
    assert row["anonymous"] is False and row["identity_null"] is False
    assert row["category"] == "unlawful_order"
    assert row["language"] == "ru"

    att = hotline.query("SELECT message_id, data FROM hotline.attachments WHERE case_id = %s",
                        (row["case_id"],))
    assert len(att) == 2, f"expected 2 attachments, got {len(att)}"
    assert all(m is None for m, _ in att), "report files must not belong to a message"
    stored = [bytes(d) for _, d in att]
    assert all(doc not in d for d in stored), "file stored in clear"
    assert all(blob[:4096] not in d for d in stored), "file stored in clear"

    case, p = case_show(hotline, rec.reg_no)
    assert find_key(case, "what") == text, p.stdout
    assert find_key(case, "when_where") == when_where, p.stdout
    assert find_key(case, "who") == who, p.stdout
    atts = find_key(case, "attachments")
    assert isinstance(atts, list) and len(atts) == 2, p.stdout
    got = {a.get("sha256"): a for a in atts}
    want = {hashlib.sha256(doc).hexdigest(): (files[0], len(doc)),
            hashlib.sha256(blob).hexdigest(): (files[1], len(blob))}
    assert set(got) == set(want), f"attachment digests differ: {p.stdout}"
    for digest, (f, size) in want.items():
        assert got[digest].get("name") == f.name
        assert got[digest].get("size") == size
        assert got[digest].get("type") == f.content_type
    ident = find_key(case, "identity")
    assert isinstance(ident, dict), f"no identity object with the custodian key: {p.stdout}"
    assert ident.get("name") == name
    assert ident.get("phone") == phone
    assert ident.get("email") == email
    assert reg_no_in(case, rec.reg_no), p.stdout

    # Without the custodian key the identity stays sealed.
    case2, p2 = case_show(hotline, rec.reg_no, custodian=False)
    assert find_key(case2, "what") == text
    assert name not in p2.stdout and email not in p2.stdout and phone not in p2.stdout


def reg_no_in(obj, reg_no):
    return find_key(obj, "reg_no") == reg_no


def test_anonymous_multipart_case_show_has_no_identity(hotline, case_show):
    name = "Ignored Person " + marker("n")
    rec = submit(hotline, as_multipart=True, identity="anonymous_drop", name=name,
                 email="ignored@example.kz")
    case, p = case_show(hotline, rec.reg_no)
    assert name not in p.stdout
    assert "ignored@example.kz" not in p.stdout
    ident = find_key(case, "identity")
    assert not ident, f"anonymous case shows an identity: {p.stdout}"
    assert find_key(case, "attachments") in ([], None)


def test_healthz(hotline):
    r = hotline.get("/healthz")
    assert r.status == 200
    assert r.body.strip() == "ok"
    assert r.headers.get("Content-Type", "").startswith("text/plain")


def test_get_report_is_405_without_receipt(hotline):
    r = hotline.get("/report")
    assert r.status == 405
    assert element_text(r.body, "receipt") is None
