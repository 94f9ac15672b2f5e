"""Floods cannot lock staff out of the login (docs/staff.md, "Failed
logins"; docs/config.md, "Client addresses behind a reverse proxy").

The slow-down of failed logins delays answers and never refuses a right
password and code: twenty bad logins from one address (as from behind a
proxy every client shares the proxy's) cost the person at most the 30-second
slow-down, from the same address and from another. Behind a listed proxy,
the client is the right-most X-Forwarded-For address that is no listed
proxy, so staff behind one proxy are told apart and a client's own header
changes nothing; from an unlisted peer the header is ignored. The public
receipt lookups count clients the same way."""
import threading
import time

from helpers import random_receipt, submit
from staff_fixture import SESSION_COOKIE, STAFF_PASSWORD, StaffClient, fresh_totp

MAX_DELAY = 30  # THROTTLE_MAX_DELAY (staff/throttle.h)
FLOOD = 20


def try_login(hl, login, password=STAFF_PASSWORD, code="", source=None, xff=None):
    """One login from its own browser (its own pre-login cookie); returns
    (StaffClient, response, seconds)."""
    c = StaffClient(hl, source=source)
    c.kw["timeout"] = MAX_DELAY + 60
    token = c.login_form()
    fields = [("csrf", token), ("login", login), ("password", password), ("code", code)]
    t0 = time.monotonic()
    r = c.post("/staff/login", fields, csrf=False,
               headers={"X-Forwarded-For": xff} if xff else None)
    return c, r, time.monotonic() - t0


def failed_logins(hl, login):
    return hl.query("SELECT failed_logins FROM hotline.staff_users WHERE login = %s",
                    (login,))[0][0]


def flood(hl, login, source):
    """FLOOD wrong passwords for login from source, all at once. Returns the
    threads (their answers are held by the slow-down) and the answers list;
    returns once the daemon has counted every failure."""
    before = failed_logins(hl, login)
    answers = []

    def one(i):
        _, r, dt = try_login(hl, login, f"wrong password {i}", code="123456", source=source)
        answers.append((r.status, dt))

    threads = [threading.Thread(target=one, args=(i,)) for i in range(FLOOD)]
    for t in threads:
        t.start()
    deadline = time.monotonic() + 60
    while failed_logins(hl, login) < before + FLOOD:
        assert time.monotonic() < deadline, "the flood was not counted"
        time.sleep(0.2)
    return threads, answers


def test_twenty_bad_logins_do_not_lock_out_the_right_one(staff_hotline):
    hl = staff_hotline
    attacker, elsewhere = "127.0.6.1", "127.0.6.2"
    # two accounts with a second factor, flooded from the same address
    t1, a1 = flood(hl, "director", attacker)
    t2, a2 = flood(hl, "custodian", attacker)
    results = {}

    def right(login, source):
        results[login] = try_login(hl, login, code=fresh_totp(hl.dbname, login), source=source)

    # the right password and code: from the flooding address itself, and
    # from another one, while both accounts and the address are slowed down
    same = threading.Thread(target=right, args=("director", attacker))
    other = threading.Thread(target=right, args=("custodian", elsewhere))
    same.start()
    other.start()
    same.join()
    other.join()
    for t in t1 + t2:
        t.join()
    for login in ("director", "custodian"):
        c, r, dt = results[login]
        assert r.status == 303 and SESSION_COOKIE in c.cookies, (login, r.status, r.body[:300])
        # answered no sooner than the slow-down allowed, and no later
        assert 5.0 <= dt <= MAX_DELAY + 10, (login, dt)
        assert c.get("/staff/").status == 200
    # the guesses were slowed down: answered one after another as the delay
    # grew, up to its cap
    for answers in (a1, a2):
        assert [s for s, _ in answers] == [401] * FLOOD, answers
        assert max(dt for _, dt in answers) >= 16.0, answers
    rows = hl.query("SELECT login, failed_logins FROM hotline.staff_users "
                    "WHERE login IN ('director', 'custodian') ORDER BY login")
    assert rows == [("custodian", 0), ("director", 0)], rows


def test_a_wrong_try_during_the_slow_down_is_still_slowed(staff_hotline):
    """Checking every try does not speed a guesser up: a wrong password
    sent while the account is slowed down waits as long as before."""
    hl = staff_hotline
    for i in range(6):  # the 6th failure earns 4 s
        try_login(hl, "analyst", f"wrong {i} password", source="127.0.7.1")
    _, r, dt = try_login(hl, "analyst", "wrong again password", source="127.0.7.2")
    assert r.status == 401 and dt >= 2.0, dt


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
