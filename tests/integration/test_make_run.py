"""`make run` as a newcomer uses it (README "Try it"): tools/run.sh starts
PostgreSQL, hotlined with its e-mail intake (LMTP) and a mail sink; the
swaks line it prints registers an appeal by mail, the acknowledgment and
the notice of a triage land as files in var/mail/ (the data folder is a
temporary one here: HOTLINE_VAR), so do the checkpoint mails, against
which the printed verify commands check both chains, the demo director
logs in with the printed password and oathtool command, and SIGINT, as Ctrl-C sends it to the
terminal's process group, stops everything."""
import http.cookiejar
import os
import re
import shlex
import signal
import subprocess
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

import pytest

from conftest import BUILD, REPO, free_port, need_binaries


def demo_login(port, login, password, code):
    """The status of a staff login through the login form (200: the home
    page after the redirect)."""
    jar = http.cookiejar.CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
    base = f"http://127.0.0.1:{port}/staff/"
    page = opener.open(base + "login", timeout=60).read().decode()
    token = re.search(r'name="csrf" value="([0-9a-f]+)"', page).group(1)
    body = urllib.parse.urlencode({"csrf": token, "login": login, "password": password,
                                   "code": code}).encode()
    try:
        with opener.open(base + "login", data=body, timeout=60) as r:
            return r.status if r.url == base else -r.status
    except urllib.error.HTTPError as e:
        return e.code


def wait_for(predicate, timeout, what):
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        got = predicate()
        if got:
            return got
        time.sleep(0.2)
    raise AssertionError(f"timed out waiting for {what}")


def printed_command(out, first_word):
    """The command run.sh printed starting with first_word, its "\\"
    continuation lines joined, as an argv."""
    lines = out.splitlines()
    for i, line in enumerate(lines):
        if line.strip().startswith(first_word + " "):
            text = line.strip()
            while text.endswith("\\"):
                i += 1
                text = text[:-1] + " " + lines[i].strip()
            return shlex.split(text)
    raise AssertionError(f"run.sh printed no {first_word} line:\n{out}")


@pytest.fixture
def var_dir():
    # under /tmp and 0755: as root, PostgreSQL runs as postgres and must enter it
    d = Path(tempfile.mkdtemp(prefix="hotline-run-"))
    os.chmod(d, 0o755)
    yield d
    subprocess.run([str(REPO / "tools" / "pg.sh"), "stop", str(d / "pg"), "immediate"],
                   capture_output=True, timeout=60)
    subprocess.run(["rm", "-rf", str(d)], timeout=60)


def test_make_run_serves_mail_intake_and_keeps_notices(var_dir):
    need_binaries()
    port, lmtp, sink = free_port(), free_port(), free_port()
    env = dict(os.environ, PORT=str(port), LMTP_PORT=str(lmtp), MAIL_SINK_PORT=str(sink),
               BUILD=str(BUILD), HOTLINE_VAR=str(var_dir))
    env.pop("HOTLINE_DATABASE", None)
    log = open(var_dir / "run.log", "w+")
    # its own process group, like a terminal's foreground job
    run = subprocess.Popen([str(REPO / "tools" / "run.sh")], cwd=REPO, env=env, stdout=log,
                           stderr=subprocess.STDOUT, start_new_session=True)
    try:
        def output():
            log.flush()
            return (var_dir / "run.log").read_text()

        wait_for(lambda: "Press Ctrl-C" in output() or run.poll() is not None, 180,
                 "run.sh to say it is running")
        out = output()
        assert run.poll() is None, f"run.sh stopped:\n{out}"
        assert f"LMTP) on 127.0.0.1:{lmtp}" in out and f"{var_dir}/mail/" in out
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=10) as r:
            assert r.status == 200

        swaks = printed_command(out, "swaks")
        assert swaks[:3] == ["swaks", "--server", f"127.0.0.1:{lmtp}"]
        p = subprocess.run(swaks, capture_output=True, text=True, timeout=60)
        assert "250 2.0.0 Registered as " in p.stdout, p.stdout + p.stderr
        reg_no = p.stdout.split("250 2.0.0 Registered as ")[1].split()[0]

        def texts():
            return [f.read_text() for f in sorted((var_dir / "mail").glob("*.txt"))]

        # the acknowledgment to the sender, readable as it is
        ack = wait_for(lambda: [t for t in texts() if "Envelope-To: reporter@" in t], 30,
                       "the acknowledgment in var/mail/")
        assert f"Subject: Registered as {reg_no}" in ack[0]

        triage = printed_command(out, f"{BUILD}/hotlinectl case triage")
        triage[triage.index("REG_NO")] = reg_no
        p = subprocess.run(triage, capture_output=True, text=True, timeout=60)
        assert p.returncode == 0, p.stdout + p.stderr
        # (the checkpoint mails go to the director too: not the notice)
        notice = wait_for(lambda: [t for t in texts() if "Envelope-To: director@" in t
                                   and "hotline-checkpoint v1 " not in t], 30,
                          "the director's notice in var/mail/")
        assert reg_no in notice[0] and "base64" not in notice[0]
        # the demo checkpoint key signs the chains at start: the printed
        # commands verify both against the mailed checkpoints
        wait_for(lambda: [t for t in texts() if "hotline-checkpoint v1 " in t], 30,
                 "a checkpoint mail in var/mail/")
        grep = printed_command(out, "grep -h hotline-checkpoint")
        assert grep[-2] == ">" and grep[-3].endswith("/mail/*.txt"), grep
        files = sorted(str(f) for f in Path(grep[-3][:-len("*.txt")]).glob("*.txt"))
        with open(grep[-1], "w") as saved:
            subprocess.run([*grep[:-3], *files], stdout=saved, timeout=60, check=True)
        verify = printed_command(out, f"{BUILD}/hotlinectl journal verify")
        for chain in ("journal", "audit"):
            p = subprocess.run([verify[0], chain, *verify[2:]], capture_output=True, text=True,
                               timeout=60)
            assert p.returncode == 0 and "matches" in p.stdout, p.stdout + p.stderr
        # each .txt beside the mail as it was sent
        assert len(list((var_dir / "mail").glob("*.eml"))) == len(texts()) >= 2
        # the demo director logs in with the password and the code of the
        # printed oathtool command (its role needs a second factor)
        m = re.search(r"^\s+director\s+(\S+)\s+code: (oathtool --totp -b [A-Z2-7]+)$", out, re.M)
        assert m, f"no director line with an oathtool command:\n{out}"
        assert re.search(r"^\s+operator\s+\S+\s+\(no code\)$", out, re.M)
        code = subprocess.run(shlex.split(m.group(2)), capture_output=True, text=True,
                              timeout=30, check=True).stdout.strip()
        assert demo_login(port, "director", m.group(1), "000000" if code != "000000"
                          else "111111") == 401
        assert demo_login(port, "director", m.group(1), code) == 200
    finally:
        if run.poll() is None:
            os.killpg(run.pid, signal.SIGINT)
        try:
            run.wait(timeout=60)
        except subprocess.TimeoutExpired:
            os.killpg(run.pid, signal.SIGKILL)
            raise
        log.close()
    out = (var_dir / "run.log").read_text()
    assert "== stopping PostgreSQL" in out, out
    assert not (var_dir / "pg" / "data" / "postmaster.pid").exists()
    # nothing of the group is left: the daemon and the sink stopped too
    with pytest.raises(ProcessLookupError):
        os.killpg(run.pid, 0)
