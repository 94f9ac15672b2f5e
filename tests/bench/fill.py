"""Bulk cases for the benches (make bench), set-based: one INSERT ... SELECT
over generate_series per table, in ONE psql session, whatever the count.

Not hotline.register_case: the hash chain is not what these benches
measure, and a bench database is thrown away. The session runs with
session_replication_role = replica, so no trigger fires while filling:
the rows are written complete (registered_at, channel and director_named,
which the 0003 and 0012 triggers would copy, are set here), and no per-row
trigger runs a query per row. That is what made the old fill of
scan_bench.py take more than 10 minutes for 100,000 cases: its
`UPDATE hotline.cases SET state = ...` fired case_seals_prune_case
(migration 0018) once per row, and each call's
hotline.case_seals_due_mark(id) ran `WHERE p_case_id IS NULL OR c.id =
p_case_id` as a generic plan, a sequential scan of every case: n scans
of n rows (migrations/0030 reads the one case now; bulk rows still skip
the triggers). The foreign keys are triggers too and are not checked:
the rows below are right by construction.

Registrations are one a minute back from now (a million span about two
years, so any year of figures is full), numbered from the year 2100 on (at
most 500,000 a year: six digits), so they never meet a real number.
"""
import subprocess

PSQL = "/usr/lib/postgresql/15/bin/psql"


def psql(stack, sql):
    """Runs sql (several statements) in one superuser session."""
    subprocess.run([PSQL, "-h", f"{stack}/pg/run", "-U", "postgres", "-d", "hotline", "-q",
                    "-v", "ON_ERROR_STOP=1"], input=sql, text=True, check=True,
                   stdout=subprocess.DEVNULL)


def psql_value(stack, sql):
    return subprocess.run([PSQL, "-h", f"{stack}/pg/run", "-U", "postgres", "-d", "hotline",
                           "-At", "-v", "ON_ERROR_STOP=1", "-c", sql], check=True,
                          capture_output=True, text=True).stdout.strip()


# A case's state from a hash of its id, independent of its channel and
# category: seven in ten closed, the rest referred, not considered,
# forwarded, or open (about 9 %: registered, with the director,
# acknowledged, urgent, under investigation).
STATE_MIX = """
    CASE WHEN h.s < 1 THEN 'urgent' WHEN h.s < 701 THEN 'closed'
         WHEN h.s < 801 THEN 'referred' WHEN h.s < 881 THEN 'not_considered'
         WHEN h.s < 911 THEN 'forwarded' WHEN h.s < 931 THEN 'investigation'
         WHEN h.s < 951 THEN 'to_director' WHEN h.s < 961 THEN 'acknowledged'
         ELSE 'registered' END"""

CATEGORY_MIX = """
    CASE WHEN h.c < 50 THEN 'corruption' WHEN h.c < 65 THEN 'conflict_of_interest'
         WHEN h.c < 80 THEN 'gift' WHEN h.c < 85 THEN 'unlawful_order' ELSE 'other' END"""


def journal_and_cases(stack, count, minutes_apart=1, state=STATE_MIX, category=CATEGORY_MIX):
    """count journal rows and their cases. state and category: SQL over
    h.s (0-999) and h.c (0-99), hashes of the case's journal id."""
    psql(stack, f"""
        SET session_replication_role = replica;
        INSERT INTO hotline.journal (year, seq, reg_no, registered_at, channel, content_digest,
                                     prev_hash, row_hash)
        SELECT 2100 + i / 500000, i % 500000 + 1,
               format('%s-%s', 2100 + i / 500000, lpad((i % 500000 + 1)::text, 6, '0')),
               now() - ({count} - i) * {minutes_apart} * interval '1 minute',
               CASE WHEN i % 100 < 60 THEN 'web' WHEN i % 100 < 80 THEN 'email'
                    WHEN i % 100 < 90 THEN 'phone' WHEN i % 100 < 97 THEN 'written'
                    ELSE 'in_person' END,
               '\\x00', '\\x00', '\\x00'
        FROM generate_series(0, {count} - 1) AS i;
        INSERT INTO hotline.cases (journal_id, registered_at, channel, receipt_hash, category,
                                   director_involved, director_named, anonymous, language,
                                   content_key_sealed, content, state, state_changed_at)
        SELECT j.id, j.registered_at, j.channel, sha256(j.id::text::bytea), {category},
               CASE WHEN h.d = 0 THEN 'yes' ELSE 'no' END, h.d = 0, true, 'ru',
               '\\x00', '\\x00', {state}, j.registered_at
        FROM hotline.journal j,
             LATERAL (SELECT abs(hashint4(j.id::int + 7919)) % 1000 AS s,
                             abs(hashint4(j.id::int)) % 100 AS c,
                             abs(hashint4(j.id::int + 104729)) % 200 AS d) h
        WHERE j.year >= 2100;
    """)


def realistic(stack, count):
    """count cases as a department might see them (journal_and_cases with
    STATE_MIX), then what their states imply: the triage (corruption for
    corruption reports), the director informed (the day after in eight of
    ten, three days late otherwise), the registration's timeline event and
    triage deadline (met once triaged), and an investigation for every case
    under investigation and for one closed case in thirty: ordered, in
    progress, conclusion drafted, submitted, decided or measures adopted,
    with its deadline (a tenth extended), and the test commission account
    (tools/staff-accounts.sh, login "commission", when it exists) sitting on
    every one not decided yet. Open deadlines fall due in the next 20 days,
    so the daemon's scanner has nothing to escalate while a bench runs."""
    journal_and_cases(stack, count)
    psql(stack, """
        SET session_replication_role = replica;
        UPDATE hotline.cases c SET
            triage = CASE WHEN c.state = 'registered' THEN NULL
                          WHEN c.state = 'urgent' THEN 'urgent'
                          WHEN c.state IN ('referred', 'not_considered') THEN 'not_corruption'
                          WHEN c.category = 'corruption' THEN 'corruption'
                          WHEN c.state IN ('to_director', 'acknowledged', 'investigation')
                          THEN 'corruption' ELSE 'not_corruption' END,
            triaged_at = CASE WHEN c.state <> 'registered'
                              THEN c.registered_at + interval '2 hours' END,
            acknowledged_at = CASE
                WHEN c.state IN ('registered', 'to_director', 'referred', 'not_considered',
                                 'urgent') THEN NULL
                WHEN abs(hashint4(c.id::int + 31)) % 10 < 8
                THEN c.registered_at + interval '20 hours'
                ELSE c.registered_at + interval '3 days' END;
        UPDATE hotline.cases SET decision = 'investigate', decided_at = acknowledged_at
            WHERE state = 'investigation';
        INSERT INTO hotline.case_events (case_id, at, kind, detail)
        SELECT id, registered_at, 'registered', jsonb_build_object('channel', channel)
        FROM hotline.cases;
        INSERT INTO hotline.deadlines (case_id, kind, due_date, due_at, basis, announced, met_at)
        SELECT id, 'triage', d + CASE WHEN state = 'registered' THEN 0 ELSE 1 END,
               (d + CASE WHEN state = 'registered' THEN 1 ELSE 2 END)::timestamp
                 AT TIME ZONE 'Asia/Almaty', 'calendar_days', true,
               CASE WHEN state <> 'registered' THEN registered_at + interval '2 hours' END
        FROM (SELECT id, state, registered_at,
                     CASE WHEN state = 'registered'
                          THEN (now() AT TIME ZONE 'Asia/Almaty')::date + (id % 20)::int
                          ELSE (registered_at AT TIME ZONE 'Asia/Almaty')::date END AS d
              FROM hotline.cases) x;
        INSERT INTO hotline.investigations (case_id, order_no, order_date, state, due_date,
                                            extended, submitted_at, decided_at, state_changed_at)
        SELECT id, 'B-' || id, o, st,
               CASE WHEN st IN ('ordered', 'in_progress', 'conclusion_drafted')
                    THEN (now() AT TIME ZONE 'Asia/Almaty')::date + (id % 20)::int
                    ELSE o + 14 END,
               abs(hashint4(id::int + 57)) % 10 = 0,
               CASE WHEN st NOT IN ('ordered', 'in_progress', 'conclusion_drafted')
                    THEN (o + 10)::timestamp AT TIME ZONE 'Asia/Almaty' END,
               CASE WHEN st IN ('decided', 'measures_adopted', 'closed')
                    THEN (o + 12)::timestamp AT TIME ZONE 'Asia/Almaty' END,
               registered_at
        FROM (SELECT id, registered_at,
                     (registered_at AT TIME ZONE 'Asia/Almaty')::date + 2 AS o,
                     CASE WHEN state = 'closed' THEN 'closed'
                          ELSE (ARRAY['ordered', 'in_progress', 'conclusion_drafted', 'submitted',
                                      'decided', 'measures_adopted'])
                               [1 + abs(hashint4(id::int + 13)) % 6] END AS st
              FROM hotline.cases
              WHERE state = 'investigation'
                 OR (state = 'closed' AND abs(hashint4(id::int + 3)) % 30 = 0)) x;
        INSERT INTO hotline.deadlines (case_id, kind, due_date, due_at, basis, announced, met_at)
        SELECT case_id, 'investigation', due_date, (due_date + 1)::timestamp
                 AT TIME ZONE 'Asia/Almaty', 'working_days', true, submitted_at
        FROM hotline.investigations;
        INSERT INTO hotline.commission_members (investigation_id, name, position, staff_user_id)
        SELECT i.id, u.display_name, 'member', u.id
        FROM hotline.investigations i, hotline.staff_users u
        WHERE u.login = 'commission'
          AND i.state IN ('ordered', 'in_progress', 'conclusion_drafted', 'submitted');
    """)
    analyze(stack)


def audit_log(stack, count):
    """count rows on the audit log, chained as hotline.audit_append chains
    them (a case opened by a command-line user), in one pass: the function
    takes the head's row lock per row, which over a million rows in one
    transaction costs more and more."""
    psql(stack, f"""DO $$
DECLARE v_prev bytea; v_id bigint; v_at timestamptz; v_obj text;
BEGIN
  SELECT last_hash INTO v_prev FROM hotline.audit_head WHERE id = 1;
  FOR i IN 1..{int(count)} LOOP
    v_id := nextval('hotline.audit_log_id_seq');
    v_at := date_trunc('microseconds', clock_timestamp());
    v_obj := '2026-' || lpad((i % 500000 + 1)::text, 6, '0');
    INSERT INTO hotline.audit_log (id, at, user_id, login, action, object, prev_hash, row_hash)
      VALUES (v_id, v_at, NULL, 'os:bench', 'case.view', v_obj, v_prev,
              sha256(v_prev || convert_to(format('v1|%s|%s||8:os:bench|9:case.view|%s:%s',
                     v_id, (extract(epoch FROM v_at) * 1000000)::bigint, octet_length(v_obj),
                     v_obj), 'UTF8')))
      RETURNING row_hash INTO v_prev;
  END LOOP;
  UPDATE hotline.audit_head SET last_hash = v_prev WHERE id = 1;
END $$""")


def analyze(stack):
    psql(stack, "VACUUM ANALYZE")
