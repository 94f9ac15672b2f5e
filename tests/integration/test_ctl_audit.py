"""hotlinectl as an administrator uses it (docs/cli.md): every step that
changes a case, an investigation, a setting or the calendar writes its row
in the hash-chained audit log, done by the operating-system user
("os:NAME"); the calendar keeps the history of its rows and refuses rows
that change nothing; `calendar show` warns when next year has no Kurban
Ait; `--help` answers without a database. Real PostgreSQL, real hotlined."""
import datetime
import os
import pwd
import subprocess

from conftest import HOTLINECTL, HOTLINED, hotlinectl
from helpers import submit
from staff_fixture import audit_rows

ACTOR = "os:" + pwd.getpwuid(os.geteuid()).pw_name


def ctl(hl, *args, ok=True):
    p = hotlinectl(*args, "--database", hl.admin_conninfo)
    if ok:
        assert p.returncode == 0, f"hotlinectl {' '.join(args)}: {p.returncode}\n{p.stdout}{p.stderr}"
    return p


def new_rows(hl, before):
    return [(r["user_id"], r["login"], r["action"], r["object"]) for r in audit_rows(hl)[before:]]


def audit_intact(hl):
    p = hotlinectl("audit", "verify", "--database", hl.admin_conninfo)
    assert p.returncode == 0 and "chain intact" in p.stdout, p.stdout + p.stderr


def test_every_change_is_audited_as_the_os_user(make_hotline, smtp_sink, keys):
    sink = smtp_sink()
    hl = make_hotline(**sink.hotline_config())
    n = len(audit_rows(hl))
    ctl(hl, "settings", "set", "director_email", "director@org.example.kz")
    # the key, never the value
    assert new_rows(hl, n) == [(None, ACTOR, "settings.set", "director_email")]

    rec = submit(hl, who="nobody in particular")
    n = len(audit_rows(hl))
    ctl(hl, "case", "triage", rec.reg_no, "corruption")
    ctl(hl, "case", "ack", rec.reg_no)
    ctl(hl, "case", "declare-interest", rec.reg_no, "Ivanov Ivan", "--case-key",
        str(keys.case_sec), "--passphrase-file", str(keys.passphrase_file))
    ctl(hl, "case", "decide", rec.reg_no, "investigate")
    # the order is dated the day of the decision (an order may not precede
    # it nor lie in the future)
    today = hl.query("SELECT to_char((now() AT TIME ZONE 'Asia/Almaty')::date, 'YYYY-MM-DD')")[0][0]
    ctl(hl, "investigation", "order", rec.reg_no, "--order-no", "7", "--order-date",
        today, "--member", "Seitov Daniyar|Head of security", "--case-key",
        str(keys.case_sec), "--passphrase-file", str(keys.passphrase_file))
    ctl(hl, "investigation", "start", rec.reg_no)
    assert new_rows(hl, n) == [(None, ACTOR, a, rec.reg_no) for a in (
        "case.triage", "case.ack", "case.declare_interest", "case.decide",
        "investigation.order", "investigation.start")]
    # the case's timeline names the same actor
    by = hl.query("SELECT e.detail->>'by' FROM hotline.case_events e "
                  "WHERE e.kind = 'triaged'")
    assert by == [(ACTOR,)]

    # a refused step leaves no row; show reads only
    n = len(audit_rows(hl))
    assert ctl(hl, "case", "ack", rec.reg_no, ok=False).returncode == 1
    ctl(hl, "investigation", "show", rec.reg_no)
    assert new_rows(hl, n) == []

    ctl(hl, "calendar", "set", "2027-06-04", "off", "moved from Saturday 5 June",
        "--source", "Order 1 of the Minister")
    ctl(hl, "calendar", "unset", "2027-06-04")
    assert new_rows(hl, n) == [(None, ACTOR, "calendar.set", "2027-06-04"),
                               (None, ACTOR, "calendar.unset", "2027-06-04")]
    # the staff accounts' commands too
    n = len(audit_rows(hl))
    p = subprocess.run([str(HOTLINECTL), "user", "add", "clerk", "--name", "A Clerk", "--roles",
                        "registrar", "--database", hl.admin_conninfo],
                       capture_output=True, text=True, timeout=60)
    assert p.returncode == 0, p.stderr
    assert new_rows(hl, n) == [(None, ACTOR, "user.add", "clerk")]
    audit_intact(hl)


def test_calendar_refuses_rows_that_change_nothing(hotline):
    hl = hotline
    n = len(audit_rows(hl))
    cases = (("2027-06-07", "work", "2027-06-07 is a Monday, a working day already"),
             ("2027-06-05", "off", "2027-06-05 is a Saturday, a day off already"),
             ("1999-06-01", "holiday", "the calendar covers the years 2004 to 2100"),
             ("2101-03-01", "off", "the calendar covers the years 2004 to 2100"))
    for day, kind, why in cases:
        p = ctl(hl, "calendar", "set", day, kind, "a test", ok=False)
        assert p.returncode == 2 and why in p.stderr, (day, kind, p.stderr)
        assert hl.query("SELECT count(*) FROM hotline.calendar_days WHERE day = %s",
                        (day,)) == [(0,)]
    assert hl.query("SELECT count(*) FROM hotline.calendar_history") == [(0,)]
    assert new_rows(hl, n) == []
    # the same days with the right kind are taken
    ctl(hl, "calendar", "set", "2027-06-05", "work", "worked for Friday 4 June")
    ctl(hl, "calendar", "set", "2027-06-04", "off", "moved from Saturday 5 June")
    # a day without a row cannot be unset
    p = ctl(hl, "calendar", "unset", "2027-06-08", ok=False)
    assert p.returncode == 1 and "has no row" in p.stderr


def test_calendar_keeps_the_history_of_its_rows(hotline):
    hl = hotline
    ctl(hl, "calendar", "set", "2027-06-05", "work", "worked for Friday 4 June",
        "--source", "Order 1")
    ctl(hl, "calendar", "set", "2027-06-05", "work", "worked for Friday 4 June (amended)",
        "--source", "Order 2")
    ctl(hl, "calendar", "unset", "2027-05-16")  # the shipped estimate of Kurban Ait
    ctl(hl, "calendar", "set", "2027-05-17", "holiday", "Kurban Ait, first day",
        "--source", "DUMK calendar for 2027")
    # a change made in psql is kept too, with the database role as actor
    hl.query("UPDATE hotline.calendar_days SET note = 'edited by hand' WHERE day = '2027-05-17'")
    rows = hl.query("SELECT to_char(day, 'YYYY-MM-DD'), old_kind, old_note, old_source, "
                    "new_kind, new_note, new_source, changed_by FROM hotline.calendar_history "
                    "ORDER BY id")
    assert rows[0] == ("2027-06-05", None, None, None, "work", "worked for Friday 4 June",
                       "Order 1", ACTOR)
    assert rows[1] == ("2027-06-05", "work", "worked for Friday 4 June", "Order 1", "work",
                       "worked for Friday 4 June (amended)", "Order 2", ACTOR)
    assert rows[2][:2] == ("2027-05-16", "holiday") and rows[2][4:] == (None, None, None, ACTOR)
    assert rows[3] == ("2027-05-17", None, None, None, "holiday", "Kurban Ait, first day",
                       "DUMK calendar for 2027", ACTOR)
    assert rows[4][0] == "2027-05-17" and rows[4][5] == "edited by hand"
    assert rows[4][7] == "db:postgres"
    assert len(rows) == 5
    out = ctl(hl, "calendar", "history", "2027").stdout.splitlines()
    assert len(out) == 5
    assert out[1].endswith(f'UTC {ACTOR} 2027-06-05: work "worked for Friday 4 June" [Order 1] '
                           '-> work "worked for Friday 4 June (amended)" [Order 2]')
    assert out[2].endswith("-> (the rules)") and " 2027-05-16: holiday " in out[2]
    assert "no change" in ctl(hl, "calendar", "history", "2026").stdout
    # the history is append-only
    p = subprocess.run(["psql", "-X", "-q", hl.admin_conninfo, "-c",
                        "DELETE FROM hotline.calendar_history"], capture_output=True, text=True)
    assert "append-only" in p.stderr
    assert hl.query("SELECT count(*) FROM hotline.calendar_history") == [(5,)]


def test_show_warns_when_next_year_has_no_kurban_ait(hotline):
    hl = hotline
    # next year as hotlinectl sees it: today in Asia/Almaty (UTC+5), plus one
    today = datetime.datetime.now(datetime.timezone(datetime.timedelta(hours=5))).date()
    nxt = today.year + 1
    hl.query("DELETE FROM hotline.calendar_days WHERE kind = 'holiday' AND "
             "extract(year FROM day) = %s", (nxt,))
    p = ctl(hl, "calendar", "show", str(today.year))
    assert f"warning: {nxt} has no Kurban Ait row" in p.stderr, p.stderr
    assert f"calendar set {nxt}-MM-DD holiday" in p.stderr
    assert "working days in" in p.stdout
    ctl(hl, "calendar", "set", f"{nxt}-05-20", "holiday", "Kurban Ait, first day",
        "--source", f"DUMK calendar for {nxt}")
    p = ctl(hl, "calendar", "show", str(today.year))
    assert "warning" not in p.stderr, p.stderr


COMMANDS = ("migrate", "journal", "keygen", "unmask-key", "unmask-reshare", "unmask", "pepper",
            "case", "investigation", "settings", "calendar", "user", "role", "audit", "schema-version")


def test_help_needs_no_database(tmp_path):
    env = {k: v for k, v in os.environ.items() if k != "HOTLINE_DATABASE"}

    def run(*cmd):
        return subprocess.run([str(c) for c in cmd], capture_output=True, text=True, env=env,
                              cwd=tmp_path, timeout=30)

    for args in (("--help",), ("-h",), ("-c", "/nonexistent.conf", "--help")):
        p = run(HOTLINED, *args)
        assert p.returncode == 0 and p.stdout.startswith("usage: hotlined"), (args, p)
        assert p.stderr == ""
    p = run(HOTLINECTL, "--help")
    assert p.returncode == 0 and all(f"  {c}" in p.stdout for c in COMMANDS), p.stdout
    for c in COMMANDS:
        p = run(HOTLINECTL, c, "--help")
        assert p.returncode == 0 and p.stdout.startswith(f"usage: hotlinectl {c}"), (c, p)
        assert p.stderr == "", (c, p.stderr)
    for args in (("case", "triage", "--help"), ("investigation", "order", "-h"),
                 ("calendar", "set", "--help")):
        p = run(HOTLINECTL, *args)
        assert p.returncode == 0 and p.stdout.startswith(f"usage: hotlinectl {args[0]}"), p
    # without --help a command still needs its database, and says so
    p = run(HOTLINECTL, "case", "ack", "2026-000001")
    assert p.returncode == 1 and "no database" in p.stderr
