/** qmicli's WMS operations (1.32): supported messages, SMS routes, reset. */
import { parseEnumArg } from './enum-arg.js';
import { wms, WmsMessageClass, WmsMessageType, WmsReceiptAction, WmsStorageType } from '../../qmi/services/wms.js';
import type { RequestOf } from '../../qmi/schema.js';
import { action, ask, CliError, enumName, keyValues } from './action.js';
import { noopAction, resetAction, supportedMessagesAction } from './service-actions.js';

const m = wms.messages;
type Route = { -readonly [K in keyof RequestOf<typeof m.setRoutes>['routeList'][number]]: number };

const KEYS: Record<string, [keyof Route, { names: Record<string, number> }, string]> = {
  type: ['messageType', WmsMessageType, 'message type'],
  class: ['messageClass', WmsMessageClass, 'message class'],
  storage: ['storage', WmsStorageType, 'storage type'],
  'receipt-action': ['receiptAction', WmsReceiptAction, 'receipt action'],
};

/** `type=…,class=…,storage=…,receipt-action=…` repeated: a route is complete when all four are given. */
function routes(arg: string | true): Route[] {
  const fail = (why: string, before = ''): never => {
    throw new CliError(`${before}Failed to set route: ${why}`, { bare: true });
  };
  let pairs: [string, string][];
  try {
    pairs = keyValues(arg);
  } catch (e) {
    return fail((e as Error).message);
  }
  const out: Partial<Route>[] = [];
  let current: Partial<Route> = {};
  for (const [key, value] of pairs) {
    if (value === '') fail(`couldn't parse input string: key '${key}' required a value`);
    if (Object.keys(current).length === 0) out.push(current);
    const k = KEYS[key.toLowerCase()];
    if (!k || current[k[0]] !== undefined) fail(`couldn't parse input string: unrecognized or duplicate option '${key}'`);
    // Values are GLib enum nicks, matched exactly; qmicli's helper complains before the parser does.
    const v = parseEnumArg(k![1].names, value);
    if (v === undefined) fail(`couldn't parse input string: unknown ${k![2]} '${value}'`, `error: invalid ${k![2]} value given: '${value}'\n`);
    current[k![0]] = v;
    if (Object.keys(current).length === 4) current = {};
  }
  if (out.length === 0) fail('route list was empty');
  if (Object.keys(current).length > 0) fail('final route was missing one or more options');
  return out as Route[];
}

export const wmsActions = [
  supportedMessagesAction(wms),
  action({
    option: { long: 'wms-get-routes', arg: 'none' },
    service: wms,
    async run(ctx) {
      const r = await ask('get SMS routes', ctx.client.request(m.getRoutes, {}));
      const list = r.routeList;
      if (!list) throw new CliError("got invalid SMS routes: Field 'Route List' was not found in the message");
      ctx.print(
        `${ctx.tag} Got ${list.length} SMS routes:\n` +
          list
            .map(
              (e, i) =>
                `  Route #${i + 1}:\n      Message Type: ${enumName(WmsMessageType, e.messageType)}\n     Message Class: ${enumName(WmsMessageClass, e.messageClass)}\n      Storage Type: ${enumName(WmsStorageType, e.storage)}\n    Receipt Action: ${enumName(WmsReceiptAction, e.receiptAction)}\n`,
            )
            .join(''),
      );
    },
  }),
  action({
    option: { long: 'wms-set-routes', arg: 'required' },
    service: wms,
    async run(ctx, arg) {
      const routeList = routes(arg);
      await ask('set SMS routes', ctx.client.request(m.setRoutes, { routeList }));
      ctx.print(`${ctx.tag} Successfully set SMS routes\n`);
    },
  }),
  resetAction(wms),
  noopAction(wms),
];
