/** One modem: identity, SIM, registration, signal over time, bearers and links with live throughput, actions. */
import { TimeChart } from '../charts.js';
import { fmtRate, fmtTime, h } from '../dom.js';
import type { Link, ModemInfo, Profiles } from '../types.js';
import type { Params } from '../../src/daemon/api.js';
import { errorText, throttle, type Ctx, type Page } from './page.js';

const dbm = (v: number): string => `${v} dBm`;
const db = (v: number): string => `${v} dB`;

export function modemPage({ api, store }: Ctx, id: string): Page {
  const title = h('h1', {}, id);
  const cards = h('div', { class: 'cards' });
  const signalChart = new TimeChart(
    'Signal',
    [
      { label: 'RSSI', color: '#4f9dff', scale: 'dBm', format: dbm },
      { label: 'RSRP', color: '#3ccf91', scale: 'dBm', format: dbm },
      { label: 'RSRQ', color: '#f5b942', scale: 'dB', format: db },
      { label: 'SNR', color: '#e0679a', scale: 'dB', format: db },
    ],
    [
      { scale: 'dBm', label: 'dBm', side: 3, format: String },
      { scale: 'dB', label: 'dB', side: 1, format: String },
    ],
  );
  signalChart.el.id = 'signal-chart';
  const bearerRows = h('tbody');
  const throughputCharts = h('div', { class: 'throughput' });
  const charts = new Map<string, TimeChart>();
  const progress = h('ol', { class: 'progress', id: 'progress', 'aria-live': 'polite' });
  const apn = h('input', { name: 'apn', value: 'internet', required: true, size: 16, 'aria-label': 'APN' });
  const ipType = h('select', { name: 'ipType', 'aria-label': 'IP type' }, ...['ipv4', 'ipv6', 'ipv4v6'].map((t) => h('option', { value: t }, t)));
  const linkId = h('input', { name: 'linkId', type: 'number', min: 0, max: 255, placeholder: 'auto', size: 5, 'aria-label': 'link id' });
  const connectButton = h('button', { type: 'submit' }, 'Connect');
  const form = h('form', { class: 'connect', id: 'connect' }, h('label', {}, 'APN ', apn), h('label', {}, 'IP ', ipType), h('label', {}, 'link id ', linkId), connectButton);
  // The PIN goes to the daemon and is cleared at once; the page shows retries, never the PIN.
  const pin = h('input', { name: 'pin', type: 'password', inputmode: 'numeric', autocomplete: 'off', pattern: '[0-9]{4,8}', required: true, size: 8, 'aria-label': 'SIM PIN' });
  const pinForm = h('form', { class: 'connect', id: 'unlock', hidden: true }, h('label', {}, 'SIM PIN ', pin), h('button', { type: 'submit' }, 'Unlock'));
  const profileRows = h('tbody');
  const profilesNote = h('p', { class: 'muted', id: 'profiles-note' });
  const el = h(
    'section',
    { class: 'page', 'data-page': 'modem' },
    h('p', { class: 'crumbs' }, h('a', { href: '#/' }, 'Modems'), ' / ', id, ' · ', h('a', { href: `#/modem/${encodeURIComponent(id)}/messages`, id: 'messages-link' }, 'Messages'), ' · ', h('a', { href: `#/modem/${encodeURIComponent(id)}/radio`, id: 'radio-link' }, 'Radio and SIM')),
    title,
    pinForm,
    cards,
    h('h2', {}, 'Signal'),
    signalChart.el,
    h('h2', {}, 'Bearers and links'),
    form,
    progress,
    h('table', { class: 'grid', id: 'bearers' }, h('thead', {}, h('tr', {}, ...['Bearer', 'Status', 'APN', 'Link id', 'Link', 'Framing', 'Addresses', 'Down', 'Up', ''].map((t) => h('th', {}, t)))), bearerRows),
    throughputCharts,
    h('h2', {}, 'Configured bearers'),
    profilesNote,
    h('table', { class: 'grid', id: 'profiles' }, h('thead', {}, h('tr', {}, ...['APNs, in order', 'IP type', 'Authentication', 'Multiplexing', 'Link id', 'Bearer'].map((t) => h('th', {}, t)))), profileRows),
  );
  let profiles: Profiles | undefined;

  let info: ModemInfo | undefined;
  let links: Link[] = [];
  let busy = false;

  // Step numbers are the page's own text, not list markers: markers sit outside the box, where a scrolled list clips them.
  let steps = 0;
  const step = (text: string, kind = ''): void => {
    progress.append(h('li', { class: kind }, h('span', { class: 'n' }, `${++steps}.`), h('time', {}, fmtTime(Date.now())), ' ', text));
    while (progress.childElementCount > 40) progress.firstElementChild?.remove();
    progress.scrollTop = progress.scrollHeight;
  };

  /** Runs a connect or disconnect, showing its steps (bearer states, control messages) and its outcome. */
  const act = async (label: string, fn: () => Promise<string>): Promise<void> => {
    busy = true;
    connectButton.disabled = true;
    progress.replaceChildren();
    steps = 0;
    step(label);
    try {
      step(await fn(), 'ok');
    } catch (e) {
      step(errorText(e), 'error');
    } finally {
      busy = false;
      connectButton.disabled = false;
      refresh();
    }
  };

  pinForm.addEventListener('submit', (e) => {
    e.preventDefault();
    const value = pin.value;
    pin.value = '';
    void act('unlock the SIM', async () => {
      const r = await api.call('unlock', { modem: id, pin: value });
      const retries = r.retries !== undefined ? `; ${r.retries} PIN retries left` : '';
      if (!r.unlocked) throw new Error(`the PIN was refused${retries}`);
      return `SIM unlocked${retries}`;
    });
  });

  form.addEventListener('submit', (e) => {
    e.preventDefault();
    const params = { modem: id, apns: apn.value.split(',').map((a) => a.trim()).filter(Boolean), ipType: ipType.value as Params<'connect'>['ipType'], ...(linkId.value ? { linkId: Number(linkId.value) } : {}) };
    void act(`connect ${params.apns.join(', ')} (${params.ipType})`, async () => {
      const b = await api.call('connect', params);
      return `connected: bearer ${b.id} on link ${b.linkId}${b.interface ? ` (${b.interface})` : ''}${b.ipv4 ? `, ${b.ipv4.address}/${b.ipv4.prefix}` : ''}${b.ipv6 ? `, ${b.ipv6.address}/${b.ipv6.prefix}` : ''}`;
    });
  });

  const render = (): void => {
    if (!info) return;
    const m = info;
    const r = m.registration;
    title.replaceChildren(`${m.id} `, h('small', {}, `${m.manufacturer ?? ''} ${m.model ?? ''}`), ' ', h('span', { class: `badge state-${m.state}` }, m.state));
    cards.replaceChildren(
      card('Identity', [['Manufacturer', m.manufacturer], ['Model', m.model], ['Revision', m.revision], ['IMEI', m.imei, 'num'], ['Control', m.protocol.toUpperCase()]]),
      card('SIM', [['Status', m.sim?.status], ['ICCID', m.sim?.iccid, 'num'], ['IMSI', m.sim?.imsi, 'num'], ['Own number', m.sim?.ownNumber, 'num'], ['PIN retries', m.sim?.pinRetries], ['PUK retries', m.sim?.pukRetries]], 'sim'),
      card('Registration', [['State', r?.state], ['Operator', r?.operator?.name], ['MCC-MNC', r?.operator ? `${r.operator.mcc}-${r.operator.mnc}` : undefined], ['Technology', r?.tech]]),
      signalCard(m.signal),
      card('Data format', Object.entries(m.dataFormat ?? { framing: 'not negotiated yet' }).map(([k, v]) => formatField(k, v))),
    );
    pinForm.hidden = m.sim?.status !== 'pin-required';
    renderProfiles();
    bearerRows.replaceChildren(
      ...m.bearers.map((b) => {
        const link = links.find((l) => l.bearer === b.id);
        return h(
          'tr',
          { 'data-bearer': b.id, 'data-link': link?.name },
          h('td', {}, b.id),
          h('td', {}, h('span', { class: `badge state-${b.status}` }, b.status), b.error ? h('div', { class: 'error' }, b.error) : null),
          h('td', {}, b.apn ?? '–'),
          h('td', {}, b.linkId),
          h('td', {}, b.interface ?? '–'),
          h('td', {}, link ? `${link.framing} (${link.backend})` : '–'),
          h('td', {}, link?.addresses.join(' ') || [b.ipv4 && `${b.ipv4.address}/${b.ipv4.prefix}`, b.ipv6 && `${b.ipv6.address}/${b.ipv6.prefix}`].filter(Boolean).join(' ') || '–'),
          h('td', { class: 'rate down' }, '–'),
          h('td', { class: 'rate up' }, '–'),
          h('td', {}, h('button', { class: 'small', onclick: () => void act(`disconnect link ${b.linkId}`, async () => `disconnected ${(await api.call('disconnect', { modem: id, linkId: b.linkId })).disconnected} bearer(s)`) }, 'Disconnect')),
        );
      }),
    );
    if (m.bearers.length === 0) bearerRows.append(h('tr', {}, h('td', { colspan: 10, class: 'muted' }, 'No bearers. Connect one above.')));
    updateRates();
  };

  const renderProfiles = (): void => {
    if (!profiles) return;
    profilesNote.textContent = profiles.config === null ? 'The daemon runs without a configuration file (wwan daemon --config).' : `From ${profiles.config}: autoconnect ${profiles.autoconnect ? 'on' : 'off'}${profiles.pin ? ', PIN from a file' : ''}.`;
    profileRows.replaceChildren(
      ...profiles.bearers.map((b) => h('tr', {}, h('td', {}, b.apns.join(', ')), h('td', {}, IP_TYPES[b.ipType] ?? b.ipType), h('td', {}, b.auth === undefined || b.auth === 'none' ? 'none' : `${b.auth.toUpperCase()}${b.user ? ` as ${b.user}` : ''}`), h('td', {}, b.multiplex), h('td', {}, b.linkId ?? 'any'), h('td', {}, b.bearer === null ? h('span', { class: 'badge state-connecting' }, 'not up') : h('span', { class: 'badge state-connected' }, `bearer ${b.bearer}`)))),
    );
    if (profiles.bearers.length === 0) profileRows.append(h('tr', {}, h('td', { colspan: 6, class: 'muted' }, 'No configured bearers for this modem.')));
  };

  /** Each second: the rate cells and charts only, so buttons under the pointer stay put. */
  const updateRates = (): void => {
    for (const row of bearerRows.querySelectorAll<HTMLElement>('tr[data-link]')) {
      const rate = store.throughput.get(`${id}/${row.dataset.link}`)?.at(-1);
      row.querySelector('.down')!.textContent = rate ? fmtRate(rate[1]) : '–';
      row.querySelector('.up')!.textContent = rate ? fmtRate(rate[2]) : '–';
    }
    renderThroughput();
  };

  /** One chart per link, made and dropped as links come and go. */
  const renderThroughput = (): void => {
    for (const l of links) {
      const key = `${id}/${l.name}`;
      let chart = charts.get(key);
      if (!chart) {
        chart = new TimeChart(`${l.name} (link ${l.linkId}, ${l.framing})`, [
          { label: 'down', color: '#3ccf91', scale: 'B/s', format: fmtRate },
          { label: 'up', color: '#4f9dff', scale: 'B/s', format: fmtRate },
        ], [{ scale: 'B/s', label: '', side: 3, format: fmtRate, size: 90 }], 150);
        chart.el.dataset.link = l.name;
        charts.set(key, chart);
        throughputCharts.append(chart.el);
      }
      chart.setData(store.throughput.get(key) ?? []);
    }
    for (const [key, chart] of charts) {
      if (links.some((l) => `${id}/${l.name}` === key)) continue;
      chart.destroy();
      chart.el.remove();
      charts.delete(key);
    }
  };

  const refresh = throttle(() => {
    Promise.all([api.call('info', { modem: id }), api.call('links'), api.call('profiles', { modem: id })]).then(
      ([i, l, p]) => {
        info = i;
        profiles = p;
        links = l.filter((x) => x.modem === id);
        render();
      },
      (e: unknown) => {
        title.textContent = id;
        cards.replaceChildren(h('p', { class: 'error' }, errorText(e)));
      },
    );
  }, 150);

  signalChart.setData(store.signal.get(id) ?? []);
  const off = store.on((e) => {
    if (e.event === 'hello') {
      signalChart.setData(store.signal.get(id) ?? []);
      refresh();
    } else if (e.event === 'throughput') {
      if (e.links.some((l) => l.modem === id)) updateRates();
    } else if (e.event === 'trace') {
      if (busy && e.modem === id) step(`${e.direction === 'tx' ? '→' : '←'} ${e.summary}`, 'msg');
    } else if (e.modem === id) {
      if (e.event === 'signal') {
        signalChart.setData(store.signal.get(id) ?? []);
        if (info) info.signal = e.signal;
        cards.querySelector('#signal-now')?.replaceWith(signalCard(e.signal));
        return;
      }
      if (busy && e.event === 'bearer') step(`bearer ${e.bearer.id}: ${e.bearer.status}${e.bearer.error ? ` (${e.bearer.error})` : ''}`, 'state');
      refresh();
    }
  });
  refresh();
  return {
    el,
    dispose: () => {
      off();
      signalChart.destroy();
      for (const c of charts.values()) c.destroy();
    },
  };
}

/** A card of named values; a `num` value (IMEI, ICCID) never wraps mid-number. */
function card(name: string, rows: [string, string | number | undefined, 'num'?][], id?: string): HTMLElement {
  return h('div', { class: 'card', id }, h('h3', {}, name), h('dl', {}, ...rows.flatMap(([k, v, kind]) => [h('dt', {}, k), h('dd', { class: kind }, v === undefined ? '–' : String(v))])));
}

const signalCard = (s: ModemInfo['signal']): HTMLElement =>
  card('Signal', [['RSSI', unit(s?.rssi, 'dBm')], ['RSRP', unit(s?.rsrp, 'dBm')], ['RSRQ', unit(s?.rsrq, 'dB')], ['SNR', unit(s?.snr, 'dB')]], 'signal-now');

const unit = (v: number | undefined, u: string): string | undefined => (v === undefined ? undefined : `${v} ${u}`);

const IP_TYPES: Record<string, string> = { ipv4: 'IPv4', ipv6: 'IPv6', ipv4v6: 'IPv4 and IPv6' };

/** The data format's fields as people read them: names, and units on every figure. */
const FORMAT_FIELDS: Record<string, [string, (v: number) => string]> = {
  version: ['QMAP version', String],
  maxDatagrams: ['Packets per transfer, at most', (v) => `${v} packets`],
  maxBytes: ['Transfer size, at most', (v) => `${v} bytes`],
  timeLimitMs: ['Aggregation time limit', (v) => `${v} ms`],
  mtu: ['MTU', (v) => `${v} bytes`],
};

function formatField(key: string, v: unknown): [string, string] {
  if (key === 'framing') return ['Framing', { qmap: 'QMAP', ntb: 'MBIM NTB', 'raw-ip': 'raw IP', 'bam-dmux': 'BAM-DMUX', qmimux: 'qmimux' }[String(v)] ?? String(v)];
  const known = FORMAT_FIELDS[key];
  if (known && typeof v === 'number') return [known[0], known[1](v)];
  const words = key.replace(/([a-z])([A-Z])/g, '$1 $2').toLowerCase();
  return [words.charAt(0).toUpperCase() + words.slice(1), typeof v === 'object' ? JSON.stringify(v) : String(v)];
}
