"""Issue 14, item 9: an export that cannot be written is one line (E031), not a traceback,
and leaves no partial file behind."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest


def export(store: Path, *args: str, stdout=subprocess.PIPE) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "kg.cli", "export", "cooccurrence", "--store", str(store), *args],
        stdout=stdout,
        stderr=subprocess.PIPE,
        text=True,
        timeout=120,
    )


def one_line_error(run: subprocess.CompletedProcess) -> str:
    assert run.returncode == 1
    lines = run.stderr.strip().splitlines()
    assert len(lines) == 1 and "Traceback" not in run.stderr, run.stderr
    assert lines[0].startswith("Error: [E031] cannot write ")
    return lines[0]


def test_missing_folder(seed_store_path):
    """The user's exact step: kg export -o /nonexistent/dir/x.gexf."""
    line = one_line_error(export(seed_store_path, "-o", "/nonexistent/dir/x.gexf"))
    assert "the folder /nonexistent/dir does not exist" in line
    line = one_line_error(export(seed_store_path, "-f", "csv", "-o", "/nonexistent/dir/x.csv"))
    assert "/nonexistent/dir/x.nodes.csv" in line


@pytest.mark.skipif(not os.path.exists("/dev/full"), reason="no /dev/full")
def test_full_device_as_file_and_as_standard_output(seed_store_path):
    line = one_line_error(export(seed_store_path, "-o", "/dev/full"))
    assert "the disk is full" in line
    assert Path("/dev/full").is_char_device()  # written through, never replaced
    with open("/dev/full", "w") as full:
        line = one_line_error(export(seed_store_path, stdout=full))
    assert "cannot write standard output: the disk is full" in line


@pytest.fixture
def tiny_disk(tmp_path):
    """A 64 KiB tmpfs (root only): a real full disk, smaller than the GEXF export."""
    mount = shutil.which("mount")
    if os.geteuid() != 0 or mount is None:
        pytest.skip("mounting a tmpfs needs root")
    target = tmp_path / "tiny"
    target.mkdir()
    done = subprocess.run([mount, "-t", "tmpfs", "-o", "size=64k", "tmpfs", str(target)], capture_output=True)
    if done.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here: {done.stderr.decode(errors='replace').strip()}")
    try:
        yield target
    finally:
        subprocess.run(["umount", str(target)], check=False)


def test_full_disk_keeps_the_old_file_and_leaves_no_part(seed_store_path, tiny_disk):
    old = tiny_disk / "x.gexf"
    old.write_text("earlier export\n")
    line = one_line_error(export(seed_store_path, "-o", str(old)))
    assert f"cannot write {old}: the disk is full" in line
    assert old.read_text() == "earlier export\n"
    assert sorted(p.name for p in tiny_disk.iterdir()) == ["x.gexf"]


def test_a_closed_pipe_is_quiet(seed_store_path):
    proc = subprocess.Popen(
        [sys.executable, "-m", "kg.cli", "export", "cooccurrence", "--store", str(seed_store_path)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    assert proc.stdout is not None and proc.stdout.read(10) == b"<?xml vers"
    proc.stdout.close()
    _, err = proc.communicate(timeout=120)
    assert b"Traceback" not in err
