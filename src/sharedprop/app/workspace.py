"""The workspace: a folder on disk holding the instance being worked on, the current plan and
the saved scenarios.

Layout::

    instance/         the instance as uploaded or opened (a folder's files, or one workbook)
    current.json      the plan being edited and the planner's locks (survives a restart)
    scenarios/*.json  one file per saved scenario: its plan, locks and headline figures

Every file is written to a temporary file and renamed over its target
(:func:`sharedprop.io.atomic.atomic_write_text`), so a crash leaves the old file or the new one,
never half of one: no saved scenario is lost. One solve at a time per workspace, also across two
app processes on the same folder: :meth:`Workspace.solve_lock` holds an exclusive lock on a file.
"""

from __future__ import annotations

import contextlib
import json
import re
import secrets
import shutil
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sharedprop.app.i18n import _
from sharedprop.errors import SharedpropError
from sharedprop.io.atomic import atomic_write_text

try:  # POSIX; elsewhere the in-process guard of the solve runner is all there is
    import fcntl
except ImportError:  # pragma: no cover - Windows
    fcntl = None  # type: ignore[assignment]

SCENARIO_ID = re.compile(r"^[a-z0-9-]{1,64}$")


class WorkspaceBusy(SharedpropError):
    """Another solve holds this workspace."""


@dataclass(frozen=True)
class ScenarioInfo:
    id: str
    name: str
    saved_at: float
    data: dict[str, Any]


class Workspace:
    """Paths and atomic storage under ``root`` (created when missing)."""

    def __init__(self, root: str | Path) -> None:
        self.root = Path(root).resolve()
        for sub in (self.instance_dir, self.scenarios_dir, self.tmp_dir):
            sub.mkdir(parents=True, exist_ok=True)

    @property
    def instance_dir(self) -> Path:
        return self.root / "instance"

    @property
    def scenarios_dir(self) -> Path:
        return self.root / "scenarios"

    @property
    def tmp_dir(self) -> Path:
        return self.root / ".tmp"

    @property
    def current_file(self) -> Path:
        return self.root / "current.json"

    # -- the instance ---------------------------------------------------------------------------
    def instance_source(self) -> Path | None:
        """What to hand to ``load_instance``: the folder, or its one workbook; None if empty."""
        folder = self.instance_dir
        if (folder / "instance.toml").is_file():
            return folder
        books = sorted(p for p in folder.glob("*.xlsx") if not p.name.startswith((".", "~$")))
        return books[0] if len(books) == 1 else None

    def new_staging_dir(self) -> Path:
        path = self.tmp_dir / f"staging-{secrets.token_hex(6)}"
        path.mkdir()
        return path

    def install_instance(self, staged: Path) -> None:
        """Make ``staged`` (a folder under ``tmp_dir``) the workspace's instance.

        The old instance is renamed aside first and removed last, so at every moment one whole
        instance folder is in place or being renamed.
        """
        old = self.tmp_dir / f"old-{secrets.token_hex(6)}"
        if self.instance_dir.exists():
            self.instance_dir.rename(old)
        staged.rename(self.instance_dir)
        shutil.rmtree(old, ignore_errors=True)
        self.current_file.unlink(missing_ok=True)

    # -- the current plan -----------------------------------------------------------------------
    def save_current(self, data: dict[str, Any]) -> None:
        atomic_write_text(self.current_file, json.dumps(data, ensure_ascii=False))

    def load_current(self) -> dict[str, Any] | None:
        try:
            return json.loads(self.current_file.read_text("utf-8"))
        except (OSError, ValueError):
            return None

    # -- scenarios ------------------------------------------------------------------------------
    def _scenario_path(self, scenario_id: str) -> Path:
        if not SCENARIO_ID.match(scenario_id):
            raise SharedpropError(_("no scenario {id}").format(id=scenario_id))
        return self.scenarios_dir / f"{scenario_id}.json"

    def save_scenario(self, name: str, data: dict[str, Any]) -> ScenarioInfo:
        """Store ``data`` under ``name``; a scenario of the same name is replaced."""
        name = name.strip()
        if not name or len(name) > 120:
            raise SharedpropError(_("a scenario needs a name of 1 to 120 characters"))
        existing = next((s for s in self.scenarios() if s.name == name), None)
        sid = existing.id if existing else f"{int(time.time())}-{secrets.token_hex(4)}"
        record = {"id": sid, "name": name, "saved_at": time.time(), **data}
        atomic_write_text(self._scenario_path(sid), json.dumps(record, ensure_ascii=False))
        return ScenarioInfo(sid, name, record["saved_at"], record)

    def scenarios(self) -> list[ScenarioInfo]:
        """Every readable scenario, oldest first (a damaged file is skipped, not fatal)."""
        out = []
        for path in self.scenarios_dir.glob("*.json"):
            try:
                rec = json.loads(path.read_text("utf-8"))
                out.append(ScenarioInfo(rec["id"], rec["name"], float(rec["saved_at"]), rec))
            except (OSError, ValueError, KeyError, TypeError):
                continue
        return sorted(out, key=lambda s: (s.saved_at, s.id))

    def scenario(self, scenario_id: str) -> ScenarioInfo:
        path = self._scenario_path(scenario_id)
        try:
            rec = json.loads(path.read_text("utf-8"))
        except (OSError, ValueError) as exc:
            raise SharedpropError(_("no scenario {id}").format(id=scenario_id)) from exc
        return ScenarioInfo(rec["id"], rec["name"], float(rec["saved_at"]), rec)

    def delete_scenario(self, scenario_id: str) -> None:
        self._scenario_path(scenario_id).unlink(missing_ok=True)

    # -- one solve at a time --------------------------------------------------------------------
    @contextlib.contextmanager
    def solve_lock(self) -> Iterator[None]:
        """Hold the workspace's solve lock; raise :class:`WorkspaceBusy` if another holds it."""
        with open(self.root / ".solve.lock", "a+") as fh:
            if fcntl is not None:
                try:
                    fcntl.flock(fh, fcntl.LOCK_EX | fcntl.LOCK_NB)
                except BlockingIOError as exc:
                    raise WorkspaceBusy(_("another solve is running in this workspace")) from exc
            try:
                yield
            finally:
                if fcntl is not None:
                    fcntl.flock(fh, fcntl.LOCK_UN)
