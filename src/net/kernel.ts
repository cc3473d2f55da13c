/**
 * The kernel's own datapath on real hardware, as a list of steps: sysfs writes (qmi_wwan raw_ip,
 * pass_through, add_mux, del_mux) and `ip` commands (rmnet, wwan links, cdc_mbim VLANs, addresses).
 * The same steps are printed by --dry-run, run for real, or run against a fake sysfs tree in tests.
 */
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Ipv4Config, Ipv6Config } from '../wire/ip.js';

/** `ipa` (rmnet_ipa0 on Qualcomm SoCs) and `mhi_net` (PCIe modems) carry QMAP that rmnet links demultiplex. */
export type KernelDriver = 'qmi_wwan' | 'cdc_mbim' | 'wwan' | 'bam-dmux' | 'ipa' | 'mhi_net';
/** qmi_wwan's own mux (qmimux) or rmnet on top of it. */
export type QmiMux = 'qmimux' | 'rmnet';

export type Step = { kind: 'write'; path: string; value: string } | { kind: 'ip'; args: string[] };

export interface KernelLinkPlan {
  /** The netdev that carries the link's packets. */
  name: string;
  steps: Step[];
}

export interface KernelDevice {
  driver: KernelDriver;
  /** The main netdev: wwan0 for qmi_wwan/cdc_mbim, the WWAN device (wwan0) for the wwan core. */
  netdev: string;
  /** For qmi_wwan: which mux. */
  mux?: QmiMux;
  /** Root of sysfs (a fake tree in tests). */
  sysfs?: string;
}

/** cdc_mbim carries DSS session n as VLAN 256 + n on the MBIM netdev. */
export const DSS_VLAN_BASE = 256;

/** Names as the kernel gives them where it names the link; a documented policy otherwise. */
export function linkName(dev: KernelDevice, linkId: number, existing: readonly string[]): string {
  switch (dev.driver) {
    case 'qmi_wwan':
      if (dev.mux === 'rmnet') return `rmnet_data${linkId - 1}`;
      // qmimux%d counts creations, not mux ids: the next free number.
      for (let n = 0; ; n++) if (!existing.includes(`qmimux${n}`)) return `qmimux${n}`;
    case 'cdc_mbim':
      return linkId === 0 ? dev.netdev : `${dev.netdev}.${linkId}`;
    case 'wwan':
      return `${dev.netdev}.${linkId}`;
    case 'bam-dmux':
      return `wwan${linkId}`;
    case 'ipa':
    case 'mhi_net':
      return `rmnet_data${linkId - 1}`;
  }
}

/** An rmnet link for mux id `linkId` on `netdev` (which must be up first). */
function rmnetLink(netdev: string, name: string, linkId: number): Step[] {
  if (linkId < 1 || linkId > 254) throw new RangeError(`rmnet mux ids are 1..254, not ${linkId}`);
  return [
    { kind: 'ip', args: ['link', 'set', 'dev', netdev, 'up'] },
    { kind: 'ip', args: ['link', 'add', 'link', netdev, 'name', name, 'type', 'rmnet', 'mux_id', String(linkId)] },
  ];
}

/** How the modem is asked to send data on this datapath: where its pipe attaches, the newest QMAP the kernel reads. */
export function qmiDataPath(dev: KernelDevice | undefined): { pipe?: 'ipa' | 'mhi'; qmap?: 'qmap' } {
  if (dev?.driver === 'ipa') return { pipe: 'ipa' };
  if (dev?.driver === 'mhi_net') return { pipe: 'mhi' };
  // qmimux reads QMAP v1 only; rmnet takes the driver's default (v5).
  return dev?.mux === 'qmimux' ? { qmap: 'qmap' } : {};
}

/** The steps that give link `linkId` a netdev (before addresses). */
export function planLink(dev: KernelDevice, linkId: number, name: string): KernelLinkPlan {
  const sys = (p: string): string => join(dev.sysfs ?? '/sys', 'class/net', dev.netdev, p);
  const steps: Step[] = [];
  switch (dev.driver) {
    case 'qmi_wwan':
      if (linkId < 1 || linkId > 254) throw new RangeError(`qmi_wwan mux ids are 1..254, not ${linkId}`);
      // raw_ip can only change while the device is down.
      steps.push({ kind: 'ip', args: ['link', 'set', 'dev', dev.netdev, 'down'] }, { kind: 'write', path: sys('qmi/raw_ip'), value: 'Y' });
      if (dev.mux === 'rmnet') {
        steps.push({ kind: 'write', path: sys('qmi/pass_through'), value: 'Y' }, ...rmnetLink(dev.netdev, name, linkId));
      } else {
        steps.push({ kind: 'write', path: sys('qmi/add_mux'), value: String(linkId) }, { kind: 'ip', args: ['link', 'set', 'dev', dev.netdev, 'up'] });
      }
      break;
    case 'cdc_mbim':
      // IPS session n travels as VLAN n on the MBIM netdev (session 0: the untagged netdev itself);
      // DSS session n as VLAN 256 + n (cdc_mbim's scheme).
      if (linkId < 0 || linkId > 511) throw new RangeError(`cdc_mbim links are VLANs 0..255 (IP sessions) and 256..511 (device service streams), not ${linkId}`);
      steps.push({ kind: 'ip', args: ['link', 'set', 'dev', dev.netdev, 'up'] });
      if (linkId > 0) steps.push({ kind: 'ip', args: ['link', 'add', 'link', dev.netdev, 'name', name, 'type', 'vlan', 'id', String(linkId)] });
      // A stream VLAN has no addresses to configure: it comes up here, without an IPv6 link-local
      // address (cdc_mbim drops IP on DSS VLANs; the kernel's router and neighbour solicitations would
      // only be counted as errors there).
      if (linkId >= DSS_VLAN_BASE) steps.push({ kind: 'ip', args: ['link', 'set', 'dev', name, 'addrgenmode', 'none', 'up'] });
      break;
    case 'wwan':
      steps.push({ kind: 'ip', args: ['link', 'add', name, 'parentdev', dev.netdev, 'type', 'wwan', 'linkid', String(linkId)] });
      break;
    case 'bam-dmux':
      // The driver creates wwan<channel> itself when the modem opens the channel.
      break;
    case 'ipa':
    case 'mhi_net':
      steps.push(...rmnetLink(dev.netdev, name, linkId));
      break;
  }
  return { name, steps };
}

export function planAddresses(name: string, cfg: { ipv4?: Ipv4Config; ipv6?: Ipv6Config; mtu?: number }): Step[] {
  const steps: Step[] = [{ kind: 'ip', args: ['addr', 'flush', 'dev', name] }];
  if (cfg.mtu) steps.push({ kind: 'ip', args: ['link', 'set', 'dev', name, 'mtu', String(cfg.mtu)] });
  if (cfg.ipv4) steps.push({ kind: 'ip', args: ['addr', 'add', `${cfg.ipv4.address}/${cfg.ipv4.prefix}`, 'dev', name] });
  if (cfg.ipv6) steps.push({ kind: 'ip', args: ['-6', 'addr', 'add', `${cfg.ipv6.address}/${cfg.ipv6.prefix}`, 'dev', name] });
  steps.push({ kind: 'ip', args: ['link', 'set', 'dev', name, 'up'] });
  return steps;
}

/** The steps that undo planLink. */
export function planUnlink(dev: KernelDevice, linkId: number, name: string): Step[] {
  const sys = (p: string): string => join(dev.sysfs ?? '/sys', 'class/net', dev.netdev, p);
  switch (dev.driver) {
    case 'qmi_wwan':
      return dev.mux === 'rmnet' ? [{ kind: 'ip', args: ['link', 'del', name] }] : [{ kind: 'write', path: sys('qmi/del_mux'), value: String(linkId) }];
    case 'cdc_mbim':
      return linkId > 0 ? [{ kind: 'ip', args: ['link', 'del', name] }] : [{ kind: 'ip', args: ['addr', 'flush', 'dev', name] }];
    case 'wwan':
    case 'ipa':
    case 'mhi_net':
      return [{ kind: 'ip', args: ['link', 'del', name] }];
    case 'bam-dmux':
      return [{ kind: 'ip', args: ['addr', 'flush', 'dev', name] }];
  }
}

/** A step as a person would type it. */
export function describeStep(s: Step): string {
  return s.kind === 'write' ? `echo ${s.value} > ${s.path}` : `ip ${s.args.join(' ')}`;
}

export interface StepRunner {
  write(path: string, value: string): void;
  ip(args: string[]): Promise<void>;
  /** The steps really ran: names the kernel chose are read back from sysfs (not in a dry run). */
  readBack?: boolean;
}

/** A step that failed, and how many before it had run. */
export class StepError extends Error {
  override readonly name = 'StepError';
  constructor(
    readonly step: Step,
    readonly done: number,
    cause: Error,
  ) {
    super(`${describeStep(step)}: ${cause.message}`, { cause });
  }
}

/** Runs steps in order; the first failure stops them and names the step. */
export async function runSteps(steps: readonly Step[], runner: StepRunner): Promise<void> {
  for (const [i, s] of steps.entries()) {
    try {
      if (s.kind === 'write') runner.write(s.path, s.value);
      else await runner.ip(s.args);
    } catch (e) {
      throw new StepError(s, i, e as Error);
    }
  }
}

/** The step of a plan that makes the link (add_mux, ip link add): undone if a later step fails. */
function creatingStep(steps: readonly Step[]): number {
  return steps.findIndex((s) => (s.kind === 'write' && s.path.endsWith('/add_mux')) || (s.kind === 'ip' && s.args[0] === 'link' && s.args[1] === 'add'));
}

/**
 * The netdev qmi_wwan made for a mux id: the upper device of the parent whose qmap/mux_id is it
 * (qmimux names count creations, so they cannot be predicted when other links come and go).
 */
export function qmimuxNetdev(dev: KernelDevice, muxId: number): string | undefined {
  const net = join(dev.sysfs ?? '/sys', 'class/net');
  const uppers = existsSync(join(net, dev.netdev)) ? readdirSync(join(net, dev.netdev)).filter((f) => f.startsWith('upper_')) : [];
  for (const upper of uppers) {
    const name = upper.slice('upper_'.length);
    try {
      if (parseInt(readFileSync(join(net, name, 'qmap/mux_id'), 'utf8'), 16) === muxId) return name;
    } catch {
      /* not a qmimux device */
    }
  }
  return undefined;
}

/** Existing qmimux ids, as qmi_wwan lists them in add_mux (one `0x%02x` per line). */
export function qmimuxIds(dev: KernelDevice): number[] {
  const text = readFileSync(join(dev.sysfs ?? '/sys', 'class/net', dev.netdev, 'qmi/add_mux'), 'utf8');
  return text.split('\n').filter(Boolean).map((l) => parseInt(l, 16));
}

export const writeSysfs = (path: string, value: string): void => writeFileSync(path, value);

/** The MTU a qmi_wwan parent goes back to when its last mux link goes (the driver's default). */
export const QMI_WWAN_DEFAULT_MTU = 1500;

/**
 * The MTU rule for qmimux (as ModemManager's): qmi_wwan sizes its receive buffers from the parent
 * netdev's MTU, and a downlink aggregate longer than that overflows the transfer and is lost
 * (rx_over_errors). So before its first mux link the parent's MTU is raised to the negotiated
 * downlink aggregation size, and after its last it goes back to the default (KernelNetdev counts its
 * links per parent; the sysfs reads skip what is already so, or what another program's mux ids still
 * need). Raised in ethernet mode entered from raw-IP: a fresh qmi_wwan netdev allows 1500 at most and
 * leaving raw-IP gives it usbnet's whole range; with no link-layer header usbnet refuses an MTU that
 * is a multiple of the USB packet size (32768: EDOM), the ethernet header's 14 bytes keep it off,
 * and switching raw_ip back on keeps the larger buffer. Empty when there is nothing to do.
 */
export function planParentMtu(dev: KernelDevice, mtu: number, phase: 'raise' | 'lower'): Step[] {
  if (dev.driver !== 'qmi_wwan' || dev.mux === 'rmnet') return [];
  const net = join(dev.sysfs ?? '/sys', 'class/net', dev.netdev);
  const read = (p: string): string | undefined => {
    try {
      return readFileSync(join(net, p), 'utf8').trim();
    } catch {
      return undefined; // a dry run on a machine without the device: plan the whole rule
    }
  };
  const current = Number(read('mtu') ?? 0);
  const link = (args: string[]): Step => ({ kind: 'ip', args: ['link', 'set', 'dev', dev.netdev, ...args] });
  if (phase === 'lower') {
    const muxIds = read('qmi/add_mux');
    if (current === QMI_WWAN_DEFAULT_MTU || (muxIds !== undefined && muxIds !== '')) return [];
    return [link(['mtu', String(QMI_WWAN_DEFAULT_MTU)])];
  }
  if (current >= mtu) return [];
  const rawIp = (value: 'Y' | 'N'): Step => ({ kind: 'write', path: join(net, 'qmi/raw_ip'), value });
  return [link(['down']), rawIp('Y'), rawIp('N'), link(['mtu', String(mtu)]), rawIp('Y')];
}

/** The links this process made on each parent netdev: the MTU rule acts on the first and the last. */
const linksOnParent = new Map<string, number>();
const parentKey = (dev: KernelDevice): string => join(dev.sysfs ?? '/sys', dev.netdev);

/**
 * A link carried by the kernel (qmimux, rmnet, a wwan link, a cdc_mbim VLAN): its packets never pass
 * through this process; configuring it runs the steps (or, dry, prints them).
 */
export class KernelNetdev {
  readonly kind = 'kernel';
  readonly counters = { rxPackets: 0, rxBytes: 0, txPackets: 0, txBytes: 0, txDropped: 0 };
  private closed = false;

  private constructor(
    readonly name: string,
    private readonly dev: KernelDevice,
    private readonly linkId: number,
    private readonly runner: StepRunner,
  ) {}

  /** downlinkMaxSize: the negotiated downlink aggregation size, for the MTU rule (planParentMtu). */
  static async create(dev: KernelDevice, linkId: number, runner: StepRunner, existing: readonly string[] = [], downlinkMaxSize = 0): Promise<KernelNetdev> {
    const plan = planLink(dev, linkId, linkName(dev, linkId, existing));
    const first = !linksOnParent.get(parentKey(dev));
    const steps = [...(first ? planParentMtu(dev, downlinkMaxSize, 'raise') : []), ...plan.steps];
    try {
      await runSteps(steps, runner);
    } catch (e) {
      // Nothing half-made: a link that was created before a later step failed goes again, and so
      // does a raised MTU that no link needs.
      const made = creatingStep(steps);
      if (e instanceof StepError && made >= 0 && e.done > made) await runSteps(planUnlink(dev, linkId, plan.name), runner).catch(() => undefined);
      if (first) await runSteps(planParentMtu(dev, 0, 'lower'), runner).catch(() => undefined);
      throw e;
    }
    let name = plan.name;
    if (runner.readBack && dev.driver === 'qmi_wwan' && dev.mux !== 'rmnet') {
      const made = qmimuxNetdev(dev, linkId);
      if (!made) {
        await runSteps(planUnlink(dev, linkId, name), runner).catch(() => undefined);
        if (first) await runSteps(planParentMtu(dev, 0, 'lower'), runner).catch(() => undefined);
        throw new Error(`qmi_wwan accepted mux id ${linkId} on ${dev.netdev} but shows no netdev for it (no upper_* with that qmap/mux_id)`);
      }
      name = made;
    }
    linksOnParent.set(parentKey(dev), (linksOnParent.get(parentKey(dev)) ?? 0) + 1);
    return new KernelNetdev(name, dev, linkId, runner);
  }

  async configure(cfg: { ipv4?: Ipv4Config; ipv6?: Ipv6Config; mtu?: number }): Promise<void> {
    await runSteps(planAddresses(this.name, cfg), this.runner);
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    const key = parentKey(this.dev);
    const left = (linksOnParent.get(key) ?? 1) - 1;
    if (left > 0) linksOnParent.set(key, left);
    else linksOnParent.delete(key);
    await runSteps(planUnlink(this.dev, this.linkId, this.name), this.runner);
    if (left === 0) await runSteps(planParentMtu(this.dev, 0, 'lower'), this.runner);
  }
}

/** A runner that only says what it would do. */
export function dryRunner(print: (line: string) => void): StepRunner {
  return {
    write: (path, value) => print(describeStep({ kind: 'write', path, value })),
    ip: async (args) => print(describeStep({ kind: 'ip', args })),
  };
}
