#!/bin/bash
# Inside `wwan vm run --profile qmi-usb`: data through the real qmi_wwan, driven by the real qmicli.
# 0. control: the real qmicli through cdc-wdm (its output is checked as is).
# 1. raw_ip on wwan0: a session on the default link, ping its gateway.
# 2. qmimux: QMAP negotiated with WDA (downlink aggregates of up to 32 packets / 32 KiB), add_mux
#    creates the mux netdev, a session bound to mux id 1, ping its gateway through the mux netdev.
# 3. The failure the MTU rule prevents: the parent's MTU is left at 1500, so qmi_wwan's receive
#    buffers are 1500 bytes, and a burst's aggregates overflow them (rx_over_errors, replies lost).
# Prints `key=value` lines the test checks.
set -euo pipefail
. "$(dirname "$0")/burst.sh"
D=/dev/cdc-wdm0
NET=$(ls /sys/class/usbmisc/cdc-wdm0/device/net/)
q() { qmicli -d "$D" "$@"; }
settings() { # cid → "address prefix gateway"
  local out; out=$(q --client-cid="$1" --client-no-release-cid --wds-get-current-settings)
  local addr mask gw
  addr=$(sed -n "s/.*IPv4 address: \([0-9.]*\).*/\1/p" <<<"$out")
  mask=$(sed -n "s/.*IPv4 subnet mask: \([0-9.]*\).*/\1/p" <<<"$out")
  gw=$(sed -n "s/.*IPv4 gateway address: \([0-9.]*\).*/\1/p" <<<"$out")
  local bits=0 o; for o in ${mask//./ }; do while [ "$o" -gt 0 ]; do bits=$((bits + (o & 1))); o=$((o >> 1)); done; done
  echo "$addr $bits $gw"
}
wds_client() { q --wds-noop --client-no-release-cid | sed -n "s/.*CID: '\([0-9]*\)'.*/\1/p"; }
counters() { echo "$(cat /sys/class/net/$1/statistics/rx_packets) $(cat /sys/class/net/$1/statistics/tx_packets)"; }

echo "driver=$(basename "$(readlink /sys/class/usbmisc/cdc-wdm0/device/driver)")"
q --dms-get-ids
q --wds-get-packet-service-status
ip link set "$NET" down
echo Y > /sys/class/net/$NET/qmi/raw_ip
ip link set "$NET" up
echo "netdev=$NET raw_ip=$(cat /sys/class/net/$NET/qmi/raw_ip)"
C=$(wds_client)
q --client-cid="$C" --client-no-release-cid --wds-start-network=apn=internet,ip-type=4 >/dev/null
read -r addr bits gw <<<"$(settings "$C")"
ip addr add "$addr/$bits" dev "$NET"
echo "raw_ip_address=$addr gateway=$gw"
ping -c 3 -i 0.3 -W 3 "$gw" | sed -n 's/.*\([0-9]\+\) received.*/raw_ip_received=\1/p; s/^rtt.*= \([0-9.]*\)\/\([0-9.]*\)\/.*/raw_ip_rtt_avg_ms=\2/p'
q --client-cid="$C" --wds-stop-network=disable-autoconnect --client-no-release-cid >/dev/null 2>&1 || true
q --client-cid="$C" --wds-noop >/dev/null  # releases the client: the session goes

# qmimux: QMAP on the pipe (the modem frames with mux ids), the kernel's mux netdev for mux id 1.
ip addr flush dev "$NET"
q --wda-set-data-format=link-layer-protocol=raw-ip,ul-protocol=qmap,dl-protocol=qmap,dl-max-datagrams=32,dl-datagram-max-size=32768 >/dev/null
echo 1 > /sys/class/net/$NET/qmi/add_mux
MUX=$(ls -d /sys/class/net/$NET/upper_* | head -1); MUX=${MUX##*/upper_}
echo "mux_netdev=$MUX mux_id=$(cat /sys/class/net/$MUX/qmap/mux_id 2>/dev/null || echo ?)"
ip link set "$MUX" up
C=$(wds_client)
q --client-cid="$C" --client-no-release-cid --wds-bind-mux-data-port=mux-id=1,ep-iface-number=4 >/dev/null
q --client-cid="$C" --client-no-release-cid --wds-start-network=apn=internet,ip-type=4 >/dev/null
read -r addr bits gw <<<"$(settings "$C")"
ip addr add "$addr/$bits" dev "$MUX"
before=$(counters "$MUX")
ping -c 3 -i 0.3 -W 3 "$gw" | sed -n 's/.*\([0-9]\+\) received.*/mux_received=\1/p'
echo "mux_counters_before=${before// /,} mux_counters_after=$(counters "$MUX" | tr ' ' ,)"
echo "parent_mtu=$(cat /sys/class/net/$NET/mtu)"
burst mtu1500 "$MUX" "$gw" "$NET"
