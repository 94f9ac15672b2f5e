#!/usr/bin/python3
"""The staff archive over many cases, measured (make bench).

Starts a throw-away stack with the staff accounts (tools/staff-accounts.sh),
fills it with N cases (default 1,000,000; fill.journal_and_cases(): one
statement per table) spread over about two years of registrations, with
the channels, categories, states and director-named cases in proportions
a department might see, then asks GET /staff/archive
for a page of 50 as the compliance manager and as the director, with a few
filters and a deep page (keyset: `after=`), and prints each one's p50/p99.
Target: a page in under 200 ms (issue 13).

    archive_bench.py REPO BUILD [COUNT]
"""
import json
import os
import statistics
import subprocess
import sys
import time

from benchstack import Client, throwaway_stack
import fill

REQUESTS = 30
TARGET_MS = 200.0


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
        fill.journal_and_cases(stack, count)
        fill.analyze(stack)
        print(f"archive bench: filled in {time.monotonic() - t0:.1f} s", flush=True)
        middle = fill.psql_value(stack, f"SELECT reg_no FROM hotline.journal WHERE year >= 2100 "
                                   f"ORDER BY id OFFSET {count // 2} LIMIT 1")
        one = fill.psql_value(stack, f"SELECT reg_no FROM hotline.journal WHERE year >= 2100 "
                                f"ORDER BY id OFFSET {count // 3} LIMIT 1")
        month = fill.psql_value(stack, f"SELECT to_char((registered_at AT TIME ZONE 'Asia/Almaty')"
                                  f"::date, 'YYYY-MM-DD') FROM hotline.journal WHERE year >= 2100 "
                                  f"ORDER BY id OFFSET {count // 4} LIMIT 1")
        month_end = fill.psql_value(stack, f"SELECT to_char('{month}'::date + 30, 'YYYY-MM-DD')")
        compliance = Client(url)
        compliance.login("compliance", staff["password"], staff["totp"].get("compliance"))
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
