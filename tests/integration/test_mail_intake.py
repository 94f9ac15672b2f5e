"""The e-mail channel (docs/mail-intake.md): swaks delivers over LMTP as
the MTA would; each mail is checked in the database (registered, sealed,
nothing in clear) or refused with the expected code."""
import base64
import hashlib
import re
import secrets
import subprocess
import time
from email.message import EmailMessage

from conftest import free_port
from helpers import pg_dump

HOTLINE = "hotline@org.example.kz"


def marker(tag):
    return f"{tag}{secrets.token_hex(6)}"


def lmtp_hotline(make_hotline, **overrides):
    """A hotlined with the LMTP intake on; acknowledgments are off unless
    the test asks for them (they need an SMTP sink)."""
    port = free_port()
    overrides.setdefault("mail_acknowledge", "no")
    hl = make_hotline(lmtp_listen=f"127.0.0.1:{port}", **overrides)
    hl.lmtp_port = port
    return hl


def swaks(hl, *args, sender="reporter@mail.example.kz", data=None, timeout=60):
    """Delivers one mail; returns (code, text) of the reply to DATA (or of
    the first refusal), and swaks' whole output."""
    cmd = ["swaks", "--protocol", "LMTP", "--server", "127.0.0.1", "--port", str(hl.lmtp_port),
           "--to", HOTLINE, "--from", sender, "--timeout", str(timeout)]
    if data is not None:
        path = hl.workdir / f"mail-{secrets.token_hex(4)}.eml"
        path.write_bytes(data)
        cmd += ["--data", "@" + str(path)]
    cmd += list(args)
    p = subprocess.run(cmd, capture_output=True, timeout=timeout + 10)
    out = p.stdout.decode("utf-8", "replace") + p.stderr.decode("utf-8", "replace")
    replies = re.findall(r"^<[-*~]{1,2}\s+(\d{3})[ -](.*)$", out, re.M)
    after_dot = out.split("\n -> .\n", 1)
    if len(after_dot) == 2:
        m = re.search(r"^<[-*~]{1,2}\s+(\d{3}) (.*)$", after_dot[1], re.M)
        if m:
            return int(m.group(1)), m.group(2), out
    bad = [r for r in replies if not r[0].startswith(("2", "3"))]
    if bad:
        return int(bad[0][0]), bad[0][1], out
    raise AssertionError(f"no reply to DATA in swaks output:\n{out}")


def reg_no_of(text):
    m = re.search(r"\b(\d{4}-\d{6})\b", text)
    assert m, f"no registration number in {text!r}"
    return m.group(1)


def assert_nowhere_in_clear(hl, *texts):
    dump = pg_dump(hl)
    log = hl.log_bytes()
    for t in texts:
        b = t.encode("utf-8")
        for form in (b, b.hex().encode()):
            assert form not in dump, f"{t!r} in clear in the database"
            assert form not in log, f"{t!r} in the daemon's log"


def count_cases(hl):
    return hl.query("SELECT count(*) FROM hotline.cases")[0][0]


def test_plain_mail_registered_sealed(make_hotline, case_show):
    hl = lmtp_hotline(make_hotline)
    subject, body = marker("subj"), marker("body")
    sender = marker("from") + "@mail.example.kz"
    code, text, out = swaks(hl, "--header", f"Subject: {subject}",
                            "--header", 'From: "Secret Person" <' + sender + ">",
                            "--body", f"Director took a bribe {body}\nSecond line", sender=sender)
    assert code == 250, out
    reg = reg_no_of(text)
    row = hl.query("SELECT j.channel, c.category, c.director_involved, c.anonymous, c.language "
                   "FROM hotline.cases c JOIN hotline.journal j ON j.id = c.journal_id "
                   "WHERE j.reg_no = %s", (reg,))
    assert row == [("email", "other", "unknown", False, "en")]
    shown, _ = case_show(hl, reg)
    assert shown["content"]["subject"] == subject
    assert body in shown["content"]["text"] and "Second line" in shown["content"]["text"]
    ident = shown["identity"]
    assert ident["from"] == sender and ident["from_name"] == "Secret Person"
    assert ident["envelope_from"] == sender
    names = [h[0].lower() for h in ident["headers"]]
    assert "received" not in [k.lower() for k in shown["content"]]
    assert "message-id" in names
    assert_nowhere_in_clear(hl, subject, body, sender, "Secret Person")


def test_multipart_with_base64_attachment(make_hotline, case_show):
    hl = lmtp_hotline(make_hotline)
    payload = secrets.token_bytes(3000)
    f = hl.workdir / "evidence.bin"
    f.write_bytes(payload)
    code, text, out = swaks(hl, "--header", "Subject: with a file", "--body", "see the file",
                            "--attach-type", "application/octet-stream", "--attach", "@" + str(f))
    assert code == 250, out
    shown, _ = case_show(hl, reg_no_of(text))
    assert shown["content"]["text"].strip() == "see the file"
    files = shown["attachments"]
    assert len(files) == 1, files
    assert files[0]["bytes"] == len(payload)
    assert files[0]["sha256"] == hashlib.sha256(payload).hexdigest()
    assert shown["content"]["attachments"][0]["size"] == len(payload)


def test_rfc2231_name_html_only_and_2047_kazakh_subject(make_hotline, case_show):
    hl = lmtp_hotline(make_hotline)
    msg = EmailMessage()
    msg["From"] = "Әсем <asem@mail.example.kz>"
    msg["To"] = HOTLINE
    msg["Subject"] = "Директор пара алды, қағаздар қоса беріледі"
    msg.set_content("<html><body><p>Бірінші &amp; екінші</p><script>x()</script>"
                    "<p>Үшінші&nbsp;жол</p></body></html>", subtype="html")
    msg.add_attachment(b"%PDF-1.4 fake", maintype="application", subtype="pdf",
                       filename="шот-фактура №5.pdf")
    raw = msg.as_bytes()
    assert b"=?utf-8?" in raw.lower() and b"filename*" in raw
    code, text, out = swaks(hl, data=raw)
    assert code == 250, out
    reg = reg_no_of(text)
    shown, _ = case_show(hl, reg)
    c = shown["content"]
    assert c["subject"] == "Директор пара алды, қағаздар қоса беріледі"
    assert c["html"] is True
    assert "Бірінші & екінші" in c["text"] and "Үшінші жол" in c["text"]
    assert "<p>" not in c["text"] and "x()" not in c["text"]
    assert c["attachments"][0]["name"] == "шот-фактура №5.pdf"
    assert shown["identity"]["from_name"] == "Әсем"
    assert shown["language"] == "kk"


def test_russian_2047_subject_and_legacy_charsets(make_hotline, case_show):
    hl = lmtp_hotline(make_hotline)
    subj = "Взятка в отделе закупок"
    enc = "=?KOI8-R?B?" + base64.b64encode(subj.encode("koi8-r")).decode() + "?="
    for charset, text in (("koi8-r", "Начальник требует деньги, КОИ-8"),
                          ("iso-8859-5", "Заместитель берёт откаты, ISO")):
        raw = (f"From: a@mail.example.kz\r\nTo: {HOTLINE}\r\nSubject: {enc}\r\n"
               "MIME-Version: 1.0\r\n"
               f"Content-Type: text/plain; charset={charset}\r\n"
               "Content-Transfer-Encoding: 8bit\r\n\r\n").encode() + text.encode(charset) + b"\r\n"
        code, reply, out = swaks(hl, data=raw)
        assert code == 250, out
        shown, _ = case_show(hl, reg_no_of(reply))
        assert shown["content"]["subject"] == subj
        assert shown["content"]["text"].strip() == text
        assert shown["language"] == "ru"


def test_mail_over_the_limit_refused(make_hotline):
    hl = lmtp_hotline(make_hotline, max_mail_bytes="1M")
    big = hl.workdir / "big.txt"
    big.write_text(("x" * 76 + "\n") * (2 * 1024 * 1024 // 77))
    t0 = time.monotonic()
    code, text, out = swaks(hl, "--header", "Subject: big", "--body", "@" + str(big))
    assert code == 552, out
    assert "too big" in text.lower()
    assert time.monotonic() - t0 < 20
    assert count_cases(hl) == 0
    # the connection and the daemon still work
    code, text, out = swaks(hl, "--header", "Subject: small", "--body", "small")
    assert code == 250, out


def test_too_many_attachments_refused(make_hotline):
    hl = lmtp_hotline(make_hotline, max_mail_attachments="1")
    a, b = hl.workdir / "a.txt", hl.workdir / "b.txt"
    a.write_text("one")
    b.write_text("two")
    code, text, out = swaks(hl, "--body", "two files", "--attach", "@" + str(a),
                            "--attach", "@" + str(b))
    assert code == 552, out
    assert "attachments" in text.lower()
    assert count_cases(hl) == 0


def test_garbage_kept_as_unreadable_appeal(make_hotline, case_show):
    hl = lmtp_hotline(make_hotline)
    rnd = secrets.token_bytes(4000)
    garbage = bytes(b for b in rnd if b not in b"\r\n:.\x00") + b"\r\n"
    code, text, out = swaks(hl, data=garbage)
    assert code == 554, out
    assert "5.6.0" in text
    reg = reg_no_of(text)
    shown, _ = case_show(hl, reg)
    assert shown["channel"] == "email"
    assert shown["content"]["unreadable"] is True
    assert len(shown["attachments"]) == 1 and shown["attachments"][0]["bytes"] > 3000


def test_protocol_errors(make_hotline):
    hl = lmtp_hotline(make_hotline)
    import socket
    s = socket.create_connection(("127.0.0.1", hl.lmtp_port), timeout=5)
    f = s.makefile("rwb")

    def cmd(line):
        f.write(line.encode() + b"\r\n")
        f.flush()
        lines = []
        while True:
            r = f.readline().decode()
            lines.append(r)
            if r[3:4] != "-":
                return lines

    assert f.readline().startswith(b"220")
    assert cmd("MAIL FROM:<a@b.c>")[0].startswith("503")
    assert cmd("LHLO mta")[-1].startswith("250 SIZE")
    assert cmd("DATA")[0].startswith("503")
    assert cmd("MAIL FROM:<>")[0].startswith("250")
    assert cmd("RSET")[0].startswith("250")
    assert cmd("NOOP")[0].startswith("250")
    assert cmd("QUIT")[0].startswith("221")
    s.close()
    assert count_cases(hl) == 0


def test_database_down_gives_451_then_redelivery_registers_once(make_hotline, own_cluster):
    hl = lmtp_hotline(make_hotline, cluster=own_cluster, dbname="hotline")
    timeout = hl.limit("request_timeout")
    own_cluster.stop("immediate")
    subject = marker("down")
    t0 = time.monotonic()
    code, text, out = swaks(hl, "--header", f"Subject: {subject}", "--body", "while down")
    assert code == 451, out
    assert "4.3.0" in text
    assert time.monotonic() - t0 < timeout + 5
    own_cluster.start()
    deadline = time.monotonic() + 15
    while True:
        code, text, out = swaks(hl, "--header", f"Subject: {subject}", "--body", "while down")
        if code == 250 or time.monotonic() > deadline:
            break
        assert code == 451, out
        time.sleep(0.5)
    assert code == 250, out
    assert count_cases(hl) == 1


def test_followup_quoting_reg_no_joins_the_case(make_hotline, case_show):
    hl = lmtp_hotline(make_hotline)
    code, text, out = swaks(hl, "--header", "Subject: first report", "--body", "first")
    assert code == 250, out
    reg = reg_no_of(text)
    more = marker("more")
    f = hl.workdir / "more.txt"
    f.write_text("extra evidence")
    code, text, out = swaks(hl, "--header", f"Subject: Re: {reg} follow-up",
                            "--body", f"new facts {more}", "--attach", "@" + str(f))
    assert code == 250, out
    assert reg in text and "Added" in text
    assert count_cases(hl) == 1
    shown, _ = case_show(hl, reg)
    assert len(shown["messages"]) == 1, shown["messages"]
    msg = shown["messages"][0]
    assert msg["author"] == "reporter"
    assert more in msg["text"] and reg in msg["text"]
    assert len(msg["attachments"]) == 1
    # an unknown number is just a new appeal
    code, text, out = swaks(hl, "--header", "Subject: about 1999-000001", "--body", "x")
    assert code == 250 and "Registered" in text, out
    assert count_cases(hl) == 2
    assert_nowhere_in_clear(hl, more)


def outbox_rows(hl):
    return hl.query("SELECT kind, recipient, subject, body, sealed IS NOT NULL, sent_at IS NOT NULL "
                    "FROM hotline.outbox ORDER BY id")


def test_acknowledgment_sealed_in_outbox_then_sent(make_hotline, smtp_sink, workdir):
    """mail_receipt = yes: the receipt is in the acknowledgment."""
    from smtp_fixture import FAST_RETRY
    sink = smtp_sink()
    cfg = sink.hotline_config(**FAST_RETRY)
    cfg.update(mail_acknowledge="yes", mail_address="hotline@org.example.kz",
               outbox_key_file=str(workdir / "outbox.key"), public_url="https://hl.example.kz/",
               mail_receipt="yes")
    hl = lmtp_hotline(make_hotline, **cfg)
    assert (workdir / "outbox.key").stat().st_mode & 0o777 == 0o600
    sender = marker("kk") + "@mail.example.kz"
    code, text, out = swaks(hl, "--header", "Subject: =?UTF-8?B?" +
                            base64.b64encode("Қазақша өтініш".encode()).decode() + "?=",
                            "--body", "Директор ақша талап етті, құжаттар бар.", sender=sender)
    assert code == 250, out
    reg = reg_no_of(text)
    msgs = sink.wait_for_messages(1)
    m = msgs[0]
    assert m.meta["rcpt_tos"] == [sender]
    assert m.header("From") == "hotline@org.example.kz"
    assert reg in m.header("Subject") and "тіркелді" in m.header("Subject")
    code_text = re.search(r"(\d{4}(?: \d{4}){6})", m.text).group(1)
    assert "https://hl.example.kz/status" in m.text
    # the receipt works on the status page
    r = hl.post_form("/status", {"receipt": code_text, "lang": "en"})
    assert r.status == 200 and reg in r.body
    # sent, and nothing of it left in the database in clear (or at all)
    deadline = time.monotonic() + 10
    while outbox_rows(hl)[0][5] is not True and time.monotonic() < deadline:
        time.sleep(0.2)
    assert outbox_rows(hl) == [("mail_ack", "", "", "", False, True)]
    assert_nowhere_in_clear(hl, code_text.replace(" ", ""), code_text, sender)


def test_no_acknowledgment_for_automatic_mail(make_hotline, smtp_sink, workdir):
    sink = smtp_sink()
    cfg = sink.hotline_config()
    cfg.update(mail_acknowledge="yes", outbox_key_file=str(workdir / "outbox.key"))
    hl = lmtp_hotline(make_hotline, **cfg)
    for args, sender in ((["--header", "Auto-Submitted: auto-replied"], "a@mail.example.kz"),
                         (["--header", "Precedence: bulk"], "b@mail.example.kz"),
                         (["--header", "List-Id: <x.example.kz>"], "c@mail.example.kz"),
                         ([], "MAILER-DAEMON@mail.example.kz"),
                         ([], "<>")):
        code, text, out = swaks(hl, "--body", "auto", *args, sender=sender)
        assert code == 250, out
    assert count_cases(hl) == 5
    assert outbox_rows(hl) == []


def test_acknowledgment_needs_outbox_key(make_hotline):
    hl = make_hotline(start=False, lmtp_listen=f"127.0.0.1:{free_port()}")
    hl.start(wait=False)
    assert hl.wait_exit() != 0
    assert "outbox_key_file" in hl.log()


# ------------------------------------------------ follow-ups must prove it

def case_id_of(hl, reg):
    return hl.query("SELECT c.id FROM hotline.cases c JOIN hotline.journal j "
                    "ON j.id = c.journal_id WHERE j.reg_no = %s", (reg,))[0][0]


def messages_of(hl, reg):
    return hl.query("SELECT count(*) FROM hotline.messages WHERE case_id = %s",
                    (case_id_of(hl, reg),))[0][0]


def events_of(hl, reg, kind):
    return [r[0] for r in hl.query("SELECT detail::text FROM hotline.case_events "
                                   "WHERE case_id = %s AND kind = %s ORDER BY id",
                                   (case_id_of(hl, reg), kind))]


def acked_hotline(make_hotline, smtp_sink, workdir, **extra):
    from smtp_fixture import FAST_RETRY
    sink = smtp_sink()
    cfg = sink.hotline_config(**FAST_RETRY)
    cfg.update(mail_acknowledge="yes", mail_address="hotline@org.example.kz",
               outbox_key_file=str(workdir / "outbox.key"), public_url="https://hl.example.kz/")
    cfg.update(extra)
    return lmtp_hotline(make_hotline, **cfg), sink


def test_forged_followup_becomes_a_new_appeal(make_hotline, case_show):
    """Right number in the subject, another sender, no receipt, no token:
    a new appeal marked for the compliance manager; the case it names gets
    nothing and the sender learns only the new number."""
    hl = lmtp_hotline(make_hotline)
    code, text, out = swaks(hl, "--header", "Subject: first", "--body", "the real report",
                            sender="real@mail.example.kz")
    assert code == 250, out
    reg = reg_no_of(text)
    forged = marker("forged")
    code, text, out = swaks(hl, "--header", f"Subject: Re: {reg} I take it all back",
                            "--body", f"please close it {forged}",
                            sender="forger@evil.example.org")
    assert code == 250 and "Registered as" in text, out
    new = reg_no_of(text)
    assert new != reg and reg not in text
    assert count_cases(hl) == 2
    assert messages_of(hl, reg) == 0
    assert events_of(hl, reg, "reporter_message") == []
    assert events_of(hl, new, "followup_unproven") == ['{"claims": "%s"}' % reg]
    shown, _ = case_show(hl, new, custodian=False)
    assert forged in shown["content"]["text"]
    # the same From header but another envelope sender proves nothing more:
    # From is compared too, and this From is not the reporter's either
    code, text, out = swaks(hl, "--header", f"Subject: {reg}", "--header",
                            "From: other@evil.example.org", "--body", "x",
                            sender="forger@evil.example.org")
    assert code == 250 and "Registered as" in text, out
    assert messages_of(hl, reg) == 0
    # a wrong token and a receipt with a bad check digit prove nothing
    code, text, out = swaks(hl, "--header", f"Subject: Re: {reg} [#{'A' * 24}]",
                            "--body", "1234 5678 1234 5678 1234 5678 1234",
                            sender="forger@evil.example.org")
    assert code == 250 and "Registered as" in text, out
    assert messages_of(hl, reg) == 0
    assert count_cases(hl) == 4
    assert_nowhere_in_clear(hl, forged)


def test_followup_from_the_same_sender_attaches(make_hotline, case_show):
    hl = lmtp_hotline(make_hotline)
    code, text, out = swaks(hl, "--header", "Subject: first", "--body", "first",
                            sender="Same.Person@Mail.Example.kz")
    assert code == 250, out
    reg = reg_no_of(text)
    # the address compared without case; the hash, not the address, stored
    code, text, out = swaks(hl, "--header", f"Subject: Re: {reg}", "--body", "more",
                            sender="same.person@mail.example.kz")
    assert code == 250 and f"Added to {reg}" in text, out
    assert messages_of(hl, reg) == 1
    assert count_cases(hl) == 1
    row = hl.query("SELECT octet_length(mail_sender_hash), octet_length(reply_token_hash) "
                   "FROM hotline.cases WHERE id = %s", (case_id_of(hl, reg),))
    assert row == [(32, 32)]
    assert_nowhere_in_clear(hl, "same.person@mail.example.kz", "Same.Person@Mail.Example.kz")


def test_acknowledgment_by_default_carries_a_token_not_the_receipt(
        make_hotline, smtp_sink, workdir, case_show):
    """Default: no receipt in the mail; replying to it (from anywhere) with
    the token in the subject attaches; after delivery the outbox row holds
    nothing of the message."""
    hl, sink = acked_hotline(make_hotline, smtp_sink, workdir, default_language="en")
    code, text, out = swaks(hl, "--header", "Subject: bribe", "--body", "The manager took money.",
                            sender="reporter@mail.example.kz")
    assert code == 250, out
    reg = reg_no_of(text)
    m = sink.wait_for_messages(1)[0]
    assert m.meta["rcpt_tos"] == ["reporter@mail.example.kz"]
    subject = m.header("Subject")
    token = re.search(r"\[#([A-Z2-7]{24})\]", subject)
    assert reg in subject and token, subject
    token = token.group(1)
    assert not re.search(r"\d{4}(?: \d{4}){6}", m.text), m.text
    assert "not sent by e-mail" in m.text and "#" + token in m.text
    # delivered: no body, no recipient, nothing sealed left in the row
    deadline = time.monotonic() + 10
    while outbox_rows(hl)[0][5] is not True and time.monotonic() < deadline:
        time.sleep(0.2)
    assert outbox_rows(hl) == [("mail_ack", "", "", "", False, True)]
    # the reporter replies from another address (a phone's client): the
    # token proves it; the token is not kept in the message in clear
    more = marker("more")
    code, text, out = swaks(hl, "--header", f"Subject: Re: {subject}", "--body", more,
                            sender="reporter.phone@other.example.kz")
    assert code == 250 and f"Added to {reg}" in text, out
    assert messages_of(hl, reg) == 1 and count_cases(hl) == 1
    shown, _ = case_show(hl, reg, custodian=False)
    msg = shown["messages"][0]["text"]
    assert more in msg and token not in msg and "#" + "*" * 24 in msg
    # a token in lower case, in the body, works too
    code, text, out = swaks(hl, "--header", f"Subject: {reg}", "--body",
                            f"ref #{token.lower()}", sender="third@other.example.kz")
    assert code == 250 and f"Added to {reg}" in text, out
    assert_nowhere_in_clear(hl, token)


def test_followup_quoting_the_receipt_attaches(make_hotline, smtp_sink, workdir, case_show):
    hl, sink = acked_hotline(make_hotline, smtp_sink, workdir, mail_receipt="yes")
    code, text, out = swaks(hl, "--header", "Subject: report", "--body", "Взятка в отделе.",
                            sender="reporter@mail.example.kz")
    assert code == 250, out
    reg = reg_no_of(text)
    m = sink.wait_for_messages(1)[0]
    receipt = re.search(r"(\d{4}(?: \d{4}){6})", m.text).group(1)
    # from another address, no token in the subject: the receipt proves it
    code, text, out = swaks(hl, "--header", f"Subject: {reg}",
                            "--body", f"My code is {receipt.replace(' ', '-')}. More facts.",
                            sender="elsewhere@other.example.kz")
    assert code == 250 and f"Added to {reg}" in text, out
    assert messages_of(hl, reg) == 1 and count_cases(hl) == 1
    shown, _ = case_show(hl, reg, custodian=False)
    msg = shown["messages"][0]["text"]
    assert "More facts" in msg
    assert receipt.replace(" ", "") not in re.sub(r"\D", "", msg), msg
    # another case's receipt does not open this one
    code, text, out = swaks(hl, "--header", "Subject: second", "--body", "second",
                            sender="second@mail.example.kz")
    assert code == 250, out
    reg2 = reg_no_of(text)
    code, text, out = swaks(hl, "--header", f"Subject: {reg2}", "--body", receipt,
                            sender="elsewhere@other.example.kz")
    assert code == 250 and "Registered as" in text, out
    assert messages_of(hl, reg2) == 0
    assert events_of(hl, reg_no_of(text), "followup_unproven") == ['{"claims": "%s"}' % reg2]


def test_unproven_claim_shown_on_the_new_case_page(make_staff_hotline):
    """The compliance manager sees, on the new appeal's page, which case it
    claimed; the claimed case's page says nothing of it."""
    from helpers import by_id, element_text, has_id
    from staff_fixture import StaffClient
    port = free_port()
    hl = make_staff_hotline(lmtp_listen=f"127.0.0.1:{port}", mail_acknowledge="no")
    hl.lmtp_port = port
    code, text, out = swaks(hl, "--header", "Subject: first", "--body", "real",
                            sender="real@mail.example.kz")
    assert code == 250, out
    reg = reg_no_of(text)
    code, text, out = swaks(hl, "--header", f"Subject: Re: {reg}", "--body", "forged",
                            sender="forger@evil.example.org")
    assert code == 250 and "Registered as" in text, out
    new = reg_no_of(text)
    c = StaffClient(hl)
    c.login_as("compliance")
    page = c.get(f"/staff/case/{new}")
    assert page.status == 200 and has_id(page.body, "unproven-claim")
    assert reg in element_text(page.body, "unproven-claim")
    said = [li.clean_text() for li in by_id(page.body, "events").iter()
            if li.tag == "li" and li.attrs.get("data-kind") == "followup_unproven"]
    assert len(said) == 1 and reg in said[0] and "followup_unproven" not in said[0]
    claimed = c.get(f"/staff/case/{reg}")
    assert claimed.status == 200 and not has_id(claimed.body, "unproven-claim")


def test_delivered_acknowledgment_key_is_erased(make_hotline, smtp_sink, workdir):
    """An acknowledgment is sealed under a key of its own in the spool
    folder beside outbox.key; once delivered that key is gone, so what
    PostgreSQL keeps of the row (dead tuples, WAL, backups) cannot be
    opened, not even with outbox.key."""
    sink = smtp_sink(start=False)
    cfg = sink.hotline_config()
    cfg.update(mail_acknowledge="yes", outbox_key_file=str(workdir / "outbox.key"))
    hl = lmtp_hotline(make_hotline, **cfg)
    spool = workdir / "outbox.key.d"
    code, text, out = swaks(hl, "--header", "Subject: report", "--body", "words",
                            sender="reporter@mail.example.kz")
    assert code == 250, out
    deadline = time.monotonic() + 10
    while not hl.query("SELECT 1 FROM hotline.outbox") and time.monotonic() < deadline:
        time.sleep(0.1)
    [(key_id, sealed)] = hl.query("SELECT sealed_key, sealed FROM hotline.outbox")
    assert re.fullmatch(r"[0-9a-f]{32}", key_id) and sealed is not None
    assert spool.stat().st_mode & 0o777 == 0o700
    key_file = spool / key_id
    assert key_file.stat().st_mode & 0o777 == 0o600
    assert key_file.read_text() != (workdir / "outbox.key").read_text()
    # the server is down: not sent, the key stays
    time.sleep(1.5)
    assert key_file.exists()
    sink.start()
    sink.wait_for_messages(1)
    deadline = time.monotonic() + 10
    while outbox_rows(hl)[0][5] is not True and time.monotonic() < deadline:
        time.sleep(0.2)
    assert hl.query("SELECT sealed IS NULL, sealed_key IS NULL, sent_at IS NOT NULL "
                    "FROM hotline.outbox") == [(True, True, True)]
    deadline = time.monotonic() + 5
    while key_file.exists() and time.monotonic() < deadline:
        time.sleep(0.1)
    assert not key_file.exists() and list(spool.iterdir()) == []
    # a mail that is not acknowledged (a follow-up) leaves no key behind
    reg = reg_no_of(text)
    code, text, out = swaks(hl, "--header", f"Subject: Re: {reg}", "--body", "more",
                            sender="reporter@mail.example.kz")
    assert code == 250 and "Added" in text, out
    assert list(spool.iterdir()) == []
