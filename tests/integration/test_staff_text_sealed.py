"""No clear text about a case in the database (issue 14; docs/keys.md,
"Staff text"): every kind of free text the staff type about a case is
filed with its own marker through the real pages and hotlinectl; a full
pg_dump, the WAL and the daemon's log hold none of them in clear; the
case's readers see them on their pages; the custodian, the analyst and
the administrator do not. Rows written before migration 0022 show as they
are until `hotlinectl case seal-text` seals them."""
import re
from pathlib import Path

from conftest import hotlinectl
from helpers import by_id, clear_forms, element_text, marker, pg_dump, submit
from staff_fixture import StaffClient


def ctl(hl, *args, ok=True):
    p = hotlinectl(*args, "--database", hl.admin_conninfo)
    if ok:
        assert p.returncode == 0, f"hotlinectl {' '.join(map(str, args))}:\n{p.stdout}{p.stderr}"
    return p


def login(hl, who):
    c = StaffClient(hl)
    c.login_as(who)
    return c


def today(hl):
    return hl.query("SELECT (now() AT TIME ZONE 'Asia/Almaty')::date")[0][0]


def wal_bytes(hl):
    """The WAL segments of the test cluster (what a stolen disk or a base
    backup holds besides the tables)."""
    wal = Path(hl.cluster.dir) / "data" / "pg_wal"
    hl.query("SELECT pg_switch_wal()")
    return b"".join(f.read_bytes() for f in sorted(wal.iterdir())
                    if f.is_file() and re.fullmatch(r"[0-9A-F]{24}", f.name))


def test_every_staff_text_is_sealed_and_shown_only_to_readers(make_staff_hotline, keys):
    hl = make_staff_hotline(log_level="debug")
    key = ["--case-key", str(keys.case_sec), "--passphrase-file", str(keys.passphrase_file)]
    m = {
        "unit": "Unit " + marker("un"),
        "forwarded": "Agency " + marker("fw"),
        "member": "Zhaksylykov " + marker("mb"),
        "position": "Position " + marker("po"),
        "interest": "Tulegenov " + marker("in"),
        "to": "Addressee " + marker("to"),
        "what": "Materials " + marker("wh"),
        "norms": "Law art. 8 " + marker("nr"),
        "reason": "Needed as a witness " + marker("rs"),
    }
    a = submit(hl, identity="named", name="Reporter " + marker("n"), phone="+77015550000")
    b = submit(hl, identity="named", name="Other " + marker("n"), phone="+77015550001",
               category="other")
    comp, com = login(hl, "compliance"), login(hl, "commission")

    # the unit a report is referred to: the compliance manager's triage form
    r = comp.post(f"/staff/case-triage/{b.reg_no}", {"outcome": "not_corruption",
                                                     "unit": m["unit"]})
    assert r.status == 303, r.body[:600]
    # where the materials went: the case page's form, after the decision
    ctl(hl, "case", "triage", a.reg_no, "corruption")
    ctl(hl, "case", "decide", a.reg_no, "forward_and_investigate", "--doc", "resolution 1")
    r = comp.post(f"/staff/case-forwarded/{a.reg_no}", {"to": m["forwarded"]})
    assert r.status == 303, r.body[:600]
    # a declared interest and the commission, from the terminal with the case key
    ctl(hl, "case", "declare-interest", a.reg_no, m["interest"], *key)
    ctl(hl, "investigation", "order", a.reg_no, "--order-no", "7-k", "--order-date",
        today(hl).isoformat(), "--member", f"{m['member']}|{m['position']}|commission", *key)
    # the commission's request for materials and its conclusion's norms
    path = f"/staff/commission/{a.reg_no}"
    assert com.post(path, {"do": "start"}).status == 303
    r = com.post(path, {"do": "request", "to": m["to"], "what": m["what"]})
    assert r.status == 303, r.body[:600]
    r = com.post(path, {"do": "conclude", "findings": "Findings " + marker("f"),
                        "norms": m["norms"]})
    assert r.status == 303, r.body[:600]
    # the reason to reveal the reporter's identity
    r = comp.post("/staff/reveal/new", {"case": a.reg_no, "as": "compliance",
                                        "reason": m["reason"]})
    assert r.status == 303, r.body[:600]
    reveal = r.location

    # nothing in clear: the dump, the WAL, the log
    dump = pg_dump(hl)
    for k, text in m.items():
        for form in clear_forms(text):
            assert form not in dump, f"{k} marker {text!r} found in pg_dump"
    wal = wal_bytes(hl)
    assert a.reg_no.encode() in wal  # the scan sees what is stored in clear
    for k, text in m.items():
        assert text.split()[-1].encode() not in wal, f"{k} marker in the WAL"
    log = hl.log()
    for k, text in m.items():
        assert text.split()[-1] not in log, f"{k} marker in the log"

    # the case's readers read them
    page = comp.get(f"/staff/case/{b.reg_no}")
    assert element_text(page.body, "referred-unit") == m["unit"]
    page = comp.get(f"/staff/case/{a.reg_no}")
    assert element_text(page.body, "forwarded-body") == m["forwarded"]
    for k in ("member", "position", "to", "what", "norms"):
        assert m[k] in page.body, k
    page = com.get(path)
    for k in ("member", "position", "to", "what", "norms", "interest"):
        assert m[k] in page.body, k
    for who in ("compliance", "director"):
        page = login(hl, who).get(reveal)
        assert page.status == 200 and element_text(page.body, "reason") == m["reason"], who

    # the custodian, who reads no case, sees that a reason was given
    page = login(hl, "custodian").get(reveal)
    assert page.status == 200
    assert m["reason"] not in page.body and m["reason"].split()[-1] not in page.body
    sealed = by_id(page.body, "reason")
    assert sealed is not None and any("sealed" in n.classes() for n in sealed.iter())
    assert element_text(page.body, "reason").strip() != ""
    # the analyst and the administrator see none of it anywhere they go
    for who, pages in (("analyst", ["/staff/", "/staff/figures", f"/staff/case/{a.reg_no}",
                                    f"/staff/case/{b.reg_no}", reveal, path]),
                       ("admin", ["/staff/", "/staff/admin/users", f"/staff/case/{a.reg_no}",
                                  reveal, path])):
        c = login(hl, who)
        for p in pages:
            body = c.get(p).body
            for k, text in m.items():
                assert text.split()[-1] not in body, f"{who} sees {k} on {p}"


def test_legacy_clear_rows_show_then_seal_text_seals_them(make_staff_hotline, keys):
    hl = make_staff_hotline()
    key = ["--case-key", str(keys.case_sec), "--passphrase-file", str(keys.passphrase_file)]
    old = {k: f"Old {k} " + marker(k[:2]) for k in
           ("reason", "unit", "forwarded", "to", "what", "interest", "member", "position",
            "norms")}
    a = submit(hl, identity="named", name="Reporter " + marker("n"), phone="+77015550002")
    ctl(hl, "case", "triage", a.reg_no, "corruption")
    ctl(hl, "case", "decide", a.reg_no, "forward_and_investigate")
    ctl(hl, "investigation", "order", a.reg_no, "--order-no", "1", "--order-date",
        today(hl).isoformat(), "--member", "Seitov Daniyar|deputy|commission", *key)
    ctl(hl, "investigation", "start", a.reg_no)
    text = hl.workdir / "conclusion.txt"
    text.write_text("Findings.")
    ctl(hl, "investigation", "conclude", a.reg_no, "--norms", "new norms", "--text-file",
        str(text), "--case-public-key", str(keys.case_pub))
    # rows as migration 0017 left them: clear text in the old columns
    cid = hl.query("SELECT c.id FROM hotline.cases c JOIN hotline.journal j "
                   "ON j.id = c.journal_id WHERE j.reg_no = %s", (a.reg_no,))[0][0]
    iid = hl.query("SELECT id FROM hotline.investigations WHERE case_id = %s", (cid,))[0][0]
    uid = hl.query("SELECT id FROM hotline.staff_users WHERE login = 'compliance'")[0][0]
    hl.query("UPDATE hotline.cases SET referred_unit = %s, forwarded_to = %s WHERE id = %s",
             (old["unit"], old["forwarded"], cid))
    hl.query("INSERT INTO hotline.case_events (case_id, kind, detail) VALUES "
             "(%s, 'forwarded', jsonb_build_object('to', %s::text, 'by', 'compliance'))",
             (cid, old["forwarded"]))
    hl.query("INSERT INTO hotline.identity_reveals (case_id, requested_by, requester_role, "
             "reason) VALUES (%s, %s, 'compliance', %s)", (cid, uid, old["reason"]))
    hl.query("INSERT INTO hotline.material_requests (investigation_id, addressee, what, "
             "requested_on, due_date) VALUES (%s, %s, %s, current_date, current_date + 1)",
             (iid, old["to"], old["what"]))
    hl.query("INSERT INTO hotline.interest_declarations (case_id, name) VALUES (%s, %s)",
             (cid, old["interest"]))
    hl.query("INSERT INTO hotline.commission_members (investigation_id, name, position) "
             "VALUES (%s, %s, %s)", (iid, old["member"], old["position"]))
    hl.query("UPDATE hotline.investigations SET norms = %s, norms_sealed = NULL WHERE id = %s",
             (old["norms"], iid))
    rid = hl.query("SELECT id FROM hotline.identity_reveals WHERE case_id = %s", (cid,))[0][0]

    def shown():
        comp, com = login(hl, "compliance"), login(hl, "commission")
        case = comp.get(f"/staff/case/{a.reg_no}").body
        comm = com.get(f"/staff/commission/{a.reg_no}").body
        reason = element_text(comp.get(f"/staff/reveal/{rid}").body, "reason")
        return case, comm, reason

    # until a key holder seals them, the pages show them as they are
    case, comm, reason = shown()
    assert reason == old["reason"]
    assert element_text(case, "referred-unit") == old["unit"]
    assert element_text(case, "forwarded-body") == old["forwarded"]
    for k in ("to", "what", "member", "position", "norms"):
        assert old[k] in case and old[k] in comm, k
    assert old["interest"] in comm

    # the step needs the key; with it, all of them are sealed at once
    p = ctl(hl, "case", "seal-text", ok=False)
    assert p.returncode == 2 and "--case-key" in p.stderr
    p = ctl(hl, "case", "seal-text", *key)
    assert "reveal reasons: 1 sealed" in p.stdout and "commission members: 1 sealed" in p.stdout
    assert "timeline events: 1" in p.stdout
    dump = pg_dump(hl)
    for k, text in old.items():
        for form in clear_forms(text):
            assert form not in dump, f"{k} still in clear after seal-text"
    assert hl.query("SELECT count(*) FROM hotline.case_events WHERE detail ? 'to'") == [(0,)]
    # and the readers still read them
    case, comm, reason = shown()
    assert reason == old["reason"]
    assert element_text(case, "referred-unit") == old["unit"]
    assert element_text(case, "forwarded-body") == old["forwarded"]
    for k in ("to", "what", "member", "position", "norms"):
        assert old[k] in case and old[k] in comm, k
    assert old["interest"] in comm
    # once more: nothing left to seal
    p = ctl(hl, "case", "seal-text", *key)
    assert "reveal reasons: 0 sealed" in p.stdout
    # each run is audited
    assert hl.query("SELECT count(*) FROM hotline.audit_log WHERE action = 'case.seal_text'") \
        == [(2,)]
