/** Why a decoder gave up. Decoders return these as values; they never throw on bad input. */
export type DecodeErrorCode =
  | 'truncated' // a field ran past the end of its buffer
  | 'length' // a length field disagrees with the bytes present
  | 'invalid' // a value is out of its allowed range
  | 'missing' // a mandatory element is absent
  | 'framing'; // the bytes are not this protocol at all

export class DecodeError extends Error {
  override readonly name = 'DecodeError';
  constructor(
    readonly code: DecodeErrorCode,
    /** Dotted path of the field being read, e.g. `tlv 0x01.cid`. */
    readonly field: string,
    /** Byte offset in the buffer handed to the decoder. */
    readonly offset: number,
    detail?: string,
  ) {
    super(`${code} at offset ${offset} (${field})${detail ? `: ${detail}` : ''}`);
  }

  toJSON(): { code: DecodeErrorCode; field: string; offset: number; message: string } {
    return { code: this.code, field: this.field, offset: this.offset, message: this.message };
  }
}

export type Result<T, E = DecodeError> = { ok: true; value: T } | { ok: false; error: E };

export const ok = <T>(value: T): { ok: true; value: T } => ({ ok: true, value });
export const fail = <E>(error: E): { ok: false; error: E } => ({ ok: false, error });

/** Runs a reader-based decoder, turning the DecodeError it may throw into a Result. */
export function catchDecode<T>(decode: () => T): Result<T> {
  try {
    return ok(decode());
  } catch (e) {
    if (e instanceof DecodeError) return fail(e);
    throw e;
  }
}

/** Bad input from a user (APN, PIN, a link id…): caught before anything reaches the modem. */
export class ConfigError extends Error {
  override readonly name: string = 'ConfigError';
}
