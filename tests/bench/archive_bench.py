#!/usr/bin/python3
"""The staff archive over many cases, measured (make bench).

Starts a throw-away stack with the staff accounts (tools/staff-accounts.sh),
fills it with N cases (default 1,000,000) spread over about two years of
registrations, with the channels, categories, states and director-named
cases in proportions a department might see, then asks GET /staff/archive
for a page of 50 as the compliance manager and as the director, with a few
filters and a deep page (keyset: `after=`), and prints each one's p50/p99.
Target: a page in under 200 ms (issue 13).

    archive_bench.py REPO BUILD [COUNT]
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
REQUESTS = 30
TARGET_MS = 200.0
CSRF = re.compile(r'name="csrf" value="([0-9a-f]{64})"')


def psql(stack, sql):
    subprocess.run([PSQL, "-h", f"{stack}/pg/run", "-U", "postgres", "-d", "hotline", "-q",
                    "-v", "ON_ERROR_STOP=1", "-c", sql], check=True, stdout=subprocess.DEVNULL)


def psql_value(stack, sql):
    return subprocess.run([PSQL, "-h", f"{stack}/pg/run", "-U", "postgres", "-d", "hotline",
                           "-At", "-v", "ON_ERROR_STOP=1", "-c", sql], check=True,
                          capture_output=True, text=True).stdout.strip()


def fill(stack, count):
    # Bulk rows, not hotline.register_case: the chain is not what is
    # measured. At most 500,000 per year (six digits), from 2100 on; one
    # registration a minute back from now, so two years hold a million.
    psql(stack, f"""
        INSERT INTO hotline.journal (year, seq, reg_no, registered_at, channel, content_digest,
                                     prev_hash, row_hash)
        SELECT 2100 + i / 500000, i % 500000 + 1,
               format('%s-%s', 2100 + i / 500000, lpad((i % 500000 + 1)::text, 6, '0')),
               now() - ({count} - i) * interval '1 minute',
               CASE WHEN i % 100 < 60 THEN 'web' WHEN i % 100 < 80 THEN 'email'
                    WHEN i % 100 < 90 THEN 'phone' WHEN i % 100 < 97 THEN 'written'
                    ELSE 'in_person' END,
               '\\x00', '\\x00', '\\x00'
        FROM generate_series(0, {count} - 1) AS i""")
    # channel and registered_at come from the journal (the 0012 trigger);
    # category and state from hashes of the id, independent of the channel
    psql(stack, """
        INSERT INTO hotline.cases (journal_id, receipt_hash, category, director_involved,
                                   anonymous, language, content_key_sealed, content, state)
        SELECT id, sha256(id::text::bytea),
               CASE WHEN abs(hashint4(id::int)) % 100 < 50 THEN 'corruption'
                    WHEN abs(hashint4(id::int)) % 100 < 65 THEN 'conflict_of_interest'
                    WHEN abs(hashint4(id::int)) % 100 < 80 THEN 'gift'
                    WHEN abs(hashint4(id::int)) % 100 < 85 THEN 'unlawful_order' ELSE 'other' END,
               CASE WHEN abs(hashint4(id::int + 104729)) % 200 = 0 THEN 'yes' ELSE 'no' END,
               true, 'ru', '\\x00', '\\x00',
               CASE WHEN abs(hashint4(id::int + 7919)) % 1000 < 1 THEN 'urgent'
                    WHEN abs(hashint4(id::int + 7919)) % 1000 < 701 THEN 'closed'
                    WHEN abs(hashint4(id::int + 7919)) % 1000 < 801 THEN 'referred'
                    WHEN abs(hashint4(id::int + 7919)) % 1000 < 881 THEN 'not_considered'
                    WHEN abs(hashint4(id::int + 7919)) % 1000 < 911 THEN 'forwarded'
                    WHEN abs(hashint4(id::int + 7919)) % 1000 < 931 THEN 'investigation'
                    WHEN abs(hashint4(id::int + 7919)) % 1000 < 951 THEN 'to_director'
                    WHEN abs(hashint4(id::int + 7919)) % 1000 < 961 THEN 'acknowledged'
                    ELSE 'registered' END
        FROM hotline.journal WHERE year >= 2100""")
    psql(stack, "VACUUM ANALYZE hotline.cases")
    psql(stack, "VACUUM ANALYZE hotline.journal")


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
            raise SystemExit(f"archive bench: login as {login} failed ({status})")


def measure(client, path, expect_rows):
    times, rows = [], 0
    for _ in range(REQUESTS):
        t0 = time.perf_counter()
        status, page = client.request("GET", path)
        times.append((time.perf_counter() - t0) * 1000.0)
        if status != 200:
            raise SystemExit(f"archive bench: {path} answered {status}")
        rows = page.count('class="case-row')
    if expect_rows is not None and rows != expect_rows:
        raise SystemExit(f"archive bench: {path} showed {rows} rows, expected {expect_rows}")
    times.sort()
    return statistics.median(times), times[max(0, int(len(times) * 0.99) - 1)], times[-1], rows


def main():
    repo, build = sys.argv[1], sys.argv[2]
    count = int(sys.argv[3]) if len(sys.argv) > 3 else 1_000_000
    with throwaway_stack(repo, build, "hotline-archive-bench.") as (_tmp, stack, url):
        subprocess.run([os.path.join(repo, "tools", "staff-accounts.sh"), stack, build],
                       check=True, capture_output=True)
        staff = json.load(open(os.path.join(stack, "staff.json")))
        print(f"archive bench: filling {count} cases ...", flush=True)
        t0 = time.monotonic()
        fill(stack, count)
        print(f"archive bench: filled in {time.monotonic() - t0:.1f} s", flush=True)
        middle = psql_value(stack, f"SELECT reg_no FROM hotline.journal WHERE year >= 2100 "
                                   f"ORDER BY id OFFSET {count // 2} LIMIT 1")
        one = psql_value(stack, f"SELECT reg_no FROM hotline.journal WHERE year >= 2100 "
                                f"ORDER BY id OFFSET {count // 3} LIMIT 1")
        month = psql_value(stack, f"SELECT to_char((registered_at AT TIME ZONE 'Asia/Almaty')"
                                  f"::date, 'YYYY-MM-DD') FROM hotline.journal WHERE year >= 2100 "
                                  f"ORDER BY id OFFSET {count // 4} LIMIT 1")
        month_end = psql_value(stack, f"SELECT to_char('{month}'::date + 30, 'YYYY-MM-DD')")
        compliance = Client(url)
        compliance.login("compliance", staff["password"])
        director = Client(url)
        director.login("director", staff["password"], staff["totp"]["director"])
        cases = [
            ("compliance", compliance, "no filter, newest page", "/staff/archive", 50),
            ("compliance", compliance, "a page half way down (keyset after=)",
             f"/staff/archive?after={middle}", 50),
            ("compliance", compliance, "state=urgent (0.1% of cases)",
             "/staff/archive?state=urgent", 50),
            ("compliance", compliance, "state=closed", "/staff/archive?state=closed", 50),
            ("compliance", compliance, "channel=in_person&category=gift",
             "/staff/archive?channel=in_person&category=gift", 50),
            ("compliance", compliance, f"period {month}..{month_end}",
             f"/staff/archive?from={month}&to={month_end}", 50),
            ("compliance", compliance, "period + state=urgent + channel=web",
             f"/staff/archive?from={month}&to={month_end}&state=urgent&channel=web", None),
            ("compliance", compliance, "registration number", f"/staff/archive?reg_no={one}", 1),
            ("director", director, "no filter (cases naming the director hidden)",
             "/staff/archive", 50),
            ("director", director, "state=urgent", "/staff/archive?state=urgent", 50),
        ]
        print(f"cores: {os.cpu_count()}")
        print(f"cases: {count}; {REQUESTS} requests each, one client, keep-alive")
        worst = 0.0
        for who, client, what, path, rows in cases:
            p50, p99, top, shown = measure(client, path, rows)
            worst = max(worst, p99)
            print(f"archive page ({who}, {what}): {shown} rows, p50 {p50:.1f} ms, "
                  f"p99 {p99:.1f} ms, max {top:.1f} ms", flush=True)
        verdict = "met" if worst < TARGET_MS else "MISSED"
        print(f"archive target: a page in under {TARGET_MS:.0f} ms over {count} cases: {verdict} "
              f"(worst p99 {worst:.1f} ms)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
