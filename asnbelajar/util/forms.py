"""The base of every form: WTForms' own messages in the visitor's language.

WTForms asks ``form.meta.get_translations(form)`` for an object with ``gettext`` and
``ngettext`` and runs its built-in messages ("This field is required.", "Invalid email
address.", "Not a valid choice." ...) through it. WTForms ships no Indonesian catalog, so
``translations/id/LC_MESSAGES/wtforms.po`` holds one; a Flask-Babel ``Domain`` named
``wtforms`` reads it next to WTForms' own catalogs and picks the catalog of Flask-Babel's
current locale (Indonesian unless the person chose English), caching each once.
Messages a form writes itself stay ``lazy_gettext`` in the ``messages`` catalog.
"""

from __future__ import annotations

from pathlib import Path

from flask_babel import Domain
from flask_wtf import FlaskForm
from wtforms.i18n import messages_path

__all__ = ["BaseForm", "wtforms_translations"]

_TRANSLATIONS = str(Path(__file__).resolve().parent.parent / "translations")
_DOMAIN = Domain(translation_directories=[_TRANSLATIONS, messages_path()], domain="wtforms")


class _WTFormsTranslations:
    """gettext/ngettext over the ``wtforms`` domain, without formatting: WTForms fills in
    ``%(min)d`` and the like itself."""

    def gettext(self, string: str) -> str:
        return _DOMAIN.get_translations().ugettext(string)

    def ngettext(self, singular: str, plural: str, n: int) -> str:
        return _DOMAIN.get_translations().ungettext(singular, plural, n)


wtforms_translations = _WTFormsTranslations()


class BaseForm(FlaskForm):
    """A FlaskForm (CSRF included) whose built-in messages follow the user's language."""

    class Meta:
        def get_translations(self, form):
            return wtforms_translations
