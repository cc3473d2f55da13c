/**
 * `wwan dss open|close MODEM --session N`: device service streams through the daemon. `open` joins
 * the stream to stdin/stdout until Ctrl-C or the stream's end (then closes it); with `--pty` it
 * prints the stream's terminal instead and leaves it open for any program until `wwan dss close`.
 */
import { constants, openSync } from 'node:fs';
import { ReadStream } from 'node:tty';
import { Command } from 'commander';
import type { StreamView } from '../daemon/api.js';
import { DaemonClient, defaultSocket } from '../daemon/client.js';
import { EXIT, exitFor, stdOutput, withDaemon } from './manage.js';
import { onStopSignal } from './signals.js';

interface Common {
  socket?: string;
  json?: boolean;
  session: string;
}


const session = (s: string): number => (/^\d{1,3}$/.test(s) ? Number(s) : NaN);

async function join(modem: string, o: Common & { service?: string }): Promise<number> {
  let client: DaemonClient;
  let view: StreamView;
  try {
    client = await DaemonClient.connect(o.socket ?? defaultSocket());
    await client.call('subscribe');
    view = await client.call('dssOpen', { modem, session: session(o.session), ...(o.service ? { service: o.service } : {}) });
  } catch (e) {
    process.stderr.write(`wwan: ${(e as Error).message}\n`);
    return exitFor(e);
  }
  return new Promise<number>((resolve) => {
    let done = false;
    let ended: string | undefined;
    const finish = async (code: number): Promise<void> => {
      if (done) return;
      done = true;
      terminal.destroy();
      process.stdin.destroy();
      if (ended === undefined) await client.call('dssClose', { modem, session: view.session }).catch(() => undefined);
      client.close();
      resolve(code);
    };
    client.onEvent((e) => {
      if (e.event !== 'stream' || e.modem !== modem || e.session !== view.session || e.status !== 'closed') return;
      ended = typeof e.error === 'string' ? e.error : '';
      if (ended) process.stderr.write(`wwan: the stream ended: ${ended}\n`);
    });
    // An open stream always has its terminal (the contract makes it optional for closed ones).
    const terminal = new ReadStream(openSync(view.pty!, constants.O_RDWR | constants.O_NOCTTY));
    terminal.on('data', (chunk: Buffer) => process.stdout.write(chunk));
    // The daemon closing its side reads as EIO: the end of the stream.
    terminal.on('error', () => undefined);
    terminal.on('close', () => void setTimeout(() => void finish(ended ? EXIT.refused : EXIT.ok), 50));
    process.stdin.on('data', (chunk: Buffer) => terminal.write(chunk));
    onStopSignal(() => void finish(EXIT.ok));
  });
}

export function dssCommand(socketOpt: (c: Command) => Command, setCode: (code: number) => void): Command {
  const dss = new Command('dss').description('device service streams (MBIM DSS: NMEA, AT, diagnostics) as terminals');
  socketOpt(dss.command('open').description('open DSS session N and join it to stdin/stdout (or print its terminal with --pty)').argument('<modem>'))
    .requiredOption('--session <n>', 'the DSS session id (0..255)')
    .option('--service <uuid>', "the device service (default: the modem's only stream service)")
    .option('--pty', 'print the terminal path and leave the stream open for other programs')
    .action(async (modem: string, o: Common & { service?: string; pty?: boolean }) => {
      if (Number.isNaN(session(o.session))) {
        process.stderr.write('wwan dss open: --session is a number 0..255\n');
        return setCode(EXIT.usage);
      }
      if (!o.pty) return setCode(await join(modem, o));
      setCode(
        await withDaemon(
          o.socket,
          stdOutput(!!o.json),
          (c) => c.call('dssOpen', { modem, session: session(o.session), ...(o.service ? { service: o.service } : {}) }),
          (v: StreamView) => `${v.path}\n`,
        ),
      );
    });
  socketOpt(dss.command('close').description('close DSS session N').argument('<modem>'))
    .requiredOption('--session <n>', 'the DSS session id')
    .action(async (modem: string, o: Common) => {
      setCode(await withDaemon(o.socket, stdOutput(!!o.json), (c) => c.call('dssClose', { modem, session: session(o.session) }), () => `closed DSS session ${o.session} on ${modem}\n`));
    });
  return dss;
}
