"""The audit log page (/staff/audit, staff/auditlog.c; docs/staff.md "The
audit log page"): compliance and the administrator read the hash-chained
audit log, newest first, 50 rows a page by keyset (no repeat, no gap),
filtered by action, account, case number and dates, each action in words
(kk/ru/en) with its date dd.mm.yyyy; at the top, the result of the same
chain walk `hotlinectl audit verify` does (accounts/auditchain.c): intact,
then broken at the row a superuser changed by SQL. Every other role gets
403, audited. Real PostgreSQL, real hotlined."""
import html
import re

from conftest import hotlinectl
from helpers import by_id, find_all
from staff_fixture import ROLES, StaffClient, audit_rows

CASE = "2026-000777"
OTHER = "2026-000778"


def rows(body):
    """(id, action, login, object text) of the page's rows."""
    out = []
    for tr in find_all(body, "tr"):
        if "data-id" in tr.attrs:
            cells = [td for td in tr.children if not isinstance(td, str) and td.tag == "td"]
            out.append((int(tr.attrs["data-id"]), tr.attrs["data-action"],
                        cells[2].clean_text(), cells[4].clean_text(), cells[3].clean_text(),
                        cells[1].clean_text()))
    return out


def next_href(body):
    a = by_id(body, "audit-next")
    return None if a is None else html.unescape(a.attrs["href"])


def walk(c, path):
    seen = []
    while path:
        r = c.get(path)
        assert r.status == 200, r.body[:300]
        got = rows(r.body)
        assert len(got) == 50 or next_href(r.body) is None, (path, len(got))
        assert "offset" not in path.lower()
        seen += got
        path = next_href(r.body)
    return seen


def fill(hl):
    """Rows written as the database writes them (hotline.audit_append, so
    the chain stays whole): 130 views of CASE by the director, 7 steps on
    OTHER by compliance, 40 failed logins without an account."""
    hl.query(f"""SELECT hotline.audit_append(u.id, 'director', 'case.view', '{CASE}')
                 FROM hotline.staff_users u, generate_series(1, 130) WHERE u.login = 'director'""")
    hl.query(f"""SELECT hotline.audit_append(u.id, 'compliance', 'case.file', '{OTHER}/' || i)
                 FROM hotline.staff_users u, generate_series(1, 7) i
                 WHERE u.login = 'compliance'""")
    hl.query("SELECT hotline.audit_append(NULL, '', 'login.failed', '') "
             "FROM generate_series(1, 40)")


def expected(hl, where="true"):
    return [r[0] for r in hl.query(
        f"SELECT id FROM hotline.audit_log WHERE {where} ORDER BY id DESC")]


def chain(body):
    n = by_id(body, "audit-chain")
    assert n is not None, body[:2000]
    return n


def test_roles_filters_paging_and_the_chain(staff_hotline):
    hl = staff_hotline
    fill(hl)

    # every role but compliance and admin: 403, audited under the route
    for role in ROLES:
        if role in ("compliance", "admin"):
            continue
        c = StaffClient(hl)
        c.login_as(role)
        r = c.get("/staff/audit")
        assert r.status == 403, (role, r.status)
        assert ("access.denied", "audit") in {(a["action"], a["object"]) for a in audit_rows(hl)
                                              if a["login"] == role}

    admin = StaffClient(hl)
    admin.login_as("admin")
    r = admin.get("/staff/audit?lang=ru")
    assert r.status == 200
    # the chain's check at the top, with every row it walked
    ch = chain(r.body)
    assert "ok" in ch.classes(), ch.clean_text()
    total = hl.query("SELECT count(*) FROM hotline.audit_log")[0][0]
    assert re.search(rf"\b{total}\b", ch.clean_text()), (total, ch.clean_text())
    assert "Цепочка цела" in ch.clean_text()
    assert r.body.index('id="audit-chain"') < r.body.index('id="audit-filter"')
    # the reading itself is audited
    assert audit_rows(hl)[-1]["action"] == "audit.view"
    assert audit_rows(hl)[-1]["login"] == "admin"
    # newest first, actions in words, dates dd.mm.yyyy
    first = rows(r.body)
    assert len(first) == 50
    assert [x[0] for x in first] == expected(hl)[:50]
    words = {x[1]: x[4] for x in first}
    assert words["login.failed"] == "Отказ: неверный вход"
    assert all(re.fullmatch(r"\d\d\.\d\d\.\d{4} \d\d:\d\d \(время Астаны\)", x[5])
               for x in first), first[0]
    assert "(без учётной записи)" in {x[2] for x in first}

    # the whole log page by page: no repeat, no gap
    seen = walk(admin, "/staff/audit")
    want = expected(hl, f"id <= {seen[0][0]}")
    assert [x[0] for x in seen] == want
    assert len(set(x[0] for x in seen)) == len(seen)

    # by action: the count and every page
    c = StaffClient(hl)
    c.login_as("compliance")
    views = expected(hl, "action = 'case.view'")
    r = c.get("/staff/audit?action=case.view&lang=kk")
    assert str(len(views)) in by_id(r.body, "audit-count").clean_text()
    assert "Істі ашты" in {x[4] for x in rows(r.body)}
    got = walk(c, "/staff/audit?action=case.view")
    assert [x[0] for x in got] == views and len(got) > 100
    assert 'value="case.view" selected' in r.body

    # by case: the number itself and "REG_NO/..." objects, no other case
    got = walk(c, f"/staff/audit?case={OTHER}")
    assert [x[0] for x in got] == expected(hl, f"object LIKE '{OTHER}/%' OR object = '{OTHER}'")
    # the 7 files, and this very reading (audited with the case it filtered on)
    assert [x[1] for x in got] == ["audit.view"] + ["case.file"] * 7
    assert all(x[3].startswith(OTHER) for x in got)
    # by account: the login the row names
    got = walk(c, "/staff/audit?login=director&action=case.view")
    assert [x[0] for x in got] == expected(hl, "login = 'director' AND action = 'case.view'")
    # by dates (Astana): today holds them all, tomorrow none, yesterday none
    today, tomorrow, yesterday = hl.query(
        "SELECT to_char(d, 'YYYY-MM-DD'), to_char(d + 1, 'YYYY-MM-DD'), "
        "to_char(d - 1, 'YYYY-MM-DD') FROM (SELECT (now() AT TIME ZONE 'Asia/Almaty')::date d) x")[0]
    got = walk(c, f"/staff/audit?action=login.failed&from={today}&to={today}")
    assert len(got) >= 40
    assert rows(c.get(f"/staff/audit?from={tomorrow}").body) == []
    assert by_id(c.get(f"/staff/audit?to={yesterday}").body, "audit-none") is not None
    # a filter that is not valid is said and left out
    r = c.get("/staff/audit?case=x;--&action=nope")
    assert by_id(r.body, "audit-bad-filter") is not None
    assert len(rows(r.body)) == 50

    # a row changed by SQL as the superuser: the page says where the chain breaks
    victim = views[len(views) // 2]
    hl.query("ALTER TABLE hotline.audit_log DISABLE TRIGGER audit_append_only")
    hl.query("UPDATE hotline.audit_log SET object = %s WHERE id = %s", (OTHER, victim))
    hl.query("ALTER TABLE hotline.audit_log ENABLE TRIGGER audit_append_only")
    r = c.get("/staff/audit?lang=en")
    ch = chain(r.body)
    assert "broken" in ch.classes() and ch.attrs.get("role") == "alert"
    assert f"row {victim}" in ch.clean_text(), ch.clean_text()
    assert "changed" in ch.clean_text()
    # the same verdict as hotlinectl's, by the same walk
    p = hotlinectl("audit", "verify", "--database", hl.admin_conninfo)
    assert p.returncode == 1 and f"broken at row {victim}" in p.stdout, p.stdout + p.stderr


def fill_fast(hl, n):
    """n rows chained as hotline.audit_append chains them, in one pass (the
    function takes the head row lock per row, which in one transaction of
    many rows costs more and more)."""
    hl.query(f"""DO $$
DECLARE v_prev bytea; v_id bigint; v_at timestamptz; v_obj text;
BEGIN
  SELECT last_hash INTO v_prev FROM hotline.audit_head WHERE id = 1;
  FOR i IN 1..{n} LOOP
    v_id := nextval('hotline.audit_log_id_seq');
    v_at := date_trunc('microseconds', clock_timestamp());
    v_obj := '2026-' || lpad((i % 5000)::text, 6, '0');
    INSERT INTO hotline.audit_log (id, at, user_id, login, action, object, prev_hash, row_hash)
      VALUES (v_id, v_at, NULL, 'os:x', 'case.view', v_obj, v_prev,
              sha256(v_prev || convert_to(format('v1|%s|%s||4:os:x|9:case.view|%s:%s', v_id,
                     (extract(epoch FROM v_at) * 1000000)::bigint, octet_length(v_obj), v_obj),
                     'UTF8')))
      RETURNING row_hash INTO v_prev;
  END LOOP;
  UPDATE hotline.audit_head SET last_hash = v_prev WHERE id = 1;
END $$""")


def test_a_long_log_is_checked_a_stretch_per_view(staff_hotline):
    """Over 10,000 rows (AUDIT_STRETCH, staff/auditlog.c) a view walks one
    stretch and says how far the check has come; the next goes on from
    there, reaches the head and says the whole chain is intact; a row
    changed behind the stretch already walked is found by the next check."""
    hl = staff_hotline
    fill_fast(hl, 13_000)
    c = StaffClient(hl)
    c.login_as("compliance")
    first = chain(c.get("/staff/audit?lang=en").body)
    assert "going" in first.classes(), first.clean_text()
    assert "10000 rows, up to row" in first.clean_text(), first.clean_text()
    second = chain(c.get("/staff/audit").body)
    assert "ok" in second.classes(), second.clean_text()
    total = hl.query("SELECT count(*) FROM hotline.audit_log")[0][0]
    # every row, this view's own audit.view (written before the check) too
    assert re.search(rf"\b{total}\b", second.clean_text()), (total, second.clean_text())
    # a changed row early in the log: the next check starts over and finds it
    victim = hl.query("SELECT id FROM hotline.audit_log ORDER BY id LIMIT 1 OFFSET 5000")[0][0]
    hl.query("ALTER TABLE hotline.audit_log DISABLE TRIGGER audit_append_only")
    hl.query("UPDATE hotline.audit_log SET login = 'os:y' WHERE id = %s", (victim,))
    hl.query("ALTER TABLE hotline.audit_log ENABLE TRIGGER audit_append_only")
    third = chain(c.get("/staff/audit").body)
    assert "broken" in third.classes() and f"row {victim}" in third.clean_text(), \
        third.clean_text()
