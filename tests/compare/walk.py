#!/usr/bin/python3
"""Byte-for-byte comparison of two builds (issue 15's acceptance: every
page, every mail and every LMTP answer the same before and after a
refactor). Run by tools/compare-builds.sh; see tests/compare/README.md.

    walk.py record CHECKOUT OUT --port P --sink-port S --lmtp-port L
        starts a throw-away stack of CHECKOUT (its tools/stack.sh, its
        migrations, its build/), its staff accounts (its
        tools/staff-accounts.sh), an SMTP sink, walks the same scripted
        steps, writes one file per answer into OUT, stops everything
    walk.py diff OUT_A OUT_B
        compares two recorded walks after normalisation; exit 0 only if
        every answer and every mail is the same

The walk is deterministic: the same requests in the same order, the
state settled (every new appeal announced, every notice delivered) after
each step that changes something, so a page never depends on how fast
the daemon's background work was. What legitimately differs between two
runs is normalised by NORMALISERS below, and nothing else.
"""
import base64
import difflib
import email
import email.header
import email.policy
import hashlib
import hmac
import html.parser
import http.client
import json
import os
import re
import shutil
import socket
import struct
import subprocess
import sys
import tempfile
import time
import urllib.parse
from pathlib import Path

HERE = Path(__file__).resolve().parent
SINK = HERE.parent.parent / "tools" / "smtp_sink.py"
PYTHON = "/usr/bin/python3"
PSQL = os.path.join(os.environ.get("PGBIN", "/usr/lib/postgresql/15/bin"), "psql")
HOTLINE_ADDR = "hotline@org.example.kz"
REPORTER_ADDR = "reporter@mail.example.kz"

# the accounts of tools/staff-accounts.sh
PASSWORD = "staff password (test only)"
TOTP = {
    "director": "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ",
    "custodian": "MFRGGZDFMZTWQ2LKNNWG23TPOBYXE43U",
    "admin": "KRUGS4ZANFZSA5DIMUQGC3DNNFXCA23F",
    "compliance": "MNXW24DMNFQW4Y3FFV2G65DQFUYDAMBR",
    "alternate": "MFWHIZLSNZQXIZJNORXXI4BNGAYDAMBS",
}
ROLES = ("operator", "registrar", "compliance", "director", "alternate", "commission",
         "custodian", "analyst", "admin")

# Headers left out of the comparison: they say nothing about the page, or
# only what the body already shows (its length).
SKIP_HEADERS = {"date", "content-length", "connection"}

# ---------------------------------------------------------------- normalisation
#
# Each rule replaces what two runs of the same build legitimately make
# differently (random, secret or time-dependent) by a fixed token. The
# rules are written tight: a value is replaced only in the shape it takes,
# so page structure and text are never normalised away.

NORMALISERS = [
    # receipts: 28 digits, grouped by spaces or dashes, or bare
    (re.compile(r"\b\d{4}(?:[ -]\d{4}){6}\b"), "<RECEIPT>"),
    (re.compile(r"\b\d{28}\b"), "<RECEIPT>"),
    # the mailed appeals' reply reference (docs/mail-intake.md)
    (re.compile(r"#[A-Z2-7]{24}\b"), "#<REPLYREF>"),
    # the staff session and pre-login cookies, CSRF tokens: 64 hex digits
    (re.compile(r"\b[0-9a-f]{64}\b"), "<HEX64>"),
    # the receipt page's cookie (a slot number and 32 random bytes)
    (re.compile(r"\breceipt_page=[0-9a-f]{68}\b"), "receipt_page=<TOKEN>"),
    # the staff device cookie (a random id, sealed): its value only
    (re.compile(r"\bhotline_device=[A-Za-z0-9_-]+"), "hotline_device=<DEVICE>"),
    # a TOTP secret offered for enrolment, grouped by four for typing
    (re.compile(r"\b[A-Z2-7]{4}(?: [A-Z2-7]{4}){7}\b"), "<TOTPSECRET>"),
    # an account key's fingerprint, grouped by four (the accounts' keys
    # derive from the stack's random account secret)
    (re.compile(r"\b[0-9a-f]{4}(?: [0-9a-f]{4}){7}\b"), "<FPR>"),
    # a reveal packet's identity line: the identity sealed to the stack's
    # random unmasking key (docs/reveal.md)
    (re.compile(r"(?m)^identity [A-Za-z0-9+/]+=*$"), "identity <SEALED>"),
    # a receipt dictated on the phone (desk/dictate.c): each group of four
    # digits and the same digits in words
    (re.compile(r'<li><span class="group">\d{4}</span> <span class="spoken">[^<]*</span></li>'),
     '<li><span class="group"><GROUP></span> <span class="spoken"><SPOKEN></span></li>'),
    # one-time activation codes (hotlinectl user add, admin pages)
    (re.compile(r"\b[a-z2-9]{5}(?:-[a-z2-9]{5}){3}\b"), "<ACTIVATION>"),
    # a TOTP secret offered for enrolment (32 base32 characters), and its
    # otpauth URI
    (re.compile(r"\b[A-Z2-7]{32}\b"), "<TOTPSECRET>"),
    # key fingerprints: 16 hex digits (the stack's keys are new each run)
    (re.compile(r"\b[0-9a-f]{16}\b"), "<FPR>"),
    # dates and times of day, in the forms pages and mails use
    (re.compile(r"\b\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(?::\d{2})?(?:\.\d+)?(?:[+-]\d{2}(?::?\d{2})?|Z)?"),
     "<DATETIME>"),
    (re.compile(r"\b\d{4}-\d{2}-\d{2}\b"), "<DATE>"),
    (re.compile(r"\b\d{2}\.\d{2}\.\d{4}\b"), "<DATE>"),
    (re.compile(r"\b\d{1,2}:\d{2}(?::\d{2})?\b"), "<TIME>"),
]

# Mail headers whose value is a time or the sink's stamp
MAIL_HEADERS = [
    (re.compile(r"(?m)^Date: .*$"), "Date: <DATE>"),
]

# The QR code of a TOTP secret (staff/qrcode.c) draws the random secret:
# its modules are replaced, the element kept.
QR_RE = re.compile(r'(<path[^>]*\bd=")[^"]*(")')


def normalise(text):
    text = QR_RE.sub(r"\1<QR>\2", text)
    for rx, rep in NORMALISERS:
        text = rx.sub(rep, text)
    return text


def readable_mail(raw):
    """A mail as compared: its headers as sent (unfolded), each encoded
    word also decoded, then every text part with its transfer encoding
    undone (hotlined's notices are base64 UTF-8: a receipt or a reference
    inside would not be found otherwise). The base64 text itself is not
    compared: it is a function of the decoded text."""
    msg = email.message_from_bytes(raw, policy=email.policy.compat32)
    out = []
    for k, v in msg.items():
        v = v.replace("\r\n", "").replace("\n", "")
        out.append(f"{k}: {v}")
        if "=?" in v:
            out.append(f"  (decoded) {email.header.make_header(email.header.decode_header(v))}")
    out.append("")
    for part in msg.walk():
        if part.is_multipart():
            continue
        payload = part.get_payload(decode=True) or b""
        charset = part.get_content_charset() or "utf-8"
        out.append(f"--- part {part.get_content_type()} "
                   f"({part.get('Content-Transfer-Encoding', '7bit')})")
        try:
            out.append(payload.decode(charset, "surrogateescape"))
        except LookupError:
            out.append(payload.decode("utf-8", "surrogateescape"))
    return "\n".join(out) + "\n"


def normalise_mail(text):
    for rx, rep in MAIL_HEADERS:
        text = rx.sub(rep, text)
    return normalise(text)


# ---------------------------------------------------------------- small helpers


def log(*a):
    print("walk:", *a, file=sys.stderr, flush=True)


def totp_code(secret_b32, at):
    key = base64.b32decode(secret_b32 + "=" * (-len(secret_b32) % 8))
    mac = hmac.new(key, struct.pack(">Q", int(at) // 30), hashlib.sha1).digest()
    off = mac[-1] & 0x0F
    value = (struct.unpack(">I", mac[off:off + 4])[0] & 0x7FFFFFFF) % 1000000
    return str(value).zfill(6)


class Form:
    def __init__(self, attrs):
        self.action = attrs.get("action", "")
        self.method = (attrs.get("method") or "get").lower()
        self.enctype = attrs.get("enctype", "")
        self.fields = []  # (name, value, kind)
        self.select = None
        self.textarea = None


class FormParser(html.parser.HTMLParser):
    """Every form of a page with the values a browser would send by
    default (hidden and text inputs, checked boxes, the selected or first
    option of a select, the first radio of a group when none is checked,
    textareas)."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.forms = []
        self.links = []
        self.cur = None
        self.radios = {}

    def handle_starttag(self, tag, attrs):
        a = {k: (v if v is not None else "") for k, v in attrs}
        if tag == "a" and "href" in a:
            self.links.append(a["href"])
        if tag == "form":
            self.cur = Form(a)
            self.forms.append(self.cur)
            self.radios = {}
            return
        f = self.cur
        if f is None:
            return
        name = a.get("name")
        if tag == "input" and name:
            kind = a.get("type", "text").lower()
            if kind in ("submit", "button", "image", "reset", "file"):
                if kind == "submit" and "value" in a:
                    f.fields.append((name, a["value"], "submit"))
                return
            if kind in ("checkbox",):
                if "checked" in a:
                    f.fields.append((name, a.get("value", "on"), kind))
                return
            if kind == "radio":
                if "checked" in a:
                    f.fields = [x for x in f.fields if not (x[0] == name and x[2] == "radio-default")]
                    f.fields.append((name, a.get("value", "on"), "radio"))
                    self.radios[name] = True
                elif name not in self.radios:
                    f.fields.append((name, a.get("value", "on"), "radio-default"))
                    self.radios[name] = False
                return
            f.fields.append((name, a.get("value", ""), kind))
        elif tag == "select" and name:
            f.select = [name, None, None]
        elif tag == "option" and f.select is not None:
            v = a.get("value")
            if f.select[1] is None:
                f.select[1] = v
            if "selected" in a:
                f.select[2] = v
        elif tag == "textarea" and name:
            f.textarea = [name, ""]

    def handle_data(self, data):
        if self.cur is not None and self.cur.textarea is not None:
            self.cur.textarea[1] += data

    def handle_endtag(self, tag):
        f = self.cur
        if f is None:
            return
        if tag == "select" and f.select is not None:
            name, first, sel = f.select
            f.fields.append((name, sel if sel is not None else (first or ""), "select"))
            f.select = None
        elif tag == "textarea" and f.textarea is not None:
            f.fields.append((f.textarea[0], f.textarea[1], "textarea"))
            f.textarea = None
        elif tag == "form":
            self.cur = None


def parse(body):
    p = FormParser()
    p.feed(body)
    return p


# ---------------------------------------------------------------- the recorder


class Recorder:
    def __init__(self, out):
        self.out = Path(out)
        self.out.mkdir(parents=True, exist_ok=True)
        self.n = 0

    def save(self, name, text):
        self.n += 1
        name = re.sub(r"[^A-Za-z0-9_.-]+", "_", name).strip("_")[:90]
        fname = f"{self.n:04d}-{name}.txt"
        (self.out / fname).write_text(text, encoding="utf-8", errors="surrogateescape")

    def http(self, name, method, path, status, headers, body):
        lines = [f"{method} {path}", f"status {status}"]
        for k, v in headers:
            if k.lower() not in SKIP_HEADERS:
                lines.append(f"{k}: {v}")
        lines.append("")
        self.save("http-" + name, "\n".join(lines) + "\n" + body)


class Client:
    """One browser: its own cookies and the last CSRF token it saw."""

    def __init__(self, walk, who):
        self.w = walk
        self.who = who
        self.cookies = {}
        self.csrf = None

    def request(self, name, method, path, body=None, ctype=None, record=True, headers=None):
        conn = http.client.HTTPConnection("127.0.0.1", self.w.port, timeout=60)
        h = {"Connection": "close"}
        if self.cookies:
            h["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        if ctype:
            h["Content-Type"] = ctype
        h.update(headers or {})
        conn.request(method, path, body=body, headers=h)
        r = conn.getresponse()
        data = r.read()
        hdrs = r.getheaders()
        conn.close()
        text = data.decode("utf-8", "surrogateescape")
        for k, v in hdrs:
            if k.lower() == "set-cookie":
                cname, _, val = v.split(";", 1)[0].partition("=")
                if "max-age=0" in v.lower() or val == "":
                    self.cookies.pop(cname.strip(), None)
                else:
                    self.cookies[cname.strip()] = val.strip()
        m = re.search(r'name="csrf" value="([0-9a-f]{64})"', text)
        if m:
            self.csrf = m.group(1)
        if record:
            self.w.rec.http(f"{self.who}-{name}", method, path, r.status, hdrs, text)
        self.w.settle_if(method)
        return r.status, dict((k.lower(), v) for k, v in hdrs), text

    def get(self, path, name=None, **kw):
        return self.request(name or path, "GET", path, **kw)

    def post(self, path, fields, name=None, csrf=True, **kw):
        fields = list(fields)
        if csrf and self.csrf and not any(k == "csrf" for k, _ in fields):
            fields.append(("csrf", self.csrf))
        body = urllib.parse.urlencode(fields).encode()
        return self.request(name or ("post" + path), "POST", path, body,
                            "application/x-www-form-urlencoded", **kw)

    def submit(self, page, action_prefix, name, fill=None, drop=(), blank=(),
               empty_text="walk text"):
        """Submits the first form of page whose action starts with
        action_prefix, with its default values, text fields left empty
        filled with empty_text, and fill's values. Returns the answer or
        None when the page has no such form (recorded as such)."""
        for f in parse(page).forms:
            if f.action.startswith(action_prefix) and f.method == "post":
                fields = []
                fill = dict(fill or {})
                for k, v, kind in f.fields:
                    if k in drop or kind == "submit":
                        continue
                    if k in fill:
                        v = fill.pop(k)
                    elif not v and k not in blank and kind in ("text", "textarea", "date", "tel", "email", "number"):
                        v = {"date": self.w.today, "number": "1", "email": "x@example.kz",
                             "tel": "+77001234567"}.get(kind, empty_text)
                    fields.append((k, v))
                fields += list(fill.items())
                return self.post(f.action, fields, name=name)
        self.w.rec.save(f"{self.who}-{name}-noform", f"no form with action {action_prefix}\n")
        return None

    def login(self, login, code=None, record=True):
        self.get("/staff/login", name="login-form", record=record)
        if code is None and login in TOTP:
            code = self.w.fresh_totp(login)
        return self.post("/staff/login", [("csrf", self.csrf), ("login", login),
                                          ("password", PASSWORD), ("code", code or "")],
                         name="login", csrf=False, record=record)


class Walk:
    def __init__(self, checkout, out, port, sink_port, lmtp_port):
        self.checkout = Path(checkout).resolve()
        self.build = self.checkout / "build"
        self.rec = Recorder(out)
        self.port = port
        self.sink_port = sink_port
        self.lmtp_port = lmtp_port
        self.dir = Path(tempfile.mkdtemp(prefix="hotline-compare-"))
        os.chmod(self.dir, 0o755)
        self.maildir = self.dir / "mail"
        self.maildir.mkdir()
        self.seen_mail = set()
        self.sink = None
        self.used_steps = {}
        self.today = time.strftime("%Y-%m-%d", time.gmtime(time.time() + 5 * 3600))
        self.conninfo = f"host={self.dir}/pg/run dbname=hotline user=postgres"

    # -- the stack
    def start(self):
        self.sink = subprocess.Popen([PYTHON, str(SINK), "--port", str(self.sink_port),
                                      "--dir", str(self.maildir)],
                                     stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                                     stderr=open(self.dir / "sink.log", "ab"))
        line = self.sink.stdout.readline()
        if not line.startswith(b"ready"):
            raise SystemExit("walk: the SMTP sink did not start")
        extra = "\n".join([
            "smtp_server = 127.0.0.1", f"smtp_port = {self.sink_port}", "smtp_starttls = no",
            "outbox_retry_min = 1", "outbox_retry_max = 2", "smtp_timeout = 5",
            f"lmtp_listen = 127.0.0.1:{self.lmtp_port}", "mail_acknowledge = yes",
            f"outbox_key_file = {self.dir}/outbox.key", "deadline_scan_interval = 1",
            "default_language = ru", "lookup_free_failures = 3", "lookup_max_delay = 1",
        ])
        env = dict(os.environ, STACK_EXTRA_CONFIG=extra)
        subprocess.run(["bash", str(self.checkout / "tools/stack.sh"), "start", str(self.dir),
                        str(self.port), str(self.build)], check=True, env=env,
                       stdout=subprocess.DEVNULL, stderr=open(self.dir / "stack.log", "ab"))
        subprocess.run(["bash", str(self.checkout / "tools/staff-accounts.sh"), str(self.dir),
                        str(self.build)], check=True, stdout=subprocess.DEVNULL,
                       stderr=open(self.dir / "stack.log", "ab"))
        for k, v in (("consider_anonymous_reports", "on"), ("organisation", "Example LLP"),
                     ("director_email", "director@org.example.kz"),
                     ("alternate_email", "alternate@org.example.kz"),
                     ("compliance_email", "compliance@org.example.kz"),
                     ("console_url", f"http://127.0.0.1:{self.port}/staff/")):
            self.ctl("settings", "set", k, v)
        # the daemon keeps settings it has read: start it again so that
        # every page, the first one too, sees these
        self.stack("stop")
        self.stack("start", str(self.port), str(self.build), env=env)

    def stack(self, *args, env=None):
        subprocess.run(["bash", str(self.checkout / "tools/stack.sh"), args[0], str(self.dir),
                        *args[1:]], check=True, env=env, stdout=subprocess.DEVNULL,
                       stderr=open(self.dir / "stack.log", "ab"))

    def stop(self):
        subprocess.run(["bash", str(self.checkout / "tools/stack.sh"), "stop", str(self.dir)],
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        if self.sink:
            self.sink.terminate()
            self.sink.wait(10)
        if os.environ.get("COMPARE_KEEP"):
            log("kept", self.dir)
        else:
            shutil.rmtree(self.dir, ignore_errors=True)

    def ctl(self, *args, stdin=None, record=None):
        env = dict(os.environ, HOTLINE_ACCOUNT_SECRET=str(self.dir / "account.secret"),
                   HOTLINE_ACCOUNT_KDF="interactive", HOTLINE_CASE_KEY=str(self.dir / "case.sec"),
                   HOTLINE_CASE_PASSPHRASE_FILE=str(self.dir / "pp"))
        p = subprocess.run([str(self.build / "hotlinectl"), *args, "--database", self.conninfo],
                           input=stdin, capture_output=True, text=True, env=env, timeout=120)
        if record:
            # stdout and the exit status only: what hotlinectl says on
            # stderr about seals it made depends on whether the daemon
            # made them first (a staff session's background work)
            self.rec.save("ctl-" + record, f"exit {p.returncode}\n{p.stdout}")
        if p.returncode != 0:
            log(f"hotlinectl {' '.join(args)}: exit {p.returncode}: {p.stderr.strip()}")
        self.settle()
        return p

    def sql(self, query):
        p = subprocess.run([PSQL, self.conninfo, "-Atqc", query], capture_output=True, text=True,
                           timeout=60)
        return p.stdout.strip()

    def settle_if(self, method):
        if method != "GET":
            self.settle()

    def settle(self, timeout=30):
        """Waits until every appeal is announced and every notice that can
        go has gone, then takes the mails that arrived."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            left = self.sql("SELECT (SELECT count(*) FROM hotline.deadlines WHERE NOT announced)"
                            " + (SELECT count(*) FROM hotline.outbox WHERE sent_at IS NULL"
                            " AND attempts < 3)")
            if left == "0":
                break
            time.sleep(0.2)
        else:
            self.rec.save("settle-timeout", f"not settled after {timeout} s: {left}\n")
        time.sleep(0.1)
        self.take_mail()

    def take_mail(self):
        new = sorted(p for p in self.maildir.glob("*.eml") if p.name not in self.seen_mail)
        texts = []
        for p in new:
            self.seen_mail.add(p.name)
            meta = json.loads(p.with_suffix(".json").read_text())
            texts.append(f"envelope from {meta.get('mail_from')} to {meta.get('rcpt_tos')}\n\n"
                         + readable_mail(p.read_bytes()))
        # the order in which one step's notices reach the sink is not fixed
        for t in sorted(texts, key=normalise_mail):
            self.rec.save("mail", t)

    def fresh_totp(self, login):
        """A code the daemon accepts now, never one of a step used before."""
        while True:
            now = time.time()
            step = int(now) // 30
            cand = max(step - 1, self.used_steps.get(login, 0) + 1)
            if cand <= step + 1 and not (cand == step - 1 and now % 30 > 25):
                self.used_steps[login] = cand
                return totp_code(TOTP[login], cand * 30)
            time.sleep(30 - now % 30 + 0.2)

    # -- LMTP
    def lmtp(self, name, commands):
        """One LMTP session: each command (or a DATA body) and its answers."""
        s = socket.create_connection(("127.0.0.1", self.lmtp_port), timeout=30)
        f = s.makefile("rb")
        lines = []

        def answer(count=1):
            got = []
            for _ in range(count):
                while True:
                    line = f.readline().decode("utf-8", "surrogateescape").rstrip("\r\n")
                    got.append(line)
                    if len(line) < 4 or line[3] != "-":
                        break
            return got

        lines += ["S: " + x for x in answer()]
        for cmd in commands:
            count = 1
            if isinstance(cmd, tuple):
                cmd, count = cmd
            if cmd.startswith("DATA-BODY\n"):
                body = cmd[len("DATA-BODY\n"):].replace("\n", "\r\n")
                s.sendall(body.encode() + b"\r\n.\r\n")
                lines.append("C: <message body>")
            else:
                s.sendall(cmd.encode() + b"\r\n")
                lines.append("C: " + cmd)
            lines += ["S: " + x for x in answer(count)]
        s.close()
        self.rec.save("lmtp-" + name, "\n".join(lines) + "\n")
        self.settle()
        return lines


# ---------------------------------------------------------------- the script


def report_fields(lang, **over):
    f = {"what": "The head of procurement asked for 5% of the contract.",
         "when_where": "Last Monday, office 214", "who": "A. Example, head of procurement",
         "director_involved": "no", "category": "corruption", "identity": "anonymous",
         "lang": lang}
    f.update(over)
    return [(k, v) for k, v in f.items() if v is not None]


def text_of(body, ident):
    m = re.search(r'id="%s"[^>]*>([^<]*)<' % re.escape(ident), body)
    return m.group(1).strip() if m else None


def public_walk(w):
    pub = Client(w, "public")
    for path in ("/", "/?lang=kk", "/?lang=ru", "/?lang=en", "/status", "/status?lang=kk",
                 "/status?lang=en", "/style.css", "/healthz", "/nope", "/staff/nope",
                 "/status/sent", "/report"):
        pub.get(path)
    pub.request("head", "HEAD", "/")
    pub.request("put", "PUT", "/status", b"x", "text/plain")
    for accept in ("kk", "ru-RU,ru;q=0.9", "en-GB,en;q=0.8", "de"):
        pub.get("/", name="accept-" + accept, headers={"Accept-Language": accept})
    for lang in ("kk", "ru", "en"):
        pub.post("/report", report_fields(lang, what="", who=None), name=f"report-errors-{lang}")
        pub.post("/report", report_fields(lang, identity="named", name="Aigerim Example",
                                          phone="+77001234567", email="reporter@example.kz",
                                          director_involved="no" if lang != "kk" else "yes"),
                 name=f"report-valid-{lang}")
        # a build that answers 303 shows the receipt on GET /receipt (its
        # cookie is kept by the client); an older one answered with the page
        pub.get(f"/receipt?lang={lang}", name=f"report-valid-{lang}-page")
    return pub


def receipts_from(w):
    """The receipts shown on the three valid report pages just recorded."""
    out = {}
    for p in sorted(w.rec.out.glob("*report-valid-*.txt")):
        t = p.read_text(errors="surrogateescape")
        lang = re.search(r"report-valid-([a-z]+)", p.name).group(1)
        if text_of(t, "receipt"):
            out[lang] = (text_of(t, "receipt"), text_of(t, "reg-no"))
    return out


def status_walk(w, pub, receipts):
    for lang, (receipt, _) in receipts.items():
        pub.post("/status", [("lang", lang), ("receipt", receipt)], name=f"status-good-{lang}")
    pub.post("/status", [("lang", "en"), ("receipt", "1234 5678 9012 3456 7890 1234 5678")],
             name="status-bad")
    pub.post("/status", [("lang", "ru"), ("receipt", "12")], name="status-short")
    receipt = receipts["ru"][0]
    pub.post("/status/message", [("lang", "ru"), ("receipt", receipt),
                                 ("message", "A follow-up from the reporter.")],
             name="status-message")
    pub.post("/status/message", [("lang", "ru"), ("receipt", receipt), ("message", "")],
             name="status-message-empty")
    pub.get("/status/sent?lang=ru", name="status-sent")
    pub.post("/status", [("lang", "ru"), ("receipt", receipt)], name="status-after-message")


def mail(subject, body, sender=REPORTER_ADDR, extra=""):
    return (f"From: Reporter <{sender}>\nTo: {HOTLINE_ADDR}\nSubject: {subject}\n"
            f"Message-ID: <walk-{hashlib.sha256(subject.encode()).hexdigest()[:12]}@mail.example.kz>\n"
            f"Date: Mon, 7 Dec 2026 10:00:00 +0500\nMIME-Version: 1.0\n"
            f"Content-Type: text/plain; charset=utf-8\n{extra}\n{body}\n")


def lmtp_walk(w):
    w.lmtp("errors", ["FOO bar", "MAIL FROM:<a@b.kz>", "RCPT TO:<x@y.kz>", "DATA",
                      "LHLO walk.example.kz", "RCPT TO:<x@y.kz>", "DATA", "MAIL FROM:<a@b.kz>",
                      "MAIL FROM:<a@b.kz>", "RSET", "NOOP", "MAIL FROM:<a@b.kz> SIZE=999999999999",
                      "HELO x", "QUIT"])
    w.lmtp("report", ["LHLO walk.example.kz", f"MAIL FROM:<{REPORTER_ADDR}>",
                      f"RCPT TO:<{HOTLINE_ADDR}>", "DATA",
                      "DATA-BODY\n" + mail("Bribe at the depot",
                                           "The storekeeper asks for money.\n..a dotted line"),
                      "QUIT"])
    reg = w.sql("SELECT reg_no FROM hotline.journal ORDER BY id DESC LIMIT 1")
    # the acknowledgment carries the reply reference: its reply follows up
    ref = None
    for p in sorted(w.rec.out.glob("*-mail.txt")):
        m = re.search(r"#[A-Z2-7]{24}", p.read_text(errors="replace"))
        if m:
            ref = m.group(0)
    w.lmtp("follow-up", ["LHLO walk.example.kz", "MAIL FROM:<other@mail.example.kz>",
                         f"RCPT TO:<{HOTLINE_ADDR}>", "DATA",
                         "DATA-BODY\n" + mail(f"Re: Registered as {reg} [{ref}]",
                                              "More about the depot.",
                                              sender="other@mail.example.kz"),
                         "QUIT"])
    w.lmtp("by-sender", ["LHLO walk.example.kz", f"MAIL FROM:<{REPORTER_ADDR}>",
                         f"RCPT TO:<{HOTLINE_ADDR}>", f"RCPT TO:<{HOTLINE_ADDR}>", ("DATA", 1),
                         ("DATA-BODY\n" + mail(f"About {reg}", "And one more thing."), 2),
                         "QUIT"])
    w.lmtp("unproven", ["LHLO walk.example.kz", "MAIL FROM:<third@mail.example.kz>",
                        f"RCPT TO:<{HOTLINE_ADDR}>", "DATA",
                        "DATA-BODY\n" + mail(f"About {reg}", "Not proven to belong.",
                                             sender="third@mail.example.kz"),
                        "QUIT"])
    w.lmtp("unreadable", ["LHLO walk.example.kz", f"MAIL FROM:<{REPORTER_ADDR}>",
                          f"RCPT TO:<{HOTLINE_ADDR}>", "DATA", "DATA-BODY\nno header at all",
                          "QUIT"])
    return reg


def staff_clients(w):
    c = {}
    anon = Client(w, "anon")
    anon.get("/staff/login")
    anon.get("/staff/")
    anon.get("/staff/board")
    anon.get("/staff/style.css")
    anon.get("/staff/case.css")
    anon.get("/staff/desk.css")
    anon.get("/staff/figures.css")
    anon.get("/staff/activate")
    anon.post("/staff/login", [("csrf", anon.csrf), ("login", "operator"),
                               ("password", "wrong"), ("code", "")], name="login-bad-password",
              csrf=False)
    anon.post("/staff/login", [("login", "operator"), ("password", PASSWORD), ("code", "")],
              name="login-no-csrf", csrf=False)
    anon.post("/staff/login", [("csrf", anon.csrf), ("login", "director"),
                               ("password", PASSWORD), ("code", "")],
              name="login-no-code", csrf=False)
    anon.post("/staff/activate", [("csrf", anon.csrf), ("login", "nobody"), ("code", "x"),
                                  ("password", "p"), ("again", "q")], name="activate-bad",
              csrf=False)
    for role in ROLES:
        cl = Client(w, role)
        cl.login(role)
        c[role] = cl
    return c


def crawl(w, cl, start, limit=250, skip=()):
    """Every /staff page reachable by links from start, breadth first, in
    the order the pages list them."""
    seen, queue, n = set(), list(start), 0
    while queue and n < limit:
        path = queue.pop(0)
        if path in seen or any(re.search(s, path) for s in skip):
            continue
        seen.add(path)
        status, hdrs, body = cl.get(path, name="crawl" + path)
        n += 1
        if not hdrs.get("content-type", "").startswith("text/html"):
            continue
        for href in parse(body).links:
            u = urllib.parse.urlsplit(urllib.parse.urljoin(path, href))
            if u.netloc or not u.path.startswith("/staff"):
                continue
            p = u.path + ("?" + u.query if u.query else "")
            if p not in seen:
                queue.append(p)
    return seen


def page(cl, path):
    return cl.get(path, record=False)[2]


def staff_walk(w, c, regs):
    comp, dire, alt, com = c["compliance"], c["director"], c["alternate"], c["commission"]
    kk, ru, en = regs["kk"][1], regs["ru"][1], regs["en"][1]
    # CSRF refusal, then an error page: a note without text
    comp.post(f"/staff/case-note/{en}", [("note", "x")], name="note-no-csrf", csrf=False)
    comp.get(f"/staff/case/{en}", name="case-en-before")
    comp.post(f"/staff/case-note/{en}", [("note", "")], name="note-empty")
    comp.post(f"/staff/case-note/{en}", [("note", "A note by the compliance manager.")],
              name="note")
    # triage on the page: the named Russian report as corruption
    comp.submit(page(comp, f"/staff/case/{ru}"), f"/staff/case-triage/{ru}", "triage-ru",
                fill={"category": "corruption"})
    comp.get(f"/staff/case/{ru}", name="case-ru-triaged")
    dire.get("/staff/decisions", name="decisions-1")
    dire.submit(page(dire, f"/staff/case/{ru}"), f"/staff/decide-ack/{ru}", "ack-ru")
    dire.submit(page(dire, f"/staff/case/{ru}"), f"/staff/decide/{ru}", "decide-ru",
                fill={"decision": "forward"})
    dire.get(f"/staff/case/{ru}", name="case-ru-decided")
    comp.get(f"/staff/cover-letter/{ru}", name="cover-letter-ru")
    comp.get(f"/staff/reply-letter/{ru}", name="reply-letter-ru")
    comp.submit(page(comp, f"/staff/case/{ru}"), f"/staff/case-forwarded/{ru}", "forwarded-ru",
                fill={"to": "The police department"})
    comp.get(f"/staff/case/{ru}", name="case-ru-forwarded")
    # the English report to an investigation, by hotlinectl as the browser
    # tests do, then the commission's pages
    w.ctl("case", "triage", en, "corruption", record="triage-en")
    w.ctl("case", "ack", en, record="ack-en")
    w.ctl("case", "decide", en, "investigate", "--doc", "resolution 4", record="decide-en")
    w.ctl("investigation", "order", en, "--order-no", "17", "--order-date", w.today,
          "--member", "Test Commission|deputy director|commission",
          "--member", "Omarova Gulnara|chief accountant",
          "--case-key", str(w.dir / "case.sec"), "--passphrase-file", str(w.dir / "pp"),
          record="order-en")
    com.get("/staff/commission", name="commission-list")
    com.get(f"/staff/commission/{en}", name="commission-case")
    com.submit(page(com, f"/staff/commission/{en}"), f"/staff/commission/{en}", "commission-step")
    com.get(f"/staff/commission/{en}", name="commission-case-2")
    com.get(f"/staff/commission-appeal/{en}", name="commission-appeal")
    # the Kazakh one (the director involved): triaged by hotlinectl
    w.ctl("case", "triage", kk, "corruption", "--director-named", "yes", record="triage-kk")
    alt.get(f"/staff/case/{kk}", name="case-kk-alternate")
    dire.get(f"/staff/case/{kk}", name="case-kk-director")
    # identity: a reveal request by compliance on the English case
    comp.get("/staff/reveal/new", name="reveal-new")
    comp.submit(page(comp, f"/staff/reveal/new?case={en}"), "/staff/reveal/new", "reveal-request",
                fill={"case": en, "reason": "The police asked for the reporter."})
    comp.post("/staff/reveal/new", [("case", "")], name="reveal-request-empty")
    comp.get("/staff/reveal/1", name="reveal-1-compliance")
    dire.submit(page(dire, "/staff/reveal/1"), "/staff/reveal/decide/1", "reveal-decide",
                fill={"do": "approve"})
    dire.get("/staff/reveal/1", name="reveal-1-director")
    cus = c["custodian"]
    cus.get("/staff/reveal/1", name="reveal-1-custodian")
    cus.submit(page(cus, "/staff/reveal/1"), "/staff/reveal/release/1", "reveal-release")
    cus.get("/staff/reveal/1", name="reveal-1-released")


DESK_BLANK = ("name", "organisation", "address", "phone", "email")


def desk_walk(w, c):
    op, reg = c["operator"], c["registrar"]
    op.get("/staff/calls/new", name="call-form")
    op.post("/staff/calls/new", [], name="call-empty")
    op.submit(page(op, "/staff/calls/new"), "/staff/calls/new", "call-save",
              fill={"what": "A caller reports a bribe at the gate.", "category": "corruption",
                    **{f"step{i}": "done" for i in range(1, 6)}},
              blank=DESK_BLANK)
    op.get("/staff/calls", name="calls")
    reg.get("/staff/register", name="register-form")
    reg.post("/staff/register", [], name="register-empty")
    reg.submit(page(reg, "/staff/register"), "/staff/register", "register-save",
               fill={"what": "A letter about a bribe at the warehouse.",
                     "category": "corruption"}, blank=DESK_BLANK)


def admin_walk(w, c):
    adm = c["admin"]
    adm.submit(page(adm, "/staff/admin/users"), "/staff/admin/users/add", "user-add",
               fill={"login": "clerk", "name": "New Clerk"})
    adm.post("/staff/admin/users/add", [("login", "")], name="user-add-empty")
    adm.get("/staff/admin/user/clerk", name="user-clerk")
    adm.submit(page(adm, "/staff/admin/user/clerk"), "/staff/admin/user/reset", "user-reset")
    adm.submit(page(adm, "/staff/admin/user/clerk"), "/staff/admin/user/disable",
               "user-disable")
    adm.get("/staff/admin/user/clerk", name="user-clerk-disabled")
    adm.get("/staff/admin/policy", name="policy")
    adm.submit(page(adm, "/staff/admin/policy"), "/staff/admin/policy", "policy-set")
    for cl in c.values():
        cl.get("/staff/account/password", name="my-password")
        cl.post("/staff/account/password", [("current", "wrong"), ("password", "a"),
                                            ("again", "b")], name="my-password-bad")
        cl.get("/staff/account/totp", name="my-totp")


def record(args):
    checkout, out = args[0], args[1]
    opts = dict(zip(args[2::2], args[3::2]))
    w = Walk(checkout, out, int(opts["--port"]), int(opts["--sink-port"]),
             int(opts["--lmtp-port"]))
    t0 = time.monotonic()
    try:
        w.start()
        pub = public_walk(w)
        w.settle()
        receipts = receipts_from(w)
        status_walk(w, pub, receipts)
        lmtp_walk(w)
        c = staff_clients(w)
        staff_walk(w, c, receipts)
        desk_walk(w, c)
        admin_walk(w, c)
        w.settle()
        for role in ROLES:
            crawl(w, c[role], ["/staff/"], skip=(r"^/staff/login", r"logout"))
        for role in ROLES:
            c[role].post("/staff/logout", [], name="logout")
            c[role].get("/staff/", name="after-logout")
        w.settle()
    finally:
        w.stop()
    files = list(Path(out).glob("*.txt"))
    summary = {"http": sum(1 for f in files if "-http-" in f.name),
               "mail": sum(1 for f in files if f.name.endswith("-mail.txt")),
               "lmtp": sum(1 for f in files if "-lmtp-" in f.name),
               "ctl": sum(1 for f in files if "-ctl-" in f.name),
               "seconds": round(time.monotonic() - t0, 1)}
    (Path(out) / "summary.json").write_text(json.dumps(summary) + "\n")
    log(f"{checkout}: {summary}")


def diff(args):
    a, b = Path(args[0]), Path(args[1])
    fa = sorted(p.name for p in a.glob("*.txt"))
    fb = sorted(p.name for p in b.glob("*.txt"))
    differing = 0
    for name in sorted(set(fa) | set(fb)):
        if name not in fa or name not in fb:
            print(f"ONLY IN {'NEW' if name in fb else 'OLD'}: {name}")
            differing += 1
            continue
        ta = (a / name).read_text(errors="surrogateescape")
        tb = (b / name).read_text(errors="surrogateescape")
        norm = normalise_mail if name.endswith("-mail.txt") else normalise
        na, nb = norm(ta), norm(tb)
        if na == nb:
            print(f"same   {name}")
            continue
        differing += 1
        print(f"DIFFER {name}")
        sys.stdout.writelines(difflib.unified_diff(na.splitlines(True), nb.splitlines(True),
                                                   f"old/{name}", f"new/{name}", n=2))
    sa = json.loads((a / "summary.json").read_text()) if (a / "summary.json").exists() else {}
    print(f"\ncompared {len(set(fa) | set(fb))} answers ({sa.get('http')} pages and HTTP answers, "
          f"{sa.get('mail')} mails, {sa.get('lmtp')} LMTP sessions, {sa.get('ctl')} hotlinectl "
          f"outputs): {differing} differ")
    return 1 if differing else 0


def main():
    if len(sys.argv) >= 4 and sys.argv[1] == "record":
        record(sys.argv[2:])
        return 0
    if len(sys.argv) == 4 and sys.argv[1] == "diff":
        return diff(sys.argv[2:])
    print(__doc__, file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main())
