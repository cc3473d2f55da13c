/**
 * What the messaging layer needs from a control protocol: raw PDUs in the modem's stores, sending,
 * deleting, the SMSC address, and word of new messages. QMI (WMS) and MBIM (SMS) implement it.
 */
import type { EventEmitter } from 'node:events';

import type { SmsStorage, SmsTag } from '../sms/index.js';

export type { SmsStorage, SmsTag };

export interface StoredPdu {
  storage: SmsStorage;
  index: number;
  tag: SmsTag;
  /** With the SMSC address in front. */
  pdu: Uint8Array;
}

export interface SmsDriverEvents {
  /** A message was stored at this place. */
  stored: [storage: SmsStorage, index: number];
  /** A message handed over without storing (QMI transfer routes). */
  pdu: [Uint8Array];
  /** The store is full: the network's messages are refused until something is deleted. */
  full: [];
}

export interface SmsDriver extends EventEmitter<SmsDriverEvents> {
  readonly storages: readonly SmsStorage[];
  /** Routes messages to be stored and indicated; subscribes to the indications. */
  enable(): Promise<void>;
  list(): Promise<StoredPdu[]>;
  read(storage: SmsStorage, index: number): Promise<StoredPdu>;
  /** Sends one SMS-SUBMIT (with SMSC address); the network's message reference. */
  send(pdu: Uint8Array): Promise<number>;
  /** Sends a stored SMS-SUBMIT; the network's message reference. */
  sendStored(storage: SmsStorage, index: number): Promise<number>;
  /** Stores a PDU the host made; refused by protocols that cannot. */
  write(storage: SmsStorage, pdu: Uint8Array): Promise<number>;
  markRead(storage: SmsStorage, index: number): Promise<void>;
  delete(storage: SmsStorage, index: number): Promise<void>;
  getSmsc(): Promise<string>;
  setSmsc(address: string): Promise<void>;
}
