#!/usr/bin/python3
"""The staff pages over many cases, measured (make bench).

Starts a throw-away stack with the staff accounts (tools/staff-accounts.sh),
fills it once with N cases (default 1,000,000; fill.realistic(): two years
of registrations, about 9 % open with their deadlines, investigations in
every state, submitted ones and ones with the test commission sitting on
them, cases naming the director), then asks hotlined, one client per role,
for the first page of:
  /staff/board          the compliance manager's open cases
  /staff/archive        every case, newest first
  /staff/decisions      the director's queue
  /staff/commission     the commission member's investigations
  /staff/case/REG_NO    one case under investigation
  /staff/figures        the analyst's figures for the last 12 months
  /staff/audit          the audit log, over as many rows as cases
                        (fill.audit_log()), its chain checked a stretch
                        of 10,000 rows a view (docs/staff.md)
each REQUESTS times (or for at most PAGE_SECONDS) after one request to
warm up, and prints p50/p99 against its target (issue 17: a first page in
under 200 ms, a case page in under 50 ms, the figures in under 300 ms),
then hotlined's peak RSS (VmHWM) while serving them against 64 MB. The
peak is reset (/proc/PID/clear_refs) after the logins: a login derives
the account's key with Argon2id (256 MiB, docs/staff.md), which is not
what is measured here. PASS or MISS on each line; a miss does not fail
the run.

The case page is opened by the compliance manager, whose account holds no
seal of the bulk cases' key: the page shows every part of the case but
its content, which it says is not the reader's to open (decrypting is
not what grows with the number of cases).

    pages_bench.py REPO BUILD [COUNT]
"""
import http.client
import json
import os
import statistics
import subprocess
import sys
import time

from benchstack import Client, throwaway_stack
import fill

REQUESTS = 20
PAGE_SECONDS = 60.0
RSS_TARGET_MB = 64.0


def daemon_pid(stack):
    with open(os.path.join(stack, "hotlined.pid"), encoding="ascii") as f:
        return int(f.read().strip())


def peak_rss_mb(pid):
    with open(f"/proc/{pid}/status", encoding="ascii") as f:
        for line in f:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024.0
    return float("nan")


def reset_peak(pid):
    """Resets VmHWM to the current RSS (Linux 4.0 and later); false when
    not allowed."""
    try:
        with open(f"/proc/{pid}/clear_refs", "w", encoding="ascii") as f:
            f.write("5")
        return True
    except OSError:
        return False


def get(client, path):
    """GET path; once more on a fresh connection when the kept-alive one
    was closed meanwhile (hotlined closes idle ones)."""
    for attempt in (1, 2):
        try:
            return client.request("GET", path)
        except (http.client.HTTPException, OSError):
            client.conn.close()
            if attempt == 2:
                raise
    return None


def measure(client, path):
    """(requests, p50, p99, bytes of the last page), or a text saying why
    there is none."""
    try:
        status, page = get(client, path)  # warm-up, not counted
        if status != 200:
            return f"answered {status}"
        times = []
        started = time.monotonic()
        while len(times) < REQUESTS and (len(times) < 3 or
                                          time.monotonic() - started < PAGE_SECONDS):
            t0 = time.perf_counter()
            status, page = get(client, path)
            times.append((time.perf_counter() - t0) * 1000.0)
            if status != 200:
                return f"answered {status}"
    except (http.client.HTTPException, OSError) as e:
        return f"no answer ({type(e).__name__}: {e})"
    times.sort()
    return (len(times), statistics.median(times), times[max(0, int(len(times) * 0.99) - 1)],
            len(page.encode("utf-8")))


def main():
    repo, build = sys.argv[1], sys.argv[2]
    count = int(sys.argv[3]) if len(sys.argv) > 3 else 1_000_000
    with throwaway_stack(repo, build, "hotline-pages-bench.") as (_tmp, stack, url):
        subprocess.run([os.path.join(repo, "tools", "staff-accounts.sh"), stack, build],
                       check=True, capture_output=True)
        staff = json.load(open(os.path.join(stack, "staff.json"), encoding="utf-8"))
        print(f"pages bench: filling {count} cases ...", flush=True)
        t0 = time.monotonic()
        fill.realistic(stack, count)
        fill.audit_log(stack, count)
        fill.analyze(stack)
        print(f"pages bench: filled in {time.monotonic() - t0:.1f} s", flush=True)
        reg_no = fill.psql_value(stack, """
            SELECT j.reg_no FROM hotline.investigations i
            JOIN hotline.cases c ON c.id = i.case_id JOIN hotline.journal j ON j.id = c.journal_id
            WHERE i.state = 'in_progress' ORDER BY i.id LIMIT 1""")
        counts = fill.psql_value(stack, """
            SELECT format('%s open, %s with the director, %s investigations (%s submitted), '
                          '%s naming the director',
                          count(*) FILTER (WHERE NOT hotline.case_ended(state)),
                          count(*) FILTER (WHERE state IN ('to_director', 'acknowledged')),
                          (SELECT count(*) FROM hotline.investigations),
                          (SELECT count(*) FROM hotline.investigations
                           WHERE state = 'submitted'),
                          count(*) FILTER (WHERE director_named))
            FROM hotline.cases""")
        clients = {}
        for login in ("compliance", "director", "commission", "analyst"):
            clients[login] = Client(url)
            clients[login].login(login, staff["password"], staff["totp"].get(login))
        pid = daemon_pid(stack)
        reset = reset_peak(pid)
        pages = [
            ("board (compliance)", "compliance", "/staff/board", 200.0),
            ("archive (compliance)", "compliance", "/staff/archive", 200.0),
            ("decisions queue (director)", "director", "/staff/decisions", 200.0),
            ("commission queue (commission)", "commission", "/staff/commission", 200.0),
            (f"case page {reg_no} (compliance)", "compliance", f"/staff/case/{reg_no}", 50.0),
            ("figures, last 12 months (analyst)", "analyst", "/staff/figures", 300.0),
            (f"audit log over {count} rows (compliance)", "compliance", "/staff/audit", 200.0),
        ]
        print(f"cores: {os.cpu_count()}")
        print(f"cases: {count} ({counts}); up to {REQUESTS} requests a page "
              f"(at most {PAGE_SECONDS:.0f} s) after one to warm up, one client per role, "
              f"keep-alive")
        for what, login, path, target in pages:
            got = measure(clients[login], path)
            if isinstance(got, str):
                print(f"{what}: {got} (target < {target:.0f} ms): MISS", flush=True)
                continue
            n, p50, p99, size = got
            verdict = "PASS" if p99 < target else "MISS"
            print(f"{what}: {n} requests, {size / 1024:.0f} KiB, p50 {p50:.1f} ms, "
                  f"p99 {p99:.1f} ms (target < {target:.0f} ms): {verdict}", flush=True)
        rss = peak_rss_mb(pid)
        verdict = "PASS" if rss < RSS_TARGET_MB else "MISS"
        since = "since the logins" if reset else "since start, logins included"
        print(f"hotlined peak RSS (VmHWM {since}): {rss:.1f} MB "
              f"(target < {RSS_TARGET_MB:.0f} MB): {verdict}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
