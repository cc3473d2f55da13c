/**
 * A modem's short messages: what its stores hold, grouped into messages (the parts of a concatenated
 * message are one message), sending (split into parts, with or without a status report), deleting,
 * and receiving: each new part the modem indicates is reassembled, and the whole message (or what
 * came of it, after a timeout) is announced once.
 */
import { EventEmitter } from 'node:events';
import { Reassembler, decodePdu, parseAddress, submitPdus, timestampIso, type Content, type SmsClass, type SmsPdu } from '../sms/index.js';
import type { SmsDriver, SmsStorage, StoredPdu } from './sms-driver.js';
import { ConfigError, NotFoundError } from './types.js';

export type SmsState = 'receiving' | 'received' | 'stored' | 'sending' | 'sent';
export type SmsPduType = 'deliver' | 'submit' | 'status-report';

export interface SmsPart {
  storage: SmsStorage;
  index: number;
}

export interface SmsMessage {
  id: number;
  pduType: SmsPduType;
  state: SmsState;
  /** Sender (deliver), destination (submit) or recipient (status report). */
  number: string;
  encoding?: string;
  text?: string;
  /** 8-bit payload as hex. */
  data?: string;
  /** Service-centre time stamp, ISO 8601. */
  timestamp?: string;
  smsc?: string;
  class?: SmsClass;
  /** Where the message's parts are stored; empty for a message sent without storing. */
  parts: SmsPart[];
  /** How many parts it has; fewer stored than this: still receiving (or partial). */
  total: number;
  complete: boolean;
  read?: boolean;
  /** TP-MR of each part sent, or the one a status report is about. */
  references?: number[];
  statusReportRequest?: boolean;
  /** TP-ST of a status report (0: delivered). */
  deliveryState?: number;
  dischargeTimestamp?: string;
}

export interface SendRequest {
  to: string;
  text?: string;
  /** Hex. */
  data?: string;
  statusReport?: boolean;
  validityMinutes?: number;
  class?: SmsClass;
}

export interface MessagingEvents {
  added: [SmsMessage];
  updated: [SmsMessage];
  deleted: [number];
  /** A message from the network, whole (or partial once the wait for its missing parts timed out). */
  received: [SmsMessage];
  full: [];
  log: [string];
}

export interface MessagingOptions {
  /** How long to wait for the missing parts of a message before announcing it partial. */
  partTimeoutMs?: number;
  now?: () => number;
}

type Decoded = StoredPdu & { decoded: SmsPdu };

/** Messages sent without storing are kept for the API to show; the oldest go beyond this many. */
const MAX_SENT_KEPT = 200;

/** Which message a stored part belongs to: its sender and concatenation reference, or its own place. */
function groupKey(p: Decoded): string {
  const d = p.decoded;
  if (d.type === 'status-report') return `${p.storage}:${p.index}`;
  const c = d.userData.concat;
  const who = d.type === 'deliver' ? d.originator.value : d.destination.value;
  return c && c.total > 1 ? `${d.type}|${who}|${c.bits}|${c.ref}|${c.total}` : `${p.storage}:${p.index}`;
}

function seqOf(p: Decoded): number {
  return p.decoded.type === 'status-report' ? 1 : (p.decoded.userData.concat?.seq ?? 1);
}

export class Messaging extends EventEmitter<MessagingEvents> {
  readonly messages = new Map<number, SmsMessage>();
  private readonly ids = new Map<string, number>();
  private nextId = 0;
  private nextRef = Math.floor(Math.random() * 0xff);
  private driver: SmsDriver | undefined;
  private readonly reassembler: Reassembler<Decoded>;
  private timer: NodeJS.Timeout | undefined;
  private attaching: Promise<void> | undefined;

  constructor(options: MessagingOptions = {}) {
    super();
    this.reassembler = new Reassembler<Decoded>({ timeoutMs: options.partTimeoutMs ?? 120_000, ...(options.now ? { now: options.now } : {}) });
  }

  get enabled(): boolean {
    return this.driver !== undefined;
  }

  get storages(): readonly SmsStorage[] {
    return this.driver?.storages ?? [];
  }

  /** Takes the driver (again, after a modem reset), routes messages to be stored and indicated, and lists the stores. */
  attach(driver: SmsDriver): Promise<void> {
    if (this.driver !== driver) this.listen(driver);
    this.driver = driver;
    this.attaching = driver.enable().then(() => this.refresh()).then(() => undefined);
    return this.attaching;
  }

  /** Settles once the routes are set and the stores listed (at once when messaging was never attached). */
  async ready(): Promise<void> {
    await this.attaching?.catch(() => undefined);
  }

  private listen(driver: SmsDriver): void {
    driver.on('stored', (storage, index) => {
      if (this.driver === driver) void this.incoming(storage, index).catch((e: Error) => this.emit('log', `reading a new message: ${e.message}`));
    });
    driver.on('full', () => {
      if (this.driver === driver) this.emit('full');
    });
  }

  private need(): SmsDriver {
    if (!this.driver) throw new ConfigError('messaging is not available on this modem (no SIM ready, or the modem has no SMS service)');
    return this.driver;
  }

  /** Reads every store and regroups the parts into messages; ids stay with their messages. */
  async refresh(): Promise<SmsMessage[]> {
    const stored = await this.need().list();
    const groups = new Map<string, Decoded[]>();
    for (const s of stored) {
      const d = decodePdu(s.pdu);
      if (!d.ok) {
        this.emit('log', `message ${s.storage}:${s.index} does not decode: ${d.error.message}`);
        continue;
      }
      const p = { ...s, decoded: d.value };
      const k = groupKey(p);
      groups.set(k, [...(groups.get(k) ?? []), p]);
    }
    const seen = new Set<number>();
    for (const [k, parts] of groups) {
      const id = this.ids.get(k) ?? this.newId(k);
      seen.add(id);
      const m = this.build(id, parts);
      const before = this.messages.get(id);
      this.messages.set(id, m);
      if (!before) this.emit('added', m);
      else if (JSON.stringify(before) !== JSON.stringify(m)) this.emit('updated', m);
    }
    // Stored messages gone from the stores; messages sent without storing stay.
    for (const [id, m] of this.messages) {
      if (m.parts.length > 0 && !seen.has(id)) this.forget(id);
    }
    return this.list();
  }

  list(): SmsMessage[] {
    return [...this.messages.values()].sort((a, b) => a.id - b.id);
  }

  get(id: number): SmsMessage {
    const m = this.messages.get(id);
    if (!m) throw new NotFoundError(`no message ${id}; known: ${[...this.messages.keys()].join(', ') || 'none'}`);
    return m;
  }

  /** A message, marked read in the store if it was new. */
  async read(id: number): Promise<SmsMessage> {
    const m = this.get(id);
    if (m.read === false) {
      for (const p of m.parts) await this.need().markRead(p.storage, p.index).catch(() => undefined);
      m.read = true;
    }
    return m;
  }

  /** The SMS-SUBMIT PDUs of a request, and its content as a message shows it. */
  private submit(req: SendRequest): { pdus: Uint8Array[]; number: string; shown: Pick<SmsMessage, 'text' | 'data' | 'encoding'> } {
    const destination = parseAddress(req.to);
    if (!destination || destination.type === 'alphanumeric') throw new ConfigError(`not a phone number: ${JSON.stringify(req.to.slice(0, 40))}`);
    let content: Content;
    if (req.data !== undefined) {
      if (!/^([0-9a-fA-F]{2})*$/.test(req.data)) throw new ConfigError('data must be hex');
      content = { data: Uint8Array.from(Buffer.from(req.data, 'hex')) };
    } else if (req.text !== undefined) content = { text: req.text };
    else throw new ConfigError('give text or data');
    if (req.validityMinutes !== undefined && !(req.validityMinutes > 0 && req.validityMinutes <= 63 * 7 * 24 * 60)) throw new ConfigError('validity is 1 minute to 63 weeks');
    const pdus = submitPdus({
      destination,
      content,
      ref: this.nextRef++ & 0xff,
      statusReportRequest: req.statusReport ?? false,
      ...(req.validityMinutes !== undefined ? { validity: { relativeMinutes: req.validityMinutes } } : {}),
      ...(req.class !== undefined ? { class: req.class } : {}),
    });
    if (!pdus.ok) throw new ConfigError(`cannot encode the message: ${pdus.error.message}`);
    const first = decodePdu(pdus.value[0]!);
    const encoding = first.ok && first.value.type === 'submit' ? first.value.userData.encoding : undefined;
    return { pdus: pdus.value, number: destination.value, shown: { ...(encoding ? { encoding } : {}), ...('text' in content ? { text: content.text } : { data: req.data!.toLowerCase() }) } };
  }

  /** Sends text or data to one number, in as many parts as it takes. */
  async send(req: SendRequest): Promise<SmsMessage> {
    const driver = this.need();
    const { pdus, number, shown } = this.submit(req);
    const id = this.newId(`sent:${this.nextId + 1}`);
    const m: SmsMessage = {
      id, pduType: 'submit', state: 'sending', number, parts: [], total: pdus.length, complete: true, ...shown,
      statusReportRequest: req.statusReport ?? false,
      ...(req.class !== undefined ? { class: req.class } : {}),
      references: [],
    };
    this.messages.set(id, m);
    this.emit('added', m);
    const unstored = [...this.messages.values()].filter((x) => x.parts.length === 0 && x.state === 'sent');
    for (const old of unstored.slice(0, Math.max(0, unstored.length - MAX_SENT_KEPT))) this.forget(old.id);
    try {
      for (const p of pdus) m.references!.push(await driver.send(p));
    } catch (e) {
      this.forget(id);
      throw e;
    }
    m.state = 'sent';
    this.emit('updated', m);
    return m;
  }

  /** Sends a stored message (every part) from the store. */
  async sendStored(id: number): Promise<SmsMessage> {
    const m = this.get(id);
    if (m.pduType !== 'submit' || m.parts.length === 0) throw new ConfigError(`message ${id} is not a stored message to send`);
    if (m.state === 'sent') throw new ConfigError(`message ${id} was sent already`);
    const references: number[] = [];
    for (const p of m.parts) references.push(await this.need().sendStored(p.storage, p.index));
    await this.refresh();
    const after = this.messages.get(id) ?? m;
    after.references = references;
    after.state = 'sent';
    this.emit('updated', after);
    return after;
  }

  /** Stores a message to send later (every part) in a store; its id once listed. */
  async store(req: SendRequest, storage: SmsStorage): Promise<SmsMessage> {
    const driver = this.need();
    if (!driver.storages.includes(storage)) throw new ConfigError(`this modem stores messages in ${driver.storages.join(', ')}, not ${storage}`);
    const { pdus } = this.submit(req);
    const places: SmsPart[] = [];
    for (const p of pdus) places.push({ storage, index: await driver.write(storage, p) });
    await this.refresh();
    const m = this.list().find((x) => x.parts.some((p) => p.storage === places[0]!.storage && p.index === places[0]!.index));
    if (!m) throw new ConfigError('the modem did not keep the stored message');
    return m;
  }

  async delete(id: number): Promise<void> {
    const m = this.get(id);
    for (const p of m.parts) await this.need().delete(p.storage, p.index);
    this.forget(id);
  }

  getSmsc(): Promise<string> {
    return this.need().getSmsc();
  }

  async setSmsc(address: string): Promise<void> {
    const a = parseAddress(address);
    if (!a || a.type === 'alphanumeric') throw new ConfigError(`not an SMSC number: ${JSON.stringify(address.slice(0, 40))}`);
    await this.need().setSmsc(a.value);
  }

  close(): void {
    clearTimeout(this.timer);
    this.driver = undefined;
  }

  private newId(key: string): number {
    const id = ++this.nextId;
    this.ids.set(key, id);
    return id;
  }

  private forget(id: number): void {
    if (!this.messages.delete(id)) return;
    for (const [k, v] of this.ids) if (v === id) this.ids.delete(k);
    this.emit('deleted', id);
  }

  /** A part the modem stored: reassembled with its siblings, then announced once. */
  private async incoming(storage: SmsStorage, index: number): Promise<void> {
    const s = await this.need().read(storage, index);
    const d = decodePdu(s.pdu);
    if (!d.ok) {
      this.emit('log', `new message ${storage}:${index} does not decode: ${d.error.message}`);
      return;
    }
    const p: Decoded = { ...s, decoded: d.value };
    const sender = d.value.type === 'deliver' ? d.value.originator.value : d.value.type === 'submit' ? d.value.destination.value : `report:${storage}:${index}`;
    const done = this.reassembler.add({ sender, ...(d.value.type !== 'status-report' && d.value.userData.concat ? { concat: d.value.userData.concat } : {}), value: p });
    await this.refresh();
    for (const r of done) this.announce(r.parts);
    this.armTimer();
  }

  private announce(parts: (Decoded | undefined)[]): void {
    const any = parts.find((x) => x !== undefined);
    const id = any && this.ids.get(groupKey(any));
    const m = id !== undefined ? this.messages.get(id) : undefined;
    if (m) this.emit('received', m);
  }

  private armTimer(): void {
    clearTimeout(this.timer);
    const next = this.reassembler.nextExpiry();
    if (next === undefined) return;
    this.timer = setTimeout(() => {
      for (const r of this.reassembler.expire()) this.announce(r.parts);
      this.armTimer();
    }, next + 1);
    this.timer.unref();
  }

  private build(id: number, parts: Decoded[]): SmsMessage {
    parts.sort((a, b) => seqOf(a) - seqOf(b));
    const d = parts[0]!.decoded;
    const base = { id, pduType: d.type, parts: parts.map((p) => ({ storage: p.storage, index: p.index })), ...(d.smsc ? { smsc: d.smsc.value } : {}) };
    if (d.type === 'status-report') {
      return { ...base, state: 'received', number: d.recipient.value, total: 1, complete: true, read: parts[0]!.tag !== 'unread', timestamp: timestampIso(d.timestamp), dischargeTimestamp: timestampIso(d.discharge), deliveryState: d.status, references: [d.reference] };
    }
    const total = d.userData.concat && d.userData.concat.total > 1 ? d.userData.concat.total : 1;
    const unique = parts.filter((p, i) => i === 0 || seqOf(p) !== seqOf(parts[i - 1]!));
    const complete = unique.length >= total;
    const bodies = unique.map((p) => (p.decoded.type === 'status-report' ? undefined : p.decoded.userData));
    const text = d.userData.encoding === '8bit' ? undefined : bodies.map((u) => u?.text ?? '').join('');
    const data = d.userData.encoding === '8bit' ? bodies.map((u) => Buffer.from(u?.data ?? []).toString('hex')).join('') : undefined;
    const common = { ...base, encoding: d.userData.encoding, total, complete, ...(text !== undefined ? { text } : {}), ...(data !== undefined ? { data } : {}), ...(d.class !== undefined ? { class: d.class } : {}) };
    if (d.type === 'deliver') {
      return { ...common, state: complete ? 'received' : 'receiving', number: d.originator.value, timestamp: timestampIso(d.timestamp), read: parts.every((p) => p.tag !== 'unread') };
    }
    return { ...common, state: parts.every((p) => p.tag === 'sent') ? 'sent' : 'stored', number: d.destination.value, references: unique.map((p) => (p.decoded as { reference: number }).reference), statusReportRequest: d.statusReportRequest };
  }
}

/** Every messaging change as one event, for the manager and daemon to pass on. */
export type MessagingEvent =
  | { kind: 'added' | 'updated' | 'received'; message: SmsMessage }
  | { kind: 'deleted'; id: number }
  | { kind: 'full' };

/** Listens to every messaging change; returns the way to stop. */
export function onMessagingEvent(m: Messaging, listener: (e: MessagingEvent) => void): () => void {
  const added = (message: SmsMessage): void => listener({ kind: 'added', message });
  const updated = (message: SmsMessage): void => listener({ kind: 'updated', message });
  const received = (message: SmsMessage): void => listener({ kind: 'received', message });
  const deleted = (id: number): void => listener({ kind: 'deleted', id });
  const full = (): void => listener({ kind: 'full' });
  m.on('added', added).on('updated', updated).on('received', received).on('deleted', deleted).on('full', full);
  return () => void m.off('added', added).off('updated', updated).off('received', received).off('deleted', deleted).off('full', full);
}
