/**
 * The operations qmicli has for several services alike: `--<svc>-get-supported-messages`,
 * `--<svc>-reset` and `--<svc>-noop`, with their output (the service's name in capitals).
 */
import type { AnyService, MessageDef } from '../../qmi/schema.js';
import { action, ask, type QmicliAction } from './action.js';

/** Each set bit of the list as `\t0xNNNN`, as qmicli prints supported messages. */
export function supportedList(list: ArrayLike<number> | undefined): string {
  let out = '';
  for (let i = 0; i < (list?.length ?? 0); i++) for (let bit = 0; bit < 8; bit++) if (list![i]! & (1 << bit)) out += `\t0x${(i * 8 + bit).toString(16).toUpperCase().padStart(4, '0')}\n`;
  return out || '\tnone\n';
}

/** A service that declares Reset (0x0000). */
type Resettable = AnyService & { messages: { reset: MessageDef } };
/** One that declares Get Supported Messages (0x001E, its list in TLV 0x10). */
type Listing = AnyService & { messages: { getSupportedMessages: MessageDef } };

export function supportedMessagesAction(service: Listing): QmicliAction {
  const name = service.name.toUpperCase();
  return action({
    option: { long: `${service.name}-get-supported-messages`, arg: 'none' },
    service,
    async run(ctx) {
      const r = (await ask(`get supported ${name} messages`, ctx.client.request(service.messages.getSupportedMessages, {} as never))) as { list?: ArrayLike<number> };
      ctx.print(`${ctx.tag} Successfully got supported ${name} messages:\n${supportedList(r.list)}`);
    },
  });
}

export function resetAction(service: Resettable): QmicliAction {
  const name = service.name.toUpperCase();
  return action({
    option: { long: `${service.name}-reset`, arg: 'none' },
    service,
    async run(ctx) {
      await ask(`reset the ${name} service`, ctx.client.request(service.messages.reset, {} as never));
      ctx.print(`${ctx.tag} Successfully performed ${name} service reset\n`);
    },
  });
}

/** Only the client's allocation and release (with `--client-no-release-cid` and/or `--client-cid`). */
export function noopAction(service: AnyService): QmicliAction {
  return action({ option: { long: `${service.name}-noop`, arg: 'none' }, service, run: async () => {} });
}
