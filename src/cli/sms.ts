/** `wwan sms list|read|send|delete|watch MODEM`: short messages through the daemon. */
import { Command, Option } from 'commander';
import { DaemonClient, defaultSocket } from '../daemon/client.js';
import type { SmsMessage } from '../modem/messaging.js';
import { EXIT, exitFor, stdOutput, table, withDaemon } from './manage.js';
import { stopSignal } from './signals.js';

interface Common {
  socket?: string;
  json?: boolean;
}

const where = (m: SmsMessage): string => (m.parts.length ? m.parts.map((p) => `${p.storage}:${p.index}`).join(',') : '-');
const body = (m: SmsMessage): string => m.text ?? (m.data !== undefined ? `<${m.data.length / 2} bytes: ${m.data.slice(0, 32)}${m.data.length > 32 ? '…' : ''}>` : m.deliveryState !== undefined ? `<status report: ${m.deliveryState === 0 ? 'delivered' : `status 0x${m.deliveryState.toString(16)}`}>` : '');
const oneLine = (s: string, n = 60): string => {
  const flat = s.replace(/\s+/g, ' ');
  return [...flat].length > n ? `${[...flat].slice(0, n - 1).join('')}…` : flat;
};

export const messagesText = (r: { storages: string[]; messages: SmsMessage[] }): string =>
  r.messages.length === 0
    ? `no messages (storages: ${r.storages.join(', ') || 'none'})\n`
    : table([['ID', 'TYPE', 'STATE', 'NUMBER', 'TIME', 'STORED', 'TEXT'], ...r.messages.map((m) => [m.id, m.pduType, m.complete ? m.state : `${m.state} ${m.parts.length}/${m.total}`, m.number, m.timestamp ?? '', where(m), oneLine(body(m))])]);

export const messageText = (m: SmsMessage): string =>
  `${[
    ['id', m.id],
    ['type', m.pduType],
    ['state', m.state],
    ['number', m.number],
    ['timestamp', m.timestamp],
    ['smsc', m.smsc],
    ['encoding', m.encoding],
    ['class', m.class],
    ['parts', `${m.parts.length || m.total}/${m.total}${m.complete ? '' : ' (partial)'}`],
    ['stored', where(m)],
    ['references', m.references?.join(', ')],
    ['delivery', m.deliveryState === undefined ? undefined : m.deliveryState === 0 ? 'delivered' : `status 0x${m.deliveryState.toString(16)}`],
  ]
    .filter(([, v]) => v !== undefined && v !== '')
    .map(([k, v]) => `${String(k).padEnd(11)} ${String(v)}`)
    .join('\n')}\n\n${body(m)}\n`;

async function watch(modem: string, o: Common): Promise<number> {
  let client: DaemonClient;
  try {
    client = await DaemonClient.connect(o.socket ?? defaultSocket());
    client.onEvent((e) => {
      if (e.event !== 'sms' || e.modem !== modem) return;
      if (o.json) return void process.stdout.write(`${JSON.stringify(e)}\n`);
      const m = e.message as SmsMessage | undefined;
      if (e.kind === 'received' && m) process.stdout.write(`${new Date().toISOString()} ${m.pduType === 'status-report' ? 'status report' : 'message'} ${m.id} from ${m.number}: ${body(m)}\n`);
      else if (e.kind === 'deleted') process.stdout.write(`${new Date().toISOString()} message ${String(e.id)} deleted\n`);
      else if (e.kind === 'full') process.stdout.write(`${new Date().toISOString()} the message store is full: new messages are refused until one is deleted\n`);
    });
    await client.call('subscribe');
    // Tells a script the watch is in place before it makes something happen.
    if (o.json) process.stdout.write(`${JSON.stringify({ event: 'watching', modem })}\n`);
  } catch (e) {
    process.stderr.write(`wwan: ${(e as Error).message}\n`);
    return exitFor(e);
  }
  await stopSignal();
  client.close();
  return EXIT.ok;
}

/** Adds `wwan sms …`; `done` takes each action's exit code. */
export function smsCommand(socketOpt: (c: Command) => Command, done: (code: number) => void): Command {
  const sms = new Command('sms').description('short messages: list, read, send, delete, watch');
  const idArg = (v: string): number => Number(v);
  socketOpt(sms.command('list').description('the messages in the modem\'s stores (and those sent)').argument('<modem>')).action(async (modem: string, o: Common) => {
    done(await withDaemon(o.socket, stdOutput(!!o.json), (c) => c.call('smsList', { modem }), messagesText));
  });
  socketOpt(sms.command('read').description('one message, whole (marked read)').argument('<modem>').argument('<id>', 'the id from `wwan sms list`', idArg)).action(async (modem: string, id: number, o: Common) => {
    done(await withDaemon(o.socket, stdOutput(!!o.json), (c) => c.call('smsRead', { modem, id }), messageText));
  });
  socketOpt(
    sms
      .command('send')
      .description('send a message (split into parts as needed)')
      .argument('<modem>')
      .requiredOption('--to <number>', 'the destination number (+CC… or digits)')
      .option('--text <text>', 'the text (GSM 7-bit when it fits, else UCS-2)')
      .option('--data <hex>', '8-bit data instead of text')
      .option('--status-report', 'ask the network for a delivery report')
      .option('--validity <minutes>', 'how long the network keeps trying')
      .addOption(new Option('--class <n>', 'message class').choices(['0', '1', '2', '3'])),
  ).action(async (modem: string, o: Common & { to: string; text?: string; data?: string; statusReport?: boolean; validity?: string; class?: string }) => {
    if ((o.text === undefined) === (o.data === undefined)) {
      process.stderr.write('wwan sms send: give --text or --data\n');
      return done(EXIT.usage);
    }
    const params = {
      modem,
      to: o.to,
      ...(o.text !== undefined ? { text: o.text } : { data: o.data }),
      ...(o.statusReport ? { statusReport: true } : {}),
      ...(o.validity !== undefined ? { validityMinutes: Number(o.validity) } : {}),
      ...(o.class !== undefined ? { class: Number(o.class) as 0 | 1 | 2 | 3 } : {}),
    };
    done(await withDaemon(o.socket, stdOutput(!!o.json), (c) => c.call('smsSend', params), (m: SmsMessage) => `sent message ${m.id} to ${m.number} in ${m.total} part(s) (references ${m.references?.join(', ')})\n`));
  });
  socketOpt(sms.command('delete').description('delete a message (every part)').argument('<modem>').argument('<id>', 'the id from `wwan sms list`', idArg)).action(async (modem: string, id: number, o: Common) => {
    done(await withDaemon(o.socket, stdOutput(!!o.json), (c) => c.call('smsDelete', { modem, id }), () => `deleted message ${id}\n`));
  });
  socketOpt(sms.command('smsc').description('the SMS center address (set it with --set)').argument('<modem>').option('--set <number>', 'a new SMSC address')).action(async (modem: string, o: Common & { set?: string }) => {
    done(await withDaemon(o.socket, stdOutput(!!o.json), (c) => c.call('smsc', { modem, ...(o.set ? { set: o.set } : {}) }), (r: { smsc: string }) => `${r.smsc}\n`));
  });
  socketOpt(sms.command('watch').description('new messages as they arrive, until Ctrl-C').argument('<modem>')).action(async (modem: string, o: Common) => {
    done(await watch(modem, o));
  });
  return sms;
}
