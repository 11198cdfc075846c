"""Jupyter's own conformance suite (jupyter_kernel_test.KernelTests) against the llmspell kernel,
with Lua samples for every test it offers. The kernelspec is installed into a temporary
JUPYTER_DATA_DIR for the run (see kernel_env.py).
"""
import unittest

import jupyter_kernel_test

import kernel_env


def setUpModule():
    kernel_env.install()


def tearDownModule():
    kernel_env.remove()


class LlmspellKernelTests(jupyter_kernel_test.KernelTests):
    kernel_name = kernel_env.KERNEL_NAME
    language_name = "lua"
    file_extension = ".lua"

    code_hello_world = 'print("hello, world")'
    code_stderr = 'io.stderr:write("to stderr\\n")'

    completion_samples = [
        {"text": "pri", "matches": {"print"}},
        {"text": "string.for", "matches": {"format"}},
        {"text": "whi", "matches": {"while"}},
        {"text": "io.stdout:wri", "matches": {"write"}},
        {"text": "math.pi", "matches": {"pi"}},
    ]

    complete_code_samples = [
        "1 + 1",
        'print("hi")',
        "function f(x) return x * 2 end",
        "t = {1, 2, 3}",
        "for i = 1, 3 do print(i) end",
        "",
    ]
    incomplete_code_samples = [
        "function f(x)",
        "if x then",
        "t = {1, 2,",
        "for i = 1, 3 do",
        "s = [[long",
        "print(",
    ]
    invalid_code_samples = [
        "x = = 1",
        "end",
        "local 1 = 2",
        "print(1))",
    ]

    code_page_something = "?string.format"

    code_generate_error = 'error("boom")'

    code_execute_result = [
        {"code": "1 + 1", "result": "2"},
        {"code": "6 * 7", "result": "42"},
        {"code": '"ab" .. "cd"', "result": "abcd"},
        {"code": "x_from_cell = 10; return x_from_cell + 1", "result": "11"},
    ]

    code_display_data = [
        {"code": 'jupyter.display({["text/html"] = "<b>hi</b>"})', "mime": "text/html"},
        {"code": 'jupyter.display("plain text")', "mime": "text/plain"},
        {"code": 'jupyter.display({["text/markdown"] = "# title", ["text/plain"] = "title"})', "mime": "text/markdown"},
    ]

    code_clear_output = "jupyter.clear_output()"

    supported_history_operations = ("tail", "range", "search")
    code_history_pattern = "6*7"

    code_inspect_sample = "print"


if __name__ == "__main__":
    unittest.main()
