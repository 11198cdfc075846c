"""The kernel's messaging beyond the conformance suite: signatures, interrupts, stop_on_error,
input_request for io.read, %%debug through input_request, state across cells, rich output,
silent cells, comms, unknown requests, restart.
"""
import os
import queue
import shutil
import signal
import subprocess
import tempfile
import time
import unittest

import zmq
from jupyter_client.connect import write_connection_file
from jupyter_client.session import Session

import kernel_env
from kernel_env import TIMEOUT, Conversation


def setUpModule():
    kernel_env.install()


def tearDownModule():
    kernel_env.remove()


class KernelCase(unittest.TestCase):
    def setUp(self):
        # The kernel's log (JSON lines on stderr) goes to a file the tests can read.
        self.log = tempfile.NamedTemporaryFile(prefix="llmspell-kernel-log-", suffix=".txt", delete=False)
        self.addCleanup(os.unlink, self.log.name)
        self.addCleanup(self.log.close)
        self.km, self.kc = kernel_env.start_kernel(stderr=self.log)
        self.addCleanup(lambda: kernel_env.stop_kernel(self.km, self.kc))
        self.c = Conversation(self.kc)

    def kernel_log(self):
        with open(self.log.name, encoding="utf-8", errors="replace") as f:
            return f.read()

    def run_ok(self, code, **kw):
        reply, outputs = self.c.run(code, **kw)
        self.assertEqual(reply["status"], "ok", f"{code!r}: {reply}")
        return outputs

    def result_of(self, code):
        outputs = self.run_ok(code)
        results = [m["content"]["data"]["text/plain"] for m in outputs if m["msg_type"] == "execute_result"]
        self.assertEqual(len(results), 1, f"{code!r}: {outputs}")
        return results[0]


class Signatures(KernelCase):
    def raw_shell(self):
        ctx = zmq.Context.instance()
        sock = ctx.socket(zmq.DEALER)
        sock.linger = 0
        cf = self.km.get_connection_info()
        sock.connect(f"{cf['transport']}://{cf['ip']}:{cf['shell_port']}")
        self.addCleanup(sock.close)
        return sock

    def test_bad_signature_is_dropped_and_logged_and_the_kernel_goes_on(self):
        sock = self.raw_shell()
        key = self.km.session.key
        self.assertTrue(key, "jupyter_client signs with a key")
        wrong = Session(key=b"not-the-key", signature_scheme="hmac-sha256", session="intruder")
        wrong.send(sock, "execute_request", {"code": "hacked = true", "silent": False, "store_history": True,
                                             "user_expressions": {}, "allow_stdin": False, "stop_on_error": True})
        # Frames with no signature at all, and a truncated message.
        sock.send_multipart([b"<IDS|MSG>", b"", b"{}", b"{}", b"{}", b"{}"])
        sock.send_multipart([b"<IDS|MSG>", b"abc"])
        self.assertEqual(sock.poll(1000), 0, "a reply came to a message with a bad signature")

        good = Session(key=key, signature_scheme="hmac-sha256", session="friend")
        good.send(sock, "kernel_info_request", {})
        self.assertEqual(sock.poll(TIMEOUT * 1000), zmq.POLLIN, "no reply to a well-signed message")
        _, frames = good.feed_identities(sock.recv_multipart())
        reply = good.deserialize(frames)
        self.assertEqual(reply["msg_type"], "kernel_info_reply")
        self.assertEqual(reply["content"]["language_info"]["name"], "lua")

        # The forged cell never ran; the kernel still serves its own client.
        self.assertEqual(self.result_of("tostring(hacked)"), "nil")
        log = self.kernel_log()
        self.assertIn("bad signature", log)
        self.assertIn("dropped a message", log)


class Interrupts(KernelCase):
    def interrupt_endless_loop(self, interrupt):
        self.run_ok("kept = 'state'")
        msg_id = self.kc.execute("while true do end")
        self.c.wait_iopub(lambda m: m["msg_type"] == "execute_input" and m["parent_header"].get("msg_id") == msg_id)
        time.sleep(0.3)
        interrupt()
        reply = self.c.shell_reply(msg_id, timeout=10)
        self.assertEqual(reply["content"]["status"], "error")
        self.assertEqual(reply["content"]["ename"], "Interrupted")
        errors = [m for m in self.c.outputs(msg_id) if m["msg_type"] == "error"]
        self.assertEqual(len(errors), 1)
        # Same session: globals are still there, and new cells run.
        self.assertEqual(self.result_of("kept"), "state")
        self.assertEqual(self.result_of("1 + 1"), "2")

    def test_interrupt_request_on_control_stops_an_endless_loop(self):
        self.assertEqual(self.km.kernel_spec.interrupt_mode, "message")
        self.interrupt_endless_loop(self.km.interrupt_kernel)

    def test_sigint_stops_an_endless_loop(self):
        self.interrupt_endless_loop(lambda: self.km.signal_kernel(signal.SIGINT))

    def test_interrupt_when_idle_is_harmless(self):
        self.km.interrupt_kernel()
        time.sleep(0.2)
        self.assertEqual(self.result_of("2 + 2"), "4")


class StopOnError(KernelCase):
    SLOW_ERROR = 'local t = os.clock() while os.clock() - t < 0.5 do end error("first cell fails")'

    def test_queued_cells_are_aborted_after_an_error(self):
        first = self.kc.execute(self.SLOW_ERROR)
        second = self.kc.execute("ran_second = true")
        third = self.kc.execute("ran_third = true")
        self.assertEqual(self.c.shell_reply(first)["content"]["status"], "error")
        self.assertEqual(self.c.shell_reply(second)["content"]["status"], "aborted")
        self.assertEqual(self.c.shell_reply(third)["content"]["status"], "aborted")
        for msg_id in (first, second, third):
            self.c.wait_idle(msg_id)
        # Cells sent after that run again.
        self.assertEqual(self.result_of("tostring(ran_second) .. ' ' .. tostring(ran_third)"), "nil nil")

    def test_stop_on_error_false_lets_queued_cells_run(self):
        first = self.kc.execute(self.SLOW_ERROR, stop_on_error=False)
        second = self.kc.execute("ran_second = true")
        self.assertEqual(self.c.shell_reply(first)["content"]["status"], "error")
        self.assertEqual(self.c.shell_reply(second)["content"]["status"], "ok")
        self.assertEqual(self.result_of("ran_second"), "true")

    def test_error_message_has_name_value_and_traceback(self):
        reply, outputs = self.c.run('local function f() error("deep") end\nf()')
        self.assertEqual(reply["status"], "error")
        err = [m["content"] for m in outputs if m["msg_type"] == "error"][0]
        self.assertEqual(err["ename"], "LuaError")
        self.assertIn("deep", err["evalue"])
        self.assertTrue(any("traceback" in line or "in " in line for line in err["traceback"]), err["traceback"])
        reply, outputs = self.c.run("x = = 1")
        self.assertEqual(reply["ename"], "SyntaxError")


class Input(KernelCase):
    def answer(self, text):
        req = self.kc.get_stdin_msg(timeout=TIMEOUT)
        self.assertEqual(req["msg_type"], "input_request")
        self.assertIn("prompt", req["content"])
        self.kc.input(text)
        return req

    def test_io_read_asks_the_frontend(self):
        msg_id = self.kc.execute('io.write("name? ")\nlocal s = io.read()\nprint("hello " .. s)', allow_stdin=True)
        self.answer("Ada")
        self.assertEqual(self.c.shell_reply(msg_id)["content"]["status"], "ok")
        self.assertEqual(self.c.stdout_of(self.c.outputs(msg_id)), "name? hello Ada\n")

    def test_two_reads_and_a_number(self):
        # Each answer is one line: "n" reads 21, the "l" after it reads the rest of that line.
        code = 'local a = io.read("n")\nlocal rest = io.read("l")\nlocal b = io.read("l")\nreturn a * 2, rest == "", b'
        msg_id = self.kc.execute(code, allow_stdin=True)
        self.answer("21")
        self.answer("text")
        self.assertEqual(self.c.shell_reply(msg_id)["content"]["status"], "ok")
        results = [m["content"]["data"]["text/plain"] for m in self.c.outputs(msg_id) if m["msg_type"] == "execute_result"]
        self.assertEqual(results, ["42\ttrue\ttext"])

    def test_interrupt_while_waiting_for_input(self):
        msg_id = self.kc.execute("local s = io.read()\nwaited = true", allow_stdin=True)
        self.kc.get_stdin_msg(timeout=TIMEOUT)
        self.km.interrupt_kernel()
        reply = self.c.shell_reply(msg_id, timeout=10)
        self.assertEqual(reply["content"]["status"], "error")
        self.assertEqual(reply["content"]["ename"], "Interrupted")
        self.assertEqual(self.result_of("tostring(waited)"), "nil")

    def test_without_stdin_io_read_fails_the_cell_and_later_cells_can_still_read(self):
        reply, outputs = self.c.run("local s = io.read()\nafter_read = true", allow_stdin=False)
        self.assertEqual(reply["status"], "error")
        self.assertEqual(reply["ename"], "StdinNotImplementedError")
        self.assertEqual([m["content"]["ename"] for m in outputs if m["msg_type"] == "error"], ["StdinNotImplementedError"])
        self.assertEqual(self.result_of("tostring(after_read)"), "nil")
        msg_id = self.kc.execute("return io.read()", allow_stdin=True)
        self.answer("again")
        self.assertEqual(self.c.shell_reply(msg_id)["content"]["status"], "ok")
        results = [m["content"]["data"]["text/plain"] for m in self.c.outputs(msg_id) if m["msg_type"] == "execute_result"]
        self.assertEqual(results, ["again"])


class DebugMagic(KernelCase):
    def test_debug_magic_stops_on_entry_and_reads_commands_through_input_request(self):
        code = "%%debug\nlocal a = 1\nlocal b = a + 1\nprint(a + b)"
        msg_id = self.kc.execute(code, allow_stdin=True)
        self.assertEqual(self.kc.get_stdin_msg(timeout=TIMEOUT)["msg_type"], "input_request")
        self.kc.input(".next")
        self.assertEqual(self.kc.get_stdin_msg(timeout=TIMEOUT)["msg_type"], "input_request")
        self.kc.input(".next")
        self.assertEqual(self.kc.get_stdin_msg(timeout=TIMEOUT)["msg_type"], "input_request")
        self.kc.input(".locals")
        self.assertEqual(self.kc.get_stdin_msg(timeout=TIMEOUT)["msg_type"], "input_request")
        self.kc.input("a + 40")
        self.assertEqual(self.kc.get_stdin_msg(timeout=TIMEOUT)["msg_type"], "input_request")
        self.kc.input(".continue")
        reply = self.c.shell_reply(msg_id)
        self.assertEqual(reply["content"]["status"], "ok")
        out = self.c.stdout_of(self.c.outputs(msg_id))
        self.assertRegex(out, r"Stopped at .*:1 \(entry\)")
        self.assertRegex(out, r"(?m)^  a = 1\n  b = 2$")  # .locals at line 3
        self.assertIn("41", out)
        self.assertTrue(out.endswith("3\n"), out)
        # The session goes on without stopping.
        self.assertEqual(self.result_of("1 + 1"), "2")

    def test_interrupt_at_the_debug_prompt_ends_the_cell(self):
        msg_id = self.kc.execute("%%debug\nlocal a = 1\nwhile true do end", allow_stdin=True)
        self.kc.get_stdin_msg(timeout=TIMEOUT)
        self.km.interrupt_kernel()
        reply = self.c.shell_reply(msg_id, timeout=10)
        self.assertEqual(reply["content"]["status"], "error")
        self.assertEqual(reply["content"]["ename"], "Interrupted")
        self.assertEqual(self.result_of("1 + 1"), "2")

    def test_interrupt_ends_a_cell_that_would_stop_again(self):
        """Interrupted at the prompt, a cell whose loop hits a breakpoint again still ends."""
        msg_id = self.kc.execute("%%debug\nlocal n = 0\nwhile true do\n  n = n + 1\nend", allow_stdin=True)
        self.kc.get_stdin_msg(timeout=TIMEOUT)
        self.kc.input(".break 4")
        self.kc.get_stdin_msg(timeout=TIMEOUT)
        self.km.interrupt_kernel()
        reply = self.c.shell_reply(msg_id, timeout=10)
        self.assertEqual(reply["content"]["ename"], "Interrupted")
        self.assertEqual(self.result_of("1 + 1"), "2")

    def test_breakpoints_of_a_debug_cell_end_with_it(self):
        body = "function twice(x)\n  local y = x * 2\n  return y\nend\nreturn twice(1)"
        msg_id = self.kc.execute("%%debug\n" + body, allow_stdin=True)
        self.kc.get_stdin_msg(timeout=TIMEOUT)
        self.kc.input(".break 3")
        self.kc.get_stdin_msg(timeout=TIMEOUT)
        self.kc.input(".continue")
        self.kc.get_stdin_msg(timeout=TIMEOUT)  # stopped at line 3
        self.kc.input("y")
        self.kc.get_stdin_msg(timeout=TIMEOUT)
        self.kc.input(".continue")
        self.assertEqual(self.c.shell_reply(msg_id)["content"]["status"], "ok")
        out = self.c.stdout_of(self.c.outputs(msg_id))
        self.assertIn("2", out)
        # The function lives on; its breakpoint does not.
        self.assertEqual(self.result_of("twice(21)"), "42")

    def test_quit_runs_the_cell_to_its_end_past_its_breakpoints(self):
        msg_id = self.kc.execute("%%debug\nlocal hits = 0\nfor i = 1, 3 do\n  hits = hits + 1\nend\nreturn hits", allow_stdin=True)
        self.kc.get_stdin_msg(timeout=TIMEOUT)
        self.kc.input(".break 4")
        self.kc.get_stdin_msg(timeout=TIMEOUT)
        self.kc.input(".continue")
        self.kc.get_stdin_msg(timeout=TIMEOUT)  # at line 4, first time round
        self.kc.input(".quit")
        self.assertEqual(self.c.shell_reply(msg_id)["content"]["status"], "ok")
        results = [m["content"]["data"]["text/plain"] for m in self.c.outputs(msg_id) if m["msg_type"] == "execute_result"]
        self.assertEqual(results, ["3"])

    def test_debug_cell_without_stdin_runs_through(self):
        reply, outputs = self.c.run("%%debug\nreturn 6 * 7", allow_stdin=False)
        self.assertEqual(reply["status"], "ok")
        self.assertEqual([m["content"]["data"]["text/plain"] for m in outputs if m["msg_type"] == "execute_result"], ["42"])

    def is_complete(self, code):
        return self.c.shell_reply(self.kc.is_complete(code))["content"]["status"]

    def test_debug_magic_is_complete(self):
        for code in ("%%debug", "%%debug\nx = 1", "?print", "string.format?"):
            self.assertEqual(self.is_complete(code), "complete", code)
        self.assertEqual(self.is_complete("%%debug\nfor i = 1, 2 do"), "incomplete")


class Cells(KernelCase):
    def test_globals_persist_and_locals_do_not(self):
        self.run_ok("g = 1\nlocal l = 2")
        self.assertEqual(self.result_of("g"), "1")
        self.assertEqual(self.result_of("tostring(l)"), "nil")
        self.run_ok("function inc(x) return x + g end")
        self.assertEqual(self.result_of("inc(41)"), "42")

    def test_execute_input_and_counts(self):
        msg_id = self.kc.execute("1")
        reply = self.c.shell_reply(msg_id)["content"]
        outputs = self.c.outputs(msg_id)
        inputs = [m["content"] for m in outputs if m["msg_type"] == "execute_input"]
        self.assertEqual(inputs, [{"code": "1", "execution_count": reply["execution_count"]}])
        result = [m["content"] for m in outputs if m["msg_type"] == "execute_result"][0]
        self.assertEqual(result["execution_count"], reply["execution_count"])
        later, _ = self.c.run("2")
        self.assertEqual(later["execution_count"], reply["execution_count"] + 1)
        unstored, _ = self.c.run("3", store_history=False)
        again, _ = self.c.run("4")
        self.assertEqual(again["execution_count"], reply["execution_count"] + 2)
        self.assertNotIn("3", [h[2] for h in self.kc.history(hist_access_type="tail", n=10, reply=True)["content"]["history"]])

    def test_silent_cells_publish_nothing_but_status(self):
        msg_id = self.kc.execute('print("quiet") silent_ran = 1 return 5', silent=True)
        reply = self.c.shell_reply(msg_id)["content"]
        self.assertEqual(reply["status"], "ok")
        outputs = self.c.outputs(msg_id)
        self.assertEqual([m["msg_type"] for m in outputs], ["status"])  # busy
        self.assertEqual(self.result_of("silent_ran"), "1")

    def test_stream_output_arrives_while_the_cell_runs(self):
        code = 'print("early")\nlocal t = os.clock() while os.clock() - t < 1 do end\nprint("late")'
        msg_id = self.kc.execute(code)
        first = self.c.wait_iopub(lambda m: m["msg_type"] == "stream" and m["parent_header"].get("msg_id") == msg_id)
        self.assertEqual(first["content"]["text"], "early\n")
        with self.assertRaises(queue.Empty):
            self.kc.get_shell_msg(timeout=0.2)  # the cell is still running
        self.assertEqual(self.c.shell_reply(msg_id)["content"]["status"], "ok")

    def test_display_and_clear_output_in_order_with_text(self):
        code = "\n".join([
            'print("before")',
            'jupyter.display({["text/html"] = "<b>é ✓</b>", ["text/plain"] = "bold"}, {isolated = "yes"})',
            'io.write("mid")',
            "jupyter.clear_output(true)",
            'jupyter.display(42)',
            'print("after")',
        ])
        outputs = [m for m in self.run_ok(code) if m["msg_type"] != "execute_input" and m["msg_type"] != "status"]
        kinds = [(m["msg_type"], m["content"].get("text") or m["content"].get("data") or m["content"].get("wait")) for m in outputs]
        self.assertEqual(kinds, [
            ("stream", "before\n"),
            ("display_data", {"text/html": "<b>é ✓</b>", "text/plain": "bold"}),
            ("stream", "mid"),
            ("clear_output", True),
            ("display_data", {"text/plain": "42"}),
            ("stream", "after\n"),
        ])
        self.assertEqual(outputs[1]["content"]["metadata"], {"isolated": "yes"})

    def test_large_display(self):
        outputs = self.run_ok('jupyter.display({["text/plain"] = string.rep("x", 100000)})')
        shown = [m["content"]["data"]["text/plain"] for m in outputs if m["msg_type"] == "display_data"]
        self.assertEqual(shown, ["x" * 100000])

    def test_help_pager(self):
        reply, _ = self.c.run("string.format?")
        self.assertEqual(reply["payload"][0]["source"], "page")
        self.assertIn("string.format(formatstring", reply["payload"][0]["data"]["text/plain"])

    def test_inspect_and_complete_user_values(self):
        self.run_ok("config = {alpha = 1, beta = 'two'}")
        r = self.kc.inspect("config", reply=True)["content"]
        self.assertTrue(r["found"])
        self.assertIn("alpha", r["data"]["text/plain"])
        self.assertFalse(self.kc.inspect("no_such_name", reply=True)["content"]["found"])
        r = self.kc.complete("config.al", reply=True)["content"]
        self.assertEqual((r["matches"], r["cursor_start"], r["cursor_end"]), (["alpha"], 7, 9))

    def test_os_exit_is_reported_not_fatal_to_the_frontend(self):
        reply, outputs = self.c.run("os.exit(3)")
        self.assertEqual(reply["status"], "error")
        self.assertEqual(reply["ename"], "Exit")


class Requests(KernelCase):
    def request(self, msg_type, content=None, channel="shell"):
        msg = self.kc.session.msg(msg_type, content or {})
        getattr(self.kc, f"{channel}_channel").send(msg)
        if channel == "shell":
            return self.c.shell_reply(msg["header"]["msg_id"])
        return self.c.control_reply(msg["header"]["msg_id"])

    def test_comm_info_and_comm_open(self):
        self.assertEqual(self.request("comm_info_request")["content"], {"status": "ok", "comms": {}})
        msg = self.kc.session.msg("comm_open", {"comm_id": "c1", "target_name": "nothing", "data": {}})
        self.kc.shell_channel.send(msg)
        closed = self.c.wait_iopub(lambda m: m["msg_type"] == "comm_close")
        self.assertEqual(closed["content"]["comm_id"], "c1")

    def test_unknown_request_gets_an_error_reply(self):
        reply = self.request("no_such_request")
        self.assertEqual(reply["msg_type"], "no_such_reply")
        self.assertEqual(reply["content"]["status"], "error")

    def test_kernel_info_on_control(self):
        reply = self.request("kernel_info_request", channel="control")
        info = reply["content"]
        self.assertTrue(info["debugger"])
        self.assertEqual(info["language_info"]["mimetype"], "text/x-lua")
        self.assertEqual(info["language_info"]["codemirror_mode"], "lua")
        self.assertEqual(info["language_info"]["pygments_lexer"], "lua")
        self.assertTrue(info["help_links"])
        self.assertGreaterEqual(tuple(int(x) for x in info["protocol_version"].split(".")), (5, 3))

    def test_restart_gives_a_fresh_session(self):
        self.run_ok("before_restart = 1")
        self.km.restart_kernel(now=False)
        self.kc.wait_for_ready(timeout=TIMEOUT)
        self.assertEqual(self.result_of("tostring(before_restart)"), "nil")

    def test_heartbeat(self):
        self.assertTrue(self.kc.hb_channel.is_beating() or self.kc.is_alive())


def process_state(pid):
    """The process's state letter (R, S, Z, ...), or None once it is gone."""
    try:
        with open(f"/proc/{pid}/stat") as f:
            return f.read().rsplit(")", 1)[1].split()[0]
    except OSError:
        return None


class Lifecycle(unittest.TestCase):
    def test_kernel_exits_when_its_launcher_dies(self):
        """Started by a launcher that then dies (a killed frontend), the kernel ends itself."""
        folder = tempfile.mkdtemp(prefix="llmspell-orphan-")
        self.addCleanup(shutil.rmtree, folder, True)
        cf, _ = write_connection_file(os.path.join(folder, "kernel.json"), key=b"secret")
        # The launcher: a shell that starts the kernel in the background, prints its pid, and exits.
        launcher = f'export JPY_PARENT_PID=$$; "{kernel_env.NODE}" "{kernel_env.CLI}" kernel start --connection-file "{cf}" </dev/null >/dev/null 2>&1 & echo $!'
        pid = int(subprocess.run(["sh", "-c", launcher], capture_output=True, text=True, timeout=10, check=True).stdout)

        def kill():
            if process_state(pid) not in (None, "Z"):
                os.kill(pid, signal.SIGKILL)
        self.addCleanup(kill)
        deadline = time.time() + 20
        while time.time() < deadline and process_state(pid) not in (None, "Z"):
            time.sleep(0.2)
        self.assertIn(process_state(pid), (None, "Z"), "the kernel outlived its launcher")
        self.assertFalse(os.path.exists(os.path.join(tempfile.gettempdir(), f"llmspell_{pid}")), "cell files left behind")


if __name__ == "__main__":
    unittest.main()
