/**
 * The one interface every data framing implements (raw-IP, QMAP, qmimux, BAM-DMUX, MBIM NTB).
 *
 * Decapsulation walks one received transfer and hands each packet to a sink as a view into that
 * transfer (no copy); bad input never throws, it is counted as a drop with a reason. Encapsulation
 * writes packets into one preallocated buffer and hands each finished transfer to a callback as a
 * view of that buffer, valid until the callback returns.
 */
import { dropCounts, type DropCounts } from '../wire/drops.js';

/** `ip` links carry IP (QMAP mux id, BAM channel, MBIM IPS session); `dss` links carry MBIM device service streams. */
export type LinkKind = 'ip' | 'dss';

/** A link on a data pipe: an IP session (mux id) or a DSS session. */
export interface Link {
  readonly kind: LinkKind;
  /** The framing's own number: QMAP/qmimux mux id, BAM-DMUX channel, MBIM session id. */
  readonly id: number;
}

/** Every framing numbers its links with one byte. */
export const MAX_LINK_ID = 255;

// Interned so the hot path never allocates a link and links compare by identity.
const internedLinks = (kind: LinkKind): readonly Link[] =>
  Array.from({ length: MAX_LINK_ID + 1 }, (_, id) => Object.freeze({ kind, id }));
const IP_LINKS = internedLinks('ip');
const DSS_LINKS = internedLinks('dss');

/** An IP link with this mux id or session id. */
export function ipLink(id: number): Link {
  const link = IP_LINKS[id];
  if (!link) throw new RangeError(`link id ${id} is outside 0..${MAX_LINK_ID}`);
  return link;
}

/** A DSS (device service stream) link. */
export function dssLink(id: number): Link {
  const link = DSS_LINKS[id];
  if (!link) throw new RangeError(`DSS session ${id} is outside 0..${MAX_LINK_ID}`);
  return link;
}

export type PacketType = 'ipv4' | 'ipv6' | 'other';

/** What the first nibble says, as every driver here decides it. */
export function packetType(firstByte: number | undefined): PacketType {
  const version = (firstByte ?? 0) >> 4;
  return version === 4 ? 'ipv4' : version === 6 ? 'ipv6' : 'other';
}

export { dropCounts, type DropCounts };

export interface DropListener<R extends string> {
  /** Something in the transfer was not delivered; `offset` is where it starts in the transfer. */
  drop?(reason: R, offset: number): void;
}

/** Receives decoded packets with their link. */
export interface PacketSink<Info, R extends string> extends DropListener<R> {
  /**
   * One packet: a view into the transfer. `info` is reused for every packet of a decoder, so read
   * it during the call, don't keep it.
   */
  packet(link: Link, packet: Uint8Array, info: Info): void;
}

/** A framing's receive side: transfers in, packets per link out. */
export interface Decapsulator<Info, R extends string, Sink extends PacketSink<Info, R> = PacketSink<Info, R>> {
  /** Totals since the decoder was made. */
  readonly drops: DropCounts<R>;
  decapsulate(transfer: Uint8Array, sink: Sink): void;
}

/** Counts a drop and tells the listener. */
export function countDrop<R extends string>(
  drops: DropCounts<R>,
  listener: DropListener<R>,
  reason: R,
  offset: number,
): void {
  drops[reason]++;
  listener.drop?.(reason, offset);
}

/** Receives each finished transfer: a view of the encoder's buffer, valid until it returns. */
export type TransferSink = (transfer: Uint8Array) => void;

/** A framing's send side: packets per link in, transfers out. */
export interface Encapsulator<R extends string> {
  readonly drops: DropCounts<R>;
  /**
   * Queues one packet; finished transfers go to the encoder's TransferSink. False if it was dropped.
   * `partial`: its TCP/UDP checksum is left for the modem to finish (framings with checksum offload).
   */
  send(link: Link, packet: Uint8Array, partial?: boolean): boolean;
  /** Sends the open transfer now, if there is one. */
  flush(): void;
}

export type TimerHandle = unknown;

/** Time as the framings see it, injectable so tests drive timers by hand. */
export interface Clock {
  /** Milliseconds on a monotonic scale. */
  now(): number;
  setTimer(ms: number, fn: () => void): TimerHandle;
  clearTimer(handle: TimerHandle): void;
}

export const systemClock: Clock = {
  now: () => performance.now(),
  setTimer: (ms, fn) => setTimeout(fn, ms),
  clearTimer: (handle) => clearTimeout(handle as ReturnType<typeof setTimeout>),
};
