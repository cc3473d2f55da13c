/**
 * The daemon's API, declared once: every method (its params, its result, who may call it), every
 * event and every error code. The socket server validates requests against it, the CLI, the dashboard,
 * MQTT and D-Bus call through it, README's API table is generated from it, and the types below are
 * inferred from it. Adding a method: an entry in METHODS and a handler in the daemon (server.ts).
 *
 * Framing: JSON-RPC 2.0, one object per line over the unix socket.
 *   request       {"jsonrpc":"2.0","id":1,"method":"connect","params":{"modem":"sim0","apn":"internet"}}
 *   result        {"jsonrpc":"2.0","id":1,"result":{...}}
 *   error         {"jsonrpc":"2.0","id":1,"error":{"code":-32001,"message":"no modem …","data":{"name":"not-found"}}}
 *   event         {"jsonrpc":"2.0","method":"event","params":{"event":"bearer","modem":"sim0",...}}  (after subscribe/trace)
 *
 * Field conventions, the same in every answer and event: `modem` is a modem's id; a field named after
 * things (`bearers`, `messages`, `links`, `addresses`) is always an array of them, and a number of things
 * is `…Count`; `bearer` inside a bearer's own object is its `id`, elsewhere it is the id of the bearer
 * referred to; times are milliseconds (`…Ms`) or ISO 8601 text; signal figures are dBm (rssi, rsrp) and dB.
 */
import { t, type Infer, type InferShape, type Schema } from './schema.js';

const modem = t.string({ min: 1, max: 256, what: 'a modem id' });
const digits = (min: number, max: number, what: string): Schema<string> => t.string({ pattern: new RegExp(`^\\d{${min},${max}}$`), what });

const ipType = t.enum(['ipv4', 'ipv6', 'ipv4v6']);
const auth = t.enum(['none', 'pap', 'chap', 'both']);
const multiplex = t.enum(['none', 'requested', 'required']);
const linkId = t.number({ integer: true, min: 0, max: 255 });

const signal = t.object({
  rssi: t.optional(t.number()),
  rsrp: t.optional(t.number()),
  rsrq: t.optional(t.number()),
  snr: t.optional(t.number()),
  nr5g: t.optional(t.object({ rsrp: t.optional(t.number()), rsrq: t.optional(t.number()), snr: t.optional(t.number()) })),
});
const registration = t.object({
  state: t.enum(['home', 'roaming', 'searching', 'denied', 'idle', 'unknown']),
  operator: t.optional(t.object({ mcc: t.string(), mnc: t.string(), name: t.string() })),
  tech: t.optional(t.string()),
});
const ipConfig = t.object({ address: t.string(), prefix: t.number({ integer: true }), gateway: t.optional(t.string()), dns: t.array(t.string()), mtu: t.optional(t.number({ integer: true })) });
const simStatus = t.enum(['ready', 'pin-required', 'puk-required', 'absent', 'error']);
const modemState = t.enum(['probing', 'locked', 'failed', 'searching', 'registered', 'connected']);

/** A bearer request as answers show it: never the password. */
const bearerRequest = t.object({ apns: t.array(t.string()), ipType, auth: t.optional(auth), user: t.optional(t.string()), multiplex, linkId: t.optional(linkId) });

const bearer = t.object({
  id: t.number({ integer: true }),
  status: t.enum(['connecting', 'connected', 'reconnecting', 'disconnected', 'failed']),
  linkId: t.number({ integer: true }),
  interface: t.optional(t.string()),
  apn: t.optional(t.string()),
  request: bearerRequest,
  ipv4: t.optional(ipConfig),
  ipv6: t.optional(ipConfig),
  reconnects: t.number({ integer: true }),
  error: t.optional(t.string()),
});

/** BAM-DMUX: the channel as the modem and the host see it. */
const channel = t.object({ exists: t.boolean(), remoteOpen: t.boolean(), up: t.boolean() });
const uuid = t.string({ pattern: /^[0-9a-fA-F]{8}(-[0-9a-fA-F]{4}){3}-[0-9a-fA-F]{12}$/, what: 'a UUID' });
const dssSession = t.number({ integer: true, min: 0, max: 255 });
/** A link as the kernel's wwan core shows it: what carries it below (the pipe, a master netdev) and above (a netdev, a stream). */
const infoLink = t.object({
  kind: t.enum(['ip', 'stream']),
  linkId: t.number({ integer: true }),
  lower: t.optional(t.string()),
  upper: t.optional(t.string()),
  channel: t.optional(channel),
  service: t.optional(t.string()),
  name: t.optional(t.string()),
  status: t.optional(t.string()),
});
const streamCounters = t.object({ rxBytes: t.number(), rxDatagrams: t.number(), txBytes: t.number(), txDatagrams: t.number(), rxDropped: t.number(), txDropped: t.number() });
/** A device service stream (MBIM DSS) as answers and events show it. */
const stream = t.object({
  modem: t.string(),
  session: t.number({ integer: true }),
  service: t.string(),
  name: t.string(),
  status: t.enum(['open', 'closed']),
  pty: t.optional(t.string()),
  path: t.optional(t.string()),
  counters: t.optional(streamCounters),
  buffered: t.optional(t.number()),
  error: t.optional(t.string()),
});

const summaryShape = {
  id: t.string(),
  state: modemState,
  protocol: t.enum(['qmi', 'mbim']),
  manufacturer: t.optional(t.string()),
  model: t.optional(t.string()),
  imei: t.optional(t.string()),
  registration: t.optional(registration),
  signal: t.optional(signal),
  bearers: t.array(bearer),
};
const modemSummary = t.object(summaryShape);
const modemInfo = t.object({
  ...summaryShape,
  port: t.string(),
  driver: t.optional(t.string()),
  revision: t.optional(t.string()),
  hardwareRevision: t.optional(t.string()),
  sim: t.optional(
    t.object({
      status: simStatus,
      pinRetries: t.optional(t.number()),
      pukRetries: t.optional(t.number()),
      iccid: t.optional(t.string()),
      imsi: t.optional(t.string()),
      ownNumber: t.optional(t.string()),
      operatorId: t.optional(t.string()),
      operatorName: t.optional(t.string()),
      gid1: t.optional(t.string()),
      gid2: t.optional(t.string()),
    }),
  ),
  dataFormat: t.optional(t.json('the negotiated framing and its limits')),
  dataDrops: t.optional(t.object({ receive: t.record(t.number()), send: t.record(t.number()), pipeWrites: t.number() })),
  dataStats: t.optional(t.json("the link backend's own figures: the userspace datapath's transfers, holds and stream drops (and its thread's state), the kernel's stream sockets")),
  links: t.optional(t.array(infoLink)),
});

const counters = t.object({ rxPackets: t.number(), rxBytes: t.number(), txPackets: t.number(), txBytes: t.number(), txDropped: t.number(), rxDropped: t.optional(t.number()) });
/** An IP link (a bearer's netdev) or a stream link (a DSS session's terminal) in `links`. */
const link = t.object({
  kind: t.enum(['ip', 'stream']),
  modem: t.string(),
  name: t.string(),
  linkId: t.number({ integer: true }),
  framing: t.string(),
  /** IP links: the netdev's kind; stream links: the link backend's. */
  backend: t.enum(['memory', 'tun', 'kernel', 'userspace']),
  /** IP links: the bearer. */
  bearer: t.optional(t.number({ integer: true })),
  status: t.enum(['connecting', 'connected', 'reconnecting', 'disconnected', 'failed', 'open', 'closed']),
  addresses: t.array(t.string()),
  counters,
  lower: t.optional(t.string()),
  upper: t.optional(t.string()),
  channel: t.optional(channel),
  /** Stream links: the session, its service, terminal and stable name, what waits for the reader. */
  session: t.optional(t.number({ integer: true })),
  service: t.optional(t.string()),
  pty: t.optional(t.string()),
  path: t.optional(t.string()),
  buffered: t.optional(t.number()),
  error: t.optional(t.string()),
});

const smsMessage = t.object({
  id: t.number({ integer: true }),
  pduType: t.enum(['deliver', 'submit', 'status-report']),
  state: t.enum(['receiving', 'received', 'stored', 'sending', 'sent']),
  number: t.string(),
  encoding: t.optional(t.string()),
  text: t.optional(t.string()),
  data: t.optional(t.string()),
  timestamp: t.optional(t.string()),
  smsc: t.optional(t.string()),
  class: t.optional(t.enum([0, 1, 2, 3])),
  parts: t.array(t.object({ storage: t.enum(['sm', 'me']), index: t.number({ integer: true }) })),
  total: t.number({ integer: true }),
  complete: t.boolean(),
  read: t.optional(t.boolean()),
  references: t.optional(t.array(t.number({ integer: true }))),
  statusReportRequest: t.optional(t.boolean()),
  deliveryState: t.optional(t.number({ integer: true })),
  dischargeTimestamp: t.optional(t.string()),
});
const smsId = t.number({ integer: true, min: 1 });
const MAX_SMS_TEXT = 255 * 160;

const modemOnly = { modem };
const smsSendParams = {
  modem,
  to: t.string({ min: 1, max: 32, what: 'a phone number' }),
  text: t.optional(t.string({ max: MAX_SMS_TEXT })),
  data: t.optional(t.string({ max: MAX_SMS_TEXT, pattern: /^(?:[0-9a-fA-F]{2})*$/, what: 'hex' })),
  statusReport: t.optional(t.boolean()),
  validityMinutes: t.optional(t.number({ min: 0 })),
  class: t.optional(t.enum([0, 1, 2, 3])),
};

/** Radio and SIM control (src/modem/radio-driver.ts's shapes, as answers show them). */
const accessTech = t.enum(['gsm', 'umts', 'lte', 'nr5g']);
const radioBand = t.object({ tech: accessTech, band: t.number({ integer: true, min: 0, max: 65535 }) });
const preferredNetwork = t.object({ mcc: digits(3, 3, 'an MCC of 3 digits'), mnc: digits(2, 3, 'an MNC of 2 or 3 digits'), techs: t.array(accessTech, { max: 4 }) });
const scannedNetwork = t.object({ mcc: t.string(), mnc: t.string(), name: t.optional(t.string()), tech: accessTech, status: t.enum(['current', 'available', 'forbidden', 'unknown']) });
const modeSet = t.object({ allowed: t.array(accessTech, { min: 1, max: 4 }), preferred: t.optional(accessTech) });
const radioModes = t.object({ current: modeSet, supported: t.array(modeSet) });
const radioBands = t.object({ current: t.array(radioBand), supported: t.array(radioBand) });
const cellInfo = t.object({
  serving: t.boolean(),
  tech: accessTech,
  mcc: t.optional(t.string()),
  mnc: t.optional(t.string()),
  cellId: t.optional(t.number({ integer: true })),
  areaCode: t.optional(t.number({ integer: true })),
  arfcn: t.optional(t.number({ integer: true })),
  band: t.optional(t.number({ integer: true })),
  pci: t.optional(t.number({ integer: true })),
  rssi: t.optional(t.number()),
  rsrp: t.optional(t.number()),
  rsrq: t.optional(t.number()),
  snr: t.optional(t.number()),
});
const retriesLeft = t.optional(t.number({ integer: true, min: 0 }));
const lockRetries = t.object({ pin1: retriesLeft, puk1: retriesLeft, pin2: retriesLeft, puk2: retriesLeft });
const codeResult = t.object({ ok: t.boolean(), retries: retriesLeft });
const simSlot = t.object({ slot: t.number({ integer: true, min: 1 }), active: t.boolean(), present: t.boolean(), kind: t.enum(['uicc', 'euicc', 'unknown']), iccid: t.optional(t.string()), eid: t.optional(t.string()), esim: t.optional(t.enum(['with-profiles', 'no-profiles'])), removable: t.optional(t.boolean()) });
const powerState = t.enum(['on', 'low', 'off']);
const simLock = t.enum(['pin1', 'pin2']);
const pinCode = digits(4, 8, 'a PIN of 4 to 8 digits');
/** The SIM locks one can disable with a control key (3GPP TS 22.022), and every one a modem may report. */
const disablableLock = t.enum(['network', 'network-subset', 'service-provider', 'corporate']);
const personalizationLock = t.object({ facility: t.enum(['network', 'network-subset', 'service-provider', 'corporate', 'phone-sim']), retries: retriesLeft, unblockRetries: retriesLeft });
const simLockResult = t.object({ ok: t.boolean(), refusal: t.optional(t.enum(['incorrect-key', 'blocked', 'permanently-blocked', 'not-enabled'])), retries: retriesLeft, unblockRetries: retriesLeft });
const slotNumber = t.number({ integer: true, min: 1, max: 8 });
/** A logical channel: 1–19 (ISO 7816-4: 1–3 basic, 4–19 extended). */
const logicalChannel = t.number({ integer: true, min: 1, max: 19 });
const hexBytes = (min: number, max: number, what: string): Schema<string> => t.string({ pattern: new RegExp(`^(?:[0-9a-fA-F]{2}){${min},${max}}$`), what });
const empty = t.object({});
/** What a `radio` event says changed. */
const radioPart = t.enum(['scan', 'modes', 'bands', 'slots', 'locks', 'power', 'numbers', 'thresholds', 'eps', 'packet', 'nr5g']);
/** Initial EPS bearer settings as answers show them: never the password. */
const epsSettingsShape = { apn: t.string({ max: 100, what: 'an APN' }), ipType: t.optional(ipType), auth: t.optional(auth), user: t.optional(t.string({ max: 256 })) };
const epsSettings = t.object(epsSettingsShape);
const packetServiceState = t.enum(['attached', 'detached']);
const nr5gRegistration = t.object({ micoMode: t.enum(['unknown', 'unsupported', 'disabled', 'enabled']), drxCycle: t.enum(['unknown', 'unsupported', '32', '64', '128', '256']) });

/**
 * Who may call a method: `web` the socket, in-process front-ends and the dashboard; `local` the socket
 * and in-process front-ends; `socket` the socket only (it streams to its connection); `process` only
 * front-ends in the daemon's process (`add` opens any path it is given: not for socket clients).
 */
type Access = 'web' | 'local' | 'socket' | 'process';

interface MethodDecl<P extends Record<string, Schema<unknown>>, R extends Schema<unknown>, A extends Access> {
  doc: string;
  params: P;
  result: R;
  access: A;
}
const method = <P extends Record<string, Schema<unknown>>, R extends Schema<unknown>, const A extends Access>(d: MethodDecl<P, R, A>): MethodDecl<P, R, A> => d;

/** The methods, by name: their params, result, who may call them and what they do. */
export const METHODS = {
  status: method({
    doc: "The daemon: pid, uptime, socket, the number of modems, its clients and what their bounds dropped, memory in bytes",
    access: 'web',
    params: {},
    result: t.object({
      pid: t.number({ integer: true }),
      uptimeMs: t.number(),
      socket: t.string(),
      modemCount: t.number({ integer: true }),
      clients: t.object({ connected: t.number(), events: t.number(), traces: t.number(), refused: t.number(), disconnected: t.number() }),
      memory: t.object({ rss: t.number(), heapUsed: t.number(), external: t.number(), arrayBuffers: t.number() }),
      web: t.optional(t.object({ streamsDropped: t.number() })),
    }),
  }),
  list: method({ doc: 'Every modem: state, identity, registration, signal and its bearers', access: 'web', params: {}, result: t.array(modemSummary) }),
  info: method({ doc: "One modem: what `list` shows, and its firmware, SIM, data format and the datapath's drops", access: 'web', params: modemOnly, result: modemInfo }),
  connect: method({
    doc: 'Brings a bearer up (the APNs are tried in order); answers once it is connected',
    access: 'web',
    params: {
      modem,
      apn: t.optional(t.string({ max: 100 })),
      apns: t.optional(t.array(t.string({ max: 100 }), { min: 1, max: 8 })),
      ipType: t.optional(ipType),
      auth: t.optional(auth),
      user: t.optional(t.string({ max: 256 })),
      password: t.optional(t.string({ max: 256, what: 'a password' })),
      multiplex: t.optional(multiplex),
      linkId: t.optional(linkId),
    },
    result: bearer,
  }),
  disconnect: method({
    doc: 'Takes bearers down: the one on `linkId`, the one with id `bearer`, or `all`',
    access: 'web',
    params: { modem, linkId: t.optional(linkId), bearer: t.optional(t.number({ integer: true, min: 0 })), all: t.optional(t.boolean()) },
    result: t.object({ disconnected: t.number({ integer: true }) }),
  }),
  links: method({ doc: "Every link: IP links with their netdev (framing, backend, addresses, counters) and DSS stream links with their terminal, each with its lower and upper device", access: 'web', params: {}, result: t.array(link) }),
  dssOpen: method({
    doc: 'Opens device service stream `session` (MBIM DSS Connect; `service` defaults to the one the modem offers for it) and joins it to a raw terminal named `<link name>-dss<N>` beside the socket',
    access: 'local',
    params: { modem, session: dssSession, service: t.optional(uuid) },
    result: stream,
  }),
  dssClose: method({ doc: 'Closes a device service stream; its terminal and name go with it', access: 'local', params: { modem, session: dssSession }, result: t.object({ closed: t.literal(true) }) }),
  subscribe: method({ doc: 'This connection gets every event from now on (not traces)', access: 'socket', params: {}, result: t.object({ subscribed: t.literal(true) }) }),
  trace: method({ doc: 'This connection gets every control message as a `trace` event (secrets overwritten)', access: 'socket', params: {}, result: t.object({ tracing: t.literal(true) }) }),
  add: method({
    doc: 'Manages a modem at a port the caller provides (a simulator the CLI hosts, a device): its control protocol, control port and data pipe',
    access: 'process',
    params: {
      id: modem,
      control: t.enum(['qmi', 'mbim']),
      port: t.string({ min: 1, max: 4096, what: 'a control port (a device path or unix:PATH)' }),
      dataPipe: t.optional(t.string({ min: 1, max: 4096, what: 'a data pipe socket path' })),
      pipe: t.optional(t.enum(['usb', 'bam-dmux'])),
    },
    result: t.object({ added: t.string() }),
  }),
  remove: method({ doc: 'Stops managing a modem (its bearers go down)', access: 'local', params: modemOnly, result: t.object({ removed: t.literal(true) }) }),
  inhibit: method({
    doc: 'Lets go of a modem so another program may use its port (ModemManager\'s InhibitDevice); `uninhibit` takes it back',
    access: 'local',
    params: modemOnly,
    result: t.object({ port: t.string() }),
  }),
  uninhibit: method({ doc: 'Manages an inhibited modem again, by its port', access: 'local', params: { port: t.string({ min: 1, max: 4096, what: 'a port' }) }, result: t.object({ added: t.string() }) }),
  unlock: method({
    doc: 'Enters the SIM PIN, or with `puk` unblocks the SIM and sets `pin` as the new PIN; answers the retries left, never a code',
    access: 'web',
    params: { modem, pin: digits(4, 8, 'a PIN of 4 to 8 digits'), puk: t.optional(digits(8, 8, 'a PUK of 8 digits')) },
    result: t.object({ unlocked: t.boolean(), sim: simStatus, retries: t.optional(t.number({ integer: true })) }),
  }),
  reload: method({ doc: 'Re-reads the configuration file; bearers whose profile did not change stay up', access: 'local', params: {}, result: t.object({ config: t.string(), kept: t.number({ integer: true }), replaced: t.number({ integer: true }) }) }),
  profiles: method({
    doc: 'What the configuration file keeps up on a modem, and the bearer keeping each profile up (null while none is)',
    access: 'web',
    params: modemOnly,
    result: t.object({
      config: t.nullable(t.string()),
      autoconnect: t.boolean(),
      pin: t.boolean(),
      bearers: t.array(t.object({ ...bearerRequest.shape, bearer: t.nullable(t.number({ integer: true })) })),
    }),
  }),
  smsList: method({ doc: "The messages in the modem's stores, and those sent", access: 'web', params: modemOnly, result: t.object({ storages: t.array(t.enum(['sm', 'me'])), messages: t.array(smsMessage) }) }),
  smsRead: method({ doc: 'One message, whole (marked read)', access: 'web', params: { modem, id: smsId }, result: smsMessage }),
  smsSend: method({
    doc: 'Sends a message (`text` or hex `data`), split into parts as needed',
    access: 'web',
    params: smsSendParams,
    result: smsMessage,
  }),
  smsStore: method({
    doc: 'Stores a message to send later (in `storage`, default the first the modem has)',
    access: 'local',
    params: { ...smsSendParams, storage: t.optional(t.enum(['sm', 'me'])) },
    result: smsMessage,
  }),
  smsSendStored: method({ doc: 'Sends a stored message; it stays stored, now sent', access: 'local', params: { modem, id: smsId }, result: smsMessage }),
  smsDelete: method({ doc: 'Deletes a message (every part)', access: 'web', params: { modem, id: smsId }, result: t.object({ deleted: t.number({ integer: true }) }) }),
  smsc: method({ doc: 'The SMS center address; `set` changes it first', access: 'local', params: { modem, set: t.optional(t.string({ min: 1, max: 32, what: 'a phone number' })) }, result: t.object({ smsc: t.string() }) }),
  scan: method({
    doc: 'Scans for networks (tens of seconds on real modems; `radio` events with `what: "scan"` show progress); a second caller joins the running scan, a reset aborts it',
    access: 'web',
    params: modemOnly,
    result: t.object({ networks: t.array(scannedNetwork) }),
  }),
  register: method({
    doc: 'Registers in the operator `mcc` `mnc` (optionally on `tech`), or with neither, automatically; a refusal is a `refused` error with the 3GPP cause',
    access: 'web',
    params: { modem, mcc: t.optional(digits(3, 3, 'an MCC of 3 digits')), mnc: t.optional(digits(2, 3, 'an MNC of 2 or 3 digits')), tech: t.optional(accessTech) },
    result: empty,
  }),
  modes: method({ doc: 'The allowed access technologies and the preferred one, and the combinations the modem supports', access: 'web', params: modemOnly, result: radioModes }),
  setModes: method({ doc: 'Sets the allowed access technologies and the preferred one among them; answers the modes after', access: 'web', params: { modem, allowed: t.array(accessTech, { min: 1, max: 4 }), preferred: t.optional(accessTech) }, result: radioModes }),
  bands: method({ doc: 'The current and the supported bands', access: 'web', params: modemOnly, result: radioBands }),
  setBands: method({ doc: 'Sets the bands to use (`[]`: every supported band); answers the bands after', access: 'web', params: { modem, bands: t.array(radioBand, { max: 256 }) }, result: radioBands }),
  cells: method({ doc: 'The serving and neighbouring cells: technology, ids, area code, ARFCN, band, PCI, signal', access: 'web', params: modemOnly, result: t.object({ cells: t.array(cellInfo) }) }),
  signalSetup: method({
    doc: 'Signal reporting: an RSSI change in dB and error-rate changes that trigger a report (0/false: off), and a polling rate in seconds (0: off)',
    access: 'web',
    params: { modem, rssiDelta: t.optional(t.number({ integer: true, min: 0, max: 100 })), errorRate: t.optional(t.boolean()), rateSeconds: t.optional(t.number({ integer: true, min: 0, max: 3600 })) },
    result: empty,
  }),
  simLocks: method({
    doc: 'Tries left per code (PIN1, PUK1, PIN2, PUK2), whether PIN1 is checked, and the SIM locks (personalizations) enabled with their control key\'s tries left where the modem tells (QMI); never a code',
    access: 'web',
    params: modemOnly,
    result: t.object({ retries: lockRetries, pin1Enabled: t.optional(t.boolean()), pin2Enabled: t.optional(t.boolean()), personalization: t.optional(t.array(personalizationLock)) }),
  }),
  simLockDisable: method({
    doc: 'Disables a SIM lock (personalization) with its control key (QMI UIM Depersonalization); a refused key is `ok: false` with `refusal` and the tries left, never retried',
    access: 'web',
    params: { modem, facility: disablableLock, key: t.string({ min: 1, max: 16, what: 'a control key of 1 to 16 characters' }) },
    result: simLockResult,
  }),
  pinEnable: method({
    doc: 'Turns checking of PIN1 or PIN2 on or off (`pin` is that lock\'s code); a refused code is `ok: false` with the tries left, never retried',
    access: 'web',
    params: { modem, lock: simLock, pin: pinCode, enable: t.boolean() },
    result: codeResult,
  }),
  pinChange: method({ doc: 'Changes the code of PIN1 or PIN2; a refused code is `ok: false` with the tries left, never retried', access: 'web', params: { modem, lock: simLock, pin: pinCode, newPin: pinCode }, result: codeResult }),
  slots: method({ doc: 'The SIM slots: which is active, what card is in each (UICC or eUICC), its ICCID and EID', access: 'web', params: modemOnly, result: t.object({ slots: t.array(simSlot) }) }),
  setSlot: method({ doc: 'Makes `slot` (1-based) the active SIM slot; the modem probes the SIM again; answers the slots after', access: 'web', params: { modem, slot: slotNumber }, result: t.object({ slots: t.array(simSlot) }) }),
  apduOpen: method({ doc: 'Opens a logical channel to the card application `aid` (hex, 1–16 bytes)', access: 'local', params: { modem, aid: hexBytes(1, 16, 'an AID of 1 to 16 bytes in hex') }, result: t.object({ channel: t.number({ integer: true }) }) }),
  apdu: method({
    doc: 'Sends a command APDU (hex, 4–261 bytes) on a logical channel; answers the response with its status word (hex)',
    access: 'local',
    params: { modem, channel: logicalChannel, apdu: hexBytes(4, 261, 'a command APDU of 4 to 261 bytes in hex') },
    result: t.object({ response: t.string() }),
  }),
  apduClose: method({ doc: 'Closes a logical channel', access: 'local', params: { modem, channel: logicalChannel }, result: empty }),
  numbers: method({ doc: "The SIM's own numbers (MSISDNs)", access: 'web', params: modemOnly, result: t.object({ numbers: t.array(t.string()) }) }),
  preferredNetworks: method({
    doc: "The SIM's preferred network list (EF_PLMNwAcT), in order; `networks` replaces it first (QMI modems)",
    access: 'web',
    params: { modem, networks: t.optional(t.array(preferredNetwork, { max: 32 })) },
    result: t.object({ networks: t.array(preferredNetwork) }),
  }),
  power: method({ doc: 'The radio power state; `state` sets it first (on, low: radio off, off: powered down until a reset)', access: 'web', params: { modem, state: t.optional(powerState) }, result: t.object({ state: powerState }) }),
  initialEps: method({
    doc: 'The initial EPS bearer: the settings the modem attaches to LTE with and the bearer it attached with (null while not attached to LTE); `settings` stores new ones first and the modem attaches with them (QMI: its LTE attach profile, the radio cycled; MBIM: the home LTE attach configuration). Never the password',
    access: 'web',
    params: { modem, settings: t.optional(t.object({ ...epsSettingsShape, password: t.optional(t.string({ max: 256, what: 'a password' })) })) },
    result: t.object({ settings: epsSettings, bearer: t.nullable(epsSettings) }),
  }),
  packetService: method({ doc: 'Whether the modem is attached to the packet domain; `state` attaches or detaches first (detaching ends the data calls)', access: 'web', params: { modem, state: t.optional(packetServiceState) }, result: t.object({ state: packetServiceState }) }),
  carrierConfig: method({
    doc: 'The carrier configuration the modem runs and its revision (QMI: PDC; MBIM: PDC through QMI over MBIM where the function lists the QMI service, refused where it does not; `default` without a revision when none is selected)',
    access: 'web',
    params: modemOnly,
    result: t.object({ name: t.string(), revision: t.nullable(t.string()) }),
  }),
  nr5gRegistration: method({
    doc: "The 5G registration settings: MICO mode and the DRX cycle (`unknown`: the network's default); `settings` stores new ones first and they are read back (MBIM modems that agreed on MBIMEx 3.0)",
    access: 'web',
    params: { modem, settings: t.optional(nr5gRegistration) },
    result: nr5gRegistration,
  }),
  pco: method({ doc: 'The Protocol Configuration Options the network sent with the sessions up (the IE in hex; `complete` false: only the operator containers)', access: 'web', params: modemOnly, result: t.object({ pco: t.array(t.object({ sessionId: t.number({ integer: true }), complete: t.boolean(), data: t.string() })) }) }),
  emergencyNumbers: method({ doc: "The SIM's emergency numbers (EF_ECC)", access: 'web', params: modemOnly, result: t.object({ numbers: t.array(t.string()) }) }),
  reset: method({ doc: 'Resets the modem: it comes back as a new device, its bearers are restored; a running scan ends `aborted`', access: 'web', params: modemOnly, result: empty }),
  factoryReset: method({ doc: 'Restores factory settings; `code` is the carrier\'s service programming code (never logged)', access: 'local', params: { modem, code: t.string({ pattern: /^[0-9A-Za-z]{1,16}$/, what: 'a code of 1 to 16 letters or digits' }) }, result: empty }),
};

const traceEvent = t.object({
  modem: t.string(),
  protocol: t.enum(['qmi', 'mbim']),
  direction: t.enum(['tx', 'rx']),
  time: t.number(),
  service: t.string(),
  message: t.string(),
  summary: t.string(),
  hex: t.string(),
});

/** The events, by name: their fields besides `event`. */
export const EVENTS = {
  state: { doc: "A modem's state changed", fields: t.object({ modem: t.string(), state: modemState }) },
  bearer: { doc: 'A bearer changed (connecting, connected, reconnecting, disconnected, failed)', fields: t.object({ modem: t.string(), bearer }) },
  signal: { doc: 'New signal measurements', fields: t.object({ modem: t.string(), signal }) },
  registration: { doc: 'The registration changed', fields: t.object({ modem: t.string(), registration }) },
  'modem-added': { doc: 'A modem is managed from now on', fields: t.object({ modem: t.string() }) },
  'modem-removed': { doc: 'A modem is no longer managed', fields: t.object({ modem: t.string() }) },
  sms: {
    doc: 'A message was added, updated, received or deleted, or the store is full',
    fields: t.object({ modem: t.string(), kind: t.enum(['added', 'updated', 'received', 'deleted', 'full']), message: t.optional(smsMessage), id: t.optional(t.number({ integer: true })) }),
  },
  stream: { doc: 'A device service stream opened or closed (closed: `error` says why when it was not asked for)', fields: stream },
  trace: { doc: 'A control message, decoded by name (after `trace`; secrets overwritten in `hex`)', fields: traceEvent },
  radio: {
    doc: 'Radio or SIM control changed (`what`: modes, bands, slots, locks, power, numbers, thresholds, eps: the initial EPS bearer, packet: the packet service state), or scan progress (`what: "scan"` with `found` and `done`)',
    fields: t.object({ modem: t.string(), what: radioPart, found: t.optional(t.number({ integer: true })), done: t.optional(t.boolean()) }),
  },
  dropped: { doc: 'This many events or traces were dropped while the connection was not reading', fields: t.object({ count: t.number({ integer: true }) }) },
} as const;

/**
 * The error codes of answers (`error.code`, with `error.data.name`): JSON-RPC 2.0's own for what is
 * wrong with a request, ours (-32000…) for what the daemon, the modem or the network refused.
 */
export const ERRORS = {
  'parse-error': { code: -32700, doc: 'The line is not JSON' },
  'bad-request': { code: -32600, doc: 'Not a JSON-RPC 2.0 request (jsonrpc "2.0", a method, an id that is a number or a string)' },
  'no-method': { code: -32601, doc: 'No such method, or not for this caller (the dashboard calls only `web` methods)' },
  'bad-params': { code: -32602, doc: 'The params do not match the method: the message names the field and what it must be' },
  internal: { code: -32603, doc: 'The daemon failed: a bug, or an error from below it' },
  config: { code: -32000, doc: 'The request is well formed but cannot be done as asked (an APN with bad characters, no configuration file…)' },
  'not-found': { code: -32001, doc: 'No such modem, bearer or message' },
  connect: { code: -32002, doc: 'The modem or the network refused (the message says what they said)' },
  busy: { code: -32003, doc: 'The daemon serves 64 clients at most; this one was closed' },
  refused: { code: -32004, doc: 'The modem, the SIM or the network refused a radio or SIM request: `data.reason` says why (not-supported, no-such-network, network-refused, wrong-state, no-such-slot, no-such-channel, bad-apdu, aborted, failed), `data.cause` is the 3GPP cause where the network gave one' },
} as const;

/** A method's name. */
export type Method = keyof typeof METHODS;
/** A method's params, as declared. */
export type Params<M extends Method> = InferShape<(typeof METHODS)[M]['params']>;
/** A method's result, as declared. */
export type Result<M extends Method> = Infer<(typeof METHODS)[M]['result']>;
/** An event's name. */
export type EventName = keyof typeof EVENTS;
/** An event as subscribers get it. */
export type ApiEvent<E extends EventName = EventName> = { [K in E]: { event: K } & Infer<(typeof EVENTS)[K]['fields']> }[E];
/** An error code's name (`error.data.name`). */
export type ErrorName = keyof typeof ERRORS;

/** Methods the dashboard may call. */
export type WebMethod = { [M in Method]: (typeof METHODS)[M]['access'] extends 'web' ? M : never }[Method];
/** Methods front-ends in the daemon's process may call (not the streaming ones). */
export type LocalMethod = { [M in Method]: (typeof METHODS)[M]['access'] extends 'socket' ? never : M }[Method];

/** A bearer as answers and events show it. */
export type BearerView = Infer<typeof bearer>;
/** A modem as `list` shows it. */
export type ModemSummary = Infer<typeof modemSummary>;
/** A modem as `info` shows it. */
export type ModemInfo = Infer<typeof modemInfo>;
/** A device service stream as answers and events show it. */
export type StreamView = Infer<typeof stream>;
/** A link as `links` shows it. */
export type LinkView = Infer<typeof link>;
/** A short message as answers and events show it. */
export type SmsMessageView = Infer<typeof smsMessage>;
/** Signal measurements as answers and events show them. */
export type SignalView = Infer<typeof signal>;
/** A registration as answers and events show it. */
export type RegistrationView = Infer<typeof registration>;

/** Radio shapes as answers show them. */
export type ScannedNetworkView = Infer<typeof scannedNetwork>;
export type CellInfoView = Infer<typeof cellInfo>;
export type SimSlotView = Infer<typeof simSlot>;
export type RadioModesView = Infer<typeof radioModes>;
export type RadioBandsView = Infer<typeof radioBands>;

/** An error answer's body. */
export interface ErrorBody {
  code: number;
  message: string;
  /** `refused` errors: why, and the network's 3GPP cause. */
  data: { name: ErrorName; reason?: RadioRefusalName; cause?: number };
}

/** Why a `refused` error was refused (src/modem/radio-driver.ts's RadioRefusal). */
export type RadioRefusalName = 'not-supported' | 'no-such-network' | 'network-refused' | 'wrong-state' | 'no-such-slot' | 'no-such-channel' | 'bad-apdu' | 'aborted' | 'failed';

/** The error body for a declared error. */
export const errorBody = (name: ErrorName, message: string, detail: { reason?: RadioRefusalName; cause?: number } = {}): ErrorBody => ({ code: ERRORS[name].code, message, data: { name, ...detail } });

/** The name of an error answer's code (`internal` for a code this contract does not declare). */
export function errorName(code: unknown): ErrorName {
  return (Object.keys(ERRORS) as ErrorName[]).find((n) => ERRORS[n].code === code) ?? 'internal';
}

/** Whether `m` is a method of the contract. */
export const isMethod = (m: unknown): m is Method => typeof m === 'string' && Object.hasOwn(METHODS, m);
/** Whether `m` is a method the dashboard may call. */
export const isWebMethod = (m: unknown): m is WebMethod => isMethod(m) && METHODS[m].access === 'web';

/** The first problem with `params` for `method` (named by field), or undefined. */
export function checkParams(method: Method, params: unknown): string | undefined {
  return t.object(METHODS[method].params).check(params ?? {}, 'params');
}
