"""A reporter's new message is seen, the archive, related appeals (issue 13),
against the real hotlined, PostgreSQL and SMTP server:

- a follow-up on a finished (closed) case is taken, answered 303 to a page
  without the receipt (a refresh posts nothing twice), tells the reporter
  who will read it, sends the compliance manager a content-free mail, and
  shows unread on the board and the case page until the case is opened;
- a commission member sitting on a running investigation is mailed at
  their account's address and sees the unread mark on their pages;
- the archive (/staff/archive) finds cases by each filter, pages 50 at a
  time by keyset, is refused to the roles without access and hides from
  the director the cases that name the director;
- an appeal attached to an investigation (004 L139) is in both cases'
  timelines and the commission opens it."""
import re

from conftest import hotlinectl
from helpers import by_id, element_text, find_all, has_id, marker, submit
from staff_fixture import StaffClient, audit_rows
from test_commission import order

COMPLIANCE = "compliance@org.example.kz"
MEMBER = "member.commission@org.example.kz"



def event_text(body, kind):
    """The timeline's sentence for the one event of kind: its words, and
    never the kind itself."""
    said = [li.clean_text() for li in by_id(body, "events").iter()
            if li.tag == "li" and li.attrs.get("data-kind") == kind]
    assert len(said) == 1 and kind not in said[0], said
    return said[0]

def ctl(hl, *args):
    p = hotlinectl(*args, "--database", hl.admin_conninfo)
    assert p.returncode == 0, f"hotlinectl {' '.join(args)}:\n{p.stdout}{p.stderr}"
    return p


def settings(hl):
    ctl(hl, "settings", "set", "compliance_email", COMPLIANCE)
    ctl(hl, "settings", "set", "console_url", "http://hotline.example.kz/staff/")


def case_id(hl, reg_no):
    return hl.query("SELECT c.id FROM hotline.cases c JOIN hotline.journal j ON j.id = "
                    "c.journal_id WHERE j.reg_no = %s", (reg_no,))[0][0]


def board_row(body, reg_no):
    for tr in find_all(body, "tr", "case-row"):
        if reg_no in tr.clean_text():
            return tr
    return None


def unread_badge(node):
    return [n for n in node.iter() if "badge" in n.classes() and "unread" in n.classes()]


def test_message_on_a_closed_case_notifies_and_shows_unread(make_staff_hotline, smtp_sink):
    sink = smtp_sink()
    hl = make_staff_hotline(**sink.hotline_config())
    settings(hl)
    rec = submit(hl)
    hl.query("UPDATE hotline.cases SET state = 'closed' WHERE id = %s", (case_id(hl, rec.reg_no),))
    # the status page says who reads a message now
    page = hl.post_form("/status", {"receipt": rec.digits, "lang": "en"})
    assert page.status == 200 and has_id(page.body, "closed-reader")
    text = "New facts after closing " + marker("late")
    r = hl.post_multipart("/status/message", {"receipt": rec.receipt, "message": text,
                                               "lang": "en"})
    assert r.status == 303, r.body[:300]
    location = r.headers["Location"]
    assert location == "/status/sent?lang=en&case=finished"
    for _ in range(2):  # the page and its refresh
        sent = hl.get(location)
        assert sent.status == 200 and has_id(sent.body, "sent")
        assert "compliance manager will read it" in element_text(sent.body, "closed-reader")
        assert rec.digits not in sent.body
    assert hl.query("SELECT count(*) FROM hotline.messages WHERE author = 'reporter'") == [(1,)]
    assert hl.query("SELECT kind FROM hotline.case_events WHERE kind = 'reporter_message'") \
        == [("reporter_message",)]

    # a content-free mail to the compliance manager, through the real SMTP server
    msgs = sink.wait_for_messages(1)
    assert len(msgs) == 1
    m = msgs[0]
    assert m.meta["rcpt_tos"] == [COMPLIANCE]
    assert rec.reg_no in m.header("Subject") and rec.reg_no in m.text
    assert re.search(r"http://hotline\.example\.kz/staff/cases?/" + re.escape(rec.reg_no), m.text)
    raw = m.raw.decode("utf-8", "replace")
    assert marker_of(text) not in raw and marker_of(text) not in m.text
    assert rec.digits not in raw and rec.digits not in re.sub(r"\s", "", m.text)
    # the daemon's log has neither
    log = hl.log()
    assert marker_of(text) not in log and rec.digits not in log

    # unread on the board (a closed case stays there until opened) ...
    c = StaffClient(hl)
    c.login_as("compliance")
    row = board_row(c.get("/staff/board").body, rec.reg_no)
    assert row is not None and unread_badge(row), "no unread mark on the board"
    # ... and in the archive
    arow = board_row(c.get(f"/staff/archive?reg_no={rec.reg_no}").body, rec.reg_no)
    assert arow is not None and unread_badge(arow)
    # the director's view counts as opening; here the compliance manager opens it
    p = c.get(f"/staff/case/{rec.reg_no}")
    assert p.status == 200 and has_id(p.body, "unread")
    new = find_all(p.body, "article", "unread")
    assert len(new) == 1 and text in new[0].clean_text()
    assert ("compliance", rec.reg_no) in [(a["login"], a["object"]) for a in audit_rows(hl)
                                          if a["action"] == "case.view"]
    assert hl.query("SELECT messages_read_by IS NOT NULL, messages_read_upto > 0 "
                    "FROM hotline.cases") == [(True, True)]
    # read now: no mark on the page, the closed case leaves the board
    again = c.get(f"/staff/case/{rec.reg_no}")
    assert not has_id(again.body, "unread") and not find_all(again.body, "article", "unread")
    assert text in element_text(again.body, "messages")
    assert board_row(c.get("/staff/board").body, rec.reg_no) is None
    arow = board_row(c.get(f"/staff/archive?reg_no={rec.reg_no}").body, rec.reg_no)
    assert arow is not None and not unread_badge(arow)


def marker_of(text):
    return re.search(r"late[0-9a-f]{16}", text).group(0)


def test_commission_member_is_told_and_sees_unread(make_staff_hotline, smtp_sink, keys):
    sink = smtp_sink()
    hl = make_staff_hotline(**sink.hotline_config())
    settings(hl)
    ctl(hl, "user", "email", "commission", MEMBER)
    rec, _ = order(hl, keys)
    text = "More on the tender " + marker("inv")
    r = hl.post_multipart("/status/message", {"receipt": rec.receipt, "message": text,
                                               "lang": "ru"})
    assert r.status == 303 and r.headers["Location"] == "/status/sent?lang=ru"
    assert sorted(r for (r,) in hl.query("SELECT recipient FROM hotline.outbox "
                                         "WHERE kind = 'reporter_message'")) \
        == sorted([COMPLIANCE, MEMBER])
    queued = hl.query("SELECT count(*) FROM hotline.outbox")[0][0]
    msgs = [m for m in sink.wait_for_messages(queued)
            if "новое сообщение заявителя" in m.header("Subject")]
    assert sorted(to for m in msgs for to in m.meta["rcpt_tos"]) == sorted([COMPLIANCE, MEMBER])
    for m in msgs:
        assert rec.reg_no in m.text and text not in m.text
    c = StaffClient(hl)
    c.login_as("commission")
    card = [n for n in find_all(c.get("/staff/commission").body, "li", "investigation")
            if n.attrs.get("data-reg-no") == rec.reg_no][0]
    assert unread_badge(card)
    page = c.get(f"/staff/commission/{rec.reg_no}")
    assert page.status == 200
    new = find_all(page.body, "article", "unread")
    assert len(new) == 1 and text in new[0].clean_text()
    # the member opened it: read for everyone with access
    card = [n for n in find_all(c.get("/staff/commission").body, "li", "investigation")
            if n.attrs.get("data-reg-no") == rec.reg_no][0]
    assert not unread_badge(card)
    comp = StaffClient(hl)
    comp.login_as("compliance")
    assert not has_id(comp.get(f"/staff/case/{rec.reg_no}").body, "unread")
    # without an address of their own, a member gets no mail (and no error)
    ctl(hl, "user", "email", "commission", "-")
    assert hl.query("SELECT email FROM hotline.staff_users WHERE login = 'commission'") == [(None,)]


def register(hl, channel, category, named=False):
    """One appeal through hotline.register_case, as every channel does."""
    row = hl.query(
        "SELECT reg_no FROM hotline.register_case(%s, sha256(gen_random_uuid()::text::bytea), "
        "%s, %s, 'ru', '\\x00', '\\x00', NULL)", (channel, category, "yes" if named else "no"))
    return row[0][0]


def archive_rows(body):
    return [(tr.attrs.get("data-state"), [n for n in tr.iter() if n.tag == "a"][0].clean_text())
            for tr in find_all(body, "tr", "case-row")]


def reg_nos(body):
    return [r for _, r in archive_rows(body)]


def test_archive_filters_pages_and_visibility(staff_hotline):
    hl = staff_hotline
    channels = ["web", "email", "phone", "written", "in_person"]
    categories = ["corruption", "gift", "other"]
    made = [register(hl, channels[i % 5], categories[i % 3]) for i in range(54)]
    named = register(hl, "phone", "corruption", named=True)
    made.append(named)
    closed = made[3:6]
    hl.query("UPDATE hotline.cases SET state = 'closed' WHERE journal_id IN (SELECT id FROM "
             "hotline.journal WHERE reg_no = ANY(%s))", (closed,))
    c = StaffClient(hl)
    c.login_as("compliance")
    first = c.get("/staff/archive")
    assert first.status == 200
    page1 = reg_nos(first.body)
    assert page1 == list(reversed(made))[:50], "newest first, 50 a page"
    nxt = by_id(first.body, "archive-next")
    assert nxt is not None and "OFFSET" not in nxt.attrs["href"]
    assert f"after={made[5]}" in nxt.attrs["href"]
    second = c.get(nxt.attrs["href"])
    page2 = reg_nos(second.body)
    assert page2 == list(reversed(made))[50:] and by_id(second.body, "archive-next") is None
    assert by_id(second.body, "archive-first") is not None
    # each filter
    assert sorted(reg_nos(c.get("/staff/archive?state=closed").body)) == sorted(closed)
    assert all(s == "closed" for s, _ in archive_rows(c.get("/staff/archive?state=closed").body))
    phone = [r for i, r in enumerate(made[:54]) if i % 5 == 2] + [named]
    assert sorted(reg_nos(c.get("/staff/archive?channel=phone").body)) == sorted(phone)
    gift = [r for i, r in enumerate(made[:54]) if i % 3 == 1]
    assert sorted(reg_nos(c.get("/staff/archive?category=gift").body)) == sorted(gift)
    both = [r for i, r in enumerate(made[:54]) if i % 5 == 2 and i % 3 == 1]
    assert sorted(reg_nos(c.get("/staff/archive?channel=phone&category=gift").body)) \
        == sorted(both)
    assert reg_nos(c.get(f"/staff/archive?reg_no={made[7]}").body) == [made[7]]
    today = hl.query("SELECT to_char(now() AT TIME ZONE 'Asia/Almaty', 'YYYY-MM-DD'), "
                     "to_char(now() AT TIME ZONE 'Asia/Almaty' + interval '1 day', 'YYYY-MM-DD'), "
                     "to_char(now() AT TIME ZONE 'Asia/Almaty' - interval '1 day', 'YYYY-MM-DD')")
    day, tomorrow, yesterday = today[0]
    assert len(reg_nos(c.get(f"/staff/archive?from={day}&to={day}").body)) == 50
    assert reg_nos(c.get(f"/staff/archive?from={tomorrow}").body) == []
    assert has_id(c.get(f"/staff/archive?to={yesterday}").body, "archive-none")
    # a value that is not one is said, and left out
    bad = c.get("/staff/archive?reg_no=12%27;--&state=nonsense")
    assert bad.status == 200 and has_id(bad.body, "archive-error") and len(reg_nos(bad.body)) == 50
    # the director: never the case naming the director, by no filter or cursor
    d = StaffClient(hl)
    d.login_as("director")
    dpage = d.get("/staff/archive")
    assert dpage.status == 200 and named not in reg_nos(dpage.body)
    assert reg_nos(d.get(f"/staff/archive?reg_no={named}").body) == []
    assert named not in reg_nos(d.get("/staff/archive?channel=phone").body)
    assert d.get(f"/staff/case/{named}").status == 404
    # the alternate recipient sees exactly it
    a = StaffClient(hl)
    a.login_as("alternate")
    assert reg_nos(a.get("/staff/archive").body) == [named]
    # the menu links it for these roles
    assert 'href="/staff/archive"' in c.get("/staff/board").body
    assert 'href="/staff/archive"' in dpage.body
    # refused to every other role
    for role in ("operator", "registrar", "commission", "custodian", "analyst", "admin"):
        o = StaffClient(hl)
        o.login_as(role)
        r = o.get("/staff/archive")
        assert r.status == 403 and made[0] not in r.body, role


def test_related_appeal_is_shown_to_the_commission(staff_hotline, keys):
    hl = staff_hotline
    inv, _ = order(hl, keys)
    words = "The same tender, another witness " + marker("rel")
    appeal = submit(hl, what=words)
    other = submit(hl, what="Unrelated " + marker("other"))
    c = StaffClient(hl)
    c.login_as("compliance")
    page = c.get(f"/staff/case/{appeal.reg_no}")
    assert by_id(page.body, "related") is not None and by_id(page.body, "relate-to") is not None
    # refused: a case without an investigation, itself, a malformed number
    bad = c.post(f"/staff/case-relate/{appeal.reg_no}", {"to": other.reg_no})
    assert bad.status == 409 and has_id(bad.body, "step-error")
    assert c.post(f"/staff/case-relate/{inv.reg_no}", {"to": inv.reg_no}).status == 409
    assert c.post(f"/staff/case-relate/{appeal.reg_no}", {"to": "x"}).status == 400
    assert hl.query("SELECT count(*) FROM hotline.related_appeals") == [(0,)]
    ok = c.post(f"/staff/case-relate/{appeal.reg_no}", {"to": inv.reg_no})
    assert ok.status == 303 and ok.location.startswith(f"/staff/case/{appeal.reg_no}")
    assert c.post(f"/staff/case-relate/{appeal.reg_no}", {"to": inv.reg_no}).status == 409
    # both timelines, both pages
    a = c.get(f"/staff/case/{appeal.reg_no}")
    assert inv.reg_no in event_text(a.body, "related_attached")
    assert inv.reg_no in element_text(a.body, "related-list")
    i = c.get(f"/staff/case/{inv.reg_no}")
    assert appeal.reg_no in event_text(i.body, "related_appeal")
    assert appeal.reg_no in element_text(i.body, "related-list")
    assert [r["object"] for r in audit_rows(hl) if r["action"] == "case.relate"] \
        == [f"{appeal.reg_no}>{inv.reg_no}"]
    # the commission sees it and opens it
    m = StaffClient(hl)
    m.login_as("commission")
    cp = m.get(f"/staff/commission/{inv.reg_no}")
    links = [n for n in find_all(cp.body, "a", "related")]
    assert [n.clean_text() for n in links] == [appeal.reg_no]
    opened = m.get(links[0].attrs["href"])
    assert opened.status == 200 and words in element_text(opened.body, "report")
    assert ("commission", appeal.reg_no) in [(r["login"], r["object"]) for r in audit_rows(hl)
                                             if r["action"] == "case.view"]
    # not an appeal that is not attached, nor for a member not sitting on it
    assert m.get(f"/staff/commission-appeal/{other.reg_no}").status == 404
    assert m.get("/staff/commission-appeal/x").status == 404
    p = hotlinectl("audit", "verify", "--database", hl.admin_conninfo)
    assert p.returncode == 0, p.stdout + p.stderr
