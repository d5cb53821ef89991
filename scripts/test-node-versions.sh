#!/usr/bin/env bash
# Runs the tests that depend on the Node.js version on the versions users run besides the
# machine's own (see scripts/node-versions.sh): the transport contract and broker tests on each,
# and the reliability suite (real worker processes, SIGKILL, broker restarts) on the newest.
# The installed package is checked on each of them by scripts/artifact/check.ts --other-nodes.
set -euo pipefail
cd "$(dirname "$0")/.."
mapfile -t binaries < <(bash scripts/node-versions.sh)
for node in "${binaries[@]}"; do
  echo "== Node.js $("$node" --version): transport contract and broker tests"
  "$node" node_modules/vitest/vitest.mjs run src/transport/in-memory-transport.test.ts src/brokers
done
newest=${binaries[-1]}
echo "== Node.js $("$newest" --version): reliability suite"
"$newest" node_modules/vitest/vitest.mjs run test/reliability --no-file-parallelism
