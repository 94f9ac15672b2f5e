"""A flood of appeals is announced within seconds, a page at a time
(workflow/scanner.c, ANNOUNCE_PAGE): the scanner does not wait a whole
scan interval between full pages, and no scan takes them all at once."""
import re
import time
from concurrent.futures import ThreadPoolExecutor

from helpers import expect_receipt, report_fields

FLOOD = 1200
PAGE = 500


def unannounced(hl):
    return hl.query("SELECT count(*) FROM hotline.deadlines WHERE kind = 'triage' "
                    "AND NOT announced")[0][0]


def test_a_flood_is_announced_page_by_page_within_seconds(make_hotline):
    # A scan interval of ten minutes: only the scan at start (after one
    # second) and the follow-ups of full pages can announce anything here.
    first = make_hotline(deadline_scan_interval=600)
    time.sleep(2)  # its first scan has run, on an empty journal

    def one(i):
        return expect_receipt(first.post_form("/report", report_fields(what=f"flood {i}"),
                                              timeout=60))

    with ThreadPoolExecutor(8) as pool:
        list(pool.map(one, range(FLOOD)))
    first.stop()
    assert unannounced(first) == FLOOD

    second = make_hotline(deadline_scan_interval=600)
    deadline = time.monotonic() + 30
    while unannounced(second) and time.monotonic() < deadline:
        time.sleep(0.5)
    assert unannounced(second) == 0, "a flood waited for the next scan interval"
    pages = [int(n) for n in
             re.findall(r"deadline scan: (\d+) registrations announced", second.log())]
    assert max(pages) <= PAGE, pages
    assert sum(pages) == FLOOD and len([n for n in pages if n]) >= 3, pages
