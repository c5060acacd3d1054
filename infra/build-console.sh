#!/usr/bin/env bash
# Builds the web console (console/ → console/dist, served by the API at /console) when console/dist is missing
# or older than any of its sources. `npm start` runs it; `npm run build:console` builds unconditionally.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
built=console/dist/index.html
if [ -f "$built" ] && [ -z "$(find console/src console/index.html console/vite.config.mts package-lock.json -newer "$built" -print -quit)" ]; then
  exit 0
fi
echo "[build] the web console (vite build console → console/dist)" >&2
npx vite build console --logLevel warn
