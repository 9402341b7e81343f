"""Jupyter's own kernel conformance tests (jupyter_kernel_test, Debian python3-jupyter-kernel-test) against the
installed P2PFlex C# kernelspec. Run by tests/P2PFlex.Kernel.Tests (JupyterToolsTests), which installs the kernelspec
into a temporary prefix and points JUPYTER_PATH at it; by hand:

    dotnet run --project src/P2PFlex.Cli -- kernel install --prefix /tmp/k
    JUPYTER_PATH=/tmp/k/share/jupyter /usr/bin/python3 -m unittest -v tests/kernel/test_p2pflex_kernel.py

Not covered (the kernel has no such feature; the xunit test checks that these and only these are skipped):
test_pager (no pager payloads) and test_clear_output (no clear_output in cells).
"""
import unittest

import jupyter_kernel_test as jkt


class P2PFlexKernelTests(jkt.KernelTests):
    kernel_name = "p2pflex-csharp"
    language_name = "C#"
    file_extension = ".cs"

    code_hello_world = 'Console.WriteLine("hello, world");'
    code_stderr = 'Console.Error.WriteLine("to stderr");'

    completion_samples = [
        {"text": "Console.Wri", "matches": {"Write", "WriteLine"}},
        {"text": "Math.Sq", "matches": {"Sqrt"}},
    ]

    complete_code_samples = ["1+1", "var x = 1;", "Console.WriteLine(1);", "if (true) { }"]
    incomplete_code_samples = ["var x = (", "if (true) {", 'var s = "abc', "for (int i = 0; i < 3; i++)"]
    invalid_code_samples = ["var = ;", "x = = 1;", "int 1x = 2;"]

    code_generate_error = 'throw new InvalidOperationException("boom");'

    code_execute_result = [
        {"code": "6*7", "result": "42"},
        {"code": '"text"', "result": "text"},
        {"code": "1.5 + 1", "result": "2.5"},
    ]

    code_display_data = [
        {"code": 'display(HTML("<b>bold</b>"));', "mime": "text/html"},
        {"code": "display(42);", "mime": "text/plain"},
    ]

    code_history_pattern = "6?7"
    supported_history_operations = ("tail", "range", "search")

    code_inspect_sample = "Console"


if __name__ == "__main__":
    unittest.main()
