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
        self.c = Conversation(self.kc)

    def tearDown(self):
        kernel_env.stop_kernel(self.km, self.kc)

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
