/** libmbim's private Proxy Control service: what a client says first to mbim-proxy, and what it hears back. */
import { cid, service } from '../service.js';
import { EMPTY, string, struct, u32 } from '../schema.js';
import { MbimVersion } from './ms-basic-connect-extensions.js';

export const proxyControl = service('proxy-control', '838cf7fb-8d0d-4d7f-871e-d71dbefbb39b', {
  configuration: cid(1, { set: struct({ devicePath: string, timeout: u32 }), response: EMPTY }),
  version: cid(2, { notification: MbimVersion }),
});
