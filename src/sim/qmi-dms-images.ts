/**
 * The modem's firmware image store, as Qualcomm modems with carrier switching keep it: modem images
 * (the firmware) and PRI images (carrier configurations) in slots, one of each running, and the
 * preference of the pair to boot next. Selecting a pair sets the preference; a pair not stored is what
 * the modem will wait for in download mode; a reset boots the preferred pair when both are stored.
 * One store per modem: DMS serves it here, and PDC (qmi-pdc.ts) shows the same PRI images as the
 * software carrier configurations (a PRI may be running or, once PDC deactivates it, none).
 */
import { QmiProtocolError, QmiProtocolErrorResponse } from '../qmi/errors.js';
import { dms, DmsFirmwareImageType } from '../qmi/services/dms.js';
import type { ModemFirmware } from './firmware.js';
import type { QmiDeviceEndpoint } from './qmi-endpoint.js';
import { sameBytes } from '../wire/bytes.js';

const fail = (code: number): QmiProtocolErrorResponse => new QmiProtocolErrorResponse(code, 'simulated', {});

const T = DmsFirmwareImageType.names;

export interface StoredImage {
  uniqueId: number[];
  buildId: string;
  /** The flash slot (modem images; 255 where the modem does not say). */
  storageIndex: number;
  failureCount: number;
  bootVersion?: { majorVersion: number; minorVersion: number };
  priVersion?: { priVersion: number; priInfo: string };
  /** A PRI image as PDC describes the carrier configuration in it (its version is the PRI version). */
  config?: { description: string; size: number };
}

interface ImageType {
  type: number;
  maximum: number;
  images: StoredImage[];
  /** None only for PRI images, after PDC deactivates the running configuration. */
  running: StoredImage | undefined;
}

/** A software carrier configuration the simulated modem ships, stored as a PRI image. */
export interface CarrierConfig {
  /** The carrier as the PRI's build id names it. */
  carrier: string;
  /** Its PDC id, which is the PRI's DMS unique id. */
  id: number[];
  description: string;
  version: number;
  totalSize: number;
  /** Built for the older firmware (the second modem slot's). */
  older?: boolean;
}

/** A text id in its 16 bytes, NUL-padded. */
const textId = (id: string): number[] => Array.from({ length: 16 }, (_, i) => (i < id.length ? id.charCodeAt(i) & 0xff : 0));

/** The modem image's unique id on these modems: a wildcard, the build id names it. */
const ANY = textId('?_?');
/** An older carrier package whose PRI carries a binary id (a digest), as some carriers' do. */
const DIGEST_ID = [0x8f, 0x3a, 0x01, 0xc4, 0x5e, 0x92, 0x00, 0x7b, 0xd1, 0x26, 0xaa, 0x40, 0x13, 0xfe, 0x68, 0x05];

/** The software configurations a global module ships, the generic one running. */
export const CARRIER_CONFIGS: readonly CarrierConfig[] = [
  { carrier: 'GENERIC', id: textId('002.026_000'), description: 'ROW_Generic_3GPP', version: 0x0501081f, totalSize: 56_880 },
  { carrier: 'VERIZON', id: textId('002.029_000'), description: 'VZW_IMS', version: 0x05010824, totalSize: 92_464 },
  { carrier: 'ATT', id: DIGEST_ID, description: 'ATT_VoLTE', version: 0x05010a20, totalSize: 88_112, older: true },
];

/** An id as DMS shows it: its 16 bytes (a loaded configuration's SHA-1 id cut, a short one NUL-padded). */
export const dmsId = (id: readonly number[]): number[] => Array.from({ length: 16 }, (_, i) => id[i] ?? 0);

export type ImageStore = ReturnType<typeof imageStore>;

/** The running firmware's version, as its revision starts with (image build ids begin with it). */
export const firmwareVersion = (fw: ModemFirmware): string => fw.identity.revision.split(' ')[0] ?? 'WK1.0.0';

/** The store of one modem, with `carriers` as its PRI images; a reset boots the preferred pair when the modem has both. */
export function imageStore(fw: ModemFirmware, carriers: readonly CarrierConfig[] = CARRIER_CONFIGS) {
  // An older firmware is kept in the second slot.
  const version = firmwareVersion(fw);
  const older = 'WK0.9.2';
  const modem = (v: string, slot: number): StoredImage => ({ uniqueId: ANY, buildId: `${v}_?`, storageIndex: slot, failureCount: 0, bootVersion: { majorVersion: 1, minorVersion: slot } });
  const pri = (c: CarrierConfig): StoredImage => ({
    uniqueId: [...c.id], buildId: `${c.older ? older : version}_${c.carrier}`, storageIndex: 255, failureCount: 255,
    priVersion: { priVersion: c.version, priInfo: `${c.carrier} PRI ${c.version.toString(16)}` }, config: { description: c.description, size: c.totalSize },
  });
  const modems = [modem(version, 1), modem(older, 2)];
  const pris = carriers.map(pri);
  const store: ImageType[] = [
    { type: T.modem, maximum: 4, images: modems, running: modems[0]! },
    { type: T.pri, maximum: 50, images: pris, running: pris[0] },
  ];
  const ofType = (type: number): ImageType => {
    const t = store.find((s) => s.type === type);
    if (!t) throw fail(QmiProtocolError.InvalidArgument);
    return t;
  };
  /** The stored image an id names; a modem image's wildcard unique id matches by build id alone. */
  const find = (type: number, uniqueId: readonly number[], buildId: string): StoredImage | undefined =>
    ofType(type).images.find((i) => i.buildId === buildId && (sameBytes(dmsId(i.uniqueId), uniqueId) || (type === T.modem && sameBytes(uniqueId, ANY))));
  const asId = (type: number, i: StoredImage) => ({ type, uniqueId: dmsId(i.uniqueId), buildId: i.buildId });
  const images = {
    store,
    ofType,
    find,
    asId,
    /** The pair to boot next (a PRI only while one is preferred). */
    preference: store.flatMap((t) => (t.running ? [asId(t.type, t.running)] : [])),
  };
  // A reset boots the preferred pair when the modem has both; the revision then names the firmware running.
  fw.on('reset', () => {
    const chosen = images.preference.map((p) => find(p.type, p.uniqueId, p.buildId));
    if (chosen.some((c) => !c)) return;
    images.preference.forEach((p, n) => (ofType(p.type).running = chosen[n]!));
    const running = ofType(T.modem).running!.buildId.replace(/_\?$/, '');
    Object.assign(fw.identity, { revision: fw.identity.revision.replace(/^\S+/, running) });
  });
  return images;
}

export function serveQmiDmsImages(ep: QmiDeviceEndpoint, images: ImageStore): void {
  const d = dms.messages;
  const { store, ofType, find } = images;

  ep.handle(d.listStoredImages, () => ({
    list: store.map((t) => ({
      type: t.type,
      maximumImages: t.maximum,
      // 0xFF: none running.
      indexOfRunningImage: t.running ? t.images.indexOf(t.running) : 0xff,
      sublist: t.images.map((i) => ({ storageIndex: i.storageIndex, failureCount: i.failureCount, uniqueId: dmsId(i.uniqueId), buildId: i.buildId })),
    })),
  }));
  ep.handle(d.getStoredImageInfo, (v) => {
    const i = find(v.imageDetails.type, v.imageDetails.uniqueId, v.imageDetails.buildId);
    if (!i) throw fail(QmiProtocolError.NoEntry);
    return { ...(i.bootVersion ? { bootVersion: i.bootVersion } : {}), ...(i.priVersion ? { priVersion: i.priVersion } : {}) };
  });
  ep.handle(d.deleteStoredImage, (v) => {
    const t = ofType(v.imageDetails.type);
    const i = find(v.imageDetails.type, v.imageDetails.uniqueId, v.imageDetails.buildId);
    if (!i) throw fail(QmiProtocolError.NoEntry);
    // The running image stays until another one runs.
    if (i === t.running) throw fail(QmiProtocolError.InvalidOperation);
    t.images.splice(t.images.indexOf(i), 1);
    return {};
  });
  ep.handle(d.getFirmwarePreference, () => ({ list: images.preference }));
  ep.handle(d.setFirmwarePreference, (v) => {
    const types = v.list.map((i) => i.type);
    // A preference is one modem image and one PRI image.
    if (v.list.length !== 2 || !types.includes(T.modem) || !types.includes(T.pri)) throw fail(QmiProtocolError.InvalidArgument);
    const modemSlot = v.modemStorageIndex;
    if (modemSlot !== undefined && (modemSlot < 1 || modemSlot > ofType(T.modem).maximum)) throw fail(QmiProtocolError.InvalidIndex);
    images.preference = v.list.map((i) => ({ type: i.type, uniqueId: [...i.uniqueId], buildId: i.buildId }));
    const missing = v.list.filter((i) => v.downloadOverride === true || !find(i.type, i.uniqueId, i.buildId)).map((i) => i.type);
    return { imageDownloadList: missing };
  });
}
