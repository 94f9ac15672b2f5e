"""Fixtures for the mail tests: a real SMTP server (tools/smtp_sink.py, aiosmtpd)
in a subprocess that can be stopped and started again on the same port, a
self-signed certificate made with the openssl command, and helpers to put
rows into hotline.outbox and read what arrived. conftest.py imports the
fixtures from here.

    sink = smtp_sink(tls=True, require_tls=True, user="hotline")
    hl = make_hotline(**sink.hotline_config(smtp_starttls="required"))
    outbox_insert(hl, "director@example.kz", "Subject", "Body")
    msgs = sink.wait_for_messages(1)
"""
import base64
import email
import email.policy
import json
import select
import shutil
import subprocess
import tempfile
import time
from pathlib import Path

import pytest

from conftest import free_port

HERE = Path(__file__).resolve().parent
SINK = HERE.parent.parent / "tools" / "smtp_sink.py"  # also make run's mail sink
PYTHON = "/usr/bin/python3"  # Debian's, which has aiosmtpd
SINK_USER = "hotline-test"
SINK_PASSWORD = "s3cret pass #1"

# Small retry settings so that the tests stay fast.
FAST_RETRY = {"outbox_retry_min": "1", "outbox_retry_max": "2", "smtp_timeout": "5"}


def make_certificate(folder, name="localhost"):
    """A self-signed certificate for name (a DNS subjectAltName), made by
    the openssl command; returns (cert path, key path)."""
    cert, key = Path(folder) / "cert.pem", Path(folder) / "key.pem"
    p = subprocess.run(["openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt",
                        "ec_paramgen_curve:prime256v1", "-nodes", "-days", "2",
                        "-subj", f"/CN={name}", "-addext", f"subjectAltName=DNS:{name}",
                        "-keyout", str(key), "-out", str(cert)],
                       capture_output=True, text=True, timeout=60)
    assert p.returncode == 0, f"openssl req failed:\n{p.stderr}"
    return cert, key


class Message:
    """One message the sink accepted."""

    def __init__(self, eml_path):
        self.path = eml_path
        self.raw = eml_path.read_bytes()
        self.meta = json.loads(eml_path.with_suffix(".json").read_text())
        self.msg = email.message_from_bytes(self.raw, policy=email.policy.default)

    def header(self, name):
        """The decoded value (RFC 2047 undone) of a header, or None."""
        v = self.msg[name]
        return None if v is None else str(v)

    def raw_header(self, name):
        """The header as it was sent, unfolded, not decoded."""
        for k, v in email.message_from_bytes(self.raw, policy=email.policy.compat32).items():
            if k.lower() == name.lower():
                return v.replace("\r\n", "").replace("\n", "")
        return None

    @property
    def message_id(self):
        return self.header("Message-ID")

    @property
    def text(self):
        """The body, transfer encoding undone, decoded as UTF-8."""
        return self.msg.get_payload(decode=True).decode("utf-8")

    @property
    def body_base64(self):
        head, _, body = self.raw.partition(b"\r\n\r\n")
        return base64.b64decode(body)


class SmtpSink:
    """smtp_sink.py as a subprocess; start() and stop() as often as a test
    likes, always on the same port and folder."""

    def __init__(self, workdir, tls=False, require_tls=False, user=None, password=SINK_PASSWORD,
                 cert_name="localhost"):
        self.workdir = Path(workdir)
        self.dir = self.workdir / "received"
        self.dir.mkdir(parents=True, exist_ok=True)
        self.port = free_port()
        self.tls = tls
        self.require_tls = require_tls
        self.user = user
        self.password = password
        self.cert = self.key = None
        if tls:
            self.cert, self.key = make_certificate(self.workdir, cert_name)
        self.password_file = self.workdir / "sink-password"
        self.password_file.write_text(password + "\n")
        self.proc = None
        self.log_path = self.workdir / "sink.log"

    # -- process
    def start(self, timeout=15):
        assert self.proc is None, "sink already running"
        cmd = [PYTHON, str(SINK), "--port", str(self.port), "--dir", str(self.dir)]
        if self.tls:
            cmd += ["--tls-cert", str(self.cert), "--tls-key", str(self.key)]
            if self.require_tls:
                cmd.append("--require-tls")
        if self.user:
            cmd += ["--auth-user", self.user, "--auth-password-file", str(self.password_file)]
        log = open(self.log_path, "ab")
        self.proc = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                                     stderr=log)
        log.close()
        deadline = time.monotonic() + timeout
        line = b""
        while time.monotonic() < deadline:
            r, _, _ = select.select([self.proc.stdout], [], [], 0.1)
            if r:
                line = self.proc.stdout.readline()
                break
            if self.proc.poll() is not None:
                break
        if not line.startswith(b"ready"):
            self.stop()
            pytest.fail("SMTP sink did not start; its log:\n" + self.log(), pytrace=False)
        return self

    def stop(self):
        if self.proc is None:
            return
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self.proc.stdout.close()
        self.proc = None

    def running(self):
        return self.proc is not None and self.proc.poll() is None

    def log(self):
        try:
            return self.log_path.read_text(errors="replace")
        except FileNotFoundError:
            return ""

    # -- what arrived
    def messages(self):
        return [Message(p) for p in sorted(self.dir.glob("*.eml"))]

    def wait_for_messages(self, count, timeout=20):
        """At least count messages, or fail with what there is."""
        deadline = time.monotonic() + timeout
        while True:
            msgs = self.messages()
            if len(msgs) >= count or time.monotonic() > deadline:
                break
            time.sleep(0.05)
        assert len(msgs) >= count, f"{len(msgs)} of {count} messages arrived in {timeout} s"
        return msgs

    # -- hotlined
    def hotline_config(self, **extra):
        """make_hotline() overrides that send to this sink, fast retries."""
        cfg = {"smtp_server": "localhost" if self.tls else "127.0.0.1",
               "smtp_port": str(self.port), "smtp_starttls": "try", **FAST_RETRY}
        if self.tls:
            cfg["smtp_ca_file"] = str(self.cert)
        if self.user:
            cfg["smtp_user"] = self.user
            cfg["smtp_password_file"] = str(self.password_file)
        # None removes a key (make_hotline drops it from the file).
        cfg.update({k: None if v is None else str(v) for k, v in extra.items()})
        return cfg


@pytest.fixture
def smtp_sink():
    """Factory: smtp_sink(tls=False, require_tls=False, user=None,
    password=..., start=True) -> a running SmtpSink; all are stopped at the
    end of the test."""
    made = []
    folder = Path(tempfile.mkdtemp(prefix="hotline-smtp-"))

    def make(start=True, **kw):
        sink = SmtpSink(folder / f"sink{len(made)}", **kw)
        made.append(sink)
        if start:
            sink.start()
        return sink

    yield make
    for sink in made:
        sink.stop()
    shutil.rmtree(folder, ignore_errors=True)


def outbox_insert(hl, recipient, subject, body, kind="test"):
    """Inserts one outbox row as the postgres superuser; returns its id."""
    return hl.query("INSERT INTO hotline.outbox (kind, recipient, subject, body) "
                    "VALUES (%s, %s, %s, %s) RETURNING id",
                    (kind, recipient, subject, body))[0][0]


def outbox_rows(hl):
    """{id: (attempts, sent, last_error)} of every row."""
    rows = hl.query("SELECT id, attempts, sent_at IS NOT NULL, last_error "
                    "FROM hotline.outbox ORDER BY id")
    return {r[0]: (r[1], r[2], r[3]) for r in rows}


def wait_until(predicate, timeout=20, what="condition", interval=0.05):
    """Polls predicate() until it returns a true value (returned)."""
    deadline = time.monotonic() + timeout
    while True:
        v = predicate()
        if v:
            return v
        if time.monotonic() > deadline:
            raise AssertionError(f"{what}: not reached within {timeout} s (last: {v!r})")
        time.sleep(interval)


def message_id_of(hl, outbox_id):
    """The Message-ID hotlined gives the row (domain of the default mail_from)."""
    domain = hl.config.get("mail_from", "hotline@localhost").split("@", 1)[1]
    return f"<hotline-outbox-{outbox_id}@{domain}>"
