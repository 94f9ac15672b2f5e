"""Every text the reporter reads about their case on /status is true for
it (issue 16): a case is put in each situation of the table in docs/http.md
("What the status page says") through hotlinectl, the way staff move
cases, and its page is fetched with its receipt in Kazakh, Russian and
English. The page must show the table's line (#state), its paragraphs in
order and its dates, dd.mm.yyyy in kk and ru, and no other case text of the
catalogs: no "waiting" on a finished case, no "director" where the report
goes to the director's alternate. Real PostgreSQL, hotlined and hotlinectl."""
import datetime
import re
from pathlib import Path

from helpers import by_id, find_all, marker, parse_html, submit
from smtp_fixture import wait_until
from test_submit_decide import concluded, ctl, ordered, start, today

ROOT = Path(__file__).resolve().parents[2]
LANGS = ("kk", "ru", "en")
MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
UNIT = "Human resources department"


def unquote(s):
    return re.sub(r'\\(.)', lambda m: {"n": "\n", "t": "\t"}.get(m.group(1), m.group(1)), s)


def catalog(path, field):
    """{msgctxt: text} of a po file; field "msgid" (English) or "msgstr"."""
    out, entry, last = {}, {}, None
    for line in path.read_text(encoding="utf-8").splitlines() + [""]:
        m = re.match(r'^(msgctxt|msgid|msgstr) "(.*)"$', line)
        if m:
            last = m.group(1)
            entry[last] = unquote(m.group(2))
        elif line.startswith('"') and last:
            entry[last] += unquote(line[1:-1])
        elif not line.strip():
            if "msgctxt" in entry:
                out[entry["msgctxt"]] = entry[field]
            entry, last = {}, None
    return out


TEXTS = {"en": catalog(ROOT / "po/hotline.pot", "msgid"),
         "kk": catalog(ROOT / "po/kk.po", "msgstr"),
         "ru": catalog(ROOT / "po/ru.po", "msgstr")}


def table():
    """{key: (headline, [(id, name)], [(id, name)])} from docs/http.md."""
    doc = (ROOT / "docs/http.md").read_text(encoding="utf-8")
    section = doc.split("### What the status page says", 1)[1].split("\n### ", 1)[0]
    rows = {}
    for line in section.splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if len(cells) != 5 or not cells[0].startswith("`") or cells[0] == "key":
            continue
        pairs = [re.findall(r"`([a-z0-9_-]+)`=`(M_[A-Z_]+)`", c) for c in cells[3:5]]
        rows[cells[0].strip("`")] = (re.search(r"`(M_[A-Z_]+)`", cells[2]).group(1), *pairs)
    return rows


def date_text(lang, iso):
    d = datetime.date.fromisoformat(iso)
    return f"{d.day} {MONTHS[d.month - 1]} {d.year}" if lang == "en" else d.strftime("%d.%m.%Y")


def case_row(hl, reg_no):
    return hl.query("SELECT c.id, c.state FROM hotline.cases c JOIN hotline.journal j "
                    "ON j.id = c.journal_id WHERE j.reg_no = %s", (reg_no,))[0]


def dates_of(hl, reg_no):
    """{li id: ISO date} the page should list for the case."""
    case_id = case_row(hl, reg_no)[0]
    out = {"due-" + k.replace("_", "-"): d for k, d in hl.query(
        "SELECT kind, to_char(due_date, 'YYYY-MM-DD') FROM hotline.deadlines "
        "WHERE case_id = %s AND met_at IS NULL AND kind <> 'material_request'", (case_id,))}
    informed = hl.query("SELECT to_char(hotline.director_informed_at(c) AT TIME ZONE "
                        "'Asia/Almaty', 'YYYY-MM-DD') FROM hotline.cases c WHERE id = %s",
                        (case_id,))[0][0]
    if informed:
        out["director-informed"] = informed
    return out


def has_reply_deadline(hl, reg_no):
    return hl.query("SELECT count(*) FROM hotline.deadlines d JOIN hotline.cases c ON "
                    "c.id = d.case_id JOIN hotline.journal j ON j.id = c.journal_id WHERE "
                    "j.reg_no = %s AND d.kind = 'reply'", (reg_no,))[0][0] == 1


# every text that speaks about a case: what must not be on a page unless
# its row names it (the old texts included, whatever their fate)
CASE_TEXTS = [n for n in TEXTS["en"] if re.match(
    r"M_STATUS_(HEAD|TEXT|DUE|INFORMED|NONE)_|M_STATE_|M_STATUS_DEADLINE_"
    r"|M_STATUS_NO_DEADLINES$|M_STATUS_NOTHING_PENDING$|M_STATUS_DIRECTOR_INFORMED$", n)]


def check_page(hl, rec, key, row, state):
    headline, paras, dates = row
    assert case_row(hl, rec.reg_no)[1] == state, f"{key}: the case is not {state}"
    running = dates_of(hl, rec.reg_no)
    for lang in LANGS:
        t = TEXTS[lang]
        page = hl.post_form("/status", {"receipt": rec.receipt, "lang": lang})
        assert page.status == 200, f"{key} ({lang}): {page.status}"
        where = f"{key} ({lang})"
        assert by_id(page.body, "state").clean_text() == t[headline], where
        shown = [(p.attrs["id"], p.clean_text()) for p in find_all(page.body, "p", "case-text")]
        want = [(i, t[n] % UNIT if "%s" in t[n] else t[n]) for i, n in paras]
        assert shown == want, f"{where}: paragraphs\n{shown}\n!=\n{want}"
        expected = set(n for _, n in paras) | {headline}
        listed = {li.attrs["id"]: li.clean_text() for li in find_all(page.body, "li")
                  if li.attrs.get("id", "").startswith(("due-", "director-informed"))}
        want_dates = {}
        for i, n in dates:
            expected.add(n)
            if i == "no-deadlines":
                assert by_id(page.body, "no-deadlines").clean_text() == t[n], where
                continue
            assert i in running, f"{where}: no {i} running in the database"
            want_dates[i] = t[n] % date_text(lang, running[i])
        assert listed == want_dates, f"{where}: dates\n{listed}\n!=\n{want_dates}"
        if not any(i == "no-deadlines" for i, _ in dates):
            assert by_id(page.body, "no-deadlines") is None, where
        # nothing else the catalogs say about a case: strike the expected
        # texts out of the page, then look for every other one
        text = parse_html(page.body).clean_text()
        for i, n in paras + dates:
            rendered = dict(shown).get(i) or want_dates.get(i) or t[n]
            text = text.replace(rendered, " ")
        text = text.replace(t[headline], " ")
        for n in CASE_TEXTS:
            if n in expected:
                continue
            probe = t[n].split("%")[0].strip()
            if len(probe) >= 12 and t[n] not in (t[e] for e in expected):
                assert probe not in text, f"{where}: untrue text {n}: {probe!r}"
        if lang == "en":
            assert "Dates appear here" not in page.body, where
            assert not re.search(r"\d{4}-\d{2}-\d{2}", text), f"{where}: an ISO date"
        else:
            assert re.search(r"\d{2}\.\d{2}\.\d{4} \d{2}:\d{2}",
                             by_id(page.body, "registered-at").clean_text()), where
        # no internal names, not even in the page's ids
        for name in ("to_director", "not_considered", "director_notice", "urgent_forward",
                     "no_grounds", "hand_over", "other_measures", "forward_and_investigate",
                     "conclusion_drafted", "measures_adopted", "p. 6.3", "п. 6.3"):
            assert name not in page.body, f"{where}: {name!r} on the page"
        # Astana time on the registration moment
        assert t["M_STATUS_ZONE"] in by_id(page.body, "registered-at").clean_text(), where


def test_every_state_says_what_is_true(make_staff_hotline, smtp_sink, keys):
    rows = table()
    assert len(rows) >= 20, "the table of docs/http.md was not found"
    hl, _ = start(make_staff_hotline, smtp_sink)
    key = ["--case-key", str(keys.case_sec), "--passphrase-file", str(keys.passphrase_file)]
    day = today(hl).isoformat()
    as_director = ["--doc", "7", "--date", day, "--as", "director"]
    as_alternate = ["--doc", "7", "--date", day, "--as", "alternate"]
    cases = {}  # key -> (receipt, state)

    def put(row, rec, state):
        cases[row] = (rec, state)

    def triaged(outcome="corruption", *extra, **report):
        rec = submit(hl, what="Kickback on tenders " + marker("w"), **report)
        ctl(hl, "case", "triage", rec.reg_no, outcome, *extra)
        return rec

    def submitted(named=False):
        rec = ordered(hl, keys, named=named)
        concluded(hl, keys, rec.reg_no)
        ctl(hl, "investigation", "submit", rec.reg_no)
        return rec

    put("registered-anonymous", submit(hl), "registered")
    put("registered-anonymous-6.3", submit(hl), "registered")
    named_self = submit(hl, identity="named", name="Reporter " + marker("n"), category="gift",
                        director_involved="yes")
    put("registered-named-self-director", named_self, "registered")
    put("to-director", triaged(), "to_director")
    put("to-alternate", triaged(director_involved="yes"), "to_director")
    rec = triaged()
    ctl(hl, "case", "ack", rec.reg_no)
    put("acknowledged-director", rec, "acknowledged")
    rec = triaged(director_involved="yes")
    ctl(hl, "case", "ack", rec.reg_no)
    put("acknowledged-alternate", rec, "acknowledged")
    named_ref = submit(hl, identity="named", name="Reporter " + marker("n"), category="other")
    put("referred-anonymous-unit", triaged("not_corruption", "--unit", UNIT, *key,
                                           category="other"), "referred")
    put("not-considered", triaged("anonymous", category="other"), "not_considered")
    put("not-considered-unit", triaged("anonymous", "--unit", UNIT, *key, category="other"),
        "not_considered")
    put("urgent", triaged("urgent"), "urgent")
    rec = triaged("urgent")
    ctl(hl, "case", "forwarded", rec.reg_no, "--to", "Anti-Corruption Agency", *key)
    put("forwarded", rec, "forwarded")
    rec = triaged()
    ctl(hl, "case", "decide", rec.reg_no, "forward")
    put("forward-decided", rec, "forwarded")
    rec = triaged()
    ctl(hl, "case", "decide", rec.reg_no, "investigate")
    put("investigation-to-order", rec, "investigation")
    put("investigation", ordered(hl, keys), "investigation")
    rec = triaged(director_involved="yes")
    ctl(hl, "case", "decide", rec.reg_no, "forward_and_investigate")
    ctl(hl, "investigation", "order", rec.reg_no, "--order-no", "8-k", "--order-date", day,
        "--member", "Test Commission|member|commission", *key)
    put("investigation-alternate-forward", rec, "investigation")
    put("submitted-director", submitted(), "investigation")
    put("submitted-alternate", submitted(named=True), "investigation")
    rec = submitted()
    ctl(hl, "investigation", "decide", rec.reg_no, "disciplinary", *as_director)
    put("decided", rec, "investigation")
    rec = triaged()
    ctl(hl, "case", "decide", rec.reg_no, "no_grounds")
    put("closed-no-grounds", rec, "closed")
    rec = submitted()
    ctl(hl, "investigation", "decide", rec.reg_no, "stop", *as_director)
    ctl(hl, "investigation", "close", rec.reg_no)
    put("closed-stop", rec, "closed")
    rec = submitted(named=True)
    ctl(hl, "investigation", "decide", rec.reg_no, "hand_over", *as_alternate)
    ctl(hl, "investigation", "close", rec.reg_no)
    put("closed-hand-over", rec, "closed")
    for row, decision in (("closed-disciplinary", "disciplinary"),
                          ("closed-other-measures", "other_measures")):
        rec = submitted()
        ctl(hl, "investigation", "decide", rec.reg_no, decision, *as_director)
        ctl(hl, "investigation", "measures", rec.reg_no, "--doc", "order 9-k", "--date", day)
        ctl(hl, "investigation", "close", rec.reg_no)
        put(row, rec, "closed")

    # a named appeal's reply deadline comes with its announcement (the
    # scanner); it outlives the referral
    wait_until(lambda: has_reply_deadline(hl, named_self.reg_no)
               and has_reply_deadline(hl, named_ref.reg_no), 20, "the reply deadlines")
    ctl(hl, "case", "triage", named_ref.reg_no, "not_corruption", "--unit", UNIT, *key)
    put("referred-named", named_ref, "referred")
    # a unit recorded in clear, as cases triaged before migration 0022 keep it
    ref = cases["referred-anonymous-unit"][0]
    hl.query("UPDATE hotline.cases SET referred_unit = %s, referred_unit_sealed = NULL, "
             "referred_unit_reporter = NULL WHERE id = %s", (UNIT, case_row(hl, ref.reg_no)[0]))
    # the unit is sealed, to the case's key and to the reporter's, never clear
    assert UNIT not in str(hl.query(
        "SELECT referred_unit, encode(referred_unit_sealed, 'escape'), "
        "encode(referred_unit_reporter, 'escape') FROM hotline.cases WHERE id <> %s",
        (case_row(hl, ref.reg_no)[0],)))

    assert set(cases) == set(rows), f"rows without a case: {set(rows) ^ set(cases)}"
    for row in sorted(cases):
        if row == "registered-anonymous-6.3":
            continue
        check_page(hl, cases[row][0], row, rows[row], cases[row][1])
    # the default: no policy to consider anonymous reports (004 p.6.3)
    ctl(hl, "settings", "set", "consider_anonymous_reports", "off")
    rec, state = cases["registered-anonymous-6.3"]
    check_page(hl, rec, "registered-anonymous-6.3", rows["registered-anonymous-6.3"], state)
    # and the same case under the policy reads like the first row
    ctl(hl, "settings", "set", "consider_anonymous_reports", "on")
    check_page(hl, rec, "registered-anonymous", rows["registered-anonymous"], state)


def test_the_director_named_reads_the_alternate_everywhere(make_staff_hotline, smtp_sink, keys):
    """Across its whole road a report that names the director never says
    the director has it, is told of it or decides it."""
    hl, _ = start(make_staff_hotline, smtp_sink)
    rec = submit(hl, director_involved="yes")
    director_texts = ("M_STATUS_HEAD_TO_DIRECTOR", "M_STATUS_HEAD_ACK_DIRECTOR",
                      "M_STATUS_TEXT_DIRECTOR_WHO", "M_STATUS_TEXT_ACK_DIRECTOR",
                      "M_STATUS_DUE_DIRECTOR", "M_STATUS_INFORMED_DIRECTOR",
                      "M_STATUS_TEXT_INV_DIRECTOR", "M_STATUS_TEXT_SUBMITTED_DIRECTOR",
                      "M_STATUS_HEAD_SUBMITTED_DIRECTOR", "M_STATUS_TEXT_REG_NEXT")

    def no_director():
        for lang in LANGS:
            page = hl.post_form("/status", {"receipt": rec.receipt, "lang": lang})
            text = parse_html(page.body).clean_text()
            for n in director_texts:
                probe = TEXTS[lang][n].split("%")[0].strip()
                assert len(probe) < 12 or probe not in text, \
                    f"{lang}: {n} on a report naming the director"
            if lang == "en":
                assert "director's alternate" in text
                assert "Brought to the director" not in text  # the text of issue 16

    no_director()
    ctl(hl, "case", "triage", rec.reg_no, "corruption")
    no_director()
    ctl(hl, "case", "ack", rec.reg_no)
    no_director()
    ctl(hl, "case", "decide", rec.reg_no, "investigate")
    no_director()
    ctl(hl, "investigation", "order", rec.reg_no, "--order-no", "1", "--order-date",
        today(hl).isoformat(), "--member", "Test Commission|member|commission",
        "--case-key", str(keys.case_sec), "--passphrase-file", str(keys.passphrase_file))
    no_director()
    concluded(hl, keys, rec.reg_no)
    ctl(hl, "investigation", "submit", rec.reg_no)
    no_director()
