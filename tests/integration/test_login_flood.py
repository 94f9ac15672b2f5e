"""Floods cannot lock staff out of a browser they logged in from, and give
a guesser no more checked guesses than one connection would (docs/staff.md,
"Failed logins"; docs/config.md, "Client addresses behind a reverse proxy").

A successful login sets a device cookie. A try with a valid device cookie
for the login it names is checked in full even while the account and the
address are slowed down; any other try is refused unchecked during a
slow-down, so twenty parallel wrong passwords are not twenty checked
guesses. Behind a listed proxy, the client is the right-most
X-Forwarded-For address that is no listed proxy, so staff behind one proxy
are told apart and a client's own header changes nothing; from an unlisted
peer the header is ignored. The public receipt lookups count clients the
same way."""
import threading
import time

from helpers import random_receipt, submit
from staff_fixture import SESSION_COOKIE, STAFF_PASSWORD, StaffClient, audit_rows

MAX_DELAY = 30  # THROTTLE_MAX_DELAY (accounts/throttle.h)
FLOOD = 20
DEVICE_COOKIE = "hotline_device"  # STAFF_DEVICE_COOKIE (staff/internal.h)
DEVICE_LIFETIME = 180 * 24 * 60 * 60  # DEVCOOKIE_LIFETIME (crypto/devcookie.h)


def prepared(hl, source=None, device=None):
    """A browser of its own (its own pre-login cookie, and the device
    cookie given, if any) with the login form open; returns (client, token)."""
    c = StaffClient(hl, source=source)
    c.kw["timeout"] = MAX_DELAY + 60
    if device:
        c.cookies[DEVICE_COOKIE] = device
    return c, c.login_form()


def send(c, token, login, password=STAFF_PASSWORD, code="", xff=None):
    fields = [("csrf", token), ("login", login), ("password", password), ("code", code)]
    t0 = time.monotonic()
    r = c.post("/staff/login", fields, csrf=False,
               headers={"X-Forwarded-For": xff} if xff else None)
    return r, time.monotonic() - t0


def try_login(hl, login, password=STAFF_PASSWORD, code="", source=None, xff=None, device=None):
    """One login from its own browser; returns (StaffClient, response, seconds)."""
    c, token = prepared(hl, source, device)
    r, dt = send(c, token, login, password, code, xff)
    return c, r, dt


def failures_audited(hl, login):
    return sum(1 for a in audit_rows(hl) if a["action"] == "login.failed" and a["login"] == login)


def device_cookie_of(hl, login, source):
    """Logs login in once from source; returns its device cookie."""
    c, r, _ = try_login(hl, login, source=source)
    assert r.status == 303 and SESSION_COOKIE in c.cookies, (login, r.status, r.body[:300])
    sets = [h for h in r.headers.get_all("Set-Cookie") if h.startswith(DEVICE_COOKIE + "=")]
    assert len(sets) == 1, r.headers.get_all("Set-Cookie")
    attrs = [a.strip().lower() for a in sets[0].split(";")[1:]]
    assert "httponly" in attrs and "samesite=strict" in attrs and "path=/staff" in attrs, attrs
    assert f"max-age={DEVICE_LIFETIME}" in attrs, attrs
    return c.cookies[DEVICE_COOKIE]


def parallel(jobs):
    """Runs the callables at once (a barrier before each sends); returns
    their results in order."""
    results = [None] * len(jobs)
    barrier = threading.Barrier(len(jobs))

    def run(i, job):
        results[i] = job(barrier)

    threads = [threading.Thread(target=run, args=(i, j)) for i, j in enumerate(jobs)]
    for t in threads:
        t.start()
    return threads, results


def wrong_try(c, token, login, i):
    def job(barrier):
        barrier.wait()
        return send(c, token, login, f"wrong password {i}")
    return job


def test_a_flood_does_not_lock_a_known_device_out(staff_hotline):
    hl = staff_hotline
    attacker, elsewhere, earlier = "127.0.6.1", "127.0.6.2", "127.0.6.3"
    # the person logged in from this browser before: it holds a device
    # cookie; so does another member of staff, for their own account
    device = device_cookie_of(hl, "analyst", attacker)
    others = device_cookie_of(hl, "operator", elsewhere)
    # five failures one after the other (answered after 0, 0, 0, 1, 2 s):
    # the next failure of the account earns 4 s
    for i in range(5):
        _, r, _ = try_login(hl, "analyst", f"early wrong {i}", source=earlier)
        assert r.status == 401
    before = failures_audited(hl, "analyst")
    assert before == 5

    # twenty wrong passwords at once, from the person's own address,
    # without a cookie
    forms = [prepared(hl, attacker) for _ in range(FLOOD)]
    threads, answers = parallel([wrong_try(c, tok, "analyst", i)
                                 for i, (c, tok) in enumerate(forms)])
    deadline = time.monotonic() + 30
    while failures_audited(hl, "analyst") == before:
        assert time.monotonic() < deadline, "the flood was not looked at"
        time.sleep(0.05)

    # while the account and the address are slowed down: the right
    # password from the person's browser (device cookie) logs in at once;
    # without it, or with another account's cookie, or with an altered
    # one, it is refused unchecked (a new device can be kept out while
    # the flood lasts: docs/staff.md "Failed logins")
    altered = device[:-2] + ("A" if device[-2] != "A" else "B") + device[-1]
    tries = [prepared(hl, attacker, device), prepared(hl, attacker), prepared(hl, elsewhere),
             prepared(hl, attacker, others), prepared(hl, attacker, altered)]

    def right(c, token):
        def job(barrier):
            barrier.wait()
            return send(c, token, "analyst")
        return job

    rthreads, rights = parallel([right(c, tok) for c, tok in tries])
    for t in rthreads + threads:
        t.join()
    (r, dt) = rights[0]
    c = tries[0][0]
    assert r.status == 303 and SESSION_COOKIE in c.cookies, (r.status, r.body[:300])
    assert dt < 3.0, dt  # not held by the flood's slow-down
    assert c.get("/staff/").status == 200
    assert c.cookies[DEVICE_COOKIE] != device  # a new cookie for the next time
    for name, (r, dt) in zip(("no cookie", "no cookie, elsewhere", "another's cookie",
                              "altered cookie"), rights[1:]):
        assert r.status == 401, (name, r.status)
    # the guesses: all refused, and most not even looked at
    assert [s.status for s, _ in answers] == [401] * FLOOD, answers
    checked = failures_audited(hl, "analyst") - before
    assert 1 <= checked < 5, checked


def slow_down(hl, login, source, n=6):
    """n failures of login one after the other, then one more sent in the
    background: returns once the daemon has looked at it, while its
    slow-down (8 s after the 7th failure) runs. Returns its thread."""
    for i in range(n):
        _, r, _ = try_login(hl, login, f"wrong {i} password", source=source)
        assert r.status == 401
    before = failures_audited(hl, login)
    t = threading.Thread(target=lambda: try_login(hl, login, "wrong again password",
                                                  source=source))
    t.start()
    deadline = time.monotonic() + 30
    while failures_audited(hl, login) == before:
        assert time.monotonic() < deadline, "the failure was not looked at"
        time.sleep(0.05)
    return t


def test_parallel_untrusted_tries_are_refused_unchecked(staff_hotline):
    """Parallel connections give a guesser no more checked guesses: during
    a slow-down the tries sent without a device cookie are not looked at,
    and the right password among them is refused."""
    hl = staff_hotline
    forms = [prepared(hl, "127.0.7.2") for _ in range(FLOOD)]
    right = prepared(hl, "127.0.7.3")
    seventh = slow_down(hl, "registrar", "127.0.7.1")
    before = failures_audited(hl, "registrar")
    jobs = [wrong_try(c, tok, "registrar", i) for i, (c, tok) in enumerate(forms)]

    def right_job(barrier):
        barrier.wait()
        return send(right[0], right[1], "registrar")

    threads, answers = parallel(jobs + [right_job])
    for t in threads + [seventh]:
        t.join()
    assert all(r.status == 401 for r, _ in answers), [r.status for r, _ in answers]
    assert SESSION_COOKIE not in right[0].cookies
    # none of the twenty-one was looked at
    assert failures_audited(hl, "registrar") == before


def test_a_stolen_device_cookie_wears_out(staff_hotline):
    """Failures with a device cookie count on that cookie only: after five
    it gives no trust (the browser's next successful login gives it a new
    one), while another
    device cookie of the same account keeps its own."""
    hl = staff_hotline
    stolen = device_cookie_of(hl, "analyst", "127.0.8.1")
    own = device_cookie_of(hl, "analyst", "127.0.8.5")
    for i in range(5):
        _, r, _ = try_login(hl, "analyst", f"guess {i} password", source="127.0.8.2",
                            device=stolen)
        assert r.status == 401
    seventh = slow_down(hl, "analyst", "127.0.8.3")
    worn, mine = prepared(hl, "127.0.8.2", stolen), prepared(hl, "127.0.8.5", own)
    # (own first: worn is answered only when the slow-down is over)
    r2, dt2 = send(*mine, "analyst")
    r1, _ = send(*worn, "analyst")
    seventh.join()
    assert r1.status == 401 and SESSION_COOKIE not in worn[0].cookies, r1.status
    assert r2.status == 303 and SESSION_COOKIE in mine[0].cookies and dt2 < 3.0, (r2.status, dt2)


def test_forwarded_for_from_a_listed_proxy(make_staff_hotline):
    hl = make_staff_hotline(trusted_proxies="127.0.0.1")
    # client X behind the proxy (peer 127.0.0.1) fails six times, each with
    # another unknown login (so only the client's count grows) and another
    # address of its own choosing left of the proxy's entry
    times = []
    for i in range(6):
        _, r, dt = try_login(hl, f"ghost-x-{i}", "wrong password x",
                             xff=f"10.9.9.{i}, 198.51.100.7")
        assert r.status == 401
        times.append(dt)
    # the sixth failure of X earned 4 s: the spoofed part did not make X
    # a new client each time
    assert times[5] >= 3.0, times
    # client Y behind the same proxy is not slowed down by X
    _, r, dt = try_login(hl, "ghost-y", "wrong password y", xff="198.51.100.8")
    assert r.status == 401 and dt < 2.5, dt
    # and logs in at once
    c, r, dt = try_login(hl, "operator", xff="198.51.100.8")
    assert r.status == 303 and SESSION_COOKIE in c.cookies and dt < 2.5, (r.status, dt)

    # from a peer that is not a listed proxy the header is ignored: six
    # failures with six different X-Forwarded-For are one client
    times = []
    for i in range(6):
        _, r, dt = try_login(hl, f"ghost-z-{i}", "wrong password z", source="127.0.0.2",
                             xff=f"203.0.113.{i}")
        assert r.status == 401
        times.append(dt)
    assert times[5] >= 3.0, times


def test_forwarded_for_without_listed_proxies_is_ignored(make_staff_hotline):
    hl = make_staff_hotline()
    times = []
    for i in range(6):
        _, r, dt = try_login(hl, f"ghost-w-{i}", "wrong password w", xff=f"198.51.100.{i}")
        assert r.status == 401
        times.append(dt)
    assert times[5] >= 3.0, times


def lookup(hl, xff=None, source=None):
    t0 = time.monotonic()
    kw = {"timeout": 60}
    if source:
        kw["source_address"] = (source, 0)
    r = hl.post_form("/status", {"receipt": random_receipt(), "lang": "en"},
                     headers={"X-Forwarded-For": xff} if xff else None, **kw)
    return r, time.monotonic() - t0


def test_receipt_lookups_count_the_forwarded_client(make_hotline):
    hl = make_hotline(trusted_proxies="127.0.0.1", lookup_free_failures=1, lookup_max_delay=4)
    submit(hl)
    # X, behind the proxy, with a spoofed part of its own: 1 free, then 1 s,
    # 2 s; the fourth wrong lookup waits 4 s
    times = [lookup(hl, xff=f"10.8.8.{i}, 198.51.100.20")[1] for i in range(4)]
    assert times[3] >= 3.5, times
    # Y behind the same proxy: answered at once
    r, dt = lookup(hl, xff="198.51.100.21")
    assert r.status != 429 and dt < 2.0, (r.status, dt)
    # an unlisted peer's header is ignored: one client
    times = [lookup(hl, source="127.0.0.3", xff=f"203.0.113.{i}")[1] for i in range(4)]
    assert times[3] >= 3.5, times
