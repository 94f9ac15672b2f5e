"""The throw-away stack a bench runs against (tools/stack.sh), shared by
the benches, and a staff session over HTTP (archive_bench.py,
pages_bench.py)."""
import base64
import contextlib
import hashlib
import hmac
import http.client
import os
import re
import socket
import struct
import subprocess
import tempfile
import time
import urllib.parse

CSRF = re.compile(r'name="csrf" value="([0-9a-f]{64})"')

# What web_bench.py adds to the bench cluster's postgresql.conf: the
# registration statements' times per report come from pg_stat_statements
# (a library of Debian's postgresql-15 package, loaded at server start
# only), with the planning time apart (track_planning).
PG_STAT_STATEMENTS = """\
# set by tests/bench/benchstack.py: the bench reads pg_stat_statements
shared_preload_libraries = 'pg_stat_statements'
pg_stat_statements.track = top
pg_stat_statements.track_planning = on
pg_stat_statements.max = 5000
"""


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


@contextlib.contextmanager
def throwaway_stack(repo, build, prefix, env=None, pg_conf=None):
    """Starts a stack in a fresh folder (named prefix...) on a free port and
    yields (folder, stack folder, URL); stops it and removes the folder
    when the block ends. pg_conf: lines for the cluster's postgresql.conf,
    written between tools/pg.sh init and the first start (stack.sh's init
    then finds the cluster made and leaves it)."""
    tmp = tempfile.mkdtemp(prefix=prefix)
    os.chmod(tmp, 0o755)
    stack = os.path.join(tmp, "stack")
    script = os.path.join(repo, "tools", "stack.sh")
    try:
        if pg_conf:
            os.makedirs(stack)
            os.chmod(stack, 0o755)
            subprocess.run([os.path.join(repo, "tools", "pg.sh"), "init",
                            os.path.join(stack, "pg")], check=True, capture_output=True)
            with open(os.path.join(stack, "pg", "data", "postgresql.conf"), "a") as f:
                f.write(pg_conf)
        url = subprocess.run([script, "start", stack, str(free_port()), build], check=True,
                             capture_output=True, text=True, env=env).stdout.strip()
        yield tmp, stack, url
    finally:
        subprocess.run([script, "stop", stack], capture_output=True)
        subprocess.run(["rm", "-rf", tmp])


def totp(secret_b32, at):
    key = base64.b32decode(secret_b32)
    mac = hmac.new(key, struct.pack(">Q", int(at) // 30), hashlib.sha1).digest()
    off = mac[-1] & 0x0F
    return "%06d" % ((struct.unpack(">I", mac[off:off + 4])[0] & 0x7FFFFFFF) % 1000000)


class Client:
    """A staff session over keep-alive HTTP/1.1."""

    def __init__(self, url):
        u = urllib.parse.urlsplit(url)
        self.conn = http.client.HTTPConnection(u.hostname, u.port, timeout=30)
        self.cookies = {}

    def request(self, method, path, body=None):
        headers = {"Cookie": "; ".join(f"{k}={v}" for k, v in self.cookies.items())}
        if body is not None:
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        self.conn.request(method, path, body=body, headers=headers)
        r = self.conn.getresponse()
        data = r.read().decode("utf-8", "replace")
        for sc in r.headers.get_all("Set-Cookie") or []:
            name, _, value = sc.split(";", 1)[0].partition("=")
            if value:
                self.cookies[name.strip()] = value.strip()
        return r.status, data

    def login(self, login, password, secret=None):
        status, page = self.request("GET", "/staff/login")
        token = CSRF.search(page).group(1)
        code = totp(secret, time.time()) if secret else ""
        body = urllib.parse.urlencode({"csrf": token, "login": login, "password": password,
                                       "code": code})
        status, _ = self.request("POST", "/staff/login", body)
        if status != 303:
            raise SystemExit(f"bench: login as {login} failed ({status})")
