"""Read a gettext ``.po`` catalog and compile it to ``.mo`` bytes, with the standard library only.

The catalogs are committed as ``.po`` text and compiled in memory the first time a language is
used (a few milliseconds), so ``pip install .`` and ``pip install -e .`` need no build step and
no compiled file can go stale. The result is read by :class:`gettext.GNUTranslations`, the
standard runtime. Fuzzy entries are left out, as ``msgfmt`` does.
"""

from __future__ import annotations

import ast
import struct
from dataclasses import dataclass, field
from pathlib import Path

MO_MAGIC = 0x950412DE


@dataclass
class Entry:
    """One catalog entry: ``msgid`` (and ``msgid_plural``) with its translations."""

    msgid: str = ""
    msgid_plural: str | None = None
    msgstr: dict[int, str] = field(default_factory=dict)
    fuzzy: bool = False


def _string(text: str, path: Path, number: int) -> str:
    """A quoted PO string (C escapes) as text."""
    text = text.strip()
    if len(text) < 2 or text[0] != '"' or text[-1] != '"':
        raise ValueError(f"{path} line {number}: expected a quoted string, got {text!r}")
    return ast.literal_eval(text)


def read_po(path: Path) -> list[Entry]:
    """The entries of the ``.po`` file at ``path`` (the header is the entry with msgid "")."""
    entries: list[Entry] = []
    entry, target, fuzzy = Entry(), None, False
    for number, raw in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        line = raw.strip()
        if line.startswith("#,") and "fuzzy" in line:
            fuzzy = True
        if not line or line.startswith("#"):
            continue
        if line.startswith("msgid "):
            if target is not None and target[0] != "msgid":
                entries.append(entry)
                entry = Entry()
            entry.fuzzy, fuzzy = fuzzy, False
            entry.msgid, target = _string(line[6:], path, number), ("msgid", None)
        elif line.startswith("msgid_plural "):
            entry.msgid_plural = _string(line[13:], path, number)
            target = ("msgid_plural", None)
        elif line.startswith("msgstr["):
            index = int(line[7 : line.index("]")])
            entry.msgstr[index] = _string(line[line.index("]") + 1 :], path, number)
            target = ("msgstr", index)
        elif line.startswith("msgstr "):
            entry.msgstr[0], target = _string(line[7:], path, number), ("msgstr", 0)
        elif line.startswith('"') and target is not None:
            more = _string(line, path, number)
            if target[0] == "msgid":
                entry.msgid += more
            elif target[0] == "msgid_plural":
                entry.msgid_plural = (entry.msgid_plural or "") + more
            else:
                entry.msgstr[target[1]] += more
        else:
            raise ValueError(f"{path} line {number}: cannot read {raw!r}")
    if target is not None:
        entries.append(entry)
    return entries


def compile_mo(entries: list[Entry]) -> bytes:
    """The ``.mo`` bytes of ``entries`` (untranslated and fuzzy ones left out)."""
    pairs: dict[bytes, bytes] = {}
    for e in entries:
        if e.fuzzy and e.msgid:
            continue
        texts = [e.msgstr[k] for k in sorted(e.msgstr)]
        if e.msgid and not all(texts):
            continue
        key = e.msgid if e.msgid_plural is None else f"{e.msgid}\0{e.msgid_plural}"
        pairs[key.encode()] = "\0".join(texts).encode()
    keys = sorted(pairs)
    ids = strs = b""
    offsets = []
    for k in keys:
        offsets.append((len(ids), len(k), len(strs), len(pairs[k])))
        ids += k + b"\0"
        strs += pairs[k] + b"\0"
    start = 7 * 4 + 16 * len(keys)  # header, then the two tables of (length, offset)
    ids_at, strs_at = start, start + len(ids)
    table = []
    for o1, l1, _, _ in offsets:
        table += [l1, o1 + ids_at]
    for _, _, o2, l2 in offsets:
        table += [l2, o2 + strs_at]
    head = struct.pack("Iiiiiii", MO_MAGIC, 0, len(keys), 7 * 4, 7 * 4 + len(keys) * 8, 0, 0)
    return head + struct.pack(f"{len(table)}i", *table) + ids + strs
