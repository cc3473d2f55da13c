/** Context-type UUIDs (PROTOCOLS.md A.3.4), by libmbim nick. */
import { uuid, type Field } from './schema.js';

export const ContextType = {
  none: 'b43f758c-a560-4b46-b35e-c5869641fb54',
  internet: '7e5e2a7e-4e6f-7272-736b-656e7e5e2a7e',
  vpn: '9b9f7bbe-8952-44b7-83ac-ca41318df7a0',
  voice: '88918294-0ef4-4396-8cca-a8588fbc02b2',
  'video-share': '05a2a716-7c34-4b4d-9a91-c5ef0c7aaacc',
  purchase: 'b3272496-ac6c-422b-a8c0-acf687a27217',
  ims: '21610d01-3074-4bce-9425-b53a07d697d6',
  mms: '46726664-7269-6bc6-9624-d1d35389aca9',
  local: 'a57a9afc-b09f-45d7-bb40-033c39f60db9',
  admin: '5f7e4c2e-e80b-40a9-a239-f0abcfd11f4b',
  app: '74d88a3d-dfbd-4799-9a8c-7310a37bb2ee',
  xcap: '50d378a7-baa5-4a50-b872-3fe5bb463411',
  tethering: '5e4e0601-48dc-4e2b-acb8-08b4016bbaac',
  'emergency-calling': '5f41adb8-204e-4d31-9da8-b3c970e360f2',
} as const;
export type ContextTypeName = keyof typeof ContextType;

const byUuid = new Map<string, string>(Object.entries(ContextType).map(([k, v]) => [v, k]));
export const contextTypeName = (u: string): string | undefined => byUuid.get(u.toLowerCase());

/** A context-type UUID field: shown by name where known. */
export const contextType: Field<string> = { ...uuid, wire: 'uuid(context-type)', show: (v) => contextTypeName(v) ?? v };
