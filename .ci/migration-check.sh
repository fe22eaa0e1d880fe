#!/usr/bin/env bash
# `npm run migration:check`: applies every migration to the DATABASE_URL database (use an empty
# one), then fails when the entities still differ from the schema, i.e. when
# `npm run migration:generate` would write a new migration.
set -euo pipefail
cd "$(dirname "$0")/.."

if [[ -z "${DATABASE_URL:-}" ]]; then
  echo "migration:check: set DATABASE_URL to an empty PostgreSQL database" >&2
  exit 2
fi
npm run -s migration:run
# --check writes no file; it exits 1 and prints the pending SQL when entities and migrations disagree.
if ! npm run -s typeorm -- migration:generate migrations/PendingMigration --check; then
  echo "migration:check: entities and migrations disagree." >&2
  echo "Generate a migration: npm run migration:generate -- migrations/<PascalName> (then review and commit it)." >&2
  exit 1
fi
echo "migration:check: migrations match the entities."
