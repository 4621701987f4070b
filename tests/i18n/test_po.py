"""The standard-library .po reader and .mo compiler."""

from __future__ import annotations

import gettext
import io

import pytest

from sharedprop.i18n.po import Entry, compile_mo, read_po


def test_entries_may_span_lines_and_untranslated_ones_are_kept_empty(tmp_path) -> None:
    po = tmp_path / "x.po"
    po.write_text(
        'msgid ""\nmsgstr ""\n\n# note\nmsgid "long "\n"text"\nmsgstr "长"\n"文本"\n\n'
        'msgid "x"\nmsgstr ""\n',
        encoding="utf-8",
    )
    entries = {e.msgid: e.msgstr for e in read_po(po)}
    assert entries == {"": {0: ""}, "long text": {0: "长文本"}, "x": {0: ""}}


def test_a_malformed_line_is_named_by_its_line_number(tmp_path) -> None:
    po = tmp_path / "bad.po"
    po.write_text('msgid "a"\nmsgstr a\n', encoding="utf-8")
    with pytest.raises(ValueError, match=r"bad.po line 2"):
        read_po(po)


def test_the_compiled_catalog_is_what_gettext_reads_and_leaves_out_untranslated_entries() -> None:
    entries = [
        Entry("", msgstr={0: "Content-Type: text/plain; charset=UTF-8\n"}),
        Entry("Map", msgstr={0: "地图"}),
        Entry("a\nb", msgstr={0: "甲\n乙"}),
        Entry("later", msgstr={0: ""}),
        Entry("guess", msgstr={0: "猜"}, fuzzy=True),
    ]
    mo = gettext.GNUTranslations(io.BytesIO(compile_mo(entries)))
    assert (mo.gettext("Map"), mo.gettext("a\nb")) == ("地图", "甲\n乙")
    assert (mo.gettext("later"), mo.gettext("guess")) == ("later", "guess")
