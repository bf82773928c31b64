#!/bin/sh
# Builds the one native addon. Incremental (make) unless binding.gyp changed; serialised by a
# lock so concurrent builds in one tree (tests, helpers, CI steps) do not clobber build/.
set -e
cd "$(dirname "$0")/.."
exec 9>.build.lock
flock 9
GYP="node-gyp"
command -v node-gyp >/dev/null 2>&1 || GYP="npx --no-install node-gyp"
if [ ! -f build/Makefile ] || [ binding.gyp -nt build/Makefile ]; then
  $GYP configure
fi
$GYP build -j 2
