#!/usr/bin/env bash
# Installs the Debian packages the test suite drives for real (root on a fresh Debian machine).
set -euo pipefail
pkgs=(gcc-aarch64-linux-gnu g++-aarch64-linux-gnu systemd libqmi-utils libmbim-utils libqmi-glib-dev libmbim-glib-dev pkg-config tshark iproute2 iputils-ping iperf3 socat g++ make python3 modemmanager polkitd dbus chromium prometheus mosquitto openssl qemu-system-x86 busybox-static kmod cpio tcpdump udev)
missing=()
for p in "${pkgs[@]}"; do dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p"); done
if [ ${#missing[@]} -gt 0 ]; then
  export DEBIAN_FRONTEND=noninteractive
  apt-get update
  apt-get install -y --no-install-recommends "${missing[@]}"
fi
# Debian's stock kernel for `wwan vm run`, into .cache/vm (never installed into the host).
bash "$(dirname "$0")/vm-kernel.sh"
