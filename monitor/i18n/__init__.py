"""Message catalogues for every text a person reads, in Indonesian and English.

Each module in this package defines ``MESSAGES``: a mapping from a message
key to ``{"id": ..., "en": ...}`` format strings with the same ``{name}``
placeholders. Keeping both languages of one message side by side makes a
missing translation visible in review, and ``tests/test_i18n.py`` checks it.
"""

from __future__ import annotations

import importlib
import pkgutil
from collections.abc import Mapping

LANGUAGES = ("id", "en")
DEFAULT_LANGUAGE = "id"

_catalogue: dict[str, Mapping[str, str]] = {}


def _load() -> dict[str, Mapping[str, str]]:
    if not _catalogue:
        for module_info in sorted(pkgutil.iter_modules(__path__), key=lambda m: m.name):
            module = importlib.import_module(f"{__name__}.{module_info.name}")
            for key, texts in module.MESSAGES.items():
                if key in _catalogue:
                    raise RuntimeError(f"message key {key!r} defined twice")
                _catalogue[key] = texts
    return _catalogue


def catalogue() -> Mapping[str, Mapping[str, str]]:
    """Return every message key with its texts in all languages."""
    return _load()


def translate(key: str, language: str = DEFAULT_LANGUAGE, /, **params: object) -> str:
    """Format the message ``key`` in ``language`` ("id" or "en") with ``params``.

    An unknown language falls back to Indonesian. An unknown key raises
    KeyError, because a missing message is a bug, not something to hide.
    """
    texts = _load()[key]
    template = texts.get(language) or texts[DEFAULT_LANGUAGE]
    return template.format(**params)


def bilingual(key: str, /, **params: object) -> str:
    """Format ``key`` in Indonesian, then English on the next line.

    Used for errors shown before the configured language is known, such as a
    configuration that cannot be loaded.
    """
    return "\n".join(translate(key, language, **params) for language in LANGUAGES)
