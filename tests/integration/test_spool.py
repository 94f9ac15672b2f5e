"""The upload spool and the memory cap (issue 14; docs/http.md "Limits",
docs/keys.md "The upload spool").

Files of a form body go, as they arrive, to unnamed files (O_TMPFILE) in
spool_dir, encrypted under a key of their request alone: while an upload is
held, its spool file is read through /proc/PID/fd and must not hold the
marker it carries; nothing in the spool has a name; it is gone after a
receipt, a refusal, a client that hangs up mid-upload, and a SIGKILL and
restart. spool_max_bytes and upload_memory_bytes refuse with a 503 page in
the reporter's language, and nothing is registered."""
import hashlib
import os
import re
import socket
import stat
import threading
import time

import pytest

from helpers import File, element_text, expect_receipt, has_id, multipart, report_fields
from test_report import find_key

# The refusal page's text in each language (po/*.po, M_ERR_BUSY).
BUSY = {
    "en": "The server is receiving many reports at this moment",
    "ru": "Сервер в данный момент принимает много сообщений",
    "kk": "Сервер дәл қазір көп хабарлама қабылдап жатыр",
}


def spool_fds(hl):
    """(fd, path) of the daemon's open spool files."""
    fd_dir = f"/proc/{hl.pid}/fd"
    out = []
    for fd in os.listdir(fd_dir):
        try:
            target = os.readlink(os.path.join(fd_dir, fd))
        except OSError:
            continue
        if target.startswith(str(hl.spool_dir) + "/"):
            out.append((fd, target))
    return out


def assert_spool_empty(hl, timeout=5):
    deadline = time.monotonic() + timeout
    while spool_fds(hl) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert spool_fds(hl) == [], "a spool file is still open"
    assert os.listdir(hl.spool_dir) == [], "the spool directory holds a named file"


def case_count(hl):
    return hl.query("SELECT count(*) FROM hotline.cases")[0][0]


class HeldUpload:
    """A report whose file is sent in part, the connection kept open."""

    def __init__(self, hl, payload, lang="en"):
        body, self.ctype = multipart(report_fields(lang=lang),
                                     [File("held.bin", payload + b"<rest>")])
        cut = body.index(payload) + len(payload)
        self.head, self.rest = body[:cut], body[cut:]
        self.sock = socket.create_connection(("127.0.0.1", hl.port), timeout=10)
        self.sock.sendall((f"POST /report HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                           f"Content-Type: {self.ctype}\r\nContent-Length: {len(body)}\r\n"
                           f"Connection: close\r\n\r\n").encode() + self.head)

    def finish(self):
        self.sock.sendall(self.rest)
        data = b""
        while True:
            chunk = self.sock.recv(65536)
            if not chunk:
                break
            data += chunk
        self.sock.close()
        return data

    def hang_up(self):
        self.sock.close()


def receipt_page(hl, answer):
    """A raw answer to a report is 303 to /receipt with the receipt page's
    cookie (docs/http.md "The receipt page"): that page's body."""
    m = re.search(rb"Set-Cookie: (receipt_page=[0-9a-f]+)", answer)
    assert m, answer[:300]
    page = hl.get("/receipt", headers={"Cookie": m.group(1).decode("ascii")})
    assert page.status == 200, page.body[:300]
    return page.body


def wait_spool_file(hl, min_bytes):
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        for fd, _ in spool_fds(hl):
            path = f"/proc/{hl.pid}/fd/{fd}"
            try:
                if os.stat(path).st_size >= min_bytes:
                    return path
            except OSError:
                pass
        time.sleep(0.05)
    pytest.fail("no spool file grew while the upload was held")


def test_report_with_file_leaves_spool_empty(hotline, case_show):
    data = os.urandom(300 * 1024)
    r = hotline.post_multipart("/report", report_fields(), [File("a.bin", data)])
    rec = expect_receipt(r)
    assert_spool_empty(hotline)
    st = os.stat(hotline.spool_dir)
    assert stat.S_IMODE(st.st_mode) == 0o700
    # read back from the spool and stored under the case key byte for byte
    case, p = case_show(hotline, rec.reg_no, custodian=False)
    atts = find_key(case, "attachments")
    assert [a.get("sha256") for a in atts] == [hashlib.sha256(data).hexdigest()], p.stdout
    assert atts[0].get("size") == len(data)


def test_held_upload_is_encrypted_unnamed_and_gone_after_hang_up(hotline):
    marker = b"SPOOL-MARKER-" + os.urandom(6).hex().encode()
    payload = marker * (120 * 1024 // len(marker))
    up = HeldUpload(hotline, payload)
    try:
        path = wait_spool_file(hotline, 64 * 1024)
        st = os.stat(path)
        assert stat.S_IMODE(st.st_mode) == 0o600
        with open(path, "rb") as f:
            content = f.read()
        assert len(content) >= 64 * 1024
        assert marker not in content, "the spool holds the file in clear"
        assert marker[:8] not in content
        assert os.listdir(hotline.spool_dir) == [], "a spool file has a name"
    finally:
        up.hang_up()
    assert_spool_empty(hotline)
    assert case_count(hotline) == 0


def test_held_upload_then_finished_registers(hotline, case_show):
    payload = os.urandom(100 * 1024)
    up = HeldUpload(hotline, payload)
    wait_spool_file(hotline, 64 * 1024)
    answer = up.finish()
    assert b" 303 " in answer.split(b"\r\n", 1)[0], answer[:300]
    assert has_id(receipt_page(hotline, answer), "receipt")
    assert_spool_empty(hotline)
    assert case_count(hotline) == 1


def test_refused_upload_leaves_spool_empty(hotline):
    too_big = os.urandom(hotline.limit("max_file_bytes") + 1024)
    r = hotline.post_multipart("/report", report_fields(), [File("big.bin", too_big)])
    assert r.status == 413
    assert_spool_empty(hotline)
    assert case_count(hotline) == 0


def test_crash_leaves_nothing_named_and_restart_clears(hotline):
    payload = os.urandom(100 * 1024)
    up = HeldUpload(hotline, payload)
    wait_spool_file(hotline, 64 * 1024)
    hotline.kill()
    up.hang_up()
    assert os.listdir(hotline.spool_dir) == [], "a crash left a named spool file"
    # a named file (an older build, a hand) is removed at start
    (hotline.spool_dir / "left.bin").write_bytes(b"x" * 100)
    hotline.start()
    assert os.listdir(hotline.spool_dir) == []
    assert "removed 1 file(s) left in the spool directory" in hotline.log()
    r = hotline.post_multipart("/report", report_fields(), [File("a.bin", b"after restart")])
    expect_receipt(r)
    assert_spool_empty(hotline)


@pytest.mark.parametrize("lang", ["kk", "ru", "en"])
def test_spool_cap_refuses_clearly(make_hotline, lang):
    hl = make_hotline(spool_max_bytes="64K")
    r = hl.post_multipart(f"/report?lang={lang}", report_fields(lang=lang),
                          [File("big.bin", os.urandom(200 * 1024))])
    assert r.status == 503
    assert r.headers.get("Retry-After")
    assert BUSY[lang] in element_text(r.body, "error-overloaded")
    assert case_count(hl) == 0
    assert_spool_empty(hl)
    # a small file still fits
    expect_receipt(hl.post_multipart("/report", report_fields(), [File("s.txt", b"small")]))


def test_memory_cap_refuses_a_second_upload_and_loses_nothing(make_hotline, case_show):
    # one body's buffers (128 KiB) fit, two do not
    hl = make_hotline(upload_memory_bytes="200K")
    payload = os.urandom(100 * 1024)
    first = HeldUpload(hl, payload)
    wait_spool_file(hl, 64 * 1024)
    r = hl.post_multipart("/report?lang=ru", report_fields(lang="ru"),
                          [File("second.bin", b"second")])
    assert r.status == 503
    assert BUSY["ru"] in element_text(r.body, "error-overloaded")
    assert case_count(hl) == 0
    # the held one was not disturbed: it completes and registers
    answer = first.finish()
    assert has_id(receipt_page(hl, answer), "receipt"), answer[:300]
    assert case_count(hl) == 1
    assert_spool_empty(hl)
    # and once it is done, the next goes through
    expect_receipt(hl.post_multipart("/report", report_fields(), [File("third.bin", b"3")]))
    assert case_count(hl) == 2


def test_registration_waits_for_the_cap_and_registers(make_hotline, case_show):
    # one registration of a 100 KiB file needs about 270 KiB (the
    # ciphertext and libpq's copy), a request's buffers 128 KiB while its
    # body arrives and 80 KiB after: under 560 KiB the second body is taken
    # while the first registration runs, but its registration waits until
    # the first is done (held here by a lock on the cases)
    hl = make_hotline(upload_memory_bytes="560K")
    files = [os.urandom(100 * 1024), os.urandom(100 * 1024)]
    lock = hl.db()
    cur = lock.cursor()
    cur.execute("BEGIN")
    cur.execute("LOCK TABLE hotline.cases IN EXCLUSIVE MODE")
    answers = [None, None]

    def send(i):
        answers[i] = hl.post_multipart("/report", report_fields(), [File(f"{i}.bin", files[i])])

    first = threading.Thread(target=send, args=(0,))
    first.start()
    deadline = time.monotonic() + 5
    while "waits for room" not in hl.log() and time.monotonic() < deadline:
        if hl.query("SELECT count(*) FROM pg_locks WHERE NOT granted")[0][0] > 0:
            break
        time.sleep(0.05)
    second = threading.Thread(target=send, args=(1,))
    second.start()
    deadline = time.monotonic() + 4
    while "waits for room under upload_memory_bytes" not in hl.log():
        assert time.monotonic() < deadline, "the second registration did not wait"
        time.sleep(0.05)
    cur.execute("COMMIT")
    lock.close()
    first.join()
    second.join()
    regs = [expect_receipt(a).reg_no for a in answers]
    for reg_no, data in zip(regs, files):
        case, p = case_show(hl, reg_no, custodian=False)
        atts = find_key(case, "attachments")
        assert [a.get("sha256") for a in atts] == [hashlib.sha256(data).hexdigest()], p.stdout
    assert_spool_empty(hl)


def test_staff_bodies_count_against_the_memory_cap(make_hotline):
    # a staff body is read before any session is checked and its files are
    # held whole: an anonymous upload to /staff/ must not escape the cap
    hl = make_hotline(upload_memory_bytes="300K")
    body, ctype = multipart({"channel": "written"}, [File("x.bin", os.urandom(400 * 1024))])
    r = hl.request("POST", "/staff/register", body, {"Content-Type": ctype})
    assert r.status == 503, r.status
    assert r.headers.get("Retry-After")
    assert "try again" in r.body
    # a small staff body still goes through (the login page answers it)
    r = hl.request("POST", "/staff/login", b"login=x&password=y",
                   {"Content-Type": "application/x-www-form-urlencoded"})
    assert r.status != 503, r.status


def test_staff_upload_goes_to_the_spool_and_decrypts(staff_hotline, case_show):
    from test_registrar import appeal_fields, registrar
    hotline = staff_hotline
    # held: the registrar form's file is on the spool, encrypted
    marker = b"STAFF-SPOOL-" + os.urandom(6).hex().encode()
    payload = marker * (120 * 1024 // len(marker))
    body, ctype = multipart(appeal_fields(channel="written", received_on="2026-01-05"),
                            [File("scan.bin", payload + b"<rest>")])
    cut = body.index(payload) + len(payload)
    sock = socket.create_connection(("127.0.0.1", hotline.port), timeout=10)
    sock.sendall((f"POST /staff/register HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                  f"Content-Type: {ctype}\r\nContent-Length: {len(body)}\r\n"
                  f"Connection: close\r\n\r\n").encode() + body[:cut])
    try:
        path = wait_spool_file(hotline, 64 * 1024)
        with open(path, "rb") as f:
            assert marker not in f.read()
        assert os.listdir(hotline.spool_dir) == []
    finally:
        sock.close()
    assert_spool_empty(hotline)
    # registered by the registrar: read back and stored byte for byte
    data = os.urandom(200 * 1024)
    c = registrar(hotline)
    r = c.post("/staff/register", appeal_fields(channel="written", received_on="2026-01-05"),
               files=[File("scan.bin", data, "application/octet-stream")])
    assert r.status == 200
    reg_no = element_text(r.body, "reg-no")
    case, p = case_show(hotline, reg_no, custodian=False)
    atts = find_key(case, "attachments")
    assert [a.get("sha256") for a in atts] == [hashlib.sha256(data).hexdigest()], p.stdout
    assert_spool_empty(hotline)


def test_staff_worker_renews_its_connection_after_big_files(make_staff_hotline, case_show):
    # over 1 MiB of files: the worker drops its connection after the job
    # (libpq keeps its output buffer at the largest message it sent) and
    # the next page connects afresh; one worker, so its backend is known
    from test_registrar import appeal_fields, registrar
    hl = make_staff_hotline(staff_workers=1)

    def backends():
        return {pid for (pid,) in hl.query(
            "SELECT pid FROM pg_stat_activity WHERE datname = current_database() "
            "AND pid <> pg_backend_pid() AND backend_type = 'client backend'")}

    c = registrar(hl)
    small = c.post("/staff/register", appeal_fields(channel="written", received_on="2026-01-05"),
                   files=[File("small.bin", b"small")])
    assert small.status == 200
    before = backends()
    files = [os.urandom(400 * 1024) for _ in range(3)]
    r = c.post("/staff/register", appeal_fields(channel="written", received_on="2026-01-05"),
               files=[File(f"{i}.bin", d) for i, d in enumerate(files)])
    assert r.status == 200
    reg_no = element_text(r.body, "reg-no")
    assert c.get("/staff/register").status == 200
    after = backends()
    assert before - after, "the worker kept its connection after 1.2 MB of files"
    case, p = case_show(hl, reg_no, custodian=False)
    got = sorted(a.get("sha256") for a in find_key(case, "attachments"))
    assert got == sorted(hashlib.sha256(d).hexdigest() for d in files), p.stdout
    assert_spool_empty(hl)
