#!/usr/bin/python3
"""The staff login's time for a right and a wrong password, side by side
(make bench; docs/staff.md, "Login timing").

Starts a throw-away stack with the staff accounts (tools/staff-accounts.sh)
and times POST /staff/login, ROUNDS times each: for the director (TOTP
required) a wrong password, the right password with a wrong code, and the
right password and code; for the analyst (no second factor) a wrong and the
right password; and an unknown login. Prints the medians: the failures
must not tell a right password from a wrong one (the same work runs on
every path, staff/core.c login_check_run). Each try comes from its own
loopback address and every round ends with a right login, so no slow-down
(accounts/throttle.h) mixes in; the director's last used TOTP step is reset
between rounds so a code can be used again.

    login_bench.py REPO BUILD [ROUNDS]
"""
import base64
import hashlib
import hmac
import http.client
import json
import os
import re
import statistics
import struct
import subprocess
import sys
import time
import urllib.parse

from benchstack import throwaway_stack

PSQL = "/usr/lib/postgresql/15/bin/psql"
CSRF = re.compile(r'name="csrf" value="([0-9a-f]{64})"')


def totp(secret_b32, at):
    key = base64.b32decode(secret_b32)
    mac = hmac.new(key, struct.pack(">Q", int(at) // 30), hashlib.sha1).digest()
    off = mac[-1] & 0x0F
    return "%06d" % ((struct.unpack(">I", mac[off:off + 4])[0] & 0x7FFFFFFF) % 1000000)


class Bench:
    def __init__(self, url):
        u = urllib.parse.urlsplit(url)
        self.host, self.port = u.hostname, u.port
        self.sent = 0

    def source(self):
        """A loopback address of its own for every try."""
        n = self.sent
        self.sent += 1
        return f"127.0.{10 + n // 250}.{1 + n % 250}"

    def request(self, source, method, path, body=None, cookie=None):
        conn = http.client.HTTPConnection(self.host, self.port, timeout=60,
                                          source_address=(source, 0))
        headers = {}
        if cookie:
            headers["Cookie"] = cookie
        if body is not None:
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        try:
            conn.request(method, path, body=body, headers=headers)
            r = conn.getresponse()
            return r.status, r.headers, r.read().decode("utf-8", "replace")
        finally:
            conn.close()

    def login(self, login, password, code, expect):
        """Seconds POST /staff/login took."""
        src = self.source()
        _, headers, page = self.request(src, "GET", "/staff/login")
        token = CSRF.search(page).group(1)
        pre = [sc.split(";", 1)[0] for sc in headers.get_all("Set-Cookie") or []
               if sc.startswith("hotline_staff_pre=")][0]
        body = urllib.parse.urlencode({"csrf": token, "login": login, "password": password,
                                       "code": code})
        t0 = time.perf_counter()
        status, _, _ = self.request(src, "POST", "/staff/login", body, cookie=pre)
        dt = time.perf_counter() - t0
        if status != expect:
            raise SystemExit(f"login bench: {login}: answered {status}, expected {expect}")
        return dt


def main():
    repo, build = sys.argv[1], sys.argv[2]
    rounds = int(sys.argv[3]) if len(sys.argv) > 3 else 20
    # the product's default preset (tools/stack.sh uses interactive for tests)
    os.environ.setdefault("STACK_ACCOUNT_KDF", "moderate")
    with throwaway_stack(repo, build, "hotline-login-bench.") as (_tmp, stack, url):
        subprocess.run([os.path.join(repo, "tools", "staff-accounts.sh"), stack, build],
                       check=True, capture_output=True)
        staff = json.load(open(os.path.join(stack, "staff.json")))
        pw, secret = staff["password"], staff["totp"]["director"]
        b = Bench(url)
        kinds = ["director: wrong password", "director: right password, wrong code",
                 "director: right password and code", "analyst (no TOTP): wrong password",
                 "analyst (no TOTP): right password", "unknown login"]
        times = {k: [] for k in kinds}
        for i in range(rounds):
            code = totp(secret, time.time())
            wrong = "000000" if code != "000000" else "111111"
            times[kinds[0]].append(b.login("director", f"wrong password {i}", code, 401))
            times[kinds[1]].append(b.login("director", pw, wrong, 401))
            subprocess.run([PSQL, "-h", f"{stack}/pg/run", "-U", "postgres", "-d", "hotline",
                            "-q", "-c", "UPDATE hotline.staff_users SET totp_last_step = 0 "
                            "WHERE login = 'director'"], check=True, stdout=subprocess.DEVNULL)
            times[kinds[2]].append(b.login("director", pw, totp(secret, time.time()), 303))
            times[kinds[3]].append(b.login("analyst", f"wrong password {i}", "", 401))
            times[kinds[4]].append(b.login("analyst", pw, "", 303))
            times[kinds[5]].append(b.login(f"nobody{i}", f"wrong password {i}", "", 401))
        print(f"cores: {os.cpu_count()}; {rounds} tries each, medians (min..max)")
        for k in kinds:
            t = times[k]
            print(f"login time, {k}: {statistics.median(t) * 1000:.0f} ms "
                  f"({min(t) * 1000:.0f}..{max(t) * 1000:.0f})", flush=True)
        a = statistics.median(times[kinds[0]])
        c = statistics.median(times[kinds[1]])
        ratio = max(a, c) / min(a, c)
        print(f"login timing: right password + wrong code vs wrong password: "
              f"{c * 1000:.0f} ms vs {a * 1000:.0f} ms (ratio {ratio:.2f}; "
              f"{'the same work' if ratio < 1.25 else 'DIFFERENT: a right password shows'})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
