/**
 * README's benchmark table from saved runs: `npm run -s bench > run1.jsonl` (three times), then
 * `npx tsx scripts/bench-table.ts run1.jsonl run2.jsonl run3.jsonl`. Each cell is our figure, its
 * same-run baseline or anchor, and their ratio; a failed or skipped figure says so.
 */
import { readFileSync } from 'node:fs';

interface Line {
  bench?: string;
  unit?: string;
  value?: number;
  baseline?: { name: string; value: number };
  anchor?: { name: string; value: number };
  failed?: string;
  skipped?: string;
}

const files = process.argv.slice(2);
if (files.length === 0) {
  process.stderr.write('usage: bench-table.ts RUN.jsonl...\n');
  process.exit(2);
}

const runs = files.map((f) => {
  const byName = new Map<string, Line>();
  for (const text of readFileSync(f, 'utf8').split('\n')) {
    if (!text.startsWith('{')) continue;
    const line = JSON.parse(text) as Line;
    if (line.bench) byName.set(line.bench, line);
  }
  return byName;
});

const short = (v: number): string => {
  const a = Math.abs(v);
  if (a >= 1e6) return `${(v / 1e6).toFixed(2)} M`;
  if (a >= 1e4) return `${Math.round(v / 1e3)} k`;
  return String(Math.round(v * 1000) / 1000);
};

const names = [...new Set(runs.flatMap((r) => [...r.keys()]))];
const out = [`| figure | unit | same-run baseline (or anchor) | ${files.map((_, i) => `run ${i + 1}`).join(' | ')} |`, `|---|---|---|${files.map(() => '---|').join('')}`];
for (const name of names) {
  const any = runs.map((r) => r.get(name)).find((l) => l?.value !== undefined);
  const ref = any?.anchor ?? any?.baseline;
  const cells = runs.map((r) => {
    const l = r.get(name);
    if (!l) return '–';
    if (l.failed) return `failed: ${l.failed.slice(0, 48)}`;
    if (l.skipped) return `skipped: ${l.skipped}`;
    const base = l.anchor ?? l.baseline;
    if (l.value === undefined) return '–';
    if (!base) return short(l.value);
    return `${short(l.value)} vs ${short(base.value)} (×${base.value === 0 ? '–' : Math.round((l.value / base.value) * 1000) / 1000})`;
  });
  out.push(`| \`${name}\` | ${any?.unit ?? ''} | ${ref?.name ?? ''} | ${cells.join(' | ')} |`);
}
process.stdout.write(`${out.join('\n')}\n`);
