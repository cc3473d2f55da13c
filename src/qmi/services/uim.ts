/**
 * UIM (service 0x0B): SIM cards, their applications and PINs, and file access.
 * Request TLVs are declared in descending id order, the order libqmi sends them in.
 */
import { array, bool8, bytesU16, enumOf, flagsOf, indication, message, optional, required, secret, service, stringU8, struct, u16, u32, u8 } from '../schema.js';

export const UimCardState = enumOf(u8, { absent: 0, present: 1, error: 2 });

export const UimPinState = enumOf(u8, {
  'not-initialized': 0,
  'enabled-not-verified': 1,
  'enabled-verified': 2,
  disabled: 3,
  blocked: 4,
  'permanently-blocked': 5,
});

export const UimCardError = enumOf(u8, {
  unknown: 0,
  'power-down': 1,
  poll: 2,
  'no-atr-received': 3,
  'volt-mismatch': 4,
  parity: 5,
  'possibly-removed': 6,
  technical: 7,
});

export const UimCardApplicationType = enumOf(u8, { unknown: 0, sim: 1, usim: 2, ruim: 3, csim: 4, isim: 5 });

export const UimCardApplicationState = enumOf(u8, {
  unknown: 0,
  detected: 1,
  'pin1-or-upin-pin-required': 2,
  'puk1-or-upin-puk-required': 3,
  'check-personalization-state': 4,
  'pin1-blocked': 5,
  illegal: 6,
  ready: 7,
});

export const UimCardApplicationPersonalizationState = enumOf(u8, {
  unknown: 0,
  'in-progress': 1,
  ready: 2,
  'code-required': 3,
  'puk-code-required': 4,
  'permanently-blocked': 5,
});

export const UimCardApplicationPersonalizationFeature = enumOf(u8, {
  'gw-network': 0,
  'gw-network-subset': 1,
  'gw-service-provider': 2,
  'gw-corporate': 3,
  'gw-ue': 4,
  '1x-network-type-1': 5,
  '1x-network-type-2': 6,
  '1x-hrpd': 7,
  '1x-service-provider': 8,
  '1x-corporate': 9,
  '1x-ruim': 10,
  unknown: 11,
});

export const UimDepersonalizationOperation = enumOf(u8, { deactivate: 0, unblock: 1 });

export const UimConfiguration = flagsOf(u32, { 'automatic-selection': 1 << 0, 'personalization-status': 1 << 1, 'halt-subscription': 1 << 2 });

export const UimSessionType = enumOf(u8, {
  'primary-gw-provisioning': 0,
  'primary-1x-provisioning': 1,
  'secondary-gw-provisioning': 2,
  'secondary-1x-provisioning': 3,
  'nonprovisioning-slot-1': 4,
  'nonprovisioning-slot-2': 5,
  'card-slot-1': 6,
  'card-slot-2': 7,
  'logical-channel-slot-1': 8,
  'logical-channel-slot-2': 9,
});

export const UimPinId = enumOf(u8, { unknown: 0, pin1: 1, pin2: 2, upin: 3, 'hidden-key': 4 });

export const UimPhysicalCardState = enumOf(u32, { unknown: 0, absent: 1, present: 2 });

export const UimSlotState = enumOf(u32, { inactive: 0, active: 1 });

export const UimCardProtocol = enumOf(u32, { unknown: 0, icc: 1, uicc: 2 });

export const UimFileType = enumOf(u8, { transparent: 0, cyclic: 1, 'linear-fixed': 2, 'dedicated-file': 3, 'master-file': 4 });

export const UimSecurityAttributeLogic = enumOf(u8, { always: 0, never: 1, and: 2, or: 3, single: 4 });

export const UimSecurityAttribute = flagsOf(u16, { pin1: 1 << 0, pin2: 1 << 1, upin: 1 << 2, adm: 1 << 3 });

export const UimFileControlInformation = enumOf(u8, { 'no-data': 0, fcp: 1, fci: 2, 'fci-with-interfaces': 3, fmd: 4 });

/** Where a refresh (the card's REFRESH command) stands, and what it does. */
export const UimRefreshStage = enumOf(u8, { 'wait-for-ok': 0, start: 1, 'end-with-success': 2, 'end-with-failure': 3 });
export const UimRefreshMode = enumOf(u8, { reset: 0, init: 1, 'init-fcn': 2, fcn: 3, 'init-full-fcn': 4, 'app-reset': 5, '3g-reset': 6 });

export const UimEventRegistrationFlag = flagsOf(u32, {
  'card-status': 1 << 0,
  'sap-connection': 1 << 1,
  'extended-card-status': 1 << 2,
  'physical-slot-status': 1 << 4,
});

// ---------------------------------------------------------------------------------------------
// Shared layouts

const application = struct({
  type: UimCardApplicationType,
  state: UimCardApplicationState,
  personalizationState: UimCardApplicationPersonalizationState,
  personalizationFeature: UimCardApplicationPersonalizationFeature,
  personalizationRetries: u8,
  personalizationUnblockRetries: u8,
  applicationIdentifierValue: array(u8),
  upinReplacesPin1: bool8,
  pin1State: UimPinState,
  pin1Retries: u8,
  puk1Retries: u8,
  pin2State: UimPinState,
  pin2Retries: u8,
  puk2Retries: u8,
});

const card = struct({
  cardState: UimCardState,
  upinState: UimPinState,
  upinRetries: u8,
  upukRetries: u8,
  errorCode: UimCardError,
  applications: array(application),
});

/** TLV 0x10 of Get Card Status and of the Card Status indication. */
const cardStatus = optional(
  0x10,
  struct({
    indexGwPrimary: u16,
    index1xPrimary: u16,
    indexGwSecondary: u16,
    index1xSecondary: u16,
    cards: array(card),
  }),
);

const personalizationStatus = struct({ feature: UimCardApplicationPersonalizationFeature, verifyLeft: u8, unblockLeft: u8 });
const session = required(0x01, struct({ sessionType: UimSessionType, applicationIdentifier: array(u8) }));
/** A file a refresh concerns: its id and the path to it (16-bit ids, little-endian bytes). */
const refreshFile = struct({ fileId: u16, path: array(u8) });
const cardResult = struct({ sw1: u8, sw2: u8 });
const file = required(0x02, struct({ fileId: u16, filePath: array(u8) }));
const retries = struct({ verifyRetriesLeft: u8, unblockRetriesLeft: u8 });
/** The response of every PIN operation: retries on failure, the card's status words. */
const pinResponse = {
  retriesRemaining: optional(0x10, retries),
  responseInIndicationToken: optional(0x12, u32),
  cardResult: optional(0x13, cardResult),
};

const physicalSlotStatus = optional(
  0x10,
  array(
    struct({
      physicalCardStatus: UimPhysicalCardState,
      physicalSlotStatus: UimSlotState,
      logicalSlot: u8,
      iccid: array(u8),
    }),
  ),
);
const physicalSlotInformation = optional(
  0x11,
  array(struct({ cardProtocol: UimCardProtocol, validApplications: u8, atrValue: array(u8), isEuicc: bool8 })),
);
const slotEid = optional(0x12, array(struct({ eid: array(u8) })));

export const uim = service(
  'uim',
  0x0b,
  {
    readTransparent: message(
      0x0020,
      {
        encryptData: optional(0x11, bool8),
        responseInIndicationToken: optional(0x10, u32),
        readInformation: required(0x03, struct({ offset: u16, length: u16 })),
        file: required(0x02, struct({ fileId: u16, filePath: array(u8) })),
        session,
      },
      {
        cardResult: optional(0x10, cardResult),
        readResult: optional(0x11, array(u8, 'u16')),
        responseInIndicationToken: optional(0x12, u32),
        encryptedData: optional(0x13, bool8),
      },
    ),
    readRecord: message(
      0x0021,
      {
        responseInIndicationToken: optional(0x11, u32),
        lastRecord: optional(0x10, u16),
        record: required(0x03, struct({ recordNumber: u16, recordLength: u16 })),
        file,
        session,
      },
      {
        cardResult: optional(0x10, cardResult),
        readResult: optional(0x11, array(u8, 'u16')),
        additionalReadResult: optional(0x12, array(u8, 'u16')),
        responseInIndicationToken: optional(0x13, u32),
      },
    ),
    getFileAttributes: message(
      0x0024,
      { responseInIndicationToken: optional(0x10, u32), file, session },
      {
        cardResult: optional(0x10, cardResult),
        fileAttributes: optional(
          0x11,
          struct({
            fileSize: u16,
            fileId: u16,
            fileType: UimFileType,
            recordSize: u16,
            recordCount: u16,
            readSecurityAttributesLogic: UimSecurityAttributeLogic,
            readSecurityAttributes: UimSecurityAttribute,
            writeSecurityAttributesLogic: UimSecurityAttributeLogic,
            writeSecurityAttributes: UimSecurityAttribute,
            increaseSecurityAttributesLogic: UimSecurityAttributeLogic,
            increaseSecurityAttributes: UimSecurityAttribute,
            deactivateSecurityAttributesLogic: UimSecurityAttributeLogic,
            deactivateSecurityAttributes: UimSecurityAttribute,
            activateSecurityAttributesLogic: UimSecurityAttributeLogic,
            activateSecurityAttributes: UimSecurityAttribute,
            raw: array(u8, 'u16'),
          }),
        ),
        responseInIndicationToken: optional(0x12, u32),
      },
    ),
    setPinProtection: message(
      0x0025,
      {
        responseInIndicationToken: optional(0x11, u32),
        info: secret(required(0x02, struct({ pinId: UimPinId, pinEnabled: bool8, pinValue: stringU8 }))),
        session,
      },
      pinResponse,
    ),
    verifyPin: message(
      0x0026,
      {
        responseInIndicationToken: optional(0x12, u32),
        info: secret(required(0x02, struct({ pinId: UimPinId, pinValue: stringU8 }))),
        session,
      },
      // Retries are sent on failure, e.g. IncorrectPin.
      pinResponse,
    ),
    unblockPin: message(
      0x0027,
      {
        responseInIndicationToken: optional(0x11, u32),
        info: secret(required(0x02, struct({ pinId: UimPinId, pukValue: stringU8, newPinValue: stringU8 }))),
        session,
      },
      pinResponse,
    ),
    changePin: message(
      0x0028,
      {
        responseInIndicationToken: optional(0x11, u32),
        info: secret(required(0x02, struct({ pinId: UimPinId, oldPinValue: stringU8, newPinValue: stringU8 }))),
        session,
      },
      pinResponse,
    ),
    refreshRegister: message(
      0x002a,
      {
        info: required(
          0x02,
          struct({ registerFlag: bool8, voteForInit: bool8, files: array(refreshFile, 'u16') }),
        ),
        session,
      },
      {},
    ),
    registerEvents: message(
      0x002e,
      { eventRegistrationMask: required(0x01, UimEventRegistrationFlag) },
      { eventRegistrationMask: optional(0x10, UimEventRegistrationFlag) },
    ),
    getCardStatus: message(0x002f, {}, { cardStatus }),
    powerOffSim: message(0x0030, { slot: required(0x01, u8) }, {}),
    powerOnSim: message(0x0031, { slot: required(0x01, u8) }, {}),
    /** An APDU to the card of a slot, on a logical channel (absent: the basic channel). */
    sendApdu: message(
      0x003b,
      { procedureBytes: optional(0x11, u8), channelId: optional(0x10, u8), apdu: required(0x02, array(u8, 'u16')), slot: required(0x01, u8) },
      { apduResponse: optional(0x10, array(u8, 'u16')) },
    ),
    /** Closes a logical channel (Channel ID), or opens one to an AID in older firmware. */
    logicalChannel: message(
      0x003f,
      {
        terminateApplication: optional(0x13, bool8),
        fileControlInformation: optional(0x12, UimFileControlInformation),
        channelId: optional(0x11, u8),
        aid: optional(0x10, array(u8)),
        slot: required(0x01, u8),
      },
      { channelId: optional(0x10, u8), cardResult: optional(0x11, cardResult), selectResponse: optional(0x12, array(u8)) },
    ),
    openLogicalChannel: message(
      0x0042,
      { fileControlInformation: optional(0x11, UimFileControlInformation), aid: optional(0x10, array(u8)), slot: required(0x01, u8) },
      { channelId: optional(0x10, u8), cardResult: optional(0x11, cardResult), selectResponse: optional(0x12, array(u8)) },
    ),
    refreshRegisterAll: message(0x0044, { info: required(0x02, struct({ registerFlag: bool8 })), session }, {}),
    /** The host is done re-reading the files a refresh named (after its start stage). */
    refreshComplete: message(0x002c, { info: required(0x02, struct({ refreshSuccess: bool8 })), session }, {}),
    switchSlot: message(0x0046, { physicalSlot: required(0x02, u32), logicalSlot: required(0x01, u8) }, {}),
    getSlotStatus: message(0x0047, {}, { physicalSlotStatus, physicalSlotInformation, slotEid }),
    /** Clears the service's state for this client (its event registrations). */
    reset: message(0x0000, {}, {}),
    /** Bit n of the list set: message n is supported. */
    getSupportedMessages: message(0x001e, {}, { list: optional(0x10, bytesU16) }),
    /** Turns off a personalization (SIM lock) feature with its control key, or unblocks one. */
    depersonalization: message(
      0x0029,
      {
        slot: optional(0x10, u8),
        info: secret(required(0x01, struct({ feature: UimCardApplicationPersonalizationFeature, operation: UimDepersonalizationOperation, controlKey: stringU8 }))),
      },
      { retriesRemaining: optional(0x10, struct({ verifyLeft: u8, unblockLeft: u8 })) },
    ),
    /** Activates or deactivates a provisioning session (optionally on a given slot's application). */
    changeProvisioningSession: message(
      0x0038,
      {
        applicationInformation: optional(0x10, struct({ slot: u8, applicationIdentifier: array(u8) })),
        sessionChange: required(0x01, struct({ sessionType: UimSessionType, activate: bool8 })),
      },
      {},
    ),
    /** What the mask asks for: automatic provisioning, personalization (SIM lock) status per slot, halt subscription. */
    getConfiguration: message(
      0x003a,
      { configurationMask: optional(0x10, UimConfiguration) },
      {
        automaticSelection: optional(0x10, bool8),
        personalizationStatus: optional(0x11, array(personalizationStatus)),
        haltSubscription: optional(0x12, bool8),
        /** Slots 2 and on, in order. */
        personalizationStatusOther: optional(0x13, array(struct({ slot: array(personalizationStatus) }))),
      },
    ),
  },
  {
    cardStatus: indication(0x0032, { cardStatus }),
    slotStatus: indication(0x0048, { physicalSlotStatus, physicalSlotInformation, slotEid }),
    refresh: indication(0x0033, {
      event: optional(
        0x10,
        struct({ stage: UimRefreshStage, mode: UimRefreshMode, sessionType: UimSessionType, applicationIdentifier: array(u8), files: array(refreshFile, 'u16') }),
      ),
    }),
  },
);
