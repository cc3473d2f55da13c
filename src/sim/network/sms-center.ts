/**
 * The simulated network's SMS center: a message a modem sends goes to the simulated modem with the
 * destination number when there is one (two modems can text each other), and is recorded either way;
 * a status report goes back when the sender asked for one. `wwan sim ctl … sms` delivers messages
 * from any number.
 */
import { decodePdu, encodePdu, parseAddress, splitContent, timestampOf, type Content, type SmsAddress, type SmsPdu } from '../../sms/index.js';
import { fromHex } from '../../wire/index.js';
import type { SimSms } from '../sms.js';

export interface SmsCenterRecord {
  at: string;
  from: string;
  to: string;
  encoding: string;
  text?: string;
  /** 8-bit payload as hex. */
  data?: string;
  concat?: { ref: number; total: number; seq: number };
  /** Which simulated modem got it; absent when the number is outside the simulation. */
  deliveredTo?: string;
  error?: string;
  statusReportRequested: boolean;
}

/** TP-ST (TS 23.040 §9.2.3.15): received by the recipient; refused (its memory is full). */
const ST_DELIVERED = 0x00;
const ST_REJECTED = 0x42;
const MAX_RECORDS = 1000;

const digits = (n: string): string => n.replace(/[^0-9]/g, '');

export class SmsCenter {
  readonly records: SmsCenterRecord[] = [];
  private readonly members = new Map<string, { id: string; sms: SimSms }>();
  private nextReference = 1;
  private nextRef = 1;

  constructor(
    readonly address = '+15550000000',
    private readonly log: (line: string) => void = () => undefined,
  ) {}

  /** A simulated modem on this network, reachable at its number. */
  attach(id: string, sms: SimSms): void {
    this.members.set(id, { id, sms });
    sms.network = this;
  }

  private byNumber(a: SmsAddress): { id: string; sms: SimSms } | undefined {
    if (a.type === 'alphanumeric') return undefined;
    const d = digits(a.value);
    return [...this.members.values()].find((m) => d.length > 0 && digits(m.sms.number) === d);
  }

  private record(r: SmsCenterRecord): void {
    this.records.push(r);
    if (this.records.length > MAX_RECORDS) this.records.shift();
  }

  submit(from: SimSms, bytes: Uint8Array): { reference: number } | { error: string } {
    const d = decodePdu(bytes);
    if (!d.ok || d.value.type !== 'submit') return { error: 'not an SMS-SUBMIT' };
    const p = d.value;
    const reference = this.nextReference++ & 0xff;
    const to = this.byNumber(p.destination);
    const deliver: SmsPdu = {
      type: 'deliver',
      smsc: { type: 'international', value: this.address },
      originator: parseAddress(from.number) ?? { type: 'unknown', value: digits(from.number) },
      pid: p.pid,
      ...(p.class !== undefined ? { class: p.class } : {}),
      timestamp: timestampOf(new Date()),
      userData: p.userData,
      statusReportIndication: p.statusReportRequest,
    };
    const encoded = encodePdu(deliver);
    const result = to && encoded.ok ? to.sms.deliver(encoded.value) : undefined;
    const error = result && 'error' in result ? result.error : undefined;
    const u = p.userData;
    this.record({
      at: new Date().toISOString(),
      from: from.number,
      to: p.destination.value,
      encoding: u.encoding,
      ...(u.text !== undefined ? { text: u.text } : {}),
      ...(u.data ? { data: Buffer.from(u.data).toString('hex') } : {}),
      ...(u.concat ? { concat: { ref: u.concat.ref, total: u.concat.total, seq: u.concat.seq } } : {}),
      ...(to && !error ? { deliveredTo: to.id } : {}),
      ...(error ? { error } : {}),
      statusReportRequested: p.statusReportRequest,
    });
    this.log(`SMS center: ${from.number} → ${p.destination.value}${to ? ` (${to.id})` : ''}${error ? `: ${error}` : ''}`);
    if (p.statusReportRequest) {
      const now = timestampOf(new Date());
      const report = encodePdu({ type: 'status-report', smsc: { type: 'international', value: this.address }, reference: p.reference, recipient: p.destination, timestamp: now, discharge: now, status: error ? ST_REJECTED : ST_DELIVERED });
      // After the send's response, as a network's report comes later.
      if (report.ok) setImmediate(() => from.deliver(report.value));
    }
    return { reference };
  }

  /**
   * Delivers a message to a modem from a number: text or data (split into parts as needed), or
   * a ready SMS-DELIVER PDU in hex (with or without its SMSC address).
   */
  deliverTo(sms: SimSms, req: { from?: string; text?: string; data?: string; pdu?: string; class?: number }): { parts: number; stored: number } | { error: string } {
    let pdus: Uint8Array[];
    if (req.pdu !== undefined) {
      const raw = fromHex(req.pdu);
      if (!raw) return { error: 'pdu must be hex' };
      const withSmsc = decodePdu(raw);
      const bare = withSmsc.ok ? withSmsc : decodePdu(raw, { smsc: false });
      if (!bare.ok) return { error: `not an SMS PDU: ${bare.error.message}` };
      if (bare.value.type === 'submit') return { error: 'an SMS-SUBMIT goes from a modem to the network, not to a modem' };
      pdus = [withSmsc.ok ? raw : Uint8Array.from([0, ...raw])];
    } else {
      const originator = parseAddress(req.from ?? '');
      if (!originator) return { error: `from must be a number (+CC…, digits) or a name of at most 11 GSM characters, got ${JSON.stringify(String(req.from).slice(0, 40))}` };
      let content: Content;
      if (req.data !== undefined) {
        const data = fromHex(req.data);
        if (!data) return { error: 'data must be hex' };
        content = { data };
      } else if (typeof req.text === 'string') content = { text: req.text };
      else return { error: 'give text, data or pdu' };
      const parts = splitContent(content, this.nextRef++ & 0xff);
      if (!parts.ok) return { error: parts.error.message };
      const cls = req.class === undefined ? {} : { class: req.class as 0 | 1 | 2 | 3 };
      pdus = [];
      for (const userData of parts.value) {
        const e = encodePdu({ type: 'deliver', smsc: { type: 'international', value: this.address }, originator, pid: 0, timestamp: timestampOf(new Date()), userData, ...cls });
        if (!e.ok) return { error: e.error.message };
        pdus.push(e.value);
      }
    }
    let stored = 0;
    for (const p of pdus) {
      const r = sms.deliver(p);
      if ('error' in r) return { error: `${r.error}: ${stored} of ${pdus.length} part(s) stored` };
      stored++;
    }
    return { parts: pdus.length, stored };
  }
}
