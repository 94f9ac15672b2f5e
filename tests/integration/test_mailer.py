"""The outbox sender (base/mailer.c) against a real SMTP server
(smtp_sink.py, aiosmtpd) and a real PostgreSQL: what arrives, retries while
the server is away, exactly once across restarts and SIGKILL, STARTTLS and
AUTH. Rows are inserted as the postgres superuser, as the workflow's
transactions will."""
import email.utils
import signal
import socket
import subprocess
import time
from collections import Counter

from conftest import HOTLINED
from smtp_fixture import (SINK_USER, message_id_of, outbox_insert, outbox_rows, wait_until)

FROM = "notices@hotline.example.kz"


def sent_ids(hl):
    return {i for i, (_, sent, _) in outbox_rows(hl).items() if sent}


def wait_all_sent(hl, ids, timeout=20):
    return wait_until(lambda: set(ids) <= sent_ids(hl), timeout, f"rows {sorted(ids)} sent")


def wait_all_failed(hl, ids, timeout=20, attempts=1):
    """Every row in ids has at least `attempts` failed attempts noted."""
    def done():
        rows = outbox_rows(hl)
        return all(rows[i][0] >= attempts and rows[i][2] for i in ids) and rows
    return wait_until(done, timeout, f"failures noted for rows {sorted(ids)}")


def by_message_id(msgs):
    return Counter(m.message_id for m in msgs)


def assert_exactly_once(hl, sink, ids):
    counts = by_message_id(sink.messages())
    expected = {message_id_of(hl, i) for i in ids}
    missing = expected - set(counts)
    twice = {k: n for k, n in counts.items() if n > 1}
    assert not missing, f"never arrived: {sorted(missing)}"
    assert not twice, f"arrived more than once: {twice}"
    assert set(counts) == expected, f"unexpected messages: {set(counts) - expected}"


def test_message_format(make_hotline, smtp_sink):
    sink = smtp_sink()
    hl = make_hotline(**sink.hotline_config(mail_from=FROM, log_level="debug"))
    subject_kk = "Жаңа өтініш 2026-000042: директордың шешімі керек / Новое обращение " * 2
    body = ("Сәлеметсіз бе!\nОбращение 2026-000042 ждёт решения.\r\n"
            "Line with CRLF\r\nlone CR\rend\n\n.\n.. dots stay\nlast line without newline")
    plain_id = outbox_insert(hl, "director@example.kz", "Plain ASCII subject", "Hello.\n")
    utf_id = outbox_insert(hl, "deputy.director+hotline@mail.example.kz", subject_kk, body)
    msgs = sink.wait_for_messages(2)
    wait_all_sent(hl, [plain_id, utf_id])
    by_id = {m.message_id: m for m in msgs}
    assert set(by_id) == {message_id_of(hl, plain_id), message_id_of(hl, utf_id)}
    assert message_id_of(hl, utf_id) == f"<hotline-outbox-{utf_id}@hotline.example.kz>"

    plain = by_id[message_id_of(hl, plain_id)]
    assert plain.header("Subject") == "Plain ASCII subject"
    assert plain.raw_header("Subject") == "Plain ASCII subject"
    assert plain.header("To") == "director@example.kz"
    assert plain.text == "Hello.\r\n"

    m = by_id[message_id_of(hl, utf_id)]
    # Envelope and headers.
    assert m.meta["mail_from"] == FROM
    assert m.meta["rcpt_tos"] == ["deputy.director+hotline@mail.example.kz"]
    assert m.header("From") == FROM
    assert m.header("To") == "deputy.director+hotline@mail.example.kz"
    assert m.header("Subject") == subject_kk
    raw_subject = m.raw_header("Subject")
    assert raw_subject.startswith("=?UTF-8?B?"), raw_subject
    assert m.header("Auto-Submitted") == "auto-generated"
    assert m.header("MIME-Version") == "1.0"
    assert m.raw_header("Content-Type") == "text/plain; charset=utf-8"
    assert m.raw_header("Content-Transfer-Encoding") == "base64"
    # Date: RFC 5322, the row's creation time.
    created = hl.query("SELECT extract(epoch FROM created_at) FROM hotline.outbox WHERE id = %s",
                       (utf_id,))[0][0]
    date = email.utils.parsedate_to_datetime(m.raw_header("Date"))
    assert abs(date.timestamp() - float(created)) < 1.5, (m.raw_header("Date"), created)
    # Exactly one of each header libesmtp might also add.
    for name in ("Date", "From", "Message-ID", "To", "Subject"):
        assert len(m.msg.get_all(name)) == 1, f"{name}: {m.msg.get_all(name)}"
    # Body: the text with CRLF line ends, base64.
    expected = body.replace("\r\n", "\n").replace("\r", "\n").replace("\n", "\r\n")
    assert m.text == expected
    assert m.body_base64 == expected.encode()
    # Every line ends in CRLF, none longer than 78 + CRLF.
    assert b"\n" not in m.raw.replace(b"\r\n", b"")
    assert b"\r" not in m.raw.replace(b"\r\n", b"")
    assert max(len(line) for line in m.raw.split(b"\r\n")) <= 78

    rows = outbox_rows(hl)
    assert rows[utf_id] == (0, True, None) and rows[plain_id] == (0, True, None)
    # The log names ids and codes, never addresses, subjects or bodies.
    log = hl.log()
    assert f"outbox {utf_id} sent" in log
    for secret in ("director@example.kz", "deputy.director", "2026-000042", "Plain ASCII",
                   "Hello.", "Сәлеметсіз", "Жаңа"):
        assert secret not in log, f"{secret!r} in the daemon log"


def test_server_down_then_back(make_hotline, smtp_sink):
    sink = smtp_sink()
    hl = make_hotline(**sink.hotline_config())
    before = [outbox_insert(hl, f"a{i}@example.kz", f"before {i}", f"body {i}") for i in range(3)]
    sink.wait_for_messages(3)
    wait_all_sent(hl, before)

    sink.stop()
    during = [outbox_insert(hl, f"b{i}@example.kz", f"during {i}", f"body {i}")
              for i in range(25)]  # more than one batch of 20
    # Failures are noted on the rows; nothing is marked sent.
    wait_all_failed(hl, during[:20])
    rows = outbox_rows(hl)
    assert not any(rows[i][1] for i in during), "marked sent while the server was down"
    errors = {rows[i][2] for i in during if rows[i][2]}
    assert errors and all(len(e) < 128 for e in errors), errors
    assert not any("@" in e for e in errors), errors
    # It keeps trying (retry_max is 2 s): attempts grow.
    wait_all_failed(hl, during[:1], attempts=2, timeout=15)
    assert len(sink.messages()) == 3

    sink.start()
    wait_all_sent(hl, during, timeout=30)
    sink.wait_for_messages(3 + 25)
    # Give a duplicate the time to show up: retry_max and a poll.
    time.sleep(2.5)
    assert_exactly_once(hl, sink, before + during)
    assert "unavailable" in hl.log()


def test_sigkill_between_commit_and_send(make_hotline, smtp_sink):
    sink = smtp_sink(start=False)
    first = make_hotline(**sink.hotline_config())
    ids = [outbox_insert(first, f"c{i}@example.kz", f"pending {i}", "body") for i in range(3)]
    wait_all_failed(first, ids)  # the sender has seen them and could not send
    first.proc.kill()
    assert first.wait_exit(10) == -signal.SIGKILL
    # Committed before the daemon died, never sent.
    extra = outbox_insert(first, "late@example.kz", "inserted while no daemon runs", "body")
    assert not sent_ids(first)

    sink.start()
    second = make_hotline(**sink.hotline_config())
    wait_all_sent(second, ids + [extra])
    sink.wait_for_messages(4)
    time.sleep(2.5)
    assert_exactly_once(second, sink, ids + [extra])


def test_sigkill_during_session_releases_the_rows(make_hotline, smtp_sink):
    """A daemon killed while it holds claimed rows (its SMTP server does
    not answer): the rows are free for the next one, and go once."""
    hang = socket.socket()
    hang.bind(("127.0.0.1", 0))
    hang.listen(8)  # the kernel accepts; nobody ever says hello
    try:
        first = make_hotline(smtp_server="127.0.0.1", smtp_port=hang.getsockname()[1],
                             smtp_timeout=60)
        row = outbox_insert(first, "d@example.kz", "claimed", "body")
        # The claim holds a row lock: the row is locked while the session waits.
        wait_until(lambda: first.query(
            "SELECT count(*) FROM hotline.outbox WHERE id = %s AND id NOT IN "
            "(SELECT id FROM hotline.outbox FOR UPDATE SKIP LOCKED)", (row,))[0][0] == 1,
            timeout=10, what="row claimed by the first daemon")
        first.proc.kill()
        assert first.wait_exit(10) == -signal.SIGKILL
    finally:
        hang.close()
    sink = smtp_sink()
    second = make_hotline(**sink.hotline_config())
    wait_all_sent(second, [row])
    time.sleep(1)
    assert_exactly_once(second, sink, [row])
    assert outbox_rows(second)[row][0] == 0  # the killed attempt left no trace


def test_starttls_required_with_auth(make_hotline, smtp_sink):
    sink = smtp_sink(tls=True, require_tls=True, user=SINK_USER)
    # A long timeout: a session that stalls (libesmtp and TLS 1.3 tickets,
    # see tls_new() in base/mailer.c) shows as a late message.
    hl = make_hotline(**sink.hotline_config(smtp_starttls="required", smtp_timeout=30))
    # Sessions one after another in one process: libesmtp's second STARTTLS
    # session crashes unless we hand it our own SSL_CTX.
    first = outbox_insert(hl, "e1@example.kz", "first", "one")
    sink.wait_for_messages(1, timeout=5)
    second = outbox_insert(hl, "e2@example.kz", "second", "two")
    sink.wait_for_messages(2, timeout=5)
    more = [outbox_insert(hl, f"e{i}@example.kz", f"more {i}", "x") for i in range(3, 9)]
    msgs = sink.wait_for_messages(8, timeout=8)
    wait_all_sent(hl, [first, second] + more)
    for m in msgs:
        assert m.meta["tls"] is True, m.meta
        assert m.meta["auth_login"] == SINK_USER, m.meta
    assert_exactly_once(hl, sink, [first, second] + more)
    assert hl.alive()


def test_wrong_password_then_fixed_by_reload(make_hotline, smtp_sink, workdir):
    sink = smtp_sink(tls=True, require_tls=True, user=SINK_USER)
    wrong = workdir / "smtp-password"
    wrong.write_text("not the password\n")
    hl = make_hotline(**sink.hotline_config(smtp_starttls="required",
                                            smtp_password_file=str(wrong)))
    row = outbox_insert(hl, "f@example.kz", "auth", "body")
    rows = wait_all_failed(hl, [row])
    attempts, sent, error = rows[row]
    assert not sent and attempts >= 1
    assert error.startswith("AUTH 535"), error
    assert sink.messages() == []
    assert "not the password" not in hl.log()

    wrong.write_text(sink.password + "\n")
    hl.send_signal(signal.SIGHUP)  # the file is read per session; a reload retries at once
    wait_all_sent(hl, [row])
    msgs = sink.wait_for_messages(1)
    assert msgs[0].meta["auth_login"] == SINK_USER


def test_required_tls_refuses_an_untrusted_certificate(make_hotline, smtp_sink):
    sink = smtp_sink(tls=True)
    hl = make_hotline(**sink.hotline_config(smtp_starttls="required", smtp_ca_file=None))
    row = outbox_insert(hl, "g@example.kz", "untrusted", "body")
    rows = wait_all_failed(hl, [row])
    assert rows[row][2].startswith("TLS certificate not trusted"), rows[row]
    assert sink.messages() == []


def test_required_tls_refuses_a_certificate_for_another_name(make_hotline, smtp_sink):
    sink = smtp_sink(tls=True, cert_name="other.example.kz")  # trusted, wrong name
    hl = make_hotline(**sink.hotline_config(smtp_starttls="required"))
    row = outbox_insert(hl, "g2@example.kz", "wrong name", "body")
    rows = wait_all_failed(hl, [row])
    assert rows[row][2] == "TLS certificate does not name smtp_server", rows[row]
    assert sink.messages() == []


def test_try_tls_takes_any_certificate(make_hotline, smtp_sink):
    sink = smtp_sink(tls=True)
    hl = make_hotline(**sink.hotline_config(smtp_starttls="try", smtp_ca_file=None))
    row = outbox_insert(hl, "h@example.kz", "opportunistic", "body")
    msgs = sink.wait_for_messages(1)
    assert msgs[0].meta["tls"] is True
    wait_all_sent(hl, [row])


def test_required_tls_without_starttls_offered(make_hotline, smtp_sink):
    sink = smtp_sink()  # no TLS at all
    hl = make_hotline(**sink.hotline_config(smtp_starttls="required"))
    row = outbox_insert(hl, "i@example.kz", "no tls", "body")
    rows = wait_all_failed(hl, [row])
    assert rows[row][2] == "STARTTLS required but not offered", rows[row]
    assert sink.messages() == []


def test_bad_recipient_is_not_sent(make_hotline, smtp_sink):
    sink = smtp_sink()
    hl = make_hotline(**sink.hotline_config())
    bad = outbox_insert(hl, "x@example.kz\r\nBcc: spy@example.kz", "injected", "body")
    good = outbox_insert(hl, "ok@example.kz", "fine", "body")
    wait_all_sent(hl, [good])
    rows = wait_all_failed(hl, [bad])
    assert rows[bad][2] == "recipient is not a usable address"
    assert not rows[bad][1]
    msgs = sink.wait_for_messages(1)
    time.sleep(0.5)
    assert [m.meta["rcpt_tos"] for m in sink.messages()] == [["ok@example.kz"]]
    assert "spy" not in msgs[0].raw.decode()


def test_two_daemons_never_send_a_row_twice(make_hotline, smtp_sink):
    sink = smtp_sink()
    a = make_hotline(**sink.hotline_config())
    make_hotline(**sink.hotline_config())
    ids = [r[0] for r in a.query(
        "INSERT INTO hotline.outbox (kind, recipient, subject, body) "
        "SELECT 'test', 'n' || g || '@example.kz', 'bulk ' || g, 'body' "
        "FROM generate_series(1, 60) g RETURNING id")]
    wait_all_sent(a, ids, timeout=30)
    sink.wait_for_messages(60)
    time.sleep(1)
    assert_exactly_once(a, sink, ids)


def test_rows_locked_by_another_sender_are_skipped(make_hotline, smtp_sink):
    """What a second daemon sees while the first holds its claim: the test
    holds the row locks itself (taken before hotlined starts), so the
    outcome does not depend on timing."""
    sink = smtp_sink()
    hl = make_hotline(start=False, **sink.hotline_config())
    held = [outbox_insert(hl, f"m{i}@example.kz", "s", "b") for i in range(5)]
    conn = hl.db()
    try:
        conn.autocommit = False
        with conn.cursor() as cur:  # the other sender's claim
            cur.execute("SELECT id FROM hotline.outbox WHERE id = ANY(%s) FOR UPDATE", (held,))
            hl.start()
            free = [outbox_insert(hl, f"f{i}@example.kz", "s", "b") for i in range(3)]
            wait_all_sent(hl, free)
            time.sleep(1)
            assert not sent_ids(hl) & set(held), "sent a row another sender holds"
            rows = outbox_rows(hl)
            assert all(rows[i] == (0, False, None) for i in held), rows
        conn.commit()
    finally:
        conn.close()
    wait_all_sent(hl, held)
    sink.wait_for_messages(8)
    time.sleep(0.5)
    assert_exactly_once(hl, sink, held + free)


def test_stop_is_prompt_while_the_server_does_not_answer(make_hotline):
    """SIGTERM while the sender waits for an SMTP greeting that never comes
    (the session ends at smtp_timeout), and while a connect() hangs (the
    stop interrupts it)."""
    hang = socket.socket()
    hang.bind(("127.0.0.1", 0))
    hang.listen(8)
    try:
        hl = make_hotline(smtp_server="127.0.0.1", smtp_port=hang.getsockname()[1],
                          smtp_timeout=2)
        row = outbox_insert(hl, "j@example.kz", "waits", "body")
        time.sleep(0.7)  # the session is waiting for the greeting
        assert hl.stop() == 0
        # At most two smtp_timeouts: the wait for the greeting, then QUIT.
        assert hl.stop_seconds < 5, f"stop took {hl.stop_seconds:.1f} s"
        assert not outbox_rows(hl)[row][1]
    finally:
        hang.close()


def test_stop_interrupts_a_hanging_connect(make_hotline):
    # A listener whose accept queue is full drops further SYNs: connect()
    # hangs as it would towards a host behind a dropping firewall.
    full = socket.socket()
    full.bind(("127.0.0.1", 0))
    full.listen(0)
    port = full.getsockname()[1]
    fillers = []
    try:
        for _ in range(3):
            s = socket.socket()
            s.settimeout(0.3)
            try:
                s.connect(("127.0.0.1", port))
            except OSError:
                pass
            fillers.append(s)
        hl = make_hotline(smtp_server="127.0.0.1", smtp_port=port, smtp_timeout=60)
        outbox_insert(hl, "k@example.kz", "waits", "body")
        time.sleep(1)  # the connect() is hanging
        assert hl.stop() == 0
        assert hl.stop_seconds < 3, f"stop took {hl.stop_seconds:.1f} s"
    finally:
        for s in fillers:
            s.close()
        full.close()


def test_database_down_and_back(make_hotline, smtp_sink, own_cluster):
    sink = smtp_sink()
    hl = make_hotline(cluster=own_cluster, dbname="hotline", **sink.hotline_config())
    first = outbox_insert(hl, "l1@example.kz", "before", "body")
    sink.wait_for_messages(1)
    wait_all_sent(hl, [first])

    own_cluster.stop("immediate")
    wait_until(lambda: "mailer: database connection dropped" in hl.log(), 10,
               "the sender noticed")
    time.sleep(1.5)  # a reconnect attempt or two fail
    own_cluster.start()
    second = outbox_insert(hl, "l2@example.kz", "after", "body")
    wait_all_sent(hl, [second], timeout=20)
    sink.wait_for_messages(2)
    assert_exactly_once(hl, sink, [first, second])
    assert hl.alive()


def test_password_file_checked_at_start_and_reload(make_hotline, smtp_sink, workdir):
    sink = smtp_sink(tls=True, require_tls=True, user=SINK_USER)
    missing = workdir / "no-such-password"
    hl = make_hotline(start=False, **sink.hotline_config(smtp_password_file=str(missing)))
    p = subprocess.run([str(HOTLINED), "-c", str(hl.config_path), "-n"], capture_output=True,
                       text=True, timeout=30)
    assert p.returncode == 1
    assert f"smtp_password_file {missing}: No such file or directory" in p.stderr, p.stderr

    hl.config["smtp_password_file"] = str(sink.password_file)
    hl.write_config()
    hl.start()
    hl.config["smtp_password_file"] = str(missing)
    hl.write_config()
    hl.send_signal(signal.SIGHUP)
    wait_until(lambda: "reload refused" in hl.log(), 10, "reload refused")
    assert "smtp_password_file" in hl.log() and sink.password not in hl.log()
    # Still the old, working settings.
    row = outbox_insert(hl, "p@example.kz", "after a refused reload", "body")
    wait_all_sent(hl, [row])


def test_sealed_row_that_cannot_be_opened_waits_and_says_why(make_hotline, smtp_sink, workdir):
    """A row sealed under another outbox key (or with none configured) is
    not sent, never half-sent in clear, and its last_error says why; plain
    rows still go (migration 0004, docs/mail-intake.md)."""
    sink = smtp_sink()
    hl = make_hotline(**sink.hotline_config(mail_from=FROM,
                                            outbox_key_file=str(workdir / "outbox.key")))
    assert len((workdir / "outbox.key").read_text().strip()) == 64
    bad = hl.query("INSERT INTO hotline.outbox (kind, recipient, subject, body, sealed) "
                   "VALUES ('mail_ack', '', '', '', %s) RETURNING id",
                   (bytes(range(100)),))[0][0]
    plain = outbox_insert(hl, "director@example.kz", "Plain", "Hello.\n")
    wait_all_sent(hl, [plain])
    rows = wait_all_failed(hl, [bad])
    assert "outbox_key_file" in rows[bad][2]
    assert not rows[bad][1]
    assert [m.message_id for m in sink.messages()] == [message_id_of(hl, plain)]
