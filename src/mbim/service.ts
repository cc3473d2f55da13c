/** MBIM services and their CIDs as data: which layouts a CID uses to query, set, respond and notify. */
import type { Layout, StructType } from './schema.js';

export interface CidLayouts {
  query?: Layout;
  set?: Layout;
  response?: Layout;
  notification?: Layout;
}

export interface ServiceInfo {
  /** libmbim's nick, e.g. `basic-connect`. */
  readonly name: string;
  readonly uuid: string;
}

export type CidDef<L extends CidLayouts = CidLayouts> = L & {
  readonly id: number;
  /** The MBIMEx version (major) whose layouts these are: 1 for MBIM 1.0, 2 or 3 for Microsoft's revisions of a CID. */
  readonly mbimex: number;
  /** Filled by `service()`: the key it was declared under, e.g. `deviceCaps`. */
  readonly name: string;
  readonly service: ServiceInfo;
};

type ValueOf<L> = L extends { shape: infer S extends Record<string, any> } ? StructType<S> : never;
/** The query body type of a declared MBIM command. */
export type QueryOf<C> = C extends { query: infer L } ? ValueOf<L> : never;
/** The set body type of a declared MBIM command. */
export type SetOf<C> = C extends { set: infer L } ? ValueOf<L> : never;
/** The response type of a declared message. */
export type ResponseOf<C> = C extends { response: infer L } ? ValueOf<L> : never;
export type NotificationOf<C> = C extends { notification: infer L } ? ValueOf<L> : never;

export const cid = <const L extends CidLayouts>(id: number, layouts: L, mbimex = 1): CidDef<L> => ({
  ...layouts,
  id,
  mbimex,
  name: '',
  service: { name: '', uuid: '' },
});

/** A service declared as data: its id, name and messages. */
export interface ServiceDef<C extends Record<string, CidDef<any>>> extends ServiceInfo {
  readonly cids: C;
}

/** Binds CIDs to their service, giving each its name. */
export function service<const C extends Record<string, CidDef<any>>>(name: string, uuid: string, cids: C): ServiceDef<C> {
  const info: ServiceInfo = { name, uuid };
  const bound = Object.fromEntries(Object.entries(cids).map(([k, d]) => [k, { ...d, name: k, service: info }]));
  return { name, uuid, cids: bound as C };
}
