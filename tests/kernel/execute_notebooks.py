"""Executes several notebooks, one after the other, in ONE kernel process (nbclient), as nbconvert --execute would
one by one, but paying the kernel start once. Used by tests/P2PFlex.Kernel.Tests (OfficialKernelTests) for the
official .NET Interactive kernel, whose start costs 5-10 s per notebook.

usage: execute_notebooks.py --kernel NAME --cwd DIR --timeout SECONDS --out DIR NOTEBOOK...

- The kernel starts in --cwd (the notebooks' folder: relative #r/#load paths and data lookups resolve from there).
- Each notebook gets --timeout seconds in all; a notebook that runs over is stopped (kernel restarted) and the next
  one goes on.
- Writes each executed notebook to --out under its file name (also when a cell failed: outputs up to the failure),
  and --out/summary.json: [{"name", "status": "ok"|"error"|"timeout", "seconds", "message"}].
- Exit code 0 when every notebook ran without error, else 1.
"""
import argparse
import asyncio
import json
import os
import sys
import time

import nbformat
from jupyter_client.manager import AsyncKernelManager
from nbclient import NotebookClient
from nbclient.exceptions import CellExecutionError


async def run(args):
    km = AsyncKernelManager(kernel_name=args.kernel)
    await km.start_kernel(cwd=args.cwd)
    kc = None
    summary = []
    try:
        for path in args.notebooks:
            name = os.path.basename(path)
            nb = nbformat.read(path, as_version=4)
            # the notebook's deadline (wait_for below) comes first; nbclient's per-cell timeout is only a backstop
            client = NotebookClient(nb, km=km, kernel_name=args.kernel, timeout=args.timeout + 60,
                                    resources={"metadata": {"path": args.cwd}})
            client.kc = kc
            started = time.monotonic()
            status, message = "ok", ""
            task = asyncio.ensure_future(client.async_execute())
            done, _ = await asyncio.wait({task}, timeout=args.timeout)
            if not done:
                # nbclient turns the cancellation into an error of its own; the deadline is what happened
                task.cancel()
                try:
                    await task
                except BaseException:
                    pass
                status, message = "timeout", f"did not finish within {args.timeout} s"
            elif isinstance(task.exception(), CellExecutionError):
                status, message = "error", str(task.exception())[-4000:]
            elif task.exception() is not None:  # a kernel that died, a protocol error: report it and go on
                status, message = "error", f"{type(task.exception()).__name__}: {task.exception()}"
            seconds = time.monotonic() - started
            kc = client.kc
            if status != "ok":
                # a stuck or broken kernel must not spoil the next notebook
                await km.restart_kernel(now=True)
                if kc is not None:
                    kc.stop_channels()
                kc = None
            nbformat.write(nb, os.path.join(args.out, name))
            summary.append({"name": name, "status": status, "seconds": round(seconds, 2), "message": message})
            print(f"{name}: {status} in {seconds:.1f} s", file=sys.stderr, flush=True)
    finally:
        if kc is not None:
            kc.stop_channels()
        await km.shutdown_kernel(now=False)
    with open(os.path.join(args.out, "summary.json"), "w", encoding="utf-8") as f:
        json.dump(summary, f, indent=1)
    return 0 if all(s["status"] == "ok" for s in summary) else 1


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--kernel", required=True)
    p.add_argument("--cwd", required=True)
    p.add_argument("--timeout", type=int, required=True)
    p.add_argument("--out", required=True)
    p.add_argument("notebooks", nargs="+")
    args = p.parse_args()
    os.makedirs(args.out, exist_ok=True)
    sys.exit(asyncio.run(run(args)))


if __name__ == "__main__":
    main()
