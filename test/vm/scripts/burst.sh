# Sourced by the VM scenario scripts. burst NAME LINK GATEWAY PARENT: 32 echo requests of 1000 bytes
# sent at once (ping preload) through LINK, so the modem's replies arrive close together and share
# downlink aggregates (QMAP frames of ~1032 bytes: two already exceed a 1500-byte receive buffer).
# Prints NAME_received (replies), NAME_parent_rx_errors and NAME_parent_rx_over_errors (aggregates
# the driver could not take whole), NAME_parent_rx_packets (transfers that reached the parent) and
# NAME_link_rx_packets (packets delivered on LINK).
burst() {
  local name=$1 link=$2 gw=$3 parent=$4 s=/sys/class/net
  local e0 o0 p0 l0
  e0=$(cat $s/$parent/statistics/rx_errors); o0=$(cat $s/$parent/statistics/rx_over_errors)
  p0=$(cat $s/$parent/statistics/rx_packets); l0=$(cat $s/$link/statistics/rx_packets)
  { ping -c 32 -l 32 -s 1000 -W 5 -I "$link" "$gw" || true; } | sed -n "s/.* \([0-9]\+\) received.*/${name}_received=\1/p"
  echo "${name}_parent_rx_errors=$(($(cat $s/$parent/statistics/rx_errors) - e0)) ${name}_parent_rx_over_errors=$(($(cat $s/$parent/statistics/rx_over_errors) - o0))"
  echo "${name}_parent_rx_packets=$(($(cat $s/$parent/statistics/rx_packets) - p0)) ${name}_link_rx_packets=$(($(cat $s/$link/statistics/rx_packets) - l0))"
}
