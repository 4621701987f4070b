"""The Chinese catalog translates every message the code can produce, field for field."""

from __future__ import annotations

import ast
import re
from pathlib import Path

from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po as babel_read_po

from sharedprop.i18n.catalog import catalog_path, translations
from sharedprop.i18n.po import read_po

SRC = Path(__file__).resolve().parents[2] / "src" / "sharedprop"
KEYWORDS = {"tr": None, "trn": (1, 2)}
FIELD = re.compile(r"\{(\w*)[^{}]*\}")


def code_messages() -> list[str | tuple[str, str]]:
    found = extract_from_dir(SRC, method_map=[("**.py", "python")], keywords=KEYWORDS)
    return [message for _, _, message, _, _ in found]


def zh_entries() -> dict[str, object]:
    return {e.msgid: e for e in read_po(catalog_path("zh")) if e.msgid}


def test_every_message_in_the_code_has_a_chinese_translation() -> None:
    entries = zh_entries()
    missing = []
    for message in code_messages():
        msgid = message if isinstance(message, str) else message[0]
        entry = entries.get(msgid)
        if entry is None or not all(entry.msgstr.values()) or entry.fuzzy:
            missing.append(msgid)
    assert missing == []


def test_the_catalog_holds_no_message_the_code_has_dropped() -> None:
    in_code = {m if isinstance(m, str) else m[0] for m in code_messages()}
    assert sorted(set(zh_entries()) - in_code) == []


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


def test_translations_fill_the_same_fields_as_the_english() -> None:
    wrong = []
    for msgid, entry in zh_entries().items():
        wanted = set(FIELD.findall(msgid)) | set(FIELD.findall(entry.msgid_plural or ""))
        for text in entry.msgstr.values():
            if not set(FIELD.findall(text)) <= wanted or (
                entry.msgid_plural is None and set(FIELD.findall(text)) != wanted
            ):
                wrong.append(msgid)
    assert wrong == []


def test_the_standard_library_reader_agrees_with_babel_on_the_catalog() -> None:
    with catalog_path("zh").open("rb") as fh:
        reference = babel_read_po(fh)
    ours = zh_entries()
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
