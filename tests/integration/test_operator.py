"""The trust-line operator's console (seed 004 L187-193): the line's hours
from the working-day calendar, the five steps of a call, the receipt read
back to the caller, and what the operator may see afterwards (number and
time of their own calls, nothing else).

The console reads the daemon's clock plus clock_offset (as the deadline
scanner does), so each test puts "now" at a known moment of 2030 and checks
what the page says then."""
import re
import signal
import time
from datetime import datetime, timedelta, timezone

from helpers import (by_id, clear_forms, element_text, field_value, find_all, marker, page_excerpt,
                     pg_dump)
from staff_fixture import StaffClient, add_account, audit_rows

ASTANA = timezone(timedelta(hours=5))
# Tuesday 4 June 2030: a plain working day.
OPEN = datetime(2030, 6, 4, 10, 0, tzinfo=ASTANA)
BEFORE = datetime(2030, 6, 4, 8, 15, tzinfo=ASTANA)
AFTER = datetime(2030, 6, 4, 19, 30, tzinfo=ASTANA)
SATURDAY = datetime(2030, 6, 8, 11, 0, tzinfo=ASTANA)
VICTORY_DAY = datetime(2030, 5, 9, 11, 0, tzinfo=ASTANA)  # a Thursday
RECEIPT_RE = re.compile(r"^\d{4}(?: \d{4}){6}$")


def assert_unique_ids(body):
    ids = [n.attrs["id"] for n in find_all(body) if "id" in n.attrs]
    assert len(ids) == len(set(ids)), f"ids used twice: {sorted(i for i in ids if ids.count(i) > 1)}"


def offset_to(moment):
    return max(0, int(moment.timestamp() - time.time()))


def operator_hotline(make_staff_hotline, moment):
    return make_staff_hotline(clock_offset=offset_to(moment))


def move_clock(hl, client, moment, status):
    """Moves the daemon's clock to moment and waits until the console says
    status (the SIGHUP is applied on the loop, asynchronously)."""
    hl.config["clock_offset"] = str(offset_to(moment))
    hl.write_config()
    hl.send_signal(signal.SIGHUP)
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        r = client.get("/staff/calls")
        if by_id(r.body, "line-status").attrs.get("data-status") == status:
            return r
        time.sleep(0.1)
    raise AssertionError(f"the console never said {status}: {page_excerpt(r.body)}")


def operator(hl, login="operator"):
    c = StaffClient(hl)
    c.login_as(login)
    return c


def call_fields(steps=(1, 2, 3, 4, 5), **over):
    fields = {
        "name": "Иванов Иван Иванович",
        "organisation": "ТОО Пример",
        "address": "г. Астана, ул. Кенесары 1",
        "phone": "+77011234567",
        "what": "Начальник отдела требовал деньги за подпись",
        "when_where": "Вчера, кабинет 12",
        "who": "Начальник отдела закупок",
        "category": "corruption",
        "director_involved": "no",
    }
    fields.update(over)
    items = [(k, v) for k, v in fields.items() if v is not None]
    items += [(f"step{i}", "done") for i in steps]
    return items


def journal_count(hl):
    (n,), = hl.query("SELECT count(*) FROM hotline.journal")
    return n


def expect_saved(r):
    assert r.status == 200, f"call not saved: {r.status} {page_excerpt(r.body)}"
    receipt = element_text(r.body, "receipt")
    reg_no = element_text(r.body, "reg-no")
    assert receipt and RECEIPT_RE.match(receipt), f"no receipt: {page_excerpt(r.body)}"
    assert reg_no and re.match(r"^\d{4}-\d{6}$", reg_no)
    return receipt, reg_no


def test_console_open_on_a_working_day(make_staff_hotline):
    hl = operator_hotline(make_staff_hotline, OPEN)
    c = operator(hl)
    r = c.get("/staff/calls")
    assert r.status == 200, page_excerpt(r.body)
    line = by_id(r.body, "line-status")
    assert line.attrs["data-status"] == "open" and "open" in line.classes()
    assert by_id(r.body, "new-call").attrs["href"] == "/staff/calls/new"
    assert by_id(r.body, "no-calls") is not None

    f = c.get("/staff/calls/new")
    assert f.status == 200
    steps = [n for n in find_all(f.body, "li", "step")]
    assert [s.attrs["id"] for s in steps] == [f"step-{i}" for i in range(1, 6)]
    # step 1 is the operator's own introduction: their name and position
    assert "Test Operator" in steps[0].clean_text()
    assert_unique_ids(f.body)
    assert_unique_ids(r.body)
    for i in range(1, 6):
        assert field_value(f.body, f"step{i}") == "", f"step {i} ticked already"
    # open: no outside-hours reason asked
    assert by_id(f.body, "outside-hours") is None
    assert field_value(f.body, "outside_reason") is None


def test_line_closed_and_why(make_staff_hotline):
    hl = operator_hotline(make_staff_hotline, BEFORE)
    c = operator(hl)
    r = c.get("/staff/calls?lang=en")
    line = by_id(r.body, "line-status")
    assert line.attrs["data-status"] == "before_hours"
    assert "it opens at 09:00" in line.clean_text()
    assert "4 Jun 2030, 09:00 (Astana time)" in line.clean_text()

    r = move_clock(hl, c, AFTER, "after_hours")
    assert "5 Jun 2030, 09:00 (Astana time)" in element_text(r.body, "line-status")
    r = move_clock(hl, c, SATURDAY, "weekend")
    assert "10 Jun 2030, 09:00 (Astana time)" in element_text(r.body, "line-status")
    r = move_clock(hl, c, VICTORY_DAY, "holiday")
    text = element_text(r.body, "line-status")
    assert "Victory Day" in text and "10 May 2030, 09:00 (Astana time)" in text, text
    r = c.get("/staff/calls?lang=ru")
    assert "День Победы" in element_text(r.body, "line-status")
    r = move_clock(hl, c, OPEN, "open")


def test_every_step_must_be_ticked(make_staff_hotline):
    hl = operator_hotline(make_staff_hotline, OPEN)
    c = operator(hl)
    c.get("/staff/calls/new")
    what = "Требовал откат <script>alert(1)</script> " + marker("wh")
    r = c.post("/staff/calls/new?lang=en", call_fields(steps=(1, 3, 4), what=what))
    assert r.status == 400, page_excerpt(r.body)
    errors = element_text(r.body, "errors")
    assert "2. Explain what the line is for" in errors
    assert "5. Tell the caller how the information is protected" in errors
    assert "1. Introduce yourself" not in errors and "4. Take the substance" not in errors
    assert "missing" in by_id(r.body, "step-2").classes()
    assert "missing" not in by_id(r.body, "step-1").classes()
    # what was typed is kept, escaped; the ticked steps stay ticked
    assert field_value(r.body, "what") == what
    assert "<script>alert(1)</script>" not in r.body
    assert field_value(r.body, "step1") == "done" and field_value(r.body, "step2") == ""
    assert field_value(r.body, "name") == "Иванов Иван Иванович"
    assert journal_count(hl) == 0

    # no substance, no category: refused too
    r = c.post("/staff/calls/new", call_fields(what="  ", category=""))
    assert r.status == 400
    assert by_id(r.body, "error-what") is not None and by_id(r.body, "error-category") is not None
    assert journal_count(hl) == 0

    receipt, reg_no = expect_saved(c.post("/staff/calls/new", call_fields()))
    assert journal_count(hl) == 1
    assert_unique_ids(c.post("/staff/calls/new", call_fields()).body)
    # dictation: seven large groups with their spoken digits
    groups = find_all(c.page(c.post("/staff/calls/new", call_fields())), "span", "group")
    assert len(groups) == 7


def test_outside_hours_needs_a_reason(make_staff_hotline, case_show):
    hl = operator_hotline(make_staff_hotline, SATURDAY)
    c = operator(hl)
    f = c.get("/staff/calls/new")
    assert by_id(f.body, "line-status").attrs["data-status"] == "weekend"
    assert by_id(f.body, "outside-hours") is not None
    r = c.post("/staff/calls/new", call_fields())
    assert r.status == 400
    assert by_id(r.body, "error-outside_reason") is not None
    assert journal_count(hl) == 0
    reason = "Звонящий сообщил о срочной угрозе " + marker("rs")
    receipt, reg_no = expect_saved(c.post("/staff/calls/new", call_fields(outside_reason=reason)))
    (outside, kind), = hl.query(
        "SELECT s.outside_hours, s.kind FROM hotline.staff_intake s JOIN hotline.cases c "
        "ON c.id = s.case_id JOIN hotline.journal j ON j.id = c.journal_id WHERE j.reg_no = %s",
        (reg_no,))
    assert outside is True and kind == "call"
    shown, _ = case_show(hl, reg_no)
    assert reason in str(shown)

    # in hours, the same call needs no reason and is not marked
    move_clock(hl, c, OPEN, "open")
    receipt, reg_no = expect_saved(c.post("/staff/calls/new", call_fields()))
    (outside,), = hl.query(
        "SELECT s.outside_hours FROM hotline.staff_intake s JOIN hotline.cases c "
        "ON c.id = s.case_id JOIN hotline.journal j ON j.id = c.journal_id WHERE j.reg_no = %s",
        (reg_no,))
    assert outside is False


def test_call_is_sealed_journalled_audited_and_works_on_status(make_staff_hotline, case_show):
    hl = operator_hotline(make_staff_hotline, OPEN)
    c = operator(hl)
    c.get("/staff/calls/new")
    m = {
        "name": "Жанболат Құпия " + marker("nm"),
        "organisation": "ТОО " + marker("org"),
        "address": "г. Алматы, ул. Абая " + marker("ad"),
        "phone": "+7701" + marker("ph")[-7:],
        "what": "Взятка за тендер " + marker("wh"),
        "who": "Ахметов " + marker("wo"),
    }
    r = c.post("/staff/calls/new", call_fields(category="gift", director_involved="yes", **m))
    receipt, reg_no = expect_saved(r)
    assert element_text(r.body, "read-receipt")  # M_CALL_READ_RECEIPT is on the page
    # the journal row and the case: phone, routing facts, sealed identity
    (channel, category, director, anonymous), = hl.query(
        "SELECT j.channel, c.category, c.director_involved, c.anonymous FROM hotline.journal j "
        "JOIN hotline.cases c ON c.journal_id = j.id WHERE j.reg_no = %s", (reg_no,))
    assert (channel, category, director, anonymous) == ("phone", "gift", "yes", False)
    # the audit row names the number, nothing of the content
    rows = [a for a in audit_rows(hl) if a["action"] == "call.register"]
    assert [(a["login"], a["object"]) for a in rows] == [("operator", reg_no)]
    # content and identity decrypt with the keys, and are nowhere in clear
    shown, _ = case_show(hl, reg_no)
    text = str(shown)
    for v in m.values():
        assert v in text, f"{v!r} not in the decrypted case"
    dump = pg_dump(hl)
    for key, v in m.items():
        for form in clear_forms(v):
            assert form not in dump, f"{key} in clear in pg_dump"
    digits = receipt.replace(" ", "")
    assert digits.encode() not in dump and receipt.encode() not in dump
    # the caller follows the report with the code read to them
    r = hl.post_form("/status", {"receipt": receipt, "lang": "ru"})
    assert r.status == 200, page_excerpt(r.body)
    assert element_text(r.body, "reg-no") == reg_no
    # and the log says nothing of it either
    log = hl.log()
    for v in m.values():
        assert v not in log


def test_anonymous_caller_has_no_identity(make_staff_hotline):
    hl = operator_hotline(make_staff_hotline, OPEN)
    c = operator(hl)
    c.get("/staff/calls/new")
    fields = call_fields(name="", organisation=" ", address="", phone="")
    receipt, reg_no = expect_saved(c.post("/staff/calls/new", fields))
    (anonymous, identity), = hl.query(
        "SELECT c.anonymous, c.identity_sealed FROM hotline.cases c JOIN hotline.journal j "
        "ON j.id = c.journal_id WHERE j.reg_no = %s", (reg_no,))
    assert anonymous is True and identity is None


def test_operator_sees_only_own_calls_and_no_content(make_staff_hotline):
    hl = operator_hotline(make_staff_hotline, OPEN)
    add_account(hl.admin_conninfo, "operator2", "Second Operator", "operator")
    a, b = operator(hl), operator(hl, "operator2")
    a.get("/staff/calls/new")
    b.get("/staff/calls/new")
    secret_a, secret_b = marker("sa"), marker("sb")
    _, reg_a = expect_saved(a.post("/staff/calls/new", call_fields(what="A " + secret_a)))
    _, reg_b = expect_saved(b.post("/staff/calls/new", call_fields(what="B " + secret_b,
                                                                   name="Caller " + secret_b)))
    la, lb = a.get("/staff/calls"), b.get("/staff/calls")
    nums_a = [n.clean_text() for n in find_all(la.body, "td", "reg-no")]
    nums_b = [n.clean_text() for n in find_all(lb.body, "td", "reg-no")]
    assert nums_a == [reg_a] and nums_b == [reg_b]
    # number and time only: nothing a caller said, on any page the operator can open
    for page in (la, lb, a.get("/staff/calls/new"), a.get("/staff/")):
        for s in (secret_a, secret_b):
            assert s not in page.body
    # no case pages for the operator
    for path in (f"/staff/case/{reg_b}", f"/staff/case/{reg_a}", "/staff/cases"):
        r = a.get(path)
        assert r.status in (403, 404), f"{path}: {r.status}"
        assert secret_a not in r.body and secret_b not in r.body
    # other roles do not get the console
    reg = StaffClient(hl)
    reg.login_as("registrar")
    assert reg.get("/staff/calls").status == 403
    assert reg.post("/staff/calls/new", call_fields()).status == 403
    assert journal_count(hl) == 2


def test_connection_lost_during_commit_is_looked_up(make_staff_hotline):
    """The worker's connection dies while its COMMIT runs: the call is
    looked up by its receipt hash once that session has ended, and since
    the transaction died with it the operator is told it was not saved
    (and is given no code to read)."""
    import threading

    hl = operator_hotline(make_staff_hotline, OPEN)
    # A commit-time trigger that holds the COMMIT long enough to cut it.
    hl.query("""
        CREATE FUNCTION hotline.test_slow_commit() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN PERFORM pg_sleep(3); RETURN NULL; END $$;
        CREATE CONSTRAINT TRIGGER test_slow_commit AFTER INSERT ON hotline.staff_intake
            DEFERRABLE INITIALLY DEFERRED FOR EACH ROW
            EXECUTE FUNCTION hotline.test_slow_commit();
    """)
    c = operator(hl)
    c.get("/staff/calls/new")
    out = {}
    t = threading.Thread(target=lambda: out.setdefault(
        "r", c.post("/staff/calls/new?lang=en", call_fields())))
    t.start()
    killed = False
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline and not killed:
        rows = hl.query("SELECT pid FROM pg_stat_activity WHERE usename = 'hotline_app' "
                        "AND query = 'COMMIT' AND state = 'active'")
        if rows:
            hl.query("SELECT pg_terminate_backend(%s)", (rows[0][0],))
            killed = True
        time.sleep(0.05)
    t.join(30)
    assert killed, "never saw the COMMIT running"
    r = out["r"]
    assert r.status == 503, page_excerpt(r.body)
    assert "The call was not saved" in element_text(r.body, "errors")
    assert by_id(r.body, "receipt") is None
    assert field_value(r.body, "what") == dict(call_fields())["what"]
    assert journal_count(hl) == 0
    assert "asking the database what became of it" in hl.log()
    # the worker's connection was made again: the next call goes through
    hl.query("DROP TRIGGER test_slow_commit ON hotline.staff_intake")
    expect_saved(c.post("/staff/calls/new", call_fields()))


XSS = '"><script>alert(1)</script><img src=x onerror=alert(2)>\'&'


def test_every_text_field_is_shown_back_escaped_and_csrf_is_needed(make_staff_hotline):
    hl = operator_hotline(make_staff_hotline, SATURDAY)
    c = operator(hl)
    c.get("/staff/calls/new")
    texts = ("name", "organisation", "address", "phone", "what", "when_where", "who",
             "outside_reason")
    fields = call_fields(steps=(1, 2, 3, 4), **{k: f"{k} {XSS}" for k in texts})
    r = c.post("/staff/calls/new", fields)
    assert r.status == 400
    assert "<script>" not in r.body and "<img" not in r.body
    for k in texts:
        assert field_value(r.body, k) == f"{k} {XSS}", k
    # without the form's token: refused, nothing registered
    r = c.post("/staff/calls/new", call_fields(outside_reason="x"), csrf=False)
    assert r.status == 403, r.status
    assert journal_count(hl) == 0
