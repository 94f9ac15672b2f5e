"""Every link in every mail works: one scenario makes hotlined send at
least one mail of EVERY notice kind (the kinds are read from enum
notice_kind in workflow/notice.h, so a kind added later fails here until a
scenario below sends it) through a real SMTP server; each mail's link is
followed with a logged-in session of its addressee and must answer 200
with the case number on the page.

A mail's kind is its outbox row's kind (found from its Message-ID), which
is the enum name without NOTICE_ in lower case (workflow/notice.h)."""
import re
import time
from pathlib import Path

from helpers import submit
from smtp_fixture import wait_until
from staff_fixture import StaffClient
from test_procedure import ctl, move_clock

HERE = Path(__file__).resolve().parent
NOTICE_H = HERE.parent.parent / "workflow" / "notice.h"

ADDRESSEES = {
    "director@org.example.kz": "director",
    "alternate@org.example.kz": "alternate",
    "compliance@org.example.kz": "compliance",
}


def notice_kinds():
    """The outbox kinds of enum notice_kind, from the header itself."""
    text = NOTICE_H.read_text()
    body = re.search(r"enum notice_kind\s*\{(.*?)\};", text, re.S).group(1)
    body = re.sub(r"/\*.*?\*/", "", body, flags=re.S)
    kinds = [k.lower() for k in re.findall(r"\bNOTICE_([A-Z0-9_]+)\b", body)]
    assert len(kinds) >= 6, kinds
    return kinds


def outbox_kind(hl, msg):
    m = re.search(r"hotline-outbox-(\d+)@", msg.header("Message-ID") or "")
    assert m, msg.header("Message-ID")
    return hl.query("SELECT kind FROM hotline.outbox WHERE id = %s", (int(m.group(1)),))[0][0]


def kinds_sent(hl, sink):
    return {outbox_kind(hl, m) for m in sink.messages()}


def due_at(hl, reg_no, kind):
    return hl.query("SELECT extract(epoch FROM d.due_at)::bigint FROM hotline.deadlines d "
                    "JOIN hotline.cases c ON c.id = d.case_id JOIN hotline.journal j "
                    "ON j.id = c.journal_id WHERE j.reg_no = %s AND d.kind = %s",
                    (reg_no, kind))[0][0]


def test_every_notice_kind_links_to_a_page_its_addressee_opens(make_staff_hotline, smtp_sink,
                                                               keys):
    kinds = notice_kinds()
    sink = smtp_sink()
    hl = make_staff_hotline(**sink.hotline_config(deadline_scan_interval=1,
                                                  reminder_working_days="2,0"))
    console = hl.url + "/staff/"
    for key, value in (("director_email", "director@org.example.kz"),
                       ("alternate_email", "alternate@org.example.kz"),
                       ("compliance_email", "compliance@org.example.kz"),
                       ("console_url", console)):
        ctl(hl, "settings", "set", key, value)
    key = ["--case-key", str(keys.case_sec), "--passphrase-file", str(keys.passphrase_file)]

    # registered: the compliance manager hears of each new appeal
    named = submit(hl, identity="named", name="Named Reporter")
    wait_until(lambda: "registered" in kinds_sent(hl, sink), 20, "a registered notice")
    # director_new, then investigation_ordered
    ctl(hl, "case", "triage", named.reg_no, "corruption")
    ctl(hl, "case", "decide", named.reg_no, "investigate")
    today = hl.query("SELECT to_char((now() AT TIME ZONE 'Asia/Almaty')::date, 'YYYY-MM-DD')")[0][0]
    ctl(hl, "investigation", "order", named.reg_no, "--order-no", "7", "--order-date", today,
        "--member", "Seitov Daniyar", *key)
    # conclusion_submitted: the commission submits, the director decides
    ctl(hl, "investigation", "start", named.reg_no)
    conclusion = hl.workdir / "conclusion.txt"
    conclusion.write_text("The contracts show a kickback.")
    ctl(hl, "investigation", "conclude", named.reg_no, "--norms", "Law art. 8", "--text-file",
        str(conclusion), "--case-public-key", str(keys.case_pub))
    ctl(hl, "investigation", "submit", named.reg_no)
    # reporter_message: the reporter writes again on /status
    sent = hl.post_multipart("/status/message", {"receipt": named.receipt,
                                                  "message": "One more fact.", "lang": "en"})
    assert sent.status == 303, sent.body[:300]
    # urgent
    anon = submit(hl)
    wait_until(lambda: len([m for m in sink.messages() if outbox_kind(hl, m) == "registered"])
               >= 2, 20, "the second registered notice")
    ctl(hl, "case", "triage", anon.reg_no, "urgent")
    # an appeal nobody triages: reminded on its day, then escalated
    idle = submit(hl)
    wait_until(lambda: len([m for m in sink.messages() if outbox_kind(hl, m) == "registered"])
               >= 3, 20, "the third registered notice")
    now = int(time.time())
    move_clock(hl, due_at(hl, idle.reg_no, "triage") - 12 * 3600 - now)
    wait_until(lambda: "reminder" in kinds_sent(hl, sink), 20, "a reminder")
    move_clock(hl, due_at(hl, idle.reg_no, "triage") + 3600 - now)
    wait_until(lambda: "overdue" in kinds_sent(hl, sink), 20, "an escalation")
    time.sleep(2)  # the last scans' mails

    missing = set(kinds) - kinds_sent(hl, sink)
    assert not missing, (f"no scenario in {Path(__file__).name} sends a mail of notice kind(s) "
                         f"{sorted(missing)}: add one")

    clients = {}
    followed = set()
    for msg in sink.messages():
        kind = outbox_kind(hl, msg)
        if kind == "checkpoint":
            # The chains' signed checkpoint (workflow/checkpointer.c) is not a
            # notice about a case and has no link, when a config has a
            # checkpoint key; test_checkpoint.py checks that mail.
            continue
        [rcpt] = msg.meta["rcpt_tos"]
        login = ADDRESSEES[rcpt]
        links = re.findall(r"https?://\S+", msg.text)
        assert len(links) == 1, (kind, msg.text)
        link = links[0]
        assert link.startswith(console + "case/"), (kind, link)
        reg_no = link.rsplit("/", 1)[1]
        assert reg_no in msg.header("Subject"), (kind, link)
        if login not in clients:
            clients[login] = StaffClient(hl)
            clients[login].login_as(login)
        page = clients[login].get(link[len(hl.url):])
        assert page.status == 200, (kind, login, link, page.status)
        assert reg_no in page.body, (kind, login, link)
        followed.add(kind)
    assert followed >= set(kinds)
    # and the escalation of the untriaged appeal reached the alternate,
    # whose link opened it, and not the director
    esc = [(m.meta["rcpt_tos"][0]) for m in sink.messages()
           if outbox_kind(hl, m) == "overdue" and idle.reg_no in m.header("Subject")]
    assert sorted(esc) == ["alternate@org.example.kz", "compliance@org.example.kz"]
    # the alternate reads the escalated case, but the steps stay the
    # director's and compliance's: no forms, and a step answers 404
    alt = clients["alternate"]
    page = alt.get(f"/staff/case/{idle.reg_no}")
    assert page.status == 200 and 'id="note"' not in page.body
    assert alt.post(f"/staff/case-note/{idle.reg_no}", {"note": "x"}).status == 404
    # and a case that names nobody and was never escalated stays closed to them
    assert alt.get(f"/staff/case/{named.reg_no}").status == 404
