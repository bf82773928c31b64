#!/bin/sh
# Builds the one native addon. Incremental (make) unless binding.gyp changed; serialised by a
# lock so concurrent builds in one tree (tests, helpers, CI steps) do not clobber build/.
set -e
cd "$(dirname "$0")/.."
exec 9>.build.lock
flock 9
# node-gyp: npm names its bundled copy in npm scripts; outside them, use the one on PATH or
# the copy that ships inside npm itself (no download either way).
if [ -n "${npm_config_node_gyp:-}" ]; then
  GYP="node $npm_config_node_gyp"
elif command -v node-gyp >/dev/null 2>&1; then
  GYP="node-gyp"
else
  GYP="node $(dirname "$(readlink -f "$(command -v npm)")")/../node_modules/node-gyp/bin/node-gyp.js"
fi
if [ ! -f build/Makefile ] || [ binding.gyp -nt build/Makefile ]; then
  $GYP configure
fi
$GYP build -j 2
