/**
 * Microsoft's UICC low-level access: the card's applications, its files and logical channels (how
 * ModemManager reads GID1/GID2 and looks for an eSIM's EID). Layouts as libmbim 1.28 declares them;
 * byte arrays of the channel commands put their size before their offset.
 */
import { cid, service } from '../service.js';
import { EMPTY, bytes, count, enumOf, refBytes, refStructArray, string, struct, u32, uiccRefBytes, utf8String } from '../schema.js';

export const UiccApplicationType = enumOf({ unknown: 0, mf: 1, 'mf-sim': 2, 'mf-ruim': 3, usim: 4, csim: 5, isim: 6 });
export const UiccApplication = struct({
  applicationType: UiccApplicationType,
  applicationId: refBytes,
  applicationName: utf8String,
  pinKeyReferenceCount: u32,
  pinKeyReferences: refBytes,
});

export const UiccSecureMessaging = enumOf({ none: 0, 'no-hdr-auth': 1 });
export const UiccClassByteType = enumOf({ 'inter-industry': 0, extended: 1 });
export const UiccPassThroughAction = enumOf({ disable: 0, enable: 1 });
export const UiccPassThroughStatus = enumOf({ disabled: 0, enabled: 1 });
export const TerminalCapabilities = struct({
  terminalCapabilityCount: count,
  terminalCapability: refStructArray('terminalCapabilityCount', struct({ terminalCapabilityData: bytes() })),
});

export const UiccFileAccessibility = enumOf({ unknown: 0, 'not-shareable': 1, shareable: 2 });
export const UiccFileType = enumOf({ unknown: 0, 'working-ef': 1, 'internal-ef': 2, 'df-or-adf': 3 });
export const UiccFileStructure = enumOf({ unknown: 0, transparent: 1, cyclic: 2, linear: 3, 'ber-tlv': 4 });
/** A file by application and path (MF-relative, or 7FFF for the application's ADF). */
const UiccFilePath = { version: u32, applicationId: refBytes, filePath: refBytes };

export const msUiccLowLevelAccess = service('ms-uicc-low-level-access', 'c2f6588e-f037-4bc9-8665-f4d44bd09367', {
  atr: cid(1, { query: EMPTY, response: struct({ atr: uiccRefBytes }) }),
  openChannel: cid(2, {
    set: struct({ appId: uiccRefBytes, selectP2Arg: u32, channelGroup: u32 }),
    response: struct({ status: u32, channel: u32, response: uiccRefBytes }),
  }),
  closeChannel: cid(3, { set: struct({ channel: u32, channelGroup: u32 }), response: struct({ status: u32 }) }),
  apdu: cid(4, {
    set: struct({ channel: u32, secureMessaging: UiccSecureMessaging, classByteType: UiccClassByteType, command: uiccRefBytes }),
    response: struct({ status: u32, response: uiccRefBytes }),
  }),
  terminalCapability: cid(5, { query: EMPTY, set: TerminalCapabilities, response: TerminalCapabilities }),
  reset: cid(6, { query: EMPTY, set: struct({ passThroughAction: UiccPassThroughAction }), response: struct({ passThroughStatus: UiccPassThroughStatus }) }),
  fileStatus: cid(8, {
    query: struct(UiccFilePath),
    response: struct({
      version: u32,
      statusWord1: u32,
      statusWord2: u32,
      fileAccessibility: UiccFileAccessibility,
      fileType: UiccFileType,
      fileStructure: UiccFileStructure,
      fileItemCount: u32,
      fileItemSize: u32,
      // PIN types (MBIM_PIN_TYPE) guarding each operation.
      accessConditionRead: u32,
      accessConditionUpdate: u32,
      accessConditionActivate: u32,
      accessConditionDeactivate: u32,
    }),
  }),
  readBinary: cid(9, {
    query: struct({ ...UiccFilePath, readOffset: u32, readSize: u32, localPin: string, data: refBytes }),
    response: struct({ version: u32, statusWord1: u32, statusWord2: u32, data: refBytes }),
  }),
  applicationList: cid(7, {
    query: EMPTY,
    response: struct({
      version: u32,
      applicationCount: count,
      activeApplicationIndex: u32,
      applicationListSizeBytes: u32,
      applications: refStructArray('applicationCount', UiccApplication),
    }),
  }),
  readRecord: cid(10, {
    query: struct({ ...UiccFilePath, recordNumber: u32, localPin: string, data: refBytes }),
    response: struct({ version: u32, statusWord1: u32, statusWord2: u32, data: refBytes }),
  }),
});
