"""The staff lists paged (issue 17): the compliance board shows 50 cases a
page with the count of all that match, the next page's link carries the
last row's key and the pages follow one another without a repeat or a
gap, in the board's order (overdue first, by the next open due date, the
cases with no open deadline last); a filter narrows the pages and the
count. The cases are written straight into the tables, as the bench's
fill does (tests/bench/archive_bench.py): more than 10,000 of them, so
that the board walks the deadlines, and a filter matching a few hundred,
so that it sorts them (staff/board.c), both checked against the order
computed here in SQL."""
import html
import re

from helpers import by_id, find_all
from staff_fixture import StaffClient

OPEN = 10_080     # open cases written: over the board's 10,000 cap
NO_DEADLINE = 30  # of them forwarded, no open deadline: the board's tail


def fill(hl, count):
    hl.query(f"""
        INSERT INTO hotline.journal (year, seq, reg_no, registered_at, channel, content_digest,
                                     prev_hash, row_hash)
        SELECT 2100, i + 1, format('2100-%s', lpad((i + 1)::text, 6, '0')),
               now() - ({count} - i) * interval '1 minute',
               CASE WHEN i % 10 = 0 THEN 'email' ELSE 'web' END, '\\x00', '\\x00', '\\x00'
        FROM generate_series(0, {count} - 1) AS i""")
    hl.query(f"""
        INSERT INTO hotline.cases (journal_id, receipt_hash, category, director_involved,
                                   anonymous, language, content_key_sealed, content, state)
        SELECT id, sha256(id::text::bytea),
               CASE WHEN seq % 37 = 0 THEN 'gift' ELSE 'corruption' END, 'no', true, 'ru',
               '\\x00', '\\x00',
               CASE WHEN seq > {count - NO_DEADLINE} THEN 'forwarded' ELSE 'registered' END
        FROM hotline.journal WHERE year = 2100""")
    # a triage deadline for every case but the forwarded ones, due dates
    # spread around today (a third overdue), several cases a day
    hl.query("""
        INSERT INTO hotline.deadlines (case_id, kind, due_date, due_at, announced)
        SELECT c.id, 'director_notice', current_date - 100 + (j.seq * 7919 % 300) / 1,
               now(), true
        FROM hotline.cases c JOIN hotline.journal j ON j.id = c.journal_id
        WHERE j.year = 2100 AND c.state = 'registered'""")
    hl.query("ANALYZE hotline.cases")
    hl.query("ANALYZE hotline.deadlines")


def expected(hl, where=""):
    """The board's cases in its order, computed here."""
    return [r[0] for r in hl.query(f"""
        SELECT j.reg_no FROM hotline.cases c JOIN hotline.journal j ON j.id = c.journal_id
        LEFT JOIN LATERAL (SELECT d.id, d.due_date FROM hotline.deadlines d
            WHERE d.case_id = c.id AND d.met_at IS NULL ORDER BY d.due_date, d.id LIMIT 1) d ON true
        WHERE (c.state NOT IN ('closed', 'referred', 'not_considered')
               OR c.last_reporter_message > c.messages_read_upto) {where}
        ORDER BY d.due_date NULLS LAST, d.id, c.id""")]


def rows(body):
    out = []
    for tr in find_all(body, "tr", "case-row"):
        link = [n for n in tr.iter() if n.tag == "a" and "reg-no" in n.classes()][0]
        out.append((link.clean_text(), "overdue" in tr.classes()))
    return out


def next_href(body):
    a = by_id(body, "board-next")
    return None if a is None else html.unescape(a.attrs["href"])


def walk(c, path, pages=None):
    """Every row of the pages from path on (or the first `pages` pages)."""
    seen, n = [], 0
    while path and (pages is None or n < pages):
        r = c.get(path)
        assert r.status == 200, r.body[:300]
        got = rows(r.body)
        assert len(got) == 50 or next_href(r.body) is None, (path, len(got))
        assert "OFFSET" not in path.upper() and "offset" not in path
        seen += got
        path, n = next_href(r.body), n + 1
    return seen


def count_text(body):
    return by_id(body, "board-count").clean_text()


def test_board_pages_follow_without_repeat_or_gap_and_filters_narrow(staff_hotline):
    hl = staff_hotline
    fill(hl, OPEN)
    want = expected(hl)
    assert len(want) >= OPEN
    c = StaffClient(hl)
    c.login_as("compliance")

    first = c.get("/staff/board")
    assert first.status == 200
    assert len(rows(first.body)) == 50
    # over 10,000 matching cases the count says so instead of counting on
    assert re.search(r"10000", count_text(first.body)), count_text(first.body)
    nxt = next_href(first.body)
    assert nxt and "after_due=" in nxt and "after_id=" in nxt
    # the first pages and the last ones (where the cases with no open
    # deadline follow the others) in the board's order, no repeat, no gap
    head = walk(c, "/staff/board", pages=3)
    assert [r[0] for r in head] == want[:150]
    assert all(r[1] for r in head)  # a third of the cases are overdue: they come first
    last_due = hl.query(f"""SELECT to_char(d.due_date, 'YYYY-MM-DD'), d.id FROM hotline.deadlines d
        JOIN hotline.cases c ON c.id = d.case_id JOIN hotline.journal j ON j.id = c.journal_id
        WHERE j.reg_no = %s AND d.met_at IS NULL""", (want[-NO_DEADLINE - 71],))[0]
    tail = walk(c, f"/staff/board?after_due={last_due[0]}&after_id={last_due[1]}")
    assert [r[0] for r in tail] == want[-NO_DEADLINE - 70:]

    # a filter matching few cases (sorted, not walked): every page, the count
    gifts = expected(hl, "AND c.category = 'gift'")
    assert 50 < len(gifts) < 10_000
    g = c.get("/staff/board?category=gift")
    assert str(len(gifts)) in count_text(g.body), count_text(g.body)
    got = walk(c, "/staff/board?category=gift")
    assert [r[0] for r in got] == gifts
    assert len(set(r[0] for r in got)) == len(got)

    # overdue only: a narrower count, every row marked overdue
    late = c.get("/staff/board?overdue=1&channel=email")
    overdue = {x[0] for x in hl.query(
        "SELECT j.reg_no FROM hotline.deadlines d JOIN hotline.cases c ON c.id = d.case_id "
        "JOIN hotline.journal j ON j.id = c.journal_id WHERE d.met_at IS NULL "
        "AND d.due_date < (now() AT TIME ZONE 'Asia/Almaty')::date")}
    late_want = [r for r in expected(hl, "AND c.channel = 'email'") if r in overdue]
    assert str(len(late_want)) in count_text(late.body), count_text(late.body)
    got = walk(c, "/staff/board?overdue=1&channel=email")
    assert [r[0] for r in got] == late_want
    assert all(r[1] for r in got)
    # the filter form keeps the choice, as a plain GET form
    assert 'name="overdue" value="1" checked' in late.body
    # a key that is not one starts over at the first page
    assert rows(c.get("/staff/board?after_due=x&after_id=1;--").body) == rows(first.body)


def test_decisions_queue_pages_by_case_and_splits_director_and_alternate(staff_hotline):
    """The director's and the alternate's lists of reports awaiting a
    decision (staff/decisions.c): 50 a page by case id, the count, the
    next page's link after the last case, no repeat or gap; each sees only
    its own side of the director flag."""
    hl = staff_hotline
    hl.query("""
        INSERT INTO hotline.journal (year, seq, reg_no, registered_at, channel, content_digest,
                                     prev_hash, row_hash)
        SELECT 2100, i, format('2100-%s', lpad(i::text, 6, '0')),
               now() - (200 - i) * interval '1 minute', 'web', '\\x00', '\\x00', '\\x00'
        FROM generate_series(1, 180) AS i""")
    hl.query("""
        INSERT INTO hotline.cases (journal_id, receipt_hash, category, director_involved,
                                   anonymous, language, content_key_sealed, content, state)
        SELECT id, sha256(id::text::bytea), 'corruption',
               CASE WHEN seq % 3 = 0 THEN 'yes' ELSE 'no' END, true, 'ru', '\\x00', '\\x00',
               CASE WHEN seq % 2 = 0 THEN 'acknowledged' ELSE 'to_director' END
        FROM hotline.journal WHERE year = 2100""")

    def side(named):
        return [r[0] for r in hl.query(
            "SELECT j.reg_no FROM hotline.cases c JOIN hotline.journal j ON j.id = c.journal_id "
            "WHERE c.state IN ('to_director', 'acknowledged') AND c.director_named = %s "
            "ORDER BY c.id", (named,))]

    for login, want in (("director", side(False)), ("alternate", side(True))):
        assert len(want) > 50, (login, len(want))
        c = StaffClient(hl)
        c.login_as(login)
        path, seen, pages = "/staff/decisions", [], 0
        while path:
            r = c.get(path)
            assert r.status == 200, r.body[:300]
            ul = by_id(r.body, "queue")
            cards = [] if ul is None else [n.attrs["data-reg-no"] for n in ul.iter()
                                           if n.tag == "li" and "data-reg-no" in n.attrs]
            assert len(cards) == 50 or by_id(r.body, "queue-next") is None, (login, len(cards))
            if pages == 0:
                assert str(len(want)) in by_id(r.body, "queue-count").clean_text()
            seen += cards
            nxt = by_id(r.body, "queue-next")
            path = html.unescape(nxt.attrs["href"]) if nxt is not None else None
            assert path is None or "after=" in path
            pages += 1
        assert seen == want, login
        assert pages == (len(want) + 49) // 50
