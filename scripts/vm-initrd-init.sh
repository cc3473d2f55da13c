#!/bin/busybox sh
# /init of the initramfs `wwan vm run` boots: mounts the host's root read-only over 9p (tag hostroot),
# tmpfs where the guest writes, the run folder (tag run) at /run/wwan-vm and the host's working folder
# (tag cwd) read-write at its own path, then hands over to the guest script named by wwanvm.init=.
/bin/busybox --install -s /bin
mount -t proc proc /proc; mount -t sysfs sys /sys; mount -t devtmpfs dev /dev
for m in netfs fscache 9pnet 9p virtio_ring virtio virtio_pci_modern_dev virtio_pci_legacy_dev virtio_pci 9pnet_virtio; do
  [ -e /mods/$m.ko ] && insmod /mods/$m.ko
done
arg() { sed -n "s/.*$1=\([^ ]*\).*/\1/p" /proc/cmdline; }
i=0
while ! grep -qs hostroot /sys/bus/virtio/devices/*/mount_tag; do sleep 0.05; i=$((i+1)); [ $i -gt 200 ] && break; done
fail() { echo "wwan-vm: $*" > /dev/ttyS0; echo o > /proc/sysrq-trigger; sleep 30; }
mount -t 9p -o trans=virtio,version=9p2000.L,ro,cache=loose,msize=512000 hostroot /newroot || fail "the host's root did not mount over 9p"
for d in tmp run root var/tmp var/log var/lib/dbus; do mount -t tmpfs -o mode=1777 tmpfs /newroot/$d 2>/dev/null; done
mkdir -p /newroot/run/wwan-vm
mount -t 9p -o trans=virtio,version=9p2000.L,msize=512000 run /newroot/run/wwan-vm || fail "the run folder did not mount over 9p"
cwd=$(arg wwanvm.cwd)
[ -n "$cwd" ] && { mkdir -p /newroot$cwd 2>/dev/null; mount -t 9p -o trans=virtio,version=9p2000.L,msize=512000 cwd /newroot$cwd || fail "$cwd did not mount over 9p"; }
init=$(arg wwanvm.init)
echo "wwan-vm: [$(cut -d" " -f1 /proc/uptime)] host root mounted"
mount --move /dev /newroot/dev; mount --move /proc /newroot/proc; mount --move /sys /newroot/sys
exec switch_root /newroot "$init"
