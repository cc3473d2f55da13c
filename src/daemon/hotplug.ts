/**
 * Real modems that come and go: the device folder (/dev, a devtmpfs that inotify watches; sysfs sends no
 * inotify events) is watched, and on any change under it sysfs is read again (discover.ts): modems
 * that appeared are added, modems that disappeared are dropped. Changes are gathered for a moment
 * first, since udev makes a modem's nodes one after the other. No polling. Where the kernel has QRTR,
 * a lookup on its name service does the same for QRTR nodes that publish QMI services.
 */
import { watch, type FSWatcher } from 'node:fs';
import type { Manager, ModemSpec } from '../modem/manager.js';
import { QrtrLookup } from '../transport/qrtr.js';
import { discover, discoverQrtr } from './discover.js';
import type { LevelLog } from './autoconnect.js';

export interface HotplugOptions {
  sysfs?: string;
  dev?: string;
  log: LevelLog;
  /** How long changes are gathered before sysfs is read again (ms). */
  settleMs?: number;
  /** Also watch QRTR's name service where the kernel has it (default: with the real sysfs). */
  qrtr?: boolean;
}

export class Hotplug {
  /** The modems this watcher added (simulated ones are not its business). */
  private readonly plugged = new Set<string>();
  private watcher: FSWatcher | undefined;
  private qrtr: QrtrLookup | undefined;
  private timer: NodeJS.Timeout | undefined;
  private syncing: Promise<void> = Promise.resolve();
  private stopped = false;

  constructor(
    private readonly manager: Manager,
    private readonly options: HotplugOptions,
  ) {}

  /** Adds the modems present now, then follows changes. */
  async start(): Promise<void> {
    const dev = this.options.dev ?? '/dev';
    try {
      this.watcher = watch(dev, { persistent: false }, () => this.changed());
      this.watcher.on('error', (e) => this.options.log('warn', `hotplug: watching ${dev} stopped: ${e.message}`));
    } catch (e) {
      this.options.log('warn', `hotplug: cannot watch ${dev} (${(e as NodeJS.ErrnoException).code ?? (e as Error).message}); modems plugged in later are not seen`);
    }
    // A fake sysfs tree is a test's: the machine's QRTR is not its business.
    if (this.options.qrtr ?? this.options.sysfs === undefined) await this.watchQrtr();
    await this.sync();
  }

  stop(): void {
    this.stopped = true;
    clearTimeout(this.timer);
    this.watcher?.close();
    this.qrtr?.close();
  }

  private async watchQrtr(): Promise<void> {
    try {
      this.qrtr = new QrtrLookup();
    } catch {
      return; // no QRTR in this kernel: nothing to watch
    }
    this.qrtr.onChange(() => this.changed());
    this.qrtr.onError((e) => this.options.log('warn', `hotplug: QRTR name service: ${e.message}; QRTR modems are no longer watched`));
    try {
      await this.qrtr.ready;
    } catch (e) {
      this.options.log('warn', `hotplug: QRTR name service: ${(e as Error).message}; QRTR modems are not seen`);
    }
  }

  private changed(): void {
    clearTimeout(this.timer);
    this.timer = setTimeout(() => void this.sync(), this.options.settleMs ?? 300);
  }

  /**
   * One reading of sysfs at a time; a change during one gets another after it. A reading that fails
   * is logged and the next change reads again: nothing here may end the daemon.
   */
  private sync(): Promise<void> {
    this.syncing = this.syncing.then(() => this.syncOnce()).catch((e: Error) => this.options.log('warn', `hotplug: reading ${this.options.sysfs ?? '/sys'} failed: ${e.message}`));
    return this.syncing;
  }

  private async syncOnce(): Promise<void> {
    if (this.stopped) return;
    const found: ModemSpec[] = [...discover(this.options.sysfs, this.options.dev), ...discoverQrtr(this.qrtr?.servers.values() ?? [], this.options.sysfs)];
    const ids = new Set(found.map((s) => s.id));
    for (const id of [...this.plugged]) {
      if (ids.has(id)) continue;
      this.plugged.delete(id);
      await this.manager.remove(id);
      this.options.log('info', `${id}: gone, dropped`);
    }
    for (const spec of found) {
      if (this.plugged.has(spec.id) || this.manager.modems.has(spec.id)) continue;
      try {
        await this.manager.add(spec);
        this.plugged.add(spec.id);
        this.options.log('info', `${spec.id}: ${spec.control.toUpperCase()} modem at ${spec.port}${spec.kernel ? `, data through ${spec.kernel.netdev} (${spec.kernel.driver})` : ''}`);
      } catch (e) {
        this.options.log('warn', `${spec.id}: not added: ${(e as Error).message}`);
      }
    }
  }
}
