#!/usr/bin/env bash
# Compiles the engine to dist/ (tsc) and writes the workflow bundle (dist/workflow-bundle.js), so that
# `npm start` runs the worker and the API as plain JavaScript. Skipped when the sources have not changed.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
stamp=dist/.sources.sha256
hash="$(find domain workflows store temporal platform activities api worker infra cli -name '*.ts' -print0 | sort -z | xargs -0 cat | cat - package-lock.json tsconfig.json tsconfig.build.json | sha256sum | cut -d' ' -f1)"
if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$hash" ] && [ -f dist/workflow-bundle.js ]; then exit 0; fi
echo "[build] tsc -p tsconfig.build.json (dist/) and the workflow bundle" >&2
rm -rf dist
npx tsc -p tsconfig.build.json
node dist/infra/bundle-workflows.js dist/workflow-bundle.js
echo "$hash" > "$stamp"
