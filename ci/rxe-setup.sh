#!/bin/sh
# Configures soft-RoCE (the kernel's rdma_rxe driver) on a network device so the verbs RMA
# backend has a device to run on: `sh ci/rxe-setup.sh [netdev]` (default: the device of the
# default route). Exits 0 with a clear message where the kernel has no rdma_rxe: CI must not
# fail because of it; the verbs tests then report themselves skipped.
set -u
DEV="${1:-$(ip -o route show default 2>/dev/null | awk '{print $5; exit}')}"
NAME="rxe0"

if command -v ibv_devices >/dev/null 2>&1 && ibv_devices 2>/dev/null | awk 'NR>2' | grep -q .; then
  echo "rxe-setup: an RDMA device already exists:"; ibv_devices
  exit 0
fi
if [ "$(id -u)" -ne 0 ]; then
  echo "rxe-setup: needs root to load rdma_rxe and add a link; skipping (verbs tests will be skipped)"
  exit 0
fi
# rdma_rxe may be a module or built in (then /sys/module/rdma_rxe exists without modprobe).
if ! modprobe rdma_rxe 2>/dev/null && [ ! -d /sys/module/rdma_rxe ]; then
  if [ ! -d "/lib/modules/$(uname -r)" ]; then why="no modules are installed for it"; else why="it has no rdma_rxe module"; fi
  echo "rxe-setup: this kernel ($(uname -r)) cannot do soft-RoCE: $why; the verbs tests will be skipped"
  exit 0
fi
if ! command -v rdma >/dev/null 2>&1; then
  echo "rxe-setup: the 'rdma' tool (iproute2) is missing; install iproute2 to configure soft-RoCE"
  exit 0
fi
if [ -z "$DEV" ]; then
  echo "rxe-setup: no network device given and no default route to pick one from"
  exit 0
fi
if rdma link show 2>/dev/null | grep -q "$NAME"; then
  echo "rxe-setup: $NAME already configured"
elif rdma link add "$NAME" type rxe netdev "$DEV"; then
  echo "rxe-setup: $NAME configured on $DEV"
else
  echo "rxe-setup: 'rdma link add $NAME type rxe netdev $DEV' failed; the verbs tests will be skipped"
  exit 0
fi
ibv_devices 2>/dev/null || true
