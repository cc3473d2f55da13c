/** MBIM message types, protocol error codes and status codes (PROTOCOLS.md A.3.1), named as libmbim names them. */

export const MbimMessageType = {
  open: 0x00000001,
  close: 0x00000002,
  command: 0x00000003,
  hostError: 0x00000004,
  openDone: 0x80000001,
  closeDone: 0x80000002,
  commandDone: 0x80000003,
  functionError: 0x80000004,
  indicateStatus: 0x80000007,
} as const;
export type MbimMessageTypeName = keyof typeof MbimMessageType;

const typeNames = new Map<number, MbimMessageTypeName>(
  Object.entries(MbimMessageType).map(([k, v]) => [v, k as MbimMessageTypeName]),
);
export const messageTypeName = (v: number): MbimMessageTypeName | undefined => typeNames.get(v);

/** HOST_ERROR / FUNCTION_ERROR codes. */
export const MbimProtocolError = {
  TimeoutFragment: 1,
  FragmentOutOfSequence: 2,
  LengthMismatch: 3,
  DuplicatedTid: 4,
  NotOpened: 5,
  Unknown: 6,
  Cancel: 7,
  MaxTransfer: 8,
} as const;
export type MbimProtocolErrorName = keyof typeof MbimProtocolError;

/** COMMAND_DONE statuses, spelled as mbimcli 1.28 prints them (24 and 39+ are unnamed there). */
export const MbimStatus = {
  None: 0, Busy: 1, Failure: 2, SimNotInserted: 3, BadSim: 4, PinRequired: 5, PinDisabled: 6,
  NotRegistered: 7, ProvidersNotFound: 8, NoDeviceSupport: 9, ProviderNotVisible: 10,
  DataClassNotAvailable: 11, PacketServiceDetached: 12, MaxActivatedContexts: 13, NotInitialized: 14,
  VoiceCallInProgress: 15, ContextNotActivated: 16, ServiceNotActivated: 17, InvalidAccessString: 18,
  InvalidUserNamePwd: 19, RadioPowerOff: 20, InvalidParameters: 21, ReadFailure: 22, WriteFailure: 23,
  NoPhonebook: 25, ParameterTooLong: 26, StkBusy: 27, OperationNotAllowed: 28, MemoryFailure: 29,
  InvalidMemoryIndex: 30, MemoryFull: 31, FilterNotSupported: 32, DssInstanceLimit: 33,
  InvalidDeviceServiceOperation: 34, AuthIncorrectAuth: 35, AuthSyncFailure: 36, AuthAmfNotSet: 37,
  ContextNotSupported: 38, SmsUnknownSmscAddress: 100, SmsNetworkTimeout: 101, SmsLangNotSupported: 102,
  SmsEncodingNotSupported: 103, SmsFormatNotSupported: 104,
} as const;
export type MbimStatusName = keyof typeof MbimStatus;

const invert = (o: Record<string, number>): Map<number, string> => new Map(Object.entries(o).map(([k, v]) => [v, k]));
const statusNames = invert(MbimStatus);
const protocolErrorNames = invert(MbimProtocolError);
const hex8 = (n: number): string => `0x${(n >>> 0).toString(16).padStart(8, '0')}`;

/** The status name, or mbimcli's wording for an unknown one. */
export const statusName = (code: number): string => statusNames.get(code) ?? `Unknown status ${hex8(code)}`;
export const protocolErrorName = (code: number): string => protocolErrorNames.get(code) ?? `Unknown error ${hex8(code)}`;

export const QUERY = 0;
export const SET = 1;
export type MbimCommandType = typeof QUERY | typeof SET;

/** The fixed transfer size libmbim uses for OPEN and for splitting what it sends. */
export const DEFAULT_MAX_CONTROL_TRANSFER = 4096;
/** Longest pause libmbim allows between two fragments of one message. */
export const FRAGMENT_TIMEOUT_MS = 1250;

/** A COMMAND the modem answered with a status other than None. */
export class MbimStatusError extends Error {
  override readonly name = 'MbimStatusError';
  constructor(
    readonly status: number,
    readonly request: string,
    /** The response's information buffer: some statuses come with details. */
    readonly buffer: Uint8Array,
  ) {
    super(`${request}: ${statusName(status)}`);
  }
  get statusName(): string {
    return statusName(this.status);
  }
}

/** The modem (or we) reported a protocol error with HOST_ERROR/FUNCTION_ERROR. */
export class MbimProtocolErrorResponse extends Error {
  override readonly name = 'MbimProtocolError';
  constructor(
    readonly code: number,
    readonly context: string,
  ) {
    super(`${context}: ${protocolErrorName(code)}`);
  }
}
