"""Issue 14: director involvement cannot be quietly undone, and the director
sees no appeal before triage. Against the real hotlined and PostgreSQL:

- a reporter's "director involved: yes" is kept apart from the flag; the
  compliance manager cannot clear it at triage, neither on the page nor with
  `hotlinectl case triage --director-named no`;
- the alternate recipient clears it on the case page with a reason, kept as
  an encrypted note; a timeline event (who, the reporter's answer, the
  note) and an audit row record it; the director then sees the case;
- `hotlinectl case director-named REG_NO no --as LOGIN` does the same for
  an alternate's account only, the reason from a file, encrypted;
- every change of the flag by the compliance manager is a timeline event;
- the director gets 404 on an untriaged appeal ("don't know" or "no") and
  does not find it in the archive; after triage to the director, sees it."""
import json
import re
import time

from helpers import by_id, element_text, find_all, marker, submit
from staff_fixture import StaffClient, audit_rows
from conftest import hotlinectl
from smtp_fixture import wait_until
from test_procedure import ALTERNATE, COMPLIANCE, DIRECTOR, ctl, move_clock
from test_reply import about_reply, reply_deadline, settings


def flag(hl, reg_no):
    """(state, director_named, director_involved) of the case."""
    return hl.query("SELECT c.state, c.director_named, c.director_involved FROM hotline.cases c "
                    "JOIN hotline.journal j ON j.id = c.journal_id WHERE j.reg_no = %s",
                    (reg_no,))[0]


def flag_events(hl, reg_no):
    rows = hl.query("SELECT e.detail::text FROM hotline.case_events e "
                    "JOIN hotline.cases c ON c.id = e.case_id "
                    "JOIN hotline.journal j ON j.id = c.journal_id "
                    "WHERE j.reg_no = %s AND e.kind = 'director_named' ORDER BY e.id", (reg_no,))
    return [json.loads(r[0]) for r in rows]


def archive_regs(client, query=""):
    r = client.get("/staff/archive" + query)
    assert r.status == 200, r.body[:400]
    return [a.clean_text() for a in find_all(r.body, "a", "reg-no")]


def client(hl, role):
    c = StaffClient(hl)
    c.login_as(role)
    return c


def test_only_the_alternate_clears_a_reporters_yes(staff_hotline):
    hl = staff_hotline
    rec = submit(hl, director_involved="yes",
                 what="The deputy took a kickback, not the director " + marker("w"))
    comp = client(hl, "compliance")
    page = comp.get(f"/staff/case/{rec.reg_no}")
    assert page.status == 200
    assert by_id(page.body, "reporter-answer").attrs["data-answer"] == "yes"
    # the triage form offers no "no" for a reporter's "yes", and says why:
    # the one answer left says what it does (not a bare "yes")
    select = by_id(page.body, "director-named-select")
    assert [o.attrs.get("value") for o in select.iter() if o.tag == "option"] == [""]
    assert [o.clean_text() for o in select.iter() if o.tag == "option"] == \
        ["Оставить как есть: руководитель упомянут"]
    assert by_id(page.body, "director-named-locked") is not None
    # a posted "no" is refused all the same, and nothing is written
    r = comp.post(f"/staff/case-triage/{rec.reg_no}",
                  {"outcome": "corruption", "director_named": "no"})
    assert r.status == 409, r.body[:400]
    # the rule in the reader's language (Russian by default), and no English
    said = element_text(r.body, "step-error")
    assert "только альтернативный получатель" in said
    assert not re.search(r"[A-Za-z]", said), said
    assert flag(hl, rec.reg_no) == ("registered", True, "yes")
    # the terminal refuses it too, with a clear message
    p = hotlinectl("case", "triage", rec.reg_no, "corruption", "--director-named", "no",
                   "--database", hl.admin_conninfo)
    assert p.returncode == 1
    assert "only the director's alternate recipient may clear" in p.stderr, p.stderr
    assert flag(hl, rec.reg_no) == ("registered", True, "yes")
    assert flag_events(hl, rec.reg_no) == []
    # the triage itself goes through, to the alternate recipient
    r = comp.post(f"/staff/case-triage/{rec.reg_no}", {"outcome": "corruption"})
    assert r.status == 303, r.body[:400]
    assert flag(hl, rec.reg_no) == ("to_director", True, "yes")
    director = client(hl, "director")
    assert director.get(f"/staff/case/{rec.reg_no}").status == 404
    # the compliance manager has no form to clear it, nor the route
    assert by_id(comp.get(f"/staff/case/{rec.reg_no}").body, "director-clear") is None
    assert comp.post(f"/staff/case-director/{rec.reg_no}", {"reason": "x"}).status == 403
    # the director cannot either
    assert director.post(f"/staff/case-director/{rec.reg_no}", {"reason": "x"}).status == 403

    alt = client(hl, "alternate")
    page = alt.get(f"/staff/case/{rec.reg_no}")
    assert page.status == 200 and by_id(page.body, "director-clear") is not None
    # no reason, no clearing
    r = alt.post(f"/staff/case-director/{rec.reg_no}", {"reason": "  "})
    assert r.status == 400
    assert flag(hl, rec.reg_no) == ("to_director", True, "yes")
    reason = "The report is about the deputy; the director is not involved " + marker("why")
    r = alt.post(f"/staff/case-director/{rec.reg_no}", {"reason": reason})
    assert r.status == 303 and r.location == "/staff/decisions", r.body[:400]
    # the flag is cleared; the reporter's answer stays as it was
    assert flag(hl, rec.reg_no) == ("to_director", False, "yes")
    events = flag_events(hl, rec.reg_no)
    assert len(events) == 1
    ev = events[0]
    assert ev["named"] == "no" and ev["reporter"] == "yes" and ev["by"] == "alternate"
    # the reason: a note under the case's content key, never in clear
    notes = hl.query("SELECT author_login, body FROM hotline.case_notes WHERE id = %s",
                     (int(ev["reason_note"]),))
    assert len(notes) == 1 and notes[0][0] == "alternate"
    assert reason.encode() not in bytes(notes[0][1])
    assert reason not in json.dumps(ev)
    assert ("alternate", "case.director_named", rec.reg_no) in \
        [(a["login"], a["action"], a["object"]) for a in audit_rows(hl)]
    # the case left the alternate's sight and reached the director's
    assert alt.get(f"/staff/case/{rec.reg_no}").status == 404
    page = director.get(f"/staff/case/{rec.reg_no}")
    assert page.status == 200
    assert element_text(page.body, "reporter-answer") is not None
    # the timeline says it in words; its kind stays an attribute
    said = [li.clean_text() for li in by_id(page.body, "events").iter()
            if li.tag == "li" and li.attrs.get("data-kind") == "director_named"]
    assert said and all("director_named" not in t for t in said)
    assert reason in element_text(page.body, "notes")
    q = director.get("/staff/decisions")
    assert rec.reg_no in [li.attrs.get("data-reg-no") for li in find_all(q.body, "li", "card")]
    # a second clearing: the case no longer names the director (404 for
    # the alternate, who no longer sees it)
    assert alt.post(f"/staff/case-director/{rec.reg_no}", {"reason": "again"}).status == 404
    p = hotlinectl("audit", "verify", "--database", hl.admin_conninfo)
    assert p.returncode == 0, p.stdout + p.stderr


def test_compliance_names_the_director_and_each_change_is_an_event(staff_hotline):
    hl = staff_hotline
    comp = client(hl, "compliance")
    # a "don't know" decided as "yes" at triage: an event naming who
    unknown = submit(hl, director_involved="unknown")
    assert flag(hl, unknown.reg_no) == ("registered", False, "unknown")
    r = comp.post(f"/staff/case-triage/{unknown.reg_no}",
                  {"outcome": "corruption", "director_named": "yes"})
    assert r.status == 303, r.body[:400]
    assert flag(hl, unknown.reg_no) == ("to_director", True, "unknown")
    ev = flag_events(hl, unknown.reg_no)
    assert [(e["named"], e["reporter"], e["by"]) for e in ev] == [("yes", "unknown", "compliance")]
    page = comp.get(f"/staff/case/{unknown.reg_no}")
    assert by_id(page.body, "reporter-answer").attrs["data-answer"] == "unknown"
    # a reporter's "no" named at triage from the terminal: the event names
    # the operating-system account
    no = submit(hl, director_involved="no")
    p = hotlinectl("case", "triage", no.reg_no, "corruption", "--director-named", "yes",
                   "--database", hl.admin_conninfo)
    assert p.returncode == 0, p.stderr
    ev = flag_events(hl, no.reg_no)
    assert len(ev) == 1 and ev[0]["named"] == "yes" and ev[0]["reporter"] == "no"
    assert ev[0]["by"].startswith("os:")
    # leaving the flag as it is writes no event
    same = submit(hl, director_involved="unknown")
    r = comp.post(f"/staff/case-triage/{same.reg_no}",
                  {"outcome": "corruption", "director_named": "no"})
    assert r.status == 303
    assert flag(hl, same.reg_no) == ("to_director", False, "unknown")
    assert flag_events(hl, same.reg_no) == []
    # the e-mail and operator channels store "unknown" or the caller's
    # answer: the column is never empty
    assert hl.query("SELECT count(*) FROM hotline.cases WHERE director_involved IS NULL") == [(0,)]


def test_director_sees_no_appeal_before_triage(staff_hotline):
    hl = staff_hotline
    unknown = submit(hl, director_involved="unknown",
                     what="Bribes in the warehouse " + marker("w"))
    no = submit(hl, director_involved="no")
    director = client(hl, "director")
    for rec in (unknown, no):
        r = director.get(f"/staff/case/{rec.reg_no}")
        assert r.status == 404 and "warehouse" not in r.body, rec.reg_no
        assert director.get(f"/staff/reply-letter/{rec.reg_no}").status == 404
        assert director.post(f"/staff/case-note/{rec.reg_no}", {"note": "x"}).status == 404
    listed = archive_regs(director)
    assert unknown.reg_no not in listed and no.reg_no not in listed
    assert archive_regs(director, f"?reg_no={unknown.reg_no}") == []
    assert archive_regs(director, "?state=registered") == []
    # the compliance manager sees both from registration
    comp = client(hl, "compliance")
    assert {unknown.reg_no, no.reg_no} <= set(archive_regs(comp))
    assert comp.get(f"/staff/case/{unknown.reg_no}").status == 200
    # triaged to the director: now the director sees it, and only that one
    r = comp.post(f"/staff/case-triage/{unknown.reg_no}", {"outcome": "corruption"})
    assert r.status == 303, r.body[:400]
    page = director.get(f"/staff/case/{unknown.reg_no}")
    assert page.status == 200 and "warehouse" in element_text(page.body, "content")
    listed = archive_regs(director)
    assert unknown.reg_no in listed and no.reg_no not in listed
    assert director.get(f"/staff/case/{no.reg_no}").status == 404
    # the director's refused views were not audited as views
    views = [(a["login"], a["object"]) for a in audit_rows(hl) if a["action"] == "case.view"]
    assert ("director", no.reg_no) not in views and ("director", unknown.reg_no) in views


def test_alternate_clears_from_the_terminal(staff_hotline, keys, tmp_path):
    hl = staff_hotline
    rec = submit(hl, director_involved="yes")
    reason = "A namesake of the director, not the director " + marker("why")
    reason_file = tmp_path / "reason.txt"
    reason_file.write_text(reason + "\n")
    key = ["--case-key", str(keys.case_sec), "--passphrase-file", str(keys.passphrase_file),
           "--database", hl.admin_conninfo]
    # no account of the alternate recipient: refused, nothing written
    for login in ("compliance", "director", "nobody"):
        p = hotlinectl("case", "director-named", rec.reg_no, "no", "--reason-file",
                       str(reason_file), "--as", login, *key)
        assert p.returncode == 1, (login, p.stdout, p.stderr)
        assert f"{login} is not an active account of the alternate recipient" in p.stderr
    assert flag(hl, rec.reg_no) == ("registered", True, "yes")
    assert hl.query("SELECT count(*) FROM hotline.case_notes") == [(0,)]
    # no reason: refused
    empty = tmp_path / "empty.txt"
    empty.write_text("  \n")
    p = hotlinectl("case", "director-named", rec.reg_no, "no", "--reason-file", str(empty),
                   "--as", "alternate", *key)
    assert p.returncode == 1 and flag(hl, rec.reg_no)[1] is True
    # the alternate's account: cleared, the reason encrypted, event and audit
    p = hotlinectl("case", "director-named", rec.reg_no, "no", "--reason-file",
                   str(reason_file), "--as", "alternate", *key)
    assert p.returncode == 0, p.stderr
    assert flag(hl, rec.reg_no) == ("registered", False, "yes")
    ev = flag_events(hl, rec.reg_no)
    assert len(ev) == 1 and ev[0]["by"] == "alternate" and ev[0]["named"] == "no"
    body = hl.query("SELECT body FROM hotline.case_notes WHERE id = %s",
                    (int(ev[0]["reason_note"]),))[0][0]
    assert reason.encode() not in bytes(body)
    acts = [(a["login"], a["action"]) for a in audit_rows(hl) if a["object"] == rec.reg_no]
    assert any(login.startswith("os:") and action == "case.director_named"
               for login, action in acts), acts
    page = client(hl, "compliance").get(f"/staff/case/{rec.reg_no}")
    assert reason in element_text(page.body, "notes")
    # still untriaged: the director does not see it yet
    assert client(hl, "director").get(f"/staff/case/{rec.reg_no}").status == 404


def test_the_database_refuses_an_unrecorded_change(staff_hotline):
    """migrations/0017: at commit, a change of the flag without its timeline
    event, or a clearing of a reporter's "yes" without an alternate's
    reason, is refused, whoever writes the UPDATE."""
    import psycopg2
    hl = staff_hotline
    yes = submit(hl, director_involved="yes")
    unknown = submit(hl, director_involved="unknown")
    case_id = {r: hl.query("SELECT c.id FROM hotline.cases c JOIN hotline.journal j ON "
                           "j.id = c.journal_id WHERE j.reg_no = %s", (r,))[0][0]
               for r in (yes.reg_no, unknown.reg_no)}
    conn = psycopg2.connect(hl.admin_conninfo)
    try:
        cur = conn.cursor()
        for reg_no, value in ((yes.reg_no, False), (unknown.reg_no, True)):
            cur.execute("UPDATE hotline.cases SET director_named = %s WHERE id = %s",
                        (value, case_id[reg_no]))
            try:
                conn.commit()
                raise AssertionError(f"{reg_no}: an unrecorded change was committed")
            except psycopg2.errors.CheckViolation as err:
                conn.rollback()
                assert "without its timeline event" in str(err)
        # an event by a compliance manager does not make a clearing of a "yes"
        cur.execute("UPDATE hotline.cases SET director_named = false WHERE id = %s",
                    (case_id[yes.reg_no],))
        cur.execute("INSERT INTO hotline.case_events (case_id, kind, detail) VALUES "
                    "(%s, 'director_named', '{\"named\": \"no\", \"by\": \"compliance\"}')",
                    (case_id[yes.reg_no],))
        try:
            conn.commit()
            raise AssertionError("a clearing without the alternate's reason was committed")
        except psycopg2.errors.CheckViolation as err:
            conn.rollback()
            assert "only the alternate recipient" in str(err)
        # with its event, naming the director on a "don't know" goes through
        cur.execute("UPDATE hotline.cases SET director_named = true WHERE id = %s",
                    (case_id[unknown.reg_no],))
        cur.execute("INSERT INTO hotline.case_events (case_id, kind, detail) VALUES "
                    "(%s, 'director_named', '{\"named\": \"yes\", \"by\": \"compliance\"}')",
                    (case_id[unknown.reg_no],))
        conn.commit()
    finally:
        conn.close()
    assert flag(hl, yes.reg_no) == ("registered", True, "yes")
    assert flag(hl, unknown.reg_no) == ("registered", True, "unknown")


def test_an_untriaged_appeal_escalates_to_the_alternate_not_the_director(make_hotline, smtp_sink):
    """The director sees no appeal before triage, so an overdue reply of an
    untriaged appeal escalates to the alternate recipient in the director's
    place (workflow/scanner.c), like its overdue triage."""
    sink = smtp_sink()
    hl = make_hotline(**sink.hotline_config(deadline_scan_interval=1,
                                            reminder_working_days="0"))
    settings(hl)
    ctl(hl, "settings", "set", "reply_working_days", "1")
    rec = submit(hl, identity="named", name="Named Reporter", phone="+77010000003",
                 director_involved="unknown")
    wait_until(lambda: reply_deadline(hl, rec.reg_no), 20, "the reply deadline")
    due = reply_deadline(hl, rec.reg_no)
    move_clock(hl, due[1] + 3600 - int(time.time()))
    wait_until(lambda: about_reply(sink, COMPLIANCE, "Просрочено")
               and about_reply(sink, ALTERNATE, "Просрочено"), 20, "the reply escalation")
    time.sleep(2.5)
    assert about_reply(sink, DIRECTOR, "Просрочено") == []
    assert flag(hl, rec.reg_no)[0] == "registered"
