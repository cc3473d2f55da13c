/**
 * MBIM: the message codec (fragments, reassembly), the services declared as data, a client for an MBIM
 * control port, and a decoder for people.
 *
 * @packageDocumentation
 */
export { MbimDevice, MbimTimeoutError, MbimClosedError, MbimResponseError, type MbimDeviceOptions } from './client.js';
export { encodeMessage, decodeMessage, encodeFragments, type MbimMessage } from './message.js';
export { describeMbim, type MbimDescription } from './describe.js';
export { redactMbim } from './redact.js';
export type { ServiceDef, QueryOf, SetOf, ResponseOf } from './service.js';
