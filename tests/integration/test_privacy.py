"""Nothing a reporter gives us is readable in the database or the log: a
full pg_dump and the daemon's log are searched for every marker."""
import secrets

from helpers import (File, clear_forms, expect_receipt, marker, pg_dump, random_bytes,
                     random_receipt, report_fields, typo)

CLIENT2 = ("127.0.0.2", 0)  # a second client address, only ever seen by the daemon


def test_nothing_in_clear_in_database_or_log(make_hotline):
    hl = make_hotline(log_level="debug")
    m = {
        "name": "Құпия Жанболат " + marker("nm"),
        "phone": "+77%09d" % secrets.randbelow(10**9),
        "email": marker("em") + "@mail.kz",
        "address": "г. Алматы, ул. Абая " + marker("ad"),
        "what": "Директор потребовал взятку " + marker("wh"),
        "when_where": "В кабинете 5 " + marker("ww"),
        "who": "Ахметов А.А. " + marker("wo"),
        "anon_name": "Anonymous Ignored " + marker("an"),
        "file_name": "скан_" + marker("fn") + ".pdf",
        "file_text": "секретный документ " + marker("fd"),
        "message": "Новые сведения " + marker("ms"),
        "msg_file_text": "ещё файл " + marker("mf"),
    }
    receipts = []

    file_bytes = random_bytes(1000) + m["file_text"].encode() + random_bytes(1000)
    named = expect_receipt(hl.post_multipart("/report", report_fields(
        what=m["what"], when_where=m["when_where"], who=m["who"], identity="named",
        name=m["name"], phone=m["phone"], email=m["email"], address=m["address"], lang="kk"),
        [File(m["file_name"], file_bytes, "application/pdf")]))
    receipts.append(named.digits)

    anon = expect_receipt(hl.post_form("/report", report_fields(
        what=m["what"] + " (2)", identity="anonymous_drop", name=m["anon_name"]),
        source_address=CLIENT2))
    receipts.append(anon.digits)

    r = hl.post_multipart("/status/message", {"receipt": named.receipt, "message": m["message"],
                                              "lang": "en"},
                          [File("note.txt", m["msg_file_text"].encode(), "text/plain")],
                          source_address=CLIENT2)
    assert r.status == 303, r.status
    assert hl.post_form("/status", {"receipt": anon.digits}).status == 200
    # Wrong lookups: a typo of a real receipt and an unknown one.
    wrong = random_receipt()
    receipts.append(wrong)
    assert hl.post_form("/status", {"receipt": typo(named.digits)}).status == 400
    assert hl.post_form("/status", {"receipt": wrong}, source_address=CLIENT2).status == 404
    # A failed form keeps texts only in the answer, never in the log.
    assert hl.post_form("/report", report_fields(what="", who=m["who"])).status == 400

    dump = pg_dump(hl)
    for key, text in m.items():
        for form in clear_forms(text):
            assert form not in dump, f"{key} marker {text!r} found in pg_dump"
    for d in receipts:
        for form in clear_forms(d) + clear_forms(" ".join(d[i:i + 4] for i in range(0, 28, 4))):
            assert form not in dump, "a receipt is in the database in clear"
    for addr in ("127.0.0.1", "127.0.0.2"):
        for form in clear_forms(addr):
            assert form not in dump, f"client address {addr} stored in the database"

    # The log: the daemon logs at debug level here, the most it ever says.
    assert hl.stop() == 0
    log = hl.log_bytes()
    assert log, "the daemon logged nothing at debug level"
    served = log[hl.startup_log_size:]
    for key, text in m.items():
        assert text.encode() not in log, f"{key} marker in the log"
        mk = text.split()[-1].split("@")[0]
        assert mk.encode() not in log, f"{key} marker {mk} in the log"
    for d in receipts:
        assert d.encode() not in log, "a receipt in the log"
        assert " ".join(d[i:i + 4] for i in range(0, 28, 4)).encode() not in log
        assert d[:12].encode() not in log, "part of a receipt in the log"
    # The daemon may name its own listening address at start; once serving,
    # no client address may appear.
    assert b"127.0.0.1" not in served, "a client address (127.0.0.1) in the log"
    assert b"127.0.0.2" not in log, "a client address (127.0.0.2) in the log"
