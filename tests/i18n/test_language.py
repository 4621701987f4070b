"""Which language text comes in, and how numbers read in it."""

from __future__ import annotations

import threading

import pytest

from sharedprop.i18n import default_language, language, normalise, tr, use_language
from sharedprop.i18n.numbers import distance, money, percent, share, words


@pytest.mark.parametrize(
    ("environ", "expected"),
    [
        ({"LANG": "zh_CN.UTF-8"}, "zh"),
        ({"LANG": "zh_TW.UTF-8"}, "zh"),
        ({"LANG": "en_US.UTF-8"}, "en"),
        ({"LANG": "C.UTF-8"}, "en"),
        ({}, "en"),
        ({"LANGUAGE": "zh_CN:en", "LANG": "en_US.UTF-8"}, "zh"),
        ({"LC_ALL": "en_GB.UTF-8", "LANG": "zh_CN.UTF-8"}, "en"),
    ],
)
def test_the_default_comes_from_the_locale_in_gettexts_order(environ, expected) -> None:
    assert default_language(environ) == expected


def test_language_names_are_normalised_and_others_refused() -> None:
    assert [normalise(x) for x in ("zh_CN.UTF-8", "ZH", "zh-Hans", "en_GB")] == [
        "zh", "zh", "zh", "en"
    ]  # fmt: skip
    with pytest.raises(ValueError, match=r"lang must be one of en, zh, got 'fr'"):
        normalise("fr")


def test_use_language_holds_inside_its_block_only() -> None:
    with use_language("zh"):
        assert language() == "zh" and tr("Coverage") == "覆盖"
        with use_language("en"):
            assert tr("Coverage") == "Coverage"
        with use_language(None):
            assert language() == "zh"
    assert language() == "en"  # the tests' locale (conftest)


def test_each_thread_keeps_its_own_language() -> None:
    seen: list[str] = []
    with use_language("zh"):
        worker = threading.Thread(target=lambda: seen.append(language()))
        worker.start()
        worker.join()
    assert seen == ["en"]


def test_chinese_money_is_in_wan_yuan_from_ten_thousand_on() -> None:
    with use_language("zh"):
        assert money(563_824) == "56.4 万元"
        assert money(260_000) == "26 万元"
        assert money(1_403_824) == "140.4 万元"
        assert money(8_500) == "8,500 元"
        assert money(None) == "—"
    with use_language("en"):
        assert money(563_824) == "563,824"


def test_shares_distances_and_lists_read_as_each_language_writes_them() -> None:
    with use_language("zh"):
        assert (share(0.123), distance(850), distance(12_400)) == ("12.3%", "850 米", "12.4 公里")
        assert words(["P1", "P2", "P3"]) == "P1、P2和P3"
    with use_language("en"):
        assert (share(0.123), distance(850), distance(12_400)) == ("12.3 %", "850 m", "12.4 km")
        assert words(["P1", "P2", "P3"]) == "P1, P2 and P3"
    assert percent(0.8, 0) == "80%"
