// Regenerates README's API tables from the contract (src/daemon/api.ts): npx tsx scripts/api-table.ts
import { readFileSync, writeFileSync } from 'node:fs';
import { withApiTables } from '../src/daemon/api-doc.js';

const path = new URL('../README.md', import.meta.url);
writeFileSync(path, withApiTables(readFileSync(path, 'utf8')));
