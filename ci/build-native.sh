#!/bin/sh
# Builds the one native addon. Incremental (make) unless binding.gyp changed; serialised by a
# lock so concurrent builds in one tree (tests, helpers, CI steps) do not clobber build/.
set -e
cd "$(dirname "$0")/.."
exec 9>.build.lock
flock 9
# node-gyp: npm names its bundled copy in npm scripts; outside them, use the one on PATH or
# the copy that ships inside npm itself (no download either way).
# Node's own headers (no download): npm's `nodedir` setting, else the running node's prefix.
export npm_config_nodedir="${npm_config_nodedir:-$(npm config get nodedir 2>/dev/null || true)}"
[ -n "$npm_config_nodedir" ] && [ "$npm_config_nodedir" != "undefined" ] || npm_config_nodedir="$(node -p 'require("path").resolve(process.execPath, "../..")')"
if [ -n "${npm_config_node_gyp:-}" ]; then
  GYP="node $npm_config_node_gyp"
elif command -v node-gyp >/dev/null 2>&1; then
  GYP="node-gyp"
else
  GYP="node $(dirname "$(readlink -f "$(command -v npm)")")/../node_modules/node-gyp/bin/node-gyp.js"
fi
# Reconfigure when binding.gyp changed or an optional backend's headers appeared or went
# (binding.gyp probes them only at configure time).
probes="verbs=$(node ci/probe-header.cjs infiniband/verbs.h rdma/rdma_cma.h) fabric=$(node ci/probe-header.cjs rdma/fabric.h)"
if [ ! -f build/Makefile ] || [ binding.gyp -nt build/Makefile ] || [ "$(cat build/probes 2>/dev/null)" != "$probes" ]; then
  $GYP configure
  echo "$probes" > build/probes
fi
$GYP build -j 2
