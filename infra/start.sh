#!/usr/bin/env bash
# npm start: install what is missing, compile (dist/, skipped when nothing changed), build the web console
# (console/dist, skipped when up to date), then run the whole system in the foreground.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
bash infra/install.sh
bash infra/build.sh
bash infra/build-console.sh
exec node --import tsx infra/start.ts
