/** Every declared service, and look-ups by UUID and CID for decoders and printers. */
import type { CidDef, ServiceDef } from '../service.js';
import { atds } from './atds.js';
import { basicConnect, basicConnectMbimex } from './basic-connect.js';
import { dss } from './dss.js';
import { msBasicConnectExtensions } from './ms-basic-connect-extensions.js';
import { msUiccLowLevelAccess } from './ms-uicc-low-level-access.js';
import { msVoiceExtensions } from './ms-voice-extensions.js';
import { proxyControl } from './proxy-control.js';
import { qmi } from './qmi.js';
import { sms } from './sms.js';

export { atds, basicConnect, basicConnectMbimex, dss, msBasicConnectExtensions, msUiccLowLevelAccess, msVoiceExtensions, proxyControl, qmi, sms };

/** Basic Connect's MBIMEx 2.0/3.0 revisions share its UUID: look-ups by UUID find Basic Connect itself. */
export const services: readonly ServiceDef<Record<string, CidDef>>[] = [basicConnect, basicConnectMbimex, dss, msBasicConnectExtensions, msUiccLowLevelAccess, msVoiceExtensions, sms, atds, qmi, proxyControl];

/** Services we know by UUID without declaring their CIDs (PROTOCOLS.md A.3.4). */
export const knownServiceNames: Record<string, string> = {
  'e550a0c8-5e82-479e-82f7-10abf4c3351f': 'ussd',
  '4bf38476-1e6a-41db-b1d8-bed289c25bdb': 'phonebook',
  'd8f20131-fcb5-4e17-8602-d6ed3816164c': 'stk',
  '1d2b5ff7-0aa1-48b2-aa52-50f15767174e': 'auth',
  'e9f7dea2-feaf-4009-93ce-90a3694103b6': 'ms-firmware-id',
  '883b7c26-985f-43fa-9804-27d7fb80959c': 'ms-host-shutdown',
  '68223d04-9f6c-4e0f-822d-28441fb72340': 'ms-sar',
  '6427015f-579d-48f5-8c54-f43ed1e76f83': 'qdu',
  '0ed374cb-f835-4474-bc11-3b3fd76f5641': 'intel-firmware-update',
  '11223344-5566-7788-99aa-bbccddeeff11': 'quectel',
};

const byUuid = new Map(services.filter((s) => s !== basicConnectMbimex).map((s) => [s.uuid, s]));

export const findService = (uuid: string): ServiceDef<Record<string, CidDef>> | undefined => byUuid.get(uuid.toLowerCase());

export function findCid(uuid: string, id: number): CidDef | undefined {
  const s = findService(uuid);
  return s && Object.values(s.cids).find((c) => c.id === id);
}

/** Every declaration of a CID: MBIM 1.0's first, then its MBIMEx revisions. */
export const findCids = (uuid: string, id: number): CidDef[] =>
  services.filter((s) => s.uuid === uuid.toLowerCase()).flatMap((s) => Object.values(s.cids).filter((c) => c.id === id));

export const serviceName = (uuid: string): string | undefined => findService(uuid)?.name ?? knownServiceNames[uuid.toLowerCase()];
