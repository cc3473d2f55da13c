/**
 * One modem's radio and SIM: operator scan (with progress) and registration, allowed modes and bands,
 * the cell table, the packet domain (attach, detach) and the initial EPS bearer, PIN/PUK entry and PIN
 * settings, SIM slots. Codes and passwords go to the daemon and the fields are cleared at once; the page
 * shows tries left, never a code.
 */
import { h } from '../dom.js';
import type { Params, Result } from '../../src/daemon/api.js';
import { errorText, throttle, type Ctx, type Page } from './page.js';

type Tech = Params<'setModes'>['allowed'][number];
type EpsSettings = NonNullable<Params<'initialEps'>['settings']>;
const TECH_NAMES: Record<Tech, string> = { gsm: '2G (GSM)', umts: '3G (UMTS)', lte: '4G (LTE)', nr5g: '5G (NR)' };

const codeInput = (name: string, label: string, digits = '4,8'): HTMLInputElement =>
  h('input', { name, type: 'password', inputmode: 'numeric', autocomplete: 'off', pattern: `[0-9]{${digits}}`, size: 8, 'aria-label': label });

export function radioPage({ api, store }: Ctx, id: string): Page {
  const status = h('p', { class: 'muted', id: 'radio-status', 'aria-live': 'polite' });
  const say = (text: string): void => void (status.textContent = text);
  const scanButton = h('button', { id: 'scan' }, 'Scan');
  const autoButton = h('button', { id: 'register-auto' }, 'Automatic');
  const scanStatus = h('span', { class: 'muted', id: 'scan-status', 'aria-live': 'polite' });
  const networkRows = h('tbody');
  const modeBoxes = h('span', { id: 'mode-boxes' });
  const preferred = h('select', { name: 'preferred', 'aria-label': 'preferred technology' });
  const modesNow = h('span', { class: 'muted', id: 'modes-now' });
  const modesForm = h('form', { class: 'connect', id: 'modes' }, modeBoxes, h('label', {}, ' preferred ', preferred), h('button', { type: 'submit' }, 'Apply'), ' ', modesNow);
  const bandBoxes = h('div', { id: 'band-boxes', class: 'bands' });
  const anyBand = h('input', { type: 'checkbox', name: 'any' });
  const bandsForm = h('form', { class: 'connect', id: 'bands' }, h('label', {}, anyBand, ' any band'), bandBoxes, h('button', { type: 'submit' }, 'Apply'));
  const cellRows = h('tbody');
  const packetNow = h('span', { id: 'packet-state' });
  const packetButton = h('button', { id: 'packet-toggle', class: 'small', hidden: true });
  const epsNow = h('p', { id: 'eps-now' });
  const epsApn = h('input', { name: 'apn', size: 16, 'aria-label': 'APN', autocomplete: 'off' });
  const epsIp = h('select', { name: 'ipType', 'aria-label': 'IP type' }, ...['ipv4', 'ipv6', 'ipv4v6'].map((v) => h('option', { value: v }, v)));
  const epsAuth = h('select', { name: 'auth', 'aria-label': 'authentication' }, ...['none', 'pap', 'chap', 'both'].map((v) => h('option', { value: v }, v)));
  const epsUser = h('input', { name: 'user', size: 10, 'aria-label': 'user', autocomplete: 'off' });
  const epsPassword = h('input', { name: 'password', type: 'password', size: 10, 'aria-label': 'password', autocomplete: 'off' });
  const epsForm = h('form', { class: 'connect', id: 'eps' }, h('label', {}, 'APN ', epsApn), h('label', {}, ' IP ', epsIp), h('label', {}, ' auth ', epsAuth), h('label', {}, ' user ', epsUser), h('label', {}, ' password ', epsPassword), h('button', { type: 'submit' }, 'Store'));
  const locks = h('p', { id: 'sim-locks' });
  const pin = codeInput('pin', 'PIN');
  const puk = codeInput('puk', 'PUK', '8');
  const newPin = codeInput('newPin', 'new PIN');
  const pinAction = h('select', { name: 'action', 'aria-label': 'PIN action' });
  const pinForm = h('form', { class: 'connect', id: 'pin' }, pinAction, h('label', { 'data-for': 'pin' }, ' PIN ', pin), h('label', { 'data-for': 'puk' }, ' PUK ', puk), h('label', { 'data-for': 'newPin' }, ' new PIN ', newPin), h('button', { type: 'submit' }, 'Send'));
  const slotRows = h('tbody');
  const table = (tableId: string, heads: string[], body: HTMLElement): HTMLElement => h('table', { class: 'grid', id: tableId }, h('thead', {}, h('tr', {}, ...heads.map((t) => h('th', {}, t)))), body);
  const el = h(
    'section',
    { class: 'page', 'data-page': 'radio' },
    h('p', { class: 'crumbs' }, h('a', { href: '#/' }, 'Modems'), ' / ', h('a', { href: `#/modem/${encodeURIComponent(id)}` }, id), ' / radio and SIM'),
    h('h1', {}, `${id} radio and SIM`),
    status,
    h('h2', {}, 'Operators'),
    h('p', {}, scanButton, ' ', autoButton, ' ', scanStatus),
    table('networks', ['Operator', 'MCC MNC', 'Technology', 'Status', ''], networkRows),
    h('h2', {}, 'Access technologies'),
    modesForm,
    h('h2', {}, 'Bands'),
    bandsForm,
    h('h2', {}, 'Cells ', h('button', { class: 'small', id: 'cells-refresh', onclick: () => void cells() }, 'Refresh')),
    table('cells', ['', 'Technology', 'PLMN', 'Cell id', 'Area', 'ARFCN', 'Band', 'PCI', 'RSSI', 'RSRP', 'RSRQ', 'SNR'], cellRows),
    h('h2', {}, 'Packet domain'),
    h('p', {}, packetNow, ' ', packetButton),
    h('h3', {}, 'Initial EPS bearer'),
    epsNow,
    epsForm,
    h('h2', {}, 'SIM'),
    locks,
    pinForm,
    table('slots', ['Slot', 'Card', 'ICCID', 'EID', ''], slotRows),
  );

  let disposed = false;
  /** Runs an action, saying what it does and then how it went; refreshes `after` either way. */
  const act = async (doing: string, fn: () => Promise<string>, after: () => Promise<void>): Promise<void> => {
    say(doing);
    try {
      say(await fn());
    } catch (e) {
      say(errorText(e));
    }
    if (!disposed) await after();
  };
  const quietly = (fn: () => Promise<void>) => (): Promise<void> => fn().catch((e: unknown) => void (!disposed && say(errorText(e))));

  const renderNetworks = (networks: Result<'scan'>['networks']): void => {
    networkRows.replaceChildren(
      ...networks.map((n) =>
        h(
          'tr',
          { 'data-plmn': `${n.mcc}${n.mnc}`, 'data-status': n.status },
          h('td', {}, n.name ?? ''),
          h('td', {}, `${n.mcc} ${n.mnc}`),
          h('td', {}, TECH_NAMES[n.tech]),
          h('td', {}, n.status),
          h('td', {}, h('button', { class: 'small', onclick: () => void act(`registering in ${n.name ?? `${n.mcc}${n.mnc}`}…`, async () => (await api.call('register', { modem: id, mcc: n.mcc, mnc: n.mnc }), `registered in ${n.name ?? `${n.mcc}${n.mnc}`}`), cells) }, 'Register')),
        ),
      ),
    );
  };
  scanButton.addEventListener('click', () => {
    scanButton.disabled = true;
    scanStatus.textContent = 'scanning…';
    api
      .call('scan', { modem: id })
      .then((r) => {
        if (disposed) return;
        renderNetworks(r.networks);
        scanStatus.textContent = `${r.networks.length} network(s) found`;
      })
      .catch((e: unknown) => !disposed && (scanStatus.textContent = errorText(e)))
      .finally(() => (scanButton.disabled = false));
  });
  autoButton.addEventListener('click', () => void act('automatic registration…', async () => (await api.call('register', { modem: id }), 'registration is automatic'), cells));

  const modes = quietly(async () => {
    const r = await api.call('modes', { modem: id });
    if (disposed) return;
    const techs = [...new Set(r.supported.flatMap((s) => s.allowed))];
    modeBoxes.replaceChildren(...techs.map((t) => h('label', {}, h('input', { type: 'checkbox', name: 'allowed', value: t, checked: r.current.allowed.includes(t) }), ` ${TECH_NAMES[t]} `)));
    preferred.replaceChildren(h('option', { value: '' }, 'none'), ...techs.map((t) => h('option', { value: t, selected: r.current.preferred === t }, TECH_NAMES[t])));
    modesNow.textContent = `now ${r.current.allowed.map((t) => TECH_NAMES[t]).join(' + ')}${r.current.preferred ? `, ${TECH_NAMES[r.current.preferred]} preferred` : ''}`;
  });
  modesForm.addEventListener('submit', (e) => {
    e.preventDefault();
    const allowed = [...modeBoxes.querySelectorAll<HTMLInputElement>('input:checked')].map((b) => b.value as Tech);
    const pref = preferred.value as Tech | '';
    void act('setting the access technologies…', async () => (await api.call('setModes', { modem: id, allowed, ...(pref ? { preferred: pref } : {}) }), 'access technologies set'), modes);
  });

  const bands = quietly(async () => {
    const r = await api.call('bands', { modem: id });
    if (disposed) return;
    anyBand.checked = r.current.length === 0;
    const on = (b: { tech: string; band: number }): boolean => r.current.some((c) => c.tech === b.tech && c.band === b.band);
    bandBoxes.replaceChildren(...r.supported.map((b) => h('label', {}, h('input', { type: 'checkbox', name: 'band', value: `${b.tech}:${b.band}`, checked: on(b) }), ` ${b.tech} ${b.band} `)));
  });
  bandsForm.addEventListener('submit', (e) => {
    e.preventDefault();
    const chosen = anyBand.checked ? [] : [...bandBoxes.querySelectorAll<HTMLInputElement>('input:checked')].map((b) => ({ tech: b.value.split(':')[0] as Tech, band: Number(b.value.split(':')[1]) }));
    void act('setting the bands…', async () => (await api.call('setBands', { modem: id, bands: chosen }), chosen.length ? `${chosen.length} band(s) set` : 'every supported band'), bands);
  });

  const cells = quietly(async () => {
    const r = await api.call('cells', { modem: id });
    if (disposed) return;
    cellRows.replaceChildren(
      ...r.cells.map((c) =>
        h('tr', { class: c.serving ? 'serving' : '' }, ...[c.serving ? 'serving' : 'neighbour', TECH_NAMES[c.tech], c.mcc !== undefined ? `${c.mcc} ${c.mnc ?? ''}` : '', c.cellId, c.areaCode, c.arfcn, c.band, c.pci, c.rssi, c.rsrp, c.rsrq, c.snr].map((v) => h('td', {}, v ?? ''))),
      ),
    );
  });

  const packet = quietly(async () => {
    const r = await api.call('packetService', { modem: id });
    if (disposed) return;
    packetNow.textContent = r.state;
    packetNow.dataset.state = r.state;
    packetButton.textContent = r.state === 'attached' ? 'Detach' : 'Attach';
    packetButton.hidden = false;
  });
  packetButton.addEventListener('click', () => {
    const state = packetNow.dataset.state === 'attached' ? 'detached' : 'attached';
    void act(`${state === 'attached' ? 'attaching' : 'detaching'}…`, async () => (await api.call('packetService', { modem: id, state }), state), packet);
  });
  const settingsText = (s: Result<'initialEps'>['settings']): string =>
    `${s.apn || '(no APN)'}${s.ipType ? `, ${s.ipType}` : ''}${s.auth && s.auth !== 'none' ? `, ${s.auth.toUpperCase()}${s.user ? ` as ${s.user}` : ''}` : ''}`;
  const eps = quietly(async () => {
    const r = await api.call('initialEps', { modem: id });
    if (disposed) return;
    epsNow.textContent = `Stored: ${settingsText(r.settings)}. ${r.bearer ? `Attached with: ${settingsText(r.bearer)}.` : 'Not attached to LTE.'}`;
    // The form starts from what is stored, unless it is being edited.
    if (!epsForm.contains(document.activeElement)) {
      epsApn.value = r.settings.apn;
      epsIp.value = r.settings.ipType ?? 'ipv4v6';
      epsAuth.value = r.settings.auth ?? 'none';
      epsUser.value = r.settings.user ?? '';
    }
  });
  epsForm.addEventListener('submit', (e) => {
    e.preventDefault();
    const password = epsPassword.value;
    epsPassword.value = '';
    const settings = { apn: epsApn.value.trim(), ipType: epsIp.value as EpsSettings['ipType'], auth: epsAuth.value as EpsSettings['auth'], ...(epsUser.value ? { user: epsUser.value } : {}), ...(password ? { password } : {}) };
    void act('storing the initial EPS bearer settings…', async () => (await api.call('initialEps', { modem: id, settings }), 'initial EPS bearer settings stored'), async () => (await eps(), await packet()));
  });

  /** The PIN actions that make sense in the SIM's state, and the fields each needs. */
  const pinFields = (): void => {
    const need: Record<string, string[]> = { enter: ['pin'], unblock: ['puk', 'newPin'], enable: ['pin'], disable: ['pin'], change: ['pin', 'newPin'] };
    const action = pinAction.value;
    for (const label of pinForm.querySelectorAll<HTMLElement>('label[data-for]')) {
      const on = need[action]?.includes(label.dataset.for!) ?? false;
      label.hidden = !on;
      label.querySelector('input')!.required = on;
    }
  };
  pinAction.addEventListener('change', pinFields);
  const sim = quietly(async () => {
    const [i, l] = await Promise.all([api.call('info', { modem: id }), api.call('simLocks', { modem: id })]);
    if (disposed) return;
    const st = i.sim?.status ?? 'unknown';
    const tries = (['pin1', 'puk1', 'pin2', 'puk2'] as const).filter((k) => l.retries[k] !== undefined).map((k) => `${k.toUpperCase()} ${l.retries[k]}`);
    locks.textContent = `SIM ${st}${l.pin1Enabled === undefined ? '' : `, PIN ${l.pin1Enabled ? 'on' : 'off'}`}; tries left: ${tries.join(', ') || 'unknown'}`;
    const actions = st === 'pin-required' ? ['enter'] : st === 'puk-required' ? ['unblock'] : st === 'ready' ? [...(l.pin1Enabled === true ? [] : ['enable']), ...(l.pin1Enabled === false ? [] : ['disable']), 'change'] : [];
    if (pinAction.dataset.actions !== actions.join()) {
      pinAction.dataset.actions = actions.join();
      pinAction.replaceChildren(...actions.map((a) => h('option', { value: a }, { enter: 'Enter PIN', unblock: 'Unblock with PUK', enable: 'Turn PIN on', disable: 'Turn PIN off', change: 'Change PIN' }[a]!)));
    }
    pinForm.hidden = actions.length === 0;
    pinFields();
  });
  pinForm.addEventListener('submit', (e) => {
    e.preventDefault();
    const [p, k, n] = [pin.value, puk.value, newPin.value];
    // The codes leave the page's fields before anything else happens.
    pin.value = puk.value = newPin.value = '';
    const outcome = (what: string, r: { ok: boolean; retries?: number }): string => `${r.ok ? what : 'the code was refused'}${r.retries !== undefined ? ` (${r.retries} tries left)` : ''}`;
    const run = async (): Promise<string> => {
      switch (pinAction.value) {
        case 'enter':
        case 'unblock': {
          const r = await api.call('unlock', { modem: id, ...(pinAction.value === 'unblock' ? { puk: k, pin: n } : { pin: p }) });
          return outcome(`SIM ${r.sim}`, { ok: r.unlocked, ...(r.retries !== undefined ? { retries: r.retries } : {}) });
        }
        case 'change':
          return outcome('PIN changed', await api.call('pinChange', { modem: id, lock: 'pin1', pin: p, newPin: n }));
        default:
          return outcome(`PIN turned ${pinAction.value === 'enable' ? 'on' : 'off'}`, await api.call('pinEnable', { modem: id, lock: 'pin1', pin: p, enable: pinAction.value === 'enable' }));
      }
    };
    void act('sending the code…', run, sim);
  });

  const slots = quietly(async () => {
    const r = await api.call('slots', { modem: id });
    if (disposed) return;
    slotRows.replaceChildren(
      ...r.slots.map((s) =>
        h(
          'tr',
          { 'data-slot': s.slot, class: s.active ? 'active' : '' },
          h('td', {}, `${s.slot}${s.active ? ' (active)' : ''}`),
          h('td', {}, s.present ? s.kind.toUpperCase() : 'empty'),
          h('td', {}, s.iccid ?? ''),
          h('td', {}, s.eid ?? ''),
          h('td', {}, s.active || !s.present ? '' : h('button', { class: 'small', onclick: () => void act(`switching to slot ${s.slot}…`, async () => (await api.call('setSlot', { modem: id, slot: s.slot }), `slot ${s.slot} is active`), async () => (await slots(), await sim())) }, 'Use')),
        ),
      ),
    );
  });

  const later = { modes: throttle(() => void modes(), 300), bands: throttle(() => void bands(), 300), slots: throttle(() => void slots(), 300), locks: throttle(() => void sim(), 300), eps: throttle(() => void eps(), 300), packet: throttle(() => void packet(), 300) };
  const off = store.on((e) => {
    if (e.event === 'radio' && e.modem === id) {
      if (e.what === 'scan') scanStatus.textContent = e.done ? scanStatus.textContent : 'scanning…';
      else if (e.what in later) later[e.what as keyof typeof later]();
    }
    if (e.event === 'state' && e.modem === id) later.locks();
    if (e.event === 'registration' && e.modem === id) {
      void cells();
      later.packet();
      later.eps();
    }
  });
  void Promise.all([modes(), bands(), cells(), packet(), eps(), sim(), slots()]);
  return {
    el,
    dispose: () => {
      disposed = true;
      off();
    },
  };
}
