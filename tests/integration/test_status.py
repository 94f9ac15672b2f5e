"""POST /status and /status/message: looking a report up by its receipt,
follow-up messages, wrong receipts and the slow-down of guessing."""
import datetime
import json
import re
import time
from datetime import timezone

from helpers import (ALMATY, File, bare, by_id, element_text, field_value,
                     find_all, group, has_id, marker, page_excerpt, random_bytes,
                     random_receipt, submit, typo)


def status(hl, receipt, lang="en", **kw):
    return hl.post_form("/status", {"receipt": receipt, "lang": lang}, **kw)


def expect_status_page(r, reg_no):
    assert r.status == 200, f"expected the status page, got {r.status}: {page_excerpt(r.body)}"
    assert element_text(r.body, "reg-no") == reg_no
    return r


def registered_at_almaty(hl, reg_no):
    (at,), = hl.query("SELECT registered_at FROM hotline.journal WHERE reg_no = %s", (reg_no,))
    return at.astimezone(timezone.utc).astimezone(ALMATY).strftime("%Y-%m-%d %H:%M")


def test_status_page(hotline):
    rec = submit(hotline)
    r = expect_status_page(status(hotline, rec.receipt), rec.reg_no)
    at = registered_at_almaty(hotline, rec.reg_no)
    [moment] = [n for n in by_id(r.body, "registered-at").iter() if n.tag == "time"]
    assert moment.attrs.get("datetime") == at
    shown = datetime.datetime.strptime(at, "%Y-%m-%d %H:%M")
    assert element_text(r.body, "registered-at") == \
        f"{shown.day} {shown:%b %Y, %H:%M} (Astana time)"
    ru = status(hotline, rec.receipt, lang="ru")
    assert element_text(ru.body, "registered-at") == f"{shown:%d.%m.%Y %H:%M} (по времени Астаны)"
    assert element_text(r.body, "state"), "state is empty"
    for sec in ("deadlines", "messages"):
        n = by_id(r.body, sec)
        assert n is not None and n.tag == "section", f"no <section id={sec}>"
    form = by_id(r.body, "followup")
    assert form is not None and form.tag == "form"
    assert form.attrs.get("method", "").lower() == "post"
    assert form.attrs.get("action") == "/status/message"
    assert form.attrs.get("enctype") == "multipart/form-data"
    assert bare(field_value(r.body, "receipt", within="followup") or "") == rec.digits
    assert field_value(r.body, "message", within="followup") is not None
    assert any(n.attrs.get("name") == "files" for n in form.iter())
    assert find_all(r.body, "article", "message") == []


def test_status_receipt_formats(hotline):
    rec = submit(hotline)
    d = rec.digits
    variants = [rec.receipt, d, "-".join(d[i:i + 4] for i in range(0, 28, 4)),
                "  " + d[:5] + " - " + d[5:17] + "   " + d[17:] + " "]
    for v in variants:
        expect_status_page(status(hotline, v), rec.reg_no)


def test_status_form_page(hotline):
    r = hotline.get("/status")
    assert r.status == 200
    form = by_id(r.body, "status")
    assert form is not None and form.tag == "form"
    assert form.attrs.get("method", "").lower() == "post"
    assert form.attrs.get("action") == "/status"
    assert field_value(r.body, "receipt", within="status") is not None


def test_followup_message(hotline, case_show):
    rec = submit(hotline)
    text = "Дополнение: сумма была 2 млн тенге. " + marker("msg")
    fdata = ("приложение " + marker("file")).encode() + random_bytes(3000)
    r = hotline.post_multipart("/status/message",
                               {"receipt": rec.receipt, "message": text, "lang": "en"},
                               [File("extra.pdf", fdata, "application/pdf")])
    # POST/redirect/GET: 303 to a page without the receipt in its address
    assert r.status == 303, page_excerpt(r.body)
    location = r.headers["Location"]
    assert location == "/status/sent?lang=en", location
    assert rec.digits not in location
    sent = hotline.get(location)
    assert sent.status == 200 and has_id(sent.body, "sent"), page_excerpt(sent.body)
    assert has_id(sent.body, "enter-again") and not has_id(sent.body, "closed-reader")
    assert rec.digits not in sent.body
    # a refresh of it posts nothing again
    assert hotline.get(location).status == 200

    # A later lookup shows the thread.
    r2 = expect_status_page(status(hotline, rec.digits), rec.reg_no)
    assert not has_id(r2.body, "sent")
    mine = [m for m in find_all(r2.body, "article", "message") if "from-reporter" in m.classes()]
    assert len(mine) == 1 and text in mine[0].clean_text()

    # One message row and one attachment row, nothing in clear.
    rows = hotline.query("""
        SELECT m.id, m.author, m.key_sealed, m.body_case, m.body_reporter
          FROM hotline.messages m JOIN hotline.cases c ON c.id = m.case_id
          JOIN hotline.journal j ON j.id = c.journal_id WHERE j.reg_no = %s""", (rec.reg_no,))
    assert len(rows) == 1, rows
    mid, author, *blobs = rows[0]
    assert author == "reporter"
    for b in blobs:
        assert text.encode() not in bytes(b)
        assert marker_part(text).encode() not in bytes(b)
    att = hotline.query("SELECT message_id, meta, data FROM hotline.attachments WHERE message_id = %s",
                        (mid,))
    assert len(att) == 1
    assert b"extra.pdf" not in bytes(att[0][1])
    assert fdata[:40] not in bytes(att[0][2])

    # The case handler can read it.
    case, p = case_show(hotline, rec.reg_no, custodian=False)
    assert text in json.dumps(case, ensure_ascii=False), f"message not in case show: {p.stdout}"


def marker_part(text):
    return re.search(r"msg[0-9a-f]{16}", text).group(0)


def test_followup_file_only_and_empty(hotline):
    rec = submit(hotline)
    r = hotline.post_multipart("/status/message", {"receipt": rec.receipt, "message": "", "lang": "en"},
                               [File("only.txt", b"just a file", "text/plain")])
    assert r.status == 303 and r.headers["Location"].startswith("/status/sent")
    empty = hotline.post_multipart("/status/message",
                                   {"receipt": rec.receipt, "message": "  ", "lang": "en"})
    assert empty.status == 400, page_excerpt(empty.body)
    assert has_id(empty.body, "error-message")
    n = hotline.query("SELECT count(*) FROM hotline.messages")[0][0]
    assert n == 1


def test_followup_with_bad_receipt(hotline):
    rec = submit(hotline)
    r = hotline.post_multipart("/status/message",
                               {"receipt": typo(rec.digits), "message": "hello", "lang": "en"})
    assert r.status == 400 and has_id(r.body, "error-receipt")
    r = hotline.post_multipart("/status/message",
                               {"receipt": random_receipt(), "message": "hello", "lang": "en"})
    assert r.status == 404 and has_id(r.body, "error-receipt")
    assert hotline.query("SELECT count(*) FROM hotline.messages")[0][0] == 0


def test_receipt_errors(hotline):
    rec = submit(hotline)
    cases = [
        (typo(rec.digits, 3), 400),            # one digit wrong: check digit fails
        (typo(rec.digits, 27), 400),           # the check digit itself wrong
        (rec.digits[:27], 400),                # 27 digits
        (rec.digits + "1", 400),               # 29 digits
        (rec.digits[:20] + "abcdefgh", 400),   # not digits
        ("", 400),
        (group(random_receipt()), 404),        # well-formed but unknown
    ]
    for receipt, code in cases:
        r = status(hotline, receipt)
        assert r.status == code, f"receipt {receipt!r}: expected {code}, got {r.status}: {page_excerpt(r.body)}"
        assert has_id(r.body, "error-receipt"), f"receipt {receipt!r}: no id=error-receipt"
        assert element_text(r.body, "reg-no") is None
    # Three of those were counted failures (typos and unknown), as many as
    # lookup_free_failures: look the real one up from another client
    # address so that this test does not depend on the slow-down.
    expect_status_page(status(hotline, rec.receipt, source_address=("127.0.0.2", 0)), rec.reg_no)


def timed_status(hl, receipt, source="127.0.0.1"):
    t = time.monotonic()
    r = status(hl, receipt, source_address=(source, 0))
    return r, time.monotonic() - t


def test_wrong_lookups_slow_down(make_hotline):
    hl = make_hotline(lookup_free_failures=3, lookup_max_delay=2)
    rec = submit(hl)
    wrong = [random_receipt() for _ in range(6)]

    free = []
    for w in wrong[:3]:
        r, dt = timed_status(hl, w)
        assert r.status == 404 and not has_id(r.body, "slowed")
        free.append(dt)
    base = max(free)
    assert base < 0.5, f"free lookups took {free}"

    # Beyond the free failures: 1 s, then doubled to 2 s, then capped at 2 s.
    r, dt = timed_status(hl, wrong[3])
    assert r.status == 404
    assert dt >= 0.95, f"4th wrong lookup not slowed: {dt:.2f} s"
    assert has_id(r.body, "slowed"), f"no id=slowed: {page_excerpt(r.body)}"
    r, dt = timed_status(hl, typo(rec.digits))
    assert r.status == 400 and has_id(r.body, "slowed")
    assert dt >= 1.95, f"5th wrong lookup not doubled: {dt:.2f} s"
    r, dt = timed_status(hl, wrong[4])
    assert r.status == 404 and has_id(r.body, "slowed")
    assert 1.95 <= dt < 3.5, f"6th wrong lookup not capped at lookup_max_delay=2: {dt:.2f} s"

    # Another client is not slowed down, with a correct receipt.
    r, dt = timed_status(hl, rec.receipt, source="127.0.0.2")
    expect_status_page(r, rec.reg_no)
    assert dt < 0.5, f"another client was delayed {dt:.2f} s"
    assert not has_id(r.body, "slowed")

    # The slowed client still gets its report, only later.
    r, dt = timed_status(hl, rec.receipt)
    expect_status_page(r, rec.reg_no)
    assert dt < 4.0
    assert hl.alive()
