/**
 * The simulated modem's short-message side: two stores (the SIM's and the modem's own memory) with
 * capacities, raw PDUs in them with their tags, and the link to the network's SMS center. The QMI WMS
 * and MBIM SMS front-ends read and drive this one model.
 */
import { EventEmitter } from 'node:events';
import { decodePdu, type SmsStorage, type SmsTag } from '../sms/index.js';

export type { SmsStorage, SmsTag };

export interface StoredSms {
  storage: SmsStorage;
  index: number;
  tag: SmsTag;
  /** The PDU with its SMSC address in front, as modems store it. */
  pdu: Uint8Array;
}

/** What the network side does with a message the host sends (the SMS center, when the modem has one). */
export interface SmsNetwork {
  submit(from: SimSms, pdu: Uint8Array): { reference: number } | { error: string };
}

export interface SimSmsEvents {
  /** A message arrived from the network and was stored. */
  received: [StoredSms];
  /** A message arrived while `storage` was full: it was refused. */
  full: [SmsStorage];
  /** A message from the network the host asked to be handed over without storing (QMI transfer routes). */
  transfer: [Uint8Array];
}

export const DEFAULT_SMS_CAPACITY: Record<SmsStorage, number> = { sm: 20, me: 100 };

export class SimSms extends EventEmitter<SimSmsEvents> {
  readonly stores: Record<SmsStorage, Map<number, StoredSms>> = { sm: new Map(), me: new Map() };
  /** Where messages from the network are stored (QMI routes choose). */
  mtStorage: SmsStorage = 'me';
  /** Hand messages from the network to the host instead of storing them. */
  transferOnly = false;
  smsc: string;
  network: SmsNetwork | undefined;
  private nextReference = 1;

  constructor(
    readonly number: string,
    readonly capacity: Record<SmsStorage, number> = DEFAULT_SMS_CAPACITY,
    smsc = '+15550000000',
  ) {
    super();
    this.smsc = smsc;
  }

  /** Stores a PDU at the lowest free index; undefined when the store is full. */
  write(storage: SmsStorage, tag: SmsTag, pdu: Uint8Array): StoredSms | undefined {
    const store = this.stores[storage];
    if (store.size >= this.capacity[storage]) return undefined;
    let index = 0;
    while (store.has(index)) index++;
    const s: StoredSms = { storage, index, tag, pdu: pdu.slice() };
    store.set(index, s);
    return s;
  }

  list(storage: SmsStorage, tag?: SmsTag): StoredSms[] {
    return [...this.stores[storage].values()].filter((s) => tag === undefined || s.tag === tag).sort((a, b) => a.index - b.index);
  }

  delete(storage: SmsStorage, index?: number, tag?: SmsTag): number {
    const gone = this.list(storage, tag).filter((s) => index === undefined || s.index === index);
    for (const s of gone) this.stores[storage].delete(s.index);
    return gone.length;
  }

  isFull(storage: SmsStorage = this.mtStorage): boolean {
    return this.stores[storage].size >= this.capacity[storage];
  }

  /** A message from the network: stored and announced, or refused when the store is full. */
  deliver(pdu: Uint8Array): { stored: StoredSms } | { transferred: true } | { error: 'memory-full' } {
    if (this.transferOnly) {
      this.emit('transfer', pdu.slice());
      return { transferred: true };
    }
    const stored = this.write(this.mtStorage, 'unread', pdu);
    if (!stored) {
      this.emit('full', this.mtStorage);
      return { error: 'memory-full' };
    }
    this.emit('received', stored);
    return { stored };
  }

  /** The host sends a PDU: it must be an SMS-SUBMIT; the network takes it, or it is only recorded here. */
  submit(pdu: Uint8Array): { reference: number } | { error: string } {
    const d = decodePdu(pdu);
    if (!d.ok) return { error: `not an SMS PDU: ${d.error.message}` };
    if (d.value.type !== 'submit') return { error: `a modem sends SMS-SUBMIT, not ${d.value.type}` };
    if (this.network) return this.network.submit(this, pdu);
    return { reference: this.nextReference++ & 0xff };
  }
}
