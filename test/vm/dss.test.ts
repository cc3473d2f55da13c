/**
 * Device service streams through the real cdc_mbim (issue #13's VM test): DSS session n is VLAN 256+n
 * on the MBIM netdev, each datagram one DSS payload. The manager's kernel backend behind `wwan dss`,
 * then the real mbimcli and a packet socket. One `wwan vm run` (mbim-usb); retried once, as the other
 * daemon scenarios are.
 */
import { describe, expect } from 'vitest';
import { itWithVm, keyValues, vmRun } from '../support/vm.js';

const vmIt = itWithVm();

describe('DSS streams on the kernel datapath', () => {
  vmIt('wwan dss on VLANs 257/258: echo through the terminal, close removes the VLAN and ends a reader, NMEA sentences; then mbimcli + a packet socket on VLAN 256 carry bytes both ways', { retry: 1, timeout: 11 * 60_000 }, async () => {
    const r = await vmRun(['--profile', 'mbim-usb'], ['bash', 'test/vm/scripts/dss.sh'], 600);
    // A failed attempt that the retry then passes leaves its reason in the log.
    if (r.code !== 0) process.stderr.write(`[vm] mbim-usb DSS scenario failed after ${r.seconds.toFixed(1)} s:\n${r.stderr.slice(-4000)}\n`);
    expect(r.code, r.stderr).toBe(0);
    const kv = keyValues(r.stdout);
    expect(kv.driver).toBe('cdc_mbim');
    // (b) the daemon made VLAN 257 on the MBIM netdev and named the stream after it…
    expect(kv.stream_name).toBe(`${kv.parent}-dss1`);
    expect(kv.stream_vlan).toBe('1');
    expect(kv.stream_vlan_lower).toBe(kv.parent);
    // …16 KiB written to its terminal came back the same, in order…
    expect([kv.pty_received, kv.pty_same]).toEqual(['16384', '1']);
    // …closing removed the VLAN and the name, and a reader still holding the terminal got the end.
    expect([kv.closed_vlan_left, kv.closed_name_left]).toEqual(['0', '0']);
    expect(['EIO', 'eof']).toContain(kv.reader_end);
    // The NMEA stream wrote sentences to stdout and went with its VLAN when interrupted.
    expect(kv.nmea_exit).toBe('0');
    expect(Number(kv.nmea_sentences)).toBeGreaterThanOrEqual(1);
    expect(kv.nmea_first).toMatch(/^\$GPGGA,\d{6}\.00,4807\.038,N,01131\.000,E,.*\*[0-9A-F]{2}$/);
    expect(kv.nmea_vlan_left).toBe('0');
    // (a) the real mbimcli opened the echo service; every datagram came back whole over VLAN 256.
    expect(kv.mbimcli_connect).toBe('ok');
    expect([kv.raw_received, kv.raw_echoed]).toEqual(['3', '3']);
    expect(kv.mbimcli_disconnect).toBe('ok');
    process.stderr.write(`[vm] mbim-usb DSS scenario: ${r.seconds.toFixed(1)} s\n`);
  });
});
