"""Receipt brute force (docs/http.md, "Wrong lookups"): 1,000 wrong lookups
from one client address over 50 parallel connections are slowed down as
documented — after the free ones at most one wrong answer per delay, the
delay doubling up to lookup_max_delay; every other lookup refused at once
with 429, Retry-After and a page in the client's language, so the client
cannot park its connections on the daemon — while the right receipt from
another address is answered promptly throughout, and the daemon serves
normally afterwards."""
import re
import threading
import time

from helpers import (by_id, element_text, expect_receipt, has_id, html_lang, page_excerpt,
                     random_receipt, report_fields, submit, typo)

FREE, MAX_DELAY = 3, 4
PARALLEL = 8  # RATELIMIT_PARALLEL: lookups at once before the client is slowed
ATTACKER, REPORTER, NEWCOMER = "127.0.0.1", "127.0.0.2", "127.0.0.3"
SLOWEST_DELAY = 1.0  # the smallest slow-down: an answer faster than this was not parked


def status(hl, receipt, source, lang="en"):
    t = time.monotonic()
    r = hl.post_form("/status", {"receipt": receipt, "lang": lang}, source_address=(source, 0),
                     timeout=60)
    return r, time.monotonic() - t


def most_slowed_answers(elapsed):
    """How many slowed answers the documented slow-down gives in `elapsed`
    seconds: one at a time, after 1, 2, 4, 4, ... s."""
    n, t, d = 0, 0.0, 1
    while t + d <= elapsed:
        t += d
        n += 1
        d = min(d * 2, MAX_DELAY)
    return n


def check_busy_page(r):
    """A 429 is a readable page in the client's language (kk) that says
    when to try again, and the same in Retry-After."""
    assert r.status == 429
    after = r.headers.get("Retry-After")
    assert after and after.isdigit() and 1 <= int(after) <= MAX_DELAY, f"Retry-After {after!r}"
    assert html_lang(r.body) == "kk", page_excerpt(r.body)
    text = element_text(r.body, "error-busy")
    assert text and "қосылымыңыздан" in text, page_excerpt(r.body)
    assert re.search(rf"\b{after} с\b", text), f"the page does not say {after} s: {text!r}"
    assert by_id(r.body, "status") is not None, "no lookup form on the 429 page"


def test_thousand_wrong_lookups_slowed_down(make_hotline):
    hl = make_hotline(lookup_free_failures=FREE, lookup_max_delay=MAX_DELAY, request_timeout=10)
    rec = submit(hl)

    total, conns = 1000, 50
    lock = threading.Lock()
    sent = [0]
    answers = []  # (status, seconds, Resp or None)
    flooding = threading.Event()
    flooding.set()
    barrier = threading.Barrier(conns + 2)  # the attackers, the reporter, us

    def attacker():
        barrier.wait()
        while True:
            with lock:
                if sent[0] >= total:
                    return
                sent[0] += 1
                i = sent[0]
            # unknown receipts, and every fifth a typo: both count as wrong
            guess = typo(random_receipt()) if i % 5 == 0 else random_receipt()
            r, dt = status(hl, guess, ATTACKER, lang="kk")
            with lock:
                answers.append((r.status, dt, r))

    reporter = []  # the right receipt from another address, during the flood

    def honest():
        barrier.wait()
        while flooding.is_set():
            reporter.append(status(hl, rec.receipt, REPORTER))
            time.sleep(0.2)

    threads = [threading.Thread(target=attacker) for _ in range(conns)]
    threads.append(threading.Thread(target=honest))
    for t in threads:
        t.start()
    barrier.wait()
    t0 = time.monotonic()
    for t in threads[:-1]:
        t.join(300)
    elapsed = time.monotonic() - t0
    flooding.clear()
    threads[-1].join(60)

    assert len(answers) == total
    codes = {}
    for st, _, _ in answers:
        codes[st] = codes.get(st, 0) + 1
    assert set(codes) <= {400, 404, 429}, f"answers {codes}"
    wrong = codes.get(400, 0) + codes.get(404, 0)
    busy = [(dt, r) for st, dt, r in answers if st == 429]
    slowed = sum(1 for st, _, r in answers if st != 429 and has_id(r.body, "slowed"))
    print(f"{total} wrong lookups over {conns} connections in {elapsed:.1f} s: {codes}, "
          f"{slowed} slowed; reporter's lookups meanwhile: {len(reporter)}, slowest "
          f"{max((dt for _, dt in reporter), default=0):.2f} s")
    # not slowed yet: the free ones, and those already in progress when the
    # last free one failed (at most PARALLEL at once)
    at_once = wrong - slowed
    assert FREE <= at_once <= FREE - 1 + PARALLEL, (
        f"{at_once} wrong answers without delay ({FREE} free, at most {PARALLEL} at once)")
    limit = most_slowed_answers(elapsed) + 1  # +1: one may be under way at the end
    assert slowed <= limit, (
        f"{slowed} slowed wrong answers in {elapsed:.1f} s; the slow-down allows at most "
        f"{limit} (one at a time, after 1, 2, 4, {MAX_DELAY}... s): {codes}")
    assert slowed <= elapsed + 1, "more than one slowed wrong answer a second"
    assert len(busy) == total - wrong
    # refused at once, not parked: a parked lookup takes at least 1 s
    busy_times = sorted(dt for dt, _ in busy)
    quick = sum(1 for dt in busy_times if dt < SLOWEST_DELAY)
    assert quick >= 0.99 * len(busy), (
        f"only {quick} of {len(busy)} refusals came in under {SLOWEST_DELAY} s: "
        f"median {busy_times[len(busy_times) // 2]:.2f} s, max {busy_times[-1]:.2f} s")
    for _, r in busy[:: max(1, len(busy) // 20)]:
        check_busy_page(r)

    # the reporter's right receipt, from another address, all along
    assert len(reporter) >= 3, f"only {len(reporter)} lookups of the reporter during the flood"
    for r, dt in reporter:
        assert r.status == 200 and element_text(r.body, "reg-no") == rec.reg_no, \
            f"the reporter got {r.status}: {page_excerpt(r.body)}"
        assert not has_id(r.body, "slowed")
        assert dt < SLOWEST_DELAY, f"the reporter waited {dt:.2f} s during the flood"

    # 50 at once from the slowed client: ONE is let through after the
    # delay, the 49 others are refused before it is answered
    burst = []
    start = threading.Barrier(conns)

    def one():
        start.wait()
        r, dt = status(hl, random_receipt(), ATTACKER, lang="kk")
        with lock:
            burst.append((r.status, dt, r))

    ts = [threading.Thread(target=one) for _ in range(conns)]
    for t in ts:
        t.start()
    for t in ts:
        t.join(120)
    let = [(dt, r) for st, dt, r in burst if st != 429]
    refused = [(dt, r) for st, dt, r in burst if st == 429]
    assert len(let) == 1 and len(refused) == conns - 1, \
        f"{len(let)} let through, {len(refused)} refused: {[st for st, _, _ in burst]}"
    assert let[0][1].status == 404 and has_id(let[0][1].body, "slowed")
    # it is failure number wrong + 1: after failure n > FREE the answer waits
    # 2^(n - FREE - 1) s, at most MAX_DELAY (a flood that ended quickly has
    # not reached the cap yet)
    due = min(2 ** (wrong - FREE), MAX_DELAY)
    assert let[0][0] >= due - 0.05, \
        f"the one let through waited only {let[0][0]:.2f} s, not {due} s (after {wrong} failures)"
    assert max(dt for dt, _ in refused) < let[0][0], "a refusal waited for the slowed lookup"
    for _, r in refused[:5]:
        check_busy_page(r)

    # afterwards the daemon serves normally
    assert hl.get("/healthz").status == 200
    t = time.monotonic()
    fresh = expect_receipt(hl.post_form("/report", report_fields(),
                                        source_address=(NEWCOMER, 0)))
    assert time.monotonic() - t < 5
    r, dt = status(hl, fresh.receipt, NEWCOMER)
    assert r.status == 200 and element_text(r.body, "reg-no") == fresh.reg_no
    assert dt < SLOWEST_DELAY and not has_id(r.body, "slowed")
    # and the slowed client still gets its right receipt, only later
    r, dt = status(hl, rec.receipt, ATTACKER)
    assert r.status == 200 and element_text(r.body, "reg-no") == rec.reg_no
    assert has_id(r.body, "slowed") and MAX_DELAY - 0.05 <= dt < MAX_DELAY + 3
    assert hl.alive() and not hl.crash_lines()
