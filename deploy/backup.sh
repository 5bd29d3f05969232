#!/bin/sh
# Back up the ASN Belajar database into DIR, keep 14 days. Needs the same environment as
# the app (ASNBELAJAR_DATABASE_URL); for PostgreSQL, pg_dump reads the password from
# ~/.pgpass or PGPASSWORD.
set -eu
DIR=${1:?usage: backup.sh DIR}
mkdir -p "$DIR"
STAMP=$(date -u +%Y%m%dT%H%M%SZ)
URL=${ASNBELAJAR_DATABASE_URL:-}
case "$URL" in
  postgres*)
    # libpq does not know SQLAlchemy's driver suffix.
    pg_dump --format=custom --no-owner --file "$DIR/asnbelajar-$STAMP.dump" \
      "$(printf '%s' "$URL" | sed 's/^postgresql+psycopg:/postgresql:/; s/^postgres:/postgresql:/')"
    ;;
  *)
    /srv/asnbelajar/venv/bin/asnbelajar backup "$DIR/asnbelajar-$STAMP.db"
    gzip -f "$DIR/asnbelajar-$STAMP.db"
    ;;
esac
find "$DIR" -name 'asnbelajar-*' -mtime +14 -delete
# Uploaded files (materials, photos, evidence) are not in the database: copy them too.
if [ -d /srv/asnbelajar/instance/uploads ]; then
  tar -C /srv/asnbelajar/instance -czf "$DIR/uploads-$STAMP.tar.gz" uploads
  find "$DIR" -name 'uploads-*' -mtime +14 -delete
fi
