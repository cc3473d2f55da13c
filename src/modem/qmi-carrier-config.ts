/**
 * The carrier configuration a QMI modem runs, read over PDC as ModemManager 1.20 reads it: the
 * software configurations listed, each one's info, then the selected one. Every PDC request is
 * answered at once and its result comes as an indication with the request's token.
 */
import type { QmiClient } from '../qmi/client.js';
import { QmiProtocolError, QmiProtocolErrorResponse, protocolErrorName } from '../qmi/errors.js';
import type { IndicationDef, IndicationOf } from '../qmi/schema.js';
import { pdc, PdcConfigurationType } from '../qmi/services/pdc.js';
import { RadioError, type CarrierConfig } from './radio-driver.js';
import { sameBytes } from '../wire/bytes.js';

type PdcClient = QmiClient<typeof pdc>;

/** ModemManager waits 5 s for each step's indication. */
const STEP_TIMEOUT_MS = 5000;
const SOFTWARE = PdcConfigurationType.names.software;

const refused = (what: string, code: number): RadioError => new RadioError('failed', `${what}: the modem answered ${protocolErrorName(code)}`);

/** Sends a request and waits for the indication carrying its token; a non-zero result is a refusal. */
async function ask<I extends IndicationDef<any>>(client: PdcClient, ind: I, token: number, send: () => Promise<unknown>, what: string): Promise<IndicationOf<I>> {
  let off = (): void => undefined;
  let timer: NodeJS.Timeout | undefined;
  // Listening before asking: the indication may come right behind the answer.
  const arrived = new Promise<IndicationOf<I>>((resolve) => {
    off = client.on(ind as never, (v: IndicationOf<I>) => {
      if ((v as { token?: number }).token === token) resolve(v);
    });
  });
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new RadioError('failed', `${what}: no indication from the modem in ${STEP_TIMEOUT_MS / 1000} s`)), STEP_TIMEOUT_MS);
  });
  try {
    await send().catch((e: unknown) => Promise.reject(e instanceof QmiProtocolErrorResponse ? refused(what, e.code) : e));
    return await Promise.race([arrived, late]);
  } finally {
    clearTimeout(timer);
    off();
  }
}


export async function loadCarrierConfig(client: PdcClient): Promise<CarrierConfig> {
  let token = 1;
  const m = pdc.messages;
  const listed = await ask(client, pdc.indications.listConfigs, token, () => client.request(m.listConfigs, { token, configType: SOFTWARE }), 'listing carrier configurations');
  if (listed.indicationResult !== 0) throw refused('listing carrier configurations', listed.indicationResult);
  const ids = listed.configs ?? [];
  // None installed: the modem runs its default configuration (ModemManager's "default", no revision).
  if (ids.length === 0) return { name: 'default' };
  const infos = [];
  for (const c of ids) {
    const t = ++token;
    const info = await ask(client, pdc.indications.getConfigInfo, t, () => client.request(m.getConfigInfo, { typeWithId: c, token: t }), 'reading a carrier configuration');
    if (info.indicationResult !== 0) throw refused('reading a carrier configuration', info.indicationResult);
    infos.push({ id: c.id, description: info.description ?? '', version: info.version ?? 0 });
  }
  const t = ++token;
  const sel = await ask(client, pdc.indications.getSelectedConfig, t, () => client.request(m.getSelectedConfig, { configType: SOFTWARE, token: t }), 'reading the selected carrier configuration');
  if (sel.indicationResult !== 0 && sel.indicationResult !== QmiProtocolError.NotProvisioned) throw refused('reading the selected carrier configuration', sel.indicationResult);
  if (!sel.activeId) return { name: 'default' };
  const active = infos.find((i) => sameBytes(i.id, sel.activeId!));
  if (!active) throw new RadioError('failed', 'the selected carrier configuration is not among the listed ones');
  return { name: active.description, revision: active.version.toString(16).toUpperCase().padStart(8, '0') };
}
