"""The debugger flow JupyterLab's debugger panel uses, over jupyter_client: DAP requests as
debug_request on control, DAP events as debug_event on iopub, a breakpoint in a cell that
hits when the cell runs (the cell is dumped to the file JupyterLab names by Murmur2 hash).
"""
import os
import unittest

import kernel_env
from kernel_env import Conversation, murmur2

CELL = "\n".join([
    "counter = 40",
    "local a = 1",
    "local b = a + 1",
    "counter = counter + b",
    'print("sum", a + b)',
])


def setUpModule():
    kernel_env.install()


def tearDownModule():
    kernel_env.remove()


class DebuggerFlow(unittest.TestCase):
    def setUp(self):
        self.km, self.kc = kernel_env.start_kernel()
        self.addCleanup(lambda: kernel_env.stop_kernel(self.km, self.kc))
        self.c = Conversation(self.kc)

    def ok(self, command, arguments=None):
        r = self.c.debug(command, arguments)
        self.assertEqual(r.get("type"), "response", r)
        self.assertEqual(r.get("command"), command, r)
        self.assertTrue(r.get("success"), f"{command} failed: {r}")
        return r.get("body") or {}

    def start_debugging(self):
        caps = self.ok("initialize", {
            "clientID": "jupyterlab", "clientName": "JupyterLab", "adapterID": "lua",
            "pathFormat": "path", "linesStartAt1": True, "columnsStartAt1": True,
            "supportsVariableType": True, "supportsVariablePaging": True,
            "supportsRunInTerminalRequest": True, "locale": "en-us",
        })
        self.assertTrue(caps.get("supportsConfigurationDoneRequest"), caps)
        self.ok("attach", {})
        self.c.wait_event("initialized")

    def test_jupyterlab_debugger_flow(self):
        c = self.c
        self.start_debugging()

        info = self.ok("debugInfo")
        self.assertTrue(info["isStarted"])
        self.assertEqual(info["hashMethod"], "Murmur2")
        self.assertIsInstance(info["hashSeed"], int)
        self.assertEqual(info["tmpFileSuffix"], ".lua")
        self.assertEqual(info["breakpoints"], [])
        self.assertEqual(info["stoppedThreads"], [])
        self.assertIn("richRendering", info)
        self.assertIn("exceptionPaths", info)

        # dumpCell writes the cell where JupyterLab expects it: prefix + murmur2(code) + suffix.
        path = self.ok("dumpCell", {"code": CELL})["sourcePath"]
        expected = f"{info['tmpFilePrefix']}{murmur2(CELL, info['hashSeed'])}{info['tmpFileSuffix']}"
        self.assertEqual(path, expected)
        with open(path, encoding="utf-8") as f:
            self.assertEqual(f.read(), CELL)

        bps = self.ok("setBreakpoints", {"source": {"path": path}, "breakpoints": [{"line": 4}], "sourceModified": False})
        self.assertEqual(len(bps["breakpoints"]), 1)
        self.assertTrue(bps["breakpoints"][0]["verified"], bps)
        self.assertEqual(bps["breakpoints"][0]["line"], 4)
        self.assertEqual(self.ok("debugInfo")["breakpoints"], [{"source": path, "breakpoints": [{"line": 4}]}])
        self.ok("configurationDone")

        msg_id = self.kc.execute(CELL)
        stopped = c.wait_event("stopped")
        self.assertEqual(stopped["body"]["reason"], "breakpoint")
        thread = stopped["body"]["threadId"]
        self.assertEqual(self.ok("debugInfo")["stoppedThreads"], [thread])

        # The kernel still answers on control while the cell is stopped.
        kernel_info = self.kc.session.msg("kernel_info_request", {})
        self.kc.control_channel.send(kernel_info)
        self.assertEqual(c.control_reply(kernel_info["header"]["msg_id"])["content"]["status"], "ok")

        frames = self.ok("stackTrace", {"threadId": thread})["stackFrames"]
        self.assertEqual(frames[0]["source"]["path"], path)
        self.assertEqual(frames[0]["line"], 4)
        frame = frames[0]["id"]

        scopes = self.ok("scopes", {"frameId": frame})["scopes"]
        local = next(s for s in scopes if s["name"].lower().startswith("local"))
        variables = {v["name"]: v for v in self.ok("variables", {"variablesReference": local["variablesReference"]})["variables"]}
        self.assertEqual(variables["a"]["value"], "1")
        self.assertEqual(variables["b"]["value"], "2")

        self.assertEqual(self.ok("evaluate", {"expression": "a + b", "frameId": frame, "context": "watch"})["result"], "3")
        self.assertEqual(self.ok("evaluate", {"expression": "counter", "frameId": frame, "context": "repl"})["result"], "40")

        rich = self.ok("richInspectVariables", {"variableName": "b", "frameId": frame})
        self.assertEqual(rich["data"]["text/plain"], "2")

        copied = self.ok("copyToGlobals", {"srcVariableName": "b", "dstVariableName": "b_global", "srcFrameId": frame})
        self.assertEqual(copied["value"], "2")

        self.ok("continue", {"threadId": thread})
        reply = c.shell_reply(msg_id)
        self.assertEqual(reply["content"]["status"], "ok")
        outputs = c.outputs(msg_id)
        self.assertEqual(c.stdout_of(outputs), "sum\t3\n")

        globals_ = {v["name"]: v for v in self.ok("inspectVariables")["variables"]}
        self.assertEqual(globals_["counter"]["value"], "42")
        self.assertEqual(globals_["b_global"]["value"], "2")
        self.assertNotIn("print", globals_)
        self.assertNotIn("string", globals_)
        self.assertNotIn("a", globals_)  # a local of the cell, gone with it

        rich = self.ok("richInspectVariables", {"variableName": "counter"})
        self.assertEqual(rich["data"]["text/plain"], "42")

        self.ok("disconnect", {"restart": False, "terminateDebuggee": False})
        self.assertFalse(self.ok("debugInfo")["isStarted"])
        self.assertEqual(self.ok("debugInfo")["breakpoints"], [])

        # After disconnect the same cell runs through: its breakpoint went with the session.
        reply, outputs = c.run(CELL)
        self.assertEqual(reply["status"], "ok")
        self.assertEqual(c.stdout_of(outputs), "sum\t3\n")

    def test_source_and_breakpoint_in_function_of_earlier_cell(self):
        """A breakpoint in a function defined by one cell hits when a later cell calls it."""
        c = self.c
        self.start_debugging()
        define = "function double(x)\n  local y = x * 2\n  return y\nend"
        path = self.ok("dumpCell", {"code": define})["sourcePath"]
        self.assertEqual(self.ok("source", {"source": {"path": path}})["content"], define)
        self.ok("setBreakpoints", {"source": {"path": path}, "breakpoints": [{"line": 3}]})
        self.ok("configurationDone")
        reply, _ = c.run(define)
        self.assertEqual(reply["status"], "ok")

        msg_id = self.kc.execute("double(21)")
        stopped = c.wait_event("stopped")
        frames = self.ok("stackTrace", {"threadId": stopped["body"]["threadId"]})["stackFrames"]
        self.assertEqual((frames[0]["source"]["path"], frames[0]["line"]), (path, 3))
        self.assertEqual(self.ok("evaluate", {"expression": "y", "frameId": frames[0]["id"]})["result"], "42")
        self.ok("continue", {"threadId": stopped["body"]["threadId"]})
        self.assertEqual(c.shell_reply(msg_id)["content"]["status"], "ok")
        results = [m for m in c.outputs(msg_id) if m["msg_type"] == "execute_result"]
        self.assertEqual(results[0]["content"]["data"]["text/plain"], "42")
        self.ok("disconnect", {"restart": False, "terminateDebuggee": False})

    def test_interrupt_while_stopped_at_a_breakpoint_ends_the_cell(self):
        c = self.c
        self.start_debugging()
        code = "stopped_here = 1\nafter_stop = true"
        path = self.ok("dumpCell", {"code": code})["sourcePath"]
        self.ok("setBreakpoints", {"source": {"path": path}, "breakpoints": [{"line": 1}]})
        self.ok("configurationDone")
        msg_id = self.kc.execute(code)
        c.wait_event("stopped")
        self.km.interrupt_kernel()
        reply = c.shell_reply(msg_id)
        self.assertEqual(reply["content"]["status"], "error", reply)
        self.assertEqual(reply["content"]["ename"], "Interrupted")
        c.wait_event("continued")
        self.assertEqual(self.ok("debugInfo")["stoppedThreads"], [])
        self.ok("setBreakpoints", {"source": {"path": path}, "breakpoints": []})
        reply, outputs = c.run("return 5")
        self.assertEqual(reply["status"], "ok")
        self.ok("disconnect", {"restart": False, "terminateDebuggee": False})

    def test_disconnect_while_stopped_lets_the_cell_finish(self):
        c = self.c
        self.start_debugging()
        code = "x1 = 1\nx2 = 2\nreturn x1 + x2"
        path = self.ok("dumpCell", {"code": code})["sourcePath"]
        self.ok("setBreakpoints", {"source": {"path": path}, "breakpoints": [{"line": 2}]})
        self.ok("configurationDone")
        msg_id = self.kc.execute(code)
        c.wait_event("stopped")
        self.ok("disconnect", {"restart": False, "terminateDebuggee": False})
        self.assertEqual(c.shell_reply(msg_id)["content"]["status"], "ok")
        results = [m["content"]["data"]["text/plain"] for m in c.outputs(msg_id) if m["msg_type"] == "execute_result"]
        self.assertEqual(results, ["3"])

    def test_debug_info_before_the_debugger_starts(self):
        """JupyterLab asks debugInfo first, to restore a debugger that is already running."""
        info = self.ok("debugInfo")
        self.assertFalse(info["isStarted"])
        self.assertEqual((info["breakpoints"], info["stoppedThreads"]), ([], []))
        self.start_debugging()
        self.assertTrue(self.ok("debugInfo")["isStarted"])

    def test_variable_explorer_expands_a_global_table_while_idle(self):
        self.start_debugging()
        self.ok("configurationDone")
        reply, _ = self.c.run("config = {name = 'lua', sizes = {1, 2, 3}}")
        self.assertEqual(reply["status"], "ok")
        config = {v["name"]: v for v in self.ok("inspectVariables")["variables"]}["config"]
        self.assertGreater(config["variablesReference"], 0)
        fields = {v["name"]: v["value"] for v in self.ok("variables", {"variablesReference": config["variablesReference"]})["variables"]}
        self.assertEqual(fields["name"], '"lua"')
        self.assertIn("sizes", fields)
        self.assertEqual(self.ok("evaluate", {"expression": "#config.sizes", "context": "repl"})["result"], "3")

    def test_an_uncaught_error_stops_with_the_exception_filter(self):
        c = self.c
        caps = self.c.debug("initialize", {"adapterID": "lua", "pathFormat": "path", "linesStartAt1": True, "columnsStartAt1": True})["body"]
        filters = [f["filter"] for f in caps["exceptionBreakpointFilters"]]
        self.assertIn("uncaught", filters)
        self.assertFalse(caps.get("supportsRestartRequest"), "the debugger cannot restart a notebook's kernel")
        self.ok("attach", {})
        self.ok("setExceptionBreakpoints", {"filters": ["uncaught"]})
        self.ok("configurationDone")
        msg_id = self.kc.execute('local reason = "bad input"\nerror(reason)')
        stopped = c.wait_event("stopped")
        self.assertEqual(stopped["body"]["reason"], "exception")
        frame = self.ok("stackTrace", {"threadId": stopped["body"]["threadId"]})["stackFrames"][0]
        self.assertEqual(self.ok("evaluate", {"expression": "reason", "frameId": frame["id"]})["result"], '"bad input"')
        self.ok("continue", {"threadId": stopped["body"]["threadId"]})
        reply = c.shell_reply(msg_id)["content"]
        self.assertEqual(reply["status"], "error")
        self.assertIn("bad input", reply["evalue"])
        self.ok("disconnect", {"restart": False, "terminateDebuggee": False})

    def test_terminate_stops_the_cell_not_the_kernel_and_restart_is_refused(self):
        c = self.c
        self.start_debugging()
        self.ok("configurationDone")
        c.run("survivor = 7")
        msg_id = self.kc.execute("while true do end")
        c.wait_iopub(lambda m: m["msg_type"] == "execute_input" and m["parent_header"].get("msg_id") == msg_id)
        self.ok("terminate", {})
        self.assertEqual(c.shell_reply(msg_id)["content"]["ename"], "Interrupted")
        restart = c.debug("restart", {})
        self.assertFalse(restart["success"])
        self.assertIn("restart the kernel", restart["message"])
        # disconnect with terminateDebuggee must not end the kernel's session either.
        self.ok("disconnect", {"restart": False, "terminateDebuggee": True})
        reply, outputs = c.run("survivor")
        self.assertEqual([m["content"]["data"]["text/plain"] for m in outputs if m["msg_type"] == "execute_result"], ["7"])

    def test_unknown_and_malformed_debug_requests_are_answered(self):
        r = self.c.debug("noSuchCommand")
        self.assertFalse(r["success"])
        self.assertTrue(r.get("message"))
        r = self.c.debug("dumpCell", {})
        self.assertFalse(r["success"])
        self.assertIn("code", r.get("message", ""))
        r = self.c.debug("copyToGlobals", {"srcVariableName": "x", "dstVariableName": "y", "srcFrameId": 1})
        self.assertFalse(r["success"])

    def test_cell_files_are_removed_at_shutdown(self):
        self.start_debugging()
        info = self.ok("debugInfo")
        folder = os.path.dirname(info["tmpFilePrefix"])
        self.ok("dumpCell", {"code": "x = 1"})
        self.assertTrue(os.path.isdir(folder))
        kernel_env.stop_kernel(self.km, self.kc)
        self.assertFalse(os.path.exists(folder), f"{folder} left behind")
        self.km, self.kc = kernel_env.start_kernel()


if __name__ == "__main__":
    unittest.main()
