#!/bin/bash
# Inside `wwan vm run --profile qmi-usb`: the manager (`wwan daemon`, no --sim) finds the USB modem in
# sysfs and drives qmi_wwan for real: two PDNs as qmimux links, each pinged through its own netdev,
# then disconnect removes both. Prints `key=value` lines the test checks.
set -uo pipefail
export WWAN_SOCKET=/run/wwan-test.sock
wwan daemon --socket "$WWAN_SOCKET" > /tmp/daemon.log 2>&1 &
DPID=$!
for i in $(seq 200); do wwan list --json 2>/dev/null | grep -q cdc-wdm0 && break; sleep 0.2; done
wwan list || { cat /tmp/daemon.log; exit 1; }
NET=$(ls /sys/class/usbmisc/cdc-wdm0/device/net/)
wwan connect cdc-wdm0 --apn internet --json > /tmp/c1.json || { cat /tmp/daemon.log; exit 1; }
wwan connect cdc-wdm0 --apn ims --json > /tmp/c2.json || { cat /tmp/daemon.log; exit 1; }
echo "raw_ip=$(cat /sys/class/net/$NET/qmi/raw_ip) mtu=$(cat /sys/class/net/$NET/mtu)"
echo "uppers=$(ls -d /sys/class/net/$NET/upper_* | sed 's/.*upper_//' | tr '\n' ,)"
wwan links --json > /tmp/links.json
node -e '
const links = JSON.parse(require("fs").readFileSync("/tmp/links.json", "utf8"));
const list = Array.isArray(links) ? links : links.links;
for (const l of list) console.log(`link_${l.linkId ?? l.id}=${l.netdev}:${(l.ipv4 && l.ipv4.address) || ""}:${(l.ipv4 && l.ipv4.gateway) || ""}`);
' || cat /tmp/links.json
ip -br addr
for f in /tmp/c1.json /tmp/c2.json; do cat $f; echo; done
