#!/bin/sh
# Refresh the translations: extract -> update -> compile, then list what lacks English.
#
#   asnbelajar/translations/update.sh           # from anywhere; uses ./.venv
#   asnbelajar/translations/update.sh --check   # also exit 1 if a msgid lacks English
#   VENV=/path/to/venv asnbelajar/translations/update.sh
#
# The English wording lives only in en/LC_MESSAGES/messages.po: translate new (empty)
# msgstr there, run this again, commit .pot, .po and .mo. See docs/translations.md.
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
"$BIN/pybabel" update -i "$DIR/messages.pot" -d "$DIR" -l en -D messages \
    --no-fuzzy-matching --ignore-obsolete

# 3. Compile every catalog (what Flask-Babel actually reads).
"$BIN/pybabel" compile -d "$DIR" -D messages --statistics
for po in "$DIR"/*/LC_MESSAGES/wtforms.po; do
    [ -e "$po" ] && "$BIN/pybabel" compile -i "$po" -o "${po%.po}.mo"
done

# 4. List the msgids that still need English (tests/test_i18n.py fails while any do).
"$BIN/python" - "$DIR/en/LC_MESSAGES/messages.po" "${1:-}" <<'PY'
import sys
from babel.messages.pofile import read_po

with open(sys.argv[1], "rb") as f:
    catalog = read_po(f, locale="en")
missing = [m.id for m in catalog if m.id and (m.fuzzy or not all(
    s.strip() for s in ([m.string] if isinstance(m.string, str) else m.string)))]
for msgid in missing:
    print("untranslated:", msgid if isinstance(msgid, str) else msgid[0])
sys.exit(1 if missing and sys.argv[2] == "--check" else 0)
PY
