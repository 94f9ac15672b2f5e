"""The dump-and-password harness (issue 14, docs/keys.md "Per-case keys and
seals"): with a pg_dump of the database and the password of ONE account,
which cases can be read? tests/tools/dumpread (built from the product's own
crypto/ and accounts/account.c) unwraps the account's key with the password and
tries every seal in the dump and the old grant of the case-handling key; it
prints the cases whose report content opens, and those of them whose
reporter's follow-up messages (sealed by hotlined to the case's key) open.

The set must equal exactly what the rules let that person read:
  compliance  every case (here: none recused)
  director    the appeals routed to them (not referred to a unit) that
              do not name the director
  alternate   the cases that name the director
  commission  the case whose commission they sit on (not the one where
              they declared an interest)
  analyst, admin, operator, registrar, custodian: none.

The administrator with puppet accounts gets nothing either: accounts they
add with privileged roles, and a real compliance manager's account they
reset and activate with the code, hold no seal until a second person
confirms the roles, so their passwords open no case from a dump.

The same harness shows the design before per-case keys failing: in a
database of that form (every case key sealed to one case-handling key,
granted to compliance, director, alternate and commission) the commission
member's password opens a case that names the director and has no
commission. `hotlinectl case reseal` then moves it to per-case keys and the
exact sets hold again."""
import os
import subprocess
from pathlib import Path

import pytest

from conftest import BUILD, hotlinectl
from helpers import marker, submit
from staff_fixture import STAFF_PASSWORD, StaffClient, activation_code

DUMPREAD = Path(BUILD) / "tests" / "dumpread"
PGBIN = Path(os.environ.get("PGBIN", "/usr/lib/postgresql/15/bin"))
ROLES = ["compliance", "director", "alternate", "commission", "analyst", "admin", "operator",
         "registrar", "custodian"]


def ctl(hl, *args):
    p = hotlinectl(*args, "--database", hl.admin_conninfo)
    assert p.returncode == 0, f"hotlinectl {' '.join(map(str, args))}:\n{p.stdout}{p.stderr}"
    return p


def almaty_today(hl):
    """The order's date is checked against the decision's, made today in
    Asia/Almaty (UTC+5): by the database's clock, not the host's date."""
    return hl.query("SELECT to_char((now() AT TIME ZONE 'Asia/Almaty')::date, 'YYYY-MM-DD')")[0][0]


def investigate(hl, keys, reg_no, member):
    ctl(hl, "case", "decide", reg_no, "investigate", "--doc", "resolution 1")
    ctl(hl, "investigation", "order", reg_no, "--order-no", "7-k", "--order-date",
        almaty_today(hl), "--member", member,
        "--case-key", str(keys.case_sec), "--passphrase-file", str(keys.passphrase_file))


def follow_up(hl, rec):
    """A reporter's follow-up through /status: its key is sealed to the
    case's own key by hotlined."""
    r = hl.post_form("/status/message", {"receipt": rec.receipt, "lang": "en",
                                         "message": "More details " + marker("f")})
    assert r.status == 303, r.body[:300]


WITH_MESSAGES = ("names_director", "commission")


def build_cases(hl, keys):
    """A realistic set of cases; returns {name: reg_no}."""
    c = {}
    recs = {}
    c["untriaged"] = submit(hl, what="Before triage " + marker("u")).reg_no
    c["anonymous"] = submit(hl, what="Anonymous kickback " + marker("a")).reg_no
    ctl(hl, "case", "triage", c["anonymous"], "corruption")
    c["named"] = submit(hl, what="Named report " + marker("n"), identity="named",
                        name="Reporter " + marker("r"), phone="+77015550000").reg_no
    ctl(hl, "case", "triage", c["named"], "corruption")
    recs["names_director"] = submit(hl, what="The director takes bribes " + marker("d"),
                                    director_involved="yes")
    c["names_director"] = recs["names_director"].reg_no
    ctl(hl, "case", "triage", c["names_director"], "corruption", "--director-named", "yes")
    c["referred"] = submit(hl, what="A matter for HR " + marker("h")).reg_no
    ctl(hl, "case", "triage", c["referred"], "not_corruption", "--unit", "HR department")
    recs["commission"] = submit(hl, what="Procurement fraud " + marker("p"))
    c["commission"] = recs["commission"].reg_no
    ctl(hl, "case", "triage", c["commission"], "corruption")
    investigate(hl, keys, c["commission"], "Test Commission|member|commission")
    c["recused"] = submit(hl, what="Warehouse theft " + marker("w")).reg_no
    ctl(hl, "case", "triage", c["recused"], "corruption")
    investigate(hl, keys, c["recused"], "Test Commission|member|commission")
    ctl(hl, "case", "declare-interest", c["recused"], "Test Commission")
    for name in WITH_MESSAGES:
        follow_up(hl, recs[name])
    return c


def expected(c):
    every = set(c.values())
    return {
        "compliance": every,
        # the appeals routed to the director: not the one referred to a unit
        "director": {c["anonymous"], c["named"], c["commission"], c["recused"]},
        "alternate": {c["names_director"]},
        "commission": {c["commission"]},
        "analyst": set(), "admin": set(), "operator": set(), "registrar": set(),
        "custodian": set(),
    }


def dump_and_restore(hl, name):
    """pg_dump of the test database restored into a fresh one; its conninfo."""
    dump = subprocess.run([str(PGBIN / "pg_dump"), "-Fc", "-h", str(hl.cluster.run_dir),
                           "-U", "postgres", hl.dbname], capture_output=True, check=True).stdout
    hl.cluster.createdb(name)
    subprocess.run([str(PGBIN / "pg_restore"), "-h", str(hl.cluster.run_dir), "-U", "postgres",
                    "-d", name, "--no-owner"], input=dump, capture_output=True, check=False)
    return hl.cluster.conninfo(name)


def read_both(conninfo, login, pwfile):
    """(cases whose content opens, cases one of whose messages opens)."""
    p = subprocess.run([str(DUMPREAD), conninfo, login, str(pwfile)], capture_output=True,
                       text=True, timeout=300)
    assert p.returncode == 0, p.stderr
    words = p.stdout.split()
    return ({w for w in words if not w.startswith("m:")},
            {w[2:] for w in words if w.startswith("m:")})


def readable(conninfo, login, pwfile):
    return read_both(conninfo, login, pwfile)[0]


def assert_exact(ci, c, pwfile):
    """Each role opens exactly its cases, and the follow-up messages of
    exactly those of them that have one."""
    want = expected(c)
    with_msgs = {c[n] for n in WITH_MESSAGES}
    got = {role: read_both(ci, role, pwfile) for role in ROLES}
    assert {role: g[0] for role, g in got.items()} == want
    assert {role: g[1] for role, g in got.items()} == \
        {role: want[role] & with_msgs for role in ROLES}


@pytest.fixture
def pwfile(tmp_path):
    f = tmp_path / "password"
    f.write_text(STAFF_PASSWORD + "\n")
    return f


def test_each_role_reads_exactly_its_cases_from_a_dump(staff_hotline, keys, pwfile):
    if not DUMPREAD.exists():
        pytest.fail(f"not built: {DUMPREAD} (make integration builds it)", pytrace=False)
    hl = staff_hotline
    c = build_cases(hl, keys)
    ci = dump_and_restore(hl, hl.dbname + "_dump")
    assert_exact(ci, c, pwfile)


def test_the_old_design_leaks_and_reseal_fixes_it(staff_hotline, keys, pwfile):
    if not DUMPREAD.exists():
        pytest.fail(f"not built: {DUMPREAD} (make integration builds it)", pytrace=False)
    hl = staff_hotline
    c = build_cases(hl, keys)
    ci = dump_and_restore(hl, hl.dbname + "_old")
    # the database as the design before migration 0018 left it
    p = subprocess.run([str(DUMPREAD), "--downgrade", ci, str(keys.case_sec),
                        str(keys.passphrase_file)], capture_output=True, text=True)
    assert p.returncode == 0, p.stderr
    old, old_msgs = read_both(ci, "commission", pwfile)
    # the commission member opens a case that names the director and has no
    # commission, and its reporter's messages: the need to know existed in
    # the pages only
    assert c["names_director"] in old and c["names_director"] in old_msgs
    assert old == set(c.values())
    assert readable(ci, "analyst", pwfile) == set()

    p = hotlinectl("case", "reseal", "--case-key", str(keys.case_sec), "--passphrase-file",
                   str(keys.passphrase_file), "--database", ci)
    assert p.returncode == 0, p.stdout + p.stderr
    assert f"{len(c)} cases resealed" in p.stdout
    assert "old grants of the case key removed" in p.stdout
    assert_exact(ci, c, pwfile)
    # idempotent: nothing left to do
    p = hotlinectl("case", "reseal", "--case-key", str(keys.case_sec), "--passphrase-file",
                   str(keys.passphrase_file), "--database", ci)
    assert p.returncode == 0 and "0 cases resealed, 0 seals made, 0 old grants" in p.stdout
    # and the recovery key still opens a resealed case
    show = hotlinectl("case", "show", c["names_director"], "--database", ci, "--case-key",
                      str(keys.case_sec), "--passphrase-file", str(keys.passphrase_file))
    assert show.returncode == 0 and "The director takes bribes" in show.stdout


def test_the_administrators_puppets_read_nothing(staff_hotline, keys, pwfile):
    """The admin adds a compliance manager and a director of their own and
    activates them with the codes the page shows, resets the real
    compliance manager and activates that account too, then waits for
    the seals a compliance session makes: the dump opens nothing for any
    of them, while the real director still reads the routed cases."""
    if not DUMPREAD.exists():
        pytest.fail(f"not built: {DUMPREAD} (make integration builds it)", pytrace=False)
    hl = staff_hotline
    c = build_cases(hl, keys)
    a = StaffClient(hl)
    a.login_as("admin")
    for login, role in (("puppet-c", "compliance"), ("puppet-d", "director")):
        r = a.post("/staff/admin/users/add", [("login", login), ("name", f"Puppet {role}"),
                                              ("roles", role)])
        assert r.status == 200, r.body[:400]
        code = activation_code(r.body)
        assert StaffClient(hl).activate(login, code, STAFF_PASSWORD).status == 200
    # a compliance session makes every seal its holder can: none of these
    StaffClient(hl).login_as("compliance")
    r = a.post("/staff/admin/user/reset", {"login": "compliance"})
    assert r.status == 200, r.body[:400]
    code = activation_code(r.body)
    assert StaffClient(hl).activate("compliance", code, STAFF_PASSWORD).status == 200
    ci = dump_and_restore(hl, hl.dbname + "_puppets")
    for login in ("puppet-c", "puppet-d", "compliance", "admin"):
        assert read_both(ci, login, pwfile) == (set(), set()), login
    assert readable(ci, "director", pwfile) == expected(c)["director"]
