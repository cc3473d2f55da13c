/** Every modem: state, operator, technology, signal bars. */
import { h } from '../dom.js';
import { signalBars } from '../signal.js';
import type { ModemSummary } from '../types.js';
import { errorText, throttle, type Ctx, type Page } from './page.js';

export function modemsPage({ api, store }: Ctx): Page {
  const body = h('tbody');
  const status = h('p', { class: 'muted' }, 'loading…');
  const el = h(
    'section',
    { class: 'page', 'data-page': 'modems' },
    h('h1', {}, 'Modems'),
    h('table', { class: 'grid', id: 'modems' }, h('thead', {}, h('tr', {}, ...['Modem', 'Model', 'Protocol', 'State', 'Operator', 'Technology', 'Signal', 'Bearers'].map((t) => h('th', {}, t)))), body),
    status,
  );
  let modems: ModemSummary[] = [];

  const render = (): void => {
    body.replaceChildren(...modems.map(row));
    status.textContent = modems.length === 0 ? 'No modems. Start the daemon with --sim PROFILE, or plug one in.' : '';
  };
  const refresh = throttle(() => {
    api.call('list').then(
      (list) => {
        modems = list;
        render();
      },
      (e: unknown) => (status.textContent = errorText(e)),
    );
  }, 200);
  const off = store.on((e) => {
    if (e.event === 'signal') {
      const m = modems.find((x) => x.id === e.modem);
      if (m) {
        m.signal = e.signal;
        body.querySelector(`tr[data-modem="${CSS.escape(e.modem)}"] .bars`)?.replaceWith(bars(m));
      }
    } else if (e.event !== 'trace' && e.event !== 'throughput') refresh();
  });
  refresh();
  return { el, dispose: off };
}

function row(m: ModemSummary): HTMLTableRowElement {
  const r = m.registration;
  return h(
    'tr',
    { 'data-modem': m.id },
    h('td', {}, h('a', { href: `#/modem/${encodeURIComponent(m.id)}` }, m.id)),
    h('td', {}, `${m.manufacturer ?? ''} ${m.model ?? ''}`.trim() || '–'),
    h('td', {}, m.protocol.toUpperCase()),
    h('td', {}, h('span', { class: `badge state-${m.state}` }, m.state)),
    h('td', {}, r?.operator ? `${r.operator.name} (${r.operator.mcc}-${r.operator.mnc})` : '–'),
    h('td', {}, r?.tech ?? '–'),
    h('td', {}, bars(m)),
    h('td', {}, m.bearers.length),
  );
}

function bars(m: ModemSummary): HTMLElement {
  const n = signalBars(m.signal);
  const s = m.signal;
  const title = s ? Object.entries(s).map(([k, v]) => `${k.toUpperCase()} ${v}`).join(', ') : 'no signal report';
  return h('span', { class: 'bars', title, 'aria-label': `${n} of 4 bars`, 'data-bars': n }, ...[1, 2, 3, 4].map((i) => h('i', { class: `b${i}${i <= n ? ' on' : ''}` })));
}
