/**
 * The daemon's socket framing: JSON-RPC 2.0, one object per line (api.ts declares the methods,
 * events and error codes). Requests are checked here before any handler sees them.
 */
import { ConfigError, ConnectError, NotFoundError } from '../modem/types.js';
import { RadioError } from '../modem/radio-driver.js';
import { checkParams, errorBody, isMethod, METHODS, type ApiEvent, type ErrorBody, type ErrorName, type Method, type Params, type Result } from './api.js';

export type { ErrorBody, ErrorName, Method } from './api.js';

/** The longest request line the daemon reads; a longer one closes the connection. */
export const MAX_LINE = 1 << 20;

/** A request's id: JSON-RPC allows a number or a string; an answer to an unreadable request has null. */
export type RpcId = number | string;

/** A request that passed every check: a declared method, its params as declared. */
export interface CheckedRequest {
  /** Absent for a notification (no answer is sent). */
  id?: RpcId;
  method: Method;
  params: Record<string, unknown>;
}

/** Params that pass the declared shapes but not a rule between fields (e.g. `apn` or `apns`). */
export class ParamsError extends Error {
  override readonly name = 'ParamsError';
}

export const resultMessage = (id: RpcId, result: unknown): object => ({ jsonrpc: '2.0', id, result });
export const errorMessage = (id: RpcId | null, error: ErrorBody): object => ({ jsonrpc: '2.0', id, error });
/** Events are notifications of the method `event`, the event object as params. */
export const eventMessage = (event: ApiEvent | { event: 'dropped'; count: number }): object => ({ jsonrpc: '2.0', method: 'event', params: event });

/**
 * One request line, checked against the contract: the request, or the error answer to send (with the
 * request's id when it could be read). `allowed` says which methods this caller may use.
 */
export function parseRequest(line: string, allowed: (m: Method) => boolean): { request: CheckedRequest } | { id: RpcId | null; error: ErrorBody } {
  let msg: unknown;
  try {
    msg = JSON.parse(line);
  } catch {
    return { id: null, error: errorBody('parse-error', 'the request is not JSON') };
  }
  if (Array.isArray(msg)) return { id: null, error: errorBody('bad-request', 'batches are not supported: send one request per line') };
  if (typeof msg !== 'object' || msg === null) return { id: null, error: errorBody('bad-request', 'a request is a JSON object') };
  const { jsonrpc, id, method, params } = msg as Record<string, unknown>;
  const goodId = typeof id === 'number' || typeof id === 'string';
  const answerId = goodId ? id : null;
  if (jsonrpc !== '2.0') return { id: answerId, error: errorBody('bad-request', 'a request has "jsonrpc": "2.0"') };
  if (id !== undefined && !goodId) return { id: null, error: errorBody('bad-request', 'a request id is a number or a string') };
  if (typeof method !== 'string') return { id: answerId, error: errorBody('bad-request', 'a request has a "method" string') };
  if (!isMethod(method) || !allowed(method)) return { id: answerId, error: errorBody('no-method', `no method ${JSON.stringify(method.slice(0, 64))}; methods: ${(Object.keys(METHODS) as Method[]).filter(allowed).join(', ')}`) };
  const problem = checkParams(method, params);
  if (problem) return { id: answerId, error: errorBody('bad-params', problem) };
  return { request: { ...(goodId ? { id } : {}), method, params: (params ?? {}) as Record<string, unknown> } };
}

/** The declared error code of anything a handler threw: by its type, never by its message. */
export function errorNameOf(e: unknown): ErrorName {
  if (e instanceof ParamsError) return 'bad-params';
  if (e instanceof NotFoundError) return 'not-found';
  if (e instanceof ConfigError) return 'config';
  if (e instanceof ConnectError) return 'connect';
  if (e instanceof RadioError) return 'refused';
  return 'internal';
}

export const errorOf = (e: unknown): ErrorBody =>
  e instanceof RadioError
    ? errorBody('refused', e.message, { reason: e.reason, ...(e.cause3gpp !== undefined ? { cause: e.cause3gpp } : {}) })
    : errorBody(errorNameOf(e), e instanceof Error ? e.message : String(e));

/** Who asked: a socket connection (streams go to it), or a front-end in the daemon's process. */
export interface Caller {
  /** Adds this caller to the event or trace stream; absent for in-process callers (they listen directly). */
  stream?(kind: 'events' | 'traces'): void;
}

/** The daemon's code for one method: its params as declared in, its declared result out. */
export type Handler<M extends Method> = (params: Params<M>, caller: Caller) => Promise<Result<M>> | Result<M>;
export type Handlers = { [M in Method]: Handler<M> };
