"""The failure exits CI relies on: ``verify``, ``conformance`` and ``bench`` exit 1 and say FAILED (or the
command's failure word) on a planted wrong identity, 0 on a planted right one; ``docs serve`` serves a
built site on a free port and stops, or refuses clearly when there is none (issue 18 item 5)."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import urllib.request
from pathlib import Path

import pytest
from _support import planted_identity

from identities.__main__ import main

ROOT = Path(__file__).resolve().parents[1]


def right(x):
    return 2 * x


def wrong(x):  # scaled by 1.5: every reference must catch it
    return 3 * x


def _run(capsys, argv):
    code = main(argv)
    out, err = capsys.readouterr()
    return code, out + err


def _commands(ident_id):
    return {
        "verify": ["verify", ident_id, "--examples", "1"],
        "conformance": ["conformance", ident_id, "--framework", "jax", "--framework", "numpy-fd"],
        "bench": ["bench", "--only", ident_id, "--quick", "--no-progress"],
    }


# the words each command prints for the planted wrong identity (besides exit status 1)
FAILURE_WORDS = {
    "verify": [r"^FAILED \S+planted_square \[(jacfwd|jacrev|grad|fd)\]: .*scaled by 1\.5", r"0/1 identities verified"],
    "conformance": [
        r"^FAILED \S+planted_square \[jax (jacfwd|jacrev|grad)\]",
        r"^FAILED \S+planted_square \[numpy-fd fd\]",
    ],
    "bench": [r"planted_square .* refused", r"closed form disagrees with autodiff, not timed"],
}


@pytest.mark.parametrize("command", sorted(FAILURE_WORDS))
def test_wrong_identity_exits_1_and_says_failed(capsys, command):
    with planted_identity(wrong) as ident:
        code, text = _run(capsys, _commands(ident.id)[command])
    assert code == 1, text
    for pattern in FAILURE_WORDS[command]:
        assert re.search(pattern, text, re.MULTILINE), f"{command}: no {pattern!r} in\n{text}"
    assert "Traceback" not in text


@pytest.mark.parametrize("command", sorted(FAILURE_WORDS))
def test_right_identity_exits_0(capsys, command):
    """The control: the same planted identity with the right closed form passes the same command."""
    with planted_identity(right) as ident:
        code, text = _run(capsys, _commands(ident.id)[command])
    assert code == 0, text
    assert "FAILED" not in text and "refused" not in text


def test_docs_serve_refuses_when_the_site_is_not_built(capsys, tmp_path):
    code, text = _run(capsys, ["docs", "serve", "--no-build", "--out", str(tmp_path)])
    assert code == 2
    assert f"error: {tmp_path.resolve()} has no index.html: run `python -m identities docs build` first" in text


def test_docs_serve_serves_the_built_site_on_a_free_port_and_stops(tmp_path):
    page = "<html><body>planted site</body></html>"
    (tmp_path / "index.html").write_text(page, encoding="utf-8")
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "p.html").write_text("second page", encoding="utf-8")
    env = dict(os.environ, PYTHONPATH=str(ROOT) + os.pathsep + os.environ.get("PYTHONPATH", ""))
    # `python -m identities docs serve ...` as started from a terminal, where Ctrl-C raises KeyboardInterrupt:
    # a test run started as a background job of a non-interactive shell ignores SIGINT (POSIX), and a child
    # inherits that; three cold runs started so failed here, SigIgn 0x01001006 in the server's /proc status
    serve = (
        "import runpy, signal; signal.signal(signal.SIGINT, signal.default_int_handler); "
        "runpy.run_module('identities', run_name='__main__', alter_sys=True)"
    )
    proc = subprocess.Popen(
        [sys.executable, "-c", serve, "docs", "serve", "--no-build", "--out", str(tmp_path), "--port", "0"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        line = proc.stdout.readline()  # printed (and flushed) once the socket is bound
        m = re.match(r"serving (.+) at (http://127\.0\.0\.1:(\d+)/) \(Ctrl-C stops\)$", line.strip())
        assert m, f"unexpected first line {line!r}; stderr: {proc.stderr.read() if proc.poll() is not None else ''}"
        assert Path(m.group(1)) == tmp_path.resolve() and int(m.group(3)) > 0
        with urllib.request.urlopen(m.group(2), timeout=30) as r:
            assert r.status == 200 and r.read().decode() == page
        with urllib.request.urlopen(m.group(2) + "sub/p.html", timeout=30) as r:
            assert r.read().decode() == "second page"
        with pytest.raises(urllib.error.HTTPError, match="404"):
            urllib.request.urlopen(m.group(2) + "absent.html", timeout=30)
        proc.send_signal(signal.SIGINT)  # what Ctrl-C sends: the server stops and exits 0
        # communicate, not wait: the server's pipes are drained while it exits
        _out, err = proc.communicate(timeout=30)
        assert proc.returncode == 0, f"exit {proc.returncode}; stderr:\n{err[-3000:]}"
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
        proc.stdout.close()
        proc.stderr.close()
