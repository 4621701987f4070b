"""``python -m benchmarks.fetch`` against a local HTTP server holding a tiny fake tree.

The fake tree has every file the fetch asks for, under ``<source>/<file>`` as ``--mirror``
expects, each a small valid instance of its family (no real OR-Library data). The server runs
on 127.0.0.1 in a thread for the test and is shut down after it.
"""

from __future__ import annotations

import csv
import functools
import http.server
import io
import threading
import zipfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from benchmarks import fetch, orlib, run

# Two agents, three jobs: the cheapest assignment within capacity costs 1 + 1 + 2 = 4.
TINY_GAP_BLOCK = "2 3\n1 1 9\n5 5 2\n1 1 1\n1 1 1\n2 2\n"
TINY_CPMP_BLOCK = "{k} 7\n2 1 9\n1 0 0 4\n2 3 4 5\n"
TINY_SSCFLP = "2 3\r\n10 100\r\n20 200\r\n 4.  5.  6.\r\n1. 2. 3.\r\n4. 5. 6.\r\n\x00\x00"


def _fake_content(download: fetch.Download) -> bytes:
    if download.remote == "pmedcap1.txt":
        return ("20\n" + "".join(TINY_CPMP_BLOCK.format(k=k) for k in range(1, 21))).encode()
    if download.remote.endswith(".zip"):
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w") as archive:
            archive.writestr(download.remote.removesuffix(".zip") + ".txt", TINY_GAP_BLOCK)
        return buffer.getvalue()
    if download.family == "gap":
        return ("2\n" + TINY_GAP_BLOCK + TINY_GAP_BLOCK).encode()
    return TINY_SSCFLP.encode("latin-1")


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:
        pass


@pytest.fixture
def mirror(tmp_path) -> Iterator[tuple[str, Path]]:
    """A local server over a fake tree of every download: (its URL, the tree's folder)."""
    tree = tmp_path / "tree"
    for download in fetch.DOWNLOADS:
        target = tree / download.source.name / download.remote
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(_fake_content(download))
    handler = functools.partial(_QuietHandler, directory=str(tree))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}", tree
    finally:
        server.shutdown()
        server.server_close()
        thread.join()


def test_fetched_files_land_where_the_runner_reads_them(mirror, tmp_path, monkeypatch):
    url, _ = mirror
    dest = tmp_path / "orlib"
    assert fetch.main(["--mirror", url, "--dest", str(dest)]) == 0
    gap = [f.name for f in orlib.instance_files(dest / "gap")]
    assert gap[:3] == ["e05100", "e05200", "e10100"] and "gap12.txt" in gap and len(gap) == 22
    cpmp = [f.name for f in orlib.instance_files(dest / "cpmp")]
    assert cpmp == [f"pmedcap{k:02d}.txt" for k in range(1, 21)]
    assert orlib.read_cpmp(dest / "cpmp" / "pmedcap07.txt")[0].name == "pmedcap07"
    assert len(orlib.instance_files(dest / "sscflp")) == 20
    # With nothing beside the checkout, the runner finds the fetched folder by itself.
    monkeypatch.setattr(orlib, "DATA_DIRS", (tmp_path / "no-shared", dest))
    out = tmp_path / "out"
    assert run.main(["gap", "--time-limit", "5", "--workers", "1", "--out", str(out),
                     "--only", "gap1-1"]) == 0  # fmt: skip
    (row,) = csv.DictReader((out / "gap.csv").open(encoding="utf-8"))
    assert (row["instance"], row["objective"], row["status"]) == ("gap1-1", "4", "optimal")
    assert row["known"] == "261"  # known.csv's value for the real gap1-1: the fake is not it


def test_a_missing_or_malformed_file_fails_alone_and_leaves_nothing_behind(mirror, tmp_path):
    url, tree = mirror
    (tree / "holmberg" / "p5").unlink()
    (tree / "orlib" / "gap3.txt").write_text("2\n1 2\n3 4\n")  # a truncated file
    dest = tmp_path / "orlib"
    assert fetch.main(["--mirror", url, "--dest", str(dest)]) == 1
    assert not (dest / "sscflp" / "p5").exists() and (dest / "sscflp" / "p9").is_file()
    assert not (dest / "gap" / "gap3.txt").exists() and (dest / "gap" / "gap4.txt").is_file()
    assert not list(dest.rglob("*.part"))


def test_files_already_there_are_kept_unless_forced(mirror, tmp_path):
    url, _ = mirror
    dest = tmp_path / "orlib"
    (dest / "sscflp").mkdir(parents=True)
    (dest / "sscflp" / "p1").write_text(TINY_SSCFLP.replace("100", "111"))
    outcomes = fetch.fetch(dest, families=["sscflp"], mirror=url)
    assert [o.status for o in outcomes].count("kept") == 1
    assert "111" in (dest / "sscflp" / "p1").read_text()
    fetch.fetch(dest, families=["sscflp"], mirror=url, force=True)
    assert "111" not in (dest / "sscflp" / "p1").read_text()


def test_each_download_names_its_public_home():
    urls = {d.remote: d.url() for d in fetch.DOWNLOADS}
    assert urls["gap1.txt"] == "https://people.brunel.ac.uk/~mastjjb/jeb/orlib/files/gap1.txt"
    assert urls["pmedcap1.txt"].endswith("/jeb/orlib/files/pmedcap1.txt")
    assert urls["p71"].endswith("/Facility-Location/SSCFLP/original/Lib_2/p71")
    assert urls["e20200.zip"].startswith("https://raw.githubusercontent.com/rafaelmartinelli/")
    assert fetch.DOWNLOADS[0].url("http://mirror/x/") == "http://mirror/x/orlib/gap1.txt"
