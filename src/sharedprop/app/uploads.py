"""Unpacking what a planner uploads, safely: nothing leaves the workspace, no zip bombs.

A zipped instance folder is unpacked entry by entry into a fresh folder: names that are absolute,
climb out (``..``), are links or are not instance files are refused or skipped; the number of
entries, the bytes written (counted while inflating, not taken from the zip's own header) and
each entry's compression ratio are capped (:class:`~sharedprop.app.settings.Limits`). A
workbook (``.xlsx`` is itself a zip) is checked the same way before anything opens it.
"""

from __future__ import annotations

import io
import stat
import zipfile
import zlib
from pathlib import Path, PurePosixPath

from sharedprop.app.i18n import _
from sharedprop.app.settings import Limits
from sharedprop.errors import SharedpropError

# What an instance folder may hold (DESIGN.md): the rest of a zip is skipped.
INSTANCE_SUFFIXES = (".toml", ".csv", ".xlsx")
CHUNK = 1 << 16


class UploadError(SharedpropError):
    """An upload that is refused: too large, not a zip, or unsafe."""


def _member_path(info: zipfile.ZipInfo) -> PurePosixPath | None:
    """The entry's relative path, or ``None`` for entries to skip; unsafe names raise."""
    name = info.filename.replace("\\", "/")
    path = PurePosixPath(name)
    if name.startswith("/") or (path.parts and path.parts[0].endswith(":")):
        raise UploadError(
            _("the zip entry {name} has an absolute path; refused").format(name=info.filename)
        )
    if ".." in path.parts:
        raise UploadError(
            _("the zip entry {name} climbs out of its folder; refused").format(name=info.filename)
        )
    if stat.S_ISLNK(info.external_attr >> 16):
        raise UploadError(
            _("the zip entry {name} is a symbolic link; refused").format(name=info.filename)
        )
    if info.is_dir() or any(p.startswith((".", "__MACOSX", "~$")) for p in path.parts):
        return None
    if path.suffix.lower() not in INSTANCE_SUFFIXES:
        return None
    return path


def check_zip(archive: zipfile.ZipFile, limits: Limits) -> None:
    """Refuse archives whose headers already announce too many entries or bytes."""
    infos = archive.infolist()
    if len(infos) > limits.zip_entries:
        raise UploadError(
            _("the zip holds {n} entries, more than {most}").format(
                n=len(infos), most=limits.zip_entries
            )
        )
    declared = sum(i.file_size for i in infos)
    if declared > limits.unpacked_bytes:
        raise UploadError(
            _("the zip would unpack to {n} bytes, more than {most}").format(
                n=f"{declared:,}", most=f"{limits.unpacked_bytes:,}"
            )
        )
    for info in infos:
        if info.compress_size and info.file_size / info.compress_size > limits.compression_ratio:
            raise UploadError(
                _("the zip entry {name} inflates too much; refused").format(name=info.filename)
            )


def _copy_capped(archive: zipfile.ZipFile, info: zipfile.ZipInfo, target: Path, budget: int) -> int:
    """Inflate one entry into ``target``; raise once more than ``budget`` bytes come out.

    ``zipfile`` itself stops at the size the entry declares (and then checks its CRC), so a
    header that lies about the size ends as a damaged entry, not as a flood of bytes.
    """
    written = 0
    try:
        with archive.open(info) as src, open(target, "wb") as dst:
            while chunk := src.read(CHUNK):
                written += len(chunk)
                if written > budget:
                    raise UploadError(
                        _("the zip entry {name} inflates beyond its size").format(
                            name=info.filename
                        )
                    )
                dst.write(chunk)
    except (zipfile.BadZipFile, zlib.error, EOFError, NotImplementedError) as exc:
        raise UploadError(
            _("the zip entry {name} is damaged ({error})").format(name=info.filename, error=exc)
        ) from exc
    return written


def open_zip(data: bytes, what: str) -> zipfile.ZipFile:
    try:
        return zipfile.ZipFile(io.BytesIO(data))
    except zipfile.BadZipFile as exc:
        raise UploadError(
            _("{what} is not a readable zip file ({error})").format(what=what, error=exc)
        ) from exc


def unpack_zip(data: bytes, dest: Path, limits: Limits) -> list[Path]:
    """Unpack the instance files of zip ``data`` into the empty folder ``dest``; return them."""
    archive = open_zip(data, _("the upload"))
    with archive:
        check_zip(archive, limits)
        root = dest.resolve()
        budget = limits.unpacked_bytes
        out = []
        for info in archive.infolist():
            rel = _member_path(info)
            if rel is None:
                continue
            target = (root / Path(*rel.parts)).resolve()
            if not target.is_relative_to(root) or target == root:
                raise UploadError(
                    _("the zip entry {name} leaves the folder; refused").format(name=info.filename)
                )
            target.parent.mkdir(parents=True, exist_ok=True)
            budget -= _copy_capped(archive, info, target, budget)
            out.append(target)
    return out


def check_workbook(data: bytes, limits: Limits) -> None:
    """An ``.xlsx`` is a zip: refuse one that is unreadable or would inflate too much."""
    with open_zip(data, _("the workbook")) as archive:
        check_zip(archive, limits)


def find_instance_root(folder: Path) -> Path:
    """The shallowest folder under ``folder`` that holds ``instance.toml`` (or one workbook)."""
    tomls = sorted(folder.rglob("instance.toml"), key=lambda p: (len(p.parts), str(p)))
    if tomls:
        return tomls[0].parent
    books = [p for p in folder.rglob("*.xlsx") if p.parent == folder]
    if len(books) == 1:
        return books[0]
    raise UploadError(
        _(
            "the zip holds no instance.toml: zip the instance folder itself (instance.toml, "
            "communities.csv, firms.csv, ...)"
        )
    )
