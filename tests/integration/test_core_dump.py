"""A core dump of the running hotlined, taken after it has handled
reports, holds none of what the reporters gave: markers put into the web
form (name, phone, e-mail, address, texts, file name and bytes), a
follow-up message (which the status page also shows decrypted), and a
mail delivered over LMTP (subject, sender, body, attachment) are searched
in the core in every form that could plausibly stay in memory: UTF-8,
UTF-16, percent-encoded, base64 and hex (docs/keys.md, "Memory").

gcore (Debian gdb) takes the core of the live process, as a crash or an
attacker with ptrace would. The test is skipped only when ptrace is not
permitted or the address space makes a core impractical (ASan maps
terabytes of shadow memory)."""
import base64
import os
import re
import secrets
import shutil
import subprocess
import time
import urllib.parse
from email.message import EmailMessage

import pytest

from helpers import File, expect_receipt, random_bytes, report_fields
from test_mail_intake import lmtp_hotline, swaks

CLIENT2 = ("127.0.0.2", 0)
MAX_MAPPED = 16 << 30  # a core of more than this much address space is impractical


def token(prefix):
    # a distinctive ASCII token in every marker: it is what the core is
    # searched for in the encoded forms
    return f"{prefix}{secrets.token_hex(10)}"


def b64_cores(data):
    """Base64 of data at the three possible alignments inside a longer
    stream, without the edge characters that depend on the neighbours."""
    out = []
    for shift in range(3):
        enc = base64.b64encode(b"\0" * shift + data)
        start = (shift * 4 + 2) // 3 + 1  # skip the characters mixing in the padding bytes
        out.append(enc[start:-4])
    return out


def forms(text, tok):
    """The byte strings that must not be in the core for one marker."""
    b = text.encode("utf-8")
    t = tok.encode("ascii")
    out = {b, t, tok.encode("utf-16-le"), tok.encode("utf-16-be"),
           urllib.parse.quote_plus(text).encode("ascii"),
           urllib.parse.quote(text).encode("ascii"),
           t.hex().encode(), t.hex().upper().encode()}
    out.update(x for x in b64_cores(b) + b64_cores(t) if len(x) >= 12)
    return out


def vm_size(pid):
    with open(f"/proc/{pid}/status") as f:
        m = re.search(r"^VmSize:\s+(\d+) kB", f.read(), re.M)
    return int(m.group(1)) * 1024


def take_core(hl):
    if shutil.which("gcore") is None:
        pytest.fail("gcore not installed (Debian package gdb, tools/packages.txt)", pytrace=False)
    size = vm_size(hl.pid)
    if size > MAX_MAPPED:
        pytest.skip(f"hotlined maps {size >> 30} GiB of address space (a sanitizer build?): "
                    "a core of it is impractical")
    prefix = hl.workdir / "core"
    p = subprocess.run(["gcore", "-a", "-o", str(prefix), str(hl.pid)], capture_output=True,
                       text=True, timeout=300)
    out = p.stdout + p.stderr
    path = prefix.with_name(f"core.{hl.pid}")
    if not path.exists():
        if re.search(r"ptrace: Operation not permitted|Could not attach|not permitted", out):
            pytest.skip("ptrace is not permitted here, so no core can be taken: " + out[-300:])
        pytest.fail(f"gcore made no core (exit {p.returncode}):\n{out[-2000:]}", pytrace=False)
    assert hl.alive(), "hotlined died while its core was taken"
    keep = os.environ.get("HOTLINE_KEEP_CORE")
    if keep:
        shutil.copy(path, keep)
        shutil.copy(f"/proc/{hl.pid}/maps", keep + ".maps")
    try:
        return path.read_bytes()
    finally:
        path.unlink()


def test_no_report_in_a_core_dump(make_hotline):
    hl = lmtp_hotline(make_hotline)
    m = {}

    def mk(key, text_fmt, prefix):
        tok = token(prefix)
        m[key] = (text_fmt.format(tok), tok)
        return m[key][0]

    # the web form, multipart with a file, identity given
    file_tok = token("fd")
    file_bytes = random_bytes(3000) + ("секретный документ " + file_tok).encode() + random_bytes(3000)
    m["file bytes"] = ("секретный документ " + file_tok, file_tok)
    named = expect_receipt(hl.post_multipart("/report", report_fields(
        what=mk("what", "Директор потребовал взятку {} за контракт", "wh"),
        when_where=mk("when", "В кабинете 5, {}", "ww"),
        who=mk("who", "Ахметов А.А. {}", "wo"),
        identity="named",
        name=mk("name", "Құпия Жанболат {}", "nm"),
        phone=mk("phone", "+7 701 {}", "ph"),
        email=mk("email", "{}@mail.kz", "em"),
        address=mk("address", "г. Алматы, ул. Абая {}", "ad"),
        lang="kk"),
        [File(mk("file name", "скан_{}.pdf", "fn"), file_bytes, "application/pdf")]))
    # urlencoded, anonymous, from another address
    expect_receipt(hl.post_form("/report", report_fields(
        what=mk("what (urlencoded)", "Откат при закупке {} ноутбуков", "wu"),
        who=mk("who (urlencoded)", "Бухгалтер {}", "bu")), source_address=CLIENT2))
    # a follow-up message with a file (303 to /status/sent); the status
    # page then shows the message decrypted
    r = hl.post_multipart("/status/message", {
        "receipt": named.receipt, "message": mk("message", "Новые сведения {} по делу", "ms"),
        "lang": "ru"}, [File("note.txt", mk("message file", "ещё файл {}", "mf").encode(),
                            "text/plain")])
    assert r.status == 303, r.status
    r = hl.post_form("/status", {"receipt": named.digits})
    assert r.status == 200 and m["message"][1] in r.body

    # a mail over LMTP: base64 body and attachment, sender in the header
    msg = EmailMessage()
    msg["From"] = '"{}" <{}>'.format(mk("mail from name", "Тайный Сотрудник {}", "fr"),
                                     mk("mail from", "{}@mail.example.kz", "fa"))
    msg["To"] = "hotline@org.example.kz"
    msg["Subject"] = mk("mail subject", "Жалоба {}", "sj")
    msg.set_content(mk("mail body", "Начальник цеха требует деньги {} каждый месяц", "mb"),
                    charset="utf-8", cte="base64")
    att_tok = token("ma")
    m["mail attachment"] = ("вложение " + att_tok, att_tok)
    msg.add_attachment(random_bytes(2000) + m["mail attachment"][0].encode() + random_bytes(2000),
                       maintype="application", subtype="octet-stream", filename="scan.bin")
    code, text, out = swaks(hl, sender=m["mail from"][0], data=msg.as_bytes())
    assert code == 250, out

    # every report is committed: nothing of them needs to be in memory now
    assert hl.query("SELECT count(*) FROM hotline.cases")[0][0] == 3
    # give the loop time to close and clean up the finished connections
    # (libmicrohttpd runs at least once a second)
    time.sleep(2)

    core = take_core(hl)
    assert len(core) > 1 << 20, f"the core is implausibly small ({len(core)} bytes)"
    # the search can succeed: the config the daemon read is found (on its heap)
    assert hl.config["database"].encode() in core, "the core does not hold the daemon's heap"
    found = []
    for key, (text, tok) in m.items():
        for form in forms(text, tok):
            if form in core:
                at = core.find(form)
                found.append(f"{key}: {form[:60]!r} at offset {at}: "
                             f"{core[max(0, at - 80):at + 120]!r}")
                break
    assert not found, "in the core of hotlined:\n" + "\n".join(found)
