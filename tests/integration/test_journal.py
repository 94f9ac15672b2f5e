"""The journal of appeals: gap-free numbers under concurrency and rollback,
the hash chain (`hotlinectl journal verify`), and append-only rows."""
import os
import threading
import time

import psycopg2
import pytest

from conftest import hotlinectl
from helpers import almaty_year, element_text, expect_receipt, report_fields, submit


def journal(hl):
    return hl.query("SELECT id, year, seq, reg_no FROM hotline.journal ORDER BY id")


def verify(hl):
    return hotlinectl("journal", "verify", "--database", hl.admin_conninfo)


def concurrent_reports(hl, n):
    results, errors = [None] * n, []
    barrier = threading.Barrier(n)

    def one(i):
        try:
            barrier.wait(10)
            results[i] = hl.post_form("/report", report_fields(what=f"concurrent report {i}"),
                                      timeout=60)
        except Exception as e:  # noqa: BLE001 - reported below
            errors.append(repr(e))

    threads = [threading.Thread(target=one, args=(i,)) for i in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(90)
    assert not errors, errors
    return [expect_receipt(r) for r in results]


def test_numbers_are_consecutive_and_chain_verifies(hotline):
    recs = [submit(hotline) for _ in range(5)]
    recs += concurrent_reports(hotline, 20)
    n = len(recs)
    year = almaty_year()
    shown = sorted(r.reg_no for r in recs)
    assert shown == [f"{year}-{i:06d}" for i in range(1, n + 1)], shown
    assert len({r.digits for r in recs}) == n, "duplicate receipts"

    rows = journal(hotline)
    assert [r[2] for r in rows] == list(range(1, n + 1)), "journal numbers not 1..N in order"
    assert all(r[1] == year for r in rows)
    assert hotline.query("SELECT count(*) FROM hotline.cases")[0][0] == n
    assert hotline.query("SELECT last_no FROM hotline.journal_counter WHERE year = %s",
                         (year,))[0][0] == n

    p = verify(hotline)
    assert p.returncode == 0, f"verify failed on an intact chain:\n{p.stdout}{p.stderr}"
    assert f"journal: {n} rows, chain intact" in p.stdout

    # Tamper with one row as the superuser, past the trigger.
    victim = rows[11]
    conn = hotline.db()
    try:
        with conn.cursor() as cur:
            cur.execute("ALTER TABLE hotline.journal DISABLE TRIGGER journal_append_only")
            cur.execute("UPDATE hotline.journal SET channel = 'phone' WHERE id = %s", (victim[0],))
            cur.execute("ALTER TABLE hotline.journal ENABLE TRIGGER journal_append_only")
    finally:
        conn.close()
    p = verify(hotline)
    assert p.returncode == 1, f"verify did not notice the edit (exit {p.returncode}):\n{p.stdout}{p.stderr}"
    out = p.stdout + p.stderr
    assert f"journal: broken at row {victim[3]} (id {victim[0]})" in out, out


def test_verify_notices_a_deleted_row(hotline):
    for _ in range(4):
        submit(hotline)
    rows = journal(hotline)
    conn = hotline.db()
    try:
        with conn.cursor() as cur:
            cur.execute("ALTER TABLE hotline.journal DISABLE TRIGGER journal_append_only")
            cur.execute("DELETE FROM hotline.deadline_notices WHERE deadline_id IN (SELECT d.id "
                        "FROM hotline.deadlines d JOIN hotline.cases c ON c.id = d.case_id "
                        "WHERE c.journal_id = %s)", (rows[1][0],))
            for t in ("case_events", "deadlines", "attachments", "messages"):
                cur.execute(f"DELETE FROM hotline.{t} WHERE case_id IN "
                            "(SELECT id FROM hotline.cases WHERE journal_id = %s)", (rows[1][0],))
            cur.execute("DELETE FROM hotline.cases WHERE journal_id = %s", (rows[1][0],))
            cur.execute("DELETE FROM hotline.journal WHERE id = %s", (rows[1][0],))
            cur.execute("ALTER TABLE hotline.journal ENABLE TRIGGER journal_append_only")
    finally:
        conn.close()
    p = verify(hotline)
    assert p.returncode == 1, f"verify did not notice a deleted row:\n{p.stdout}{p.stderr}"
    # The first row that no longer links is the one after the gap.
    assert f"journal: broken at row {rows[2][3]} (id {rows[2][0]})" in p.stdout + p.stderr


def test_empty_journal_verifies(hotline):
    p = verify(hotline)
    assert p.returncode == 0 and "journal: 0 rows, chain intact" in p.stdout, p.stdout + p.stderr


def test_journal_is_append_only(hotline):
    rec = submit(hotline)
    # The application role may not rewrite the journal at all.
    app = hotline.db(user="hotline_app")
    try:
        for sql in ("UPDATE hotline.journal SET channel = 'phone'",
                    "DELETE FROM hotline.journal",
                    "TRUNCATE hotline.journal CASCADE",
                    "UPDATE hotline.journal_counter SET last_no = 0",
                    "UPDATE hotline.journal_head SET last_hash = '\\x00'",
                    "INSERT INTO hotline.journal (year, seq, reg_no, registered_at, channel, "
                    "content_digest, prev_hash, row_hash) VALUES (2000, 1, 'x', now(), 'web', "
                    "'\\x00', '\\x00', '\\x00')"):
            with app.cursor() as cur:
                with pytest.raises(psycopg2.Error):
                    cur.execute(sql)
    finally:
        app.close()
    # Not even the superuser, while the trigger is on.
    su = hotline.db()
    try:
        for sql in ("UPDATE hotline.journal SET channel = 'phone'",
                    "DELETE FROM hotline.journal WHERE reg_no = '%s'" % rec.reg_no,
                    "TRUNCATE hotline.journal CASCADE"):
            with su.cursor() as cur:
                with pytest.raises(psycopg2.Error, match="append-only"):
                    cur.execute(sql)
    finally:
        su.close()
    assert hotline.query("SELECT channel FROM hotline.journal WHERE reg_no = %s",
                         (rec.reg_no,)) == [("web",)]
    assert verify(hotline).returncode == 0


def test_rollback_gives_the_number_back(hotline):
    first = submit(hotline)
    assert first.reg_no.endswith("-000001")
    for user in ("hotline_app", "postgres"):
        conn = hotline.cluster.connect(hotline.dbname, user, autocommit=False)
        try:
            with conn.cursor() as cur:
                cur.execute("SELECT reg_no FROM hotline.register_case('web', %s, 'other', 'unknown', "
                            "'en', '\\x00', '\\x00', NULL)", (psycopg2.Binary(os.urandom(32)),))
                (taken,), = cur.fetchall()
                assert taken.endswith("-000002")
            conn.rollback()
        finally:
            conn.close()
    second = submit(hotline)
    assert second.reg_no.endswith("-000002"), f"number skipped after a rollback: {second.reg_no}"
    assert [r[2] for r in journal(hotline)] == [1, 2]
    assert verify(hotline).returncode == 0


def test_app_role_cannot_read_or_forge_outside_its_grants(hotline):
    app = hotline.db(user="hotline_app")
    try:
        with app.cursor() as cur:
            with pytest.raises(psycopg2.Error):
                cur.execute("SELECT * FROM hotline.journal_counter")
        app.rollback()
        with app.cursor() as cur:
            with pytest.raises(psycopg2.Error):
                cur.execute("DELETE FROM hotline.cases")
    finally:
        app.close()


def test_past_a_million_the_number_grows_a_digit(hotline):
    """The millionth appeal of a year is numbered YYYY-1000000. Written with
    lpad(seq, 6) it was cut to YYYY-100000, a number that exists, and every
    registration after it failed until New Year."""
    year = almaty_year()
    submit(hotline)
    hotline.query("UPDATE hotline.journal_counter SET last_no = 999998 WHERE year = %s", (year,))
    recs = [submit(hotline) for _ in range(3)]
    assert [r.reg_no for r in recs] == [f"{year}-999999", f"{year}-1000000", f"{year}-1000001"]
    # the reporter finds it with the receipt
    r = hotline.post_form("/status", {"receipt": recs[1].receipt, "lang": "en"})
    assert r.status == 200 and element_text(r.body, "reg-no") == f"{year}-1000000"
    # journal verify reads the numbers the way the database writes them: the
    # only complaint is the jump this test made to 999,999, not a number
    p = verify(hotline)
    out = p.stdout + p.stderr
    assert p.returncode == 1 and f"broken at row {year}-999999" in out, out
    assert "gap or repeat" in out and "does not match" not in out, out


def test_a_failing_appeal_is_retried_alone(hotline):
    """A batch is one call of hotline.register_batch, which the database
    refuses whole: the daemon then retries its appeals one by one, so only
    the bad one is 'not saved', the others get their receipts, and the
    numbers stay gap-free with the chain intact."""
    hotline.query("CREATE FUNCTION public.refuse_other() RETURNS trigger LANGUAGE plpgsql AS $$ "
                  "BEGIN IF NEW.category = 'other' THEN RAISE EXCEPTION 'refused by the test'; "
                  "END IF; RETURN NEW; END $$")
    hotline.query("CREATE TRIGGER refuse_other BEFORE INSERT ON hotline.cases "
                  "FOR EACH ROW EXECUTE FUNCTION public.refuse_other()")
    first = submit(hotline)
    # The chain's head held: one report waits in its batch, the next seven
    # gather behind it into one batch, the bad one among them.
    hold = hotline.cluster.connect(hotline.dbname, "postgres", autocommit=False)
    hold.cursor().execute("SELECT 1 FROM hotline.journal_head WHERE id = 1 FOR UPDATE")
    results = [None] * 8

    def one(i):
        over = {"category": "other"} if i == 4 else {}
        results[i] = hotline.post_form("/report", report_fields(what=f"batch {i}", **over),
                                       timeout=60)

    threads = [threading.Thread(target=one, args=(i,)) for i in range(8)]
    threads[0].start()
    time.sleep(0.5)
    for t in threads[1:]:
        t.start()
    time.sleep(1.5)
    hold.rollback()
    hold.close()
    for t in threads:
        t.join(60)
    assert results[4].status == 503, f"the bad appeal: {results[4].status}"
    good = [expect_receipt(r) for i, r in enumerate(results) if i != 4]
    year = almaty_year()
    shown = sorted([first.reg_no] + [r.reg_no for r in good])
    assert shown == [f"{year}-{i:06d}" for i in range(1, 9)], shown
    assert "retrying one by one" in hotline.log()
    assert [r[2] for r in journal(hotline)] == list(range(1, 9))
    assert verify(hotline).returncode == 0


def test_references_of_the_registration_path_hold_without_foreign_keys(hotline):
    """migrations/0038 checks, once per statement, what the foreign keys
    of events, deadlines, seals and seal-due marks to their case (and of a
    case to its journal row) checked per row: a dangling or changed
    reference is refused with 23503, a named case cannot be deleted and
    cases cannot be truncated. Even the database owner is refused."""
    submit(hotline)
    case_id, journal_id = hotline.query("SELECT id, journal_id FROM hotline.cases")[0]
    missing = case_id + 1000
    refused = [
        ("INSERT INTO hotline.case_events (case_id, kind, detail) VALUES (%s, 'registered', '{}')",
         (missing,)),
        ("INSERT INTO hotline.deadlines (case_id, kind, due_date, due_at, basis) "
         "VALUES (%s, 'triage', current_date, now(), 'fixed')", (missing,)),
        ("INSERT INTO hotline.case_seals_due (case_id) VALUES (%s)", (missing,)),
        # one good row and one dangling in the same statement: all refused
        ("INSERT INTO hotline.case_events (case_id, kind, detail) VALUES "
         "(%s, 'registered', '{}'), (%s, 'registered', '{}')", (case_id, missing)),
        ("UPDATE hotline.case_events SET case_id = %s", (missing,)),
        ("UPDATE hotline.deadlines SET case_id = %s", (missing,)),
        ("UPDATE hotline.cases SET journal_id = %s", (journal_id + 1000,)),
        ("DELETE FROM hotline.cases WHERE id = %s", (case_id,)),
        ("TRUNCATE hotline.cases CASCADE", None),
    ]
    conn = hotline.db()
    try:
        for sql, params in refused:
            with conn.cursor() as cur:
                with pytest.raises(psycopg2.Error) as e:
                    cur.execute(sql, params)
                assert e.value.pgcode == "23503", (sql, e.value.pgerror)
    finally:
        conn.close()
    assert hotline.query("SELECT count(*) FROM hotline.case_events WHERE case_id <> %s",
                         (case_id,)) == [(0,)]
    assert hotline.query("SELECT count(*), min(id) FROM hotline.cases") == [(1, case_id)]
    # a case's own updates go on as before
    hotline.query("UPDATE hotline.cases SET journal_id = journal_id, overdue = overdue")
