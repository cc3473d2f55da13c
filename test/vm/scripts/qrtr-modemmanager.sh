#!/bin/bash
# Inside `wwan vm run --qrtr --modems 0`: Debian's ModemManager (1.20.4, built with libqrtr-glib) finds
# `wwan sim --qrtr` on QRTR and enables it to registered.
# What ModemManager 1.20 needs (read from its source):
# - its QRTR bus watcher (on unless --test-no-qrtr, and wired up only with auto-scan) takes any node that
#   publishes WDS, NAS and DMS within 1 s of its first service, the local node included; the node becomes
#   the port `qrtrN` of a device whose physdev uid is "qcom-soc", flagged ID_MM_QCOM_SOC, so the qcom-soc
#   plugin takes it;
# - a QMI modem needs a net port ("Failed to find a net port in the QMI modem" otherwise): on a SoC that is
#   rmnet_ipa0 or a BAM-DMUX netdev, tagged by 77-mm-qcom-soc.rules. The VM has neither, so a dummy netdev
#   stands in (enough to enable and register; connecting would need IPA), given the same tags by a rule
#   file beside Debian's (there is no udev in the guest: ModemManager reads its own rule files);
# - the netdev has no driver, so alone it is "filtered as couldn't retrieve drivers" by every plugin: it
#   must join the device while the QRTR port (driver "qrtr") is being probed.
# Prints `key=value` lines the test checks.
set -uo pipefail
LOG=/tmp/mm-qrtr.log
NETDEV=wwqrtr$$
fail() { echo "FAILED: $*" >&2; grep -i -E 'qrtr|qcom|net port|plugin' "$LOG" | head -60 >&2; tail -n 40 "$LOG" >&2; exit 1; }
modroot=$(sed -n 's/.*wwanvm\.modroot=\([^ ]*\).*/\1/p' /proc/cmdline)
modprobe -d "$modroot" dummy numdummies=0 || fail "modprobe dummy"
ip link add "$NETDEV" type dummy || fail "dummy netdev"
mkdir -p /run/mm-rules
cp /lib/udev/rules.d/*-mm-*.rules /run/mm-rules/
cat > /run/mm-rules/77-mm-wwankit-qrtr.rules <<EOF
ACTION!="add|change|move|bind", GOTO="wwankit_qrtr_end"
SUBSYSTEM=="net", KERNEL=="$NETDEV", ENV{ID_MM_QCOM_SOC}="1"
SUBSYSTEM=="net", KERNEL=="$NETDEV", ENV{ID_MM_PHYSDEV_UID}="qcom-soc"
LABEL="wwankit_qrtr_end"
EOF
mount --bind /run/mm-rules /lib/udev/rules.d || fail "rules"
mkdir -p /run/dbus /var/lib/polkit-1
[ -S /run/dbus/system_bus_socket ] || dbus-daemon --system --fork --nopidfile || fail "dbus-daemon"
pgrep -x polkitd > /dev/null || { /usr/lib/polkit-1/polkitd --no-debug > /tmp/polkitd.log 2>&1 & }
# Auto-scan stays on (the QRTR watcher reports nodes only then); without udev the netdev is reported by hand.
/usr/sbin/ModemManager --test-no-udev --test-no-suspend-resume --debug --log-file="$LOG" &
MM=$!
# Progress on the console while it runs (a VM under TCG on a loaded host is slow): what ModemManager
# says of QRTR, plugins and ports, and the simulator's log.
touch "$LOG"; tail -F "$LOG" 2>/dev/null | grep --line-buffered -i -E 'qrtr|qcom|net port|plugin.*(support|select)|modem.*creat|couldn' | sed -u 's/^/[mm-log] /' >&2 &
mm() { timeout 60 mmcli "$@"; }
for i in $(seq 60); do mm -L > /dev/null 2>&1 && break; sleep 0.5; done
echo "[mm-qrtr] ModemManager on the bus after $i tries; starting the simulator" >&2
# (No /dev/fd in the guest: the simulator's log is followed from a file.)
wwan sim --qrtr --profile qmi-usb > /dev/null 2> /tmp/sim-qrtr.log &
SIM=$!
tail -F /tmp/sim-qrtr.log 2>/dev/null | sed -u 's/^/[sim] /' >&2 &
# The netdev joins the QRTR port's device while it is probed: a plugin needs the device's drivers, which
# only the QRTR port has ("qrtr"), and the modem needs the net port when it is created.
for i in $(seq 300); do grep -q 'qrtr services ready for node' "$LOG" && break; sleep 0.5; done
mm --report-kernel-event="action=add,name=$NETDEV,subsystem=net" > /dev/null || fail "reporting $NETDEV"
echo "[mm-qrtr] $NETDEV reported" >&2
for i in $(seq 300); do
  kill -0 "$MM" 2>/dev/null || fail "ModemManager exited"
  mm -m 0 -K 2>/dev/null | grep -q 'modem.generic.state *: disabled' && break; sleep 1
done
echo "[mm-qrtr] waited $i s for the modem" >&2
mm -m 0 -K > /tmp/modem.txt || fail "no modem"
kv() { sed -n "s/^$2 *: \(.*\)$/\1/p" "$1" | head -1; }
echo "mm_plugin=$(kv /tmp/modem.txt modem.generic.plugin) mm_driver=$(kv /tmp/modem.txt 'modem.generic.drivers.value\[1\]')"
echo "mm_primary_port=$(kv /tmp/modem.txt modem.generic.primary-port) mm_imei=$(kv /tmp/modem.txt modem.3gpp.imei)"
echo "mm_model=$(kv /tmp/modem.txt modem.generic.model | tr ' ' _) mm_ports=$(sed -n 's/^modem.generic.ports.value\[[0-9]*\] *: //p' /tmp/modem.txt | tr -d ' ' | sort | tr '\n' ,)"
mm -m 0 -e > /dev/null || fail "enable"
for i in $(seq 60); do mm -m 0 -K | grep -q 'modem.generic.state *: \(registered\|connected\)' && break; sleep 1; done
mm -m 0 -K > /tmp/modem.txt
echo "mm_state=$(kv /tmp/modem.txt modem.generic.state) mm_operator=$(kv /tmp/modem.txt modem.3gpp.operator-code)"
# The simulator leaves: its DEL_SERVERs remove the node, and ModemManager the modem.
kill "$SIM"; wait "$SIM"
for i in $(seq 30); do mm -L 2>/dev/null | grep -q '/Modem/' || break; sleep 1; done
echo "mm_after_sim_stop=$(mm -L 2>/dev/null | grep -c '/Modem/')"
kill "$MM"; wait "$MM"
umount /lib/udev/rules.d
ip link del "$NETDEV"
