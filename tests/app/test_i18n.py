"""Every string the app marks for translation has a Simplified Chinese translation."""

from __future__ import annotations

import gettext
import io
import re
from pathlib import Path

import pytest

from sharedprop.app.i18n import Translator, compile_po, default_language, parse_po, po_text
from sharedprop.errors import SharedpropError

APP = Path(__file__).resolve().parents[2] / "src" / "sharedprop" / "app"
# _("…") / N_("…") / _('…') with one literal, and Python's _("…" "…") across lines.
ONE = re.compile(r"""\bN?_\(\s*(?:"((?:[^"\\]|\\.)*)"|'((?:[^'\\]|\\.)*)')\s*[,)]""")
MANY = re.compile(r"""\b_\(\s*((?:"(?:[^"\\]|\\.)*"\s*){2,})\)""")


def marked_strings() -> dict[str, str]:
    """Each marked string → the file it is first found in."""
    found: dict[str, str] = {}
    for path in sorted([*APP.rglob("*.py"), *APP.rglob("*.js"), *APP.rglob("*.html")]):
        text = path.read_text("utf-8")
        for m in ONE.finditer(text):
            found.setdefault(m.group(1) if m.group(1) is not None else m.group(2), path.name)
        for m in MANY.finditer(text):
            found.setdefault("".join(re.findall(r'"((?:[^"\\]|\\.)*)"', m.group(1))), path.name)
    return found


def test_the_scan_finds_strings_in_python_javascript_and_the_page():
    where = set(marked_strings().values())
    assert {"api.py", "panels.js", "index.html", "uploads.py"} <= where
    assert "the zip holds no instance.toml: zip the instance folder itself (instance.toml, " \
        "communities.csv, firms.csv, ...)" in marked_strings()  # fmt: skip


def test_every_app_string_has_a_chinese_translation():
    catalog = parse_po(po_text("zh"), "zh.po")
    missing = [f"{s!r} ({where})" for s, where in marked_strings().items() if not catalog.get(s)]
    assert missing == [], "add these to src/sharedprop/app/locale/zh.po:\n" + "\n".join(missing)


def test_translations_keep_their_placeholders():
    catalog = parse_po(po_text("zh"), "zh.po")
    names = re.compile(r"\{(\w+)\}")
    wrong = [k for k, v in catalog.items() if k and set(names.findall(k)) != set(names.findall(v))]
    assert wrong == []


def test_the_compiled_catalog_is_what_gettext_reads():
    entries = {"": "Content-Type: text/plain; charset=UTF-8\n", "Map": "地图", "a\nb": "甲\n乙"}
    mo = gettext.GNUTranslations(io.BytesIO(compile_po(entries)))
    assert mo.gettext("Map") == "地图"
    assert mo.gettext("a\nb") == "甲\n乙"
    assert mo.gettext("unknown") == "unknown"


def test_po_entries_may_span_lines_and_untranslated_ones_are_kept_empty():
    text = (
        'msgid ""\nmsgstr ""\n\n# note\nmsgid "long "\n"text"\nmsgstr "长"\n"文本"\n\n'
        'msgid "x"\nmsgstr ""\n'
    )
    assert parse_po(text) == {"": "", "long text": "长文本", "x": ""}


def test_a_malformed_po_line_names_its_line():
    with pytest.raises(SharedpropError, match="bad.po line 2"):
        parse_po('msgid "a"\nmsgstr a\n', "bad.po")


def test_english_shows_strings_as_written_and_chinese_translates_them():
    assert Translator.load("en").gettext("Map") == "Map"
    zh = Translator.load("zh")
    assert zh.gettext("Map") == "地图" and zh.catalog()["Solve"] == "求解"


def test_the_default_language_follows_the_locale():
    assert default_language({"LANG": "zh_CN.UTF-8"}) == "zh"
    assert default_language({"LC_ALL": "en_US.UTF-8", "LANG": "zh_CN.UTF-8"}) == "en"
    assert default_language({"LANGUAGE": "zh_TW:en"}) == "zh"
