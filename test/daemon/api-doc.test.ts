/** README's API tables are the contract's: regenerated here and compared, so they cannot drift. */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { apiTables, withApiTables } from '../../src/daemon/api-doc.js';
import { ERRORS, EVENTS, METHODS } from '../../src/daemon/api.js';

const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');

describe("README's API tables", () => {
  it('are what src/daemon/api.ts declares (else run `npx tsx scripts/api-table.ts`)', () => {
    expect(withApiTables(readme)).toBe(readme);
  });

  it('have a row for every method, event and error code', () => {
    const tables = apiTables();
    for (const m of Object.keys(METHODS)) expect(tables).toContain(`| \`${m}\` |`);
    for (const e of Object.keys(EVENTS)) expect(tables).toContain(`| \`${e}\` |`);
    for (const [name, e] of Object.entries(ERRORS)) expect(tables).toContain(`| ${e.code} | \`${name}\` |`);
  });
});
