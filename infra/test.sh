#!/usr/bin/env bash
# npm test: install what is missing, type-check, lint, then run every test (unit, workflow, replay, integration).
# Jest's machine-readable result goes to test-results/jest.json (read by .ci/run). Extra arguments go to jest.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
bash infra/install.sh
echo "[test] tsc --noEmit"
npx tsc --noEmit -p tsconfig.json
npx tsc --noEmit -p console/tsconfig.json
echo "[test] lint: ESLint, the layer rules (dependency-cruiser), Prettier"
npm run -s lint
mkdir -p test-results
echo "[test] jest"
exec npx jest --json --outputFile=test-results/jest.json "$@"
