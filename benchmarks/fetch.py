"""Download the OR-Library benchmark files the runner reads: ``python -m benchmarks.fetch``.

The files are never committed; this puts them in ``benchmarks/data/orlib`` (git-ignored), one
folder per family, where ``python -m benchmarks.run`` looks when ``../shared/benchmarks/orlib``
is not beside the checkout. Their public homes:

* ``orlib``: J. E. Beasley's OR-Library, https://people.brunel.ac.uk/~mastjjb/jeb/orlib/files/ —
  the generalized assignment files ``gap1.txt`` … ``gap12.txt`` and ``gapa.txt`` … ``gapd.txt``,
  and the Osman–Christofides capacitated p-median file ``pmedcap1.txt``, split here into
  ``pmedcap01.txt`` … ``pmedcap20.txt`` (one problem a file, the names the known values use);
* ``gap-type-e``: Yagiura's type E generalized assignment instances, as zipped in
  ``rafaelmartinelli/AssignmentProblems.jl`` on GitHub (pinned commit), each unzipped to its name;
* ``holmberg``: the 20 Holmberg, Rönnqvist & Yuan (1999) single-source facility location
  instances of the ``sscflp`` suite, from ``Oscar-Oliveira/OR-Datasets`` on GitHub (pinned
  commit; OR-Library does not carry them).

Every file is parsed by its reader before it is kept, so a changed or truncated download is
refused instead of benchmarked. Files already present are kept unless ``--force``.
``--mirror URL`` fetches each file from ``URL/<source>/<file>`` instead (a local copy, or a
test server).
"""

from __future__ import annotations

import argparse
import http.client
import io
import sys
import urllib.request
import zipfile
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from benchmarks import orlib
from sharedprop.errors import InstanceError


@dataclass(frozen=True)
class Source:
    """A public home: ``name`` is its folder under ``--mirror``, ``home`` its base URL."""

    name: str
    home: str


ORLIB = Source("orlib", "https://people.brunel.ac.uk/~mastjjb/jeb/orlib/files/")
GAP_TYPE_E = Source(
    "gap-type-e",
    "https://raw.githubusercontent.com/rafaelmartinelli/AssignmentProblems.jl/"
    "416b73566baf6193a37e0dabced2473ae10388f5/data/",
)
HOLMBERG = Source(
    "holmberg",
    "https://raw.githubusercontent.com/Oscar-Oliveira/OR-Datasets/"
    "e31f6d172e9fab17f6a8c070e173fd63d781c271/Facility-Location/SSCFLP/original/Lib_2/",
)
HOLMBERG_SUBSET = (1, 5, 9, 13, 17, 21, 25, 29, 33, 37, 41, 42, 43, 50, 51, 56, 60, 64, 67, 71)

# What a download becomes: {file name in the family folder: its bytes}.
Unpack = Callable[[str, bytes], dict[str, bytes]]


def as_is(remote: str, data: bytes) -> dict[str, bytes]:
    return {remote: data}


def unzip_one(remote: str, data: bytes) -> dict[str, bytes]:
    """A zip holding one file, saved under the zip's own name without ``.zip``."""
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        members = [m for m in archive.infolist() if not m.is_dir()]
        if len(members) != 1:
            raise InstanceError(f"{remote}: expected one file in the zip, found {len(members)}")
        return {remote.removesuffix(".zip"): archive.read(members[0])}


def split_cpmp(remote: str, data: bytes) -> dict[str, bytes]:
    """OR-Library's combined ``pmedcap1.txt`` as one file a problem: ``pmedcap01.txt`` …"""
    problems = orlib.parse_cpmp(data.decode("ascii", errors="replace"), "pmedcap1", remote)
    out = {}
    for k, problem in enumerate(problems, start=1):
        lines = [f"{k} {problem.recorded}", f"{problem.n} {problem.p} {problem.capacity}"]
        points = zip(problem.xy.tolist(), problem.demand.tolist(), strict=True)
        lines += [f"{i} {x} {y} {d}" for i, ((x, y), d) in enumerate(points, start=1)]
        out[f"pmedcap{k:02d}.txt"] = ("\n".join(lines) + "\n").encode("ascii")
    return out


@dataclass(frozen=True)
class Download:
    """One remote file, the family folder it goes to and what it becomes there."""

    source: Source
    remote: str
    family: str
    unpack: Unpack = as_is
    names: tuple[str, ...] = ()  # the files it becomes, when not its own name (less ``.zip``)

    def url(self, mirror: str | None = None) -> str:
        base = self.source.home if mirror is None else f"{mirror.rstrip('/')}/{self.source.name}/"
        return base + self.remote

    def targets(self) -> tuple[str, ...]:
        return self.names or (self.remote.removesuffix(".zip"),)


DOWNLOADS: tuple[Download, ...] = (
    *(Download(ORLIB, f"gap{k}.txt", "gap") for k in [*range(1, 13), "a", "b", "c", "d"]),
    *(
        Download(GAP_TYPE_E, f"e{m:02d}{n}.zip", "gap", unzip_one)
        for m in (5, 10, 20)
        for n in (100, 200)
    ),
    Download(
        ORLIB,
        "pmedcap1.txt",
        "cpmp",
        split_cpmp,
        tuple(f"pmedcap{k:02d}.txt" for k in range(1, 21)),
    ),
    *(Download(HOLMBERG, f"p{k}", "sscflp") for k in HOLMBERG_SUBSET),
)

# The reader that must accept a file before it is kept.
CHECKS: dict[str, Callable[[str, str], object]] = {
    "gap": lambda text, name: orlib.parse_gap(text, Path(name).stem, name),
    "cpmp": lambda text, name: orlib.parse_cpmp(text, Path(name).stem, name),
    "sscflp": lambda text, name: orlib.parse_sscflp(text, Path(name).stem, name),
}


@dataclass(frozen=True)
class Outcome:
    """What became of one download: the files written or kept, or why it failed."""

    download: Download
    status: Literal["fetched", "kept", "failed"]
    files: tuple[str, ...] = ()
    message: str = ""


def fetch_one(
    download: Download, dest: Path, *, mirror: str | None, force: bool, timeout: float
) -> Outcome:
    """Download, unpack, check and write one remote file into ``dest/<family>/``."""
    folder = dest / download.family
    if not force and all((folder / name).is_file() for name in download.targets()):
        return Outcome(download, "kept", download.targets())
    url = download.url(mirror)
    try:
        files = download.unpack(download.remote, _get(url, timeout))
        if sorted(files) != sorted(download.targets()):
            raise InstanceError(f"it holds {sorted(files)}, expected {list(download.targets())}")
        for name, content in files.items():
            CHECKS[download.family](content.decode("latin-1"), name)
    except (
        OSError,
        ValueError,
        InstanceError,
        http.client.HTTPException,
        zipfile.BadZipFile,
    ) as exc:
        return Outcome(download, "failed", message=f"{url}: {exc}")
    folder.mkdir(parents=True, exist_ok=True)
    for name, content in files.items():
        partial = folder / f".{name}.part"
        partial.write_bytes(content)
        partial.replace(folder / name)
    return Outcome(download, "fetched", tuple(files))


def _get(url: str, timeout: float) -> bytes:
    request = urllib.request.Request(url, headers={"User-Agent": "sharedprop-benchmarks"})
    with urllib.request.urlopen(request, timeout=timeout) as response:
        return response.read()


def fetch(
    dest: Path,
    *,
    families: Sequence[str] = orlib.FAMILIES,
    mirror: str | None = None,
    force: bool = False,
    timeout: float = 60.0,
) -> list[Outcome]:
    """Fetch every download of ``families`` into ``dest``, printing a line for each."""
    outcomes = []
    for download in DOWNLOADS:
        if download.family not in families:
            continue
        outcome = fetch_one(download, dest, mirror=mirror, force=force, timeout=timeout)
        what = outcome.message or ", ".join(outcome.files)
        print(f"{outcome.status:8s} {download.family}/{download.remote}: {what}", flush=True)
        outcomes.append(outcome)
    return outcomes


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.fetch", description=__doc__)
    parser.add_argument("--dest", type=Path, default=orlib.FETCHED_DATA)
    parser.add_argument("--only", nargs="+", choices=orlib.FAMILIES, default=orlib.FAMILIES)
    parser.add_argument("--mirror", help="fetch URL/<source>/<file> instead of the public homes")
    parser.add_argument("--force", action="store_true", help="replace files already present")
    parser.add_argument("--timeout", type=float, default=60.0, help="seconds per download")
    options = parser.parse_args(argv)
    outcomes = fetch(
        options.dest,
        families=options.only,
        mirror=options.mirror,
        force=options.force,
        timeout=options.timeout,
    )
    failed = [o for o in outcomes if o.status == "failed"]
    print(
        f"{len(outcomes) - len(failed)} of {len(outcomes)} downloads in {options.dest}"
        + (f"; {len(failed)} failed" if failed else ""),
        file=sys.stderr if failed else sys.stdout,
    )
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main())
