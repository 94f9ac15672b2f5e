"""Faults under load (issue 6): PostgreSQL restarted in immediate mode,
hotlined killed with SIGKILL, PostgreSQL refusing writes, hostile clients.

The invariant everywhere: a receipt page is shown only for a committed row;
everyone else gets a clear error page; the daemon recovers by itself.
docs/faults.md describes the behaviour these tests hold the daemon to."""
import hashlib
import http.client
import os
import random
import re
import resource
import select
import shutil
import signal
import socket
import subprocess
import tempfile
import threading
import time
from pathlib import Path
from typing import NamedTuple, Optional

import psycopg2
import psycopg2.errors
import pytest

import helpers
from conftest import hotlinectl
from helpers import File, element_text, has_id, page_excerpt, report_fields

CLIENTS = 12


class Outcome(NamedTuple):
    client: int
    started: float  # time.monotonic()
    ended: float
    kind: str  # receipt, not-saved, unconfirmed, refused, dropped, other
    status: Optional[int]
    receipt: Optional[str]
    reg_no: Optional[str]
    detail: str


def classify(resp):
    """What a reporter saw: a receipt page, the 'not saved' page, the 'not
    confirmed' page (the database could not tell in time whether a COMMIT
    cut off by a lost connection took effect), or something else (which no
    test accepts). A report answered 303 whose receipt page the reporter
    could not fetch (the daemon killed between the two, its receipts held
    in memory gone: refused, cut off, or 410 after the restart) was
    committed but never shown: it counts as "dropped", like an answer cut
    off on the wire."""
    if resp.status == 303:
        try:
            page, _ = helpers.follow_receipt(resp)
        except (OSError, http.client.HTTPException):
            return "dropped", None, None
        if page.status == 410:
            return "dropped", None, None
        resp = page
    if resp.status == 200:
        receipt, reg_no = element_text(resp.body, "receipt"), element_text(resp.body, "reg-no")
        if receipt and reg_no:
            return "receipt", receipt, reg_no
    if resp.status == 503 and element_text(resp.body, "receipt") is None:
        if has_id(resp.body, "error-not-saved"):
            return "not-saved", None, None
        if has_id(resp.body, "error-unconfirmed"):
            return "unconfirmed", None, None
    return "other", None, None


class ReportLoad:
    """CLIENTS threads that post reports the way the browser sends the form
    (multipart/form-data, identity given in half of them, a small file in
    every fifth), one after the other, until stopped. Every answer is
    recorded as an Outcome."""

    def __init__(self, hl, clients=CLIENTS):
        self.hl = hl
        self.clients = clients
        self.halt = threading.Event()
        self.lock = threading.Lock()
        self.outcomes = []
        self.threads = []

    def start(self):
        for i in range(self.clients):
            t = threading.Thread(target=self._client, args=(i,), daemon=True)
            t.start()
            self.threads.append(t)
        return self

    def _client(self, i):
        n = 0
        while not self.halt.is_set():
            n += 1
            fields = report_fields(what=f"load client {i} report {n}: " + "x" * 500)
            if n % 2:
                fields.update(identity="named", name=f"Reporter {i}", phone="+7 700 000 00 00")
            files = [File("note.txt", helpers.random_bytes(2000))] if n % 5 == 0 else ()
            t0 = time.monotonic()
            status = receipt = reg_no = None
            try:
                r = self.hl.post_multipart("/report", fields, files, timeout=60)
                status = r.status
                kind, receipt, reg_no = classify(r)
                detail = "" if kind != "other" else page_excerpt(r.body, 300)
            except ConnectionRefusedError as e:
                kind, detail = "refused", repr(e)
            except (OSError, http.client.HTTPException) as e:
                kind, detail = "dropped", repr(e)
            o = Outcome(i, t0, time.monotonic(), kind, status, receipt, reg_no, detail)
            with self.lock:
                self.outcomes.append(o)
            if kind != "receipt":
                self.halt.wait(0.05)  # as a person would: not in a tight loop

    def snapshot(self):
        with self.lock:
            return list(self.outcomes)

    def wait_for(self, what, pred, count=1, timeout=30):
        """Waits until `count` outcomes satisfy pred; fails after timeout."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if sum(1 for o in self.snapshot() if pred(o)) >= count:
                return
            time.sleep(0.05)
        seen = {}
        for o in self.snapshot():
            seen[o.kind] = seen.get(o.kind, 0) + 1
        raise AssertionError(f"not within {timeout} s: {what} (outcomes so far: {seen}); log:\n"
                             + self.hl.log()[-4000:])

    def stop(self):
        self.halt.set()
        for t in self.threads:
            t.join(90)
            assert not t.is_alive(), "a load client hangs"
        return self.snapshot()


def tally(outcomes):
    out = {}
    for o in outcomes:
        out[o.kind] = out.get(o.kind, 0) + 1
    return out


def receipt_hash_hex(hl, receipt):
    """The keyed BLAKE2b hash under which the daemon stores a receipt."""
    pepper = bytes.fromhex(hl.keys.pepper.read_text().strip())
    return hashlib.blake2b(helpers.bare(receipt).encode("ascii"), key=pepper,
                           digest_size=32).hexdigest()


def committed(hl):
    """{receipt hash (hex): reg_no} of every committed case."""
    rows = hl.query("SELECT encode(c.receipt_hash, 'hex'), j.reg_no FROM hotline.cases c "
                    "JOIN hotline.journal j ON j.id = c.journal_id")
    return dict(rows)


def check_every_receipt_committed(hl, outcomes, lookups=12):
    """Every receipt shown is a committed case with the number shown, and
    (for a sample) /status finds it. Returns the number of committed cases
    whose reporter was shown no receipt."""
    rows = committed(hl)
    shown = [o for o in outcomes if o.kind == "receipt"]
    for o in shown:
        h = receipt_hash_hex(hl, o.receipt)
        assert h in rows, (f"client {o.client} was shown receipt page {o.reg_no} "
                           f"but no such case was committed")
        assert rows[h] == o.reg_no, f"receipt page said {o.reg_no}, the database {rows[h]}"
    assert len({o.reg_no for o in shown}) == len(shown), "one number shown twice"
    for o in random.sample(shown, min(lookups, len(shown))):
        s = hl.post_form("/status", {"receipt": o.receipt, "lang": "en"})
        assert s.status == 200 and element_text(s.body, "reg-no") == o.reg_no, (
            f"/status for {o.reg_no}: {s.status} {page_excerpt(s.body, 300)}")
    return len(rows) - len(shown)


def check_journal(hl):
    p = hotlinectl("journal", "verify", "--database", hl.admin_conninfo)
    assert p.returncode == 0, f"journal verify failed:\n{p.stdout}{p.stderr}"
    n, last = hl.query("SELECT count(*), max(seq) FROM hotline.journal")[0]
    assert n == last, f"journal has {n} rows but numbers up to {last}"


def summary(name, outcomes, **extra):
    t = tally(outcomes)
    parts = [f"{k} {v}" for k, v in sorted(t.items())] + [f"{k} {v}" for k, v in extra.items()]
    print(f"\n{name}: {len(outcomes)} reports posted: " + ", ".join(parts))


# ---------------------------------------------------------------- PostgreSQL restart


def test_postgres_restart_under_load(make_hotline, own_cluster):
    # request_timeout: time enough to ask, after the restart, about COMMITs
    # cut off by it
    hl = make_hotline(cluster=own_cluster, dbname="hotline", db_connections=4,
                      request_timeout=15)
    load = ReportLoad(hl).start()
    try:
        load.wait_for("50 receipts before the restart", lambda o: o.kind == "receipt", 50)
        t_down = time.monotonic()
        own_cluster.stop("immediate")
        own_cluster.start()
        t_up = time.monotonic()
        load.wait_for("a receipt after PostgreSQL came back",
                      lambda o: o.kind == "receipt" and o.started >= t_up, 1, timeout=30)
        first = min(o.ended for o in load.snapshot() if o.kind == "receipt" and o.started >= t_up)
        load.wait_for("50 receipts after the restart",
                      lambda o: o.kind == "receipt" and o.started >= t_up, 50, timeout=30)
    finally:
        outcomes = load.stop()

    bad = [o for o in outcomes if o.kind not in ("receipt", "not-saved", "unconfirmed")]
    assert not bad, f"{len(bad)} reporters got neither a receipt nor an error page: {bad[:5]}"
    assert any(o.kind != "receipt" for o in outcomes), "the restart was never noticed"
    unshown = check_every_receipt_committed(hl, outcomes)
    # Nobody told 'not saved' was saved: a committed case without its
    # receipt page can only be one whose reporter was told 'not confirmed'.
    unconfirmed = sum(1 for o in outcomes if o.kind == "unconfirmed")
    assert unshown <= unconfirmed, (
        f"{unshown} committed cases were never shown, {unconfirmed} reporters told 'not confirmed'")
    check_journal(hl)
    assert hl.alive()
    assert hl.get("/healthz").status == 200
    summary("PostgreSQL restart", outcomes, outage_s=round(t_up - t_down, 2),
            first_receipt_after_up_s=round(first - t_up, 2), committed_without_receipt=unshown)


def background_report(hl):
    box = {}

    def go():
        try:
            box["resp"] = hl.post_multipart("/report", report_fields(), timeout=60)
        except OSError as e:
            box["error"] = repr(e)

    t = threading.Thread(target=go)
    t.start()
    return t, box


def wait_backend(cluster, wait_event, timeout=20):
    """Waits until a session of hotline_app waits on wait_event."""
    deadline = time.monotonic() + timeout
    while not cluster.execute("SELECT 1 FROM pg_stat_activity WHERE usename = 'hotline_app' "
                              "AND wait_event = %s", (wait_event,), dbname="hotline"):
        assert time.monotonic() < deadline, f"no session waits on {wait_event}"
        time.sleep(0.05)


def wait_for_synchronous_standby(cluster):
    """From now on every COMMIT waits for a standby that does not exist."""
    cluster.execute("ALTER SYSTEM SET synchronous_standby_names = 'nobody'")
    cluster.execute("SELECT pg_reload_conf()")
    # A new session sees it once the postmaster has read it again, and the
    # postmaster then signals every session at once.
    deadline = time.monotonic() + 20
    while cluster.execute("SHOW synchronous_standby_names")[0][0] != "nobody":
        assert time.monotonic() < deadline, "synchronous_standby_names not reloaded"
        time.sleep(0.05)
    time.sleep(0.2)


def test_commit_in_doubt(make_hotline, own_cluster):
    """The server dies while a COMMIT is on its way. The daemon cannot know
    from its connection whether the COMMIT took effect: it asks the
    database once it is back, and the reporter gets the receipt page if the
    report was saved, 'not saved' if not, and 'not confirmed' if the
    database was not back in time to tell. A COMMIT that waits for a
    synchronous standby that does not exist holds the transaction exactly
    there: committed locally, not yet answered."""
    hl = make_hotline(cluster=own_cluster, dbname="hotline", request_timeout=10)

    def restart(keep_down=0.0):
        own_cluster.stop("immediate")
        time.sleep(keep_down)
        own_cluster.start()

    # Committed: the receipt page, after the lookup.
    wait_for_synchronous_standby(own_cluster)
    t, box = background_report(hl)
    wait_backend(own_cluster, "SyncRep")
    own_cluster.execute("ALTER SYSTEM RESET synchronous_standby_names")  # from the restart on
    restart()
    t.join(60)
    assert "error" not in box, box.get("error")
    rec = helpers.expect_receipt(box["resp"])
    assert committed(hl) == {receipt_hash_hex(hl, rec.receipt): rec.reg_no}
    assert "confirmed after its connection was lost" in hl.log()

    # Not committed (it waited for the journal lock): 'not saved'.
    lock = own_cluster.connect("hotline", autocommit=False)
    lock.cursor().execute("SELECT * FROM hotline.journal_head FOR UPDATE")
    t, box = background_report(hl)
    wait_backend(own_cluster, "transactionid")
    restart()
    lock.close()
    t.join(60)
    assert "error" not in box, box.get("error")
    assert classify(box["resp"])[0] == "not-saved", page_excerpt(box["resp"].body, 300)
    assert len(committed(hl)) == 1

    # Committed, but the database is still down when the time is up.
    hl.config["request_timeout"] = "3"
    hl.write_config()
    hl.send_signal(signal.SIGHUP)
    deadline = time.monotonic() + 10
    while hl.log().count("configuration reloaded") < 1:
        assert time.monotonic() < deadline, "no reload"
        time.sleep(0.05)
    helpers.submit(hl)  # reconnected
    wait_for_synchronous_standby(own_cluster)
    t, box = background_report(hl)
    wait_backend(own_cluster, "SyncRep")
    own_cluster.execute("ALTER SYSTEM RESET synchronous_standby_names")
    own_cluster.stop("immediate")
    t.join(60)
    own_cluster.start()
    assert "error" not in box, box.get("error")
    r = box["resp"]
    assert r.status == 503 and has_id(r.body, "error-unconfirmed"), page_excerpt(r.body, 300)
    assert element_text(r.body, "receipt") is None
    assert len(committed(hl)) == 3, "the unconfirmed report was not committed after all"
    check_journal(hl)


# ---------------------------------------------------------------- SIGKILL


def test_sigkill_under_load_and_restart(make_hotline):
    hl = make_hotline(db_connections=4)
    load = ReportLoad(hl).start()
    try:
        load.wait_for("50 receipts before the kill", lambda o: o.kind == "receipt", 50)
        t_kill = time.monotonic()
        assert hl.kill() == -signal.SIGKILL
        t_dead = time.monotonic()
        load.wait_for("a client finding the daemon gone",
                      lambda o: o.kind in ("refused", "dropped") and o.ended > t_kill, 1, timeout=10)
        hl.start(timeout=30)
        t_up = time.monotonic()
        load.wait_for("50 receipts after the restart",
                      lambda o: o.kind == "receipt" and o.started >= t_up, 50, timeout=30)
    finally:
        outcomes = load.stop()

    for o in outcomes:
        if o.kind == "dropped":  # nobody is left to answer a request in flight
            assert o.started < t_dead and o.ended > t_kill, f"connection dropped outside the kill: {o}"
        elif o.kind == "refused":
            assert o.ended > t_kill, f"connection refused before the kill: {o}"
        else:
            assert o.kind in ("receipt", "not-saved"), f"unexpected answer: {o}"
    dropped = sum(1 for o in outcomes if o.kind == "dropped")
    unshown = check_every_receipt_committed(hl, outcomes)
    # A report committed just before the kill never got its page; no other
    # committed case lacks one.
    assert unshown <= dropped, f"{unshown} committed cases without a receipt page, {dropped} dropped"
    check_journal(hl)
    after = sorted(int(o.reg_no[5:]) for o in outcomes if o.kind == "receipt" and o.started >= t_up)
    before = [int(o.reg_no[5:]) for o in outcomes if o.kind == "receipt" and o.started < t_kill]
    assert after[0] > max(before), "numbers after the restart do not continue the journal"
    summary("SIGKILL", outcomes, committed_without_receipt=unshown)


# ---------------------------------------------------------------- writes refused


def wait_answer(hl, want, timeout=20):
    """Posts reports until one gets the answer `want` (a kind of classify);
    any answer but a receipt or 'not saved' fails at once."""
    deadline = time.monotonic() + timeout
    while True:
        r = hl.post_multipart("/report", report_fields(what="probe " + helpers.marker()))
        kind, receipt, reg_no = classify(r)
        assert kind in ("receipt", "not-saved"), f"{r.status}: {page_excerpt(r.body, 300)}"
        if kind == want:
            return r, receipt, reg_no
        assert time.monotonic() < deadline, f"no '{want}' answer within {timeout} s; log:\n" \
            + hl.log()[-4000:]
        time.sleep(0.2)


def test_database_refusing_writes(make_hotline):
    """The database turned read-only (as after a fail-over to a standby, or
    an administrator's ALTER DATABASE): 503 'not saved' pages, lookups
    still work, and once writes are allowed again the daemon registers
    reports without a restart."""
    hl = make_hotline()
    first = helpers.submit(hl)
    hl.cluster.execute(f'ALTER DATABASE "{hl.dbname}" SET default_transaction_read_only = on')
    # The setting applies to new sessions: make the daemon reconnect.
    hl.cluster.execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                       "WHERE datname = %s AND usename = 'hotline_app'", (hl.dbname,))
    # Once a lookup works, the daemon is connected again, read-only.
    deadline = time.monotonic() + 20
    while True:
        s = hl.post_form("/status", {"receipt": first.receipt, "lang": "en"})
        if s.status == 200 or time.monotonic() > deadline:
            break
        time.sleep(0.2)
    assert s.status == 200 and element_text(s.body, "reg-no") == first.reg_no, (
        f"/status while read-only: {s.status}; log:\n" + hl.log()[-3000:])
    for _ in range(5):
        r = hl.post_multipart("/report", report_fields(what="while read-only"))
        assert classify(r)[0] == "not-saved", f"{r.status}: {page_excerpt(r.body, 300)}"
    assert hl.alive()

    hl.cluster.execute(f'ALTER DATABASE "{hl.dbname}" RESET default_transaction_read_only')
    _, receipt, reg_no = wait_answer(hl, "receipt")
    assert reg_no.endswith("-000002"), f"expected the next number, got {reg_no}"
    assert len(committed(hl)) == 2
    check_journal(hl)


@pytest.fixture
def small_disk():
    """A 4 MB tmpfs the PostgreSQL server may write to, or a skip: mounting
    needs root (and a container that allows it)."""
    if os.geteuid() != 0:
        pytest.skip("a real full disk needs root to mount a tmpfs; "
                    "test_database_refusing_writes covers refused writes unprivileged")
    d = Path(tempfile.mkdtemp(prefix="hotline-tmpfs-"))
    p = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=4m,mode=0700", "tmpfs", str(d)],
                       capture_output=True, text=True)
    if p.returncode != 0:
        d.rmdir()
        pytest.skip(f"cannot mount a tmpfs here ({p.stderr.strip()}); "
                    "test_database_refusing_writes covers refused writes unprivileged")
    try:
        shutil.chown(d, "postgres", "postgres")  # tools/pg.sh runs the server as postgres
        yield d
    finally:
        # after own_cluster has stopped the server (fixtures end in reverse order)
        subprocess.run(["umount", "-l", str(d)], capture_output=True)
        d.rmdir()


def test_disk_full(small_disk, own_cluster, make_hotline):
    """The cases, journal and attachments live on a tablespace on a small
    tmpfs, which is then filled: a report with a file is answered 'not
    saved' (SQLSTATE 53100); once the disk is larger, reports register
    again without a restart."""
    own_cluster.execute(f"CREATE TABLESPACE small LOCATION '{small_disk}'")
    for table in ("journal", "cases", "attachments"):
        own_cluster.execute(f"ALTER TABLE hotline.{table} SET TABLESPACE small", dbname="hotline")
    hl = make_hotline(cluster=own_cluster, dbname="hotline")
    attachment = [File("scan.pdf", helpers.random_bytes(100_000), "application/pdf")]
    first = helpers.submit(hl, files=attachment)

    conn = own_cluster.connect("hotline")
    try:
        with conn.cursor() as cur:
            cur.execute("CREATE TABLE filler (b bytea) TABLESPACE small")
            cur.execute("ALTER TABLE filler ALTER b SET STORAGE EXTERNAL")  # not compressed
            for _ in range(100):
                try:
                    cur.execute("INSERT INTO filler SELECT convert_to(repeat('x', 262144), 'UTF8')")
                except psycopg2.errors.DiskFull:
                    break
            else:
                raise AssertionError("a 4 MB disk did not fill up")
    finally:
        conn.close()

    for _ in range(3):
        r = hl.post_multipart("/report", report_fields(what="disk full"), attachment)
        assert classify(r)[0] == "not-saved", f"{r.status}: {page_excerpt(r.body, 300)}"
    assert "SQLSTATE 53100" in hl.log(), "the failure was not the full disk"
    assert hl.alive() and hl.get("/healthz").status == 200
    s = hl.post_form("/status", {"receipt": first.receipt, "lang": "en"})
    assert s.status == 200 and element_text(s.body, "reg-no") == first.reg_no

    subprocess.run(["mount", "-o", "remount,size=64m", str(small_disk)], check=True)
    r, receipt, reg_no = wait_answer(hl, "receipt")
    second = helpers.submit(hl, files=attachment)
    assert [reg_no[5:], second.reg_no[5:]] == ["000002", "000003"]
    assert len(committed(hl)) == 3
    check_journal(hl)


# ---------------------------------------------------------------- hostile clients

IDLE_WANTED = 10000


def raise_fd_limit(want):
    """Raises this process's RLIMIT_NOFILE (inherited by the daemon it
    starts) as far as allowed; returns the soft limit now."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if hard != resource.RLIM_INFINITY and hard < want:
        try:
            resource.setrlimit(resource.RLIMIT_NOFILE, (want, want))  # root may
        except (ValueError, OSError):
            pass
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft < want:
        resource.setrlimit(resource.RLIMIT_NOFILE, (min(want, hard), hard))
    return resource.getrlimit(resource.RLIMIT_NOFILE)[0]


def open_idle(hl, n, timeout=60):
    """n TCP connections to the daemon that send nothing; returns those
    that were established."""
    socks = []
    poller = select.poll()
    for _ in range(n):
        s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        s.setblocking(False)
        s.connect_ex(("127.0.0.1", hl.port))
        socks.append(s)
        poller.register(s, select.POLLOUT)
    pending = {s.fileno(): s for s in socks}
    up = []
    deadline = time.monotonic() + timeout
    while pending and time.monotonic() < deadline:
        for fd, ev in poller.poll(500):
            s = pending.pop(fd, None)
            if s is None:
                continue
            poller.unregister(fd)
            if not ev & (select.POLLERR | select.POLLHUP) \
                    and s.getsockopt(socket.SOL_SOCKET, socket.SO_ERROR) == 0:
                up.append(s)
            else:
                s.close()
    for s in pending.values():
        s.close()
    return up


def open_fds(pid):
    return len(os.listdir(f"/proc/{pid}/fd"))


def rss_mb(pid):
    for line in open(f"/proc/{pid}/status"):
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


def raw_request(hl, data, timeout=20):
    """Sends raw bytes (stopping early if the server answers first) and
    reads the answer: Resp, or None if the connection was dropped unanswered."""
    with socket.create_connection(("127.0.0.1", hl.port), timeout=timeout) as s:
        for i in range(0, len(data), 8192):
            if select.select([s], [], [], 0)[0]:
                break  # answered (or closed) already
            try:
                s.sendall(data[i:i + 8192])
            except (BrokenPipeError, ConnectionResetError):
                break
        try:
            r = http.client.HTTPResponse(s, method="GET")
            r.begin()
            return helpers.Resp(r.status, r.headers, r.read().decode("utf-8", "replace"),
                                f"http://127.0.0.1:{hl.port}/")
        except (OSError, http.client.HTTPException):
            return None


class Slowloris:
    """Connections that send their request a byte at a time, never ending
    it: half stuck in the headers, half in the body."""

    def __init__(self, hl, n):
        self.socks = []
        for i in range(n):
            s = socket.create_connection(("127.0.0.1", hl.port), timeout=10)
            if i % 2:
                s.sendall(b"GET / HTTP/1.1\r\nHost: x\r\n")
            else:
                s.sendall(b"POST /report HTTP/1.1\r\nHost: x\r\nContent-Type: "
                          b"application/x-www-form-urlencoded\r\nContent-Length: 100000\r\n\r\n"
                          b"what=")
            self.socks.append(s)
        self.halt = threading.Event()
        self.sent = 0
        self.thread = threading.Thread(target=self._drip, daemon=True)
        self.thread.start()

    def _drip(self):
        while not self.halt.wait(0.2):
            for s in self.socks:
                try:
                    s.send(b"a")
                    self.sent += 1
                except OSError:
                    pass

    def close(self):
        self.halt.set()
        self.thread.join(30)
        for s in self.socks:
            s.close()


def test_oversized_headers_get_4xx(hotline):
    """A clear 4xx from libmicrohttpd (its per-connection memory limit),
    not a dropped connection or a crash; the next reporter is served."""
    for what, data in (
            ("a 100 KB header line", b"GET / HTTP/1.1\r\nHost: x\r\nX-Big: "
             + b"a" * 100_000 + b"\r\n\r\n"),
            ("5,000 headers", b"GET / HTTP/1.1\r\nHost: x\r\n"
             + b"".join(b"X-H%d: v\r\n" % i for i in range(5000)) + b"\r\n"),
            ("a 100 KB URL", b"GET /?q=" + b"a" * 100_000 + b" HTTP/1.1\r\nHost: x\r\n\r\n"),
            ("a 100 KB cookie on a report", b"POST /report HTTP/1.1\r\nHost: x\r\nCookie: lang="
             + b"a" * 100_000 + b"\r\nContent-Type: application/x-www-form-urlencoded\r\n"
             b"Content-Length: 10\r\n\r\nwhat=x&a=b")):
        r = raw_request(hotline, data)
        assert r is not None, f"{what}: connection dropped without an answer"
        assert r.status in (413, 414, 431), f"{what}: {r.status} {r.body[:300]}"
    assert hotline.alive()
    helpers.submit(hotline)


def test_slowloris_does_not_stop_others(hotline):
    """Connections that send their request a byte at a time hold a slot
    each but do not hold up the loop: other reporters are served."""
    first = helpers.submit(hotline)
    slow = Slowloris(hotline, 200)
    try:
        for _ in range(3):
            helpers.submit(hotline)
            s = hotline.post_form("/status", {"receipt": first.receipt, "lang": "en"})
            assert s.status == 200 and element_text(s.body, "reg-no") == first.reg_no
            time.sleep(0.3)
    finally:
        slow.close()
    assert slow.sent > 0
    assert hotline.alive()


def test_ten_thousand_idle_connections(make_hotline):
    """10k connections that send nothing (or as many as the open-file limit
    allows here): the daemon holds them all and serves another reporter."""
    limit = raise_fd_limit(IDLE_WANTED + 1000)
    wanted = min(IDLE_WANTED, limit - 500)
    if wanted < 1000:
        pytest.skip(f"RLIMIT_NOFILE is {limit} here (hard limit): too few for an idle flood")
    hl = make_hotline()
    first = helpers.submit(hl)
    t0 = time.monotonic()
    idle = open_idle(hl, wanted)
    opened_s = time.monotonic() - t0
    try:
        time.sleep(0.5)  # let the daemon accept the last ones
        held, rss = open_fds(hl.pid), rss_mb(hl.pid)
        rec = helpers.submit(hl)
        assert hl.get("/healthz").status == 200
        s = hl.post_form("/status", {"receipt": first.receipt, "lang": "en"})
        assert s.status == 200 and element_text(s.body, "reg-no") == first.reg_no
    finally:
        for sock in idle:
            sock.close()
    print(f"\nidle: RLIMIT_NOFILE {limit}, {len(idle)} of {wanted} idle connections open "
          f"in {opened_s:.1f} s, the daemon held {held} descriptors in {rss:.0f} MB RSS "
          f"and registered {rec.reg_no} meanwhile")
    if wanted < IDLE_WANTED:
        print(f"only {wanted} idle connections, not {IDLE_WANTED}: RLIMIT_NOFILE is {limit} here")
    assert len(idle) >= wanted * 0.95, f"only {len(idle)} of {wanted} idle connections opened"
    assert held >= len(idle), f"the daemon held {held} descriptors for {len(idle)} connections"
    assert hl.alive()
    helpers.submit(hl)


def test_connection_limit_keeps_descriptors_for_the_database(make_hotline):
    """Under a low open-file limit the daemon allows fewer HTTP connections,
    so that clients holding all of them leave the descriptors its database
    pool needs. A reporter over the limit waits in the listen queue and is
    served as soon as a connection closes."""
    hl = make_hotline(start=False)
    hl.start(nofile=256)
    m = re.search(r"at most (\d+) connections", hl.log())
    assert m, "no connection limit in the start-up log"
    allowed = int(m.group(1))
    assert allowed <= 256 - 128, f"{allowed} connections allowed under 256 descriptors"
    idle = open_idle(hl, allowed + 20, timeout=20)
    try:
        time.sleep(0.5)
        ready = hl.log().count("database connection 0 ready")
        hl.cluster.execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                           "WHERE datname = %s AND usename = 'hotline_app'", (hl.dbname,))
        deadline = time.monotonic() + 20
        while hl.log().count("database connection 0 ready") == ready:
            assert time.monotonic() < deadline, (
                "the database connection was not made again while clients held every "
                "connection; log:\n" + hl.log()[-3000:])
            time.sleep(0.1)
        waiting, box = background_report(hl)
        time.sleep(0.5)
    finally:
        for s in idle:
            s.close()
    waiting.join(90)
    assert "error" not in box, f"the reporter over the limit was not served: {box['error']}"
    helpers.expect_receipt(box["resp"])
