"""The Chinese catalogs translate every message the code can produce, field for field.

Two gettext domains: ``sharedprop`` (the library's ``tr()``/``trn()`` messages) and
``sharedprop-app`` (the web app's ``_()``/``N_()`` strings in its Python, JS and page template).
Both are read and compiled by :mod:`sharedprop.i18n.po` and checked here the same way.
"""

from __future__ import annotations

import ast
import re
from dataclasses import dataclass
from pathlib import Path

import pytest
from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po as babel_read_po

from sharedprop.i18n.catalog import DOMAIN, catalog_path, messages, translations
from sharedprop.i18n.po import read_po

SRC = Path(__file__).resolve().parents[2] / "src" / "sharedprop"
KEYWORDS = {"tr": None, "trn": (1, 2)}
FIELD = re.compile(r"\{(\w*)[^{}]*\}")
APP_DOMAIN = "sharedprop-app"


@dataclass(frozen=True)
class Extraction:
    """Where a domain's messages are marked in the code, and how babel finds them."""

    root: Path
    method_map: tuple[tuple[str, str], ...]
    keywords: dict[str, object]
    options: dict[str, dict[str, str]]


EXTRACTIONS = {
    DOMAIN: Extraction(SRC, (("**.py", "python"),), KEYWORDS, {}),
    APP_DOMAIN: Extraction(
        SRC / "app",
        (
            ("**.py", "python"),
            ("static/js/**.js", "javascript"),
            ("templates/**.html", "jinja2.ext:babel_extract"),
        ),
        {"_": None, "N_": None},
        # `${_("gap")}` inside a template literal counts too.
        {"static/js/**.js": {"parse_template_string": "true"}},
    ),
}


def code_messages(domain: str) -> dict[str, str]:
    """Each message (its msgid) marked in the domain's code → the file it is first found in."""
    ex = EXTRACTIONS[domain]
    found = extract_from_dir(
        ex.root, method_map=list(ex.method_map), options_map=ex.options, keywords=ex.keywords
    )
    out: dict[str, str] = {}
    for path, _, message, _, _ in found:
        out.setdefault(message if isinstance(message, str) else message[0], Path(path).name)
    return out


def zh_entries(domain: str) -> dict[str, object]:
    return {e.msgid: e for e in read_po(catalog_path("zh", domain)) if e.msgid}


@pytest.mark.parametrize("domain", EXTRACTIONS)
def test_every_message_in_the_code_has_a_chinese_translation(domain) -> None:
    entries = zh_entries(domain)
    missing = []
    for msgid, where in code_messages(domain).items():
        entry = entries.get(msgid)
        if entry is None or not all(entry.msgstr.values()) or entry.fuzzy:
            missing.append(f"{msgid!r} ({where})")
    assert missing == [], f"add these to {catalog_path('zh', domain)}:\n" + "\n".join(missing)


@pytest.mark.parametrize("domain", EXTRACTIONS)
def test_the_catalog_holds_no_message_the_code_has_dropped(domain) -> None:
    assert sorted(set(zh_entries(domain)) - set(code_messages(domain))) == []


def test_the_app_extraction_reads_python_javascript_and_the_page_template() -> None:
    found = code_messages(APP_DOMAIN)
    assert {"api.py", "uploads.py", "panels.js", "index.html"} <= set(found.values())
    assert found["gap"] == "main.js"  # marked inside a JS template literal
    assert found["Shared property workbench"] == "index.html"


def _calls_in(tree: ast.AST) -> list[ast.Call]:
    return [
        node
        for node in ast.walk(tree)
        if isinstance(node, ast.Call)
        and isinstance(node.func, ast.Name)
        and node.func.id in KEYWORDS
    ]


def test_every_translated_message_is_a_literal_the_extractor_can_see() -> None:
    hidden = []
    for path in SRC.rglob("*.py"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for call in _calls_in(tree):
            texts = call.args[: 2 if call.func.id == "trn" else 1]
            if not all(isinstance(a, ast.Constant) and isinstance(a.value, str) for a in texts):
                hidden.append(f"{path.name}:{call.lineno}")
        # Inside an f-string a call is invisible to the extractor.
        for node in ast.walk(tree):
            if isinstance(node, ast.JoinedStr) and _calls_in(node):
                hidden.append(f"{path.name}:{node.lineno} (in an f-string)")
    assert hidden == []


@pytest.mark.parametrize("domain", EXTRACTIONS)
def test_translations_fill_the_same_fields_as_the_english(domain) -> None:
    wrong = []
    for msgid, entry in zh_entries(domain).items():
        wanted = set(FIELD.findall(msgid)) | set(FIELD.findall(entry.msgid_plural or ""))
        for text in entry.msgstr.values():
            if not set(FIELD.findall(text)) <= wanted or (
                entry.msgid_plural is None and set(FIELD.findall(text)) != wanted
            ):
                wrong.append(msgid)
    assert wrong == []


@pytest.mark.parametrize("domain", EXTRACTIONS)
def test_the_standard_library_reader_agrees_with_babel_on_the_catalog(domain) -> None:
    with catalog_path("zh", domain).open("rb") as fh:
        reference = babel_read_po(fh)
    ours = zh_entries(domain)
    assert len(ours) == len([m for m in reference if m.id])
    for message in reference:
        if not message.id:
            continue
        msgid = message.id if isinstance(message.id, str) else message.id[0]
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        assert tuple(ours[msgid].msgstr[k] for k in sorted(ours[msgid].msgstr)) == strings


def test_the_compiled_catalog_is_what_gettext_reads() -> None:
    zh = translations("zh")
    assert zh.gettext("Coverage") == "覆盖"
    assert zh.ngettext("{n} member", "{n} members", 5) == "{n} 个成员小区"
    assert zh.gettext("a message nobody wrote") == "a message nobody wrote"
    assert translations("zh", APP_DOMAIN).gettext("Solve") == "求解"


def test_a_page_gets_the_translated_entries_of_its_domain_only() -> None:
    page = messages("zh", APP_DOMAIN)
    assert page["Map"] == "地图" and "" not in page
    assert "{n} problems found:" not in page  # a library message: the other domain
    assert messages("en", APP_DOMAIN) == {}  # English shows the strings as written
