"""Files written whole or not at all."""

from __future__ import annotations

import pytest

from sharedprop.io import atomic
from sharedprop.io.atomic import atomic_write_bytes, atomic_write_text


def test_atomic_write_replaces_the_file_and_leaves_no_temporary_file(tmp_path):
    target = tmp_path / "sub" / "plan.txt"
    atomic_write_text(target, "old")
    atomic_write_text(target, "新的内容")
    assert target.read_text(encoding="utf-8") == "新的内容"
    assert [p.name for p in target.parent.iterdir()] == ["plan.txt"]


def test_a_write_interrupted_before_the_rename_keeps_the_old_file_whole(tmp_path, monkeypatch):
    target = tmp_path / "report.html"
    target.write_text("complete old report", encoding="utf-8")

    def interrupted(src, dst):
        raise KeyboardInterrupt

    monkeypatch.setattr(atomic.os, "replace", interrupted)
    with pytest.raises(KeyboardInterrupt):
        atomic_write_bytes(target, b"half a new rep")
    assert target.read_text(encoding="utf-8") == "complete old report"
    assert [p.name for p in tmp_path.iterdir()] == ["report.html"]
