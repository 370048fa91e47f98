#!/bin/sh
# Container entry point of every service: migrate (safe with several replicas: advisory lock),
# optionally seed (idempotent, also under a lock), then become the service process.
set -e
app="$(dirname "$0")/.."
if [ "${MIGRATE_ON_START:-true}" = "true" ]; then
  node "$app/packages/postgres/bin/fleet-db.mjs" migrate prisma/migrations
fi
if [ "${SEED_ON_START:-false}" = "true" ] && [ -f prisma/seed.js ]; then
  node prisma/seed.js
fi
exec "$@"
