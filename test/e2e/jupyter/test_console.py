"""`jupyter console --kernel llmspell` in a real terminal (a detached tmux session): type Lua,
see its value, answer io.read, quit. Needs Debian's jupyter-console and tmux.
"""
import os
import shutil
import signal
import subprocess
import tempfile
import time
import unittest

import kernel_env

JUPYTER = "/usr/bin/jupyter"


def console_missing():
    if not shutil.which("tmux"):
        return "tmux is not installed (apt-get install tmux)"
    try:
        import jupyter_console  # noqa: F401
    except ImportError:
        return "jupyter console is not installed (apt-get install jupyter-console)"
    if not os.path.exists(JUPYTER):
        return f"{JUPYTER} is missing (apt-get install jupyter-core)"
    return None


def setUpModule():
    if not console_missing():
        kernel_env.install()


def tearDownModule():
    if not console_missing():
        kernel_env.remove()


@unittest.skipIf(console_missing(), console_missing())
class JupyterConsole(unittest.TestCase):
    def setUp(self):
        self.socket = f"llmspell-test-{os.getpid()}"

    def tmux(self, *args, check=True):
        return subprocess.run(["tmux", "-L", self.socket, "-f", "/dev/null", *args], capture_output=True, text=True, check=check, timeout=20)

    def screen(self):
        return self.tmux("capture-pane", "-p", "-J", "-S", "-200", "-t", "console", check=False).stdout

    def wait_for(self, text, timeout=30):
        deadline = time.time() + timeout
        while time.time() < deadline:
            shown = self.screen()
            if text in shown:
                return shown
            time.sleep(0.2)
        self.fail(f"{text!r} did not appear within {timeout}s; the screen:\n{self.screen()}")

    def type_line(self, text, settle=0.5):
        """Types a line and Enter, then waits a little: jupyter console asks the kernel whether
        the input is complete on each Enter, and keys typed during that wait confuse it."""
        self.tmux("send-keys", "-t", "console", "-l", text)
        self.tmux("send-keys", "-t", "console", "Enter")
        time.sleep(settle)

    def kernel_pids(self):
        """Live processes whose command line names this test's Jupyter runtime dir (its kernels)."""
        runtime = os.environ.get("JUPYTER_RUNTIME_DIR", "")
        found = []
        for pid in os.listdir("/proc") if runtime else []:
            if not pid.isdigit():
                continue
            try:
                with open(f"/proc/{pid}/cmdline", "rb") as f:
                    cmdline = f.read().decode(errors="replace")
                with open(f"/proc/{pid}/stat") as f:
                    zombie = f.read().rsplit(")", 1)[1].split()[0] == "Z"
            except OSError:
                continue
            if runtime in cmdline and "\0kernel\0start\0" in cmdline and not zombie:
                found.append(int(pid))
        return found

    def wait_no_kernels(self, timeout):
        deadline = time.time() + timeout
        while self.kernel_pids() and time.time() < deadline:
            time.sleep(0.2)
        return self.kernel_pids()

    def kill_leftovers(self):
        """Ends (by pid) kernels that outlived the console. A kernel whose launcher died ends by
        itself within a second or two: wait for that first."""
        for pid in self.wait_no_kernels(5):
            try:
                os.kill(pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
            shutil.rmtree(os.path.join(tempfile.gettempdir(), f"llmspell_{pid}"), ignore_errors=True)

    def tearDown(self):
        self.tmux("kill-server", check=False)
        self.kill_leftovers()

    def test_console_runs_lua(self):
        env = {k: os.environ[k] for k in ("JUPYTER_DATA_DIR", "JUPYTER_RUNTIME_DIR", "JUPYTER_CONFIG_DIR")}
        console = " ".join([
            "env", *[f"{k}={v}" for k, v in env.items()],
            JUPYTER, "console", "--kernel", kernel_env.KERNEL_NAME,
        ])
        # The shell reports the console's exit status and keeps the pane until tearDown.
        command = f"sh -c '{console}; echo \"[console exited: $?]\"; sleep 60'"
        self.tmux("new-session", "-d", "-s", "console", "-x", "120", "-y", "40", command)
        self.wait_for("In [1]:")
        self.assertIn("llmspell", self.screen())  # the kernel's banner

        self.type_line("1 + 1")
        self.wait_for("Out[1]: 2")

        self.type_line('greeting = "hello from " .. _VERSION; print(greeting)')
        self.wait_for("hello from Lua 5.4")

        self.type_line("for i = 1, 3 do")  # incomplete: the console asks for more lines
        self.type_line("  io.write(i, ' ')")
        self.type_line("end")
        self.type_line("")
        self.wait_for("1 2 3")

        self.type_line('print("you said " .. io.read())')
        time.sleep(0.5)
        self.type_line("lua")
        self.wait_for("you said lua")

        self.type_line('error("oops")')
        self.wait_for("oops")

        self.assertEqual(len(self.kernel_pids()), 1, "one kernel runs for the console")
        self.type_line("exit")
        self.wait_for("[console exited: 0]")
        self.assertEqual(self.wait_no_kernels(10), [], "the console shut its kernel down")


if __name__ == "__main__":
    unittest.main()
