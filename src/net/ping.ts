/**
 * ICMP echo over a netdev that has no kernel behind it (the in-memory datapath): builds IPv4 echo
 * requests from the link's address and matches the replies, so the demo can ping without TUN.
 */
import { internetChecksum } from '../wire/checksum.js';
import { ipv4ToBytes } from '../wire/ip.js';
import type { MemoryNetdev } from './memory.js';

/** The outcome of a ping: sent, received, average round trip. */
export interface PingResult {
  sent: number;
  received: number;
  /** Mean round trip of the replies, ms. */
  rttMs: number | null;
}

export function echoRequest(src: string, dst: string, id: number, seq: number, payload = 56): Uint8Array {
  const s = ipv4ToBytes(src);
  const d = ipv4ToBytes(dst);
  if (!s || !d) throw new Error(`not IPv4 addresses: ${src} → ${dst}`);
  const p = new Uint8Array(20 + 8 + payload);
  const v = new DataView(p.buffer);
  p[0] = 0x45;
  v.setUint16(2, p.length);
  v.setUint16(4, seq);
  p[8] = 64;
  p[9] = 1;
  p.set(s, 12);
  p.set(d, 16);
  v.setUint16(10, internetChecksum(p, 0, 20));
  p[20] = 8; // echo request
  v.setUint16(24, id);
  v.setUint16(26, seq);
  for (let i = 0; i < payload; i++) p[28 + i] = i & 0xff;
  v.setUint16(22, internetChecksum(p, 20, p.length));
  return p;
}

/** An IPv4 echo reply with a correct ICMP checksum: its id and sequence, or null. */
export function echoReply(p: Uint8Array): { id: number; seq: number } | null {
  if (p.length < 28 || p[0]! >> 4 !== 4 || p[9] !== 1) return null;
  const ihl = (p[0]! & 0xf) * 4;
  if (p.length < ihl + 8 || p[ihl] !== 0 || internetChecksum(p, ihl, p.length) !== 0) return null;
  const v = new DataView(p.buffer, p.byteOffset, p.byteLength);
  return { id: v.getUint16(ihl + 4), seq: v.getUint16(ihl + 6) };
}

/** Sends `count` echo requests through the netdev, one every `intervalMs`, and counts the replies. */
export async function pingThrough(dev: MemoryNetdev, src: string, dst: string, count = 3, intervalMs = 100, timeoutMs = 1000): Promise<PingResult> {
  const id = (Math.random() * 0xffff) | 0;
  const sentAt = new Map<number, number>();
  const rtts: number[] = [];
  dev.onReceive((p) => {
    const r = echoReply(p);
    const t = r && r.id === id ? sentAt.get(r.seq) : undefined;
    if (t !== undefined) {
      rtts.push(performance.now() - t);
      sentAt.delete(r!.seq);
    }
  });
  for (let seq = 1; seq <= count; seq++) {
    sentAt.set(seq, performance.now());
    dev.send(echoRequest(src, dst, id, seq));
    await new Promise((r) => setTimeout(r, intervalMs));
  }
  const end = Date.now() + timeoutMs;
  while (rtts.length < count && Date.now() < end) await new Promise((r) => setTimeout(r, 10));
  return { sent: count, received: rtts.length, rttMs: rtts.length ? Math.round((rtts.reduce((a, b) => a + b, 0) / rtts.length) * 1000) / 1000 : null };
}
