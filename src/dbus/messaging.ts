/**
 * ModemManager 1.20's Modem.Messaging interface and its Sms objects over the daemon's sms methods and events:
 * every stored, received or sent message is an Sms object at /org/freedesktop/ModemManager1/SMS/N
 * (numbered once, never reused); Create makes a local one that Send or Store turns into a real one,
 * as ModemManager does, so `mmcli --messaging-*` and `mmcli -s N --send` work unchanged.
 */
import dbus from 'dbus-next';
import type { ApiEvent, Params, Result, SmsMessageView as SmsMessage } from '../daemon/api.js';
import type { SendRequest } from '../modem/messaging.js';
import type { SmsStorage } from '../modem/sms-driver.js';
import { exportable, mmError, type Exported, type InterfaceDecl } from './interfaces.js';
import { MM_NAME, MM_PATH, MmError } from './mm-enums.js';

export const MESSAGING: InterfaceDecl = {
  name: `${MM_NAME}.Modem.Messaging`,
  properties: { Messages: 'ao', SupportedStorages: 'au', DefaultStorage: 'u' },
  methods: { List: ['', 'ao'], Delete: ['o', ''], Create: ['a{sv}', 'o'], SetDefaultStorage: ['u', ''] },
  signals: { Added: 'ob', Deleted: 'o' },
};

export const SMS: InterfaceDecl = {
  name: `${MM_NAME}.Sms`,
  properties: {
    State: 'u',
    PduType: 'u',
    Number: 's',
    Text: 's',
    Data: 'ay',
    SMSC: 's',
    Validity: '(uv)',
    Class: 'i',
    TeleserviceId: 'u',
    ServiceCategory: 'u',
    DeliveryReportRequest: 'b',
    MessageReference: 'u',
    Timestamp: 's',
    DischargeTimestamp: 's',
    DeliveryState: 'u',
    Storage: 'u',
  },
  methods: { Send: ['', ''], Store: ['u', ''] },
};

/** MMSmsStorage, MMSmsState, MMSmsPduType, MMSmsValidityType. */
const STORAGE: Record<SmsStorage, number> = { sm: 1, me: 2 };
const storageFrom = (v: number): SmsStorage | undefined => (Object.entries(STORAGE).find(([, n]) => n === v)?.[0] as SmsStorage | undefined);
const STATE = { unknown: 0, stored: 1, receiving: 2, received: 3, sending: 4, sent: 5 } as const;
const PDU_TYPE = { deliver: 1, submit: 2, 'status-report': 3 } as const;
const DELIVERY_STATE_UNKNOWN = 0x100;

/** Counters shared by every modem: SMS paths are unique on the bus. */
export interface SmsCounter {
  sms: number;
}

interface SmsObject {
  path: string;
  iface: Exported;
  /** The daemon's message, once there is one. */
  message?: SmsMessage;
  /** What Create was given, until Send or Store. */
  draft?: SendRequest & { smsc?: string };
}

function draftFrom(props: Record<string, dbus.Variant>): SendRequest & { smsc?: string } {
  const v = (k: string): unknown => props[k]?.value;
  const number = v('number');
  if (typeof number !== 'string' || number === '') throw mmError(MmError.invalidArgs, "a message needs a 'number'");
  const text = v('text');
  const data = v('data');
  if ((text === undefined) === (data === undefined)) throw mmError(MmError.invalidArgs, "a message needs either 'text' or 'data'");
  const validity = v('validity');
  const cls = v('class');
  const report = v('delivery-report-request');
  const smsc = v('smsc');
  return {
    to: number,
    ...(typeof text === 'string' ? { text } : { data: Buffer.from(data as Uint8Array).toString('hex') }),
    ...(typeof validity === 'number' && validity > 0 ? { validityMinutes: validity } : {}),
    ...(typeof cls === 'number' && cls >= 0 && cls <= 3 ? { class: cls as 0 | 1 | 2 | 3 } : {}),
    ...(report === true ? { statusReport: true } : {}),
    ...(typeof smsc === 'string' && smsc !== '' ? { smsc } : {}),
  };
}

type SmsMethod = 'smsList' | 'smsSend' | 'smsStore' | 'smsSendStored' | 'smsDelete';
/** The daemon's short-message methods for one modem (its `modem` param filled in), refusals as ModemManager errors. */
export type SmsApi = <M extends SmsMethod>(method: M, params: Omit<Params<M>, 'modem'>) => Promise<Result<M>>;

export class DbusMessaging {
  readonly iface: Exported;
  private readonly objects: SmsObject[] = [];
  /** A Send or Store in progress: the message it makes belongs to this object. */
  private claiming: SmsObject | undefined;
  private storages: SmsStorage[];

  private constructor(
    private readonly bus: dbus.MessageBus,
    private readonly api: SmsApi,
    private readonly counter: SmsCounter,
    first: Result<'smsList'>,
  ) {
    this.storages = first.storages;
    this.iface = exportable(MESSAGING, {
      values: () => ({ Messages: this.objects.map((o) => o.path), SupportedStorages: this.storages.map((s) => STORAGE[s]), DefaultStorage: STORAGE[this.storages[0] ?? 'me'] }),
      handlers: {
        List: async () => {
          // The daemon reads the stores again; new messages come back as events.
          await this.list();
          return this.objects.map((o) => o.path);
        },
        Create: (props: Record<string, dbus.Variant>) => this.add({ draft: draftFrom(props) }, false).path,
        Delete: async (path: string) => {
          const o = this.objects.find((x) => x.path === path);
          if (!o) throw mmError(MmError.notFound, `no message ${path} on this modem`);
          // A message the modem has goes when the daemon says it went (its `deleted` event); a draft at once.
          if (o.message) await this.api('smsDelete', { id: o.message.id }).catch((e: { type?: string }) => (e.type === MmError.notFound ? this.drop(o) : Promise.reject(e as Error)));
          else this.drop(o);
        },
        SetDefaultStorage: (storage: number) => {
          if (storageFrom(storage) !== this.storages[0]) throw mmError(MmError.unsupported, `this modem stores messages in ${this.storages.join(', ') || 'nothing'}`);
        },
      },
    });
    for (const m of first.messages) this.add({ message: m }, false);
  }

  /** The modem's messages as Sms objects; none while its messaging is not available (a locked SIM). */
  static async start(bus: dbus.MessageBus, api: SmsApi, counter: SmsCounter): Promise<DbusMessaging> {
    return new DbusMessaging(bus, api, counter, await api('smsList', {}).catch(() => ({ storages: [], messages: [] })));
  }

  private async list(): Promise<void> {
    const r = await this.api('smsList', {}).catch(() => undefined);
    if (r) this.storages = r.storages;
  }

  /** A short-message event of the daemon's, for this modem. */
  onEvent(e: ApiEvent<'sms'>): void {
    if (e.kind === 'added' && e.message) {
      const claim = this.claiming;
      if (claim && !claim.message) {
        claim.message = e.message;
        claim.draft = undefined;
        claim.iface.refresh();
        return;
      }
      this.add({ message: e.message }, e.message.pduType !== 'submit');
    } else if ((e.kind === 'updated' || e.kind === 'received') && e.message) {
      const message = e.message;
      const o = this.objects.find((x) => x.message?.id === message.id);
      if (o) {
        o.message = message;
        o.iface.refresh();
      }
    } else if (e.kind === 'deleted') {
      const o = this.objects.find((x) => x.message?.id === e.id);
      if (o) this.drop(o);
    }
  }

  private add(init: Omit<SmsObject, 'path' | 'iface'>, received: boolean): SmsObject {
    const o = { ...init, path: `${MM_PATH}/SMS/${this.counter.sms++}` } as SmsObject;
    o.iface = exportable(SMS, { values: () => smsValues(o), handlers: { Send: () => this.send(o), Store: (storage: number) => this.store(o, storage) } });
    this.objects.push(o);
    this.bus.export(o.path, o.iface);
    this.iface.emitSignal('Added', o.path, received);
    this.iface.refresh();
    return o;
  }

  private drop(o: SmsObject): void {
    const i = this.objects.indexOf(o);
    if (i < 0) return;
    this.objects.splice(i, 1);
    (this.bus.unexport as (path: string) => void).call(this.bus, o.path);
    this.iface.emitSignal('Deleted', o.path);
    this.iface.refresh();
  }

  private async claim<T>(o: SmsObject, act: () => Promise<T>): Promise<T> {
    if (this.claiming) throw mmError(MmError.wrongState, 'another message is being sent or stored');
    this.claiming = o;
    try {
      return await act();
    } finally {
      this.claiming = undefined;
    }
  }

  private async send(o: SmsObject): Promise<void> {
    const m = o.message;
    if (m?.state === 'sent') throw mmError(MmError.wrongState, 'this message was sent already');
    if (m && m.pduType === 'submit' && m.parts.length > 0) {
      // A stored message is sent from the store and stays this object, now sent.
      o.message = await this.api('smsSendStored', { id: m.id });
    } else if (o.draft) {
      const { smsc: _smsc, ...draft } = o.draft;
      await this.claim(o, () => this.api('smsSend', draft));
    } else throw mmError(MmError.wrongState, 'only a message to send can be sent');
    o.iface.refresh();
  }

  private async store(o: SmsObject, storage: number): Promise<void> {
    if (!o.draft) throw mmError(MmError.wrongState, o.message?.parts.length ? 'this message is stored already' : 'only a message made with Create can be stored');
    const where = storage === 0 ? this.storages[0] : storageFrom(storage);
    if (!where) throw mmError(MmError.invalidArgs, `unknown storage ${storage}`);
    const { smsc: _smsc, ...draft } = o.draft;
    await this.claim(o, async () => {
      const m = await this.api('smsStore', { ...draft, storage: where });
      o.message = m;
      o.draft = undefined;
    });
    o.iface.refresh();
  }

  close(): void {
    for (const o of [...this.objects]) (this.bus.unexport as (path: string) => void).call(this.bus, o.path);
    this.objects.length = 0;
  }
}

function smsValues(o: SmsObject): Record<string, unknown> {
  const m = o.message;
  const d = o.draft;
  const data = m?.data ?? d?.data;
  return {
    State: m ? STATE[m.state] : STATE.unknown,
    PduType: m ? PDU_TYPE[m.pduType] : PDU_TYPE.submit,
    Number: m?.number ?? d?.to ?? '',
    Text: m?.text ?? d?.text ?? '',
    Data: Buffer.from(data ?? '', 'hex'),
    SMSC: m?.smsc ?? d?.smsc ?? '',
    Validity: d?.validityMinutes ? [1, new dbus.Variant('u', d.validityMinutes)] : [0, new dbus.Variant('u', 0)],
    Class: m?.class ?? d?.class ?? -1,
    TeleserviceId: 0,
    ServiceCategory: 0,
    DeliveryReportRequest: m?.statusReportRequest ?? d?.statusReport ?? false,
    MessageReference: m?.references?.[0] ?? 0,
    Timestamp: m?.timestamp ?? '',
    DischargeTimestamp: m?.dischargeTimestamp ?? '',
    DeliveryState: m?.deliveryState ?? DELIVERY_STATE_UNKNOWN,
    Storage: m?.parts[0] ? STORAGE[m.parts[0].storage] : 0,
  };
}
