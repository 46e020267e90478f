"""Message catalogues: every text exists in Indonesian and English alike."""

from __future__ import annotations

import string

import pytest

from monitor import i18n, state
from monitor.state import STATUSES
from probes import base


def placeholders(template: str) -> set[str]:
    return {field for _, field, _, _ in string.Formatter().parse(template) if field}


@pytest.mark.parametrize("key", sorted(i18n.catalogue()))
def test_message_in_both_languages(key: str) -> None:
    texts = i18n.catalogue()[key]
    assert set(texts) == {"id", "en"}
    assert texts["id"].strip()
    assert texts["en"].strip()
    assert placeholders(texts["id"]) == placeholders(texts["en"])


def test_every_status_and_reason_translated() -> None:
    reasons = [value for name, value in vars(base).items() if name.isupper()]
    reasons += [value for name, value in vars(state).items() if name.startswith("REASON_")]
    for code in reasons:
        assert i18n.translate(f"reason.{code}", "id")
    for limit in state.LIMITS:
        assert i18n.translate(f"alert.metric.{limit}", "en")
    for status in STATUSES:
        assert i18n.translate(f"status.{status}", "en")


def test_glossary_terms_for_statuses() -> None:
    assert i18n.translate("status.up", "id") == "NORMAL"
    assert i18n.translate("status.down", "id") == "GANGGUAN (tidak merespons)"
    assert i18n.translate("status.unreachable", "id") == "TIDAK TERJANGKAU"
    assert i18n.translate("status.unconfigured", "id") == "BELUM DIKONFIGURASI"
    assert i18n.translate("status.maintenance", "id") == "PEMELIHARAAN"
    assert i18n.translate("status.degraded", "id") == "MENURUN"


def test_unknown_language_falls_back_to_indonesian() -> None:
    assert i18n.translate("status.up", "fr") == "NORMAL"


def test_bilingual_puts_indonesian_first() -> None:
    assert i18n.bilingual("status.down").splitlines() == [
        "GANGGUAN (tidak merespons)",
        "DOWN (not responding)",
    ]
