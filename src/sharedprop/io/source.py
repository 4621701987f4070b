"""Where an instance's data came from, as its messages name it.

One validation path (:func:`sharedprop.io.frames.from_frames`) serves a folder of files, one
workbook and a caller's DataFrames; a :class:`Source` tells it what to call each place:
``communities.csv row 3``, ``sheet communities row 3`` or ``communities frame index 2``.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from sharedprop.io.schema import SETTINGS_SECTIONS, TABLES


@dataclass(frozen=True)
class Source:
    """What messages call each table and setting, and how rows are counted.

    Parameters
    ----------
    tables
        Table name -> label (``"communities" -> "communities.csv"``).
    settings
        Section (``instance``, ``policy``, ``objective``) -> label (``"instance.toml [policy]"``).
    keys
        ``(section, key)`` -> label for one setting, where it has a place of its own
        (``("policy", "link_max_m") -> "sheet policy row 5"``); falls back to ``settings``.
    spreadsheet_rows
        True when a frame's index holds spreadsheet row numbers (header = row 1), as the
        readers' frames do; messages then say ``row 3``. Otherwise they say ``index 2``.
    text_settings
        True when setting values are cell text to be parsed (``"true"``, ``"80%"``); False when
        they must already have their type (TOML, Python).
    path
        The file or folder the data came from, kept as ``Instance.path``.
    """

    tables: Mapping[str, str] = field(default_factory=dict)
    settings: Mapping[str, str] = field(default_factory=dict)
    keys: Mapping[tuple[str, str], str] = field(default_factory=dict)
    spreadsheet_rows: bool = False
    text_settings: bool = False
    path: Path | None = None

    @classmethod
    def named(
        cls, template: str = "{table} frame", settings_template: str = "{table}", **kwargs
    ) -> Source:
        """Tables labelled by ``template`` (``"sheet {table}"``), sections by the other."""
        return cls(
            tables={n: template.format(table=n) for n in TABLES},
            settings={n: settings_template.format(table=n) for n in SETTINGS_SECTIONS},
            **kwargs,
        )

    def table(self, name: str) -> str:
        return self.tables.get(name, f"{name} frame")

    def setting(self, section: str, key: str | None = None) -> str:
        if key is not None and (section, key) in self.keys:
            return self.keys[(section, key)]
        return self.settings.get(section, section)


def as_source(source: Source | str | None) -> Source:
    """A :class:`Source` from what a caller of ``from_frames`` passed."""
    if isinstance(source, Source):
        return source
    if source is None:
        return Source.named()
    template = source if "{table}" in source else f"{source} {{table}}"
    return Source.named(template, template)


__all__ = ["Source", "as_source"]
