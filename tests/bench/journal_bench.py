#!/usr/bin/python3
"""Journal verification over many rows, measured (make bench).

  journal_bench.py REPO BUILD ROWS

Starts a throw-away stack (tools/stack.sh), stops its hotlined (only the
database is needed), and fills the journal with ROWS rows whose hash chain
is valid, each with its case, as hotline.register_case would leave them:
the chain is computed here (sha256 in Python, the canonical text of
migrations/0001_init.sql) and loaded with COPY, which is much faster than
registering a million appeals one by one. 999,999 rows is the most one
year can number, so the rows are spread over several years. Then it times
`hotlinectl journal verify`, which must report the chain intact, and
prints rows/s with the core count."""
import hashlib
import os
import re
import subprocess
import sys
import time
from datetime import datetime, timezone

from benchstack import throwaway_stack

PSQL = "/usr/lib/postgresql/15/bin/psql"
PER_YEAR = 500000
FIRST_YEAR = 2091
KEY, CONTENT = b"\x01" * 80, b"\x02" * 2100  # sizes of a sealed key and a 2 KB report


def psql(stack, sql, stdin=None):
    r = subprocess.run([PSQL, "-h", f"{stack}/pg/run", "-U", "postgres", "-d", "hotline", "-qAtX",
                        "-v", "ON_ERROR_STOP=1", "-c", sql], check=True, input=stdin,
                       capture_output=True)
    return r.stdout.decode().strip()


def load_journal(stack, count):
    """COPYs `count` chained journal rows into the database, streamed in
    blocks (a million rows are 250 MB of text); returns the last hash."""
    digest = hashlib.sha256(KEY + CONTENT).digest()
    digest_hex = digest.hex()
    digest_copy = "\\\\x" + digest_hex
    copy = subprocess.Popen([PSQL, "-h", f"{stack}/pg/run", "-U", "postgres", "-d", "hotline",
                             "-qAtX", "-v", "ON_ERROR_STOP=1", "-c",
                             "COPY hotline.journal (year, seq, reg_no, registered_at, channel, "
                             "content_digest, prev_hash, row_hash) FROM STDIN"],
                            stdin=subprocess.PIPE)
    prev = bytes(32)
    block = []
    for i in range(count):
        year = FIRST_YEAR + i // PER_YEAR
        seq = i % PER_YEAR + 1
        reg_no = f"{year}-{seq:06d}"
        # mid-February of its year, one row a second: inside the Almaty year
        secs = int(datetime(year, 2, 1, tzinfo=timezone.utc).timestamp()) + seq
        canon = f"v1|{reg_no}|{secs * 1000000}|web|{digest_hex}".encode()
        row = hashlib.sha256(prev + canon).digest()
        at = datetime.fromtimestamp(secs, timezone.utc).strftime("%Y-%m-%d %H:%M:%S+00")
        block.append(f"{year}\t{seq}\t{reg_no}\t{at}\tweb\t{digest_copy}\t\\\\x{prev.hex()}"
                     f"\t\\\\x{row.hex()}\n")
        prev = row
        if len(block) == 10000:
            copy.stdin.write("".join(block).encode())
            block = []
    copy.stdin.write("".join(block).encode())
    copy.stdin.close()
    if copy.wait() != 0:
        raise RuntimeError("COPY into hotline.journal failed")
    return prev


def main():
    repo, build, count = sys.argv[1], sys.argv[2], int(sys.argv[3])
    with throwaway_stack(repo, build, "hotline-journalbench.") as (_, stack, _):
        with open(os.path.join(stack, "hotlined.pid")) as f:
            pid = int(f.read().strip())
        os.kill(pid, 15)  # the daemon's scanner has no business with these rows
        for _ in range(100):
            if not os.path.exists(f"/proc/{pid}"):
                break
            time.sleep(0.1)
        return run(stack, build, count)


def run(stack, build, count):
    cores = os.cpu_count()
    t0 = time.monotonic()
    last = load_journal(stack, count)
    t1 = time.monotonic()
    psql(stack, f"""
        INSERT INTO hotline.cases (journal_id, receipt_hash, category, director_involved,
                                   anonymous, language, content_key_sealed, content)
        SELECT id, sha256(int8send(id)), 'corruption', 'no', true, 'ru',
               '\\x{KEY.hex()}'::bytea, '\\x{CONTENT.hex()}'::bytea
        FROM hotline.journal""")
    psql(stack, f"UPDATE hotline.journal_head SET last_hash = '\\x{last.hex()}' WHERE id = 1")
    psql(stack, "VACUUM ANALYZE hotline.journal")
    psql(stack, "VACUUM ANALYZE hotline.cases")
    t2 = time.monotonic()
    print(f"journal bench: {cores} cores; {count} rows chained and loaded in {t1 - t0:.1f} s, "
          f"their cases in {t2 - t1:.1f} s", flush=True)

    conninfo = f"host={stack}/pg/run dbname=hotline user=postgres"
    t = time.monotonic()
    p = subprocess.run([os.path.join(build, "hotlinectl"), "journal", "verify", "--database",
                        conninfo], capture_output=True, text=True)
    dt = time.monotonic() - t
    if p.returncode != 0:
        print(f"journal bench: verify failed ({p.returncode}):\n{p.stdout}{p.stderr}",
              file=sys.stderr)
        return 1
    m = re.search(r"(\d+) rows", p.stdout)
    checked = int(m.group(1)) if m else count
    if checked != count:
        print(f"journal bench: verify checked {checked} rows, not {count}:\n{p.stdout}",
              file=sys.stderr)
        return 1
    print(f"journal verification ({cores} cores): {count} rows in {dt:.1f} s, "
          f"{count / dt:,.0f} rows/s (hotlinectl journal verify: {p.stdout.strip()})", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
