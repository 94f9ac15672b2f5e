"""Files kept across a returned report form (issue 16; docs/http.md "Files
kept across a returned form", intake/keep.h).

A report form refused for an error (a missing field, a text too long, a
bad e-mail address, the anonymity question) keeps the files that came with
it, encrypted in the upload spool, under a one-time token in the hidden
field "kept"; the page lists them ("kept: name, size") with a box to
remove each; the corrected form registers one appeal with them, and their
stored attachments decrypt to the bytes sent. A token works once, only on
/report, and not after kept_files_seconds: then the files are deleted and
the reporter is told to attach them again. The returned form ties each
error to its field (aria-invalid, aria-describedby) and links it from the
summary; the identity fields carry autocomplete="off"."""
import hashlib
import os
import time

from helpers import (File, by_id, element_text, expect_receipt, field_value, find_all, marker,
                     page_excerpt, parse_html, random_bytes, report_fields, submit)
from test_report import find_key
from test_spool import assert_spool_empty, spool_fds


def count_cases(hl):
    return hl.query("SELECT count(*) FROM hotline.cases")[0][0]


def refused_with_files(hl, files, **over):
    """Posts a report with "what" missing and files: 400, files kept."""
    fields = report_fields(what="", **over)
    r = hl.post_multipart("/report", fields, files)
    assert r.status == 400, page_excerpt(r.body)
    assert by_id(r.body, "error-what") is not None
    return r


def kept_token(body):
    token = field_value(body, "kept", within="report")
    assert token and len(token) == 96 and all(c in "0123456789abcdef" for c in token), token
    return token


def kept_names(body):
    kept = by_id(body, "kept")
    if kept is None:
        return []
    return [n.clean_text() for n in find_all(kept, "span", "kept-name")]


def attachments(case_show, hl, reg_no):
    case, p = case_show(hl, reg_no, custodian=False)
    atts = find_key(case, "attachments") or []
    return {a.get("sha256"): a for a in atts}, p


def sha(b):
    return hashlib.sha256(b).hexdigest()


def test_files_survive_a_returned_form(hotline, case_show):
    hl = hotline
    doc = ("Акт сверки №5\n" + marker("doc")).encode()
    blob = random_bytes(200 * 1024)
    r = refused_with_files(hl, [File("акт.txt", doc, "text/plain"),
                                File("photo.jpg", blob, "image/jpeg")], lang="ru")
    # the page says the files are kept, lists them with their sizes, and
    # does not ask for them again
    assert by_id(r.body, "files-again") is None
    assert "Приложенные файлы сохранены" in element_text(r.body, "files-kept")
    assert kept_names(r.body) == ["акт.txt", "photo.jpg"]
    assert "200 КБ" in element_text(r.body, "kept-1")
    token = kept_token(r.body)
    assert count_cases(hl) == 0

    # kept in the spool, encrypted: no marker, no bytes of the file in clear
    fds = spool_fds(hl)
    assert len(fds) == 2, fds
    for fd, _ in fds:
        with open(f"/proc/{hl.pid}/fd/{fd}", "rb") as fh:
            data = fh.read()
        assert marker("doc").encode() not in data and blob[:4096] not in data
    assert os.listdir(hl.spool_dir) == [], "a kept file has a name"

    # corrected, with one more file: one appeal with all three
    extra = ("Дополнение " + marker("extra")).encode()
    rec = expect_receipt(hl.post_multipart(
        "/report", report_fields(kept=token, lang="ru"), [File("ещё.txt", extra, "text/plain")]))
    assert count_cases(hl) == 1
    got, p = attachments(case_show, hl, rec.reg_no)
    assert set(got) == {sha(doc), sha(blob), sha(extra)}, p.stdout
    assert got[sha(doc)]["name"] == "акт.txt" and got[sha(doc)]["size"] == len(doc)
    assert got[sha(blob)]["name"] == "photo.jpg" and got[sha(blob)]["type"] == "image/jpeg"
    assert_spool_empty(hl)
    stored = [bytes(d) for (d,) in hl.query("SELECT data FROM hotline.attachments")]
    assert len(stored) == 3 and all(doc not in d and blob[:4096] not in d for d in stored)


def test_kept_files_decrypt_to_the_bytes_sent(hotline, case_show):
    """The stored attachment, decrypted with the case key (`hotlinectl case
    show` digests the plaintext it decrypts), is the file byte for byte."""
    hl = hotline
    blob = random_bytes(70 * 1024 + 3)
    r = refused_with_files(hl, [File("scan.bin", blob, "application/octet-stream")])
    rec = expect_receipt(hl.post_multipart("/report", report_fields(kept=kept_token(r.body))))
    got, p = attachments(case_show, hl, rec.reg_no)
    assert list(got) == [sha(blob)], p.stdout
    assert got[sha(blob)]["size"] == len(blob) and got[sha(blob)]["name"] == "scan.bin"


def test_token_works_once(hotline, case_show):
    hl = hotline
    doc = b"one-time " + marker("d").encode()
    r = refused_with_files(hl, [File("a.txt", doc, "text/plain")], lang="en")
    token = kept_token(r.body)
    rec = expect_receipt(hl.post_multipart("/report", report_fields(kept=token)))
    # the same token again (a second tab, Back and send): refused, told plainly
    again = hl.post_multipart("/report", report_fields(kept=token))
    assert again.status == 400, page_excerpt(again.body)
    assert "no longer here" in element_text(again.body, "error-files")
    assert by_id(again.body, "files-again") is not None
    assert count_cases(hl) == 1
    got, p = attachments(case_show, hl, rec.reg_no)
    assert set(got) == {sha(doc)}, p.stdout
    # a forged token is no better
    forged = hl.post_multipart("/report", report_fields(kept="0" * 96))
    assert forged.status == 400 and by_id(forged.body, "error-files") is not None
    assert count_cases(hl) == 1


def test_token_is_not_taken_by_another_form(hotline, case_show):
    """The status page's message form ignores "kept": its files are not
    attached there, and the token still serves its own form."""
    hl = hotline
    other = submit(hl)
    doc = b"for the report only " + marker("d").encode()
    r = refused_with_files(hl, [File("a.txt", doc, "text/plain")])
    token = kept_token(r.body)
    m = hl.post_multipart("/status/message", {"receipt": other.receipt, "message": "More.",
                                              "lang": "en", "kept": token})
    assert m.status == 303, page_excerpt(m.body)
    rows = hl.query("SELECT count(*) FROM hotline.attachments")
    assert rows[0][0] == 0, "the kept file went with another form"
    rec = expect_receipt(hl.post_multipart("/report", report_fields(kept=token)))
    got, p = attachments(case_show, hl, rec.reg_no)
    assert set(got) == {sha(doc)}, p.stdout


def test_a_kept_file_can_be_removed(hotline, case_show):
    hl = hotline
    a, b = b"keep me " + marker("a").encode(), b"drop me " + marker("b").encode()
    r = refused_with_files(hl, [File("a.txt", a, "text/plain"), File("b.txt", b, "text/plain")])
    assert kept_names(r.body) == ["a.txt", "b.txt"]
    box = [n for n in parse_html(r.body).iter() if n.attrs.get("name") == "drop-1"]
    assert box and box[0].attrs.get("type") == "checkbox"
    # removed and refused again: the page keeps only the other, new token
    r2 = hl.post_multipart("/report", report_fields(what="", kept=kept_token(r.body),
                                                    **{"drop-1": "1"}))
    assert r2.status == 400
    assert kept_names(r2.body) == ["a.txt"]
    assert len(spool_fds(hl)) == 1
    rec = expect_receipt(hl.post_multipart("/report", report_fields(kept=kept_token(r2.body))))
    got, p = attachments(case_show, hl, rec.reg_no)
    assert set(got) == {sha(a)}, p.stdout


def test_kept_files_expire_and_are_deleted(make_hotline):
    hl = make_hotline(kept_files_seconds="2")
    r = refused_with_files(hl, [File("a.txt", b"expires " + marker("x").encode(), "text/plain")])
    token = kept_token(r.body)
    assert len(spool_fds(hl)) == 1
    time.sleep(2.2)
    assert_spool_empty(hl, timeout=5)
    late = hl.post_multipart("/report", report_fields(kept=token, lang="ru"))
    assert late.status == 400, page_excerpt(late.body)
    assert "приложите их снова" in element_text(late.body, "files-again")
    assert count_cases(hl) == 0


def test_kept_and_new_files_together_within_the_limits(hotline, case_show):
    hl = hotline
    n = hotline.limit("max_files")
    first = [File(f"k{i}.txt", f"kept {i}".encode(), "text/plain") for i in range(n)]
    r = refused_with_files(hl, first)
    more = File("new.txt", b"one too many", "text/plain")
    r2 = hl.post_multipart("/report", report_fields(kept=kept_token(r.body)), [more])
    assert r2.status == 400, page_excerpt(r2.body)
    assert str(n) in element_text(r2.body, "error-files")
    assert kept_names(r2.body) == [f.name for f in first] + ["new.txt"]
    assert count_cases(hl) == 0
    r3 = hl.post_multipart("/report", report_fields(kept=kept_token(r2.body), **{"drop-0": "1"}))
    rec = expect_receipt(r3)
    got, p = attachments(case_show, hl, rec.reg_no)
    assert len(got) == n and sha(b"kept 0") not in got and sha(b"one too many") in got, p.stdout


def test_errors_are_tied_to_their_fields(hotline):
    r = hotline.post_form("/report", report_fields(what="", category=None, identity="named",
                                                   lang="kk"))
    assert r.status == 400
    page = parse_html(r.body)
    summary = by_id(page, "errors")
    links = [a.attrs.get("href") for a in summary.iter() if a.tag == "a"]
    assert links == ["#what", "#category", "#name"], links
    for href in links:
        field = by_id(page, href[1:])
        assert field is not None, href
        assert field.attrs.get("aria-invalid") == "true", href
        described = field.attrs.get("aria-describedby", "").split()
        assert described and all(by_id(page, d) is not None for d in described), href
        assert any(d.startswith("error-") for d in described)
    # every contact field is part of "give at least one way to reach you"
    for name in ("phone", "email", "address"):
        assert by_id(page, name).attrs.get("aria-describedby") == "error-identity", name
    # fields without an error are not marked
    assert "aria-invalid" not in by_id(page, "who").attrs
    # a bad e-mail address: the e-mail field alone
    r = hotline.post_form("/report", report_fields(identity="named", email="not an address"))
    page = parse_html(r.body)
    assert [a.attrs.get("href") for a in by_id(page, "errors").iter() if a.tag == "a"] == ["#email"]
    assert by_id(page, "email").attrs.get("aria-describedby") == "error-email"
    assert "aria-invalid" not in by_id(page, "name").attrs
    # the anonymity question links to the answers
    r = hotline.post_form("/report", report_fields(identity="anonymous", phone="+77010000000"))
    page = parse_html(r.body)
    assert [a.attrs.get("href") for a in by_id(page, "errors").iter()
            if a.tag == "a"] == ["#identity-choice"]
    choice = by_id(page, "identity-choice")
    assert choice.attrs.get("aria-invalid") == "true"
    assert choice.attrs.get("aria-describedby") == "error-identity-ask"


def test_identity_fields_do_not_autocomplete(hotline):
    page = parse_html(hotline.get("/").body)
    for name in ("name", "phone", "email", "address"):
        assert by_id(page, name).attrs.get("autocomplete") == "off", name


def test_past_the_bounds_the_reporter_is_told_to_attach_again(make_hotline):
    """Kept files hold at most a quarter of upload_memory_bytes (16 KiB an
    upload): with 256K, four uploads are kept; the fifth reporter is told
    plainly, in the summary and by the file field, to attach the files
    again, and nothing of theirs stays in the spool."""
    hl = make_hotline(upload_memory_bytes="256K")
    for i in range(4):
        r = refused_with_files(hl, [File(f"a{i}.txt", b"kept", "text/plain")])
        assert by_id(r.body, "files-kept") is not None, i
    r = refused_with_files(hl, [File("late.txt", b"not kept", "text/plain")], lang="ru")
    assert by_id(r.body, "files-kept") is None and by_id(r.body, "kept") is None
    assert "приложите их снова" in element_text(r.body, "files-again")
    assert "приложите их снова" in element_text(r.body, "error-files")
    assert field_value(r.body, "kept", within="report") is None
    assert len(spool_fds(hl)) == 4


def test_the_token_carries_the_key(hotline):
    """The files' keys are kept wrapped under the token's key: a token with
    the right name but another key opens nothing, and the files are
    deleted rather than left to an attacker's next guess."""
    hl = hotline
    r = refused_with_files(hl, [File("a.txt", b"wrapped " + marker("w").encode(), "text/plain")])
    token = kept_token(r.body)
    wrong = token[:-1] + ("0" if token[-1] != "0" else "1")
    bad = hl.post_multipart("/report", report_fields(kept=wrong))
    assert bad.status == 400 and by_id(bad.body, "files-again") is not None
    assert_spool_empty(hl)
    late = hl.post_multipart("/report", report_fields(kept=token))
    assert late.status == 400 and by_id(late.body, "files-again") is not None
    assert count_cases(hl) == 0
