"""No plan of the registration path depends on when a table was analyzed
(issue 17): `cases` analyzed while it held a few dozen rows, then a few
hundred appeals through the running daemon's long-lived connections, and
not one sequential scan of hotline.cases, hotline.journal or
hotline.attachments among them (pg_stat_user_tables).

The foreign-key checks PostgreSQL runs after an insert into case_events,
deadlines or attachments are cached per connection; before the fix, their
generic plan made while `cases` looked tiny was a sequential scan, kept for
good (docs/architecture.md, "Plans that do not depend on statistics")."""
import os
import threading
import time

from helpers import File, expect_receipt, report_fields, submit

TABLES = ("cases", "journal", "attachments")


def seq_scans(hl):
    rows = hl.query("SELECT relname, seq_scan, n_tup_ins FROM pg_stat_user_tables "
                    "WHERE schemaname = 'hotline' AND relname = ANY (%s)", (list(TABLES),))
    return {r[0]: (r[1], r[2]) for r in rows}


def settled(hl, cases_inserted, timeout=30):
    """The counters once the daemon's sessions have reported every insert
    into cases (a session flushes its counters at most once a second, all
    tables at once, and within seconds of going idle)."""
    end = time.monotonic() + timeout
    while True:
        now = seq_scans(hl)
        if now["cases"][1] >= cases_inserted or time.monotonic() > end:
            return now
        time.sleep(0.5)


def burst(hl, threads, each, files_every=5):
    """threads x each reports at once (eight at a time at most: one address
    may have eight registrations in flight), every files_every-th with a
    file."""
    errors = []

    def one(t):
        try:
            for i in range(each):
                fields = report_fields(what=f"stale plan report {t}/{i}")
                if i % files_every == 0:
                    r = hl.post_multipart("/report", fields,
                                          [File("scan.pdf", b"%PDF-1.4 " + bytes(200))],
                                          timeout=60)
                else:
                    r = hl.post_form("/report", fields, timeout=60)
                expect_receipt(r)
        except Exception as e:  # noqa: BLE001 - reported below
            errors.append(repr(e))

    ts = [threading.Thread(target=one, args=(t,)) for t in range(threads)]
    for t in ts:
        t.start()
    for t in ts:
        t.join(300)
    assert not errors, errors[:3]
    return threads * each


def test_no_sequential_scan_after_cases_analyzed_while_tiny(hotline):
    n = 0
    for i in range(60):
        submit(hotline, files=[File("a.pdf", b"%PDF-1.4 a")] if i % 10 == 0 else ())
        n += 1
    # what autovacuum does after about fifty rows on a new installation
    hotline.query("ANALYZE hotline.cases")
    hotline.query("ANALYZE hotline.journal")
    hotline.query("ANALYZE hotline.attachments")
    before = settled(hotline, n)
    n += burst(hotline, 8, 40)
    after = settled(hotline, n)
    assert hotline.query("SELECT count(*) FROM hotline.cases")[0][0] == n
    grew = {t: after[t][0] - before[t][0] for t in TABLES}
    assert grew == {t: 0 for t in TABLES}, (
        f"sequential scans during {n - 60} registrations after ANALYZE at 60 rows: {grew}")


def test_no_sequential_scan_from_a_plan_made_elsewhere_on_the_connection(hotline):
    """register_batch makes no plan afresh at each call (migrations/0038):
    every check and function it fires carries enable_seqscan = off itself.
    So a connection that first ran the same checks outside registration,
    while `cases` was a few pages (a generic plan that reads them all),
    still registers without a sequential scan. With the foreign keys of
    0028 and no plan_cache_mode there, each registration below scanned."""
    for _ in range(40):
        submit(hotline)
    hotline.query("ANALYZE hotline.cases")
    hotline.query("ANALYZE hotline.journal")
    case_id = hotline.query("SELECT min(id) FROM hotline.cases")[0][0]
    conn = hotline.db()
    conn.autocommit = False
    try:
        with conn.cursor() as cur:
            # outside any function of registration, more than five times:
            # PostgreSQL then caches a generic plan for the connection
            for i in range(8):
                cur.execute("INSERT INTO hotline.case_events (case_id, kind, detail) "
                            "VALUES (%s, 'registered', '{}')", (case_id,))
                cur.execute("INSERT INTO hotline.case_seals_due (case_id) VALUES (%s) "
                            "ON CONFLICT DO NOTHING", (case_id,))
                cur.execute("SELECT hotline.register_case('web', %s, 'other', 'unknown', 'en', "
                            "'\\x00', '\\x00', NULL)", (os.urandom(32),))
            conn.rollback()
            # the counters of what ran so far, before the registrations below
            cur.execute("SELECT pg_stat_force_next_flush()")
            conn.commit()
        before = settled(hotline, 40)
        with conn.cursor() as cur:
            for i in range(30):
                cur.execute("SELECT * FROM hotline.register_batch('{web}', %s, '{other}', "
                            "'{unknown}', '{en}', '{\"\\\\x00\"}', '{\"\\\\x00\"}', '{NULL}', "
                            "%s, '{NULL}', NULL, '{NULL}', '{NULL}', '{NULL}', '{NULL}', "
                            "'{NULL}')", ([os.urandom(32)], [os.urandom(32)]))
                assert len(cur.fetchall()) == 1
                conn.rollback()
    finally:
        conn.close()
    time.sleep(1.5)
    after = settled(hotline, 40)
    grew = {t: after[t][0] - before[t][0] for t in ("cases", "journal")}
    assert grew == {"cases": 0, "journal": 0}, (
        f"sequential scans during 30 registrations on a connection that cached its plans "
        f"outside registration: {grew}")
