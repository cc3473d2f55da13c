#!/bin/bash
# Inside `wwan vm run`: the manager (`wwan daemon`, no --sim) finds the USB modem in sysfs and drives
# the real driver: two PDNs on links 1 and 2 (qmi_wwan: qmimux mux ids; cdc_mbim: VLANs = IP sessions),
# each pinged through its own netdev, then `wwan disconnect --all` removes both links.
# Prints `key=value` lines the test checks.
set -uo pipefail
. "$(dirname "$0")/burst.sh"
export WWAN_SOCKET=/run/wwan-test.sock
NET=$(ls /sys/class/usbmisc/cdc-wdm0/device/net/)
DRIVER=$(basename "$(readlink /sys/class/usbmisc/cdc-wdm0/device/driver)")
if [ "$DRIVER" = cdc_mbim ]; then
  mbimcli -d /dev/cdc-wdm0 --query-device-caps | sed -n "s/.*Device ID: '\(.*\)'/device_id=\1/p"
fi
wwan daemon --socket "$WWAN_SOCKET" > /tmp/daemon.log 2>&1 &
DAEMON=$!
# Each wwan command is a node start (slow under TCG): wait for the socket, then poll sparingly.
# On failure: the daemon's log and where each of its threads waits (syscall number and first argument, the fd).
threads() { for t in /proc/$DAEMON/task/*; do echo "thread $(cat $t/comm): $(cut -d' ' -f1,2 $t/syscall 2>/dev/null) $(cat $t/wchan 2>/dev/null)"; done; ls -l /proc/$DAEMON/fd 2>/dev/null | sed -n 's/.* \([0-9]*\) -> \(.*\)/fd \1 -> \2/p'; }
# The simulated USB function's control counters and the kernel's cdc-wdm lines: where an answer stuck.
usb() { echo "usb function: $(timeout 60 wwan sim ctl --control "$WWAN_SIM_CONTROL" usb 2>&1)"; dmesg | grep -Ei 'wdm|mbim|ncm' | tail -15; }
fail() { echo "FAILED: $*" >&2; cat /tmp/daemon.log >&2; threads >&2; usb >&2; exit 1; }
end=$((SECONDS + 360))
until [ -S "$WWAN_SOCKET" ]; do [ $SECONDS -lt $end ] || fail "no daemon socket after 360 s"; sleep 0.1; done
until timeout 150 wwan list --json > /tmp/list.json 2>&1 && grep -q registered /tmp/list.json; do [ $SECONDS -lt $end ] || fail "the daemon did not find a registered modem in 360 s (wwan list: $(cat /tmp/list.json))"; sleep 1; done
field() { sed -n "s/.*\"$2\":\"\([^\"]*\)\".*/\1/p" "$1"; }
rx() { cat /sys/class/net/$1/statistics/rx_packets; }
timeout 100 wwan connect cdc-wdm0 --apn internet --link-id 1 --json > /tmp/c1.json || fail "connect 1: $(cat /tmp/c1.json)"
timeout 100 wwan connect cdc-wdm0 --apn ims --link-id 2 --json > /tmp/c2.json || fail "connect 2: $(cat /tmp/c2.json)"
A=$(field /tmp/c1.json interface); B=$(field /tmp/c2.json interface)
GA=$(field /tmp/c1.json gateway); GB=$(field /tmp/c2.json gateway)
echo "driver=$DRIVER parent=$NET link1=$A link2=$B gw1=$GA gw2=$GB"
echo "uppers=$(ls -d /sys/class/net/$NET/upper_* 2>/dev/null | sed 's/.*upper_//' | sort | tr '\n' ,)"
echo "addr1=$(ip -4 -br addr show dev "$A" | awk '{print $3}') addr2=$(ip -4 -br addr show dev "$B" | awk '{print $3}')"
a0=$(rx "$A"); b0=$(rx "$B")
ping -c 3 -i 0.3 -W 3 -I "$A" "$GA" | sed -n 's/.* \([0-9]\+\) received.*/ping1_received=\1/p; s/^rtt.*= \([0-9.]*\)\/\([0-9.]*\)\/.*/ping1_rtt_avg_ms=\2/p'
a1=$(rx "$A"); b1=$(rx "$B")
ping -c 3 -i 0.3 -W 3 -I "$B" "$GB" | sed -n 's/.* \([0-9]\+\) received.*/ping2_received=\1/p'
a2=$(rx "$A"); b2=$(rx "$B")
echo "rx1_during_ping1=$((a1 - a0)) rx2_during_ping1=$((b1 - b0)) rx1_during_ping2=$((a2 - a1)) rx2_during_ping2=$((b2 - b1))"
if [ "$DRIVER" = qmi_wwan ]; then
  # The MTU rule: the parent's MTU fits the negotiated downlink aggregates, which arrive whole.
  echo "parent_mtu=$(cat /sys/class/net/$NET/mtu)"
  burst rule "$A" "$GA" "$NET"
fi
timeout 100 wwan disconnect cdc-wdm0 --all > /dev/null || fail "disconnect"
echo "usb_function=$(timeout 60 wwan sim ctl --control "$WWAN_SIM_CONTROL" usb | sed -n 's/.*"stats":\({[^}]*}\).*/\1/p')"
left=$(ls -d /sys/class/net/$A /sys/class/net/$B 2>/dev/null | wc -l)
echo "links_left_after_disconnect=$left uppers_after=$(ls -d /sys/class/net/$NET/upper_* 2>/dev/null | wc -l)"
[ "$DRIVER" = qmi_wwan ] || exit 0
echo "mux_ids_after=$(tr -d '\n' < /sys/class/net/$NET/qmi/add_mux)none parent_mtu_after=$(cat /sys/class/net/$NET/mtu)"

# Faults. A modem that stops answering: the connect fails within its timeout with a clear error.
ctl() { timeout 60 wwan sim ctl --control "$WWAN_SIM_CONTROL" "$@" > /dev/null || fail "sim ctl $*"; }
ctl drop-responses
t0=$(date +%s)
timeout 150 wwan connect cdc-wdm0 --apn internet --link-id 3 --json > /tmp/c3.json 2>&1
echo "stalled_connect_exit=$? stalled_connect_seconds=$(($(date +%s) - t0))"
echo "stalled_error=$(grep -o -m1 'timed out after [0-9]* s' /tmp/c3.json | tr ' ' _)"
ctl drop-responses count=0
# The modem answers again: a bearer is up for the unplug.
timeout 100 wwan connect cdc-wdm0 --apn internet --link-id 1 --json > /tmp/c4.json || fail "connect after the stall: $(cat /tmp/c4.json)"
echo "after_stall_link=$(field /tmp/c4.json interface)"
# Unplugged (the gadget unbound) while connected: the daemon says the modem is gone (hotplug sees the
# port vanish; the control port's recovery gives up on it later), lists it no more, keeps answering,
# and no qmimux link or mux id is left.
t0=$(date +%s)
echo > /sys/kernel/config/usb_gadget/wwan0/UDC
gone='cdc-wdm0: (gone, dropped|the control port is gone)'
for i in $(seq 90); do grep -Eq "$gone" /tmp/daemon.log && break; kill -0 $DAEMON 2>/dev/null || break; sleep 1; done
echo "unplug_reported=$(grep -Ec "$gone" /tmp/daemon.log) unplug_report_seconds=$(($(date +%s) - t0))"
echo "unplug_daemon_alive=$(kill -0 $DAEMON 2>/dev/null && echo 1 || echo 0)"
echo "unplug_qmimux_left=$(ls /sys/class/net | grep -c qmimux) unplug_mux_ids_left=$(cat /sys/class/net/*/qmi/add_mux 2>/dev/null | wc -l)"
timeout 100 wwan list --json > /tmp/list-after.json 2>&1
echo "unplug_list_exit=$? unplug_modems_listed=$(grep -o '"cdc-wdm0"' /tmp/list-after.json | wc -l)"
# The daemon's last words when it did not take the unplug well.
kill -0 $DAEMON 2>/dev/null && grep -Eq "$gone" /tmp/daemon.log || tail -30 /tmp/daemon.log >&2
exit 0
