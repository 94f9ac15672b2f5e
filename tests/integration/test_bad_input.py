"""Bad input to POST /report and unknown routes: the right status, the
right error element, the reporter's texts kept, nothing stored, and the
daemon still serving afterwards."""
import json

import pytest

from helpers import (File, element_text, expect_receipt, field_value, has_id, marker, multipart,
                     page_excerpt, post, post_streaming, random_bytes, report_fields,
                     send_and_close, submit, urlencode)


def count_cases(hl):
    return hl.query("SELECT count(*) FROM hotline.cases")[0][0]


def expect_form_error(r, field):
    assert r.status == 400, f"expected 400, got {r.status}: {page_excerpt(r.body)}"
    errors = element_text(r.body, "errors")
    assert errors is not None, "no id=errors"
    assert 'role="alert"' in r.body
    assert has_id(r.body, f"error-{field}"), f"no id=error-{field}: {page_excerpt(r.body)}"
    assert element_text(r.body, "receipt") is None
    assert has_id(r.body, "report"), "the form is not shown again"


def texts(**over):
    """Fields with distinctive texts (Cyrillic too) to find in the answer."""
    f = {"what": "Что случилось: " + marker("what"),
         "when_where": "Кеше, 3-қабат <b>&amp;</b> " + marker("ww"),
         "who": "Петров П.П. \"завскладом\" " + marker("who")}
    f.update(over)
    return report_fields(**f)


def assert_kept(r, fields, names):
    for n in names:
        got = field_value(r.body, n, within="report")
        assert got == fields[n], f"field {n} not kept: sent {fields[n]!r}, form shows {got!r}"


@pytest.mark.parametrize("encoding", ["urlencoded", "multipart"])
def test_missing_what(hotline, encoding):
    f = texts(what="")
    f["identity"] = "named"
    f["name"] = "Имя " + marker("n")
    f["email"] = marker("e") + "@example.kz"
    r = (hotline.post_form("/report", f) if encoding == "urlencoded"
         else hotline.post_multipart("/report", f))
    expect_form_error(r, "what")
    assert_kept(r, f, ["when_where", "who", "name", "email"])
    assert field_value(r.body, "category", within="report") == "corruption"
    assert not has_id(r.body, "error-category")
    assert count_cases(hotline) == 0


def test_whitespace_only_what_is_missing(hotline):
    r = hotline.post_form("/report", texts(what="   \r\n  "))
    expect_form_error(r, "what")


def test_missing_category(hotline):
    f = texts(category=None)
    r = hotline.post_form("/report", f)
    expect_form_error(r, "category")
    assert_kept(r, f, ["what", "when_where", "who"])
    assert not has_id(r.body, "error-what")
    r = hotline.post_form("/report", texts(category="bribery"))
    expect_form_error(r, "category")
    assert count_cases(hotline) == 0


def test_named_without_contact(hotline):
    f = texts(identity="named")
    r = hotline.post_form("/report", f)
    expect_form_error(r, "identity")
    assert_kept(r, f, ["what", "when_where", "who"])
    assert count_cases(hotline) == 0


def test_named_with_bad_email(hotline):
    f = texts(identity="named", email="not an address")
    r = hotline.post_form("/report", f)
    expect_form_error(r, "email")
    assert field_value(r.body, "email", within="report") == "not an address"
    assert count_cases(hotline) == 0


def test_several_errors_at_once(hotline):
    r = hotline.post_form("/report", texts(what="", category=None, identity="named"))
    expect_form_error(r, "what")
    assert has_id(r.body, "error-category") and has_id(r.body, "error-identity")


@pytest.mark.parametrize("field", ["what", "when_where", "who"])
def test_text_too_long(hotline, field):
    limit = hotline.limit("max_text_bytes")
    # Cyrillic: 2 bytes a letter, so fewer letters than the limit but more
    # bytes (the limit counts bytes).
    long_text = "ж" * (limit // 2 + 10)
    assert len(long_text) < limit < len(long_text.encode())
    r = hotline.post_form("/report", texts(**{field: long_text}))
    expect_form_error(r, field)
    assert count_cases(hotline) == 0
    # Exactly at the limit is fine.
    ok = "я" * (limit // 2)
    assert len(ok.encode()) == limit
    expect_receipt(hotline.post_form("/report", texts(**{field: ok})))


def expect_size_error(r):
    assert r.status == 413, f"expected 413, got {r.status}: {page_excerpt(r.body)}"
    assert has_id(r.body, "error-size"), f"no id=error-size: {page_excerpt(r.body)}"
    assert element_text(r.body, "receipt") is None


def test_body_over_limit_with_content_length(hotline):
    limit = hotline.limit("max_body_bytes")
    r, sent = post_streaming(hotline.url, "/report", "application/x-www-form-urlencoded",
                             limit + 512 * 1024)
    expect_size_error(r)
    assert count_cases(hotline) == 0


def test_body_over_limit_multipart_content_length(hotline):
    limit = hotline.limit("max_body_bytes")
    r, sent = post_streaming(hotline.url, "/report", "multipart/form-data; boundary=xyz",
                             limit + 1)
    expect_size_error(r)


def test_body_over_limit_chunked(hotline):
    limit = hotline.limit("max_body_bytes")
    r, sent = post_streaming(hotline.url, "/report", "application/x-www-form-urlencoded",
                             limit + 512 * 1024, chunked=True)
    expect_size_error(r)
    assert count_cases(hotline) == 0


def test_file_over_limit(hotline):
    limit = hotline.limit("max_file_bytes")
    r = hotline.post_multipart("/report", texts(), [File("big.bin", random_bytes(limit + 1))])
    expect_size_error(r)
    assert count_cases(hotline) == 0
    # Exactly at the limit is accepted.
    expect_receipt(hotline.post_multipart("/report", texts(),
                                          [File("exact.bin", random_bytes(limit))]))


def test_too_many_files(hotline):
    n = hotline.limit("max_files")
    files = [File(f"f{i}.txt", f"file {i}".encode(), "text/plain") for i in range(n + 1)]
    r = hotline.post_multipart("/report", texts(), files)
    expect_size_error(r)
    assert count_cases(hotline) == 0
    rec = expect_receipt(hotline.post_multipart("/report", texts(), files[:n]))
    assert hotline.query("""SELECT count(*) FROM hotline.attachments a JOIN hotline.cases c
                             ON c.id = a.case_id JOIN hotline.journal j ON j.id = c.journal_id
                            WHERE j.reg_no = %s""", (rec.reg_no,))[0][0] == n


def test_no_files_allowed(make_hotline):
    hl = make_hotline(max_files=0)
    r = hl.post_multipart("/report", texts(), [File("a.txt", b"a", "text/plain")])
    expect_size_error(r)
    expect_receipt(hl.post_multipart("/report", texts()))
    assert count_cases(hl) == 1


def test_size_page_states_limits(hotline):
    n = hotline.limit("max_files")
    files = [File(f"f{i}.txt", b"x") for i in range(n + 1)]
    r = hotline.post_multipart("/report", texts(), files)
    expect_size_error(r)
    text = element_text(r.body, "error-size") or ""
    whole = page_excerpt(r.body, 100000)
    assert str(n) in text or str(n) in whole, f"the 413 page does not state max_files={n}"


def test_form_shows_limits(hotline):
    r = hotline.get("/")
    limits = element_text(r.body, "limits")
    assert limits, "no id=limits on the form"
    assert str(hotline.limit("max_files")) in limits, limits
    assert "512" in limits, f"max_file_bytes (512K) not shown: {limits}"


@pytest.mark.parametrize("ctype,body", [
    ("text/plain", b"what=hello&category=corruption"),
    ("application/json", json.dumps({"what": "hello", "category": "corruption"}).encode()),
    ("application/xml", b"<what>hello</what>"),
])
def test_unsupported_content_type(hotline, ctype, body):
    r = post(hotline.url, "/report", body, ctype)
    assert r.status == 415, f"{ctype}: expected 415, got {r.status}"
    assert has_id(r.body, "error-type")
    assert count_cases(hotline) == 0


def test_no_content_type(hotline):
    r = hotline.request("POST", "/report", body=b"what=hello&category=corruption")
    assert r.status == 415, f"expected 415, got {r.status}"
    assert has_id(r.body, "error-type")


@pytest.mark.parametrize("encoding", ["urlencoded", "multipart"])
def test_invalid_utf8(hotline, encoding):
    secret = marker("echo")
    f = report_fields(what=b"bad \xff\xfe bytes \xc3\x28 " + secret.encode(),
                      who="Кто-то " + marker("who"))
    if encoding == "urlencoded":
        r = post(hotline.url, "/report", urlencode(f), "application/x-www-form-urlencoded")
    else:
        body, ctype = multipart(f)
        r = post(hotline.url, "/report", body, ctype)
    assert r.status == 400, f"expected 400, got {r.status}: {page_excerpt(r.body)}"
    assert has_id(r.body, "error-encoding")
    assert secret not in r.body, "invalid input echoed back"
    assert f["who"] not in r.body, "nothing may be echoed back after invalid UTF-8"
    r.raw.decode("utf-8")  # the page itself is valid UTF-8
    assert count_cases(hotline) == 0


def test_invalid_utf8_in_file_name_or_other_field(hotline):
    f = report_fields(when_where=b"\xed\xa0\x80 surrogate")  # CESU surrogate: not UTF-8
    r = post(hotline.url, "/report", urlencode(f), "application/x-www-form-urlencoded")
    assert r.status == 400 and has_id(r.body, "error-encoding")
    f = report_fields(what=b"overlong \xc0\xaf slash")
    r = post(hotline.url, "/report", urlencode(f), "application/x-www-form-urlencoded")
    assert r.status == 400 and has_id(r.body, "error-encoding")
    assert count_cases(hotline) == 0


def test_unknown_routes_and_methods(hotline):
    r = hotline.get("/nope")
    assert r.status == 404
    assert hotline.get("/report/../etc/passwd").status in (400, 404)
    for method, path in [("DELETE", "/"), ("PUT", "/report"), ("GET", "/report"),
                         ("POST", "/healthz"), ("DELETE", "/status"), ("PUT", "/status/message"),
                         ("POST", "/style.css")]:
        r = hotline.request(method, path, body=b"" if method != "GET" else None)
        assert r.status == 405, f"{method} {path}: expected 405, got {r.status}"


def test_hostile_bodies_leave_daemon_serving(hotline):
    bad = [
        ("multipart/form-data", b"--x\r\nContent-Disposition: form-data; name=\"what\"\r\n\r\nhi"),
        ("multipart/form-data; boundary=abc", b"--abc\r\nno headers end"),
        ("application/x-www-form-urlencoded", b"what=%zz&category=%"),
        ("application/x-www-form-urlencoded", b"&&&===&&"),
    ]
    for ctype, body in bad:
        r = post(hotline.url, "/report", body, ctype)
        assert 400 <= r.status < 500, f"{ctype} {body[:40]!r}: got {r.status}"
        assert element_text(r.body, "receipt") is None
    assert count_cases(hotline) == 0
    assert hotline.alive()
    assert hotline.get("/healthz").status == 200
    submit(hotline)


@pytest.mark.parametrize("part", [
    b'Content-Disposition: form-data\r\n\r\nno name\r\n',
    b'Content-Disposition: form-data; filename="a.txt"\r\nContent-Type: text/plain\r\n\r\nfile\r\n',
])
def test_multipart_part_without_name(hotline, part):
    """A part whose Content-Disposition has no name is ignored (or refused),
    never a crash."""
    boundary = b"----hotline-test-nameless"
    body = b"--" + boundary + b"\r\n" + part
    for name, value in report_fields().items():
        body += (b"--" + boundary + b'\r\nContent-Disposition: form-data; name="' + name.encode()
                 + b'"\r\n\r\n' + value.encode() + b"\r\n")
    body += b"--" + boundary + b"--\r\n"
    try:
        r = post(hotline.url, "/report", body, "multipart/form-data; boundary=" + boundary.decode())
        status = r.status
    except OSError as e:
        status = repr(e)
    assert hotline.alive(), f"hotlined died on a nameless multipart part (answer: {status})"
    assert status in (303, 400), status  # 303: registered, to the receipt page


def test_daemon_survives_everything(hotline):
    limit = hotline.limit("max_body_bytes")
    post_streaming(hotline.url, "/report", "application/x-www-form-urlencoded", limit * 2)
    # Clients that give up half-way: after the headers, inside the body.
    send_and_close(hotline.url, b"POST /report HTTP/1.1\r\nHost: x\r\nContent-Type: "
                   b"application/x-www-form-urlencoded\r\nContent-Length: 1000\r\n\r\nwhat=abc")
    send_and_close(hotline.url, b"POST /report HTTP/1.1\r\nHost: x\r\nContent-Type: "
                   b"multipart/form-data; boundary=b\r\nTransfer-Encoding: chunked\r\n\r\n"
                   b"40\r\n--b\r\nContent-Disposition: form-data; name=\"files\"; filename=\"a\"\r\n")
    send_and_close(hotline.url, b"GET / HTTP/1.1\r\nHost: x\r\n")
    send_and_close(hotline.url, b"\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03" + bytes(64))
    post(hotline.url, "/report", b"{}", "application/json")
    hotline.post_form("/report", {"what": "x"})
    hotline.request("DELETE", "/")
    assert hotline.alive()
    assert hotline.get("/healthz").status == 200
    rec = submit(hotline)
    assert rec.reg_no.endswith("-000001")
