"""The throw-away stack a bench runs against (tools/stack.sh), shared by
journal_bench.py and web_bench.py."""
import contextlib
import os
import socket
import subprocess
import tempfile

# What web_bench.py adds to the bench cluster's postgresql.conf: the
# registration statements' times per report come from pg_stat_statements
# (a library of Debian's postgresql-15 package, loaded at server start
# only), with the planning time apart (track_planning).
PG_STAT_STATEMENTS = """\
# set by tests/bench/benchstack.py: the bench reads pg_stat_statements
shared_preload_libraries = 'pg_stat_statements'
pg_stat_statements.track = top
pg_stat_statements.track_planning = on
pg_stat_statements.max = 5000
"""


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


@contextlib.contextmanager
def throwaway_stack(repo, build, prefix, env=None, pg_conf=None):
    """Starts a stack in a fresh folder (named prefix...) on a free port and
    yields (folder, stack folder, URL); stops it and removes the folder
    when the block ends. pg_conf: lines for the cluster's postgresql.conf,
    written between tools/pg.sh init and the first start (stack.sh's init
    then finds the cluster made and leaves it)."""
    tmp = tempfile.mkdtemp(prefix=prefix)
    os.chmod(tmp, 0o755)
    stack = os.path.join(tmp, "stack")
    script = os.path.join(repo, "tools", "stack.sh")
    try:
        if pg_conf:
            os.makedirs(stack)
            os.chmod(stack, 0o755)
            subprocess.run([os.path.join(repo, "tools", "pg.sh"), "init",
                            os.path.join(stack, "pg")], check=True, capture_output=True)
            with open(os.path.join(stack, "pg", "data", "postgresql.conf"), "a") as f:
                f.write(pg_conf)
        url = subprocess.run([script, "start", stack, str(free_port()), build], check=True,
                             capture_output=True, text=True, env=env).stdout.strip()
        yield tmp, stack, url
    finally:
        subprocess.run([script, "stop", stack], capture_output=True)
        subprocess.run(["rm", "-rf", tmp])
