/** The dashboard: a hash router over its pages, fed by one event stream. */
import './style.css';
import { Api, ApiError, takeToken } from './api.js';
import { h } from './dom.js';
import { messagesPage } from './pages/messages.js';
import { modemPage } from './pages/modem.js';
import { modemsPage } from './pages/modems.js';
import { radioPage } from './pages/radio.js';
import type { Ctx, Page } from './pages/page.js';
import { tracePage } from './pages/trace.js';
import { Store } from './store.js';

function start(): void {
  const main = document.getElementById('main')!;
  const live = document.getElementById('live')!;
  const token = takeToken();
  if (!token) {
    main.replaceChildren(h('section', { class: 'page' }, h('h1', {}, 'No token'), h('p', {}, 'Open the URL that `wwan daemon --http` printed: it ends in #token=…')));
    live.textContent = 'offline';
    return;
  }
  const ctx: Ctx = { api: new Api(token), store: new Store() };

  let page: Page | undefined;
  const route = (): void => {
    page?.dispose();
    const messages = /^#\/modem\/(.+)\/messages$/.exec(location.hash)?.[1];
    const radio = /^#\/modem\/(.+)\/radio$/.exec(location.hash)?.[1];
    const modem = /^#\/modem\/(.+)$/.exec(location.hash)?.[1];
    const name = modem ? 'modem' : location.hash === '#/trace' ? 'trace' : 'modems';
    page = radio ? radioPage(ctx, decodeURIComponent(radio)) : messages ? messagesPage(ctx, decodeURIComponent(messages)) : modem ? modemPage(ctx, decodeURIComponent(modem)) : name === 'trace' ? tracePage(ctx) : modemsPage(ctx);
    for (const a of document.querySelectorAll<HTMLElement>('[data-nav]')) a.classList.toggle('active', a.dataset.nav === name);
    main.replaceChildren(page.el);
  };
  window.addEventListener('hashchange', route);
  route();

  // One stream for every page; after a drop, reconnect (the server's hello brings the histories back).
  const connect = (): void => {
    ctx.api
      .stream(
        (e) => ctx.store.apply(e),
        () => {
          live.textContent = 'live';
          live.className = 'live on';
        },
      )
      .catch((e: unknown) => e)
      .then((e) => {
        live.className = 'live';
        if (e instanceof ApiError && e.code === 'unauthorized') {
          live.textContent = 'token refused: open the URL the daemon printed';
          return;
        }
        live.textContent = 'reconnecting…';
        setTimeout(connect, 2000);
      });
  };
  connect();
}

start();
