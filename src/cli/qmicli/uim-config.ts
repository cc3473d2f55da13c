/** qmicli's UIM service operations: supported messages, reset, provisioning sessions and personalization (SIM lock). */
import { QmiProtocolErrorResponse } from '../../qmi/errors.js';
import { uim, UimCardApplicationPersonalizationFeature, UimConfiguration, UimDepersonalizationOperation, UimSessionType } from '../../qmi/services/uim.js';
import { parseKeyValues } from '../keyvalue.js';
import { action, CliError, enumName, errorText } from './action.js';
import { parseEnumArg } from './enum-arg.js';
import { noopAction, resetAction, supportedMessagesAction } from './service-actions.js';

const m = uim.messages;

/** A GLib enum nick as qmicli reads one (exactly). */
const nick = (codec: { names: Record<string, number> }, value: string): number | undefined => parseEnumArg(codec.names, value);

/** qmicli's hex reader: pairs of hex digits, ':' between bytes ignored; its complaint printed first. */
function hexBytes(str: string): { bytes?: number[]; complaint?: string } {
  const out: number[] = [];
  for (let i = 0; i < str.length; i += 2) {
    if (str[i] === ':') i++;
    if (!/[0-9a-fA-F]/.test(str[i] ?? '')) return { complaint: `error: invalid hex char found: '${str[i] ?? ''}'` };
    if (i + 1 >= str.length) return { complaint: `unterminated byte found: '${str[i]}?'` };
    if (!/[0-9a-fA-F]/.test(str[i + 1]!)) return { complaint: `invalid hex char found: '${str[i + 1]}'` };
    out.push(parseInt(str.slice(i, i + 2), 16));
  }
  return { bytes: out };
}

/** `session-type=…,activate=yes|no[,slot=N][,aid=HEX]`, with qmicli's errors (its helpers' lines first). */
function provisioningSession(str: string) {
  let sessionType: number | undefined;
  let activate: boolean | undefined;
  let slot = 0;
  let aid: number[] | undefined;
  const fail = (why: string, before?: string): never => {
    throw new CliError(`${before ? `${before}\n` : ''}error: could not parse input string '${str}': ${why}`, { bare: true });
  };
  let pairs: [string, string][];
  try {
    pairs = parseKeyValues(str);
  } catch (e) {
    return fail((e as Error).message);
  }
  for (const [key, value] of pairs) {
    if (!value) fail(`key '${key}' requires a value`);
    const k = key.toLowerCase();
    if (k === 'session-type') {
      sessionType = nick(UimSessionType, value);
      if (sessionType === undefined) fail(`invalid session type value: ${value} (not a valid enum)`, `error: invalid session type value given: '${value}'`);
    } else if (k === 'activate') {
      const v = value.toLowerCase();
      if (v === 'yes' || v === 'true') activate = true;
      else if (v === 'no' || v === 'false') activate = false;
      else fail(`invalid activate value: ${value} (not a boolean)`, `error: expected 'true', 'false', 'yes' or 'no', got: ${value}`);
    } else if (k === 'slot') {
      if (!/^\d+$/.test(value) || Number(value) > 0xffffffff) fail(`invalid slot value: ${value} (not a number)`);
      if (Number(value) > 0xff) fail(`invalid slot value: ${value} (out of range)`);
      slot = Number(value);
    } else if (k === 'aid') {
      const r = hexBytes(value);
      if (!r.bytes) fail(`invalid aid value: ${value} (not an hex string)`, r.complaint);
      aid = r.bytes;
    } else fail(`Unrecognized option '${key}'`);
  }
  if (sessionType === undefined || activate === undefined) throw new CliError("mandatory fields 'session-type' and 'activate' not given");
  return {
    sessionChange: { sessionType, activate },
    ...(slot || aid ? { applicationInformation: { slot, applicationIdentifier: aid ?? [] } } : {}),
  };
}

/** A request whose failure qmicli words as `<what>: <error>`. */
async function failAs<T>(what: string, p: Promise<T>): Promise<T> {
  try {
    return await p;
  } catch (e) {
    throw new CliError(`${what}: ${errorText(e)}`, { cause: e });
  }
}

type Status = { feature: number; verifyLeft: number; unblockLeft: number };
const features = (list: readonly Status[]): string =>
  list.map((e) => `\tPersonalization: ${enumName(UimCardApplicationPersonalizationFeature, e.feature)}\n\t\tVerify left:  ${e.verifyLeft}\n\t\tUnblock left: ${e.unblockLeft}\n`).join('');

export const uimConfigActions = [
  supportedMessagesAction(uim),
  resetAction(uim),
  noopAction(uim),
  action({
    option: { long: 'uim-change-provisioning-session', arg: 'required' },
    service: uim,
    async run(ctx, arg) {
      // qmicli 1.32 words this failure as a power-off's.
      await failAs('could not power off SIM', ctx.client.request(m.changeProvisioningSession, provisioningSession(String(arg))));
      ctx.print(`${ctx.tag} Successfully changed provisioning session\n`);
    },
  }),
  action({
    option: { long: 'uim-get-configuration', arg: 'none' },
    service: uim,
    async run(ctx) {
      const r = await failAs('get configuration failed', ctx.client.request(m.getConfiguration, { configurationMask: UimConfiguration.names['personalization-status'] }));
      let out = 'Configuration successfully retrieved\n';
      const other = r.personalizationStatusOther;
      if (r.personalizationStatus) {
        const where = other ? ' in slot 1' : '';
        out += r.personalizationStatus.length === 0 ? `Personalization features${where}: all disabled\n` : `Personalization features${where}:\n${features(r.personalizationStatus)}`;
      }
      if (other) {
        if (other.length === 0) out += 'Personalization features in other slots: all disabled\n';
        // qmicli 1.32 prints a heading per further slot, and its features (none: nothing more).
        other.forEach((s, i) => {
          out += `Personalization features in slot ${i + 2}:\n${features(s.slot)}`;
        });
      }
      ctx.print(out);
    },
  }),
  action({
    option: { long: 'uim-depersonalization', arg: 'required' },
    service: uim,
    async run(ctx, arg) {
      const split = String(arg).split(',');
      const feature = split[0] ? nick(UimCardApplicationPersonalizationFeature, split[0]) : undefined;
      if (feature === undefined) throw new CliError(`${split[0] ? `invalid personalization feature value given: '${split[0]}'\nerror: ` : ''}invalid personalization feature`);
      const operation = split[1] !== undefined ? nick(UimDepersonalizationOperation, split[1]) : undefined;
      if (operation === undefined) throw new CliError(`${split[1] !== undefined ? `invalid depersonalization operation value given: '${split[1]}'\nerror: ` : ''}invalid depersonalization operation`);
      if (split[2] === undefined) throw new CliError('missing control key');
      let slot = 0;
      if (split.length > 3) {
        if (!/^\d+$/.test(split[3]!) || Number(split[3]) < 1 || Number(split[3]) > 5) throw new CliError('invalid slot number');
        slot = Number(split[3]);
      }
      try {
        await ctx.client.request(m.depersonalization, { info: { feature, operation, controlKey: split[2] }, ...(slot ? { slot } : {}) });
      } catch (e) {
        let text = `depersonalization failed: ${errorText(e)}`;
        const r = e instanceof QmiProtocolErrorResponse ? (e.values as { retriesRemaining?: { verifyLeft: number; unblockLeft: number } }).retriesRemaining : undefined;
        if (r) text += `\nRetries left:\n\tVerify: ${r.verifyLeft}\n\tUnblock: ${r.unblockLeft}`;
        throw new CliError(text, { cause: e });
      }
      ctx.print('Modem was unlocked successfully\n');
    },
  }),
];
