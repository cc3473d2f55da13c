/** `npm run soak [-- --minutes N --seed S --profiles a,b]`: the soak and fault run; one JSON line; exit 1 on a leak or an unrecovered bearer. */
import { parseArgs } from 'node:util';
import { runSoak } from './soak.js';

const { values } = parseArgs({ options: { minutes: { type: 'string', default: '10' }, seed: { type: 'string', default: String(Date.now() % 100_000) }, profiles: { type: 'string', default: 'qmi-rmnet,mbim-usb,bam-dmux' }, verbose: { type: 'boolean', default: false } } });
const minutes = Number(values.minutes);
if (!(minutes > 0 && minutes <= 24 * 60)) {
  process.stderr.write('soak: --minutes takes a number from 0 to 1440\n');
  process.exit(2);
}
// Ctrl-C or SIGTERM ends the run after the step in progress, with its summary.
const stop = new AbortController();
process.once('SIGINT', () => stop.abort());
process.once('SIGTERM', () => stop.abort());
const summary = await runSoak({
  signal: stop.signal,
  durationMs: minutes * 60_000,
  seed: Number(values.seed),
  profiles: values.profiles!.split(','),
  log: values.verbose ? (l) => void process.stderr.write(`[soak] ${l}\n`) : undefined,
});
process.stdout.write(`${JSON.stringify({ seed: Number(values.seed), ...summary })}\n`);
process.exit(summary.ok ? 0 : 1);
