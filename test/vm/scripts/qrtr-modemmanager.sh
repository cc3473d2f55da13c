#!/bin/bash
# Inside `wwan vm run --qrtr --modems 0`: Debian's ModemManager (1.20.4, built with libqrtr-glib) finds
# `wwan sim --qrtr` on QRTR, enables it to registered, and drops it when the simulator leaves.
# What ModemManager 1.20 needs (read from its source, seen in its log):
# - its QRTR bus watcher reports nodes only with auto-scan (mm-base-manager.c connects its signals only
#   then), and --test-no-udev forces auto-scan off (mm-context.c). So the real udevd runs here and
#   ModemManager runs as on a device: udev and auto-scan on;
# - the watcher takes any node that publishes WDS, NAS and DMS within 1 s of its first service, the local
#   node included: the port `qrtrN` of a device whose physdev uid is "qcom-soc", tagged ID_MM_QCOM_SOC,
#   so the qcom-soc plugin takes it;
# - a QMI modem needs a net port ("Failed to find a net port in the QMI modem"): on a SoC rmnet_ipa0 or a
#   BAM-DMUX netdev, tagged by 77-mm-qcom-soc.rules. The VM has neither, so a dummy netdev stands in
#   (enough to enable and register; connecting needs IPA), tagged the same by a rule in /run/udev/rules.d;
# - the netdev has no driver, so alone it is "filtered as couldn't retrieve drivers" by every plugin and
#   its device is dropped: it must be probed together with the QRTR port (driver "qrtr"), and 1.20 does
#   not reprobe a device for a port that comes after its modem was made. As on a phone
#   that boots with both there, the simulator and the netdev are up before ModemManager starts, and its
#   first scan finds them together.
# Prints `key=value` lines the test checks.
set -uo pipefail
LOG=/tmp/mm-qrtr.log
NETDEV=wwqrtr$$
t0=$(cut -d' ' -f1 /proc/uptime)
at() { awk -v a="$t0" -v b="$(cut -d' ' -f1 /proc/uptime)" 'BEGIN { printf "%.1f", b - a }'; }
say() { echo "[mm-qrtr $(at) s] $*" >&2; }
fail() { echo "FAILED: $*" >&2; grep -i -E 'qrtr|qcom|net port|plugin.*(support|select)|couldn|modem.*creat' "$LOG" | head -60 >&2; tail -n 40 "$LOG" >&2; tail -n 20 /tmp/sim-qrtr.log >&2; exit 1; }
modroot=$(sed -n 's/.*wwanvm\.modroot=\([^ ]*\).*/\1/p' /proc/cmdline)
modprobe -d "$modroot" dummy numdummies=0 || fail "modprobe dummy"
mkdir -p /run/udev/rules.d /run/dbus /var/lib/polkit-1
cat > /run/udev/rules.d/77-mm-wwankit-qrtr.rules <<EOF
ACTION!="add|change|move|bind", GOTO="wwankit_qrtr_end"
SUBSYSTEM=="net", KERNEL=="$NETDEV", ENV{ID_MM_QCOM_SOC}="1", ENV{ID_MM_PHYSDEV_UID}="qcom-soc"
LABEL="wwankit_qrtr_end"
EOF
/lib/systemd/systemd-udevd --daemon || fail "systemd-udevd"
dbus-daemon --system --fork --nopidfile || fail "dbus-daemon"
/usr/lib/polkit-1/polkitd --no-debug > /tmp/polkitd.log 2>&1 &
POLKIT=$!
wwan sim --qrtr --profile qmi-usb > /tmp/sim-qrtr.out 2> /tmp/sim-qrtr.log &
SIM=$!
for i in $(seq 240); do grep -q '"event":"ready"' /tmp/sim-qrtr.out && break; kill -0 "$SIM" 2>/dev/null || fail "wwan sim exited"; sleep 0.5; done
grep -q '"event":"ready"' /tmp/sim-qrtr.out || fail "wwan sim --qrtr not ready"
say "simulator published: $(grep -o 'QMI services on QRTR node.*' /tmp/sim-qrtr.log)"
ip link add "$NETDEV" type dummy || fail "dummy netdev"
udevadm settle --timeout=60 || fail "udev did not settle"
echo "udev_tagged=$(udevadm info --query=property "/sys/class/net/$NETDEV" | grep -c -E '^ID_MM_(QCOM_SOC|CANDIDATE)=1$')"
/usr/sbin/ModemManager --test-no-suspend-resume --debug --log-file="$LOG" &
MM=$!
say "ModemManager started"
mm() { timeout 60 mmcli "$@"; }
# Waits read ModemManager's log: under TCG each mmcli call takes seconds, a grep does not.
wait_log() {
  for i in $(seq $(($2 * 2))); do grep -q -E "$1" "$LOG" && return 0; kill -0 "$MM" 2>/dev/null || fail "ModemManager exited"; sleep 0.5; done
  fail "not in ModemManager's log within $2 s: $1"
}
wait_log 'state changed \(unknown -> disabled\)' 180
say "modem listed"
# One mmcli call each (under TCG each takes seconds): enable, then everything read once registered.
mm -m 0 -e > /dev/null || fail "enable"
wait_log 'state changed \(enabled -> registered\)' 60
mm -m 0 -K > /tmp/modem.txt || fail "no modem"
kv() { sed -n "s/^$2 *: \(.*\)$/\1/p" "$1" | head -1; }
echo "mm_plugin=$(kv /tmp/modem.txt modem.generic.plugin) mm_driver=$(kv /tmp/modem.txt 'modem.generic.drivers.value\[1\]')"
echo "mm_primary_port=$(kv /tmp/modem.txt modem.generic.primary-port) mm_imei=$(kv /tmp/modem.txt modem.3gpp.imei)"
echo "mm_manufacturer=$(kv /tmp/modem.txt modem.generic.manufacturer | tr ' ' _) mm_model=$(kv /tmp/modem.txt modem.generic.model | tr ' ' _)"
echo "mm_ports=$(sed -n 's/^modem.generic.ports.value\[[0-9]*\] *: //p' /tmp/modem.txt | tr -d ' ' | sort | tr '\n' ,)"
echo "mm_state=$(kv /tmp/modem.txt modem.generic.state) mm_operator=$(kv /tmp/modem.txt modem.3gpp.operator-code)"
say "enabled"
# The simulator leaves: its DEL_SERVERs remove the node, and ModemManager the modem.
kill "$SIM"; wait "$SIM"
wait_log 'qrtr node [0-9]+ removed' 60
# The QMI port goes, and with it the modem (the netdev alone makes none: "at least a QMI port is required").
modems=unknown
for i in $(seq 30); do list=$(mm -L 2>/dev/null) && { modems=$(grep -c '/Modem/' <<< "$list"); [ "$modems" = 0 ] && break; }; sleep 1; done
echo "mm_node_removed=yes mm_after_sim_stop=$modems"
say "done"
kill "$MM"; wait "$MM"
kill "$POLKIT"
udevadm control --exit
ip link del "$NETDEV"
exit 0
