"""Per-case seals (docs/keys.md, "Per-case keys and seals") in the running
product: who holds a seal when, and that removing someone removes them.

- A case is sealed at registration to the compliance managers and to the
  recovery key, to nobody else.
- A triage done by hotlinectl without the recovery key leaves the director's
  seal missing; the page says the content is not available to them; the next
  compliance login makes the seal, and the director reads the case; a
  compliance manager already logged in makes it within seconds (the sweep).
- A role dropped, an account disabled or reset: their seals go in the same
  transaction.
- `hotlinectl user grant-cases` is gone, and says what replaced it."""
import os

from conftest import HOTLINECTL, run
from helpers import element_text, marker, submit
from staff_fixture import StaffClient


def ctl(hl, *args, with_key=True, ok=True):
    env = dict(os.environ)
    if not with_key:
        env.pop("HOTLINE_CASE_KEY", None)
        env.pop("HOTLINE_CASE_PASSPHRASE_FILE", None)
    p = run([HOTLINECTL, *args, "--database", hl.admin_conninfo], check=False, env=env)
    if ok:
        assert p.returncode == 0, f"hotlinectl {' '.join(map(str, args))}:\n{p.stdout}{p.stderr}"
    return p


def holders(hl, reg_no):
    rows = hl.query("SELECT u.login, s.why FROM hotline.case_seals s "
                    "JOIN hotline.staff_users u ON u.id = s.user_id "
                    "JOIN hotline.cases c ON c.id = s.case_id "
                    "JOIN hotline.journal j ON j.id = c.journal_id WHERE j.reg_no = %s", (reg_no,))
    return dict(rows)


def test_registration_seals_to_compliance_and_recovery_only(staff_hotline):
    hl = staff_hotline
    rec = submit(hl, what="Sealed at registration " + marker("s"))
    assert holders(hl, rec.reg_no) == {"compliance": "compliance"}
    row = hl.query("SELECT length(case_public_key), length(recovery_sealed), "
                   "content_key_resealed IS NULL FROM hotline.cases c "
                   "JOIN hotline.journal j ON j.id = c.journal_id WHERE j.reg_no = %s",
                   (rec.reg_no,))
    assert row == [(32, 80, True)]


def test_a_step_without_the_key_waits_for_a_compliance_session(staff_hotline):
    hl = staff_hotline
    what = "Waits for a seal " + marker("w")
    rec = submit(hl, what=what)
    ctl(hl, "case", "triage", rec.reg_no, "corruption", with_key=False)
    assert "director" not in holders(hl, rec.reg_no)
    missing = hl.query("SELECT u.login FROM hotline.case_seals_missing m "
                       "JOIN hotline.staff_users u ON u.id = m.user_id")
    assert missing == [("director",)]
    director = StaffClient(hl)
    director.login_as("director")
    page = director.get(f"/staff/case/{rec.reg_no}")
    assert page.status == 200  # the metadata is the director's to see
    assert what not in page.body
    assert "sealed to its readers" in page.body or "зашифровано" in page.body
    comp = StaffClient(hl)
    comp.login_as("compliance")  # the login makes the missing seal
    assert holders(hl, rec.reg_no)["director"] == "director"
    granted = hl.query("SELECT g.login FROM hotline.case_seals s JOIN hotline.staff_users g "
                       "ON g.id = s.granted_by JOIN hotline.staff_users u ON u.id = s.user_id "
                       "WHERE u.login = 'director'")
    assert granted == [("compliance",)]
    # giving someone a case is audited like a role grant (migration 0024)
    audit = hl.query("SELECT login, object FROM hotline.audit_log WHERE action = 'case.seal'")
    assert audit == [("compliance", f"{rec.reg_no}/seal/director")]
    assert what in element_text(director.get(f"/staff/case/{rec.reg_no}").body, "content")


def test_a_referred_appeal_is_not_the_directors(staff_hotline):
    """Only the appeals routed to the director are sealed to them: one
    referred to a unit stays with compliance (migration 0024)."""
    hl = staff_hotline
    rec = submit(hl, what="For the HR department " + marker("hr"))
    ctl(hl, "case", "triage", rec.reg_no, "not_corruption", "--unit", "HR department")
    assert holders(hl, rec.reg_no) == {"compliance": "compliance"}
    assert hl.query("SELECT count(*) FROM hotline.case_seals_missing") == [(0,)]


def test_removing_someone_removes_their_seals(staff_hotline):
    hl = staff_hotline
    rec = submit(hl, what="Removal " + marker("r"))
    ctl(hl, "case", "triage", rec.reg_no, "corruption")
    assert set(holders(hl, rec.reg_no)) == {"compliance", "director"}
    ctl(hl, "user", "roles", "director", "analyst")  # the role dropped
    assert set(holders(hl, rec.reg_no)) == {"compliance"}
    ctl(hl, "user", "disable", "compliance")
    assert holders(hl, rec.reg_no) == {}
    # the recovery key still opens it, and a new compliance manager gets it
    ctl(hl, "user", "enable", "compliance")
    ctl(hl, "case", "ack", rec.reg_no, ok=False)  # any later step by hotlinectl
    ctl(hl, "case", "declare-interest", rec.reg_no, "Somebody Else")
    assert set(holders(hl, rec.reg_no)) == {"compliance"}
    ctl(hl, "user", "reset", "compliance")  # a new key pair: old seals open nothing
    assert holders(hl, rec.reg_no) == {}


def test_grant_cases_is_gone(staff_hotline, keys):
    p = ctl(staff_hotline, "user", "grant-cases", "analyst", "--case-key", str(keys.case_sec),
            "--passphrase-file", str(keys.passphrase_file), ok=False)
    assert p.returncode == 2 and "case reseal" in p.stderr


def test_a_logged_in_compliance_manager_seals_in_the_background(staff_hotline):
    """The worker's sweep (every 10 s, staff/seals.c) makes the seal with the
    key of a live session: nobody has to log in or post anything."""
    import time
    hl = staff_hotline
    rec = submit(hl, what="Background seal " + marker("b"))
    comp = StaffClient(hl)
    comp.login_as("compliance")
    ctl(hl, "case", "triage", rec.reg_no, "corruption", with_key=False)
    assert "director" not in holders(hl, rec.reg_no)
    deadline = time.monotonic() + 25
    while "director" not in holders(hl, rec.reg_no) and time.monotonic() < deadline:
        time.sleep(0.5)
    assert holders(hl, rec.reg_no).get("director") == "director"
    assert hl.query("SELECT count(*) FROM hotline.case_seals_due")[0][0] == 0
