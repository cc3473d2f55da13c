#!/bin/bash
# Inside `wwan vm run --profile qmi-usb --sim-netns wwanbench` (bench/vm.bench.ts): iperf3 TCP from the
# guest to a server on the PDN's gateway address in the simulator's network namespace, twice:
#  kernel: `wwan daemon` drives the USB modem: qmi_wwan qmimux link (QMAP, downlink aggregation),
#          cdc-wdm control; the bytes cross dummy_hcd into the simulator's FunctionFS endpoints;
#  tun:    a second simulator (`wwan sim`, same profile, not on USB) and `wwan daemon --sim-control`:
#          our userspace datapath (a TUN link, the data pipe to the simulator process).
# Both end in a TUN bridge of the simulator into a namespace. Prints key=value lines.
set -uo pipefail
SECONDS_RUN=${BENCH_IPERF_SECONDS:-5}
fail() { echo "FAILED: $*" >&2; for f in /tmp/daemon*.log /tmp/sim2.log; do [ -f "$f" ] && tail -20 "$f" >&2; done; exit 1; }
field() { sed -n "s/.*\"$2\":\"\([^\"]*\)\".*/\1/p" "$1"; }
# iperf3 NAME NETNS GATEWAY SOURCE: a TCP run from SOURCE to a server on GATEWAY in NETNS.
iperf() {
  ip netns exec "$2" iperf3 -s -1 -B "$3" > /dev/null 2>&1 &
  local srv=$! i
  for i in $(seq 100); do ip netns exec "$2" ss -ltn | grep -q ":5201" && break; sleep 0.1; done
  iperf3 -c "$3" -B "$4" -t "$SECONDS_RUN" -O 1 -J > "/tmp/iperf-$1.json" || fail "iperf3 $1: $(grep -m1 error "/tmp/iperf-$1.json")"
  wait $srv
  # end.sum_received.bits_per_second: what reached the server.
  echo "$1_bps=$(node -e 'console.log(Math.round(JSON.parse(require("fs").readFileSync(process.argv[1])).end.sum_received.bits_per_second))' "/tmp/iperf-$1.json")"
  local rtt
  rtt=$(ping -c 3 -i 0.3 -W 3 -I "$4" "$3" | sed -n 's/^rtt.*= \([0-9.]*\)\/\([0-9.]*\)\/.*/\2/p')
  echo "$1_rtt_ms=${rtt:-none}"
}
# connect SOCKET MODEM NAME: one PDN (link 1), its interface and addresses in /tmp/NAME.json.
connect() {
  until WWAN_SOCKET=$1 timeout 60 wwan list --json > /tmp/list.json 2>&1 && grep -q registered /tmp/list.json; do
    [ $SECONDS -lt 600 ] || fail "no registered modem on $1: $(cat /tmp/list.json)"; sleep 1
  done
  WWAN_SOCKET=$1 timeout 120 wwan connect "$2" --apn internet --link-id 1 --json > "/tmp/$3.json" || fail "connect $3: $(cat "/tmp/$3.json")"
}

# The kernel datapath.
wwan daemon --socket /run/wwan-k.sock > /tmp/daemon-k.log 2>&1 &
K=$!
until [ -S /run/wwan-k.sock ]; do [ $SECONDS -lt 600 ] || fail "no daemon socket"; sleep 0.2; done
connect /run/wwan-k.sock cdc-wdm0 kernel
LINK=$(field /tmp/kernel.json interface)
ADDR=$(ip -4 -br addr show dev "$LINK" | awk '{print $3}' | cut -d/ -f1)
echo "kernel_link=$LINK kernel_parent_mtu=$(cat /sys/class/net/wwan0/mtu)"
iperf kernel "$WWAN_SIM_NETNS" "$(field /tmp/kernel.json gateway)" "$ADDR"
WWAN_SOCKET=/run/wwan-k.sock timeout 100 wwan disconnect cdc-wdm0 --all > /dev/null || fail "disconnect"
kill $K; wait $K

# Our userspace datapath: a simulator in its own process, the daemon's TUN link.
wwan sim --profile qmi-usb --tun-netns wwanbench-tun > /tmp/sim2.ready 2> /tmp/sim2.log &
S=$!
until grep -q control /tmp/sim2.ready; do [ $SECONDS -lt 600 ] || fail "the second simulator did not start"; sleep 0.2; done
CONTROL=$(field /tmp/sim2.ready control)
wwan daemon --socket /run/wwan-t.sock --no-discover --netdev tun --sim-control "$CONTROL" > /tmp/daemon-t.log 2>&1 &
T=$!
until [ -S /run/wwan-t.sock ]; do [ $SECONDS -lt 600 ] || fail "no daemon socket (tun)"; sleep 0.2; done
connect /run/wwan-t.sock modem0 tun
LINK=$(field /tmp/tun.json interface)
ADDR=$(ip -4 -br addr show dev "$LINK" | awk '{print $3}' | cut -d/ -f1)
echo "tun_link=$LINK"
iperf tun wwanbench-tun "$(field /tmp/tun.json gateway)" "$ADDR"
kill $T $S; wait $T $S
exit 0
