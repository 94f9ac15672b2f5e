#!/usr/bin/python3
"""hotlined's memory under a flood of slow uploads (make bench; issue 14,
docs/http.md "Limits").

Starts a throw-away stack and opens CONNECTIONS (default 200) connections
at once, each POSTing a report with one FILE_BYTES (default 10,000,000)
file, paced at RATE bytes a second each (default 400,000): all of them are
in flight together for FILE_BYTES / RATE seconds. Meanwhile hotlined's
VmRSS is sampled from /proc every 100 ms; at the end its VmHWM (the peak
resident set the kernel saw) is printed against the target, 64 MB, with
the answers (receipts, 503 "try again shortly") and what is left in the
spool directory (nothing, if it works).

The files go to the encrypted spool as they arrive, the memory cap
(upload_memory_bytes, 32 MiB by default) bounds what the bodies and the
registrations hold, and the registrations run as the cap allows; the bench
sets request_timeout to 120 s so that they may all wait their turn.

    upload_bench.py REPO BUILD [CONNECTIONS [FILE_BYTES [RATE]]]
"""
import asyncio
import os
import re
import sys
import threading
import time
import urllib.parse

from benchstack import throwaway_stack

TARGET_MB = 64
PIECE = 16 * 1024
BOUNDARY = "----hotline-upload-bench"


def status_kb(pid, field):
    try:
        with open(f"/proc/{pid}/status") as f:
            for line in f:
                if line.startswith(field + ":"):
                    return int(line.split()[1])
    except OSError:
        pass
    return 0


class Sampler(threading.Thread):
    def __init__(self, pid):
        super().__init__(daemon=True)
        self.pid = pid
        self.peak_kb = 0
        self.upload_peak_kb = 0  # while the bodies are still arriving
        self.uploading_until = 0
        self.stop = threading.Event()

    def run(self):
        while not self.stop.is_set():
            rss = status_kb(self.pid, "VmRSS")
            self.peak_kb = max(self.peak_kb, rss)
            if time.monotonic() < self.uploading_until:
                self.upload_peak_kb = max(self.upload_peak_kb, rss)
            time.sleep(0.1)


def body_parts(n, file_bytes):
    """The multipart body around the file, and one 64 KiB block the file
    repeats (its first bytes differ per connection)."""
    fields = [("what", f"upload bench report {n}"), ("category", "corruption"),
              ("identity", "anonymous"), ("lang", "en")]
    head = "".join(f"--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"{k}\"\r\n\r\n{v}\r\n"
                   for k, v in fields)
    head += (f"--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"files\"; "
             f"filename=\"evidence-{n}.bin\"\r\nContent-Type: application/octet-stream\r\n\r\n")
    tail = f"\r\n--{BOUNDARY}--\r\n"
    block = (f"bench file {n} ".encode() * 5000)[:65536]
    return head.encode(), block, tail.encode()


async def upload(port, n, file_bytes, rate, results):
    head, block, tail = body_parts(n, file_bytes)
    length = len(head) + file_bytes + len(tail)
    try:
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        writer.write((f"POST /report HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                      f"Content-Type: multipart/form-data; boundary={BOUNDARY}\r\n"
                      f"Content-Length: {length}\r\nConnection: close\r\n\r\n").encode() + head)
        start = time.monotonic()
        sent = 0
        while sent < file_bytes:
            n_bytes = min(PIECE, file_bytes - sent)
            off = sent % len(block)
            piece = (block[off:] + block)[:n_bytes]
            writer.write(piece)
            sent += n_bytes
            await writer.drain()
            ahead = sent / rate - (time.monotonic() - start)
            if ahead > 0:
                await asyncio.sleep(ahead)
        writer.write(tail)
        await writer.drain()
        answer = await asyncio.wait_for(reader.read(), timeout=300)
        writer.close()
        m = re.match(rb"HTTP/1\.[01] (\d+)", answer)
        code = int(m.group(1)) if m else 0
        # a registered report is 303 to the receipt page, with its cookie
        results.append((code, code == 303 and b"receipt_page=" in answer,
                        b'id="error-overloaded"' in answer))
    except (OSError, asyncio.TimeoutError) as e:
        results.append((0, False, False))
        print(f"upload {n}: {type(e).__name__}", file=sys.stderr)


async def flood(port, conns, file_bytes, rate):
    results = []
    await asyncio.gather(*(upload(port, n, file_bytes, rate, results) for n in range(conns)))
    return results


def main():
    repo, build = sys.argv[1], sys.argv[2]
    conns = int(sys.argv[3]) if len(sys.argv) > 3 else 200
    file_bytes = int(sys.argv[4]) if len(sys.argv) > 4 else 10_000_000
    rate = int(sys.argv[5]) if len(sys.argv) > 5 else 400_000
    env = dict(os.environ)
    env["STACK_EXTRA_CONFIG"] = "request_timeout = 120\nsmtp_port = 9\nlog_level = info"
    with throwaway_stack(repo, build, "hotline-upload-bench.", env=env) as (_, stack, url):
        port = urllib.parse.urlsplit(url).port
        with open(os.path.join(stack, "hotlined.pid")) as f:
            pid = int(f.read())
        idle_kb = status_kb(pid, "VmRSS")
        sampler = Sampler(pid)
        began = time.monotonic()
        # the first registrations start once the first bodies are complete
        sampler.uploading_until = began + 0.9 * file_bytes / rate
        sampler.start()
        results = asyncio.run(flood(port, conns, file_bytes, rate))
        took = time.monotonic() - began
        sampler.stop.set()
        sampler.join()
        hwm_kb = status_kb(pid, "VmHWM")
        peak_kb = max(hwm_kb, sampler.peak_kb)
        spool = os.path.join(os.path.dirname(os.path.join(stack, "pepper")), "spool")
        left = len(os.listdir(spool)) if os.path.isdir(spool) else -1
        fd_dir = f"/proc/{pid}/fd"
        spool_open = sum(1 for fd in os.listdir(fd_dir)
                         if os.readlink(os.path.join(fd_dir, fd)).startswith(spool + "/"))
    receipts = sum(1 for r in results if r[1])
    busy = sum(1 for r in results if r[2])
    other = len(results) - receipts - busy
    peak_mb = peak_kb / 1024
    print(f"upload flood: {conns} connections x {file_bytes:,} bytes at {rate:,} B/s each, "
          f"{took:.0f} s in all")
    print(f"upload flood: hotlined RSS idle {idle_kb / 1024:.1f} MB, peak {peak_mb:.1f} MB "
          f"(VmHWM {hwm_kb / 1024:.1f} MB, sampled VmRSS max {sampler.peak_kb / 1024:.1f} MB); "
          f"target < {TARGET_MB} MB: {peak_mb / TARGET_MB:.2f} of it, "
          f"{'met' if peak_mb < TARGET_MB else 'NOT MET'}")
    print(f"upload flood: while all bodies were arriving {sampler.upload_peak_kb / 1024:.1f} MB; "
          f"the rest is the registrations' ciphertext under upload_memory_bytes")
    print(f"upload flood: {receipts} receipts, {busy} refused 503 'try again shortly', "
          f"{other} other answers; spool afterwards: {left} names, {spool_open} open files")
    sys.exit(0 if peak_mb < TARGET_MB and other == 0 else 1)


if __name__ == "__main__":
    main()
