"""The planner's language: English (the messages as written in the code) or Simplified Chinese.

Text for planners is written in the code as English templates with named fields,
``tr("{name} must be >= 0, got {value}", name=..., value=...)``; :func:`tr` looks the template
up in the language's gettext catalog (``locale/<lang>/LC_MESSAGES/sharedprop.po``) and fills it.
English needs no catalog. Other parts with strings of their own keep them in a gettext domain
of their own beside it (the web app: ``sharedprop-app.po``), read by the same code
(:func:`translations`, :func:`messages`). The language is the one set by :func:`use_language`
(the CLI's ``--lang``, the ``lang`` parameter of the Python API), else the locale's: Chinese
for a ``zh*`` locale (``LANGUAGE``, ``LC_ALL``, ``LC_MESSAGES``, ``LANG``, in gettext's
order), else English. It is held in a context variable, so threads and tasks of a web app each
keep their own.
"""

from __future__ import annotations

import gettext
import io
import os
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from contextvars import ContextVar
from functools import cache
from pathlib import Path
from typing import Any, Literal

from sharedprop.i18n.po import compile_mo, read_po

Language = Literal["en", "zh"]
LANGUAGES: tuple[str, ...] = ("en", "zh")
DOMAIN = "sharedprop"
LOCALE_DIR = Path(__file__).parent / "locale"
_LOCALE_VARIABLES = ("LANGUAGE", "LC_ALL", "LC_MESSAGES", "LANG")

_current: ContextVar[str | None] = ContextVar("sharedprop_language", default=None)


def normalise(lang: str) -> Language:
    """``"zh_CN.UTF-8"``, ``"zh-Hans"``, ``"ZH"`` → ``"zh"``; ``"en_GB"`` → ``"en"``."""
    code = lang.strip().lower().replace("-", "_").split("_")[0].split(".")[0]
    if code not in LANGUAGES:
        raise ValueError(f"lang must be one of {', '.join(LANGUAGES)}, got {lang!r}")
    return code  # type: ignore[return-value]


def default_language(environ: Mapping[str, str] | None = None) -> Language:
    """The locale's language: ``zh`` for a Chinese locale, else ``en``."""
    env = os.environ if environ is None else environ
    for name in _LOCALE_VARIABLES:
        value = env.get(name, "")
        if value:
            first = value.split(":")[0]
            return "zh" if first.lower().startswith("zh") else "en"
    return "en"


def language() -> Language:
    """The language text is produced in now."""
    return _current.get() or default_language()  # type: ignore[return-value]


@contextmanager
def use_language(lang: str | None) -> Iterator[Language]:
    """Produce text in ``lang`` inside the block (``None``: keep the current language)."""
    if lang is None:
        yield language()
        return
    token = _current.set(normalise(lang))
    try:
        yield language()
    finally:
        _current.reset(token)


def catalog_path(lang: str, domain: str = DOMAIN) -> Path:
    return LOCALE_DIR / lang / "LC_MESSAGES" / f"{domain}.po"


@cache
def translations(lang: str, domain: str = DOMAIN) -> gettext.NullTranslations:
    """The compiled catalog of ``lang`` in ``domain`` (English: none, the code's own text)."""
    if lang == "en":
        return gettext.NullTranslations()
    return gettext.GNUTranslations(io.BytesIO(compile_mo(read_po(catalog_path(lang, domain)))))


@cache
def _messages(lang: str, domain: str) -> tuple[tuple[str, str], ...]:
    if lang == "en":
        return ()
    return tuple(
        (e.msgid, e.msgstr[0])
        for e in read_po(catalog_path(lang, domain))
        if e.msgid and e.msgid_plural is None and not e.fuzzy and e.msgstr.get(0)
    )


def messages(lang: str, domain: str = DOMAIN) -> dict[str, str]:
    """``msgid → translation`` of the translated entries of ``domain`` (for a web page, whose
    script translates with them; English: empty, the page shows its strings as written)."""
    return dict(_messages(lang, domain))


def tr(message: str, /, **values: Any) -> str:
    """``message`` in the current language, its ``{fields}`` filled from ``values``."""
    return translations(language()).gettext(message).format(**values)


def trn(singular: str, plural: str, n: int, /, **values: Any) -> str:
    """:func:`tr` for a message with a count: ``{n}`` is ``n`` unless ``values`` give it
    (formatted, ``1,234``)."""
    return translations(language()).ngettext(singular, plural, n).format(**({"n": n} | values))
