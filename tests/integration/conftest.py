"""Fixtures of the integration tests (STYLE.md point 11): a real PostgreSQL
cluster (tools/pg.sh, one per session, plus private ones for tests that stop
it) and the real hotlined per test, reached over its real TCP socket.

Run by `make integration`, which sets HOTLINE_BUILD to the build folder
(build/ or build/san for the sanitizer build).
"""
import itertools
import os
import random
import resource
import shutil
import signal
import socket
import subprocess
import tempfile
import time
from pathlib import Path

import psycopg2
import pytest

import helpers

REPO = Path(__file__).resolve().parents[2]
BUILD = Path(os.environ.get("HOTLINE_BUILD") or REPO / "build")
HOTLINED = BUILD / "hotlined"
HOTLINECTL = BUILD / "hotlinectl"
PGBIN = Path(os.environ.get("PGBIN", "/usr/lib/postgresql/15/bin"))
PG_SH = REPO / "tools" / "pg.sh"
MIGRATIONS = REPO / "migrations"
PASSPHRASE = "correct horse battery staple (test only)"

# Lines in a daemon log that mean it crashed or broke memory safety even if
# the exit status looks fine (sanitizer builds).
CRASH_MARKERS = ("AddressSanitizer", "LeakSanitizer", "UndefinedBehaviorSanitizer",
                 "runtime error:", "Segmentation fault", "stack smashing", "double free")

# Argon2id's preset of the staff accounts in the tests: interactive keeps
# the suites fast; the product's default is moderate (test_account_kdf.py).
TEST_ACCOUNT_KDF = "interactive"

# Small limits so that the size tests stay fast; tests read them from here.
DEFAULT_CONFIG = {
    "listen_address": "127.0.0.1",
    "db_connections": "2",
    "max_body_bytes": "2M",
    "max_file_bytes": "512K",
    "max_files": "3",
    "max_text_bytes": "8K",
    "request_timeout": "5",
    "lookup_free_failures": "3",
    "lookup_max_delay": "4",
    "default_language": "ru",
    "log_level": "info",
}


def run(cmd, check=True, timeout=120, **kw):
    p = subprocess.run([str(c) for c in cmd], capture_output=True, text=True, timeout=timeout, **kw)
    if check and p.returncode != 0:
        raise AssertionError(f"{' '.join(map(str, cmd))} exited {p.returncode}\n"
                             f"stdout:\n{p.stdout}\nstderr:\n{p.stderr}")
    return p


def need_binaries():
    missing = [str(p) for p in (HOTLINED, HOTLINECTL) if not os.access(p, os.X_OK)]
    if missing:
        pytest.fail("not built: " + ", ".join(missing) + " (run `make all`)", pytrace=False)


def hotlinectl(*args, check=False, timeout=120):
    return run([HOTLINECTL, *args], check=check, timeout=timeout)


# ---------------------------------------------------------------- PostgreSQL


class Cluster:
    """A private PostgreSQL cluster made by tools/pg.sh in a folder of ours."""

    def __init__(self, prefix="hotline-pg-"):
        self.dir = Path(tempfile.mkdtemp(prefix=prefix))
        # As root, pg.sh runs the server as 'postgres', which must be able
        # to enter this folder.
        os.chmod(self.dir, 0o755)
        self.run_dir = self.dir / "run"

    def init(self):
        run(["bash", PG_SH, "init", self.dir])
        # Durability against power loss is not what these tests check, and
        # every CREATE DATABASE would otherwise sync the copied template.
        # Commits still reach the OS (synchronous_commit stays on), so an
        # immediate stop of the server loses nothing.
        with open(self.dir / "data" / "postgresql.conf", "a") as f:
            f.write("# set by tests/integration/conftest.py\nfsync = off\n")
        return self

    def start(self):
        run(["bash", PG_SH, "start", self.dir])

    def stop(self, mode="fast"):
        run(["bash", PG_SH, "stop", self.dir, mode])

    def running(self):
        return run(["bash", PG_SH, "status", self.dir], check=False).returncode == 0

    def conninfo(self, dbname, user="postgres"):
        return f"host={self.run_dir} dbname={dbname} user={user}"

    def connect(self, dbname="postgres", user="postgres", autocommit=True):
        conn = psycopg2.connect(host=str(self.run_dir), dbname=dbname, user=user,
                                connect_timeout=10)
        conn.autocommit = autocommit
        return conn

    def execute(self, sql, params=None, dbname="postgres", user="postgres"):
        conn = self.connect(dbname, user)
        try:
            with conn.cursor() as cur:
                cur.execute(sql, params)
                return cur.fetchall() if cur.description else None
        finally:
            conn.close()

    def createdb(self, name, template=None):
        tmpl = f" TEMPLATE {template}" if template else ""
        self.execute(f'CREATE DATABASE "{name}"{tmpl}')

    def dropdb(self, name):
        self.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')

    def migrate(self, dbname):
        p = hotlinectl("migrate", "--database", self.conninfo(dbname), "--dir", MIGRATIONS)
        assert p.returncode == 0, f"hotlinectl migrate failed:\n{p.stdout}\n{p.stderr}"
        return p

    def destroy(self):
        try:
            self.stop("immediate")
        finally:
            shutil.rmtree(self.dir, ignore_errors=True)


@pytest.fixture(scope="session")
def pg():
    """The session's PostgreSQL cluster (never stopped by a test)."""
    c = Cluster().init()
    c.start()
    yield c
    c.destroy()


TEMPLATE_DB = "hotline_template"


@pytest.fixture(scope="session")
def template_db(pg):
    """A database migrated once; each test copies it."""
    need_binaries()
    pg.createdb(TEMPLATE_DB)
    pg.migrate(TEMPLATE_DB)
    # Most tests take report_fields()' anonymous report as "a corruption
    # case". Under the standard (p.6.3) only an organisation that considers
    # anonymous reports may send one to the director as corruption, so the
    # test databases have that policy on; test_anonymity.py deletes the row
    # and checks the default (off).
    pg.execute("INSERT INTO hotline.settings (key, value) "
               "VALUES ('consider_anonymous_reports', 'on')", dbname=TEMPLATE_DB)
    # No connection may stay on a template while it is copied.
    pg.execute(f"ALTER DATABASE {TEMPLATE_DB} WITH IS_TEMPLATE true ALLOW_CONNECTIONS false")
    return TEMPLATE_DB


class Keys:
    """Key pairs, passphrase file and pepper, made once by hotlinectl."""

    def __init__(self, d):
        self.dir = d
        self.passphrase_file = d / "pp"
        self.case_pub = d / "case.pub"
        self.case_sec = d / "case.sec"
        self.custodian_pub = d / "custodian.pub"
        self.custodian_sec = d / "custodian.sec"
        self.pepper = d / "pepper"
        self.account_secret = d / "account.secret"


@pytest.fixture(scope="session")
def keys():
    need_binaries()
    d = Path(tempfile.mkdtemp(prefix="hotline-keys-"))
    k = Keys(d)
    k.passphrase_file.write_text(PASSPHRASE + "\n")
    os.chmod(k.passphrase_file, 0o600)
    for pub, sec in ((k.case_pub, k.case_sec), (k.custodian_pub, k.custodian_sec)):
        hotlinectl("keygen", "--public", pub, "--secret", sec,
                   "--passphrase-file", k.passphrase_file, check=True)
        assert pub.exists() and sec.exists()
    hotlinectl("pepper", "--out", k.pepper, check=True)
    assert k.pepper.exists()
    hotlinectl("account-secret", "--out", k.account_secret, check=True)
    # every hotlinectl of the tests that derives an account's key finds the
    # secret hotlined uses, and the fast preset the tests' hotlined uses
    # (test_account_kdf.py checks the default, moderate)
    os.environ["HOTLINE_ACCOUNT_SECRET"] = str(k.account_secret)
    os.environ["HOTLINE_ACCOUNT_KDF"] = TEST_ACCOUNT_KDF
    yield k
    shutil.rmtree(d, ignore_errors=True)


# ---------------------------------------------------------------- hotlined


def _ephemeral_range():
    try:
        with open("/proc/sys/net/ipv4/ip_local_port_range") as f:
            low, high = (int(x) for x in f.read().split())
            return low, high
    except (OSError, ValueError):
        return 32768, 60999


_ports = random.Random()


def free_port():
    """A port nobody listens on, below the kernel's ephemeral range: a port
    the kernel handed out with bind(0) could be taken again, before the
    daemon binds it, by any outgoing connection (the PostgreSQL client, an
    SMTP client), which is how a test once lost its port."""
    low, _ = _ephemeral_range()
    for _ in range(200):
        port = _ports.randrange(max(1024, low - 12000), low)
        with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
            try:
                s.bind(("127.0.0.1", port))
            except OSError:
                continue
            return port
    raise RuntimeError("no free port below the ephemeral range")


def render_config(values):
    """`key = value` lines; values with spaces in double quotes."""
    out = []
    for k, v in values.items():
        if any(c in v for c in ' "\\#'):
            v = '"' + v.replace("\\", "\\\\").replace('"', '\\"') + '"'
        out.append(f"{k} = {v}\n")
    return "".join(out)


def parse_size(text):
    """A config size: bytes, or with a K/M/G suffix (powers of 1024)."""
    mult = {"K": 1 << 10, "M": 1 << 20, "G": 1 << 30}
    if text[-1] in mult:
        return int(text[:-1]) * mult[text[-1]]
    return int(text)


class Hotline:
    """One hotlined process with its own database and config file."""

    def __init__(self, cluster, dbname, keys, workdir, overrides=None):
        self.cluster = cluster
        self.dbname = dbname
        self.keys = keys
        self.workdir = Path(workdir)
        self.port = free_port()
        self.config = dict(DEFAULT_CONFIG)
        self.config.update({
            "listen_port": str(self.port),
            "database": cluster.conninfo(dbname, "hotline_app"),
            "receipt_pepper_file": str(keys.pepper),
            "account_secret_file": str(keys.account_secret),
            "account_kdf": TEST_ACCOUNT_KDF,
            "custodian_public_key": str(keys.custodian_pub),
            "case_public_key": str(keys.case_pub),
        })
        for k, v in (overrides or {}).items():
            if v is None:
                self.config.pop(k, None)
            else:
                self.config[k] = str(v)
        self.config_path = self.workdir / "hotlined.conf"
        self.log_path = self.workdir / "hotlined.log"
        self.proc = None
        self.returncode = None
        self.exited_by_itself = False
        self.last_log = b""
        self.stop_seconds = None
        self.startup_log_size = 0
        self.write_config()

    # -- addresses
    @property
    def url(self):
        return f"http://127.0.0.1:{self.port}"

    @property
    def pid(self):
        return self.proc.pid if self.proc else None

    @property
    def admin_conninfo(self):
        return self.cluster.conninfo(self.dbname, "postgres")

    @property
    def app_conninfo(self):
        return self.cluster.conninfo(self.dbname, "hotline_app")

    def psql_args(self):
        return [str(PGBIN / "psql"), "-h", str(self.cluster.run_dir), "-U", "postgres",
                "-d", self.dbname]

    def limit(self, key):
        return parse_size(self.config[key])

    # -- config
    def write_config(self, text=None):
        self.config_path.write_text(render_config(self.config) if text is None else text)

    # -- process
    def start(self, wait=True, timeout=10, nofile=None):
        """Starts the daemon; also again after kill(). nofile: its
        RLIMIT_NOFILE (soft and hard), else this process's."""
        self.returncode = None
        self.exited_by_itself = False
        self.logf = open(self.log_path, "ab")

        def limit_files():
            resource.setrlimit(resource.RLIMIT_NOFILE, (nofile, nofile))

        self.proc = subprocess.Popen([str(HOTLINED), "-c", str(self.config_path)],
                                     stdin=subprocess.DEVNULL, stdout=self.logf,
                                     stderr=subprocess.STDOUT,
                                     preexec_fn=limit_files if nofile else None)
        if wait:
            self.wait_healthy(timeout)
            self.startup_log_size = self.log_path.stat().st_size
        return self

    def wait_healthy(self, timeout=10):
        deadline = time.monotonic() + timeout
        last = "no answer"
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                self.wait_exit(0)  # reported here, not again at teardown
                pytest.fail(f"hotlined exited with {self.returncode} during start; log:\n"
                            + self.log(), pytrace=False)
            try:
                r = helpers.get(self.url, "/healthz", timeout=2)
                if r.status == 200:
                    return
                last = f"{r.status} {r.body[:200]}"
            except OSError as e:
                last = repr(e)
            time.sleep(0.05)
        pytest.fail(f"hotlined not healthy within {timeout} s (last: {last}); log:\n" + self.log(),
                    pytrace=False)

    def wait_exit(self, timeout=15):
        """For a daemon expected to exit by itself (a refused start): its
        exit status, or None if it is still running after timeout."""
        try:
            self.returncode = self.proc.wait(timeout)
        except subprocess.TimeoutExpired:
            return None
        self.exited_by_itself = True
        self.logf.close()
        self.log_bytes()
        return self.returncode

    def alive(self):
        return self.proc is not None and self.proc.poll() is None

    def send_signal(self, sig):
        self.proc.send_signal(sig)

    def kill(self):
        """SIGKILL, as a crash would; start() may run it again on the same
        database, port and config. Returns the exit status."""
        self.proc.kill()
        self.returncode = self.proc.wait()
        self.exited_by_itself = True  # no SIGTERM check at teardown
        self.logf.close()
        self.log_bytes()
        return self.returncode

    def stop(self, sig=signal.SIGTERM, timeout=15):
        """Stops the daemon (once) and returns its exit status."""
        if self.proc is None:
            return None
        if self.returncode is None:
            t0 = time.monotonic()
            if self.proc.poll() is None:
                self.proc.send_signal(sig)
            try:
                self.returncode = self.proc.wait(timeout)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
                self.returncode = "hung (killed after SIGTERM)"
            self.stop_seconds = time.monotonic() - t0
            self.logf.close()
            self.log_bytes()
        return self.returncode

    def log_bytes(self):
        try:
            self.last_log = self.log_path.read_bytes()
        except FileNotFoundError:
            pass  # the test's folder is gone: what was read last
        return self.last_log

    def log(self):
        return self.log_bytes().decode("utf-8", "replace")

    def crash_lines(self):
        return [l for l in self.log().splitlines() if any(m in l for m in CRASH_MARKERS)]

    # -- HTTP
    def get(self, path, headers=None, **kw):
        return helpers.get(self.url, path, headers=headers, **kw)

    def post_form(self, path, fields, **kw):
        return helpers.post_form(self.url, path, fields, **kw)

    def post_multipart(self, path, fields, files=(), **kw):
        return helpers.post_multipart(self.url, path, fields, files, **kw)

    def request(self, method, path, body=None, headers=None, **kw):
        return helpers.request(self.url, method, path, body=body, headers=headers, **kw)

    # -- database
    def db(self, user="postgres"):
        return self.cluster.connect(self.dbname, user)

    def query(self, sql, params=None, user="postgres"):
        return self.cluster.execute(sql, params, dbname=self.dbname, user=user)


_db_numbers = itertools.count(1)


def _register_daemon(request, d):
    request.node.__dict__.setdefault("hotline_daemons", []).append(d)


def _finish_daemon(d):
    if d.proc is None or d.exited_by_itself:
        return  # never started, or the test checked its exit status
    rc = d.stop()
    crashes = d.crash_lines()
    if isinstance(rc, int) and rc < 0:
        rc = f"{rc} (killed by {signal.Signals(-rc).name})"
    assert rc == 0 and not crashes, (
        f"hotlined did not exit cleanly: exit status {rc}"
        + (f", crash lines: {crashes}" if crashes else ""))
    # SIGTERM finishes the requests in flight in at most request_timeout.
    grace = d.limit("request_timeout") + 2
    assert d.stop_seconds <= grace, (
        f"hotlined took {d.stop_seconds:.1f} s to exit after SIGTERM "
        f"(request_timeout {d.limit('request_timeout')} s)")


@pytest.fixture
def workdir():
    d = Path(tempfile.mkdtemp(prefix="hotline-test-"))
    yield d
    shutil.rmtree(d, ignore_errors=True)


@pytest.fixture
def fresh_db(pg, template_db):
    """A new database copied from the migrated template; dropped afterwards."""
    name = f"t{next(_db_numbers)}"
    pg.createdb(name, template=template_db)
    yield name
    pg.dropdb(name)


@pytest.fixture
def make_hotline(request, pg, fresh_db, keys, workdir):
    """Factory: make_hotline(start=True, **config overrides) -> Hotline on
    this test's fresh database. Each call gets its own config file and log.
    Every daemon is stopped with SIGTERM afterwards and must exit 0."""
    made = []

    def make(start=True, dbname=None, cluster=None, **overrides):
        sub = workdir / f"d{len(made)}"
        sub.mkdir()
        d = Hotline(cluster or pg, dbname or fresh_db, keys, sub, overrides)
        made.append(d)
        _register_daemon(request, d)
        if start:
            d.start()
        return d

    yield make
    errors = []
    for d in made:
        try:
            _finish_daemon(d)
        except AssertionError as e:
            errors.append(str(e))
    assert not errors, "; ".join(errors)


@pytest.fixture
def hotline(make_hotline):
    """A running hotlined with the default test config on a fresh database."""
    return make_hotline()


@pytest.fixture
def own_cluster(request):
    """A PostgreSQL cluster of this test alone (for tests that stop it),
    with a migrated database 'hotline'."""
    need_binaries()
    c = Cluster(prefix="hotline-own-pg-").init()
    c.start()
    try:
        c.createdb("hotline")
        c.migrate("hotline")
        yield c
    finally:
        c.destroy()


# ---------------------------------------------------------------- reports


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    rep = outcome.get_result()
    if rep.failed:
        for i, d in enumerate(item.__dict__.get("hotline_daemons", [])):
            text = d.log()
            if len(text) > 20000:
                text = "[...]\n" + text[-20000:]
            rep.sections.append((f"hotlined log #{i} ({d.log_path})", text))


@pytest.fixture
def case_show(keys):
    """case_show(hotline, reg_no, custodian=True) -> (parsed JSON, completed
    process) of `hotlinectl case show` with the test keys."""
    import json

    def show(hl, reg_no, custodian=True):
        args = ["case", "show", reg_no, "--database", hl.admin_conninfo,
                "--case-key", keys.case_sec, "--passphrase-file", keys.passphrase_file]
        if custodian:
            args += ["--custodian-key", keys.custodian_sec,
                     "--custodian-passphrase-file", keys.passphrase_file]
        p = hotlinectl(*args)
        assert p.returncode == 0, f"hotlinectl case show exited {p.returncode}:\n{p.stdout}\n{p.stderr}"
        try:
            return json.loads(p.stdout), p
        except ValueError as e:
            raise AssertionError(f"hotlinectl case show printed no JSON ({e}):\n{p.stdout}") from e

    return show


# ---------------------------------------------------------------- mail

# The SMTP sink of the mail tests (smtp_fixture.py): imported here so that
# pytest registers the fixture for every test file.
from smtp_fixture import smtp_sink  # noqa: E402,F401

# ---------------------------------------------------------------- staff

# The staff accounts and client (staff_fixture.py): imported here so that
# pytest registers the fixtures for every test file.
from staff_fixture import make_staff_hotline, staff_db, staff_hotline, staff_template_db  # noqa: E402,F401
