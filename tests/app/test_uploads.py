"""Uploads are unpacked safely: nothing leaves the folder, no zip bomb, no links."""

from __future__ import annotations

import io
import stat
import zipfile

import pytest

from sharedprop.app.settings import Limits
from sharedprop.app.uploads import (
    UploadError,
    check_workbook,
    find_instance_root,
    unpack_zip,
)


def zipped(entries: dict[str, bytes], *, link: str | None = None) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        for name, data in entries.items():
            z.writestr(name, data)
        if link:
            info = zipfile.ZipInfo(link)
            info.external_attr = (stat.S_IFLNK | 0o777) << 16
            z.writestr(info, "/etc/passwd")
    return buf.getvalue()


def test_an_instance_folder_unpacks_and_its_root_is_found(tmp_path):
    data = zipped({
        "pilot/instance.toml": b'name = "x"',
        "pilot/communities.csv": b"id\n",
        "pilot/plans/manual.csv": b"community_id\n",
        "pilot/notes.docx": b"skipped",
        "__MACOSX/pilot/._communities.csv": b"skipped",
    })  # fmt: skip
    files = unpack_zip(data, tmp_path / "out", Limits())
    assert sorted(p.relative_to(tmp_path / "out").as_posix() for p in files) == [
        "pilot/communities.csv", "pilot/instance.toml", "pilot/plans/manual.csv",
    ]  # fmt: skip
    assert find_instance_root(tmp_path / "out") == tmp_path / "out" / "pilot"


@pytest.mark.parametrize(
    ("name", "why"),
    [("../evil.csv", "climbs out"), ("/etc/evil.csv", "absolute"), ("C:/evil.csv", "absolute")],
)
def test_a_name_that_leaves_the_folder_is_refused(tmp_path, name, why):
    with pytest.raises(UploadError, match=why):
        unpack_zip(zipped({name: b"x"}), tmp_path / "out", Limits())
    assert not (tmp_path / "evil.csv").exists()


def test_a_symbolic_link_is_refused(tmp_path):
    with pytest.raises(UploadError, match="symbolic link"):
        unpack_zip(zipped({"a.csv": b"x"}, link="b.csv"), tmp_path / "out", Limits())


def test_a_zip_bomb_is_refused_before_it_inflates(tmp_path):
    bomb = zipped({"communities.csv": b"0" * 5_000_000})
    with pytest.raises(UploadError, match="inflates too much"):
        unpack_zip(bomb, tmp_path / "out", Limits())
    with pytest.raises(UploadError, match="would unpack to"):
        unpack_zip(bomb, tmp_path / "out2", Limits(unpacked_bytes=1_000_000, compression_ratio=1e9))


def test_too_many_entries_are_refused(tmp_path):
    with pytest.raises(UploadError, match="3 entries, more than 2"):
        unpack_zip(
            zipped({f"{k}.csv": b"x" for k in range(3)}), tmp_path / "o", Limits(zip_entries=2)
        )


def test_a_header_that_lies_about_the_size_ends_as_a_damaged_entry(tmp_path):
    data = bytearray(zipped({"a.csv": b"1" * 200_000}))
    # Patch the central directory's uncompressed size of the one entry down to 10 bytes.
    at = data.rfind(b"PK\x01\x02")
    data[at + 24 : at + 28] = (10).to_bytes(4, "little")
    with pytest.raises(UploadError, match="a.csv is damaged"):
        unpack_zip(bytes(data), tmp_path / "out", Limits(compression_ratio=1e9))
    assert (tmp_path / "out" / "a.csv").stat().st_size <= 10


def test_a_zip_without_instance_toml_says_what_to_zip(tmp_path):
    unpack_zip(zipped({"a/communities.csv": b"id\n"}), tmp_path / "out", Limits())
    with pytest.raises(UploadError, match="zip the instance folder itself"):
        find_instance_root(tmp_path / "out")


def test_a_workbook_that_is_not_a_zip_is_refused():
    with pytest.raises(UploadError, match="workbook is not a readable zip"):
        check_workbook(b"not a workbook", Limits())
