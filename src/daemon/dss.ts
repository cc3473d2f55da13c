/**
 * The daemon's device service streams: `dssOpen` opens a DSS session on a modem and joins it to a
 * raw pseudo-terminal that any program (minicom, gpsd, an AT tool, `wwan dss open`) can open, named
 * stably by a symlink `<modem's link name>-dss<N>` beside the daemon's socket. `dssClose` ends it.
 * A stream that ends for any reason (closed, modem reset, modem gone) takes its terminal and symlink
 * with it; readers then get end-of-file (EIO on the terminal) and an event says why.
 */
import { closeSync, lstatSync, symlinkSync, unlinkSync } from 'node:fs';
import { join } from 'node:path';
import { ReadStream } from 'node:tty';
import type { Manager } from '../modem/manager.js';
import type { StreamLink } from '../modem/modem.js';
import { ConfigError } from '../modem/types.js';
import { native } from '../native/index.js';
import type { ApiEvent, LinkView, StreamView } from './api.js';

interface Terminal {
  modem: string;
  link: StreamLink;
  path: string;
  symlink: string;
  master: ReadStream;
  slave: number | null;
}

/** A stream as the API shows it. */
export function streamView(modem: string, link: StreamLink, t?: { path: string; symlink: string }): StreamView {
  return {
    modem,
    session: link.session,
    service: link.service,
    name: link.name,
    status: link.status === 'closed' ? 'closed' : 'open',
    ...(t ? { pty: t.path, path: t.symlink } : {}),
    ...(link.stream ? { counters: link.stream.counters, buffered: link.stream.bufferedBytes } : {}),
    ...(link.error ? { error: link.error } : {}),
  };
}

export class DssTerminals {
  private readonly terminals = new Map<string, Terminal>();

  constructor(
    private readonly manager: Manager,
    /** Where the stable names go (the daemon's runtime folder). */
    private readonly dir: string,
    private readonly publish: (event: ApiEvent<'stream'>) => void,
  ) {
    manager.on('stream', (modem, link) => {
      const key = `${modem}/${link.session}`;
      const t = this.terminals.get(key);
      if (link.status === 'closed' && t?.link === link) this.release(key);
      this.publish({ event: 'stream', ...streamView(modem, link, t) });
    });
  }

  /** Opens DSS session `session` on a modem (params checked by api.ts) and joins it to its terminal. */
  async open(modemId: string, session: number, service?: string): Promise<StreamView> {
    const modem = this.manager.get(modemId);
    const link = await modem.openStream(session, service);
    try {
      return streamView(modemId, link, this.join(modemId, link));
    } catch (e) {
      await modem.closeStream(session).catch(() => undefined);
      throw e;
    }
  }

  async close(modemId: string, session: number): Promise<void> {
    await this.manager.get(modemId).closeStream(session);
  }

  /** Every open stream as a row of `links`, beside the IP links. */
  linkRows(): LinkView[] {
    return [...this.terminals.values()].map((t) => {
      const modem = this.manager.modems.get(t.modem);
      const c = t.link.stream?.counters;
      const { counters: _own, ...view } = streamView(t.modem, t.link, t);
      return {
        ...view,
        kind: 'stream' as const,
        linkId: t.link.session,
        framing: modem?.links.format?.framing ?? 'ntb',
        backend: modem?.links.kind ?? 'userspace',
        addresses: [],
        ...modem?.links.topology(t.link.session, 'stream'),
        counters: { rxPackets: c?.rxDatagrams ?? 0, rxBytes: c?.rxBytes ?? 0, txPackets: c?.txDatagrams ?? 0, txBytes: c?.txBytes ?? 0, rxDropped: c?.rxDropped ?? 0, txDropped: c?.txDropped ?? 0 },
      };
    });
  }

  stop(): void {
    for (const key of [...this.terminals.keys()]) this.release(key);
  }

  /** A raw terminal for the stream: the modem's datagrams are written to it, what is written on its far side goes to the modem. */
  private join(modem: string, link: StreamLink): Terminal {
    const { master, slave, path } = native().openPty();
    const symlink = join(this.dir, link.name);
    try {
      // A name left by a daemon that died goes; anything else in the way is not ours to remove.
      if (lstatSync(symlink, { throwIfNoEntry: false })?.isSymbolicLink()) unlinkSync(symlink);
      symlinkSync(path, symlink);
    } catch (e) {
      closeSync(slave);
      closeSync(master);
      throw new ConfigError(`cannot name the stream's terminal ${symlink}: ${(e as Error).message}`);
    }
    const stream = new ReadStream(master);
    const t: Terminal = { modem, link, path, symlink, master: stream, slave };
    this.terminals.set(`${modem}/${link.session}`, t);
    stream.on('error', () => undefined);
    stream.on('data', (chunk: Buffer) => link.stream?.write(chunk));
    stream.on('drain', () => link.stream?.resume());
    link.stream!.connect({
      // Past the terminal's own buffer the stream holds (bounded) what the reader has not taken.
      write: (chunk) => stream.write(chunk),
      end: () => undefined,
    });
    return t;
  }

  private release(key: string): void {
    const t = this.terminals.get(key);
    if (!t) return;
    this.terminals.delete(key);
    t.master.destroy();
    if (t.slave !== null) closeSync(t.slave);
    t.slave = null;
    try {
      unlinkSync(t.symlink);
    } catch {
      /* already gone */
    }
  }
}
