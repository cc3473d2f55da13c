/**
 * The active SIM card as MS UICC low-level access shows it, answered by the firmware's card model
 * (sim-card.ts): its ATR, its USIM application, its files (ICCID, IMSI, GID1/GID2, MSISDN records…),
 * logical channels opened by AID and APDUs on them. On the eUICC that includes the ISD-R, where
 * ModemManager and eSIM tools read the EID and the profiles. Channel status fields carry SW1, APDU
 * ones SW1 and SW2, as ModemManager reads them (0x90 is success); file commands carry both status words.
 */
import { MbimStatus } from '../mbim/protocol.js';
import { PinType } from '../mbim/services/basic-connect.js';
import type { ModemFirmware } from './firmware.js';
import { MbimCommandFailure, type MbimDeviceEndpoint } from './mbim-endpoint.js';
import {
  msUiccLowLevelAccess, UiccApplication, UiccApplicationType, UiccFileAccessibility, UiccFileStructure, UiccFileType, UiccPassThroughAction, UiccPassThroughStatus,
} from '../mbim/services/ms-uicc-low-level-access.js';
import { USIM_AID, type CardResult, type SimCard } from './sim-card.js';

const SW1_OK = 0x90;
/** 68 81: logical channel not supported (closing one that is not open, or in another group). */
const SW1_NO_CHANNEL = 0x68;

/** A UICC's answer to reset (ISO 7816-3): T=0 and T=1, UICC class indicators; the same for both cards. */
const ATR = Uint8Array.from(Buffer.from('3b9f96801fc78031e073fe211b63f100ad830f9000', 'hex'));

/** PIN1 and PIN2 key references (ETSI TS 102 221 9.5.1). */
const USIM_PIN_REFERENCES = Uint8Array.of(0x01, 0x81);

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
const isResult = (x: object): x is CardResult => 'sw1' in x;
/**
 * An APDU answer's status: SW1 and SW2 in card order, read as the little-endian UINT32 (90 00 is 144,
 * which ModemManager checks); the response is the data without them (ModemManager decodes the EID
 * from exactly the 21 bytes of BF3E 12 5A 10 …).
 */
const apduStatus = (sw1: number, sw2: number): number => sw1 | (sw2 << 8);

/**
 * The card's path for an MBIM file path: MF-relative file ids (3F00…), or 7FFF… for the USIM's ADF,
 * which must then be named by the USIM's AID. Undefined for a path that names nothing.
 */
function cardPath(applicationId: Uint8Array, filePath: Uint8Array): string | undefined {
  if (filePath.length === 0 || filePath.length % 2) return undefined;
  const ids = Buffer.from(filePath).toString('hex').match(/.{4}/g)!;
  if (ids[0] === '7fff') return sameBytes(applicationId, USIM_AID) ? ['3f00', ...ids].join('/') : undefined;
  return ids[0] === '3f00' ? ids.join('/') : undefined;
}

export function serveUicc(ep: MbimDeviceEndpoint, fw: ModemFirmware): void {
  const card = (): SimCard => {
    const c = fw.card;
    if (!c || !c.powered) throw new MbimCommandFailure(MbimStatus.SimNotInserted);
    return c;
  };
  /** Channels opened over MBIM, with their channel group (a close must name the same group). */
  const groups = new Map<number, number>();
  // A new card, or the same one power-cycled, has no channels open.
  const forget = (): void => groups.clear();
  fw.on('slot', forget);
  fw.on('cardPower', forget);
  fw.on('reset', forget);

  ep.query(cids.atr, () => {
    card();
    return { atr: ATR };
  });
  ep.query(cids.applicationList, () => {
    card();
    return { version: 1, activeApplicationIndex: 0, applicationListSizeBytes: APPLICATION_LIST_SIZE, applications: [usim] };
  });

  const NOT_FOUND: CardResult = { sw1: 0x6a, sw2: 0x82, data: new Uint8Array(0) };
  ep.query(cids.fileStatus, (v) => {
    const path = cardPath(v.applicationId, v.filePath);
    const a = path === undefined ? NOT_FOUND : card().fileAttributes(path);
    const found = !isResult(a);
    return {
      version: 1,
      statusWord1: found ? SW1_OK : a.sw1,
      statusWord2: found ? 0 : a.sw2,
      fileAccessibility: found ? UiccFileAccessibility.names['not-shareable'] : 0,
      fileType: found ? UiccFileType.names['working-ef'] : 0,
      fileStructure: found ? (a.structure === 'transparent' ? UiccFileStructure.names.transparent : UiccFileStructure.names.linear) : 0,
      fileItemCount: found ? Math.max(1, a.recordCount) : 0,
      fileItemSize: found ? (a.recordSize || a.size) : 0,
      accessConditionRead: found && a.readNeedsPin ? PinType.names.pin1 : PinType.names.unknown,
      // Updating, activating and deactivating are the operator's (ADM), which MBIM has no PIN type for.
      accessConditionUpdate: PinType.names.unknown,
      accessConditionActivate: PinType.names.unknown,
      accessConditionDeactivate: PinType.names.unknown,
    };
  });
  const fileAnswer = (r: CardResult) => ({ version: 1, statusWord1: r.sw1, statusWord2: r.sw2, data: r.data });
  ep.query(cids.readBinary, (v) => {
    const path = cardPath(v.applicationId, v.filePath);
    return fileAnswer(path === undefined ? NOT_FOUND : card().readBinary(path, v.readOffset, v.readSize));
  });
  ep.query(cids.readRecord, (v) => {
    const path = cardPath(v.applicationId, v.filePath);
    return fileAnswer(path === undefined ? NOT_FOUND : card().readRecord(path, v.recordNumber, 0));
  });

  // The host's terminal capability objects (ETSI TS 102 221 11.1.19), kept until the modem resets.
  let terminalCapability: { terminalCapabilityData: Uint8Array }[] = [];
  // Pass-through: after a reset the function leaves the card to the host (no own commands).
  let passThrough = false;
  fw.on('reset', () => {
    terminalCapability = [];
    passThrough = false;
  });
  ep.query(cids.terminalCapability, () => ({ terminalCapability }));
  ep.set(cids.terminalCapability, (v) => {
    card();
    terminalCapability = v.terminalCapability.map((t) => ({ terminalCapabilityData: Uint8Array.from(t.terminalCapabilityData) }));
    return { terminalCapability };
  });
  const passThroughStatus = () => ({ passThroughStatus: passThrough ? UiccPassThroughStatus.names.enabled : UiccPassThroughStatus.names.disabled });
  ep.query(cids.reset, passThroughStatus);
  ep.set(cids.reset, (v) => {
    if (v.passThroughAction !== UiccPassThroughAction.names.enable && v.passThroughAction !== UiccPassThroughAction.names.disable) throw new MbimCommandFailure(MbimStatus.InvalidParameters);
    card();
    // A cold reset of the active card: channels close, its PIN must be entered again, sessions end.
    fw.setCardPower(fw.activeSlot, false);
    fw.setCardPower(fw.activeSlot, true);
    passThrough = v.passThroughAction === UiccPassThroughAction.names.enable;
    return passThroughStatus();
  });

  ep.set(cids.openChannel, (v) => {
    const r = card().openChannel(v.appId);
    if (isResult(r)) return { status: r.sw1, channel: 0, response: new Uint8Array(0) };
    groups.set(r.channel, v.channelGroup);
    return { status: r.select.sw1, channel: r.channel, response: Uint8Array.from([...r.select.data, r.select.sw1, r.select.sw2]) };
  });
  ep.set(cids.closeChannel, (v) => {
    const c = card();
    if (groups.get(v.channel) !== v.channelGroup) return { status: SW1_NO_CHANNEL };
    groups.delete(v.channel);
    return { status: c.closeChannel(v.channel).sw1 };
  });
  ep.set(cids.apdu, (v) => {
    const c = card();
    if (v.channel !== 0 && !groups.has(v.channel)) return { status: apduStatus(SW1_NO_CHANNEL, 0x81), response: new Uint8Array(0) };
    if (v.command.length === 0) throw new MbimCommandFailure(MbimStatus.InvalidParameters);
    // The function puts the channel in the class byte (ISO 7816-4 5.4.1): the host's class keeps its type.
    const apdu = Uint8Array.from(v.command);
    const ch = v.channel;
    apdu[0] = ch < 4 ? (apdu[0]! & 0xbc) | ch : (apdu[0]! & 0xa0) | 0x40 | (ch - 4);
    const out = c.transmit(apdu);
    return { status: apduStatus(out[out.length - 2]!, out[out.length - 1]!), response: out.subarray(0, out.length - 2) };
  });
}
