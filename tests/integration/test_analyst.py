"""The analyst's figures (/staff/figures, docs/figures.md): counts only,
from the journal and the case, investigation and deadline records; a count
of 1 or 2 is shown as "<3" on the page and in the CSV; the analyst reaches
no case page."""
import csv
import io
from datetime import datetime, timedelta
from pathlib import Path

from conftest import hotlinectl
from helpers import ALMATY, by_id, element_text, marker, page_excerpt, submit
from staff_fixture import StaffClient, audit_rows, parse_routes

EXPECTED = Path(__file__).with_name("staff_routes.expected")


def ctl(hl, *args):
    p = hotlinectl(*args, "--database", hl.admin_conninfo)
    assert p.returncode == 0, f"hotlinectl {' '.join(args)}: {p.returncode}\n{p.stdout}{p.stderr}"
    return p.stdout


def day(delta_days=0):
    return (datetime.now(ALMATY) + timedelta(days=delta_days)).strftime("%Y-%m-%d")


# fixed public holidays (DOMAIN.md); the daemon's calendar is the reference
HOLIDAYS = {(1, 1), (1, 2), (1, 7), (3, 8), (3, 21), (3, 22), (3, 23), (5, 1), (5, 7), (5, 9),
            (7, 6), (8, 30), (10, 25), (12, 16)}


def working_day(delta_days):
    """day(delta_days) or the next weekday that is no fixed holiday: an
    extension's new due date is a working day."""
    d = datetime.now(ALMATY) + timedelta(days=delta_days)
    while d.weekday() >= 5 or (d.month, d.day) in HOLIDAYS:
        d += timedelta(days=1)
    return d.strftime("%Y-%m-%d")


def this_month():
    return datetime.now(ALMATY).strftime("%Y-%m")


def month_row(body, table_id, month):
    """The cells of a month's row of a table, as shown."""
    table = by_id(body, table_id)
    assert table is not None, f"no table {table_id}: {page_excerpt(body)}"
    for tr in table.iter():
        if tr.tag == "tr" and tr.attrs.get("data-month") == month:
            return [td.clean_text() for td in tr.iter() if td.tag == "td"]
    raise AssertionError(f"no row {month} in {table_id}")


def cell(body, row_id):
    tr = by_id(body, row_id)
    assert tr is not None, row_id
    return [td.clean_text() for td in tr.iter() if td.tag == "td"][0]


def make_cases(hl, keys):
    """Seven web reports: 4 corruption, 2 gifts, 1 other. The four are
    triaged to the director; the director was informed of one of them
    (hotline.director_informed_at: acknowledged) three days after its
    registration (the workflow acknowledges only now, so that one row is
    moved in the database); three are ordered an investigation: one
    concluded on time, one overdue, one extended and within its term."""
    secrets = []
    corruption = []
    for i in range(4):
        what = marker("what")
        secrets.append(what)
        corruption.append(submit(hl, what=f"Bribe asked {what}", category="corruption").reg_no)
    for cat in ("gift", "gift", "other"):
        what = marker("what")
        secrets.append(what)
        submit(hl, what=f"Report {what}", category=cat)
    for reg_no in corruption:
        ctl(hl, "case", "triage", reg_no, "corruption")
    ctl(hl, "case", "ack", corruption[3])
    hl.query("UPDATE hotline.cases SET acknowledged_at = acknowledged_at + interval '3 days' "
             "WHERE id = (SELECT c.id FROM hotline.cases c JOIN hotline.journal j "
             "ON j.id = c.journal_id WHERE j.reg_no = %s)", (corruption[3],))
    key = ["--case-key", str(keys.case_sec), "--passphrase-file", str(keys.passphrase_file)]
    a, b, cc = corruption[:3]
    for reg_no in (a, b, cc):
        ctl(hl, "case", "decide", reg_no, "investigate", "--doc", "resolution 1")
    # b and cc as if decided 41 days ago: an order is never dated before its decision
    hl.query("UPDATE hotline.cases c SET decided_at = now() - interval '41 days' "
             "FROM hotline.journal j WHERE j.id = c.journal_id AND j.reg_no IN (%s, %s)", (b, cc))
    ctl(hl, "investigation", "order", a, "--order-no", "1-k", "--order-date", day(),
        "--member", "Seitov Daniyar|deputy director", *key)
    ctl(hl, "investigation", "order", b, "--order-no", "2-k", "--order-date", day(-40),
        "--member", "Seitov Daniyar|deputy director", *key)
    ctl(hl, "investigation", "order", cc, "--order-no", "3-k", "--order-date", day(-40),
        "--member", "Seitov Daniyar|deputy director", *key)
    ctl(hl, "investigation", "extend", cc, "--consent-doc", "17", "--consent-date", day(-20),
        "--consented-by", "director", "--new-due", working_day(30))
    ctl(hl, "investigation", "start", a)
    text = hl.workdir / "conclusion.txt"
    text.write_text("conclusion " + marker("concl"))
    ctl(hl, "investigation", "conclude", a, "--norms", "Law art. 8", "--text-file", str(text),
        "--case-public-key", str(keys.case_pub))
    ctl(hl, "investigation", "submit", a)
    ctl(hl, "investigation", "decide", a, "stop", "--doc", "order 2-k", "--date", day(),
        "--as", "director")
    ctl(hl, "investigation", "close", a)
    return secrets


def test_figures_counts_suppression_csv_audit(staff_hotline, keys):
    hl = staff_hotline
    secrets = make_cases(hl, keys)
    c = StaffClient(hl)
    c.login_as("analyst")
    r = c.get("/staff/figures")
    assert r.status == 200, page_excerpt(r.body)
    body = r.body
    m = this_month()
    # web, email, phone, written, in_person
    assert month_row(body, "by-channel", m) == ["7", "0", "0", "0", "0"]
    # corruption, conflict_of_interest, gift, unlawful_order, other
    assert month_row(body, "by-category", m) == ["4", "0", "<3", "0", "<3"]
    # registered, to_director, acknowledged, referred, not_considered, urgent, forwarded,
    # investigation, closed
    assert month_row(body, "by-state", m) == ["3", "0", "<3", "0", "0", "0", "0", "<3", "<3"]
    assert len(find_rows(body, "by-channel")) == 12  # the last 12 months by default
    assert cell(body, "route-on-time") == "3"
    assert cell(body, "route-late") == "<3"
    assert cell(body, "route-share") == "—"  # a share would give the hidden count away
    assert cell(body, "inv-on-time") == "<3"
    assert cell(body, "inv-late") == "0"
    assert cell(body, "inv-open-overdue") == "<3"
    assert cell(body, "inv-open") == "<3"
    assert cell(body, "inv-extended") == "<3"
    assert element_text(body, "overdue-now") == "<3"
    assert element_text(body, "fig-small")  # the page says why
    for s in secrets:
        assert s not in body

    # the CSV: same suppression, an attachment
    e = c.get(f"/staff/figures.csv?from={m}&to={m}")
    assert e.status == 200
    assert e.headers["Content-Type"].startswith("text/csv")
    assert e.headers["Content-Disposition"].startswith(f'attachment; filename="figures-{m}-{m}.csv"')
    rows = list(csv.reader(io.StringIO(e.body)))
    assert rows[0] == ["section", "period", "item", "count"]
    got = {(s, p, i): n for s, p, i, n in rows[1:]}
    assert got[("channel", m, "web")] == "7"
    assert got[("category", m, "corruption")] == "4"
    assert got[("category", m, "gift")] == "<3"
    assert got[("category", m, "other")] == "<3"
    assert got[("category", m, "conflict_of_interest")] == "0"
    assert got[("state", m, "registered")] == "3"
    assert got[("state", m, "investigation")] == "<3"
    span = f"{m}..{m}"
    assert got[("director_routing", span, "on_time")] == "3"
    assert got[("director_routing", span, "late")] == "<3"
    assert got[("investigations", span, "concluded_on_time")] == "<3"
    assert got[("deadlines", "now", "overdue")] == "<3"
    assert not any(n in ("1", "2") for n in got.values())
    for s in secrets:
        assert s not in e.body

    # a period filter through GET; an impossible one is refused, not guessed at
    old = c.get("/staff/figures?from=2020-01&to=2020-03")
    assert old.status == 200
    assert [tr.attrs["data-month"] for tr in find_rows(old.body, "by-channel")] == [
        "2020-01", "2020-02", "2020-03"]
    assert month_row(old.body, "by-category", "2020-02") == ["0"] * 5
    assert cell(old.body, "route-on-time") == "0"
    bad = c.get("/staff/figures?from=2026-05&to=2026-01")
    assert bad.status == 400 and by_id(bad.body, "error-period") is not None
    assert c.get("/staff/figures.csv?from=1999-13&to=2020-01").status == 400

    rows = [a for a in audit_rows(hl) if a["login"] == "analyst"]
    actions = [(a["action"], a["object"]) for a in rows if a["action"].startswith("figures.")]
    now = datetime.now(ALMATY)
    mi = now.year * 12 + now.month - 1 - 11
    first = f"{mi // 12:04d}-{mi % 12 + 1:02d}"
    assert actions == [("figures.view", f"{first}..{m}"), ("figures.export", span),
                       ("figures.view", "2020-01..2020-03"), ("figures.view", f"{first}..{m}")]


def find_rows(body, table_id):
    table = by_id(body, table_id)
    return [tr for tr in table.iter() if tr.tag == "tr" and "data-month" in tr.attrs]


def test_who_sees_the_figures_and_the_analyst_sees_no_case(staff_hotline):
    hl = staff_hotline
    what = marker("what")
    rec = submit(hl, what=f"Bribe asked {what}")
    for login in ("compliance", "director"):
        c = StaffClient(hl)
        c.login_as(login)
        assert c.get("/staff/figures").status == 200, login
        assert c.get("/staff/figures.csv").status == 200, login
    for login in ("operator", "registrar", "commission", "custodian", "alternate", "admin"):
        c = StaffClient(hl)
        c.login_as(login)
        assert c.get("/staff/figures").status == 403, login
        assert c.get("/staff/figures.csv").status == 403, login

    a = StaffClient(hl)
    a.login_as("analyst")
    home = a.get("/staff/")
    assert 'href="/staff/figures"' in home.body  # in the analyst's menu
    routes = parse_routes(EXPECTED.read_text())
    denied = [r for r in routes if "public" not in r.roles and "analyst" not in r.roles]
    assert denied, "the route table lists no route closed to the analyst"
    for r in denied:
        path = r.pattern.replace("*", rec.reg_no)
        resp = a.get(path) if r.method == "GET" else a.post(path, {})
        assert resp.status == 403, f"{r.name} {r.method} {path}: {resp.status}"
        assert what not in resp.body
    board = [r for r in routes if r.pattern == "/staff/board"]
    assert a.get("/staff/board").status == (403 if board else 404)
    refused = {x["object"] for x in audit_rows(hl)
               if x["login"] == "analyst" and x["action"] == "access.denied"}
    assert {r.name for r in denied} <= refused
