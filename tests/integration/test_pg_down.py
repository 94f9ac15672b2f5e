"""PostgreSQL goes away and comes back: nothing is promised that was not
saved, and the daemon recovers on its own."""
import signal
import threading
import time

from conftest import hotlinectl
from helpers import element_text, expect_receipt, has_id, page_excerpt, report_fields, submit


def counts(hl):
    return hl.query("SELECT (SELECT count(*) FROM hotline.cases), (SELECT count(*) FROM hotline.journal),"
                    " (SELECT count(*) FROM hotline.attachments)")[0]


def test_database_down_and_back(make_hotline, own_cluster):
    hl = make_hotline(cluster=own_cluster, dbname="hotline")
    first = submit(hl)
    assert first.reg_no.endswith("-000001")
    timeout = hl.limit("request_timeout")

    own_cluster.stop("immediate")
    assert not own_cluster.running()

    t0 = time.monotonic()
    r = hl.post_form("/report", report_fields(what="sent while the database is down"))
    took = time.monotonic() - t0
    assert r.status == 503, f"expected 503, got {r.status}: {page_excerpt(r.body)}"
    assert has_id(r.body, "error-not-saved"), page_excerpt(r.body)
    assert element_text(r.body, "receipt") is None and element_text(r.body, "reg-no") is None
    assert took < timeout + 2, f"503 took {took:.1f} s (request_timeout {timeout})"

    r = hl.post_multipart("/report", report_fields(what="multipart while down"))
    assert r.status == 503 and has_id(r.body, "error-not-saved")

    deadline = time.monotonic() + timeout + 2
    while True:
        h = hl.get("/healthz")
        if h.status == 503 or time.monotonic() > deadline:
            break
        time.sleep(0.2)
    assert h.status == 503, f"/healthz says {h.status} {h.body!r} with the database down"
    assert h.body.strip() == "database unavailable"

    # A lookup must not claim the receipt is unknown.
    s = hl.post_form("/status", {"receipt": first.receipt, "lang": "en"})
    assert s.status == 503, f"status lookup with the database down: {s.status}"
    assert hl.alive()

    own_cluster.start()
    deadline = time.monotonic() + 10
    while True:
        r = hl.post_form("/report", report_fields(what="after the database came back"))
        if r.status == 303 or time.monotonic() > deadline:
            break
        assert r.status == 503, f"unexpected {r.status} while reconnecting: {page_excerpt(r.body)}"
        time.sleep(0.3)
    second = expect_receipt(r)
    assert second.reg_no.endswith("-000002"), f"expected the next number, got {second.reg_no}"
    assert hl.get("/healthz").status == 200

    cases, journal, attachments = counts(hl)
    assert cases == journal == 2, f"half-written rows: {cases} cases, {journal} journal rows"
    assert attachments == 0
    p = hotlinectl("journal", "verify", "--database", hl.admin_conninfo)
    assert p.returncode == 0, p.stdout + p.stderr
    # The first receipt still works after the reconnect.
    s = hl.post_form("/status", {"receipt": first.receipt, "lang": "en"})
    assert s.status == 200 and element_text(s.body, "reg-no") == first.reg_no


class JournalLock:
    """Holds the journal head row locked, as a long registration would:
    every registration waits until release()."""

    def __init__(self, hl):
        self.conn = hl.cluster.connect(hl.dbname, autocommit=False)
        with self.conn.cursor() as cur:
            cur.execute("SELECT * FROM hotline.journal_head FOR UPDATE")

    def release(self):
        if self.conn is not None:
            self.conn.rollback()
            self.conn.close()
            self.conn = None


def background_report(hl, fields):
    box = {}

    def go():
        try:
            box["resp"] = hl.post_form("/report", fields, timeout=60)
        except Exception as e:  # noqa: BLE001 - checked by the caller
            box["error"] = repr(e)
        box["done"] = time.monotonic()

    t = threading.Thread(target=go)
    t.start()
    return t, box


def test_database_not_answering_gives_503_and_saves_nothing(make_hotline):
    hl = make_hotline(request_timeout=2)
    lock = JournalLock(hl)
    try:
        t0 = time.monotonic()
        r = hl.post_form("/report", report_fields(what="while the journal is locked"), timeout=30)
        took = time.monotonic() - t0
        assert r.status == 503, f"expected 503 after request_timeout=2, got {r.status} after {took:.1f} s"
        assert has_id(r.body, "error-not-saved")
        assert element_text(r.body, "receipt") is None
        assert took < 4.5, f"503 only after {took:.1f} s (request_timeout 2)"
    finally:
        lock.release()
    # The reporter was told nothing was saved: it must stay so once the
    # database answers again.
    time.sleep(1.0)
    assert counts(hl)[:2] == (0, 0), "a report answered 503 was registered after all"
    rec = submit(hl)
    assert rec.reg_no.endswith("-000001")


def test_sigterm_finishes_request_waiting_on_database(hotline):
    lock = JournalLock(hotline)
    try:
        t, box = background_report(hotline, report_fields(what="in flight at SIGTERM"))
        time.sleep(0.5)
        assert "resp" not in box, "registration did not wait for the lock"
        hotline.send_signal(signal.SIGTERM)
        time.sleep(0.5)
        assert hotline.alive(), "hotlined exited with a request in flight"
        try:
            late = hotline.get("/healthz", timeout=2).status
        except OSError:
            late = None  # refused or never answered: not accepting any more
        assert late is None, f"a new connection was served after SIGTERM ({late})"
    finally:
        lock.release()
    t.join(30)
    assert "error" not in box, box.get("error")
    expect_receipt(box["resp"], at_shutdown=True)
    assert hotline.stop(timeout=10) == 0
    assert counts(hotline)[:2] == (1, 1)
