"""Every LMTP answer, byte for byte (docs/mail-intake.md, "The protocol"):
scripted sessions (commands out of order, unknown and SMTP verbs,
pipelining, a line too long, limits, an unreadable mail, follow-ups proven
and not) must answer exactly as lmtp_transcript.expected records, with
registration numbers written NNNN-NNNNNN. A deliberate change to an answer
updates that file: run with LMTP_TRANSCRIPT=path to write the new one."""
import os
from pathlib import Path
import re
import socket
import time

from conftest import free_port

EXPECTED = Path(__file__).with_name("lmtp_transcript.expected")


def norm(s):
    return re.sub(r"\b\d{4}-\d{6}\b", "NNNN-NNNNNN", s)


class Session:
    def __init__(self, port, log, name):
        self.s = socket.create_connection(("127.0.0.1", port), timeout=30)
        self.f = self.s.makefile("rb")
        self.log = log
        self.log.append(f"=== {name}")
        self.read_reply("greeting")

    def read_reply(self, what):
        while True:
            r = self.f.readline()
            self.log.append(f"{what!r} -> {norm(r.decode('utf-8', 'replace'))!r}")
            if r == b"" or r[3:4] != b"-":
                return r

    def raw(self, data):
        self.s.sendall(data)

    def cmd(self, line):
        self.raw(line.encode() + b"\r\n")
        return self.read_reply(line[:40])

    def replies(self, n, what):
        for _ in range(n):
            self.read_reply(what)

    def close_expect_eof(self):
        try:
            rest = self.f.read()
            self.log.append(f"eof after {rest!r}")
        except Exception as e:
            self.log.append(f"error {type(e).__name__}")
        self.s.close()


MSG = ("From: rep@mail.example.kz\r\nTo: hotline@org.example.kz\r\nSubject: {subj}\r\n"
       "Message-ID: <{mid}@x>\r\n\r\n{body}\r\n.\r\n")


def test_lmtp_answers_byte_for_byte(make_hotline):
    port = free_port()
    hl = make_hotline(lmtp_listen=f"127.0.0.1:{port}", mail_acknowledge="no",
                      max_mail_bytes="1M", max_mail_attachments="1")
    log = []
    s = Session(port, log, "out of order and unknown")
    for line in ["NOOP", "MAIL FROM:<a@b.c>", "RCPT TO:<h@x>", "DATA", "RSET", "HELO x",
                 "EHLO x", "helo", "VRFY root", "EXPN list", "FOO bar", "", " ", "LHLOX",
                 "NOOPX", "noop arg", "LHLO", "lhlo mta", "RCPT TO:<h@x>", "DATA",
                 "MAIL FROM:a@b.c", "MAIL FROM:", "MAIL FROM:<a@b.c> SIZE=99999999999",
                 "MAIL FROM:<a@b.c> SIZE=100", "MAIL FROM:<x@y>", "RCPT TO:", "RCPT TO:<>",
                 "RCPT TO:h@x", "rcpt to:<h@x>", "RCPT TO: <h2@x>", "RSET", "DATA",
                 "RCPT TO:<h@x>", "mail from:<>", "RCPT TO:<h@x>", "RSET ", "QUIT x",
                 "quit"]:
        s.cmd(line)
    s.close_expect_eof()

    s = Session(port, log, "one mail, two recipients, then more")
    s.cmd("LHLO mta")
    s.cmd("MAIL FROM:<rep@mail.example.kz>")
    s.cmd("RCPT TO:<hotline@org.example.kz>")
    s.cmd("RCPT TO:<hotline2@org.example.kz>")
    s.cmd("DATA")
    s.raw(MSG.format(subj="first", mid="m1", body="..dot-stuffed\r\nbody").encode())
    s.replies(2, "after dot")
    s.cmd("NOOP")
    s.cmd("DATA")
    s.cmd("MAIL FROM:<>")
    s.cmd("RCPT TO:<h@x>")
    s.cmd("DATA")
    s.raw(b"garbage \x00\xff\r\n.\r\n")
    s.replies(1, "garbage")
    s.cmd("QUIT")
    s.close_expect_eof()

    s = Session(port, log, "pipelined")
    s.raw(("LHLO mta\r\nMAIL FROM:<p@mail.example.kz>\r\nRCPT TO:<h@x>\r\nRCPT TO:<>\r\n"
           "VRFY x\r\nDATA\r\n" + MSG.format(subj="piped", mid="m2", body="b") +
           "NOOP\r\nMAIL FROM:<p@mail.example.kz>\r\nRCPT TO:<h@x>\r\nDATA\r\n" +
           MSG.format(subj="piped 2", mid="m3", body="c") + "RSET\r\nQUIT\r\n").encode())
    for what in ["LHLO", "MAIL", "RCPT", "RCPT bad", "VRFY", "DATA", "dot", "NOOP", "MAIL",
                 "RCPT", "DATA", "dot", "RSET", "QUIT"]:
        s.read_reply(what)
    s.close_expect_eof()

    s = Session(port, log, "too big, too many attachments, follow-up")
    s.cmd("LHLO mta")
    s.cmd("MAIL FROM:<same@mail.example.kz>")
    s.cmd("RCPT TO:<h@x>")
    s.cmd("DATA")
    s.raw(("Subject: big\r\n\r\n" + ("x" * 1000 + "\r\n") * 1100 + ".\r\n").encode())
    s.replies(1, "big")
    s.cmd("MAIL FROM:<same@mail.example.kz>")
    s.cmd("RCPT TO:<h@x>")
    s.cmd("DATA")
    att = ("From: same@mail.example.kz\r\nSubject: att\r\nMIME-Version: 1.0\r\n"
           "Content-Type: multipart/mixed; boundary=B\r\n\r\n--B\r\nContent-Type: text/plain\r\n\r\n"
           "t\r\n--B\r\nContent-Type: text/plain\r\nContent-Disposition: attachment; filename=a.txt"
           "\r\n\r\na\r\n--B\r\nContent-Type: text/plain\r\nContent-Disposition: attachment; "
           "filename=b.txt\r\n\r\nb\r\n--B--\r\n.\r\n")
    s.raw(att.encode())
    s.replies(1, "attachments")
    s.cmd("MAIL FROM:<same@mail.example.kz>")
    s.cmd("RCPT TO:<h@x>")
    s.cmd("DATA")
    s.raw(("From: same@mail.example.kz\r\nSubject: first one\r\n\r\nhello\r\n.\r\n").encode())
    r = s.read_reply("registered")
    reg = re.search(rb"\d{4}-\d{6}", r).group(0).decode()
    s.cmd("MAIL FROM:<same@mail.example.kz>")
    s.cmd("RCPT TO:<h@x>")
    s.cmd("DATA")
    s.raw((f"From: same@mail.example.kz\r\nSubject: Re: {reg}\r\n\r\nmore\r\n.\r\n").encode())
    s.read_reply("follow-up")
    s.cmd("MAIL FROM:<other@mail.example.kz>")
    s.cmd("RCPT TO:<h@x>")
    s.cmd("DATA")
    s.raw((f"From: other@mail.example.kz\r\nSubject: Re: {reg}\r\n\r\nforged\r\n.\r\n").encode())
    s.read_reply("forged follow-up")
    s.cmd("QUIT")
    s.close_expect_eof()

    s = Session(port, log, "line too long")
    s.cmd("LHLO mta")
    s.raw(b"NOOP " + b"x" * 5000)
    s.read_reply("long line")
    s.close_expect_eof()

    s = Session(port, log, "long line split")
    s.raw(b"NOOP " + b"x" * 4000)
    time.sleep(0.3)
    s.raw(b"\r\n")
    s.read_reply("4005 noop")
    s.cmd("QUIT")
    s.close_expect_eof()

    s = Session(port, log, "too many recipients")
    s.cmd("LHLO mta")
    s.cmd("MAIL FROM:<many@mail.example.kz>")
    for i in range(101):
        s.cmd(f"RCPT TO:<h{i}@x>")
    s.cmd("DATA")
    s.raw(b"Subject: many\r\n\r\nx\r\n.\r\n")
    s.replies(100, "many")
    s.cmd("QUIT")
    s.close_expect_eof()

    got = "\n".join(log) + "\n"
    if os.environ.get("LMTP_TRANSCRIPT"):
        Path(os.environ["LMTP_TRANSCRIPT"]).write_text(got)
    assert got == EXPECTED.read_text()
