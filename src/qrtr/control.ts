/**
 * QRTR control packets (the kernel's IPC router, include/uapi/linux/qrtr.h): a little-endian u32
 * command, then either a server record (service, instance, node, port) or a client record (node,
 * port), 20 bytes in all. They arrive from port QRTR_PORT_CTRL: the in-kernel name service answers
 * lookups with NEW_SERVER records (an all-zero one ends the initial list) and tells servers about
 * clients that went (DEL_CLIENT). Declared once here; the encoder and decoder read the declaration.
 */
import { DecodeError, fail, ok, type Result } from '../wire/errors.js';

export const QRTR_NODE_BCAST = 0xffffffff;
export const QRTR_PORT_CTRL = 0xfffffffe;
/** sizeof(struct qrtr_ctrl_pkt): the name service ignores shorter packets. */
export const QRTR_CTRL_PKT_SIZE = 20;

type Field = 'service' | 'instance' | 'node' | 'port';

/** Each command with the record it carries, in wire order after the command word. */
export const QRTR_CONTROL = {
  hello: { cmd: 2, fields: [] },
  bye: { cmd: 3, fields: [] },
  newServer: { cmd: 4, fields: ['service', 'instance', 'node', 'port'] },
  delServer: { cmd: 5, fields: ['service', 'instance', 'node', 'port'] },
  delClient: { cmd: 6, fields: ['node', 'port'] },
  resumeTx: { cmd: 7, fields: ['node', 'port'] },
  exit: { cmd: 8, fields: [] },
  ping: { cmd: 9, fields: [] },
  newLookup: { cmd: 10, fields: ['service', 'instance'] },
  delLookup: { cmd: 11, fields: ['service', 'instance'] },
} as const satisfies Record<string, { cmd: number; fields: readonly Field[] }>;

export type QrtrControlName = keyof typeof QRTR_CONTROL;
type FieldsOf<N extends QrtrControlName> = (typeof QRTR_CONTROL)[N]['fields'][number];

/** A decoded control packet: its name and the fields its command declares. */
export type QrtrControl = { [N in QrtrControlName]: { type: N } & { [F in FieldsOf<N>]: number } }[QrtrControlName];

const BY_CMD = new Map<number, QrtrControlName>(Object.entries(QRTR_CONTROL).map(([name, d]) => [d.cmd, name as QrtrControlName]));

export function encodeQrtrControl(packet: QrtrControl): Uint8Array {
  const def = QRTR_CONTROL[packet.type];
  const out = new Uint8Array(QRTR_CTRL_PKT_SIZE);
  const view = new DataView(out.buffer);
  view.setUint32(0, def.cmd, true);
  const values = packet as unknown as Record<Field, number>;
  def.fields.forEach((f: Field, i: number) => view.setUint32(4 + 4 * i, values[f] >>> 0, true));
  return out;
}

/** Never throws: a short packet or an unknown command is a DecodeError. */
export function decodeQrtrControl(bytes: Uint8Array): Result<QrtrControl> {
  if (bytes.length < 4) return fail(new DecodeError('truncated', 'cmd', 0, `${bytes.length} byte(s), a control packet has 4 or more`));
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const cmd = view.getUint32(0, true);
  const type = BY_CMD.get(cmd);
  if (type === undefined) return fail(new DecodeError('invalid', 'cmd', 0, `unknown QRTR control command ${cmd}`));
  const fields = QRTR_CONTROL[type].fields as readonly Field[];
  if (bytes.length < 4 + 4 * fields.length) return fail(new DecodeError('truncated', `${type}.${fields[Math.floor((bytes.length - 4) / 4)]}`, bytes.length, `${type} carries ${fields.length} u32 field(s)`));
  const out: Record<string, unknown> = { type };
  fields.forEach((f, i) => (out[f] = view.getUint32(4 + 4 * i, true)));
  return ok(out as QrtrControl);
}

/**
 * The instance a QMI service publishes: the service's major version in the low byte, the instance
 * number above it, as modems and libqrtr-glib read it.
 */
export const qmiServiceInstance = (version: number, instance = 0): number => ((version & 0xff) | ((instance & 0xffffff) << 8)) >>> 0;
export const splitQmiServiceInstance = (value: number): { version: number; instance: number } => ({ version: value & 0xff, instance: value >>> 8 });
