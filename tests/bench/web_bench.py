#!/usr/bin/python3
"""Web reports and receipt lookups under load, against pgbench (make bench).

  web_bench.py REPO BUILD

Starts one throw-away stack (tools/stack.sh, the default config, as make
run has it) and keeps it for the whole bench: every concurrency level runs
against the same daemon and database, one after the other. Per level
(1, 8, 32, 64 clients):
  - wrk (tests/bench/web_report.lua) POSTs /report for WEB_BENCH_SECONDS
    (10 s): 2 KB of text, identity in half, a 100 KB file in 10%. Only 200
    answers with a receipt count as reports; all else is printed apart.
  - pgbench runs the SQL transaction of one web report (the statements of
    intake/appeal.c, parameters of the sizes the daemon just stored) with
    the same number of clients for the same time, as hotline_app over the
    UNIX socket, and we print daemon reports/s / pgbench transactions/s.
Then /status lookups with one valid receipt, 8 clients. The daemon's peak
RSS is VmHWM of hotlined (a high-water mark over the whole run so far)."""
import os
import re
import secrets
import subprocess
import sys
import urllib.request

from benchstack import throwaway_stack

PSQL = "/usr/lib/postgresql/15/bin/psql"
PGBENCH = "/usr/lib/postgresql/15/bin/pgbench"
LEVELS = [int(x) for x in os.environ.get("WEB_BENCH_CLIENTS", "1 8 32 64").split()]
SECONDS = int(os.environ.get("WEB_BENCH_SECONDS", "10"))
CORES = os.cpu_count()
TARGET_RATIO, TARGET_P99_MS, TARGET_RSS_MB = 0.6, 20.0, 32.0

REGISTER = ("SELECT case_id, reg_no, to_char(registered_at AT TIME ZONE 'Asia/Almaty', "
            "'YYYY-MM-DD HH24' || chr(58) || 'MI') FROM hotline.register_case('web', "
            "sha256(int8send(:h::bigint) || int4send(:client_id::integer)), 'corruption', 'unknown', 'en', "
            ":key, :content, {identity});")
# One web report's transaction as intake/appeal.c sends it, one report per
# transaction (the daemon puts every report that waits into one batch).
# Differences that cost nothing: the receipt hash is computed from random
# numbers in SQL (unique per transaction), the constant fields are literals,
# ":MI" in the time format is spelled chr(58) || 'MI' (pgbench would take it
# for a variable; it is folded when planned), and parameters go as text
# (hex) where the daemon sends binary.
PGBENCH_SCRIPT = f"""\\set h random(1, 4611686018427387903)
\\set named random(0, 1)
\\set file random(1, 10)
\\set budget 15000
BEGIN;
SELECT set_config('statement_timeout', :budget, true);
\\if :named
{REGISTER.format(identity=":ident")}
\\else
{REGISTER.format(identity="NULL")}
\\endif
\\if :file = 1
INSERT INTO hotline.attachments (case_id, meta, data) SELECT id, :meta, :data1::bytea || :data2::bytea FROM hotline.cases WHERE receipt_hash = sha256(int8send(:h::bigint) || int4send(:client_id::integer));
\\endif
COMMIT;
"""


def psql(stack, sql):
    r = subprocess.run([PSQL, "-h", f"{stack}/pg/run", "-U", "postgres", "-d", "hotline", "-qAtX",
                        "-v", "ON_ERROR_STOP=1", "-c", sql], check=True, capture_output=True,
                       text=True)
    return r.stdout.strip()


def vm(pid, key):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith(key + ":"):
                return int(line.split()[1]) / 1024.0  # MB
    return float("nan")


def wrk(script, url, clients, seconds, *args):
    cmd = ["wrk", "-t", str(min(clients, 2)), "-c", str(clients), "-d", f"{seconds}s",
           "--timeout", "20s", "-s", script, url]
    if args:
        cmd += ["--", *args]
    out = subprocess.run(cmd, check=True, capture_output=True, text=True).stdout
    m = re.search(r"^RESULT (.*)$", out, re.M)
    if not m:
        raise RuntimeError("wrk printed no RESULT line:\n" + out)
    return {k: int(v) for k, v in (kv.split("=") for kv in m.group(1).split())}


def hexbytes(n):
    return "\\x" + secrets.token_hex(n)


def pgbench(stack, script, clients, seconds, sizes, tmp):
    key, content, ident, meta, data = sizes
    logp = os.path.join(tmp, f"pgb{clients}")
    cmd = [PGBENCH, "-n", "-h", f"{stack}/pg/run", "-U", "hotline_app", "-d", "hotline",
           "-c", str(clients), "-j", str(min(clients, 2)), "-T", str(seconds), "-M", "prepared",
           "-f", script, "-l", "--log-prefix", logp,
           "-D", f"key={hexbytes(key)}", "-D", f"content={hexbytes(content)}",
           "-D", f"ident={hexbytes(ident)}", "-D", f"meta={hexbytes(meta)}",
           "-D", f"data1={hexbytes(data // 2)}", "-D", f"data2={hexbytes(data - data // 2)}"]
    r = subprocess.run(cmd, capture_output=True, text=True)
    if r.returncode != 0:
        raise RuntimeError(f"pgbench failed ({r.returncode}):\n{r.stdout}\n{r.stderr}")
    tps = float(re.search(r"tps = ([0-9.]+) \(without initial connection time\)", r.stdout).group(1))
    failed = re.search(r"number of failed transactions: (\d+)", r.stdout)
    lat = []
    for name in os.listdir(tmp):
        if name.startswith(f"pgb{clients}."):
            with open(os.path.join(tmp, name)) as f:
                lat += [int(line.split()[2]) for line in f if line.strip()]
            os.unlink(os.path.join(tmp, name))
    lat.sort()
    p50 = lat[len(lat) // 2] / 1000.0 if lat else float("nan")
    p99 = lat[max(int(len(lat) * 0.99) - 1, 0)] / 1000.0 if lat else float("nan")
    return tps, int(failed.group(1)) if failed else 0, p50, p99


def first_receipt(url):
    boundary = "b0undary"
    fields = {"what": "A receipt for the status bench", "category": "other", "lang": "en"}
    body = "".join(f"--{boundary}\r\nContent-Disposition: form-data; name=\"{k}\"\r\n\r\n{v}\r\n"
                   for k, v in fields.items()) + f"--{boundary}--\r\n"
    req = urllib.request.Request(url + "report", data=body.encode(), headers={
        "Content-Type": f"multipart/form-data; boundary={boundary}"})
    with urllib.request.urlopen(req, timeout=20) as r:
        page = r.read().decode()
    m = re.search(r'id="receipt">([0-9 ]+)<', page)
    if not m:
        raise RuntimeError("no receipt on the page of a test report")
    return m.group(1).replace(" ", "")


def main():
    repo, build = sys.argv[1], sys.argv[2]
    here = os.path.join(repo, "tests", "bench")
    env = dict(os.environ)
    env.pop("STACK_EXTRA_CONFIG", None)  # make run's setup: the default config
    with throwaway_stack(repo, build, "hotline-webbench.", env) as (tmp, stack, url):
        return run(repo, here, tmp, stack, url)


def run(repo, here, tmp, stack, url):
    with open(os.path.join(stack, "hotlined.pid")) as f:
        pid = int(f.read().strip())
    receipt = first_receipt(url)
    script = os.path.join(tmp, "report.sql")
    with open(script, "w") as f:
        f.write(PGBENCH_SCRIPT)
    print(f"web bench: {CORES} cores; one stack (default config, as make run) for all levels, "
          f"{SECONDS} s per level for the daemon, then {SECONDS} s of pgbench on the same database",
          flush=True)
    print("web bench: reports: 2 KB text, identity in 50%, a 100 KB file in 10%; "
          "only 200 with a receipt counts", flush=True)
    rows, sizes = [], None
    for n in LEVELS:
        before = int(psql(stack, "SELECT count(*) FROM hotline.cases"))
        w = wrk(os.path.join(here, "web_report.lua"), url, n, SECONDS)
        stored = int(psql(stack, "SELECT count(*) FROM hotline.cases")) - before
        rps = w["ok"] / (w["duration_us"] / 1e6)
        hwm = vm(pid, "VmHWM")
        if sizes is None:
            # the sizes the daemon stores, for pgbench's parameters
            sizes = tuple(int(x or 0) for x in psql(stack, """
                SELECT round(avg(length(content_key_sealed))), round(avg(length(content))),
                       round(avg(length(identity_sealed))),
                       (SELECT round(avg(length(meta))) FROM hotline.attachments),
                       (SELECT round(avg(length(data))) FROM hotline.attachments)
                FROM hotline.cases""").split("|"))
            print(f"web bench: stored sizes (bytes, pgbench uses the same): sealed key {sizes[0]}, "
                  f"content {sizes[1]}, identity {sizes[2]} (in half), file meta {sizes[3]}, "
                  f"file data {sizes[4]} (in 10%)", flush=True)
        tps, failed, pp50, pp99 = pgbench(stack, script, n, SECONDS, sizes, tmp)
        ratio = rps / tps if tps else float("nan")
        errs = {k: w[k] for k in ("no_receipt", "s4xx", "s5xx", "other", "connect", "read",
                                  "write", "timeout") if w[k]}
        print(f"web bench: {n:2d} clients, {CORES} cores: daemon {rps:7.1f} reports/s "
              f"(p50 {w['p50_us'] / 1000:.1f} ms, p99 {w['p99_us'] / 1000:.1f} ms, "
              f"max {w['max_us'] / 1000:.1f} ms; {w['ok']} ok, {stored} rows; not ok: "
              f"{errs if errs else 'none'}), peak RSS {hwm:.1f} MB | pgbench {tps:7.1f} tx/s "
              f"(p50 {pp50:.1f} ms, p99 {pp99:.1f} ms, {failed} failed) | "
              f"ratio {ratio:.2f}", flush=True)
        rows.append((n, rps, w, hwm, tps, ratio))

    st = wrk(os.path.join(here, "web_status.lua"), url + "status", 8, SECONDS, receipt)
    lps = st["ok"] / (st["duration_us"] / 1e6)
    serrs = {k: st[k] for k in ("no_receipt", "s4xx", "s5xx", "other", "connect", "read",
                                "write", "timeout") if st[k]}
    hwm = vm(pid, "VmHWM")

    print(f"\nweb bench summary ({CORES} cores; ratio = daemon reports/s / pgbench tx/s of the same "
          f"SQL; the daemon puts many reports in one transaction, pgbench one per transaction: "
          f"that difference is what the ratio measures)")
    print(f"{'clients':>7} {'cores':>5} {'reports/s':>10} {'p50 ms':>7} {'p99 ms':>7} "
          f"{'peak RSS MB':>11} {'pgbench tx/s':>12} {'ratio':>6}")
    for n, rps, w, hwm_n, tps, ratio in rows:
        print(f"{n:>7} {CORES:>5} {rps:>10.1f} {w['p50_us'] / 1000:>7.1f} {w['p99_us'] / 1000:>7.1f} "
              f"{hwm_n:>11.1f} {tps:>12.1f} {ratio:>6.2f}")
    print(f"receipt lookups (POST /status, 8 clients, {CORES} cores): {lps:.1f}/s, "
          f"p50 {st['p50_us'] / 1000:.1f} ms, p99 {st['p99_us'] / 1000:.1f} ms; {st['ok']} ok, "
          f"not ok: {serrs if serrs else 'none'}")
    print(f"daemon peak RSS (VmHWM over the whole bench, {CORES} cores): {hwm:.1f} MB")
    by = {n: (rps, w, tps, ratio) for n, rps, w, _, tps, ratio in rows}
    verdict = []
    if 32 in by:
        verdict.append(f"ratio at 32 clients {by[32][3]:.2f} (target >= {TARGET_RATIO}): "
                       f"{'met' if by[32][3] >= TARGET_RATIO else 'MISSED'}")
    if 64 in by:
        p99 = by[64][1]["p99_us"] / 1000
        verdict.append(f"p99 at 64 clients {p99:.1f} ms (target <= {TARGET_P99_MS:.0f} ms): "
                       f"{'met' if p99 <= TARGET_P99_MS else 'MISSED'}")
        if p99 > TARGET_P99_MS:
            # Closed loop: each wrk client waits for its answer, so the mean
            # latency is clients / throughput (Little's law), and the p99 is
            # at least that.
            rps64, _, tps64, _ = by[64]
            verdict.append(f"why: 64 waiting clients at {rps64:.0f} reports/s wait "
                           f"{64 / rps64 * 1000:.1f} ms on average (Little's law); a 20 ms p99 "
                           f"needs over {64 / (TARGET_P99_MS / 1000):.0f} reports/s on these "
                           f"{CORES} cores, where PostgreSQL alone (pgbench) does {tps64:.0f} tx/s")
    verdict.append(f"peak RSS {hwm:.1f} MB (target <= {TARGET_RSS_MB:.0f} MB): "
                   f"{'met' if hwm <= TARGET_RSS_MB else 'MISSED'}")
    for v in verdict:
        print(f"target, {CORES} cores: {v}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
