#!/usr/bin/env bash
# make bench: the performance figures (not part of make test). Each bench
# starts its own throw-away stack and prints its figures; they are also
# written to build/bench-results.txt with the date and the machine:
#   tests/bench/scan_bench.py     the deadline scanner over SCAN_CASES open cases
#                                 (default 1,000,000)
#   tests/bench/web_bench.py      web reports and /status lookups under wrk,
#                                 against pgbench running the old one-report-
#                                 per-transaction SQL; PostgreSQL's time per
#                                 report from pg_stat_statements; then the
#                                 stale-plan scenario (cases analyzed at 60
#                                 rows, 60 s of 8 clients, reports/s per
#                                 quarter, seq scans). Targets PASS/MISS and
#                                 the previous design's figures in brackets,
#                                 from tests/bench/baseline-registration.txt
#                                 (about 3.5 min; WEB_BENCH_SECONDS=10 per
#                                 level, WEB_BENCH_STALE_SECONDS=60)
#   tests/bench/journal_bench.py  hotlinectl journal verify over JOURNAL_ROWS
#                                 chained journal rows (default 1,000,000)
#   tests/bench/archive_bench.py  the staff archive's page of 50 over
#                                 ARCHIVE_CASES cases (default 1,000,000)
#   tests/bench/upload_bench.py   hotlined's peak RSS while 200 connections
#                                 each send a 10 MB file at 400 KB/s (target
#                                 under 64 MB; about 1.5 min)
#   tests/bench/login_bench.py    the staff login's time for a wrong password,
#                                 a right one with a wrong code and a right
#                                 login, side by side (medians of LOGIN_ROUNDS,
#                                 default 20)
#   tests/bench/pages_bench.py    the first page of the board, the archive,
#                                 the director's and the commission's queues,
#                                 a case page and a year of figures over
#                                 PAGES_CASES cases (default 1,000,000), p50/p99
#                                 and hotlined's peak RSS, PASS/MISS against
#                                 their targets (a miss does not fail the run)
# The benches that need many cases fill them set-based, one statement per
# table with no trigger firing (tests/bench/fill.py): about 15 s for
# 100,000 scan cases, 1-2 min for a million realistic ones. About 6-7
# minutes on 2 cores with the defaults before the archive bench, plus about
# 2 for the archive and 3-5 for the pages bench; smaller counts for a quick
# look:
# SCAN_CASES=100000 JOURNAL_ROWS=100000 ARCHIVE_CASES=100000
# PAGES_CASES=100000 make bench.
set -euo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)
build=$(cd "${1:-$repo/build}" && pwd)
out="$repo/build/bench-results.txt"
started=$(date +%s)
count=${SCAN_CASES:-1000000}
rows=${JOURNAL_ROWS:-1000000}
archive_cases=${ARCHIVE_CASES:-1000000}
pages_cases=${PAGES_CASES:-1000000}
login_rounds=${LOGIN_ROUNDS:-20}

stack=$(mktemp -d "${TMPDIR:-/tmp}/hotline-bench.XXXXXX")
chmod 0755 "$stack"
cleanup() {
	"$repo/tools/stack.sh" stop "$stack" >/dev/null 2>&1 || true
	rm -rf "$stack"
}
trap cleanup EXIT
port=$(/usr/bin/python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
STACK_EXTRA_CONFIG=$'deadline_scan_interval = 1\nsmtp_port = 9\nlog_level = debug' \
	"$repo/tools/stack.sh" start "$stack" "$port" "$build" >/dev/null
{
	echo "== hotline bench $(date -u +%Y-%m-%dT%H:%MZ) on $(uname -n), $(nproc) cores"
	/usr/bin/python3 "$repo/tests/bench/scan_bench.py" "$stack" "http://127.0.0.1:$port/" \
		"$stack/hotlined.log" "$count"
} | tee -a "$out"
# the scan stack goes before the web bench starts its own (its scanner would
# compete for the cores)
cleanup
{
	echo "== hotline web bench $(date -u +%Y-%m-%dT%H:%MZ) on $(uname -n), $(nproc) cores"
	/usr/bin/python3 "$repo/tests/bench/web_bench.py" "$repo" "$build"
} | tee -a "$out"
{
	echo "== hotline journal bench $(date -u +%Y-%m-%dT%H:%MZ) on $(uname -n), $(nproc) cores"
	/usr/bin/python3 "$repo/tests/bench/journal_bench.py" "$repo" "$build" "$rows"
} | tee -a "$out"
{
	echo "== hotline upload bench $(date -u +%Y-%m-%dT%H:%MZ) on $(uname -n), $(nproc) cores"
	/usr/bin/python3 "$repo/tests/bench/upload_bench.py" "$repo" "$build"
} | tee -a "$out"
{
	echo "== hotline login bench $(date -u +%Y-%m-%dT%H:%MZ) on $(uname -n), $(nproc) cores"
	/usr/bin/python3 "$repo/tests/bench/login_bench.py" "$repo" "$build" "$login_rounds"
} | tee -a "$out"
{
	echo "== hotline archive bench $(date -u +%Y-%m-%dT%H:%MZ) on $(uname -n), $(nproc) cores"
	/usr/bin/python3 "$repo/tests/bench/archive_bench.py" "$repo" "$build" "$archive_cases"
} | tee -a "$out"
{
	echo "== hotline pages bench $(date -u +%Y-%m-%dT%H:%MZ) on $(uname -n), $(nproc) cores"
	/usr/bin/python3 "$repo/tests/bench/pages_bench.py" "$repo" "$build" "$pages_cases"
	echo "bench: the whole make bench took $((($(date +%s) - started) / 60)) min $((($(date +%s) - started) % 60)) s on $(nproc) cores"
} | tee -a "$out"
echo "bench: figures appended to $out"
