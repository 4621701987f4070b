"""Random corruptions of the tiny instance either load or raise InstanceError — nothing else."""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sharedprop.errors import InstanceError
from sharedprop.io.instances import load_instance

FILES = ("communities.csv", "firms.csv", "resources.csv", "locks.csv", "instance.toml")

cell_values = st.one_of(
    st.text(max_size=12),
    st.floats(allow_nan=True, allow_infinity=True).map(repr),
    st.integers(-(10**12), 10**12).map(str),
    st.sampled_from(["", " ", "nan", "-inf", "1e400", "#N/A", "65%", "1,234", '"', ",", "\n"]),
)


def _load_or_instance_error(folder: Path) -> None:
    try:
        load_instance(folder)
    except InstanceError as exc:
        assert exc.problems and all(isinstance(p, str) and p for p in exc.problems)


@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(data=st.data())
def test_replacing_random_cells_loads_or_raises_instance_error(tiny_instance: Path, data) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(shutil.copytree(tiny_instance, Path(tmp) / "i"))
        for _ in range(data.draw(st.integers(1, 4))):
            name = data.draw(st.sampled_from(FILES[:4]))
            lines = (folder / name).read_text(encoding="utf-8").splitlines()
            r = data.draw(st.integers(0, len(lines) - 1))
            cols = lines[r].split(",")
            c = data.draw(st.integers(0, len(cols) - 1))
            cols[c] = data.draw(cell_values)
            lines[r] = ",".join(cols)
            (folder / name).write_text("\n".join(lines) + "\n", encoding="utf-8")
        _load_or_instance_error(folder)


@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(data=st.data())
def test_flipping_random_bytes_loads_or_raises_instance_error(tiny_instance: Path, data) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(shutil.copytree(tiny_instance, Path(tmp) / "i"))
        name = data.draw(st.sampled_from(FILES))
        raw = bytearray((folder / name).read_bytes())
        for _ in range(data.draw(st.integers(1, 6))):
            at = data.draw(st.integers(0, len(raw) - 1))
            raw[at] = data.draw(st.integers(0, 255))
        cut = data.draw(st.integers(0, len(raw)))
        (folder / name).write_bytes(bytes(raw[:cut]))
        _load_or_instance_error(folder)
