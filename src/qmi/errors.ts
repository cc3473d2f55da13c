/** QMI protocol errors (result TLV 0x02, second u16), named as libqmi names them. */
export const QmiProtocolError = {
  None: 0, MalformedMessage: 1, NoMemory: 2, Internal: 3, Aborted: 4, ClientIdsExhausted: 5,
  UnabortableTransaction: 6, InvalidClientId: 7, NoThresholdsProvided: 8, InvalidHandle: 9,
  InvalidProfile: 10, InvalidPinId: 11, IncorrectPin: 12, NoNetworkFound: 13, CallFailed: 14,
  OutOfCall: 15, NotProvisioned: 16, MissingArgument: 17, ArgumentTooLong: 19,
  InvalidTransactionId: 22, DeviceInUse: 23, NetworkUnsupported: 24, DeviceUnsupported: 25,
  NoEffect: 26, NoFreeProfile: 27, InvalidPdpType: 28, InvalidTechnologyPreference: 29,
  InvalidProfileType: 30, InvalidServiceType: 31, InvalidRegisterAction: 32,
  InvalidPsAttachAction: 33, AuthenticationFailed: 34, PinBlocked: 35, PinAlwaysBlocked: 36,
  UimUninitialized: 37, MaximumQosRequestsInUse: 38, IncorrectFlowFilter: 39,
  NetworkQosUnaware: 40, InvalidQosId: 41, RequestedNumberUnsupported: 42,
  InterfaceNotFound: 43, FlowSuspended: 44, InvalidDataFormat: 45, GeneralError: 46,
  UnknownError: 47, InvalidArgument: 48, InvalidIndex: 49, NoEntry: 50, DeviceStorageFull: 51,
  DeviceNotReady: 52, NetworkNotReady: 53, WmsCauseCode: 54, WmsMessageNotSent: 55,
  WmsMessageDeliveryFailure: 56, WmsInvalidMessageId: 57, WmsEncoding: 58,
  AuthenticationLock: 59, InvalidTransition: 60, NotMcastInterface: 61,
  MaximumMcastRequestsInUse: 62, InvalidMcastHandle: 63, InvalidIpFamilyPreference: 64,
  SessionInactive: 65, SessionInvalid: 66, SessionOwnership: 67, InsufficientResources: 68,
  Disabled: 69, InvalidOperation: 70, InvalidQmiCommand: 71, WmsTPduType: 72,
  WmsSmscAddress: 73, InformationUnavailable: 74, SegmentTooLong: 75, SegmentOrder: 76,
  BundlingNotSupported: 77, OperationPartialFailure: 78, PolicyMismatch: 79,
  SimFileNotFound: 80, ExtendedInternal: 81, AccessDenied: 82, HardwareRestricted: 83,
  AckNotSent: 84, InjectTimeout: 85, IncompatibleState: 90, FdnRestrict: 91,
  SupsFailureCase: 92, NoRadio: 93, NotSupported: 94, NoSubscription: 95,
  CardCallControlFailed: 96, NetworkAborted: 97, MsgBlocked: 98, InvalidSessionType: 100,
  InvalidPbType: 101, NoSim: 102, PbNotReady: 103, PinRestriction: 104, Pin2Restriction: 105,
  PukRestriction: 106, Puk2Restriction: 107, PbAccessRestricted: 108, PbDeleteInProgress: 109,
  PbTextTooLong: 110, PbNumberTooLong: 111, PbHiddenKeyRestriction: 112, PbNotAvailable: 113,
  DeviceMemoryError: 114, NoPermission: 115, TooSoon: 116, TimeNotAcquired: 117,
  OperationInProgress: 118, FwWriteFailed: 388, FwInfoReadFailed: 389, FwFileNotFound: 390,
  FwDirNotFound: 391, FwAlreadyActivated: 392, FwCannotGenericImage: 393, FwFileOpenFailed: 400,
  FwUpdateDiscontinuousFrame: 401, FwUpdateFailed: 402, CatEventRegistrationFailed: 61441,
  CatInvalidTerminalResponse: 61442, CatInvalidEnvelopeCommand: 61443,
  CatEnvelopeCommandBusy: 61444, CatEnvelopeCommandFailed: 61445,
} as const;

export type QmiProtocolErrorName = keyof typeof QmiProtocolError;

const names = new Map<number, string>(Object.entries(QmiProtocolError).map(([k, v]) => [v, k]));

export const protocolErrorName = (code: number): string => names.get(code) ?? `Unknown(${code})`;

/** A QMI request the modem answered with status failure. */
export class QmiProtocolErrorResponse extends Error {
  override readonly name = 'QmiProtocolError';
  constructor(
    readonly code: number,
    readonly request: string,
    /** The response's other TLVs (e.g. call-end reasons), decoded where declared. */
    readonly values: Record<string, unknown> = {},
  ) {
    super(`QMI protocol error (${code}): '${protocolErrorName(code)}' in response to ${request}`);
  }
  get errorName(): string {
    return protocolErrorName(this.code);
  }
}
