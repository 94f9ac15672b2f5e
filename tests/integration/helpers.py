"""Helpers of the integration tests: HTTP with the standard library only
(no exceptions on 4xx/5xx), a multipart encoder, an HTML reader that finds
elements by id and form fields by name, and receipts (Damm check digit).
"""
import html
import html.parser
import http.client
import os
import re
import secrets
import select
import socket
import urllib.parse
import uuid
from datetime import datetime
from typing import NamedTuple
from zoneinfo import ZoneInfo

ALMATY = ZoneInfo("Asia/Almaty")
RECEIPT_RE = re.compile(r"^\d{4}( \d{4}){6}$")
REG_NO_RE = re.compile(r"^(\d{4})-(\d{6})$")


# ---------------------------------------------------------------- HTTP


class Resp(NamedTuple):
    status: int
    headers: http.client.HTTPMessage
    body: str
    url: str = ""  # the server's base URL, to follow a redirect (follow_receipt)

    @property
    def raw(self):
        return self.body.encode("utf-8", "surrogateescape")


def _decode(data):
    # surrogateescape keeps invalid bytes recoverable (Resp.raw) while the
    # tests work on text.
    return data.decode("utf-8", "surrogateescape")


def request(base_url, method, path, body=None, headers=None, timeout=30, source_address=None):
    """One request on a fresh connection. Returns Resp(status, headers, body)."""
    u = urllib.parse.urlsplit(base_url)
    conn = http.client.HTTPConnection(u.hostname, u.port, timeout=timeout,
                                      source_address=source_address)
    try:
        hdrs = {"Connection": "close"}
        hdrs.update(headers or {})
        conn.request(method, path, body=body, headers=hdrs)
        r = conn.getresponse()
        data = r.read()
        return Resp(r.status, r.headers, _decode(data), base_url)
    finally:
        conn.close()


def get(base_url, path, headers=None, **kw):
    return request(base_url, "GET", path, headers=headers, **kw)


def post(base_url, path, body, content_type, headers=None, **kw):
    h = {"Content-Type": content_type}
    h.update(headers or {})
    return request(base_url, "POST", path, body=body, headers=h, **kw)


def urlencode(fields):
    """fields: dict or list of (name, value); values str or bytes (bytes are
    percent-encoded as they are, so invalid UTF-8 can be sent)."""
    items = fields.items() if isinstance(fields, dict) else fields
    out = []
    for k, v in items:
        if isinstance(v, str):
            v = v.encode("utf-8")
        out.append(urllib.parse.quote_plus(k) + "=" + urllib.parse.quote_plus(v))
    return "&".join(out).encode("ascii")


def post_form(base_url, path, fields, **kw):
    return post(base_url, path, urlencode(fields), "application/x-www-form-urlencoded", **kw)


class File(NamedTuple):
    name: str
    data: bytes
    content_type: str = "application/octet-stream"
    field: str = "files"


def multipart(fields, files=()):
    """Encodes fields (dict or list of pairs; values str or bytes) and files
    (File tuples) as multipart/form-data. Returns (body, content_type)."""
    boundary = "----hotline-test-" + uuid.uuid4().hex
    b = boundary.encode("ascii")
    parts = []
    items = fields.items() if isinstance(fields, dict) else fields
    for k, v in items:
        if isinstance(v, str):
            v = v.encode("utf-8")
        parts.append(b"--" + b + b"\r\n"
                     + b'Content-Disposition: form-data; name="' + k.encode("utf-8") + b'"\r\n\r\n'
                     + v + b"\r\n")
    for f in files:
        fname = f.name.replace('"', "%22").encode("utf-8")
        parts.append(b"--" + b + b"\r\n"
                     + b'Content-Disposition: form-data; name="' + f.field.encode("utf-8")
                     + b'"; filename="' + fname + b'"\r\n'
                     + b"Content-Type: " + f.content_type.encode("ascii") + b"\r\n\r\n"
                     + f.data + b"\r\n")
    parts.append(b"--" + b + b"--\r\n")
    return b"".join(parts), "multipart/form-data; boundary=" + boundary


def post_multipart(base_url, path, fields, files=(), **kw):
    body, ctype = multipart(fields, files)
    return post(base_url, path, body, ctype, **kw)


def _read_response(sock, timeout, base_url=""):
    """Parses an HTTP response from a socket on which the request was sent
    (possibly only partly). Raises if no response arrives."""
    sock.settimeout(timeout)
    r = http.client.HTTPResponse(sock, method="POST")
    r.begin()
    try:
        data = r.read()
    except (ConnectionResetError, http.client.IncompleteRead) as e:
        data = getattr(e, "partial", b"") or b""
    return Resp(r.status, r.headers, _decode(data), base_url)


def post_streaming(base_url, path, content_type, total, chunked=False, chunk=65536,
                   declared_length=None, timeout=30):
    """Sends a POST of `total` bytes (filler 'a'), with Content-Length
    (declared_length, default total) or chunked. Stops sending as soon as the
    server has answered (it may answer a too-large body early), then reads
    the answer. Returns (Resp, bytes_sent)."""
    u = urllib.parse.urlsplit(base_url)
    sock = socket.create_connection((u.hostname, u.port), timeout=timeout)
    try:
        head = [f"POST {path} HTTP/1.1", f"Host: {u.hostname}:{u.port}",
                f"Content-Type: {content_type}", "Connection: close"]
        if chunked:
            head.append("Transfer-Encoding: chunked")
        else:
            head.append(f"Content-Length: {declared_length if declared_length is not None else total}")
        sock.sendall(("\r\n".join(head) + "\r\n\r\n").encode("ascii"))
        sent = 0
        block = b"a" * chunk
        while sent < total:
            readable, _, _ = select.select([sock], [], [], 0)
            if readable:
                break  # the server has answered (or closed): stop sending
            n = min(chunk, total - sent)
            piece = block[:n]
            if chunked:
                piece = f"{n:x}\r\n".encode("ascii") + piece + b"\r\n"
            try:
                sock.sendall(piece)
            except (BrokenPipeError, ConnectionResetError):
                break
            sent += n
        else:
            if chunked:
                try:
                    sock.sendall(b"0\r\n\r\n")
                except (BrokenPipeError, ConnectionResetError):
                    pass
        return _read_response(sock, timeout, base_url), sent
    finally:
        sock.close()


# ---------------------------------------------------------------- HTML

_VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta",
         "source", "track", "wbr"}


class Node:
    def __init__(self, tag, attrs, parent):
        self.tag = tag
        self.attrs = dict(attrs)
        self.parent = parent
        self.children = []  # Node or str

    def text(self):
        out = []
        for c in self.children:
            out.append(c if isinstance(c, str) else c.text())
        return "".join(out)

    def clean_text(self):
        return re.sub(r"\s+", " ", self.text()).strip()

    def iter(self):
        yield self
        for c in self.children:
            if isinstance(c, Node):
                yield from c.iter()

    def classes(self):
        return (self.attrs.get("class") or "").split()

    def __repr__(self):
        return f"<{self.tag} {self.attrs}>"


class _TreeBuilder(html.parser.HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.root = Node("#document", [], None)
        self.cur = self.root

    def handle_starttag(self, tag, attrs):
        n = Node(tag, [(k, v if v is not None else "") for k, v in attrs], self.cur)
        self.cur.children.append(n)
        if tag not in _VOID:
            self.cur = n

    def handle_startendtag(self, tag, attrs):
        n = Node(tag, [(k, v if v is not None else "") for k, v in attrs], self.cur)
        self.cur.children.append(n)

    def handle_endtag(self, tag):
        n = self.cur
        while n is not self.root and n.tag != tag:
            n = n.parent
        if n is not self.root:
            self.cur = n.parent

    def handle_data(self, data):
        self.cur.children.append(data)


def parse_html(body):
    p = _TreeBuilder()
    p.feed(body)
    p.close()
    return p.root


def by_id(body, ident):
    """The element with that id, or None."""
    root = body if isinstance(body, Node) else parse_html(body)
    for n in root.iter():
        if n.attrs.get("id") == ident:
            return n
    return None


def has_id(body, ident):
    return by_id(body, ident) is not None


def element_text(body, ident):
    """Text of the element with that id, whitespace collapsed; None if absent."""
    n = by_id(body, ident)
    return None if n is None else n.clean_text()


def find_all(body, tag=None, cls=None):
    root = body if isinstance(body, Node) else parse_html(body)
    return [n for n in root.iter()
            if (tag is None or n.tag == tag) and (cls is None or cls in n.classes())]


def field_value(body, name, within=None):
    """What a form shows in field `name`: a textarea's text, an input's
    value (the checked one for radios/checkboxes), a select's selected
    option. None when there is no such field."""
    root = body if isinstance(body, Node) else parse_html(body)
    if within is not None:
        root = by_id(root, within)
        if root is None:
            return None
    found = None
    for n in root.iter():
        if n.attrs.get("name") != name:
            continue
        if n.tag == "textarea":
            t = n.text()
            return t[1:] if t.startswith("\n") else t
        if n.tag == "select":
            opts = [o for o in n.iter() if o.tag == "option"]
            for o in opts:
                if "selected" in o.attrs:
                    return o.attrs.get("value", o.clean_text())
            return ""
        if n.tag == "input":
            typ = n.attrs.get("type", "text").lower()
            if typ in ("radio", "checkbox"):
                found = "" if found is None else found
                if "checked" in n.attrs:
                    return n.attrs.get("value", "on")
                continue
            return n.attrs.get("value", "")
    return found


def html_lang(body):
    m = re.search(r"<html[^>]*\blang=\"([^\"]*)\"", body, re.I)
    return m.group(1) if m else None


def page_excerpt(body, limit=3000):
    """Readable text of a page for assertion messages."""
    try:
        return parse_html(body).clean_text()[:limit]
    except Exception:  # noqa: BLE001 - only for messages
        return body[:limit]


# ---------------------------------------------------------------- receipts

_DAMM = [
    [0, 3, 1, 7, 5, 9, 8, 6, 4, 2],
    [7, 0, 9, 2, 1, 5, 4, 8, 6, 3],
    [4, 2, 0, 6, 8, 7, 1, 3, 5, 9],
    [1, 7, 5, 0, 9, 8, 3, 4, 2, 6],
    [6, 1, 2, 3, 0, 4, 5, 9, 7, 8],
    [3, 6, 7, 4, 2, 0, 9, 5, 8, 1],
    [5, 8, 6, 9, 7, 2, 0, 1, 3, 4],
    [8, 9, 4, 5, 3, 6, 2, 0, 1, 7],
    [9, 4, 3, 8, 6, 1, 7, 2, 0, 5],
    [2, 5, 8, 1, 4, 3, 6, 7, 9, 0],
]


def damm(digits):
    i = 0
    for ch in digits:
        i = _DAMM[i][ord(ch) - 48]
    return str(i)


def damm_valid(digits):
    return damm(digits) == "0"


def random_receipt():
    """A well-formed receipt (27 random digits + Damm check digit), bare."""
    body = "".join(str(secrets.randbelow(10)) for _ in range(27))
    return body + damm(body)


def typo(digits, pos=10):
    """The receipt with one digit changed (Damm detects every single-digit
    error)."""
    d = list(digits)
    d[pos] = str((int(d[pos]) + 1) % 10)
    out = "".join(d)
    assert not damm_valid(out)
    return out


def group(digits):
    return " ".join(digits[i:i + 4] for i in range(0, len(digits), 4))


def bare(receipt):
    return re.sub(r"[\s-]", "", receipt)


def almaty_year():
    return datetime.now(ALMATY).year


def marker(prefix="m"):
    return f"{prefix}{uuid.uuid4().hex[:16]}"


def random_bytes(n):
    return os.urandom(n)


# ---------------------------------------------------------------- reports


def report_fields(**over):
    """A complete, valid anonymous report; keyword arguments change fields
    (None removes one)."""
    f = {
        "what": "The head of procurement asked for 5% of the contract. " + marker("w"),
        "when_where": "Last Monday, office 214",
        "who": "A. Example, head of procurement",
        "director_involved": "no",
        "category": "corruption",
        "identity": "anonymous",
        "lang": "en",
    }
    for k, v in over.items():
        if v is None:
            f.pop(k, None)
        else:
            f[k] = v
    return f


class Receipt(NamedTuple):
    resp: Resp  # the receipt page (GET /receipt after the report's 303)
    receipt: str  # as shown, grouped
    reg_no: str
    cookie: str = ""  # the receipt page's cookie, "receipt_page=TOKEN"

    @property
    def digits(self):
        return bare(self.receipt)


def receipt_cookie(resp):
    """The receipt page's cookie a report's 303 sets, as "name=value", or None."""
    for v in resp.headers.get_all("Set-Cookie") or []:
        m = re.match(r"\s*(receipt_page=[^;]*)", v)
        if m:
            return m.group(1)
    return None


def follow_receipt(resp):
    """A registered report is answered 303 to GET /receipt with a cookie
    (docs/http.md "The receipt page"): fetches that page as a browser
    would and returns (page Resp, cookie). Anything else is returned as it
    is, with cookie None."""
    if resp.status != 303:
        return resp, None
    loc = resp.headers.get("Location", "")
    assert loc.startswith("/receipt"), f"303 to {loc!r}, not to the receipt page"
    assert resp.url, "follow_receipt: this response does not know its server"
    cookie = receipt_cookie(resp)
    assert cookie, f"303 without the receipt page's cookie: {resp.headers}"
    return get(resp.url, loc, headers={"Cookie": cookie}), cookie


def expect_receipt(resp, at_shutdown=False):
    """Asserts that a report was answered with its receipt (303 to the
    receipt page, the receipt in neither the Location nor the cookie) and
    returns Receipt with the receipt page. at_shutdown: registered while
    hotlined was stopping, when the answer is the page itself (200: no
    daemon would answer the redirect's GET)."""
    if at_shutdown:
        assert resp.status == 200, f"expected the receipt page itself, got {resp.status}: {page_excerpt(resp.body)}"
        page, cookie = resp, ""
        assert receipt_cookie(resp) is None, "a cookie for a receipt page no one will serve"
    else:
        assert resp.status == 303, f"expected 303 to the receipt page, got {resp.status}: {page_excerpt(resp.body)}"
        page, cookie = follow_receipt(resp)
    assert page.status == 200, f"expected 200 receipt page, got {page.status}: {page_excerpt(page.body)}"
    receipt = element_text(page.body, "receipt")
    reg_no = element_text(page.body, "reg-no")
    assert receipt is not None, f"no id=receipt on the page: {page_excerpt(page.body)}"
    assert reg_no is not None, f"no id=reg-no on the page: {page_excerpt(page.body)}"
    for where in (resp.headers.get("Location", ""), cookie, "" if at_shutdown else resp.body):
        assert bare(receipt) not in re.sub(r"\D", "", where), "the receipt left the receipt page"
    return Receipt(page, receipt, reg_no, cookie)


def submit(hl, files=(), as_multipart=None, **over):
    """Posts a report (urlencoded unless files or as_multipart) and returns
    the Receipt (asserting 200)."""
    fields = report_fields(**over)
    if files or as_multipart:
        r = hl.post_multipart("/report", fields, files)
    else:
        r = hl.post_form("/report", fields)
    return expect_receipt(r)


def find_key(obj, key):
    """First value stored under `key` anywhere in a JSON tree, or None."""
    if isinstance(obj, dict):
        if key in obj:
            return obj[key]
        for v in obj.values():
            got = find_key(v, key)
            if got is not None:
                return got
    elif isinstance(obj, list):
        for v in obj:
            got = find_key(v, key)
            if got is not None:
                return got
    return None


def send_and_close(base_url, data):
    """Sends raw bytes and hangs up without reading (a client that gives up)."""
    u = urllib.parse.urlsplit(base_url)
    with socket.create_connection((u.hostname, u.port), timeout=5) as s:
        s.sendall(data)


# ---------------------------------------------------------------- pg_dump

def pg_dump(hl):
    """The whole database of hl as a plain pg_dump (bytes)."""
    import subprocess
    from conftest import PGBIN
    p = subprocess.run([str(PGBIN / "pg_dump"), "-h", str(hl.cluster.run_dir), "-U", "postgres",
                        "--no-owner", hl.dbname], capture_output=True, timeout=60)
    assert p.returncode == 0, p.stderr.decode(errors="replace")
    assert b"hotline.journal" in p.stdout
    return p.stdout


def clear_forms(text):
    """The ways a text could sit in a plain pg_dump: as it is (text, jsonb),
    or hex-encoded inside a bytea column."""
    b = text.encode("utf-8")
    return [b, b.hex().encode(), b.hex().upper().encode()]
