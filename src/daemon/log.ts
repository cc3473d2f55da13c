/**
 * The daemon's log: levels and timestamps (pino). JSON lines when stderr is not a terminal (journald,
 * a collector), `time LEVEL message` lines when it is.
 */
import { pino, type Logger, type LevelWithSilent } from 'pino';

export const LOG_LEVELS = ['debug', 'info', 'warn', 'error', 'silent'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

/** A logger writing to stderr at `level` and above. */
export function createLogger(level: LogLevel, json = !process.stderr.isTTY): Logger {
  const options = {
    level: level as LevelWithSilent,
    base: { name: 'wwand' },
    timestamp: pino.stdTimeFunctions.isoTime,
    formatters: { level: (label: string) => ({ level: label }) },
  };
  if (json) return pino(options, pino.destination({ fd: 2, sync: true }));
  return pino(options, {
    write(line: string): void {
      const o = JSON.parse(line) as { time: string; level: string; msg: string };
      process.stderr.write(`${o.time} ${o.level.toUpperCase().padEnd(5)} ${o.msg}\n`);
    },
  });
}
