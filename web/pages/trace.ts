/**
 * Control messages live, newest first: filters by modem, service, message and direction; every TLV or field
 * of one. An indication that repeats (the same one among the last few messages; each one's follow-up
 * request and answer come between) is one row with a count, at the top with its latest time.
 */
import { fmtTime, h } from '../dom.js';
import type { TraceEvent } from '../types.js';
import { errorText, type Ctx, type Page } from './page.js';

/** Rows kept in the table; the store (and the pcap) keep more. */
const SHOWN = 500;
/** How many of the newest rows an indication is folded into. */
const FOLD_WITHIN = 4;

interface QmiTlv {
  type: number;
  name?: string;
  length: number;
  value?: unknown;
  hex: string;
  error?: string;
}

export function tracePage({ api, store }: Ctx): Page {
  const modem = h('select', { name: 'modem', 'aria-label': 'modem' }, h('option', { value: '' }, 'all modems'));
  const service = h('select', { name: 'service', 'aria-label': 'service' }, h('option', { value: '' }, 'all services'));
  const message = h('input', { name: 'message', type: 'search', placeholder: 'message', list: 'trace-messages', 'aria-label': 'message' });
  const messages = h('datalist', { id: 'trace-messages' });
  const direction = h('select', { name: 'direction', 'aria-label': 'direction' }, h('option', { value: '' }, 'both directions'), h('option', { value: 'tx' }, '→ to the modem'), h('option', { value: 'rx' }, '← from the modem'));
  const download = h('button', { type: 'button', id: 'download-pcap' }, 'Download pcap');
  const note = h('span', { class: 'muted' });
  const rows = h('tbody');
  const list = h('div', { class: 'trace-list' }, h('table', { class: 'grid trace', id: 'trace' }, h('thead', {}, h('tr', {}, ...['Time', 'Modem', '', 'Protocol', 'Service', 'Message', 'Summary'].map((t) => h('th', {}, t)))), rows));
  const detail = h('aside', { class: 'detail', id: 'trace-detail' }, h('p', { class: 'muted' }, 'Select a message to see every TLV or field.'));
  const el = h('section', { class: 'page', 'data-page': 'trace' }, h('h1', {}, 'Trace'), h('div', { class: 'toolbar' }, modem, service, message, messages, direction, download, note), h('div', { class: 'split' }, list, detail));

  const known = { modem: new Set<string>(), service: new Set<string>(), message: new Set<string>() };
  const learn = (e: TraceEvent): void => {
    for (const [set, select, value] of [[known.modem, modem, e.modem], [known.service, service, e.service]] as const) {
      if (set.has(value)) continue;
      set.add(value);
      select.append(h('option', { value }, value));
    }
    if (!known.message.has(e.message)) {
      known.message.add(e.message);
      messages.append(h('option', { value: e.message }));
    }
  };
  const matches = (e: TraceEvent): boolean =>
    (!modem.value || e.modem === modem.value) && (!service.value || e.service === service.value) && (!direction.value || e.direction === direction.value) && (!message.value || e.message.toLowerCase().includes(message.value.toLowerCase()));

  let selected: HTMLTableRowElement | undefined;
  /** The latest message each row shows, and how many it stands for. */
  const shownBy = new WeakMap<HTMLTableRowElement, { e: TraceEvent; count: number }>();
  const row = (e: TraceEvent, count = 1): HTMLTableRowElement => {
    const tr = h(
      'tr',
      { class: e.direction, tabindex: 0 },
      h('td', { class: 'time' }, fmtTime(e.time)),
      h('td', {}, e.modem),
      h('td', { class: 'dir', title: e.direction === 'tx' ? 'to the modem' : 'from the modem' }, e.direction === 'tx' ? '→' : '←'),
      h('td', {}, e.protocol.toUpperCase()),
      h('td', {}, e.service),
      h('td', {}, e.message, ' ', h('span', { class: 'badge count', title: 'the same indication, in a row' }, count > 1 ? `×${count}` : '')),
      h('td', {}, e.summary),
    );
    shownBy.set(tr, { e, count });
    const open = (): void => {
      selected?.classList.remove('selected');
      selected = tr;
      tr.classList.add('selected');
      void showDetail(shownBy.get(tr)!.e);
    };
    tr.addEventListener('click', open);
    tr.addEventListener('keydown', (k) => k.key === 'Enter' && open());
    return tr;
  };

  const showDetail = async (e: TraceEvent): Promise<void> => {
    detail.replaceChildren(h('p', { class: 'muted' }, 'decoding…'));
    try {
      const d = await api.describe(e.protocol, e.hex);
      detail.replaceChildren(h('h3', {}, `${e.protocol.toUpperCase()} ${e.service} ${e.message}`), h('p', { class: 'muted' }, `${e.modem}, ${e.direction === 'tx' ? 'to' : 'from'} the modem at ${fmtTime(e.time)}, ${e.hex.length / 2} bytes`), ...describeView(e.protocol, d), h('h4', {}, 'Bytes'), h('pre', { class: 'hex' }, e.hex.replace(/(..)/g, '$1 ').replace(/((?:.. ){16})/g, '$1\n').trim()));
    } catch (err) {
      detail.replaceChildren(h('p', { class: 'error' }, errorText(err)));
    }
  };

  const noteShown = (): void => {
    note.textContent = `${rows.childElementCount} rows (newest first) of ${store.trace.length} messages kept`;
  };
  /** Rebuilds the table from the store: the last SHOWN messages that pass the filters, runs of an indication folded. */
  const rebuild = (): void => {
    for (const e of store.trace) learn(e);
    const groups: { e: TraceEvent; count: number }[] = [];
    for (const e of store.trace.filter(matches).slice(-SHOWN)) {
      const at = groups.findLastIndex((g, i) => i >= groups.length - FOLD_WITHIN && sameIndication(g.e, e));
      const count = at < 0 ? 1 : groups.splice(at, 1)[0]!.count + 1;
      groups.push({ e, count });
    }
    rows.replaceChildren(...groups.reverse().map((g) => row(g.e, g.count)));
    noteShown();
    list.scrollTop = 0;
  };
  for (const f of [modem, service, direction]) f.addEventListener('change', rebuild);
  message.addEventListener('input', rebuild);
  download.addEventListener('click', () => api.downloadPcap().catch((e: unknown) => (note.textContent = errorText(e))));

  const off = store.on((e) => {
    if (e.event === 'hello') return rebuild();
    if (e.event !== 'trace') return;
    learn(e);
    if (!matches(e)) return;
    const fold = ([...rows.children] as HTMLTableRowElement[]).slice(0, FOLD_WITHIN).find((r) => sameIndication(shownBy.get(r)!.e, e));
    if (fold) {
      const group = shownBy.get(fold)!;
      group.e = e;
      group.count++;
      fold.querySelector('.time')!.textContent = fmtTime(e.time);
      fold.querySelector('.count')!.textContent = `×${group.count}`;
      rows.prepend(fold);
      noteShown();
      return;
    }
    // A reader who scrolled down keeps their place; one at the top sees the newest.
    const before = list.scrollHeight;
    rows.prepend(row(e));
    while (rows.childElementCount > SHOWN) rows.lastElementChild?.remove();
    if (list.scrollTop > 4) list.scrollTop += list.scrollHeight - before;
    noteShown();
  });
  rebuild();
  return { el, dispose: off };
}

/** Two messages that fold into one row: the same indication from the same modem. */
function sameIndication(a: TraceEvent, b: TraceEvent): boolean {
  const indication = (e: TraceEvent): boolean => e.direction === 'rx' && /\bindication\b|INDICATE_STATUS/i.test(e.summary);
  return indication(a) && indication(b) && a.modem === b.modem && a.service === b.service && a.message === b.message;
}

/** QMI: the header, then a table of TLVs. MBIM: the header, then the decoded fields. Problems last. */
function describeView(protocol: 'qmi' | 'mbim', d: Record<string, unknown>): HTMLElement[] {
  const { tlvs, fields, errors, ...header } = d as { tlvs?: QmiTlv[]; fields?: unknown; errors?: { field: string; offset: number; reason?: string; message?: string }[] };
  const out: HTMLElement[] = [h('dl', { class: 'header' }, ...Object.entries(header).flatMap(([k, v]) => [h('dt', {}, k), h('dd', {}, headerValue(v))]))];
  if (protocol === 'qmi') {
    out.push(
      h('h4', {}, 'TLVs'),
      h(
        'table',
        { class: 'grid tlvs' },
        h('thead', {}, h('tr', {}, ...['Type', 'Name', 'Length', 'Value'].map((t) => h('th', {}, t)))),
        h('tbody', {}, ...(tlvs ?? []).map((t) => h('tr', {}, h('td', {}, `0x${t.type.toString(16).padStart(2, '0')}`), h('td', {}, t.name ?? '?'), h('td', {}, t.length), h('td', {}, h('code', {}, t.value === undefined ? t.hex : JSON.stringify(t.value)), t.error ? h('div', { class: 'error' }, t.error) : null)))),
      ),
    );
  } else if (fields !== undefined) {
    out.push(h('h4', {}, 'Fields'), h('pre', { class: 'fields' }, JSON.stringify(fields, null, 2)));
  }
  if (errors?.length) out.push(h('h4', {}, 'Problems'), h('ul', { class: 'error' }, ...errors.map((e) => h('li', {}, `${e.field} at ${e.offset}: ${e.reason ?? e.message ?? ''}`))));
  return out;
}

/** `{id, name}` pairs (service, message, CID) read best as `name (id)`. */
function headerValue(v: unknown): string {
  if (v && typeof v === 'object' && 'name' in v && 'id' in v) return `${String(v.name)} (${String(v.id)})`;
  return typeof v === 'object' ? JSON.stringify(v) : String(v);
}
