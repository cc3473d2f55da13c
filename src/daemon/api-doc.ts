/** README's API tables, generated from the contract (api.ts) so they cannot drift (test/daemon/api-doc.test.ts). */
import { ERRORS, EVENTS, METHODS } from './api.js';
import type { Schema } from './schema.js';

const ACCESS = { web: 'socket, dashboard', local: 'socket', socket: 'socket (streams)', process: 'in-process only' } as const;
const cell = (s: string): string => s.replace(/\|/g, '\\|');
const fields = (shape: Record<string, Schema<unknown>>): string =>
  Object.entries(shape)
    .map(([k, s]) => `\`${k}${(s as { optional?: boolean }).optional ? '?' : ''}\`: ${cell(s.text)}`)
    .join(', ') || '—';

/** The markdown between README's `api-table` markers. */
export function apiTables(): string {
  const methods = Object.entries(METHODS).map(([name, m]) => `| \`${name}\` | ${fields(m.params)} | ${cell(m.result.text)} | ${ACCESS[m.access]} | ${cell(m.doc)} |`);
  const events = Object.entries(EVENTS).map(([name, e]) => `| \`${name}\` | ${fields(e.fields.shape)} | ${cell(e.doc)} |`);
  const errors = Object.entries(ERRORS).map(([name, e]) => `| ${e.code} | \`${name}\` | ${cell(e.doc)} |`);
  return [
    '| method | params | result | who may call | what it does |',
    '|---|---|---|---|---|',
    ...methods,
    '',
    '| event | fields | when |',
    '|---|---|---|',
    ...events,
    '',
    '| code | `data.name` | meaning |',
    '|---|---|---|',
    ...errors,
  ].join('\n');
}

export const API_TABLE_BEGIN = '<!-- api-table: generated from src/daemon/api.ts by `npx tsx scripts/api-table.ts`; do not edit -->';
export const API_TABLE_END = '<!-- api-table end -->';

/** `readme` with the tables between the markers replaced by the current ones. */
export function withApiTables(readme: string): string {
  const start = readme.indexOf(API_TABLE_BEGIN);
  const end = readme.indexOf(API_TABLE_END);
  if (start < 0 || end < start) throw new Error('README.md has no api-table markers');
  return `${readme.slice(0, start + API_TABLE_BEGIN.length)}\n${apiTables()}\n${readme.slice(end)}`;
}
