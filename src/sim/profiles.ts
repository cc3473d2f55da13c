/** The five setups found in the field, as simulator profiles. */
import type { FirmwareConfig } from './firmware.js';

/** The names of the simulated modem profiles. */
export type ProfileName = 'qmi-usb' | 'qmi-rmnet' | 'bam-dmux' | 'mbim-usb' | 'iosm';

/** A kind of simulated modem: control protocol, data framing, ports. */
export interface SimProfile {
  name: ProfileName;
  summary: string;
  control: 'qmi' | 'mbim';
  /** The data framing on the pipe (QMI profiles follow what WDA Set Data Format negotiates). */
  data: 'raw-ip' | 'qmap' | 'bam-dmux' | 'ntb';
  firmware: FirmwareConfig;
  /** What a kernel would show, for fake sysfs trees (USB ids, driver). */
  device: { bus: 'usb' | 'pci' | 'platform'; vendor: number; product: number; driver: string; interfaceNumber: number };
}

/** Every simulated modem profile by name. */
export const PROFILES: Record<ProfileName, SimProfile> = {
  'qmi-usb': {
    name: 'qmi-usb',
    summary: 'qmi_wwan style: QMI control; raw-IP data, or qmimux QMAPv1 mux ids',
    control: 'qmi',
    data: 'raw-ip',
    // qmi_wwan's qmimux: plain QMAPv1, one frame per uplink transfer.
    firmware: { maxSessions: 4, maxQmap: 'qmap', ulMaxDatagrams: 1, ulMaxSize: 1504, identity: { manufacturer: 'Quectel', model: 'EC25', revision: 'EC25EFAR06A06M4G' } },
    device: { bus: 'usb', vendor: 0x2c7c, product: 0x0125, driver: 'qmi_wwan', interfaceNumber: 4 },
  },
  'qmi-rmnet': {
    name: 'qmi-rmnet',
    summary: 'rmnet style: QMI control; QMAPv5 with downlink aggregation as WDA negotiates',
    control: 'qmi',
    data: 'qmap',
    firmware: {
      maxSessions: 8,
      rat: '5gnr',
      // A global module: E-UTRA bands above 64 too.
      bands: { gsm: [850, 900, 1800, 1900], utra: [1, 2, 4, 5, 8], eutra: [1, 2, 3, 4, 5, 7, 8, 12, 13, 14, 17, 18, 19, 20, 25, 26, 28, 29, 30, 32, 34, 38, 39, 40, 41, 42, 43, 46, 48, 66, 71] },
      identity: { manufacturer: 'Quectel', model: 'RM500Q-GL', revision: 'RM500QGLABR11A06M4G' } },
    device: { bus: 'usb', vendor: 0x2c7c, product: 0x0800, driver: 'qmi_wwan', interfaceNumber: 4 },
  },
  'bam-dmux': {
    name: 'bam-dmux',
    summary: 'Qualcomm SoC modem: QMI control; BAM-DMUX data on 8 channels the modem opens',
    control: 'qmi',
    data: 'bam-dmux',
    firmware: { maxSessions: 8, identity: { manufacturer: 'Qualcomm', model: 'MSM8916 modem', revision: 'MPSS.DPM.2.0.2.c1-00011' } },
    device: { bus: 'platform', vendor: 0, product: 0, driver: 'qcom-bam-dmux', interfaceNumber: 0 },
  },
  'mbim-usb': {
    name: 'mbim-usb',
    summary: 'cdc_mbim style: MBIM control; NTB16 data with IPS sessions and DSS streams',
    control: 'mbim',
    data: 'ntb',
    firmware: { maxSessions: 4, identity: { manufacturer: 'Sierra Wireless', model: 'EM7455', revision: 'SWI9X30C_02.33.03.00' } },
    device: { bus: 'usb', vendor: 0x1199, product: 0x9071, driver: 'cdc_mbim', interfaceNumber: 12 },
  },
  iosm: {
    name: 'iosm',
    summary: 'Intel XMM7560 (IOSM): MBIM control; 8 IP sessions, link id = session id',
    control: 'mbim',
    data: 'ntb',
    // One APN per session, so all eight can be up at once.
    firmware: {
      maxSessions: 8,
      apns: ['internet', 'ims', 'mms', 'sos', 'xcap', 'admin', 'iot', 'vpn'].map((name) => ({ name, families: ['ipv4', 'ipv6', 'ipv4v6'] })),
      identity: { manufacturer: 'Intel', model: 'XMM7560', revision: '7560_5G_B0.5.4.6' },
      // An Intel function: no QMI inside MBIM (ModemManager's Intel plugin does not look for it either).
      qmiOverMbim: false,
    },
    device: { bus: 'pci', vendor: 0x8086, product: 0x7560, driver: 'iosm', interfaceNumber: 0 },
  },
};

/** Whether a string names a simulated modem profile. */
export const isProfileName = (s: string): s is ProfileName => Object.hasOwn(PROFILES, s);
