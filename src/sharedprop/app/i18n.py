"""The app's own strings in Simplified Chinese and English, through gettext.

Python code marks a string with ``_()`` (:meth:`Translator.gettext`); the page asks the server
for its catalog as JSON (:meth:`Translator.catalog`) and marks its strings with ``_()`` too. The
translations live in ``locale/<lang>.po`` beside this file. gettext reads compiled ``.mo`` files;
rather than a build step, the ``.po`` file is compiled in memory when the app starts
(:func:`compile_po`, the GNU ``.mo`` layout) and handed to :class:`gettext.GNUTranslations`.
English is the source language: its catalog is empty and every string shows as written.
"""

from __future__ import annotations

import ast
import gettext
import io
import locale
import os
import struct
from dataclasses import dataclass
from importlib import resources

from sharedprop.app.settings import LANGUAGES
from sharedprop.errors import SharedpropError

SOURCE_LANGUAGE = "en"


def _unquote(text: str, where: str) -> str:
    text = text.strip()
    if not (len(text) >= 2 and text[0] == text[-1] == '"'):
        raise SharedpropError(f"{where}: expected a quoted string, got {text!r}")
    # A .po string is a C string; Python's literal syntax reads the same escapes.
    return ast.literal_eval(text)


def parse_po(text: str, name: str = "catalog.po") -> dict[str, str]:
    """``msgid → msgstr`` of a ``.po`` file (no plurals or contexts: the app uses neither).

    Entries with an empty ``msgstr`` are kept with an empty translation, so a test can find them.
    """
    entries: dict[str, str] = {}
    key: str | None = None
    parts: dict[str, list[str]] = {}

    def flush() -> None:
        if "msgid" in parts:
            entries["".join(parts["msgid"])] = "".join(parts.get("msgstr", []))
        parts.clear()

    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.strip()
        where = f"{name} line {number}"
        if not line or line.startswith("#"):
            continue
        if line.startswith("msgid "):
            flush()
            key = "msgid"
            parts[key] = [_unquote(line[6:], where)]
        elif line.startswith("msgstr "):
            key = "msgstr"
            parts[key] = [_unquote(line[7:], where)]
        elif line.startswith('"') and key is not None:
            parts[key].append(_unquote(line, where))
        else:
            raise SharedpropError(f"{where}: cannot read {line!r} (only msgid/msgstr entries)")
    flush()
    return entries


def compile_po(entries: dict[str, str]) -> bytes:
    """The GNU ``.mo`` bytes of ``entries`` (keys sorted, as gettext's binary search needs)."""
    items = sorted((k.encode(), v.encode()) for k, v in entries.items() if v or not k)
    n = len(items)
    key_start = 7 * 4 + 16 * n
    ids = b"".join(k + b"\0" for k, _ in items)
    strs = b"".join(v + b"\0" for _, v in items)
    key_offsets, value_offsets = [], []
    pos = 0
    for k, _ in items:
        key_offsets += [len(k), key_start + pos]
        pos += len(k) + 1
    value_start = key_start + len(ids)
    pos = 0
    for _, v in items:
        value_offsets += [len(v), value_start + pos]
        pos += len(v) + 1
    header = struct.pack("Iiiiiii", 0x950412DE, 0, n, 7 * 4, 7 * 4 + 8 * n, 0, 0)
    table = struct.pack(f"{2 * n}i", *key_offsets) + struct.pack(f"{2 * n}i", *value_offsets)
    return header + table + ids + strs


def po_text(lang: str) -> str:
    """The shipped ``.po`` file of ``lang``."""
    return (resources.files("sharedprop.app") / "locale" / f"{lang}.po").read_text("utf-8")


def default_language(environ: dict[str, str] | None = None) -> str:
    """``zh`` when the user's locale is Chinese, else ``en`` (gettext's variables, in order)."""
    env = os.environ if environ is None else environ
    for var in ("LANGUAGE", "LC_ALL", "LC_MESSAGES", "LANG"):
        value = env.get(var, "")
        if value:
            return "zh" if value.lower().startswith("zh") else SOURCE_LANGUAGE
    code = locale.getlocale()[0] or ""
    return "zh" if code.lower().startswith("zh") else SOURCE_LANGUAGE


@dataclass(frozen=True)
class Translator:
    """``gettext`` for one language, and the catalog the page receives."""

    lang: str
    entries: dict[str, str]
    translations: gettext.NullTranslations

    @classmethod
    def load(cls, lang: str) -> Translator:
        if lang not in LANGUAGES:
            raise SharedpropError(f"language must be one of {', '.join(LANGUAGES)}, got {lang!r}")
        if lang == SOURCE_LANGUAGE:
            return cls(lang, {}, gettext.NullTranslations())
        entries = parse_po(po_text(lang), f"{lang}.po")
        mo = gettext.GNUTranslations(io.BytesIO(compile_po(entries)))
        return cls(lang, entries, mo)

    def gettext(self, message: str) -> str:
        return self.translations.gettext(message)

    def catalog(self) -> dict[str, str]:
        """``msgid → translation`` for the page (translated entries only)."""
        return {k: v for k, v in self.entries.items() if k and v}


_active: list[Translator] = [Translator(SOURCE_LANGUAGE, {}, gettext.NullTranslations())]


def activate(lang: str) -> Translator:
    """Make ``lang`` the language of :func:`_` (one app, one language per process)."""
    _active[0] = Translator.load(lang)
    return _active[0]


def active() -> Translator:
    return _active[0]


def _(message: str) -> str:
    """Mark ``message`` for translation and translate it into the active language."""
    return _active[0].gettext(message)
