"""Staff pages in their users' language (issue 16): every staff page of
every role, for a case in every state, in Kazakh and Russian, says what it
says in words. One running hotlined; the cases are driven through their
states with the real steps (hotlinectl and the staff pages, as
test_procedure.py, test_submit_decide.py, test_commission.py and
test_director.py do); then each role opens every page its routes give it
(hotlined --routes, tests/integration/staff_routes.expected), each case
page, each investigation, each reveal request, in kk and in ru (and the
login and activation pages before anyone logs in); every GET route that
answers a page must have been shown at least once. The text a
person sees (text nodes outside script and style; attributes and the
values of form fields do not count) must hold:
  - no raw code: no snake_case or dotted name (case.ack, not_considered),
    no state, event or decision name in English (ordered, closed,
    investigate);
  - no JSON ({"...);
  - no seed reference (004, L105, п.7.9, 7.9-т.), and a clause only with
    the standard named;
  - every date as dd.mm.yyyy (never ISO), a time with its zone (the
    commission's pages aside: their dates are still ISO);
and the case page also: file sizes in КБ/МБ, and one sentence per
timeline event, the investigation's order, due date and commission in it."""
import datetime
import html.parser
import os
import re

from conftest import hotlinectl
from helpers import File, submit
from staff_fixture import StaffClient, staff_routes

LANGS = ("kk", "ru")
ZONE = {"kk": "Астана уақыты", "ru": "время Астаны"}

# The names the program uses inside: none may reach the text of a kk or ru
# page (whole words, as written in the code: lower case).
CODE_WORDS = {
    # case states
    "registered", "to_director", "acknowledged", "referred", "not_considered", "urgent",
    "forwarded", "investigation", "closed",
    # investigation states
    "ordered", "in_progress", "conclusion_drafted", "submitted", "decided",
    "measures_adopted",
    # decisions, triage outcomes, reveal steps
    "forward", "investigate", "forward_and_investigate", "no_grounds", "stop", "hand_over",
    "disciplinary", "other_measures", "corruption", "not_corruption", "anonymous",
    "requested", "approved", "rejected", "released", "revealed",
    # timeline events
    "triaged", "reply", "staff_message", "reporter_message", "director_named",
    "identity_reveal", "related_attached", "followup_unproven",
    # channels, categories
    "web", "email", "phone", "written", "in_person", "gift", "conflict_of_interest",
    "unlawful_order", "other",
}
WORD_RE = re.compile(r"\b[a-z][a-z_]*\b")
SNAKE_RE = re.compile(r"\b[a-z]+(?:_[a-z0-9]+)+\b")
DOTTED_RE = re.compile(r"\b(?:case|investigation|reveal|admin|account|login|calls|register|"
                       r"figures|commission|grants?|decisions|board|archive|activate|audit|"
                       r"settings|desk)\.[a-z_]+\b")
JSON_RE = re.compile(r"[{\[]\s*\"|\"\s*:\s*[\"{\[0-9]")
SEED_RES = (re.compile(r"\b00[0-4]\b"), re.compile(r"\bL\d{2,3}\b"),
            re.compile(r"\d+(?:\.\d+)*-т\."), re.compile(r"\bseed\b", re.I))
CLAUSE_RE = re.compile(r"(?:п\.|p\.|тармақ)\s?\d")
ISO_DATE_RE = re.compile(r"\b\d{4}-\d{2}-\d{2}\b")
DMY_RE = re.compile(r"\b\d{2}\.\d{2}\.\d{4}\b")
BYTES_RE = re.compile(r"\(\d+ B\)|\b\d+ (?:B|bytes|байт)\b")
MOMENT_RE = re.compile(r"\b\d{2}\.\d{2}\.\d{4} \d{2}:\d{2}\b")


class _Text(html.parser.HTMLParser):
    """The text nodes a person reads: not script, style or a textarea's
    value; attributes are not data and so never seen. Text marked
    lang="en" (the English texts an administrator edits on the settings
    page, each shown beside its field) is English on purpose; text marked
    translate="no" is a value to copy, not words (a TOTP key's groups,
    random, once read as the seed reference "L765")."""

    SKIP = {"script", "style", "textarea"}

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.parts = []
        self.skip = 0
        self.aside = None  # [tag, depth] of an element marked lang="en" or translate="no"

    def handle_starttag(self, tag, attrs):
        if tag in self.SKIP:
            self.skip += 1
        a = dict(attrs)
        if self.aside and tag == self.aside[0]:
            self.aside[1] += 1
        elif not self.aside and (a.get("lang") == "en" or a.get("translate") == "no"):
            self.aside = [tag, 1]

    def handle_endtag(self, tag):
        if tag in self.SKIP and self.skip:
            self.skip -= 1
        if self.aside and tag == self.aside[0]:
            self.aside[1] -= 1
            if not self.aside[1]:
                self.aside = None

    def handle_data(self, data):
        if not self.skip and not self.aside and data.strip():
            self.parts.append(data.strip())


def visible_text(body):
    p = _Text()
    p.feed(body)
    return "\n".join(p.parts)


def date_problems(text, lang):
    """An ISO date, or a moment without its zone."""
    out = [f"ISO date {m!r}" for m in ISO_DATE_RE.findall(text)]
    for m in MOMENT_RE.finditer(text):
        if not text[m.end():].startswith(f" ({ZONE[lang]})"):
            out.append(f"a time without its zone: {text[m.start():m.end() + 25]!r}")
    return out


def problems(text):
    """What a kk or ru reader should not see in text."""
    out = []
    for w in WORD_RE.findall(text):
        if w in CODE_WORDS:
            out.append(f"code word {w!r}")
    out += [f"snake_case {m!r}" for m in SNAKE_RE.findall(text)]
    out += [f"dotted code {m!r}" for m in DOTTED_RE.findall(text)]
    if JSON_RE.search(text):
        out.append(f"JSON near {text[max(0, JSON_RE.search(text).start() - 40):][:120]!r}")
    for r in SEED_RES:
        out += [f"seed reference {m!r}" for m in r.findall(text)]
    for m in CLAUSE_RE.finditer(text):
        around = text[max(0, m.start() - 80):m.end() + 80].lower()
        if "стандарт" not in around:
            out.append(f"clause without the standard named: {around!r}")
    out += [f"bytes {m!r}" for m in BYTES_RE.findall(text)]
    return out


# ---------------------------------------------------------------- the cases


def ctl(hl, *args):
    p = hotlinectl(*args, "--database", hl.admin_conninfo)
    assert p.returncode == 0, f"hotlinectl {' '.join(map(str, args))}:\n{p.stdout}{p.stderr}"
    return p


def today(hl):
    return hl.query("SELECT to_char((now() AT TIME ZONE 'Asia/Almaty')::date, "
                    "'YYYY-MM-DD')")[0][0]


WHAT = "Начальник отдела закупок потребовал откат с договора поставки."


def named(hl, **over):
    return submit(hl, identity="named", name="Айгерим Сапарова", phone="+77010000000",
                  what=WHAT, who="Начальник отдела закупок", when_where="Астана, офис 214",
                  **over).reg_no


def anonymous(hl, **over):
    return submit(hl, what=WHAT, who="Начальник отдела закупок",
                  when_where="Астана, офис 214", **over).reg_no


def extend(hl, reg_no, day):
    """The director's consent to a later due date: the first working day
    the calendar accepts three to five weeks ahead."""
    for ahead in range(21, 36):
        new_due = datetime.date.fromisoformat(day) + datetime.timedelta(days=ahead)
        if new_due.weekday() >= 5:
            continue
        p = hotlinectl("investigation", "extend", reg_no, "--consent-doc", "12",
                       "--consent-date", day, "--consented-by", "director", "--new-due",
                       new_due.isoformat(), "--database", hl.admin_conninfo)
        if p.returncode == 0:
            return
    raise AssertionError(f"no due date accepted: {p.stderr}")


def build(hl, keys):
    """A case in every state of a case and of its investigation, with the
    events that fill a timeline: {name: reg_no}."""
    key = ("--case-key", str(keys.case_sec), "--passphrase-file", str(keys.passphrase_file))
    day = today(hl)
    cases = {}
    cases["registered"] = anonymous(
        hl, files=[File("акт-сверки.pdf", b"%PDF-1.4\n" + b"x" * 3000, "application/pdf")])
    r = cases["to_director"] = named(hl)
    ctl(hl, "case", "triage", r, "corruption", "--director-named", "no")
    r = cases["named_director"] = named(hl, director_involved="yes")
    ctl(hl, "case", "triage", r, "corruption")
    r = cases["acknowledged"] = named(hl)
    ctl(hl, "case", "triage", r, "corruption", "--director-named", "no")
    ctl(hl, "case", "ack", r)
    r = cases["referred"] = named(hl)
    ctl(hl, "case", "triage", r, "not_corruption", "--unit", "Отдел кадров")
    r = cases["not_considered"] = anonymous(hl)
    ctl(hl, "case", "triage", r, "anonymous")
    r = cases["urgent"] = anonymous(hl)
    ctl(hl, "case", "triage", r, "urgent")
    r = cases["forwarded"] = anonymous(hl)
    ctl(hl, "case", "triage", r, "urgent")
    ctl(hl, "case", "forwarded", r, "--to", "Агентство по противодействию коррупции", *key)
    r = cases["closed"] = named(hl)
    ctl(hl, "case", "triage", r, "corruption", "--director-named", "no")
    ctl(hl, "case", "decide", r, "no_grounds", "--doc", "резолюция 3")
    steps = ("ordered", "in_progress", "conclusion_drafted", "submitted", "decided",
             "measures_adopted", "inv_closed")
    for n, step in enumerate(steps):
        r = cases[step] = named(hl)
        ctl(hl, "case", "triage", r, "corruption", "--director-named", "no")
        ctl(hl, "case", "decide", r, "forward_and_investigate" if n == 0 else "investigate",
            "--doc", "резолюция 1")
        ctl(hl, "investigation", "order", r, "--order-no", "7-к", "--order-date", day,
            "--member", "Ержан Касымов|главный специалист|commission", *key)
        if n >= 1:
            ctl(hl, "investigation", "start", r)
            ctl(hl, "investigation", "request", r, "--to", "Бухгалтерия",
                "--what", "Договоры поставки за 2026 год", *key)
        if n == 1:
            extend(hl, r, day)
        if n >= 2:
            f = hl.workdir / f"conclusion-{n}.txt"
            f.write_text("Договоры подтверждают откат.")
            ctl(hl, "investigation", "conclude", r, "--norms", "Закон, ст. 8", "--text-file",
                str(f), "--case-public-key", str(keys.case_pub))
        if n >= 3:
            ctl(hl, "investigation", "submit", r)
        if n >= 4:
            ctl(hl, "investigation", "decide", r, "other_measures", "--doc", "приказ 9",
                "--date", day, "--as", "director")
        if n >= 5:
            ctl(hl, "investigation", "measures", r, "--doc", "приказ 10", "--date", day)
        if n >= 6:
            ctl(hl, "investigation", "close", r)
    # an appeal attached to a running investigation, a reply and a note,
    # a request to reveal an identity: more kinds of events
    r = cases["attached"] = named(hl)
    ctl(hl, "case", "triage", r, "not_corruption", "--unit", "Отдел кадров")
    comp = StaffClient(hl)
    comp.login_as("compliance")
    assert comp.post(f"/staff/case-relate/{r}", {"to": cases["in_progress"]}).status == 303
    assert comp.post(f"/staff/case-note/{cases['to_director']}",
                     {"note": "Позвонить в бухгалтерию."}).status == 303
    # the answer a named reporter is owed, and a plain message: the reply
    # letter's page and both events
    for fields in ({"message": "Ваше обращение передано руководителю.", "answer": "yes"},
                   {"message": "Уточните, пожалуйста, дату."}):
        r = comp.post(f"/staff/case-reply/{cases['to_director']}", fields)
        assert r.status == 303, r.body[:600]
    reveal = comp.post("/staff/reveal/new", {"case": cases["to_director"], "as": "compliance",
                                              "reason": "Нужен как свидетель по ст. 8 Закона"})
    assert reveal.status == 303, reveal.body[:600]
    rid = reveal.location.rsplit("/", 1)[1]
    director = StaffClient(hl)
    director.login_as("director")
    assert director.post(f"/staff/reveal/decide/{rid}", {"do": "approve"}).status == 303
    return cases, rid, {"compliance": comp, "director": director}


def state_of(hl, reg_no):
    return hl.query("SELECT c.state, coalesce(i.state, '') FROM hotline.cases c "
                    "JOIN hotline.journal j ON j.id = c.journal_id "
                    "LEFT JOIN hotline.investigations i ON i.case_id = c.id "
                    "WHERE j.reg_no = %s", (reg_no,))[0]


# ---------------------------------------------------------------- the pages


def paths_for(route, cases, rid):
    """The paths of a GET route, its * filled with every argument it
    takes."""
    if "*" not in route.pattern:
        return [route.pattern]
    prefix = route.pattern[:-1]
    every = sorted(set(cases.values()))
    args = {
        "/staff/case/": every,
        "/staff/commission/": [cases[s] for s in ("ordered", "in_progress",
                                                  "conclusion_drafted", "submitted",
                                                  "decided", "measures_adopted",
                                                  "inv_closed")],
        "/staff/commission-appeal/": [cases["attached"]],
        "/staff/reveal/": [rid],
        "/staff/admin/user/": ["compliance", "director"],
        "/staff/cover-letter/": [cases["ordered"]],  # forward and investigate
        "/staff/reply-letter/": [cases["to_director"]],
        "/staff/case-file/": [],  # a download, not a page
        "/staff/commission-file/": [],  # downloads too
        "/staff/commission-material/": [],
        # the printable conclusion, once there is one
        "/staff/commission-conclusion/": [cases[s] for s in ("conclusion_drafted", "submitted",
                                                             "decided", "measures_adopted",
                                                             "inv_closed")],
    }
    assert prefix in args, (f"{route.name} ({route.pattern}) is a staff page this test does not "
                            "know how to fill: add its arguments to paths_for()")
    return [prefix + a for a in args[prefix]]


def test_every_staff_page_of_every_role_in_words(staff_hotline, keys):
    hl = staff_hotline
    cases, rid, clients = build(hl, keys)
    # every state of a case and of an investigation is among them
    seen = {state_of(hl, r) for r in cases.values()}
    case_states = {s for s, _ in seen}
    inv_states = {i for _, i in seen if i}
    assert case_states >= {"registered", "to_director", "acknowledged", "referred",
                           "not_considered", "urgent", "forwarded", "investigation", "closed"}
    assert inv_states == {"ordered", "in_progress", "conclusion_drafted", "submitted",
                          "decided", "measures_adopted", "closed"}
    routes = [r for r in staff_routes() if r.method == "GET"]
    # "public": the login and activation pages, before anyone logs in
    roles = ("public", "compliance", "director", "alternate", "commission", "analyst", "admin",
             "operator", "registrar", "custodian")
    failures = []
    pages = 0
    case_pages = {}
    shown = set()  # the routes that answered a page
    for role in roles:
        client = clients.get(role)
        if client is None:
            client = StaffClient(hl)
            if role != "public":
                client.login_as(role)
        for route in routes:
            if role not in route.roles and "public" not in route.roles:
                continue
            for path in paths_for(route, cases, rid):
                for lang in LANGS:
                    client.cookies["lang"] = lang
                    r = client.get(path)
                    ctype = r.headers.get("Content-Type") or ""
                    if r.status != 200 or "text/html" not in ctype:
                        continue
                    pages += 1
                    shown.add(route.name)
                    text = visible_text(r.body)
                    found = problems(text) + date_problems(text, lang)
                    for p in found:
                        failures.append(f"{role} {lang} {path}: {p}")
                    if route.pattern == "/staff/case/*":
                        case_pages[(role, lang, path.rsplit("/", 1)[1])] = r.body
    if os.environ.get("WORDS_DUMP"):
        open(os.environ["WORDS_DUMP"], "w").write("\n".join(sorted(set(failures))))
    assert not failures, f"{len(failures)} problems on {pages} pages:\n" + "\n".join(
        sorted(set(failures))[:80])
    # every page was seen: each GET route but the downloads and stylesheets
    # (a download is not a page; /staff/kept answers only the token of a
    # form kept across a session's end: test_session_expiry.py)
    pages_of = {r.name for r in routes
                if not r.pattern.endswith((".css", ".csv"))
                and r.name not in ("case.file", "commission.file", "commission.material", "kept")}
    assert pages_of - shown == set(), f"routes never shown as a page: {pages_of - shown}"
    assert pages > 200, pages
    for role in ("compliance", "director", "alternate"):
        assert any(k[0] == role for k in case_pages), role

    check_case_pages(hl, cases, case_pages)


def events_of(hl, reg_no):
    return [k for (k,) in hl.query(
        "SELECT e.kind FROM hotline.case_events e JOIN hotline.cases c ON c.id = e.case_id "
        "JOIN hotline.journal j ON j.id = c.journal_id WHERE j.reg_no = %s ORDER BY e.id",
        (reg_no,))]


class _Events(html.parser.HTMLParser):
    """The <li> of <ol id="events">: (data-kind, text)."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.inside = False
        self.items = []

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "ol" and a.get("id") == "events":
            self.inside = True
        elif tag == "li" and self.inside:
            self.items.append([a.get("data-kind"), ""])

    def handle_endtag(self, tag):
        if tag == "ol":
            self.inside = False

    def handle_data(self, data):
        if self.inside and self.items:
            self.items[-1][1] += data


def timeline(body):
    p = _Events()
    p.feed(body)
    return [(k, " ".join(t.split())) for k, t in p.items]


def check_case_pages(hl, cases, case_pages):
    day = today(hl)
    dmy = ".".join(reversed(day.split("-")))
    for (role, lang, reg_no), body in case_pages.items():
        text = visible_text(body)
        where = f"{role} {lang} {reg_no}"
        # its dates were checked with every page's: here, that it has them
        assert MOMENT_RE.search(text) and DMY_RE.search(text), f"{where}: no dd.mm.yyyy date"
        # one sentence per event, none of them its code
        items = timeline(body)
        kinds = events_of(hl, reg_no)
        assert [k for k, _ in items] == kinds, where
        for kind, sentence in items:
            assert kind not in sentence and len(sentence) > 20, (where, kind, sentence)
    # the order, its due date and the commission are in the timeline of
    # those who hold the case's key
    r = cases["ordered"]
    for lang in LANGS:
        body = case_pages[("compliance", lang, r)]
        ordered = [t for k, t in timeline(body) if k == "investigation"][0]
        assert "7-к" in ordered and dmy in ordered and "Ержан Касымов" in ordered, ordered
        # the file of the registered case, in КБ
        files = visible_text(case_pages[("compliance", lang, cases["registered"])])
        assert re.search(r"акт-сверки\.pdf\s*\(\d+(?:,\d)? КБ\)", files), files
        decided = [t for k, t in timeline(case_pages[("compliance", lang, cases["decided"])])
                   if k == "investigation"]
        assert any("приказ 9" in t and dmy in t for t in decided), decided
