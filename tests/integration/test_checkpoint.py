"""Tamper evidence outside the database (issue 14; docs/keys.md, "The
checkpoint key"): hotlined signs the heads of the journal's and the audit
log's hash chains with a key the database does not hold, logs the line and
mails it (content-free) to the director and the compliance manager. The
database owner rewrites a chain the way an attacker would (a row changed or
deleted, every later hash computed again as migrations 0001 and 0005 do):
the plain verify still says "chain intact", the verify against a checkpoint
fails and names the row. Real PostgreSQL, real hotlined, real SMTP sink."""
import base64
import hashlib
import re
import signal
from pathlib import Path

import pytest
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from conftest import hotlinectl
from helpers import submit
from smtp_fixture import wait_until

ZERO = "decode(repeat('00', 32), 'hex')"

# What an attacker who owns the database runs after changing a row: the
# chains' hashes computed again, exactly as hotline.audit_append and
# hotline.register_case compute them, and the heads moved along.
RECOMPUTE_AUDIT = f"""
DO $$
DECLARE r record; prev bytea := {ZERO}; h bytea;
BEGIN
  FOR r IN SELECT * FROM hotline.audit_log ORDER BY id LOOP
    h := sha256(prev || convert_to(format('v1|%s|%s|%s|%s:%s|%s:%s|%s:%s', r.id,
         (extract(epoch FROM r.at) * 1000000)::bigint, coalesce(r.user_id::text, ''),
         octet_length(r.login), r.login, octet_length(r.action), r.action,
         octet_length(r.object), r.object), 'UTF8'));
    UPDATE hotline.audit_log SET prev_hash = prev, row_hash = h WHERE id = r.id;
    prev := h;
  END LOOP;
  UPDATE hotline.audit_head SET last_hash = prev WHERE id = 1;
END
$$"""

RECOMPUTE_JOURNAL = f"""
DO $$
DECLARE r record; prev bytea := {ZERO}; h bytea;
BEGIN
  FOR r IN SELECT * FROM hotline.journal ORDER BY id LOOP
    h := sha256(prev || convert_to(format('v1|%s|%s|%s|%s', r.reg_no,
         (extract(epoch FROM r.registered_at) * 1000000)::bigint, r.channel,
         encode(r.content_digest, 'hex')), 'UTF8'));
    UPDATE hotline.journal SET prev_hash = prev, row_hash = h WHERE id = r.id;
    prev := h;
  END LOOP;
  UPDATE hotline.journal_head SET last_hash = prev WHERE id = 1;
END
$$"""


class CheckpointKey:
    def __init__(self, folder):
        self.pub = Path(folder) / "checkpoint.pub"
        self.sec = Path(folder) / "checkpoint.sec"
        p = hotlinectl("checkpoint-key", "--public", self.pub, "--secret", self.sec)
        assert p.returncode == 0, p.stdout + p.stderr
        assert (self.sec.stat().st_mode & 0o777) == 0o600

    def raw_public(self):
        head, b64 = self.pub.read_text().split()
        assert head == "hotline-checkpoint-public-v1"
        return base64.b64decode(b64)


@pytest.fixture
def ckey(workdir):
    return CheckpointKey(workdir)


def stored(hl):
    return [r[0] for r in hl.query("SELECT line FROM hotline.checkpoints ORDER BY id")]


def checkpoint_now(hl):
    """A reload makes a checkpoint: the new stored line."""
    n = len(stored(hl))
    hl.send_signal(signal.SIGHUP)
    wait_until(lambda: len(stored(hl)) > n, 20, "a checkpoint after SIGHUP")
    return stored(hl)[-1]


def head_of(line, chain):
    m = re.search(rf" {chain}=(\d+):([0-9a-f]{{64}}) ", line)
    return int(m.group(1)), m.group(2)


def verify(hl, chain, *args):
    return hotlinectl(chain, "verify", "--database", hl.admin_conninfo, *args)


def ctl(hl, *args):
    p = hotlinectl(*args, "--database", hl.admin_conninfo)
    assert p.returncode == 0, p.stdout + p.stderr


def owner(hl, sql, table, trigger):
    """sql run by the database owner with the append-only trigger off."""
    hl.query(f"ALTER TABLE hotline.{table} DISABLE TRIGGER {trigger}; {sql}; "
             f"ALTER TABLE hotline.{table} ENABLE TRIGGER {trigger}")


def audit_append(hl, action, obj):
    return hl.query("SELECT hotline.audit_append(NULL, 'os:test', %s, %s)", (action, obj))[0][0]


def test_untouched_database_verifies_and_the_mail_carries_the_line(make_hotline, smtp_sink,
                                                                     ckey, tmp_path):
    sink = smtp_sink()
    hl = make_hotline(**sink.hotline_config(checkpoint_secret_key=ckey.sec))
    first = wait_until(lambda: stored(hl), 20, "the checkpoint at start")[0]
    assert head_of(first, "journal") == (0, "0" * 64)
    ctl(hl, "settings", "set", "director_email", "director@org.example.kz")
    ctl(hl, "settings", "set", "compliance_email", "compliance@org.example.kz")
    rec = submit(hl, what="Checkpoint marker text 4711")
    line = checkpoint_now(hl)

    # the line as signed: checked here with another Ed25519 implementation
    text, sig = line.split(" sig=")
    Ed25519PublicKey.from_public_bytes(ckey.raw_public()).verify(base64.b64decode(sig),
                                                                text.encode())
    with pytest.raises(InvalidSignature):
        Ed25519PublicKey.from_public_bytes(ckey.raw_public()).verify(
            base64.b64decode(sig), text.replace("journal=1:", "journal=2:").encode())
    jrow, jhash = head_of(line, "journal")
    assert (jrow, jhash) == hl.query("SELECT id, encode(row_hash, 'hex') FROM hotline.journal "
                                     "ORDER BY id DESC LIMIT 1")[0]
    arow, ahash = head_of(line, "audit")
    assert (arow, ahash) == hl.query("SELECT id, encode(row_hash, 'hex') FROM hotline.audit_log "
                                     "ORDER BY id DESC LIMIT 1")[0]

    # the log has it (the systemd journal under systemd)
    wait_until(lambda: ("checkpoint: " + line) in hl.log(), 10, "the line in the log")

    # the mail: to the director and compliance, the line, nothing about a case
    def checkpoint_mails():
        return [m for m in sink.messages() if line in m.text]
    mails = wait_until(lambda: len(checkpoint_mails()) == 2 and checkpoint_mails(), 20,
                       "two checkpoint mails")
    assert sorted(m.meta["rcpt_tos"][0] for m in mails) == ["compliance@org.example.kz",
                                                            "director@org.example.kz"]
    kinds = {r[0] for r in hl.query("SELECT kind FROM hotline.outbox WHERE body LIKE %s",
                                    ("%" + line + "%",))}
    assert kinds == {"checkpoint"}
    for m in mails:
        assert "Контрольная точка" in m.header("Subject")
        body = m.text
        for secret in (rec.reg_no, rec.receipt, "4711", "/staff/", "/case/"):
            assert secret not in body, secret

    # an untouched database matches, given as a line or as the saved mail
    mail_file = tmp_path / "mail.txt"
    mail_file.write_text(mails[0].text)
    for chain in ("journal", "audit"):
        for given in (["--checkpoint", line], ["--checkpoint-file", str(mail_file)]):
            p = verify(hl, chain, *given, "--public-key", str(ckey.pub))
            assert p.returncode == 0, p.stdout + p.stderr
            assert "chain intact" in p.stdout and "matches" in p.stdout, p.stdout
            assert "warning" not in p.stderr, p.stderr
        # without a checkpoint: today's answer, and the warning
        p = verify(hl, chain)
        assert p.returncode == 0 and "chain intact" in p.stdout
        assert "only a checkpoint kept outside the database proves" in p.stderr
    assert "REWRITTEN" not in hl.log()  # no false alarm between checkpoints
    # an altered line or another key is refused
    forged = line.replace(f"journal={jrow}:", f"journal={jrow + 1}:")
    p = verify(hl, "journal", "--checkpoint", forged, "--public-key", str(ckey.pub))
    assert p.returncode != 0 and "signature is not valid" in p.stderr, p.stderr
    other = CheckpointKey(tmp_path)
    p = verify(hl, "audit", "--checkpoint", line, "--public-key", str(other.pub))
    assert p.returncode != 0 and "not by the given public key" in p.stderr, p.stderr


def test_a_deleted_audit_row_is_caught_and_named(make_hotline, smtp_sink, ckey, tmp_path):
    sink = smtp_sink()
    hl = make_hotline(**sink.hotline_config(checkpoint_secret_key=ckey.sec))
    wait_until(lambda: stored(hl), 20, "the checkpoint at start")
    ctl(hl, "settings", "set", "director_email", "director@org.example.kz")
    ctl(hl, "settings", "set", "compliance_email", "compliance@org.example.kz")
    audit_append(hl, "settings.set", "organisation")
    checkpoint_now(hl)
    victim = audit_append(hl, "reveal.open", "2026-000001")
    checkpoint_now(hl)
    audit_append(hl, "settings.set", "console_url")
    latest = checkpoint_now(hl)
    assert head_of(latest, "audit")[0] == victim + 1

    # the owner deletes the reveal.open row and recomputes the chain
    owner(hl, f"DELETE FROM hotline.audit_log WHERE id = {victim}; {RECOMPUTE_AUDIT}",
          "audit_log", "audit_append_only")
    p = verify(hl, "audit")
    assert p.returncode == 0 and "chain intact" in p.stdout, p.stdout + p.stderr

    p = verify(hl, "audit", "--checkpoint", latest, "--public-key", str(ckey.pub))
    assert p.returncode == 1, p.stdout + p.stderr
    assert "REWRITTEN" in p.stdout, p.stdout
    assert f"audit: rewritten row: {victim} (changed or removed; row {victim - 1} still " \
           f"matches its checkpoint)" in p.stdout, p.stdout

    # hotlined's next checkpoint sees it too, and says so first in its mail
    alarm = checkpoint_now(hl)
    wait_until(lambda: "checkpoint: REWRITTEN since the previous checkpoint: journal row 0, "
               f"audit row {victim + 1} " in hl.log(), 10, "the rewrite in the log")
    mails = wait_until(lambda: [m for m in sink.messages() if alarm in m.text], 20,
                       "the mails of the checkpoint after the rewrite")
    for m in mails:
        assert m.header("Subject").startswith("ВНИМАНИЕ"), m.header("Subject")
        assert m.text.startswith("ВНИМАНИЕ"), m.text
        assert f"журнал аудита, запись {victim + 1};" in m.text
    earlier = [m for m in sink.messages() if latest in m.text]
    assert earlier and not any("ВНИМАНИЕ" in m.header("Subject") for m in earlier)

    # the owner also deletes the stored checkpoints: the one kept outside
    # still proves the rewrite, only less precisely
    owner(hl, "DELETE FROM hotline.checkpoints", "checkpoints", "checkpoints_append_only")
    saved = tmp_path / "saved-mail.txt"
    saved.write_text("Subject: checkpoint\n\n" + latest + "\n")
    p = verify(hl, "audit", "--checkpoint-file", str(saved), "--public-key", str(ckey.pub))
    assert p.returncode == 1, p.stdout + p.stderr
    assert f"audit: rewritten row: one of rows 1..{victim + 1} (no earlier checkpoint)" \
        in p.stdout, p.stdout


def test_a_changed_journal_row_is_caught_and_named(make_hotline, ckey):
    hl = make_hotline(checkpoint_secret_key=ckey.sec)
    wait_until(lambda: stored(hl), 20, "the checkpoint at start")
    submit(hl)
    checkpoint_now(hl)
    victim = submit(hl)
    checkpoint_now(hl)
    submit(hl)
    latest = checkpoint_now(hl)
    vid = hl.query("SELECT id FROM hotline.journal WHERE reg_no = %s", (victim.reg_no,))[0][0]
    p = verify(hl, "journal", "--checkpoint", latest, "--public-key", str(ckey.pub))
    assert p.returncode == 0, p.stdout + p.stderr

    # the owner changes how the second appeal came in and recomputes,
    # while hotlined is down
    assert hl.stop() == 0
    owner(hl, f"UPDATE hotline.journal SET channel = 'phone' WHERE id = {vid}; "
              f"{RECOMPUTE_JOURNAL}", "journal", "journal_append_only")
    n = len(stored(hl))
    hl.start()
    # at start hotlined checks the rows of the newest stored checkpoint
    wait_until(lambda: len(stored(hl)) > n, 20, "the checkpoint at the new start")
    last_row = head_of(latest, "journal")[0]
    wait_until(lambda: "checkpoint: REWRITTEN since the previous checkpoint: journal row "
               f"{last_row}, audit row 0 " in hl.log(), 10, "the rewrite in the log")
    p = verify(hl, "journal")
    assert p.returncode == 0 and "chain intact" in p.stdout, p.stdout + p.stderr

    p = verify(hl, "journal", "--checkpoint", latest, "--public-key", str(ckey.pub))
    assert p.returncode == 1, p.stdout + p.stderr
    assert f"journal: REWRITTEN: row {vid} ({victim.reg_no}) no longer has the hash" in p.stdout
    assert f"journal: rewritten row: {vid} (changed or removed; row {vid - 1} still matches" \
        in p.stdout, p.stdout


def test_a_bad_key_file_stops_the_start(make_hotline, ckey):
    import os
    os.chmod(ckey.sec, 0o640)
    hl = make_hotline(start=False, checkpoint_secret_key=ckey.sec)
    hl.start(wait=False)
    assert hl.wait_exit(10) == 1
    assert "checkpoint_secret_key" in hl.log() and "chmod 600" in hl.log()


def test_checkpoints_come_every_interval(make_hotline, ckey):
    hl = make_hotline(checkpoint_secret_key=ckey.sec, checkpoint_interval=1)
    lines = wait_until(lambda: len(stored(hl)) >= 3 and stored(hl), 15, "three checkpoints")
    ats = [re.search(r" at=(\S+) ", line).group(1) for line in lines[:3]]
    assert len(set(ats)) >= 2, ats  # not one burst: a second apart
    for line in lines:
        p = verify(hl, "audit", "--checkpoint", line, "--public-key", str(ckey.pub))
        assert p.returncode == 0, p.stdout + p.stderr
    assert "REWRITTEN" not in hl.log()
