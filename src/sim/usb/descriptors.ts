/**
 * USB descriptors (USB 2.0 chapter 9, CDC 1.2, MBIM 1.0) as the simulated modem's functions declare
 * them. Each is a fixed little-endian struct: a field list per descriptor type, packed by one routine.
 */

type Field = [name: string, size: 1 | 2 | 4];

function packer<N extends string>(type: number, fields: Field[]): (values: Record<N, number>) => Uint8Array {
  const length = 2 + fields.reduce((n, [, size]) => n + size, 0);
  return (values) => {
    const out = Buffer.alloc(length);
    out[0] = length;
    out[1] = type;
    let off = 2;
    for (const [name, size] of fields) {
      out.writeUIntLE(values[name as N], off, size);
      off += size;
    }
    return new Uint8Array(out);
  };
}

export const USB_DT_DEVICE = 1;
export const USB_DT_CONFIG = 2;
export const USB_DT_INTERFACE = 4;
export const USB_DT_ENDPOINT = 5;
const CS_INTERFACE = 0x24;

export const deviceDescriptor = packer<'bcdUSB' | 'cls' | 'subClass' | 'protocol' | 'maxPacket0' | 'vendor' | 'product' | 'bcdDevice' | 'iManufacturer' | 'iProduct' | 'iSerial' | 'configurations'>(USB_DT_DEVICE, [
  ['bcdUSB', 2], ['cls', 1], ['subClass', 1], ['protocol', 1], ['maxPacket0', 1], ['vendor', 2], ['product', 2], ['bcdDevice', 2],
  ['iManufacturer', 1], ['iProduct', 1], ['iSerial', 1], ['configurations', 1],
]);

const configHeader = packer<'totalLength' | 'interfaces' | 'value' | 'iConfiguration' | 'attributes' | 'maxPower'>(USB_DT_CONFIG, [
  ['totalLength', 2], ['interfaces', 1], ['value', 1], ['iConfiguration', 1], ['attributes', 1], ['maxPower', 1],
]);

export const interfaceDescriptor = packer<'number' | 'alt' | 'endpoints' | 'cls' | 'subClass' | 'protocol' | 'iInterface'>(USB_DT_INTERFACE, [
  ['number', 1], ['alt', 1], ['endpoints', 1], ['cls', 1], ['subClass', 1], ['protocol', 1], ['iInterface', 1],
]);

export const endpointDescriptor = packer<'address' | 'attributes' | 'maxPacket' | 'interval'>(USB_DT_ENDPOINT, [
  ['address', 1], ['attributes', 1], ['maxPacket', 2], ['interval', 1],
]);

export const EP_BULK = 2;
export const EP_INTERRUPT = 3;

/** CDC functional descriptors (CS_INTERFACE), by subtype. */
export const cdcHeader = packer<'subtype' | 'bcdCDC'>(CS_INTERFACE, [['subtype', 1], ['bcdCDC', 2]]);
export const cdcUnion = packer<'subtype' | 'control' | 'data'>(CS_INTERFACE, [['subtype', 1], ['control', 1], ['data', 1]]);
export const mbimFunctional = packer<'subtype' | 'bcdMBIM' | 'maxControlMessage' | 'filters' | 'maxFilterSize' | 'maxSegmentSize' | 'networkCapabilities'>(CS_INTERFACE, [
  ['subtype', 1], ['bcdMBIM', 2], ['maxControlMessage', 2], ['filters', 1], ['maxFilterSize', 1], ['maxSegmentSize', 2], ['networkCapabilities', 1],
]);
export const mbimExtended = packer<'subtype' | 'bcdVersion' | 'maxOutstandingCommands' | 'mtu'>(CS_INTERFACE, [
  ['subtype', 1], ['bcdVersion', 2], ['maxOutstandingCommands', 1], ['mtu', 2],
]);
export const CDC_HEADER = 0x00;
export const CDC_UNION = 0x06;
export const CDC_MBIM = 0x1b;
export const CDC_MBIM_EXTENDED = 0x1c;

/** A configuration descriptor with everything under it. */
export function configDescriptor(interfaces: number, body: Uint8Array[]): Uint8Array {
  const rest = Buffer.concat(body);
  const head = configHeader({ totalLength: 9 + rest.length, interfaces, value: 1, iConfiguration: 0, attributes: 0xc0, maxPower: 250 });
  return new Uint8Array(Buffer.concat([head, rest]));
}

/** The 8-byte SETUP packet of a control request. */
export interface SetupPacket {
  requestType: number;
  request: number;
  value: number;
  index: number;
  length: number;
}

/** The SETUP packet at the start of `b`; undefined when fewer than 8 bytes are there. */
export function decodeSetup(b: Uint8Array): SetupPacket | undefined {
  if (b.length < 8) return undefined;
  const v = Buffer.from(b.buffer, b.byteOffset, b.byteLength);
  return { requestType: v[0]!, request: v[1]!, value: v.readUInt16LE(2), index: v.readUInt16LE(4), length: v.readUInt16LE(6) };
}

/** CDC class requests (bmRequestType 0x21 host→interface, 0xa1 interface→host). */
export const CDC = {
  SEND_ENCAPSULATED_COMMAND: 0x00,
  GET_ENCAPSULATED_RESPONSE: 0x01,
  SET_CONTROL_LINE_STATE: 0x22,
  GET_NTB_PARAMETERS: 0x80,
  GET_NTB_FORMAT: 0x83,
  SET_NTB_FORMAT: 0x84,
  GET_NTB_INPUT_SIZE: 0x85,
  SET_NTB_INPUT_SIZE: 0x86,
  GET_MAX_DATAGRAM_SIZE: 0x87,
  SET_MAX_DATAGRAM_SIZE: 0x88,
} as const;

/** The RESPONSE_AVAILABLE notification on the interrupt endpoint. */
export function responseAvailable(interfaceNumber: number): Uint8Array {
  return new Uint8Array([0xa1, 0x01, 0, 0, interfaceNumber & 0xff, interfaceNumber >> 8, 0, 0]);
}
