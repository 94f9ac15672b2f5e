"""The throw-away stack a bench runs against (tools/stack.sh), shared by
journal_bench.py and web_bench.py."""
import contextlib
import os
import socket
import subprocess
import tempfile


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


@contextlib.contextmanager
def throwaway_stack(repo, build, prefix, env=None):
    """Starts a stack in a fresh folder (named prefix...) on a free port and
    yields (folder, stack folder, URL); stops it and removes the folder
    when the block ends."""
    tmp = tempfile.mkdtemp(prefix=prefix)
    os.chmod(tmp, 0o755)
    stack = os.path.join(tmp, "stack")
    script = os.path.join(repo, "tools", "stack.sh")
    url = subprocess.run([script, "start", stack, str(free_port()), build],
                         check=True, capture_output=True, text=True, env=env).stdout.strip()
    try:
        yield tmp, stack, url
    finally:
        subprocess.run([script, "stop", stack], capture_output=True)
        subprocess.run(["rm", "-rf", tmp])
