#!/bin/sh
# Refresh the translations: extract -> update -> fill English -> compile.
#
#   asnbelajar/translations/update.sh           # from anywhere; uses ./.venv
#   asnbelajar/translations/update.sh --check   # also exit 1 if a msgid lacks English
#   VENV=/path/to/venv asnbelajar/translations/update.sh
#
# See docs/translations.md.
set -eu
cd "$(dirname "$0")/../.."
BIN="${VENV:-.venv}/bin"
DIR=asnbelajar/translations
VERSION="$(sed -n 's/^version *= *//p' setup.cfg)"

# 1. Extract every _(), gettext(), _l() / lazy_gettext() and template {{ _('...') }}.
"$BIN/pybabel" extract -F babel.cfg -k _l -k lazy_gettext -k lazy_ngettext:1,2 \
    --no-location --sort-by-file --project "ASN Belajar" --version "$VERSION" \
    -o "$DIR/messages.pot" .

# 2. Merge into en/LC_MESSAGES/messages.po (new msgids arrive empty; removed ones go).
"$BIN/pybabel" update -i "$DIR/messages.pot" -d "$DIR" -l en \
    --no-fuzzy-matching --ignore-obsolete

# 3. Fill empty msgstr from the dictionary in fill_en.py; prints what is still missing.
"$BIN/python" "$DIR/fill_en.py"

# 4. Compile messages.mo (what Flask-Babel actually reads).
"$BIN/pybabel" compile -d "$DIR" --statistics

if [ "${1:-}" = "--check" ]; then
    exec "$BIN/python" "$DIR/fill_en.py" --check
fi
