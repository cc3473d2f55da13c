/** One modem's short messages: conversations by number, a send box, new messages live. */
import { h } from '../dom.js';
import type { SmsMessage } from '../types.js';
import { errorText, throttle, type Ctx, type Page } from './page.js';

const body = (m: SmsMessage): string => m.text ?? (m.data !== undefined ? `(${m.data.length / 2} bytes of data)` : m.deliveryState !== undefined ? (m.deliveryState === 0 ? 'delivered' : `not delivered (status 0x${m.deliveryState.toString(16)})`) : '');
const when = (m: SmsMessage): string => (m.timestamp ? m.timestamp.replace('T', ' ').slice(0, 19) : '');

export function messagesPage({ api, store }: Ctx, id: string): Page {
  const conversations = h('div', { class: 'conversations', id: 'conversations' });
  // What the page's own actions did, and apart from it the latest news from the modem, so neither hides the other.
  const status = h('p', { class: 'muted', id: 'sms-status', 'aria-live': 'polite' });
  const news = h('p', { class: 'muted', id: 'sms-event', 'aria-live': 'polite' });
  const to = h('input', { name: 'to', required: true, size: 16, placeholder: '+15550001111', 'aria-label': 'to' });
  const text = h('textarea', { name: 'text', required: true, rows: 3, cols: 48, 'aria-label': 'text' });
  const report = h('input', { type: 'checkbox', name: 'statusReport' });
  const sendButton = h('button', { type: 'submit' }, 'Send');
  const counter = h('span', { class: 'muted' });
  const form = h('form', { class: 'connect', id: 'send' }, h('label', {}, 'To ', to), h('label', {}, text), h('label', {}, report, ' delivery report'), sendButton, counter);
  const el = h(
    'section',
    { class: 'page', 'data-page': 'messages' },
    h('p', { class: 'crumbs' }, h('a', { href: '#/' }, 'Modems'), ' / ', h('a', { href: `#/modem/${encodeURIComponent(id)}` }, id), ' / messages'),
    h('h1', {}, `${id} messages`),
    form,
    status,
    news,
    conversations,
  );

  // GSM 7-bit when it fits is the daemon's choice; the page estimates parts with the UCS-2 rule for anything beyond ASCII.
  text.addEventListener('input', () => {
    const units = text.value.length;
    const ascii = /^[\x20-\x7e\n]*$/.test(text.value);
    const [one, each] = ascii ? [160, 153] : [70, 67];
    counter.textContent = units === 0 ? '' : `${units} characters, ${units <= one ? 1 : Math.ceil(units / each)} part(s)`;
  });

  const render = (messages: SmsMessage[]): void => {
    const byNumber = new Map<string, SmsMessage[]>();
    for (const m of messages) byNumber.set(m.number, [...(byNumber.get(m.number) ?? []), m]);
    conversations.replaceChildren(
      ...[...byNumber].map(([number, list]) =>
        h(
          'article',
          { class: 'conversation', 'data-number': number },
          h('h3', {}, number, ' ', h('button', { class: 'small', onclick: () => ((to.value = number), text.focus()) }, 'Reply')),
          ...list.map((m) =>
            h(
              'div',
              { class: `bubble ${m.pduType === 'deliver' ? 'in' : m.pduType === 'submit' ? 'out' : 'report'}`, 'data-id': m.id, 'data-state': m.state },
              h('div', { class: 'text' }, body(m)),
              h(
                'div',
                { class: 'meta' },
                `${m.pduType === 'status-report' ? 'report' : m.state}${m.complete ? '' : ` ${m.parts.length}/${m.total}`} ${when(m)} `,
                h('button', { class: 'small', onclick: () => void remove(m) }, 'Delete'),
              ),
            ),
          ),
        ),
      ),
    );
    if (messages.length === 0) conversations.append(h('p', { class: 'muted' }, 'No messages.'));
  };

  let disposed = false;
  const refresh = (): void => {
    api
      .call('smsList', { modem: id })
      .then((r) => !disposed && render(r.messages))
      .catch((e: unknown) => !disposed && (status.textContent = errorText(e)));
  };
  const remove = async (m: SmsMessage): Promise<void> => {
    try {
      await api.call('smsDelete', { modem: id, id: m.id });
      status.textContent = `deleted message ${m.id}`;
    } catch (e) {
      status.textContent = errorText(e);
    }
    refresh();
  };

  form.addEventListener('submit', (e) => {
    e.preventDefault();
    sendButton.disabled = true;
    status.textContent = `sending to ${to.value}…`;
    api
      .call('smsSend', { modem: id, to: to.value.trim(), text: text.value, ...(report.checked ? { statusReport: true } : {}) })
      .then((m) => {
        status.textContent = `sent in ${m.total} part(s)`;
        text.value = '';
        counter.textContent = '';
      })
      .catch((err: unknown) => (status.textContent = errorText(err)))
      .finally(() => {
        sendButton.disabled = false;
        refresh();
      });
  });

  const later = throttle(refresh, 300);
  const off = store.on((e) => {
    if (e.event !== 'sms' || e.modem !== id) return;
    const m = e.message;
    if (e.kind === 'received' && m) news.textContent = m.pduType === 'status-report' ? `delivery report for ${m.number}: ${body(m)}` : `new message from ${m.number}`;
    if (e.kind === 'full') news.textContent = 'the message store is full: delete messages to receive new ones';
    later();
  });
  refresh();
  return {
    el,
    dispose: () => {
      disposed = true;
      off();
    },
  };
}
