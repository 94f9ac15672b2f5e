"""Revealing a reporter's identity (docs/reveal.md, staff/identity.c,
workflow/reveal.c) against the real hotlined and PostgreSQL: a request with
its reason, the approval of a second person, the custodian's passphrase;
refused without approval, on self-approval, by the wrong approver, on a
wrong passphrase (audited, then slowed down); the reporter's /status tells
them from the approval on; the identity appears only on the custodian's
page, never in the database in clear, the audit log or the daemon's log."""
import random
import re

from conftest import PASSPHRASE, hotlinectl
from helpers import by_id, element_text, marker, submit
from staff_fixture import StaffClient, audit_rows, confirm_role


def ctl(hl, *args):
    p = hotlinectl(*args, "--database", hl.admin_conninfo)
    assert p.returncode == 0, f"hotlinectl {' '.join(map(str, args))}:\n{p.stdout}{p.stderr}"
    return p


def start(make_staff_hotline, keys, **cfg):
    return make_staff_hotline(custodian_secret_key=str(keys.custodian_sec), **cfg)


def named_case(hl, **over):
    name, phone = "Reporter " + marker("n"), "+7701" + str(random.randrange(10**6, 10**7))
    rec = submit(hl, identity="named", name=name, phone=phone, email="rep@example.kz", **over)
    ctl(hl, "case", "triage", rec.reg_no, "corruption")
    return rec, name, phone


def login(hl, who):
    c = StaffClient(hl)
    c.login_as(who)
    return c


def ask(client, reg_no, reason="Needed as a witness under art. 8 of the Law " + marker("r"),
        as_role="compliance"):
    r = client.post("/staff/reveal/new", {"case": reg_no, "as": as_role, "reason": reason})
    assert r.status == 303, f"{r.status} {r.body[:600]}"
    m = re.fullmatch(r"/staff/reveal/(\d+)", r.location)
    assert m, r.location
    return m.group(1)


def status_page(hl, rec):
    r = hl.post_form("/status", {"receipt": rec.receipt, "lang": "en"})
    assert r.status == 200
    return r


def actions(hl, rid=None):
    return [(a["login"], a["action"]) for a in audit_rows(hl)
            if a["action"].startswith("reveal.") and (rid is None or a["object"].endswith(
                "/reveal/" + rid))]


def test_the_whole_way_with_approval(make_staff_hotline, keys):
    hl = start(make_staff_hotline, keys)
    rec, name, phone = named_case(hl)
    comp, director, custodian = login(hl, "compliance"), login(hl, "director"), login(hl, "custodian")
    reason = "The reporter must be heard as a witness (art. 8) " + marker("r")
    rid = ask(comp, rec.reg_no, reason)
    page = comp.get(f"/staff/reveal/{rid}")
    assert page.status == 200 and element_text(page.body, "reason") == reason
    assert by_id(page.body, "reveal-state").attrs["data-state"] == "requested"
    # asked for only: the reporter is not told yet, there is nothing decided
    assert by_id(status_page(hl, rec).body, "identity-notice") is None

    # no approval: the custodian is refused, and it is recorded
    r = custodian.post(f"/staff/reveal/open/{rid}", {"passphrase": PASSPHRASE})
    assert r.status == 422 and by_id(r.body, "error") is not None
    assert name not in r.body and phone not in r.body
    assert ("custodian", "reveal.refused") in actions(hl, rid)

    # the second person approves: the reporter sees it from now on
    page = director.get(f"/staff/reveal/{rid}")
    assert page.status == 200 and by_id(page.body, "approve") is not None
    r = director.post(f"/staff/reveal/decide/{rid}", {"do": "approve"})
    assert r.status == 303
    notice = by_id(status_page(hl, rec).body, "identity-notice")
    assert notice is not None
    text = notice.clean_text()
    day = hl.query("SELECT to_char(decided_at AT TIME ZONE 'Asia/Almaty', 'YYYY-MM-DD') FROM "
                   "hotline.identity_reveals")[0][0]
    assert "will be revealed to the compliance manager" in text and day in text
    assert "was revealed" not in text
    # in the reporter's language too
    ru = hl.post_form("/status", {"receipt": rec.receipt, "lang": "ru"})
    assert "комплаенс-офицеру" in by_id(ru.body, "identity-notice").clean_text()

    # a wrong passphrase: refused, audited, counted
    r = custodian.post(f"/staff/reveal/open/{rid}", {"passphrase": "not the passphrase"})
    assert r.status == 403 and by_id(r.body, "error") is not None
    assert name not in r.body
    assert ("custodian", "reveal.wrong_passphrase") in actions(hl, rid)
    assert hl.query("SELECT failures FROM hotline.reveal_failures") == [(1,)]
    assert hl.query("SELECT state FROM hotline.identity_reveals") == [("approved",)]

    # the right one: the custodian reads the identity, once
    r = custodian.post(f"/staff/reveal/open/{rid}", {"passphrase": PASSPHRASE})
    assert r.status == 200, r.body[:800]
    ident = by_id(r.body, "identity")
    assert ident is not None
    assert name in ident.text() and phone in ident.text() and "rep@example.kz" in ident.text()
    assert "no-store" in (r.headers.get("Cache-Control") or "")
    assert hl.query("SELECT failures FROM hotline.reveal_failures") == []
    assert hl.query("SELECT state, revealed_by IS NOT NULL FROM hotline.identity_reveals") == \
        [("revealed", True)]
    # not again through the same request
    r = custodian.post(f"/staff/reveal/open/{rid}", {"passphrase": PASSPHRASE})
    assert r.status == 422 and name not in r.body

    text = by_id(status_page(hl, rec).body, "identity-notice").clean_text()
    assert re.search(r"was revealed to the compliance manager on \d{4}-\d{2}-\d{2}", text)
    # the requester's page says when, not what
    page = comp.get(f"/staff/reveal/{rid}")
    assert by_id(page.body, "reveal-state").attrs["data-state"] == "revealed"
    assert name not in page.body and phone not in page.body

    steps = actions(hl, rid)
    for step in (("compliance", "reveal.request"), ("director", "reveal.approve"),
                 ("custodian", "reveal.open")):
        assert step in steps
    for a in audit_rows(hl):
        assert name not in a["object"] and reason not in a["object"]
    log = hl.log()
    assert name not in log and phone not in log and PASSPHRASE not in log
    dump = hl.query("SELECT row_to_json(r)::text FROM hotline.identity_reveals r")[0][0]
    assert name not in dump and phone not in dump
    p = hotlinectl("audit", "verify", "--database", hl.admin_conninfo)
    assert p.returncode == 0, p.stdout + p.stderr


def test_self_approval_and_the_wrong_approver_are_refused(make_staff_hotline, keys):
    hl = start(make_staff_hotline, keys)
    # the director who is also a compliance manager asks, then tries to approve
    ctl(hl, "user", "roles", "director", "director,compliance")
    # a privileged role waits for a second person (migration 0020)
    assert confirm_role(hl.admin_conninfo, "director", "compliance").returncode == 0
    rec, name, _ = named_case(hl)
    director = login(hl, "director")
    rid = ask(director, rec.reg_no)
    r = director.post(f"/staff/reveal/decide/{rid}", {"do": "approve"})
    assert r.status == 403 and by_id(r.body, "error") is not None
    r = director.post(f"/staff/reveal/decide/{rid}", {"do": "reject"})
    assert r.status == 403
    assert hl.query("SELECT state FROM hotline.identity_reveals") == [("requested",)]
    assert ("director", "reveal.refused") in actions(hl, rid)
    assert by_id(status_page(hl, rec).body, "identity-notice") is None

    # the alternate does not decide a case that does not name the director
    alternate = login(hl, "alternate")
    r = alternate.post(f"/staff/reveal/decide/{rid}", {"do": "approve"})
    assert r.status == 404
    # roles that may not decide at all
    for who in ("compliance", "commission", "custodian", "operator"):
        c = login(hl, who)
        assert c.post(f"/staff/reveal/decide/{rid}", {"do": "approve"}).status == 403, who
    assert hl.query("SELECT state FROM hotline.identity_reveals") == [("requested",)]


def test_a_case_naming_the_director_goes_to_the_alternate(make_staff_hotline, keys):
    hl = start(make_staff_hotline, keys)
    rec, name, _ = named_case(hl, director_involved="yes")
    comp, director, alternate = login(hl, "compliance"), login(hl, "director"), login(hl, "alternate")
    rid = ask(comp, rec.reg_no)
    # the director never sees a case that names the director
    assert director.get(f"/staff/reveal/{rid}").status == 404
    assert rec.reg_no not in director.get("/staff/reveal").body
    assert director.post(f"/staff/reveal/decide/{rid}", {"do": "approve"}).status == 404
    r = alternate.post(f"/staff/reveal/decide/{rid}", {"do": "reject"})
    assert r.status == 303
    assert hl.query("SELECT state, decider_role FROM hotline.identity_reveals") == \
        [("rejected", "alternate")]
    assert ("alternate", "reveal.reject") in actions(hl, rid)
    # rejected: the reporter is not told anything, and the custodian cannot open it
    assert by_id(status_page(hl, rec).body, "identity-notice") is None
    custodian = login(hl, "custodian")
    r = custodian.post(f"/staff/reveal/open/{rid}", {"passphrase": PASSPHRASE})
    assert r.status in (404, 422) and name not in r.body
    # a new request may follow the rejected one
    ask(comp, rec.reg_no)


def test_wrong_passphrases_slow_the_custodian_down(make_staff_hotline, keys):
    hl = start(make_staff_hotline, keys)
    rec, name, _ = named_case(hl)
    comp, director, custodian = login(hl, "compliance"), login(hl, "director"), login(hl, "custodian")
    rid = ask(comp, rec.reg_no)
    assert director.post(f"/staff/reveal/decide/{rid}", {"do": "approve"}).status == 303
    for i in range(3):
        r = custodian.post(f"/staff/reveal/open/{rid}", {"passphrase": f"wrong {i}"})
        assert r.status == 403, i
    # the fourth comes too early: not even tried, the right passphrase neither
    r = custodian.post(f"/staff/reveal/open/{rid}", {"passphrase": PASSPHRASE})
    assert r.status == 429 and name not in r.body
    assert re.search(r"\b1[0-5]\b", element_text(r.body, "error"))
    steps = actions(hl, rid)
    assert steps.count(("custodian", "reveal.wrong_passphrase")) == 3
    assert ("custodian", "reveal.slowed") in steps
    assert hl.query("SELECT state FROM hotline.identity_reveals") == [("approved",)]
    # once the wait is over (moved back in the database rather than slept)
    hl.query("UPDATE hotline.reveal_failures SET last_failure_at = now() - interval '1 minute'")
    r = custodian.post(f"/staff/reveal/open/{rid}", {"passphrase": PASSPHRASE})
    assert r.status == 200 and name in by_id(r.body, "identity").text()


def test_requests_are_refused_where_they_make_no_sense(make_staff_hotline, keys):
    hl = start(make_staff_hotline, keys)
    anon = submit(hl)  # anonymous: nothing sealed to reveal
    rec, _, _ = named_case(hl)
    comp = login(hl, "compliance")
    r = comp.post("/staff/reveal/new", {"case": anon.reg_no, "as": "compliance",
                                       "reason": "x"})
    assert r.status == 422 and by_id(r.body, "error") is not None
    r = comp.post("/staff/reveal/new", {"case": rec.reg_no, "as": "compliance", "reason": "  "})
    assert r.status == 422
    r = comp.post("/staff/reveal/new", {"case": "2026-999999", "as": "compliance",
                                       "reason": "x"})
    assert r.status == 422
    # not as a role one does not hold
    r = comp.post("/staff/reveal/new", {"case": rec.reg_no, "as": "commission", "reason": "x"})
    assert r.status == 422
    # a commission member only on a case whose commission they sit on
    com = login(hl, "commission")
    r = com.post("/staff/reveal/new", {"case": rec.reg_no, "as": "commission", "reason": "x"})
    assert r.status == 422
    assert hl.query("SELECT count(*) FROM hotline.identity_reveals") == [(0,)]
    # one open request per case
    ask(comp, rec.reg_no)
    r = comp.post("/staff/reveal/new", {"case": rec.reg_no, "as": "compliance",
                                       "reason": "again"})
    assert r.status == 422
    # escaped where it is shown back
    r = comp.post("/staff/reveal/new", {"case": anon.reg_no, "as": "compliance",
                                       "reason": "<script>alert(1)</script>"})
    assert "<script>alert(1)</script>" not in r.body and "&lt;script&gt;" in r.body


def test_the_commission_asks_about_its_own_case(make_staff_hotline, keys):
    hl = start(make_staff_hotline, keys)
    rec, name, _ = named_case(hl)
    ctl(hl, "case", "decide", rec.reg_no, "investigate")
    today = hl.query("SELECT to_char((now() AT TIME ZONE 'Asia/Almaty')::date, "
                     "'YYYY-MM-DD')")[0][0]
    ctl(hl, "investigation", "order", rec.reg_no, "--order-no", "3", "--order-date",
        today, "--member", "Test Commission|member|commission", "--case-key",
        str(keys.case_sec), "--passphrase-file", str(keys.passphrase_file))
    com, director, custodian = login(hl, "commission"), login(hl, "director"), login(hl, "custodian")
    page = com.get("/staff/commission/" + rec.reg_no)
    assert by_id(page.body, "reveal") is not None
    rid = ask(com, rec.reg_no, as_role="commission")
    assert director.post(f"/staff/reveal/decide/{rid}", {"do": "approve"}).status == 303
    notice = by_id(status_page(hl, rec).body, "identity-notice").clean_text()
    assert "will be revealed to the commission of the service investigation" in notice
    r = custodian.post(f"/staff/reveal/open/{rid}", {"passphrase": PASSPHRASE})
    assert r.status == 200 and name in r.body
    notice = by_id(status_page(hl, rec).body, "identity-notice").clean_text()
    assert "was revealed to the commission of the service investigation" in notice
    # the commission's own page never shows it
    assert name not in com.get("/staff/commission/" + rec.reg_no).body
    assert name not in com.get(f"/staff/reveal/{rid}").body


def test_a_request_waits_for_the_triage(make_staff_hotline, keys):
    """Issue 14: before triage nobody has decided whether the director or
    the alternate approves, and the director sees no appeal: a request on an
    untriaged appeal is refused; after the triage it goes to the director."""
    hl = start(make_staff_hotline, keys)
    rec = submit(hl, identity="named", name="Reporter " + marker("n"), phone="+77015550101",
                 director_involved="unknown")
    comp, director = login(hl, "compliance"), login(hl, "director")
    r = comp.post("/staff/reveal/new", {"case": rec.reg_no, "as": "compliance",
                                       "reason": "Needed as a witness"})
    assert r.status == 422
    assert "ещё не разобрано" in by_id(r.body, "error").clean_text()
    assert hl.query("SELECT count(*) FROM hotline.identity_reveals") == [(0,)]
    assert rec.reg_no not in director.get("/staff/reveal").body
    ctl(hl, "case", "triage", rec.reg_no, "corruption")
    rid = ask(comp, rec.reg_no)
    assert director.get(f"/staff/reveal/{rid}").status == 200
