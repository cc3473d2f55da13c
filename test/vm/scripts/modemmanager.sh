#!/bin/bash
# Inside `wwan vm run --profile qmi-usb`: Debian's ModemManager manages the USB modem that the real
# qmi_wwan bound, and brings up two multiplexed bearers at once over qmi_wwan's qmimux.
# There is no udev in the guest: ModemManager runs with --test-no-udev and is told about the real
# ports (cdc-wdm0, the netdev, then the qmimux links it makes) as kernel events; it reads everything
# else from the real sysfs.
# The system bus is dbus-daemon --system with the host's configuration; polkitd is the real one.
# Prints `key=value` lines the test checks.
set -uo pipefail
NET=$(ls /sys/class/usbmisc/cdc-wdm0/device/net/)
LOG=/tmp/mm.log
fail() { echo "FAILED: $*" >&2; grep -i -E 'data format|kernel data|supported|link' "$LOG" | head -40 >&2; tail -n 60 "$LOG" >&2; exit 1; }
mkdir -p /run/dbus /var/lib/polkit-1
dbus-daemon --system --fork --nopidfile || fail "dbus-daemon"
/usr/lib/polkit-1/polkitd --no-debug > /tmp/polkitd.log 2>&1 &
# ModemManager 1.20.4's Quectel plugin aborts on a Quectel QMI modem without an AT port (its firmware
# settings take the MBIM port of a modem that is not MBIM: an assertion). Our EC25 has the QMI port
# only, so the generic plugin manages it: every plugin but Quectel's.
mkdir -p /run/mm-plugins
for f in /usr/lib/x86_64-linux-gnu/ModemManager/*.so; do [ "${f##*/}" = libmm-plugin-quectel.so ] || ln -s "$f" /run/mm-plugins/; done
# ModemManager 1.20 multiplexes over rmnet whenever qmi_wwan offers qmi/pass_through, without asking
# whether the kernel has rmnet; Debian's kernels do not build it. So qmi/ is shown to it without
# pass_through (a read-only tmpfs with the driver's other files bound in), and it takes qmi_wwan's
# own qmimux.
Q=$(readlink -f /sys/class/net/$NET/qmi)
mkdir -p /run/qmi-real && mount --bind "$Q" /run/qmi-real && mount -t tmpfs -o size=64k qmi "$Q" || fail "hiding pass_through"
for f in raw_ip add_mux del_mux; do touch "$Q/$f" && mount --bind "/run/qmi-real/$f" "$Q/$f"; done
# Read-only, or libqmi's "write N to pass_through" would create the file it then finds.
mount -o remount,ro "$Q" || fail "hiding pass_through"
echo "qmi_files=$(ls /sys/class/net/$NET/qmi | tr '\n' ,)"
printf 'action=add,name=cdc-wdm0,subsystem=usbmisc\naction=add,name=%s,subsystem=net\n' "$NET" > /run/mm-kernel-events
/usr/sbin/ModemManager --test-no-udev --test-no-qrtr --test-no-suspend-resume --no-auto-scan --test-plugin-dir=/run/mm-plugins \
  --initial-kernel-events=/run/mm-kernel-events --debug --log-file="$LOG" &
MM=$!
mm() { timeout 60 mmcli "$@"; }
# Without udev, the qmimux links ModemManager makes are announced to it as udev would: each link
# that comes or goes is reported as a kernel event (it waits for the link's port before connecting).
report_links() {
  local known="" now n
  while kill -0 "$MM" 2>/dev/null; do
    now=$(ls /sys/class/net | grep '^qmimux' | tr '\n' ' ')
    for n in $now; do case " $known " in *" $n "*) ;; *) mm --report-kernel-event="action=add,name=$n,subsystem=net" > /dev/null ;; esac; done
    for n in $known; do case " $now " in *" $n "*) ;; *) mm --report-kernel-event="action=remove,name=$n,subsystem=net" > /dev/null ;; esac; done
    known=$now
    sleep 0.2
  done
}
report_links &
# Probing the modem, then its initialization (state disabled).
for i in $(seq 120); do
  kill -0 "$MM" 2>/dev/null || fail "ModemManager exited"
  mm -m 0 -K 2>/dev/null | grep -q 'modem.generic.state *: disabled' && break; sleep 1
done
mm -m 0 -K > /tmp/modem.txt || fail "no modem"
kv() { sed -n "s/^$2 *: \(.*\)$/\1/p" "$1" | head -1; }
echo "mm_driver=$(kv /tmp/modem.txt 'modem.generic.drivers.value\[1\]') mm_plugin=$(kv /tmp/modem.txt modem.generic.plugin | tr ' ' _)"
echo "mm_primary_port=$(kv /tmp/modem.txt modem.generic.primary-port) mm_imei=$(kv /tmp/modem.txt modem.3gpp.imei)"
mm -m 0 -e > /dev/null || fail "enable"
for i in $(seq 60); do mm -m 0 -K | grep -q 'modem.generic.state *: \(registered\|connected\)' && break; sleep 1; done
mm -m 0 --simple-connect='apn=internet,ip-type=ipv4,multiplex=requested' > /tmp/c1.txt || fail "connect 1: $(cat /tmp/c1.txt)"
mm -m 0 --simple-connect='apn=ims,ip-type=ipv4,multiplex=requested' > /tmp/c2.txt || fail "connect 2: $(cat /tmp/c2.txt)"
bearers=$(mm -m 0 -K | sed -n 's/^modem.generic.bearers.value\[[0-9]*\] *: //p')
echo "bearers=$(echo "$bearers" | wc -l)"
for b in $bearers; do
  mm -b "$b" -K > /tmp/b.txt
  # Numbered by APN, as they were asked for: internet 1, ims 2.
  n=1; grep -q 'bearer.properties.apn *: ims' /tmp/b.txt && n=2
  mv /tmp/b.txt /tmp/b$n.txt
  ifc=$(kv /tmp/b$n.txt bearer.status.interface)
  addr=$(kv /tmp/b$n.txt bearer.ipv4-config.address); prefix=$(kv /tmp/b$n.txt bearer.ipv4-config.prefix)
  gw=$(kv /tmp/b$n.txt bearer.ipv4-config.gateway)
  # ModemManager makes the link; addressing it is the network manager's job (here: the test's).
  ip link set "$ifc" up
  ip addr add "$addr/$prefix" dev "$ifc"
  echo "bearer$n=$b link$n=$ifc connected$n=$(kv /tmp/b$n.txt bearer.status.connected) multiplexed$n=$(kv /tmp/b$n.txt bearer.status.multiplexed) mux_id$n=$(cat /sys/class/net/$ifc/qmap/mux_id 2>/dev/null) apn$n=$(kv /tmp/b$n.txt bearer.properties.apn) addr$n=$addr/$prefix gw$n=$gw"
  eval "IF$n=$ifc GW$n=$gw"
done
# ModemManager preallocates qmimux links (4) and hands them to bearers: those carrying a mux id in use.
echo "uppers=$(ls -d /sys/class/net/$NET/upper_* 2>/dev/null | sed 's/.*upper_//' | sort | tr '\n' ,)"
echo "parent_mtu=$(cat /sys/class/net/$NET/mtu)"
rx() { cat /sys/class/net/$1/statistics/rx_packets; }
a0=$(rx "$IF1"); b0=$(rx "$IF2")
ping -c 3 -i 0.3 -W 3 -I "$IF1" "$GW1" | sed -n 's/.* \([0-9]\+\) received.*/ping1_received=\1/p; s/^rtt.*= \([0-9.]*\)\/\([0-9.]*\)\/.*/ping1_rtt_avg_ms=\2/p'
a1=$(rx "$IF1"); b1=$(rx "$IF2")
ping -c 3 -i 0.3 -W 3 -I "$IF2" "$GW2" | sed -n 's/.* \([0-9]\+\) received.*/ping2_received=\1/p'
a2=$(rx "$IF1"); b2=$(rx "$IF2")
echo "rx1_during_ping1=$((a1 - a0)) rx2_during_ping1=$((b1 - b0)) rx1_during_ping2=$((a2 - a1)) rx2_during_ping2=$((b2 - b1))"
mm -m 0 --simple-disconnect > /dev/null || fail "disconnect"
# Disconnected: no bearer connected (ModemManager keeps its preallocated qmimux links until it exits,
# then deletes them; the addresses on them were ours to remove, as a network manager's).
connected_after=0
for b in $bearers; do mm -b "$b" -K | grep -q 'bearer.status.connected *: yes' && connected_after=$((connected_after + 1)); done
echo "connected_after_disconnect=$connected_after"
echo "state_after=$(mm -m 0 -K | sed -n 's/^modem.generic.state *: //p' | head -1)"
kill "$MM"; wait "$MM"
echo "mm_exit=$?"
echo "links_left_after_exit=$(ls -d /sys/class/net/$IF1 /sys/class/net/$IF2 2>/dev/null | wc -l) uppers_after_exit=$(ls -d /sys/class/net/$NET/upper_* 2>/dev/null | wc -l)"
exit 0
