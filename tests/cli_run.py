"""Run the command line as a user would: a fresh process, text in and out."""
import subprocess
import sys


def run(*args) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "charityrisk", *map(str, args)],
                          capture_output=True, text=True, timeout=120)
