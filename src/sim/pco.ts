/**
 * Protocol Configuration Options as the network sends them with a PDN's activation (3GPP TS 24.008
 * 10.5.6.3): the PCO IE (IEI 0x27, length, 0x80 = PPP configuration protocol) and its containers.
 * Operators put their own ids (FF00H-FFFFH) in it: the simulated network sends one carrying its PLMN
 * and an action value of 0 (none), as US carriers do, beside the DNS servers.
 */
import type { Operator, Session } from './firmware.js';

export interface PcoContainer {
  id: number;
  contents: Uint8Array;
}

const PCO_IEI = 0x27;
/** Operator-specific container ids start here. */
export const OPERATOR_CONTAINER_FIRST = 0xff00;

/** The IE's bytes; contents longer than a container's one-byte length are cut. */
export function encodePcoIe(containers: readonly PcoContainer[]): Uint8Array {
  const body = [0x80];
  for (const c of containers) {
    const contents = c.contents.subarray(0, 255);
    body.push(c.id >> 8, c.id & 0xff, contents.length, ...contents);
  }
  return Uint8Array.from([PCO_IEI, Math.min(body.length, 255), ...body.slice(0, 255)]);
}

/** A PLMN as TS 24.008 packs it: MCC digits 2|1, MNC digit 3 (F for two digits)|MCC digit 3, MNC digits 2|1. */
export function plmnOctets(mcc: string, mnc: string): Uint8Array {
  const d = (s: string, i: number): number => (i < s.length ? Number(s[i]) : 0xf);
  return Uint8Array.from([(d(mcc, 1) << 4) | d(mcc, 0), ((mnc.length === 3 ? d(mnc, 2) : 0xf) << 4) | d(mcc, 2), (d(mnc, 1) << 4) | d(mnc, 0)]);
}

/** What the network sends with a session: its IPv4 DNS servers (container 000DH) and the operator's own container. */
export function networkPco(operator: Operator, session: Session): PcoContainer[] {
  const dns = (session.ipv4?.dns ?? []).map((a) => ({ id: 0x000d, contents: Uint8Array.from(a.split('.').map(Number)) }));
  return [...dns, { id: OPERATOR_CONTAINER_FIRST, contents: Uint8Array.from([...plmnOctets(operator.mcc, operator.mnc), 0]) }];
}

/** The operator-specific containers alone: what a modem passes to the host as a partial PCO. */
export const operatorPco = (containers: readonly PcoContainer[]): Uint8Array => encodePcoIe(containers.filter((c) => c.id >= OPERATOR_CONTAINER_FIRST));
