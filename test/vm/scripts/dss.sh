#!/bin/bash
# Inside `wwan vm run --profile mbim-usb`: device service streams through the real cdc_mbim, where DSS
# session n is VLAN 256+n on the MBIM netdev and each datagram on it is one DSS payload.
# (b) `wwan daemon` on the kernel datapath: `wwan dss open` on the echo service makes VLAN 257 and a
#     terminal whose bytes come back; `wwan dss close` removes both and a reader of the terminal gets
#     the end; the NMEA service's stream (VLAN 258) delivers sentences to stdout;
# (a) then, the daemon gone, the real mbimcli opens the simulator's echo service on session 0 and a
#     packet socket on VLAN 256 sends three datagrams and reads each back.
# Prints `key=value` lines the test checks.
set -uo pipefail
export WWAN_SOCKET=/run/wwan-test.sock
ECHO=8d4a6f0e-52b1-4c3a-9e77-5d0f1c2b3a01
NMEA=8d4a6f0e-52b1-4c3a-9e77-5d0f1c2b3a02
NET=$(ls /sys/class/usbmisc/cdc-wdm0/device/net/)
echo "driver=$(basename "$(readlink /sys/class/usbmisc/cdc-wdm0/device/driver)") parent=$NET"
step() { echo "wwan-dss: [$SECONDS s] $*" >&2; }
# On failure: the daemon's log and where each of its threads waits (syscall number and first argument).
threads() { for t in /proc/$DAEMON/task/*; do echo "thread $(cat $t/comm): $(cut -d' ' -f1,2 $t/syscall 2>/dev/null)"; done; }
fail() { echo "FAILED: $*" >&2; cat /tmp/daemon.log >&2; threads >&2; exit 1; }
field() { sed -n "s/.*\"$2\":\"\([^\"]*\)\".*/\1/p" "$1"; }

step "daemon"
# (b) the daemon's streams on the kernel datapath.
wwan daemon --socket "$WWAN_SOCKET" > /tmp/daemon.log 2>&1 &
DAEMON=$!
end=$((SECONDS + 420))
until [ -S "$WWAN_SOCKET" ]; do [ $SECONDS -lt $end ] || fail "no daemon socket after 420 s"; sleep 0.1; done
step "dss open 1"
# Each wwan command is a node start (slow under TCG): the open is retried only while the daemon has
# not found the modem yet.
until timeout 300 wwan dss open cdc-wdm0 --session 1 --service "$ECHO" --pty --json > /tmp/s1.json 2>&1; do
  grep -q 'no modem' /tmp/s1.json || fail "dss open: $(cat /tmp/s1.json)"
  [ $SECONDS -lt $end ] || fail "dss open: $(cat /tmp/s1.json)"; sleep 2
done
STREAM=$(field /tmp/s1.json path)
echo "stream_name=$(basename "$STREAM") stream_vlan=$(ls -d /sys/class/net/$NET.257 2>/dev/null | wc -l) stream_vlan_lower=$(ls /sys/class/net/$NET.257/ | sed -n 's/^lower_//p')"
step "echo through $STREAM"
python3 - "$STREAM" <<'PY'
import os, select, sys, termios, tty
fd = os.open(sys.argv[1], os.O_RDWR | os.O_NOCTTY)
tty.setraw(fd)
data = os.urandom(16384)
got = bytearray()
at = 0
while len(got) < len(data):
    w = [fd] if at < len(data) else []
    r, w, _ = select.select([fd], w, [], 15)
    if not r and not w:
        break
    if w:
        at += os.write(fd, data[at:at + 3000])
    if r:
        got += os.read(fd, 65536)
print(f"pty_sent={len(data)} pty_received={len(got)} pty_same={int(bytes(got) == data)}")
PY
step "dss close 1"
# A reader holds the terminal across the close: it gets the end (EIO, or end-of-file), not silence.
cat > /tmp/reader.py <<'PY'
import errno, os, signal, sys
signal.alarm(300)
fd = os.open(sys.argv[1], os.O_RDONLY | os.O_NOCTTY)
print("ready", flush=True)
try:
    while os.read(fd, 4096):
        pass
    print("reader_end=eof")
except OSError as e:
    print(f"reader_end={errno.errorcode.get(e.errno, e.errno)}")
PY
python3 /tmp/reader.py "$STREAM" > /tmp/reader.txt &
READER=$!
for i in $(seq 100); do grep -q ready /tmp/reader.txt && break; sleep 0.2; done
timeout 300 wwan dss close cdc-wdm0 --session 1 > /dev/null || fail "dss close"
wait $READER
grep -q reader_end /tmp/reader.txt && grep reader_end /tmp/reader.txt || echo reader_end=none
echo "closed_vlan_left=$(ls -d /sys/class/net/$NET.257 2>/dev/null | wc -l) closed_name_left=$(ls "$STREAM" 2>/dev/null | wc -l)"
step "nmea"
# NMEA on stdout until stopped (once two sentences came); the join closes its stream on the way out.
wwan dss open cdc-wdm0 --session 2 --service "$NMEA" > /tmp/nmea.txt 2> /tmp/nmea.err &
pid=$!
for i in $(seq 300); do [ "$(grep -c '^\$GPGGA' /tmp/nmea.txt)" -ge 2 ] && break; kill -0 $pid 2>/dev/null || break; sleep 1; done
kill -TERM $pid 2>/dev/null; wait $pid
echo "nmea_exit=$? nmea_sentences=$(grep -c '^\$GPGGA' /tmp/nmea.txt) nmea_vlan_left=$(ls -d /sys/class/net/$NET.258 2>/dev/null | wc -l)"
head -c 200 /tmp/nmea.err >&2
sed -n '1p' /tmp/nmea.txt | tr -d '\r' | sed 's/^/nmea_first=/'
# The daemon goes (its MBIM CLOSE sent) before mbimcli opens the device itself.
kill -TERM $DAEMON; wait $DAEMON

step "mbimcli dss-connect"
# (a) mbimcli and a packet socket. ETH_P_ALL receives what comes in; what this host sent is skipped.
out=$(mbimcli -d /dev/cdc-wdm0 --dss-connect="$ECHO,0" 2>&1); grep -q 'Successfully connected' <<< "$out" && echo mbimcli_connect=ok || echo "$out" >&2
ip link set dev "$NET" up
ip link add link "$NET" name "$NET.256" type vlan id 256 || fail "VLAN 256"
ip link set dev "$NET.256" addrgenmode none up
step "packet socket on $NET.256"
python3 - "$NET.256" <<'PY'
import os, select, socket, sys
dev = sys.argv[1]
s = socket.socket(socket.AF_PACKET, socket.SOCK_DGRAM, socket.htons(3))
s.bind((dev, 3))
sent = [os.urandom(n) for n in (1, 200, 1500)]
for p in sent:
    s.sendto(p, (dev, 0x88b5, 0, 0, b'\xff' * 6))
got = []
while len(got) < len(sent) and select.select([s], [], [], 10)[0]:
    data, addr = s.recvfrom(65536)
    if addr[2] != socket.PACKET_OUTGOING:
        got.append(data)
print(f"raw_sent={len(sent)} raw_echoed={sum(1 for a, b in zip(sent, got) if a == b)} raw_received={len(got)}")
PY
step "mbimcli dss-disconnect"
out=$(mbimcli -d /dev/cdc-wdm0 --dss-disconnect="$ECHO,0" 2>&1); grep -q 'Successfully disconnected' <<< "$out" && echo mbimcli_disconnect=ok || echo "$out" >&2
ip link del "$NET.256"

grep -E 'DSS|dss' /tmp/daemon.log | head -8 >&2
exit 0
