"""Process life of hotlined: config check (-n), refusing an unmigrated
database, SIGHUP reload (good and bad), SIGTERM/SIGINT."""
import os
import re
import signal
import socket
import subprocess
import time
import http.client
import urllib.parse

from conftest import HOTLINED, MIGRATIONS, hotlinectl, render_config
from helpers import (File, element_text, expect_receipt, has_id, multipart, page_excerpt,
                     marker, report_fields, send_and_close, submit)


def check_config(path):
    return subprocess.run([str(HOTLINED), "-c", str(path), "-n"], capture_output=True, text=True,
                          timeout=30)


def files(n):
    return [File(f"f{i}.txt", f"file {i}".encode(), "text/plain") for i in range(n)]


def test_config_check(make_hotline):
    hl = make_hotline(start=False)
    p = check_config(hl.config_path)
    assert p.returncode == 0, f"good config refused:\n{p.stdout}{p.stderr}"

    lines = render_config(hl.config).splitlines()
    bad_cases = [
        # (insert at index / replace the line of a key, the new line, a word the reason names)
        ("insert", 4, "no_such_key = 1", "no_such_key"),
        ("insert", 2, "max_batch = many", "max_batch"),
        ("insert", 3, "this line has no equals sign", None),
        ("insert", 1, 'public_url = "unterminated', "public_url"),
        ("replace", "default_language", "default_language = de", "default_language"),
        ("replace", "max_body_bytes", "max_body_bytes = 10", "max_body_bytes"),
        ("replace", "lookup_max_delay", "lookup_max_delay = 0", "lookup_max_delay"),
        ("replace", "max_files", "max_files = -1", "max_files"),
    ]
    for kind, where, new, word in bad_cases:
        ls = list(lines)
        if kind == "insert":
            ls.insert(where, new)
            lineno = where + 1
        else:
            i = next(i for i, l in enumerate(ls) if l.startswith(where + " "))
            ls[i] = new
            lineno = i + 1
        hl.write_config("\n".join(ls) + "\n")
        p = check_config(hl.config_path)
        out = p.stdout + p.stderr
        assert p.returncode == 1, f"bad config {new!r} accepted (exit {p.returncode}): {out}"
        assert f"{hl.config_path}:{lineno}" in out, f"no FILE:LINE for {new!r}: {out}"
        if word:
            assert word in out, out

    # A missing required key and a key file that is not there.
    ls = [l for l in lines if not l.startswith("database ")]
    hl.write_config("\n".join(ls) + "\n")
    p = check_config(hl.config_path)
    assert p.returncode == 1 and "database" in p.stdout + p.stderr
    hl.write_config("\n".join(l if not l.startswith("case_public_key ") else
                              f"case_public_key = {hl.workdir}/missing.pub" for l in lines) + "\n")
    p = check_config(hl.config_path)
    assert p.returncode == 1, "a missing key file passed the check"
    assert "missing.pub" in p.stdout + p.stderr or "case_public_key" in p.stdout + p.stderr
    hl.write_config("\n".join(l if not l.startswith("receipt_pepper_file ") else
                              f"receipt_pepper_file = {hl.config_path}" for l in lines) + "\n")
    p = check_config(hl.config_path)
    assert p.returncode == 1, "a config file given as pepper passed the check"
    p = check_config(hl.workdir / "no-such.conf")
    assert p.returncode == 1 and "no-such.conf" in p.stdout + p.stderr


def test_config_errors_never_quote_the_conninfo(make_hotline):
    """The conninfo may hold a password: no config error, check or log
    line may show it."""
    secret = "pw" + marker("")
    hl = make_hotline(start=False, log_level="debug")
    conninfo = hl.config["database"] + f" password={secret}"
    hl.config["database"] = conninfo
    good = render_config(hl.config)
    for bad in (good + f'database = "{conninfo}"\n',                 # duplicate key
                good.replace("database = ", "database = \"", 1),      # unterminated quote
                good + "max_files = lots\n"):
        hl.write_config(bad)
        p = check_config(hl.config_path)
        assert p.returncode == 1
        assert secret not in p.stdout + p.stderr, f"the password shown: {p.stdout}{p.stderr}"
    # A database that is not there: whatever the daemon does, no password.
    hl.config["database"] = conninfo.replace(f"dbname={hl.dbname}", "dbname=no_such_db")
    hl.write_config()
    hl.start(wait=False)
    if hl.wait_exit(3) is None:
        hl.stop()
    assert secret not in hl.log(), "the password is in the log"
    # And a good start with it, at debug level.
    hl2 = make_hotline(log_level="debug", database=conninfo)
    submit(hl2)
    assert hl2.stop() == 0
    assert secret not in hl2.log(), "the password is in the log"


def refused_start(hl):
    hl.start(wait=False)
    rc = hl.wait_exit(15)
    if rc is None:
        raise AssertionError("hotlined started against a database it must refuse; log:\n" + hl.log())
    return rc


def test_refuses_unmigrated_database(make_hotline, pg):
    pg.createdb("empty_db")
    try:
        hl = make_hotline(start=False, dbname="empty_db")
        rc = refused_start(hl)
        assert rc == 1, f"exit {rc}; log:\n{hl.log()}"
        assert "hotlinectl migrate" in hl.log(), hl.log()
    finally:
        pg.dropdb("empty_db")


def test_refuses_newer_schema(make_hotline):
    hl = make_hotline(start=False)
    hl.query("INSERT INTO hotline.schema_migrations (version, name) VALUES (9999, 'from the future')")
    rc = refused_start(hl)
    assert rc == 1, f"started on a schema with an unknown migration; exit {rc}; log:\n{hl.log()}"


def test_migrate_refuses_a_database_with_a_gap(make_hotline):
    """A database that got a later migration before an earlier one (a
    development database migrated between landings) is named, not silently
    left without the earlier file."""
    hl = make_hotline(start=False)
    versions = [v for (v,) in hl.query("SELECT version FROM hotline.schema_migrations ORDER BY 1")]
    assert len(versions) >= 3 and versions == list(range(1, len(versions) + 1))
    gap = versions[-2]
    hl.query("DELETE FROM hotline.schema_migrations WHERE version = %s", (gap,))
    p = hotlinectl("migrate", "--database", hl.admin_conninfo, "--dir", MIGRATIONS)
    assert p.returncode == 1, p.stdout + p.stderr
    name = next(f for f in os.listdir(MIGRATIONS) if f.startswith(f"{gap:04d}_"))
    assert f"{name} was never applied" in p.stderr, p.stderr
    assert "nothing was applied" in p.stderr
    assert "applied " not in p.stdout
    left = [v for (v,) in hl.query("SELECT version FROM hotline.schema_migrations ORDER BY 1")]
    assert left == [v for v in versions if v != gap]
    # hotlined does not start on it either, and says what to run
    assert refused_start(hl) == 1, hl.log()
    assert "lacks an earlier migration" in hl.log() and "hotlinectl migrate" in hl.log(), hl.log()
    # and with nothing missing it is content again
    hl.query("INSERT INTO hotline.schema_migrations (version, name) VALUES (%s, %s)", (gap, name))
    p = hotlinectl("migrate", "--database", hl.admin_conninfo, "--dir", MIGRATIONS)
    assert p.returncode == 0 and "schema is current" in p.stdout, p.stdout + p.stderr


def wait_for(pred, timeout=5.0, step=0.1):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        v = pred()
        if v:
            return v
        time.sleep(step)
    return pred()


def test_sighup_reload(hotline):
    pid = hotline.pid
    r = hotline.post_multipart("/report", report_fields(), files(4))
    assert r.status == 413, f"4 files with max_files=3: {r.status}"

    # A good reload: max_files 3 -> 5 takes effect without a restart.
    hotline.config["max_files"] = "5"
    hotline.write_config()
    log_before = len(hotline.log())
    hotline.send_signal(signal.SIGHUP)
    ok = wait_for(lambda: hotline.post_multipart("/report", report_fields(), files(4)).status == 303)
    assert ok, f"max_files=5 not in force after SIGHUP; log:\n{hotline.log()[log_before:]}"
    limits = element_text(hotline.get("/").body, "limits") or ""
    assert re.search(r"\b5\b", limits), f"the form still shows the old limits: {limits!r}"
    assert hotline.pid == pid and hotline.alive()

    # A broken file: the old config stays, the daemon says so and serves on.
    hotline.write_config(render_config(hotline.config) + "max_files = seven\nnonsense\n")
    log_before = len(hotline.log())
    hotline.send_signal(signal.SIGHUP)
    assert wait_for(lambda: len(hotline.log()) > log_before), "nothing logged about the bad reload"
    time.sleep(0.2)
    said = hotline.log()[log_before:]
    assert str(hotline.config_path) in said, f"the log does not name the bad file: {said!r}"
    assert hotline.alive() and hotline.pid == pid
    assert hotline.get("/healthz").status == 200
    expect_receipt(hotline.post_multipart("/report", report_fields(), files(4)))
    r = hotline.post_multipart("/report", report_fields(), files(6))
    assert r.status == 413, "old max_files=5 no longer in force after a bad reload"

    # A FIXED key changed: kept, and logged.
    hotline.config["max_files"] = "2"
    hotline.config["db_connections"] = "7"
    hotline.write_config()
    log_before = len(hotline.log())
    hotline.send_signal(signal.SIGHUP)
    assert wait_for(lambda: hotline.post_multipart("/report", report_fields(),
                                                   files(3)).status == 413)
    said = hotline.log()[log_before:]
    assert "db_connections" in said, f"change of a FIXED key not logged: {said!r}"
    assert hotline.alive() and hotline.pid == pid


def test_sigterm_exits_zero(hotline):
    submit(hotline)
    assert hotline.stop(signal.SIGTERM, timeout=10) == 0, hotline.log()
    assert hotline.crash_lines() == []
    try:
        r = hotline.get("/healthz", timeout=2)
        raise AssertionError(f"still answering after exit: {r.status}")
    except OSError:
        pass


def test_sigint_exits_zero(hotline):
    submit(hotline)
    assert hotline.stop(signal.SIGINT, timeout=10) == 0, hotline.log()


def test_sigterm_finishes_request_in_flight(hotline):
    """A report whose body is still arriving when SIGTERM comes is answered
    (with a receipt), then the daemon exits 0."""
    body, ctype = multipart(report_fields())
    u = urllib.parse.urlsplit(hotline.url)
    s = socket.create_connection((u.hostname, u.port), timeout=15)
    try:
        s.sendall((f"POST /report HTTP/1.1\r\nHost: x\r\nContent-Type: {ctype}\r\n"
                   f"Content-Length: {len(body)}\r\nConnection: close\r\n\r\n").encode())
        s.sendall(body[:100])
        time.sleep(0.3)
        hotline.send_signal(signal.SIGTERM)
        time.sleep(0.3)
        s.sendall(body[100:])
        resp = http.client.HTTPResponse(s, method="POST")
        resp.begin()
        data = resp.read().decode()
    finally:
        s.close()
    # the receipt page itself, not a redirect: no daemon would answer its GET
    assert resp.status == 200, f"request in flight not finished: {resp.status} {page_excerpt(data)}"
    assert has_id(data, "receipt")
    assert not has_id(data, "save-file"), "a file link no daemon will serve"
    assert hotline.stop(timeout=10) == 0
    assert hotline.query("SELECT count(*) FROM hotline.cases")[0][0] == 1


def test_sigterm_with_stalled_uploads(hotline):
    """Uploads that stall (one client still connected, one gone) do not
    hold the exit beyond request_timeout."""
    u = urllib.parse.urlsplit(hotline.url)
    head = (b"POST /report HTTP/1.1\r\nHost: x\r\nContent-Type: application/x-www-form-urlencoded"
            b"\r\nContent-Length: 1000\r\n\r\nwhat=abc")
    send_and_close(hotline.url, head)
    with socket.create_connection((u.hostname, u.port), timeout=30) as s:
        s.sendall(head)
        time.sleep(0.3)
        rc = hotline.stop(timeout=20)
    limit = hotline.limit("request_timeout")
    assert rc == 0
    assert hotline.stop_seconds <= limit + 1, (
        f"exit took {hotline.stop_seconds:.1f} s after SIGTERM, request_timeout is {limit} s")


def test_slow_client_does_not_block_others(hotline):
    u = urllib.parse.urlsplit(hotline.url)
    with socket.create_connection((u.hostname, u.port), timeout=5) as s:
        s.sendall(b"POST /report HTTP/1.1\r\nHost: x\r\nContent-Type: "
                  b"application/x-www-form-urlencoded\r\nContent-Length: 100000\r\n\r\nwhat=")
        time.sleep(0.2)
        t0 = time.monotonic()
        submit(hotline)
        assert hotline.get("/healthz").status == 200
        assert time.monotonic() - t0 < 2, "one slow upload held up another report"
