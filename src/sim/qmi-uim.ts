/**
 * QMI UIM in front of the simulated SIM slots: card and slot status, PIN operations per slot, file
 * reads and attributes, slot switching, card power, logical channels and APDUs, and the card and
 * slot status indications when any of it changes.
 */
import { QmiProtocolError, QmiProtocolErrorResponse } from '../qmi/errors.js';
import { QMI_CID_BROADCAST } from '../qmi/qmux.js';
import { uim, UimCardApplicationPersonalizationFeature, UimCardProtocol, UimConfiguration, UimDepersonalizationOperation, UimEventRegistrationFlag, UimFileType, UimPhysicalCardState, UimPinId, UimPinState, UimSecurityAttribute, UimSecurityAttributeLogic, UimSessionType, UimSlotState } from '../qmi/services/uim.js';
import type { ModemFirmware } from './firmware.js';
import type { QmiDeviceEndpoint } from './qmi-endpoint.js';
import type { DepersonalizationOutcome, PersonalizationFeature } from './personalization.js';
import { supportedMessages } from './qmi-supported.js';
import { serveQmiUimRefresh } from './qmi-uim-refresh.js';
import { swappedBcd, USIM_AID, type CardResult, type LockOutcome, type LockResult, type SimCard, type SimLockId, type SimLockState } from './sim-card.js';
import { sameBytes } from '../wire/bytes.js';

const fail = (code: number, values: Record<string, unknown> = {}): QmiProtocolErrorResponse => new QmiProtocolErrorResponse(code, 'simulated', values);

/** A lock's state as UIM (and DMS, whose values are the same) report it. */
export const PIN_STATE: Record<SimLockState, number> = {
  disabled: UimPinState.names.disabled,
  'enabled-not-verified': UimPinState.names['enabled-not-verified'],
  'enabled-verified': UimPinState.names['enabled-verified'],
  blocked: UimPinState.names.blocked,
  'permanently-blocked': UimPinState.names['permanently-blocked'],
};

/** How a modem reports each PIN outcome (UIM and DMS alike); the retries go with every failure. */
export const PIN_ERROR: Record<Exclude<LockOutcome, 'ok'>, number> = {
  incorrect: QmiProtocolError.IncorrectPin,
  blocked: QmiProtocolError.PinBlocked,
  'permanently-blocked': QmiProtocolError.PinAlwaysBlocked,
  'not-blocked': QmiProtocolError.NoEffect,
  'no-effect': QmiProtocolError.NoEffect,
  disabled: QmiProtocolError.IncompatibleState,
  'bad-code': QmiProtocolError.InvalidArgument,
};

/** How a modem reports each depersonalization outcome (with the retries left where the feature exists). */
export const DEPERSONALIZATION_ERROR: Record<Exclude<DepersonalizationOutcome, 'ok'>, number> = {
  'not-active': QmiProtocolError.NoEffect,
  'not-blocked': QmiProtocolError.NoEffect,
  incorrect: QmiProtocolError.IncorrectPin,
  blocked: QmiProtocolError.PinBlocked,
  'permanently-blocked': QmiProtocolError.PinAlwaysBlocked,
};


/** The USIM's AID as QMI lists it in card status (with the operator's bytes of this card). */
const USIM_AID_LISTED = [0xa0, 0x00, 0x00, 0x00, 0x87, 0x10, 0x02, 0xff, 0xff, 0xff, 0xff, 0x89, 0x06, 0x19, 0x00, 0x00];
/** A UICC's answer to reset (T=0 and T=1, as common cards give). */
const ATR = [0x3b, 0x9f, 0x96, 0x80, 0x1f, 0xc7, 0x80, 0x31, 0xe0, 0x73, 0xfe, 0x21, 0x1b, 0x63, 0x3a, 0x20, 0x4e, 0x83, 0x00, 0x90, 0x00, 0x31];

/** A QMI file path (16-bit ids, little-endian) and file id as the card model names files: `3f00/7fff/6f07`. */
export function filePathOf(fileId: number, path: readonly number[]): string {
  const parts: string[] = [];
  for (let i = 0; i + 1 < path.length; i += 2) parts.push(((path[i + 1]! << 8) | path[i]!).toString(16).padStart(4, '0'));
  return [...parts, fileId.toString(16).padStart(4, '0')].join('/');
}

export function serveQmiUim(ep: QmiDeviceEndpoint, fw: ModemFirmware): void {
  const u = uim.messages;
  /** Clients that registered for slot status indications. */
  const slotWatchers = new Set<number>();
  /** The primary GW provisioning session: active on the USIM of the active slot until a host deactivates it. */
  let gwSessionActive = true;

  /** The slot a session addresses: card and logical-channel sessions name theirs, others mean the active one. */
  const slotOf = (sessionType: number): number => {
    const t = UimSessionType.names;
    if (sessionType === t['card-slot-2'] || sessionType === t['nonprovisioning-slot-2'] || sessionType === t['logical-channel-slot-2']) return 2;
    // Logical slot 1 (and the provisioning sessions) is whichever physical slot Switch Slot made active, as on modems.
    return fw.activeSlot;
  };
  /** The powered card in a slot, or the error a modem gives without one. */
  const cardIn = (slot: number): SimCard => {
    if (slot < 1 || slot > fw.slots.length) throw fail(QmiProtocolError.InvalidArgument);
    const card = fw.slots[slot - 1];
    if (!card || !card.powered) throw fail(QmiProtocolError.UimUninitialized);
    return card;
  };

  const cardStatus = () => {
    const card = fw.card;
    if (!card || !card.powered) {
      // Error 3 (no ATR received) for an empty slot, 1 (power down) for a card switched off.
      const errorCode = card ? 1 : 3;
      return { cardStatus: { indexGwPrimary: 0xffff, index1xPrimary: 0xffff, indexGwSecondary: 0xffff, index1xSecondary: 0xffff, cards: [{ cardState: card ? 2 : 0, upinState: 0, upinRetries: 0, upukRetries: 0, errorCode, applications: [] }] } };
    }
    const sim = fw.simState;
    const appState = sim === 'ready' ? 7 : sim === 'pin-required' ? 2 : sim === 'puk-required' ? 3 : 5;
    return {
      cardStatus: {
        indexGwPrimary: gwSessionActive ? 0 : 0xffff, index1xPrimary: 0xffff, indexGwSecondary: 0xffff, index1xSecondary: 0xffff,
        cards: [{
          cardState: 1, upinState: 0, upinRetries: 0, upukRetries: 0, errorCode: 0,
          applications: [{
            type: 2, state: appState, personalizationState: 2, personalizationFeature: 0, personalizationRetries: 0, personalizationUnblockRetries: 0,
            applicationIdentifierValue: USIM_AID_LISTED,
            upinReplacesPin1: false,
            pin1State: PIN_STATE[card.pin1.state], pin1Retries: card.pin1.retries, puk1Retries: card.pin1.unblockRetries,
            pin2State: PIN_STATE[card.pin2.state], pin2Retries: card.pin2.retries, puk2Retries: card.pin2.unblockRetries,
          }],
        }],
      },
    };
  };
  ep.handle(u.getCardStatus, cardStatus);

  /** Runs a PIN operation on the session's card; failures carry the retries left, as modems send them. */
  const pinOperation = (pinId: number, sessionType: number, op: Parameters<ModemFirmware['simLock']>[1]) => {
    const lock: SimLockId | undefined = pinId === UimPinId.names.pin1 ? 'pin1' : pinId === UimPinId.names.pin2 ? 'pin2' : undefined;
    if (!lock) throw fail(QmiProtocolError.InvalidPinId);
    const slot = slotOf(sessionType);
    cardIn(slot);
    const r = fw.simLock(lock, op, slot) as LockResult;
    const retriesRemaining = { verifyRetriesLeft: r.retries, unblockRetriesLeft: r.unblockRetries };
    if (r.outcome !== 'ok') throw fail(PIN_ERROR[r.outcome], { retriesRemaining });
    return { retriesRemaining };
  };
  ep.handle(u.verifyPin, (v) => pinOperation(v.info.pinId, v.session.sessionType, { verify: v.info.pinValue }));
  ep.handle(u.unblockPin, (v) => pinOperation(v.info.pinId, v.session.sessionType, { unblock: v.info.pukValue, newCode: v.info.newPinValue }));
  ep.handle(u.changePin, (v) => {
    pinOperation(v.info.pinId, v.session.sessionType, { change: v.info.oldPinValue, newCode: v.info.newPinValue });
    return {};
  });
  ep.handle(u.setPinProtection, (v) => {
    pinOperation(v.info.pinId, v.session.sessionType, { enable: v.info.pinEnabled, code: v.info.pinValue });
    return {};
  });

  /** A file command's status words: 90 00 succeeds; a missing file, a PIN-protected one and bad offsets fail as modems fail them. */
  const fileResult = (r: CardResult): { sw1: number; sw2: number } => {
    const cardResult = { sw1: r.sw1, sw2: r.sw2 };
    if (r.sw1 === 0x90) return cardResult;
    const code = r.sw1 === 0x6a && r.sw2 === 0x82 ? QmiProtocolError.SimFileNotFound : r.sw1 === 0x69 && r.sw2 === 0x82 ? QmiProtocolError.AccessDenied : QmiProtocolError.InvalidArgument;
    throw fail(code, { cardResult });
  };
  ep.handle(u.readTransparent, (v) => {
    const card = cardIn(slotOf(v.session.sessionType));
    const r = card.readBinary(filePathOf(v.file.fileId, v.file.filePath), v.readInformation.offset, v.readInformation.length);
    return { cardResult: fileResult(r), readResult: [...r.data] };
  });
  ep.handle(u.readRecord, (v) => {
    const card = cardIn(slotOf(v.session.sessionType));
    const r = card.readRecord(filePathOf(v.file.fileId, v.file.filePath), v.record.recordNumber, v.record.recordLength);
    return { cardResult: fileResult(r), readResult: [...r.data] };
  });
  ep.handle(u.getFileAttributes, (v) => {
    const card = cardIn(slotOf(v.session.sessionType));
    const a = card.fileAttributes(filePathOf(v.file.fileId, v.file.filePath));
    if ('sw1' in a) throw fail(a.sw1 === 0x6a ? QmiProtocolError.SimFileNotFound : QmiProtocolError.AccessDenied, { cardResult: { sw1: a.sw1, sw2: a.sw2 } });
    const L = UimSecurityAttributeLogic.names;
    // Reading takes PIN1 where the file says so; updating is the operator's (ADM); the rest is never allowed.
    const read = a.readNeedsPin ? { logic: L.single, attrs: UimSecurityAttribute.names.pin1 } : { logic: L.always, attrs: 0 };
    const adm = { logic: L.single, attrs: UimSecurityAttribute.names.adm };
    return {
      cardResult: { sw1: 0x90, sw2: 0x00 },
      fileAttributes: {
        fileSize: a.size,
        fileId: v.file.fileId,
        fileType: a.structure === 'transparent' ? UimFileType.names.transparent : UimFileType.names['linear-fixed'],
        recordSize: a.recordSize,
        recordCount: a.recordCount,
        readSecurityAttributesLogic: read.logic, readSecurityAttributes: read.attrs,
        writeSecurityAttributesLogic: adm.logic, writeSecurityAttributes: adm.attrs,
        increaseSecurityAttributesLogic: L.never, increaseSecurityAttributes: 0,
        deactivateSecurityAttributesLogic: adm.logic, deactivateSecurityAttributes: adm.attrs,
        activateSecurityAttributesLogic: adm.logic, activateSecurityAttributes: adm.attrs,
        // The FCP template the card gave (TS 102 221 11.1.1.3): file descriptor, id and size.
        raw: [0x62, 0x0c, 0x82, 0x02, a.recordSize ? 0x42 : 0x41, 0x21, 0x83, 0x02, v.file.fileId >> 8, v.file.fileId & 0xff, 0x80, 0x02, a.size >> 8, a.size & 0xff],
      },
    };
  });

  const slotStatus = () => ({
    physicalSlotStatus: fw.slots.map((card, i) => ({
      physicalCardStatus: card ? UimPhysicalCardState.names.present : UimPhysicalCardState.names.absent,
      physicalSlotStatus: i + 1 === fw.activeSlot ? UimSlotState.names.active : UimSlotState.names.inactive,
      logicalSlot: i + 1 === fw.activeSlot ? 1 : 0,
      iccid: card ? [...swappedBcd(card.iccid)] : [],
    })),
    physicalSlotInformation: fw.slots.map((card) => ({
      cardProtocol: card ? UimCardProtocol.names.uicc : UimCardProtocol.names.unknown,
      validApplications: card ? 1 : 0,
      atrValue: card ? ATR : [],
      isEuicc: card?.kind === 'euicc',
    })),
    slotEid: fw.slots.map((card) => ({ eid: card?.eid ? [...Buffer.from(card.eid, 'hex')] : [] })),
  });
  ep.handle(u.getSlotStatus, slotStatus);
  ep.handle(u.switchSlot, (v) => {
    if (v.logicalSlot !== 1 || v.physicalSlot < 1 || v.physicalSlot > fw.slots.length) throw fail(QmiProtocolError.InvalidArgument);
    if (v.physicalSlot === fw.activeSlot) throw fail(QmiProtocolError.NoEffect);
    // As firmware does: the answer first, then the switch and its slot status indication. A host that
    // reprobes on the indication (ModemManager) drops its UIM client and would never see the answer.
    setImmediate(() => fw.switchSlot(v.physicalSlot));
    return {};
  });
  const power = (slot: number, on: boolean): Record<string, never> => {
    if (slot < 1 || slot > fw.slots.length) throw fail(QmiProtocolError.InvalidArgument);
    if (!fw.slots[slot - 1]) throw fail(QmiProtocolError.NoSim);
    fw.setCardPower(slot, on);
    return {};
  };
  ep.handle(u.powerOnSim, (v) => power(v.slot, true));
  ep.handle(u.powerOffSim, (v) => power(v.slot, false));

  // Logical channels and APDUs (what eSIM tools such as lpac use): the channel is the card's.
  const openChannel = (slot: number, aid: readonly number[] | undefined) => {
    const card = cardIn(slot);
    const r = card.openChannel(Uint8Array.from(aid ?? USIM_AID));
    if (!('channel' in r)) throw fail(QmiProtocolError.InvalidArgument, { cardResult: { sw1: r.sw1, sw2: r.sw2 } });
    return { channelId: r.channel, cardResult: { sw1: r.select.sw1, sw2: r.select.sw2 }, selectResponse: [...r.select.data] };
  };
  ep.handle(u.openLogicalChannel, (v) => openChannel(v.slot, v.aid));
  ep.handle(u.logicalChannel, (v) => {
    if (v.channelId === undefined) return openChannel(v.slot, v.aid);
    const r = cardIn(v.slot).closeChannel(v.channelId);
    if (r.sw1 !== 0x90) throw fail(QmiProtocolError.InvalidArgument, { cardResult: { sw1: r.sw1, sw2: r.sw2 } });
    return {};
  });
  ep.handle(u.sendApdu, (v) => {
    const card = cardIn(v.slot);
    // The channel goes in the class byte; the TLV, where given, must agree with an open channel.
    if (v.channelId !== undefined && v.channelId !== 0 && !card.openChannels.includes(v.channelId)) throw fail(QmiProtocolError.InvalidArgument);
    if (v.apdu.length === 0) throw fail(QmiProtocolError.MissingArgument);
    return { apduResponse: [...card.transmit(Uint8Array.from(v.apdu))] };
  });

  const EVENTS = UimEventRegistrationFlag.names['card-status'] | UimEventRegistrationFlag.names['physical-slot-status'];
  ep.handle(u.registerEvents, (v, ctx) => {
    if (v.eventRegistrationMask & UimEventRegistrationFlag.names['physical-slot-status']) slotWatchers.add(ctx.clientId);
    else slotWatchers.delete(ctx.clientId);
    return { eventRegistrationMask: v.eventRegistrationMask & EVENTS };
  });
  ep.handle(u.reset, (_v, ctx) => {
    slotWatchers.delete(ctx.clientId);
    return {};
  });
  ep.handle(u.getSupportedMessages, () => ({ list: supportedMessages(uim) }));

  // The primary GW session only (the modem has no 1x and no second subscription); an application
  // named must be the USIM of a card present in that slot.
  ep.handle(u.changeProvisioningSession, (v) => {
    if (v.sessionChange.sessionType !== UimSessionType.names['primary-gw-provisioning']) throw fail(QmiProtocolError.InvalidSessionType);
    const app = v.applicationInformation;
    if (v.sessionChange.activate && app) {
      cardIn(app.slot);
      if (app.slot !== fw.activeSlot || !sameBytes(app.applicationIdentifier, USIM_AID_LISTED)) throw fail(QmiProtocolError.InvalidArgument);
    }
    if (v.sessionChange.activate === gwSessionActive) throw fail(QmiProtocolError.NoEffect);
    gwSessionActive = v.sessionChange.activate;
    broadcastCardStatus();
    return {};
  });

  // SIM lock status: the modem's personalization applies to slot 1; the other slots have none.
  ep.handle(u.getConfiguration, (v) => {
    const C = UimConfiguration.names;
    const mask = v.configurationMask ?? C['automatic-selection'] | C['personalization-status'] | C['halt-subscription'];
    const features = fw.personalization.status().map((f) => ({ ...f, feature: UimCardApplicationPersonalizationFeature.names[f.feature] }));
    return {
      ...(mask & C['automatic-selection'] ? { automaticSelection: true } : {}),
      ...(mask & C['personalization-status'] ? { personalizationStatus: features, personalizationStatusOther: fw.slots.slice(1).map(() => ({ slot: [] })) } : {}),
      ...(mask & C['halt-subscription'] ? { haltSubscription: false } : {}),
    };
  });
  ep.handle(u.depersonalization, (v) => {
    if (v.slot !== undefined && v.slot !== 1) throw fail(v.slot > fw.slots.length ? QmiProtocolError.InvalidArgument : QmiProtocolError.NoEffect);
    const feature = Object.entries(UimCardApplicationPersonalizationFeature.names).find(([, n]) => n === v.info.feature)?.[0] as PersonalizationFeature | undefined;
    if (!feature) throw fail(QmiProtocolError.InvalidArgument);
    const r = fw.personalization.depersonalize(feature, v.info.operation === UimDepersonalizationOperation.names.unblock ? 'unblock' : 'deactivate', v.info.controlKey);
    const retriesRemaining = r.status ? { verifyLeft: r.status.verifyLeft, unblockLeft: r.status.unblockLeft } : undefined;
    if (r.outcome !== 'ok') throw fail(DEPERSONALIZATION_ERROR[r.outcome], retriesRemaining ? { retriesRemaining } : {});
    return {};
  });

  serveQmiUimRefresh(ep, fw);

  ep.onRelease((service, cid) => {
    if (service === uim.id) slotWatchers.delete(cid);
  });
  fw.on('reset', () => {
    slotWatchers.clear();
    gwSessionActive = true;
  });

  // One indication per change, though a PIN operation reports both its lock and the SIM's state.
  let cardStatusPending = false;
  const broadcastCardStatus = (): void => {
    if (cardStatusPending) return;
    cardStatusPending = true;
    queueMicrotask(() => {
      cardStatusPending = false;
      if (ep.clientsOf(uim.id).length > 0) ep.indicate(uim.indications.cardStatus, QMI_CID_BROADCAST, cardStatus());
    });
  };
  fw.on('sim', broadcastCardStatus);
  // Retries change without the SIM's state changing (a wrong PIN2, say): hosts watch card status for them.
  fw.on('simLocks', broadcastCardStatus);
  const slotChanged = (): void => {
    for (const cid of slotWatchers) if (ep.clientsOf(uim.id).includes(cid)) ep.indicate(uim.indications.slotStatus, cid, slotStatus());
  };
  fw.on('slot', slotChanged);
  fw.on('cardPower', slotChanged);
}
