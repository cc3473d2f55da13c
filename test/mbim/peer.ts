/**
 * A small MBIM function for tests: answers OPEN and CLOSE with status 0 and each COMMAND from a table
 * keyed by `service:cid` (no entry: status 0, empty buffer). It records every message it receives.
 */
import type { Transport } from '../../src/transport/types.js';
import { MbimFramer } from '../../src/mbim/framer.js';
import { decodeMessage, encodeFragments, type MbimMessage, type MbimMessageOf } from '../../src/mbim/message.js';

export interface Answer {
  status?: number;
  buffer?: Uint8Array;
}
export type Handler = (m: MbimMessageOf<'command'>) => Answer | null;

export interface Peer {
  /** Raw bytes of every whole message received, in order. */
  received: Uint8Array[];
  commands: MbimMessageOf<'command'>[];
  send(m: MbimMessage, maxTransfer?: number): void;
}

export const key = (service: string, cid: number): string => `${service}:${cid}`;

export function mbimPeer(transport: Transport, handlers: Record<string, Handler | Answer> = {}): Peer {
  const peer: Peer = {
    received: [],
    commands: [],
    send(m, maxTransfer) {
      for (const f of encodeFragments(m, maxTransfer)) transport.write(f);
    },
  };
  const framer = new MbimFramer({
    message(bytes) {
      peer.received.push(bytes.slice());
      const d = decodeMessage(bytes);
      if (!d.ok) return;
      const m = d.value;
      const transactionId = m.transactionId;
      if (m.type === 'open') peer.send({ type: 'openDone', transactionId, status: 0 });
      else if (m.type === 'close') peer.send({ type: 'closeDone', transactionId, status: 0 });
      else if (m.type === 'command') {
        peer.commands.push(m);
        const h = handlers[key(m.service, m.cid)];
        const a = typeof h === 'function' ? h(m) : (h ?? {});
        if (a) peer.send({ type: 'commandDone', transactionId, service: m.service, cid: m.cid, status: a.status ?? 0, buffer: a.buffer ?? new Uint8Array(0) });
      }
    },
  });
  transport.onData((c) => framer.push(c));
  return peer;
}
