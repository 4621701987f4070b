"""The app's own strings in Simplified Chinese and English: the gettext domain ``sharedprop-app``.

Python code marks a string with :func:`_`; the page asks the server for its catalog as JSON
(:func:`page_catalog`) and marks its strings with ``_()`` too. The translations are
``sharedprop/i18n/locale/<lang>/LC_MESSAGES/sharedprop-app.po``, read and compiled in memory by
:mod:`sharedprop.i18n` like the library's own catalog. A domain of its own, rather than the
library's: the page downloads its catalog on every load and needs only its own strings, and each
catalog is checked against the strings of the code it serves (``_()`` in the app's Python, JS and
HTML; ``tr()`` in the library). The language is :func:`sharedprop.i18n.language`: the server sets
the app's language around every request and in its threads, so the library's messages inside the
app (validation, explanations) come in the same language as the page.
"""

from __future__ import annotations

from sharedprop.i18n import language
from sharedprop.i18n.catalog import messages, translations

APP_DOMAIN = "sharedprop-app"


def _(message: str) -> str:
    """Mark ``message`` for translation and translate it into the current language."""
    return translations(language(), APP_DOMAIN).gettext(message)


def page_catalog() -> dict[str, str]:
    """``msgid → translation`` of the app's strings in the current language, for the page."""
    return messages(language(), APP_DOMAIN)
