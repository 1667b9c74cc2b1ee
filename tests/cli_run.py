"""Run the command line as a user would: arguments in, text and an exit status out.

``run`` calls ``charityrisk.cli.main`` in this process with standard output and error
captured (a fresh Python for every command cost about a second of imports); what a child
process would add (the exit status of ``sys.exit``, a traceback on standard error) it adds
the same way.  ``run_process`` is the real thing, a fresh ``python -m charityrisk``: kept for
a few smoke tests of the entry point itself."""
import contextlib
import io
import subprocess
import sys
import traceback


def run(*args) -> subprocess.CompletedProcess:
    from charityrisk.cli import main

    argv = [str(a) for a in args]
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        try:
            code = main(argv)
        except SystemExit as stop:  # argparse's usage errors and --help, as the process would exit
            if stop.code is None or isinstance(stop.code, int):
                code = stop.code or 0
            else:
                print(stop.code, file=sys.stderr)
                code = 1
        except Exception:  # what an uncaught error would show: the tests look for "Traceback"
            traceback.print_exc()
            code = 1
    return subprocess.CompletedProcess(["charityrisk", *argv], code, out.getvalue(), err.getvalue())


def run_process(*args) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "charityrisk", *map(str, args)],
                          capture_output=True, text=True, timeout=120)
