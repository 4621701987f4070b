"""Planners' language: English or Simplified Chinese through gettext catalogs.

``tr``/``trn`` translate, ``use_language`` sets the language for a block, ``numbers`` formats
money (万元 in Chinese), shares, distances and lists as each language writes them.
"""

from __future__ import annotations

from sharedprop.i18n.catalog import (
    LANGUAGES,
    Language,
    default_language,
    language,
    normalise,
    tr,
    trn,
    use_language,
)

__all__ = [
    "LANGUAGES",
    "Language",
    "default_language",
    "language",
    "normalise",
    "tr",
    "trn",
    "use_language",
]
