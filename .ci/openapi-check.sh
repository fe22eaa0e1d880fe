#!/usr/bin/env bash
# `npm run openapi:check`: regenerates openapi.json and fails when it differs from the committed one.
set -euo pipefail
cd "$(dirname "$0")/.."

npm run -s openapi
if ! git ls-files --error-unmatch openapi.json >/dev/null 2>&1; then
  echo "openapi:check: openapi.json is not committed. Run 'npm run openapi' and commit openapi.json." >&2
  exit 1
fi
if ! git diff --exit-code --stat openapi.json; then
  git --no-pager diff openapi.json | head -200 >&2 || true
  echo "openapi:check: openapi.json is out of date with the code (diff above)." >&2
  echo "Run 'npm run openapi' and commit openapi.json." >&2
  exit 1
fi
echo "openapi:check: openapi.json is up to date."
