#!/usr/bin/env bash
# System packages castellan's build and tests use (run as root; CI and users alike).
#   libibverbs-dev, librdmacm-dev  compile the verbs RMA backend (RC queue pairs, rdma_cm setup)
#   libfabric-dev                  compiles the fabric RMA backend
#   ibverbs-utils, rdma-core       ibv_devices / rdma link, to find or configure soft-RoCE
#   iproute2, iptables, bridge     network namespaces, tbf rate limits, random loss
set -euo pipefail
packages=(libibverbs-dev librdmacm-dev libfabric-dev ibverbs-utils rdma-core iproute2 iptables util-linux)
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
if [ ${#missing[@]} -eq 0 ]; then
  echo "system packages: all present"
  exit 0
fi
if [ "$(id -u)" -ne 0 ]; then
  echo "system packages missing (${missing[*]}); run as root: sudo bash ci/install-deps.sh" >&2
  exit 1
fi
echo "installing: ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
echo "system packages: installed"
