#!/usr/bin/env bash
# Fetches Debian's stock kernel (the version linux-image-amd64 depends on) into the project's cache for
# `wwan vm run`: apt-get download + dpkg-deb -x (never installed into the host), depmod -b, and a small
# initramfs (busybox-static + the virtio/9p modules) that mounts the host's root over 9p.
# Idempotent: a second run with everything in place does nothing.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cache="${WWAN_VM_CACHE:-$root/.cache/vm}"
pkg=$(apt-cache depends linux-image-amd64 2>/dev/null | sed -n 's/^ *Depends: \(linux-image-[0-9].*\)$/\1/p' | head -1)
[ -n "$pkg" ] || { echo "vm-kernel: apt-cache does not know linux-image-amd64 (run apt-get update)" >&2; exit 1; }
kver=${pkg#linux-image-}
mkdir -p "$cache"
k="$cache/$kver"
if [ ! -e "$k/vmlinuz" ] || [ ! -e "$k/lib/modules/$kver/modules.dep" ]; then
  work=$(mktemp -d "$cache/.fetch.XXXXXX")
  trap 'rm -rf "$work"' EXIT
  (cd "$work" && apt-get download -q -o APT::Sandbox::User=root "$pkg" >/dev/null)
  dpkg-deb -x "$work"/"$pkg"_*.deb "$work/x"
  out="$work/$kver"
  mkdir -p "$out/lib/modules"
  cp "$work/x/boot/vmlinuz-$kver" "$out/vmlinuz"
  # Debian ships modules under /lib/modules (bookworm) or /usr/lib/modules (trixie).
  mods=$(ls -d "$work/x/lib/modules/$kver" "$work/x/usr/lib/modules/$kver" 2>/dev/null | head -1 || true)
  mv "$mods" "$out/lib/modules/$kver"
  depmod -b "$out" "$kver"
  rm -rf "$k"
  mv "$out" "$k"
  rm -rf "$work"
  trap - EXIT
  echo "vm-kernel: $kver in $k"
fi
ln -sfn "$kver" "$cache/current"
# initramfs: static busybox, the modules that reach the host's root, and /init (rebuilt when that changes).
init="$root/scripts/vm-initrd-init.sh"
[ -e "$k/initrd.cpio.gz" ] && [ ! "$init" -nt "$k/initrd.cpio.gz" ] && exit 0
ird=$(mktemp -d "$cache/.initrd.XXXXXX")
trap 'rm -rf "$ird"' EXIT
mkdir -p "$ird/bin" "$ird/mods" "$ird/proc" "$ird/sys" "$ird/dev" "$ird/newroot"
cp /bin/busybox "$ird/bin/busybox"
for m in netfs fscache 9pnet 9p virtio_ring virtio virtio_pci_modern_dev virtio_pci_legacy_dev virtio_pci 9pnet_virtio; do
  f=$(find "$k/lib/modules/$kver" -name "$m.ko*" | head -1)
  [ -n "$f" ] || continue   # built in
  case "$f" in *.xz) xz -dc "$f" > "$ird/mods/$m.ko" ;; *.zst) zstd -qdc "$f" > "$ird/mods/$m.ko" ;; *) cp "$f" "$ird/mods/$m.ko" ;; esac
done
cp "$init" "$ird/init"
chmod +x "$ird/init"
(cd "$ird" && find . | cpio -o -H newc --quiet | gzip -1 > "$k/initrd.cpio.gz.new")
mv "$k/initrd.cpio.gz.new" "$k/initrd.cpio.gz"
