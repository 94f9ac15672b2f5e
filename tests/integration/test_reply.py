"""The reply a named reporter is owed (004 L196; docs/procedure.md, "The
reply"): a reply deadline in working days from registration, reminded and
escalated like every deadline; the reply written on the case page meets it,
the reporter reads it on /status, and it prints as a letter (ru, kk) with a
blank line for the postal address, never the sealed identity. And the
status page's texts follow the case's state without contradicting it.
Real PostgreSQL, hotlined and SMTP server; time moved with clock_offset +
SIGHUP."""
import datetime
import time

from helpers import by_id, find_all, marker, submit
from smtp_fixture import wait_until
from staff_fixture import StaffClient, audit_rows
from test_procedure import ALTERNATE, COMPLIANCE, DIRECTOR, ctl, mails_to, move_clock

REPLY_DUTY = "дать ответ заявителю"


def settings(hl):
    for key, value in (("director_email", DIRECTOR), ("alternate_email", ALTERNATE),
                       ("compliance_email", COMPLIANCE),
                       ("console_url", "https://hotline.org.example.kz/staff/")):
        ctl(hl, "settings", "set", key, value)


def reply_deadline(hl, reg_no):
    rows = hl.query("SELECT to_char(d.due_date, 'YYYY-MM-DD'), extract(epoch FROM d.due_at)::bigint, "
                    "d.met_at IS NOT NULL FROM hotline.deadlines d JOIN hotline.cases c "
                    "ON c.id = d.case_id JOIN hotline.journal j ON j.id = c.journal_id "
                    "WHERE j.reg_no = %s AND d.kind = 'reply'", (reg_no,))
    return rows[0] if rows else None


def about_reply(sink, address, word):
    return [m for m in mails_to(sink, address) if word in (m.header("Subject") or "")
            and REPLY_DUTY in m.text]


def test_reply_deadline_reminds_and_escalates(make_hotline, smtp_sink, keys):
    sink = smtp_sink()
    hl = make_hotline(**sink.hotline_config(deadline_scan_interval=1,
                                            reminder_working_days="2,0"))
    settings(hl)
    ctl(hl, "settings", "set", "reply_working_days", "3")
    rec = submit(hl, identity="named", name="Named Reporter", phone="+77010000002")
    wait_until(lambda: reply_deadline(hl, rec.reg_no), 20, "the reply deadline")
    due = reply_deadline(hl, rec.reg_no)
    ctl(hl, "case", "triage", rec.reg_no, "not_corruption", "--unit", "HR department",
        "--case-key", str(keys.case_sec), "--passphrase-file", str(keys.passphrase_file))
    # on its last day: a reminder to compliance, nobody else
    now = int(time.time())
    move_clock(hl, due[1] - 12 * 3600 - now)
    wait_until(lambda: about_reply(sink, COMPLIANCE, "Напоминание"), 20, "the reply reminder")
    [rem] = about_reply(sink, COMPLIANCE, "Напоминание")
    assert rec.reg_no in rem.text and due[0] in rem.text
    assert "Named Reporter" not in rem.text and "+77010000002" not in rem.text
    assert about_reply(sink, DIRECTOR, "Напоминание") == []
    # past it: compliance and the director
    move_clock(hl, due[1] + 3600 - now)
    wait_until(lambda: about_reply(sink, COMPLIANCE, "Просрочено")
               and about_reply(sink, DIRECTOR, "Просрочено"), 20, "the reply escalation")
    time.sleep(2.5)
    assert len(about_reply(sink, COMPLIANCE, "Просрочено")) == 1
    assert about_reply(sink, ALTERNATE, "Просрочено") == []


def test_reply_on_the_case_page_meets_the_deadline_shows_on_status_and_prints(
        make_staff_hotline, smtp_sink):
    sink = smtp_sink()
    hl = make_staff_hotline(**sink.hotline_config(deadline_scan_interval=1))
    settings(hl)
    name, address = marker("name"), marker("addr")
    rec = submit(hl, identity="named", name=f"Reporter {name}", address=f"Street {address}")
    wait_until(lambda: reply_deadline(hl, rec.reg_no), 20, "the reply deadline")
    # the reporter sees the date the reply is due
    st = hl.post_form("/status", {"receipt": rec.receipt, "lang": "en"})
    due = datetime.date.fromisoformat(reply_deadline(hl, rec.reg_no)[0])
    assert by_id(st.body, "due-reply").clean_text() == \
        f"Reply to you: by the end of {due.day} {due:%b} {due.year}, Astana time"
    c = StaffClient(hl)
    c.login_as("compliance")
    page = c.get(f"/staff/case/{rec.reg_no}")
    assert by_id(page.body, "reply-answer") is not None
    # a plain message does not meet it
    assert c.post(f"/staff/case-reply/{rec.reg_no}", {"message": "Which contract?"}).status == 303
    assert reply_deadline(hl, rec.reg_no)[2] is False
    text = "We checked the tender; measures were taken. " + marker("reply")
    r = c.post(f"/staff/case-reply/{rec.reg_no}", {"message": text, "answer": "yes"})
    assert r.status == 303, r.body[:500]
    assert reply_deadline(hl, rec.reg_no)[2] is True
    assert hl.query("SELECT is_reply FROM hotline.messages ORDER BY id") == [(False,), (True,)]
    assert text not in str(hl.query("SELECT encode(body_case, 'escape'), "
                                    "encode(body_reporter, 'escape') FROM hotline.messages"))
    # on /status, under its own heading
    st = hl.post_form("/status", {"receipt": rec.receipt, "lang": "en"})
    [reply] = find_all(st.body, "article", "reply")
    assert text in reply.clean_text() and "Reply to your appeal" in reply.clean_text()
    assert "Reply to you:" not in st.body  # met: no longer pending
    # the letter, in Russian and in Kazakh: the text, the number, a blank
    # address line, never the sealed name or address
    for lang, words in (("ru", "Адрес: ____"), ("kk", "Мекенжайы: ____")):
        letter = c.get(f"/staff/reply-letter/{rec.reg_no}?lang={lang}")
        assert letter.status == 200, letter.body[:500]
        assert f'lang="{lang}"' in letter.body
        assert text in letter.body and rec.reg_no in letter.body and words in letter.body
        assert name not in letter.body and address not in letter.body
    assert [r["object"] for r in audit_rows(hl) if r["action"] == "case.reply_letter"] == \
        [rec.reg_no, rec.reg_no]
    # an anonymous appeal has no reply to print
    anon = submit(hl)
    assert c.get(f"/staff/reply-letter/{anon.reg_no}").status == 409
    assert c.post(f"/staff/case-reply/{anon.reg_no}", {"message": "x", "answer": "yes"}).status \
        in (409,)
    # the analyst does not print letters
    a = StaffClient(hl)
    a.login_as("analyst")
    assert a.get(f"/staff/reply-letter/{rec.reg_no}").status == 403


def state_line(page):
    return by_id(page.body, "state").clean_text()


def test_status_texts_follow_the_state(make_hotline, smtp_sink):
    sink = smtp_sink()
    hl = make_hotline(**sink.hotline_config(deadline_scan_interval=1))
    settings(hl)
    rec = submit(hl)
    st = hl.post_form("/status", {"receipt": rec.receipt, "lang": "en"})
    assert "waiting for its first review" in state_line(st)
    assert "First review: by the end of" in by_id(st.body, "deadlines").clean_text()
    ctl(hl, "case", "triage", rec.reg_no, "corruption")
    ctl(hl, "case", "ack", rec.reg_no)
    st = hl.post_form("/status", {"receipt": rec.receipt, "lang": "en"})
    informed = hl.query("SELECT to_char(hotline.director_informed_at(c) AT TIME ZONE "
                        "'Asia/Almaty', 'DD.MM.YYYY') FROM hotline.cases c")[0][0]
    ru = hl.post_form("/status", {"receipt": rec.receipt, "lang": "ru"})
    assert f"Руководитель проинформирован {informed}" in by_id(ru.body, "deadlines").clean_text()
    assert "The director was informed on" in by_id(st.body, "deadlines").clean_text()
    ctl(hl, "case", "decide", rec.reg_no, "no_grounds")
    waiting = {"en": "waiting", "ru": "ожидает", "kk": "күтуде"}
    for lang, word in waiting.items():
        st = hl.post_form("/status", {"receipt": rec.receipt, "lang": lang})
        assert st.status == 200
        assert word not in st.body, f"a closed case still says it waits ({lang})"
        assert by_id(st.body, "director-informed") is not None
    assert "Consideration is finished" in state_line(
        hl.post_form("/status", {"receipt": rec.receipt, "lang": "en"}))
    # a closed case without open dates says none are pending
    other = submit(hl, category="other")
    ctl(hl, "case", "triage", other.reg_no, "anonymous")
    st = hl.post_form("/status", {"receipt": other.receipt, "lang": "en"})
    assert by_id(st.body, "no-deadlines").clean_text() == \
        "No date is running: the consideration has finished."
    assert "waiting" not in st.body.lower()
