"""A database dump is no password oracle (issue 14; docs/staff.md, "Accounts
and keys"): an account's key is wrapped under BLAKE2b keyed with the server
secret (account_secret_file, never in the database) of Argon2id(password) at
least at the moderate preset by default, and no password hash is stored.
An account of the old form (before migration 0019) logs in once more and is
wrapped again at that login. tests/tools/account_probe.c tries what a dump
allows with the product's own functions."""
import os
import subprocess

from conftest import BUILD, HOTLINECTL, run
from helpers import marker, submit
from staff_fixture import STAFF_PASSWORD, StaffClient, activation_code

PROBE = BUILD / "tests" / "account_probe"
MODERATE_OPS, MODERATE_MEM = 3, 256 << 20


def dump_row(hl, login):
    """The account's columns as a dump shows them."""
    return hl.query(
        "SELECT encode(kek_salt, 'hex'), encode(secret_key_wrapped, 'hex'), kdf_version, "
        "coalesce(kdf_opslimit, 0), coalesce(kdf_memlimit, 0), password_hash, "
        "encode(totp_wrapped, 'hex') FROM hotline.staff_users WHERE login = %s", (login,))[0]


def key_column(hl, login):
    """The KEY column of `hotlinectl user list` for login."""
    out = run([HOTLINECTL, "user", "list", "--database", hl.admin_conninfo]).stdout
    return [l.split()[-1] for l in out.splitlines() if l.split()[0] == login][0]


def probe_open(password, row, secret_file=None):
    """True when password opens the row's key (with the secret, or with
    everything a dump alone allows)."""
    salt, wrapped, version, ops, mem = row[:5]
    cmd = [PROBE, "open", password, salt, wrapped, str(version), str(ops), str(mem)]
    if secret_file:
        cmd.append(secret_file)
    p = subprocess.run([str(c) for c in cmd], capture_output=True, text=True, timeout=120)
    assert p.returncode in (0, 1), f"account_probe: {p.returncode} {p.stderr}"
    return p.returncode == 0


def test_default_limits_and_a_dump_without_the_secret(make_staff_hotline, keys):
    # hotlined and hotlinectl with their defaults (the tests' fast preset off)
    hl = make_staff_hotline(account_kdf=None)
    env = {k: v for k, v in os.environ.items() if k != "HOTLINE_ACCOUNT_KDF"}
    p = subprocess.run([str(HOTLINECTL), "user", "add", "clerk", "--name", "A Clerk",
                        "--roles", "operator", "--database", hl.admin_conninfo],
                       input="", capture_output=True, text=True, env=env, timeout=120)
    assert p.returncode == 0, p.stderr
    # not activated yet: no key, no hash, already form 2 at the limits its
    # activation will use (migration 0020 writes them)
    assert dump_row(hl, "clerk")[:6] == (None, None, 2, MODERATE_OPS, MODERATE_MEM, None)
    assert key_column(hl, "clerk") == "-"
    code = activation_code(p.stdout)
    p = subprocess.run([str(HOTLINECTL), "user", "activate", "clerk", "--database",
                        hl.admin_conninfo], input=f"{code}\na clerk's long password\n",
                       capture_output=True, text=True, env=env, timeout=120)
    assert p.returncode == 0, p.stderr
    row = dump_row(hl, "clerk")
    assert key_column(hl, "clerk") == "t=3,m=256M"
    assert row[2] == 2 and row[3] >= MODERATE_OPS and row[4] >= MODERATE_MEM, row
    assert row[5] is None, "a password hash is stored"
    # the dump and the right password: nothing opens without the secret
    assert not probe_open("a clerk's long password", row)
    assert probe_open("a clerk's long password", row, keys.account_secret)
    assert not probe_open("a clerk's long passworD", row, keys.account_secret)
    r = StaffClient(hl).login_as("clerk", "a clerk's long password", code="", check=False)
    assert r.status == 303, r.status

    # hotlinectl without the secret derives nothing
    env.pop("HOTLINE_ACCOUNT_SECRET", None)
    p = subprocess.run([str(HOTLINECTL), "user", "reset", "clerk", "--database",
                        hl.admin_conninfo], input="another long password\n",
                       capture_output=True, text=True, env=env, timeout=120)
    assert p.returncode != 0 and "account-secret" in p.stderr, p.stderr
    assert dump_row(hl, "clerk")[1] == row[1], "reset without the secret"


def test_old_form_logs_in_once_and_is_wrapped_again(make_staff_hotline, keys):
    """An account as it was before migration 0019 (a password hash, a kek
    without the server secret: a dump tests guesses) still logs in, with
    its second factor and its case key, and leaves the login in the new
    form at hotlined's default limits."""
    hl = make_staff_hotline(account_kdf=None)
    # a case sealed to the compliance manager's key, read after the upgrade
    what = "Read through a re-wrapped key " + marker("rw")
    rec = submit(hl, what=what)
    salt, wrapped, _v, ops, mem, _h, totp = dump_row(hl, "compliance")
    p = run([PROBE, "downgrade", STAFF_PASSWORD, salt, wrapped, ops, mem, keys.account_secret,
             totp])
    old = dict(line.split(" ", 1) for line in p.stdout.splitlines())
    # the row as migration 0019 found it (its trigger refuses to make a new
    # kek of form 1, so it is off for this)
    hl.query("ALTER TABLE hotline.staff_users DISABLE TRIGGER staff_users_kek_form")
    hl.query("UPDATE hotline.staff_users SET password_hash = %s, kek_salt = %s::bytea, "
             "secret_key_wrapped = %s::bytea, totp_wrapped = %s::bytea, kdf_version = 1, "
             "kdf_opslimit = NULL, kdf_memlimit = NULL WHERE login = 'compliance'",
             (old["hash"], old["salt"], old["sk"], old["totp"]))
    hl.query("ALTER TABLE hotline.staff_users ENABLE TRIGGER staff_users_kek_form")
    before = dump_row(hl, "compliance")
    assert before[2] == 1
    # the old design: the dump and a guess suffice
    assert probe_open(STAFF_PASSWORD, before)
    assert key_column(hl, "compliance") == "old"

    assert StaffClient(hl).login_as("compliance", "not the password", check=False).status == 401
    assert dump_row(hl, "compliance")[2] == 1, "a wrong password changed the account"
    c = StaffClient(hl)
    c.login_as("compliance")  # with its TOTP code
    assert what in c.get(f"/staff/case/{rec.reg_no}").body, "the case's seal did not open"
    after = dump_row(hl, "compliance")
    assert after[2] == 2 and after[5] is None, after
    assert after[3] >= MODERATE_OPS and after[4] >= MODERATE_MEM, after
    assert after[0] != before[0] and after[6] != before[6]
    assert not probe_open(STAFF_PASSWORD, after)
    assert probe_open(STAFF_PASSWORD, after, keys.account_secret)
    assert key_column(hl, "compliance") == "t=3,m=256M"
    # a new kek of form 1 is refused by the database
    import psycopg2
    try:
        hl.query("UPDATE hotline.staff_users SET kek_salt = %s::bytea, kdf_version = 1, "
                 "password_hash = 'x', kdf_opslimit = NULL, kdf_memlimit = NULL "
                 "WHERE login = 'compliance'", (old["salt"],))
        raise AssertionError("a form-1 kek was written")
    except psycopg2.Error as e:
        assert "form 2" in str(e), e
    # the new form logs in, second factor and case key included
    c.logout()
    c2 = StaffClient(hl)
    c2.login_as("compliance")
    assert 'id="case-key"' in c2.get("/staff/").body


def test_hotlined_refuses_a_missing_or_readable_secret(make_hotline, tmp_path, keys):
    hl = make_hotline(start=False, account_secret_file=None)
    hl.start(wait=False)
    assert hl.wait_exit() != 0
    assert "account_secret_file" in hl.log()
    readable = tmp_path / "account.secret"
    readable.write_text(keys.account_secret.read_text())
    os.chmod(readable, 0o640)
    hl = make_hotline(start=False, account_secret_file=readable)
    hl.start(wait=False)
    assert hl.wait_exit() != 0
    assert "readable by others" in hl.log()
