"""A temporary Jupyter environment for the kernel's end-to-end tests.

`install()` makes a temporary directory, points JUPYTER_DATA_DIR, JUPYTER_RUNTIME_DIR and
JUPYTER_CONFIG_DIR at it (JUPYTER_PATH is emptied, so only our kernelspec is found first) and
installs the llmspell kernelspec there with `llmspell kernel install --user`; `remove()`
uninstalls it with `llmspell kernel uninstall --user` and deletes the directory. Every test
module calls them from setUpModule / tearDownModule.

Runs with Debian's /usr/bin/python3 (python3-jupyter-client). The kernel is started by the
kernelspec's argv: the node that runs these tests (LLMSPELL_NODE, else `node` on PATH) and
bin/llmspell.js of this checkout, which must be built (`npx tsc -p .`).
"""
import json
import os
import queue
import shutil
import subprocess
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.abspath(os.path.join(HERE, "..", "..", ".."))
CLI = os.path.join(REPO, "bin", "llmspell.js")
NODE = os.environ.get("LLMSPELL_NODE") or shutil.which("node") or "node"
KERNEL_NAME = "llmspell"
TIMEOUT = 20

_saved = {}
_state = {"dir": None, "depth": 0}
_VARS = ("JUPYTER_DATA_DIR", "JUPYTER_RUNTIME_DIR", "JUPYTER_CONFIG_DIR", "JUPYTER_PATH", "JUPYTER_PREFER_ENV_PATH")


def cli(*args, check=True):
    """Runs `node bin/llmspell.js ARGS` in the temporary environment; returns the result."""
    r = subprocess.run([NODE, CLI, *args], capture_output=True, text=True, timeout=60, env=os.environ.copy())
    if check and r.returncode != 0:
        raise AssertionError(f"llmspell {' '.join(args)} exited {r.returncode}\nstdout: {r.stdout}\nstderr: {r.stderr}")
    return r


def spec_dir():
    return os.path.join(_state["dir"], "data", "kernels", KERNEL_NAME)


def install():
    """Creates the temporary Jupyter directories and installs the kernelspec (nested calls share one)."""
    _state["depth"] += 1
    if _state["dir"]:
        return _state["dir"]
    root = tempfile.mkdtemp(prefix="llmspell-jupyter-")
    _state["dir"] = root
    for var in _VARS:
        _saved[var] = os.environ.get(var)
    os.environ["JUPYTER_DATA_DIR"] = os.path.join(root, "data")
    os.environ["JUPYTER_RUNTIME_DIR"] = os.path.join(root, "runtime")
    os.environ["JUPYTER_CONFIG_DIR"] = os.path.join(root, "config")
    os.environ.pop("JUPYTER_PATH", None)
    os.environ.pop("JUPYTER_PREFER_ENV_PATH", None)
    try:
        cli("kernel", "install", "--user", "--name", KERNEL_NAME)
        with open(os.path.join(spec_dir(), "kernel.json")) as f:
            spec = json.load(f)
        assert spec["argv"][0] == NODE or os.path.isabs(spec["argv"][0]), spec
    except BaseException:
        remove(force=True)
        raise
    return root


def remove(force=False):
    """Uninstalls the kernelspec and deletes the temporary directories."""
    _state["depth"] = 0 if force else max(0, _state["depth"] - 1)
    root = _state["dir"]
    if not root or _state["depth"] > 0:
        return
    try:
        if os.path.exists(os.path.join(spec_dir(), "kernel.json")):
            cli("kernel", "uninstall", "--user", "--name", KERNEL_NAME, check=False)
    finally:
        shutil.rmtree(root, ignore_errors=True)
        _state["dir"] = None
        for var, value in _saved.items():
            if value is None:
                os.environ.pop(var, None)
            else:
                os.environ[var] = value


def start_kernel(**popen_args):
    """A KernelManager and a ready BlockingKernelClient on a new llmspell kernel (popen_args: stderr=…)."""
    from jupyter_client.manager import start_new_kernel

    return start_new_kernel(kernel_name=KERNEL_NAME, startup_timeout=TIMEOUT, **popen_args)


def stop_kernel(km, kc):
    try:
        kc.stop_channels()
    finally:
        km.shutdown_kernel(now=False)
        if km.has_kernel:
            km.shutdown_kernel(now=True)


class Conversation:
    """A client's side of one kernel: DAP over control, and waiting for iopub, shell and stdin."""

    def __init__(self, kc):
        self.kc = kc
        self.seq = 0
        self.iopub = []  # every iopub message seen, in order

    def debug(self, command, arguments=None, timeout=TIMEOUT):
        """Sends debug_request (a DAP request) on control; returns the debug_reply content."""
        self.seq += 1
        content = {"seq": self.seq, "type": "request", "command": command, "arguments": arguments or {}}
        msg = self.kc.session.msg("debug_request", content)
        self.kc.control_channel.send(msg)
        return self.control_reply(msg["header"]["msg_id"], timeout)["content"]

    def control_reply(self, msg_id, timeout=TIMEOUT):
        deadline = time.time() + timeout
        while True:
            reply = self.kc.get_control_msg(timeout=max(0.1, deadline - time.time()))
            if reply["parent_header"].get("msg_id") == msg_id:
                return reply

    def shell_reply(self, msg_id, timeout=TIMEOUT):
        deadline = time.time() + timeout
        while True:
            reply = self.kc.get_shell_msg(timeout=max(0.1, deadline - time.time()))
            if reply["parent_header"].get("msg_id") == msg_id:
                return reply

    def wait_iopub(self, predicate, timeout=TIMEOUT, what="an iopub message"):
        """The first iopub message (seen before or arriving now) for which predicate is true."""
        for m in self.iopub:
            if predicate(m):
                self.iopub.remove(m)
                return m
        deadline = time.time() + timeout
        while time.time() < deadline:
            try:
                m = self.kc.get_iopub_msg(timeout=max(0.05, deadline - time.time()))
            except queue.Empty:
                break
            if predicate(m):
                return m
            self.iopub.append(m)
        seen = [(m["msg_type"], m["content"]) for m in self.iopub[-20:]]
        raise AssertionError(f"no {what} within {timeout}s; last iopub messages: {seen}")

    def wait_event(self, event, timeout=TIMEOUT):
        """The next debug_event with this DAP event name."""
        return self.wait_iopub(
            lambda m: m["msg_type"] == "debug_event" and m["content"].get("event") == event,
            timeout,
            f"debug_event {event}",
        )["content"]

    def wait_idle(self, msg_id, timeout=TIMEOUT):
        return self.wait_iopub(
            lambda m: m["msg_type"] == "status"
            and m["content"]["execution_state"] == "idle"
            and m["parent_header"].get("msg_id") == msg_id,
            timeout,
            "idle status",
        )

    def outputs(self, msg_id, timeout=TIMEOUT):
        """Every iopub message of one request up to its idle status (which is left out)."""
        out = []
        deadline = time.time() + timeout
        pending = [m for m in self.iopub if m["parent_header"].get("msg_id") == msg_id]
        self.iopub = [m for m in self.iopub if m["parent_header"].get("msg_id") != msg_id]
        while True:
            if pending:
                m = pending.pop(0)
            else:
                try:
                    m = self.kc.get_iopub_msg(timeout=max(0.05, deadline - time.time()))
                except queue.Empty:
                    raise AssertionError(f"no idle status for {msg_id} within {timeout}s; got {[(x['msg_type'], x['content']) for x in out]}")
                if m["parent_header"].get("msg_id") != msg_id:
                    self.iopub.append(m)
                    continue
            if m["msg_type"] == "status" and m["content"]["execution_state"] == "idle":
                return out
            out.append(m)

    def stdout_of(self, msgs):
        return "".join(m["content"]["text"] for m in msgs if m["msg_type"] == "stream" and m["content"]["name"] == "stdout")

    def run(self, code, timeout=TIMEOUT, **kw):
        """Executes a cell; returns (execute_reply content, its iopub messages)."""
        msg_id = self.kc.execute(code, **kw)
        reply = self.shell_reply(msg_id, timeout)
        return reply["content"], self.outputs(msg_id, timeout)


def murmur2(text, seed):
    """Murmur2 (x86, 32 bit) of the UTF-8 bytes, as JupyterLab hashes a cell's code."""
    data = text.encode("utf-8")
    m = 0x5BD1E995
    h = (seed ^ len(data)) & 0xFFFFFFFF
    n = len(data) & ~3
    for i in range(0, n, 4):
        k = int.from_bytes(data[i:i + 4], "little")
        k = (k * m) & 0xFFFFFFFF
        k ^= k >> 24
        k = (k * m) & 0xFFFFFFFF
        h = ((h * m) & 0xFFFFFFFF) ^ k
    rest = len(data) & 3
    if rest:
        if rest == 3:
            h ^= data[n + 2] << 16
        if rest >= 2:
            h ^= data[n + 1] << 8
        h ^= data[n]
        h = (h * m) & 0xFFFFFFFF
    h ^= h >> 13
    h = (h * m) & 0xFFFFFFFF
    h ^= h >> 15
    return h
