#!/bin/bash
# PID 1 of the guest that `wwan vm run` boots (the host's root, read-only): loads the drivers the
# profile needs, then the guest side of wwan (dist/vm/guest.js) plugs the simulated modems in over USB
# and runs the command. PID 1 must not exit (the kernel panics): the machine is powered off instead.
export PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin HOME=/root
arg() { sed -n "s/.*$1=\([^ ]*\).*/\1/p" /proc/cmdline; }
off() { echo o > /proc/sysrq-trigger; sleep 60; }
trap off EXIT
up() { echo "wwan-vm: [$(cut -d' ' -f1 /proc/uptime)] $*"; }
up "init"
mkdir -p /dev/pts /dev/shm
mount -t devpts devpts /dev/pts
mount -t tmpfs tmpfs /dev/shm
ip link set lo up
modroot=$(arg wwanvm.modroot)
modprobe -d "$modroot" virtio_console || echo "wwan-vm: modprobe virtio_console failed"
modprobe -d "$modroot" dummy_hcd num="$(arg wwanvm.modems)" || echo "wwan-vm: modprobe dummy_hcd failed"
for m in $(arg wwanvm.modules | tr , ' '); do modprobe -d "$modroot" "$m" || echo "wwan-vm: modprobe $m failed"; done
[ -d /sys/kernel/config ] && mount -t configfs none /sys/kernel/config
up "drivers loaded"
# wwan runs from the host root's view of this checkout (read-only, cache=loose), not from the
# working folder's own mount on top of it (read-write, uncached): there each of the ~4000 opens and
# stats of a node start is a 9p round trip, and under TCG `wwan --version` took 100 s instead of a few.
# A non-recursive bind of / is that root without the mounts above it.
mkdir -p /run/wwan-code && mount --bind / /run/wwan-code
node "/run/wwan-code$(dirname "$(dirname "$(readlink -f "$0")")")/dist/vm/guest.js"
