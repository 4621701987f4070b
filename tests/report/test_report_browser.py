"""report.html in a real browser: headless Debian Chromium renders it, offline, without errors.

Fixture: ``tests/data/tiny-street`` with the hand-made better plan as a fake solver result and
the manual plan to compare with, written by :func:`sharedprop.outputs.write_outputs`. Chromium
runs with networking off; a missing Chromium FAILS the test (``.ci/run`` installs it).
"""

from __future__ import annotations

import re
import shutil
import struct
import subprocess
import zlib
from collections import Counter
from pathlib import Path

import pytest

from sharedprop import load_instance, read_plan
from sharedprop.evaluate import evaluate
from sharedprop.outputs import write_outputs
from sharedprop.result import Result

pytestmark = pytest.mark.browser

DATA = Path(__file__).resolve().parents[1] / "data"
FLAGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
    "--enable-logging=stderr", "--v=0",
]  # fmt: skip
CONSOLE = re.compile(r"CONSOLE|Uncaught", re.IGNORECASE)


def _chromium() -> str:
    for name in ("chromium", "chromium-browser"):
        if path := shutil.which(name):
            return path
    pytest.fail("Chromium is not installed: run `apt-get install -y chromium` (.ci/run does)")


def _run(args: list[str], tmp: Path) -> subprocess.CompletedProcess[str]:
    cmd = [_chromium(), *FLAGS, f"--user-data-dir={tmp / 'profile'}", *args]
    return subprocess.run(cmd, capture_output=True, text=True, timeout=120, check=False)


def decode_png(data: bytes) -> tuple[int, int, list[bytes]]:
    """(width, height, rows of RGB(A) bytes) of an 8-bit non-interlaced PNG, stdlib only."""
    assert data[:8] == b"\x89PNG\r\n\x1a\n", "not a PNG"
    pos, idat = 8, bytearray()
    while pos < len(data):
        (n,) = struct.unpack(">I", data[pos : pos + 4])
        kind, body = data[pos + 4 : pos + 8], data[pos + 8 : pos + 8 + n]
        pos += 12 + n
        if kind == b"IHDR":
            w, h, depth, ctype, _, _, interlace = struct.unpack(">IIBBBBB", body)
            assert depth == 8 and ctype in (2, 6) and interlace == 0, "unexpected PNG format"
        elif kind == b"IDAT":
            idat += body
    bpp = 3 if ctype == 2 else 4
    stride = w * bpp
    raw = zlib.decompress(bytes(idat))
    prev, rows = bytearray(stride), []
    for r in range(h):
        start = r * (stride + 1)
        f, line = raw[start], bytearray(raw[start + 1 : start + 1 + stride])
        if f == 1:
            for i in range(bpp, stride):
                line[i] = (line[i] + line[i - bpp]) & 255
        elif f == 2:
            line = bytearray((a + b) & 255 for a, b in zip(line, prev, strict=True))
        elif f in (3, 4):
            for i in range(stride):
                a = line[i - bpp] if i >= bpp else 0
                b = prev[i]
                if f == 3:
                    line[i] = (line[i] + ((a + b) >> 1)) & 255
                    continue
                c = prev[i - bpp] if i >= bpp else 0
                p = a + b - c
                pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
                pred = a if pa <= pb and pa <= pc else (b if pb <= pc else c)
                line[i] = (line[i] + pred) & 255
        rows.append(bytes(line))
        prev = line
    return w, h, [b"".join(r[i : i + 3] for i in range(0, stride, bpp)) for r in rows]


@pytest.fixture(scope="module")
def report(tmp_path_factory) -> Path:
    street = load_instance(DATA / "tiny-street")
    better = read_plan(DATA / "tiny-street-better.csv", street)
    manual = read_plan(DATA / "tiny-street" / "plans" / "manual.csv", street)
    ev = evaluate(street, better)
    result = Result("feasible", better, ev.objective, 230_000.0, 12.3, "joint", time_limit=60)
    out = tmp_path_factory.mktemp("report")
    return write_outputs(street, result, out, evaluation=ev, plans={"manual": manual})["html"]


def test_the_screenshot_is_not_blank_and_the_console_stays_quiet(report, tmp_path):
    png = tmp_path / "report.png"
    run = _run(
        [f"--screenshot={png}", "--window-size=1280,2000", "--hide-scrollbars", report.as_uri()],
        tmp_path,
    )
    assert png.is_file(), run.stderr[-2000:]
    assert [ln for ln in run.stderr.splitlines() if CONSOLE.search(ln)] == []
    w, h, rows = decode_png(png.read_bytes())
    assert (w, h) == (1280, 2000)
    pixels = Counter(
        px for row in rows[::4] for px in (row[i : i + 3] for i in range(0, len(row), 3))
    )
    background, most = pixels.most_common(1)[0]
    assert len(pixels) > 200  # text, map and tables, anti-aliased
    assert 1 - most / sum(pixels.values()) > 0.05  # over 5 % of the page is not background
    assert bytes.fromhex("332288") in pixels  # the first package colour (map and swatches)


def test_every_package_is_in_the_rendered_page_and_on_the_map(report, tmp_path):
    run = _run(["--dump-dom", report.as_uri()], tmp_path)
    dom = run.stdout
    assert [ln for ln in run.stderr.splitlines() if CONSOLE.search(ln)] == []
    for pid in ("P1", "P2", "P3"):
        assert f'data-package="{pid}"' in dom  # its area on the map
        assert f"<b>{pid}</b>" in dom  # its row and its legend chip
    assert "槟榔东里" in dom and "Compared with “manual”" in dom


def test_clicking_a_column_header_sorts_the_table(report, tmp_path):
    """The page's only script: two clicks on "Households" sort packages largest first."""
    page = tmp_path / "sorted.html"
    click = (
        "<script>var th = document.querySelectorAll('#packages + .note + .tablebox th')[3];"
        "th.click(); th.click();</script></body>"
    )
    page.write_text(report.read_text(encoding="utf-8").replace("</body>", click), "utf-8")
    run = _run(["--dump-dom", page.as_uri()], tmp_path)
    table = run.stdout.split('id="packages"')[1].split("</table>")[0]
    assert re.findall(r"<b>(P\d)</b>", table) == ["P3", "P1", "P2"]  # 390, 360, 105 households
    assert [ln for ln in run.stderr.splitlines() if CONSOLE.search(ln)] == []


def test_the_console_check_catches_a_script_error(tmp_path):
    """The check above can fail: a page with an error shows up in Chromium's log."""
    bad = tmp_path / "bad.html"
    bad.write_text("<!DOCTYPE html><p>x</p><script>notDefined();</script>", "utf-8")
    run = _run(["--dump-dom", bad.as_uri()], tmp_path)
    assert any("Uncaught ReferenceError" in ln for ln in run.stderr.splitlines())
