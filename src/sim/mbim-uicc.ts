/**
 * The SIM card as MS UICC low-level access shows it: one USIM application, a few transparent files
 * (ICCID and IMSI from the firmware model, unused GID1/GID2), and logical channels opened by AID.
 * The card is a plain UICC, not an eUICC, so selecting the ISD-R (where ModemManager reads an eSIM's
 * EID) fails as such a card fails it. Channel status fields carry SW1, as ModemManager reads them
 * (0x90 is success); file commands carry both status words.
 */
import { MbimStatus } from '../mbim/protocol.js';
import { PinType } from '../mbim/services/basic-connect.js';
import type { ModemFirmware } from './firmware.js';
import { MbimCommandFailure, type MbimDeviceEndpoint } from './mbim-endpoint.js';
import { msUiccLowLevelAccess, UiccApplication, UiccApplicationType, UiccFileAccessibility, UiccFileStructure, UiccFileType } from '../mbim/services/ms-uicc-low-level-access.js';

const SW1_OK = 0x90;
/** 6A 82: application not found. */
const SW1_NOT_FOUND = 0x6a;
/** 68 81: logical channel not supported (closing one that is not open). */
const SW1_NO_CHANNEL = 0x68;
/** ETSI TS 102 221 allows channels 1..19 beside the basic channel 0. */
const MAX_CHANNEL = 19;

/** 3GPP's USIM AID (RID A000000087, application code 1002). */
const USIM_AID = Uint8Array.from(Buffer.from('a0000000871002ff49ff0589', 'hex'));
/** PIN1 and PIN2 key references (ETSI TS 102 221 9.5.1). */
const USIM_PIN_REFERENCES = Uint8Array.of(0x01, 0x81);

/** Digits as UICC BCD: low nibble first, padded with F. */
function bcd(digits: string): Uint8Array {
  const d = digits.length % 2 ? `${digits}f` : digits;
  return Uint8Array.from({ length: d.length / 2 }, (_, i) => parseInt(d[2 * i + 1]! + d[2 * i]!, 16));
}
/** EF_IMSI (TS 31.102 4.2.2): length, then parity nibble 9 (odd, 15 digits) and the digits. */
const efImsi = (imsi: string): Uint8Array => Uint8Array.of(8, ...bcd(`9${imsi}`));

interface UiccFile {
  data: Uint8Array;
  /** Readable only once PIN1 is verified (ADF files); the ICCID is always readable. */
  needsPin: boolean;
}

const { cids } = msUiccLowLevelAccess;
const usim = {
  applicationType: UiccApplicationType.names.usim,
  applicationId: USIM_AID,
  applicationName: 'USIM',
  pinKeyReferenceCount: USIM_PIN_REFERENCES.length,
  pinKeyReferences: USIM_PIN_REFERENCES,
};
/** The application list's size in bytes, as the response lays it out. */
const APPLICATION_LIST_SIZE = UiccApplication.encode(usim).length;
const sameBytes = (a: Uint8Array, b: Uint8Array): boolean => Buffer.from(a).equals(Buffer.from(b));

export const UICC_CIDS = [cids.openChannel.id, cids.closeChannel.id, cids.applicationList.id, cids.fileStatus.id, cids.readBinary.id];

export function serveUicc(ep: MbimDeviceEndpoint, fw: ModemFirmware): void {
  const cardPresent = (): void => {
    if (fw.simState === 'absent') throw new MbimCommandFailure(MbimStatus.SimNotInserted);
  };
  /** Open channels and their channel group. */
  const channels = new Map<number, number>();
  // The identity is fixed for the firmware's life, so the files are laid out once.
  const files = new Map<string, UiccFile>([
    ['3f002fe2', { data: bcd(fw.identity.iccid), needsPin: false }],
    ['7fff6f07', { data: efImsi(fw.identity.imsi), needsPin: true }],
    ['7fff6f3e', { data: new Uint8Array(8).fill(0xff), needsPin: true }],
    ['7fff6f3f', { data: new Uint8Array(8).fill(0xff), needsPin: true }],
  ]);
  /** The file a path names, or the status words saying why not (6A82 not found, 6982 PIN needed). */
  const lookup = (applicationId: Uint8Array, filePath: Uint8Array): UiccFile | [number, number] => {
    cardPresent();
    const path = Buffer.from(filePath).toString('hex');
    const file = files.get(path);
    if (!file || (path.startsWith('7fff') && !sameBytes(applicationId, USIM_AID))) return [0x6a, 0x82];
    if (file.needsPin && fw.simState !== 'ready') return [0x69, 0x82];
    return file;
  };

  ep.query(cids.applicationList, () => {
    cardPresent();
    return {
      version: 1,
      activeApplicationIndex: 0,
      applicationListSizeBytes: APPLICATION_LIST_SIZE,
      applications: [usim],
    };
  });
  ep.query(cids.fileStatus, (v) => {
    const f = lookup(v.applicationId, v.filePath);
    const found = !Array.isArray(f);
    return {
      version: 1,
      statusWord1: found ? SW1_OK : f[0],
      statusWord2: found ? 0 : f[1],
      fileAccessibility: found ? UiccFileAccessibility.names.notShareable : 0,
      fileType: found ? UiccFileType.names.workingEf : 0,
      fileStructure: found ? UiccFileStructure.names.transparent : 0,
      fileItemCount: found ? 1 : 0,
      fileItemSize: found ? f.data.length : 0,
      accessConditionRead: found && f.needsPin ? PinType.names.pin1 : PinType.names.unknown,
      // Updating, activating and deactivating are the operator's (ADM), which MBIM has no PIN type for.
      accessConditionUpdate: PinType.names.unknown,
      accessConditionActivate: PinType.names.unknown,
      accessConditionDeactivate: PinType.names.unknown,
    };
  });
  ep.query(cids.readBinary, (v) => {
    const f = lookup(v.applicationId, v.filePath);
    if (Array.isArray(f)) return { version: 1, statusWord1: f[0], statusWord2: f[1], data: new Uint8Array(0) };
    // 6B00: offset beyond the file; 6700: more bytes asked than it holds (0 asks for the rest).
    if (v.readOffset > f.data.length) return { version: 1, statusWord1: 0x6b, statusWord2: 0, data: new Uint8Array(0) };
    const size = v.readSize === 0 ? f.data.length - v.readOffset : v.readSize;
    if (v.readOffset + size > f.data.length) return { version: 1, statusWord1: 0x67, statusWord2: 0, data: new Uint8Array(0) };
    return { version: 1, statusWord1: SW1_OK, statusWord2: 0, data: f.data.subarray(v.readOffset, v.readOffset + size) };
  });
  ep.set(cids.openChannel, (v) => {
    cardPresent();
    const free = Array.from({ length: MAX_CHANNEL }, (_, i) => i + 1).find((c) => !channels.has(c));
    if (!sameBytes(v.appId, USIM_AID) || free === undefined) return { status: SW1_NOT_FOUND, channel: 0, response: new Uint8Array(0) };
    channels.set(free, v.channelGroup);
    return { status: SW1_OK, channel: free, response: new Uint8Array(0) };
  });
  ep.set(cids.closeChannel, (v) => {
    cardPresent();
    if (channels.get(v.channel) !== v.channelGroup) return { status: SW1_NO_CHANNEL };
    channels.delete(v.channel);
    return { status: SW1_OK };
  });
}
