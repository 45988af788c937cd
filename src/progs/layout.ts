/**
 * Building context layouts (the verifier's `ContextLayout`) and encoding contexts by
 * field name. Every context struct is described once as data; the same description
 * checks `ctx_in`, fills a context from named values and reads it back.
 */
import type { ContextField, ContextLayout, ContextPointerValue } from '../verifier/context.js';
import { ProgError, ProgErrorCode } from './errors.js';

export interface FieldOptions {
  readonly read?: boolean;
  readonly write?: boolean;
  readonly narrow?: boolean;
  /** Stores narrower than the field are allowed (only where Linux treats the field as bytes). */
  readonly narrowWrite?: boolean;
  readonly pointer?: ContextPointerValue;
  /** FLOW_KEYS pointers: the size of what they address. */
  readonly pointeeSize?: number;
}

/** One field; readable with narrow reads unless told otherwise, never writable unless told. */
export function field(name: string, offset: number, size: number, o: FieldOptions = {}): ContextField {
  const f = {
    name, offset, size,
    readable: o.read ?? true,
    writable: o.write ?? false,
    narrowReads: o.pointer ? false : (o.narrow ?? true),
    ...(o.narrowWrite && o.write ? { narrowWrites: true } : {}),
  };
  if (!o.pointer) return f;
  return o.pointeeSize !== undefined ? { ...f, pointer: o.pointer, pointeeSize: o.pointeeSize } : { ...f, pointer: o.pointer };
}

/** `name[0]..name[count-1]`, `size` bytes each from `offset`. */
export function arrayFields(name: string, offset: number, size: number, count: number, o: FieldOptions = {}): ContextField[] {
  return Array.from({ length: count }, (_, i) => field(`${name}[${i}]`, offset + i * size, size, o));
}

/** A named value for a context field: numbers and bigints (stored little-endian, truncated to the field). */
export type FieldValue = number | bigint;
/** A context given by field name; arrays set `name[0]`, `name[1]`... in order. */
export type NamedContext = Readonly<Record<string, FieldValue | readonly FieldValue[]>>;

/**
 * Encodes named values into a context of `size` bytes. `aliases` maps other names
 * (PARM1, di...) to field names. Unknown names and values that do not fit are errors.
 */
export function encodeNamed(layout: ContextLayout, values: NamedContext, size: number,
  aliases: Readonly<Record<string, string>> = {}): Uint8Array {
  const out = new Uint8Array(size);
  const view = new DataView(out.buffer);
  const byName = new Map(layout.fields.map((f) => [f.name, f]));
  for (const [key, value] of Object.entries(values)) {
    if (Array.isArray(value)) {
      value.forEach((v, i) => put(`${key}[${i}]`, v as FieldValue));
    } else {
      put(key, value as FieldValue);
    }
  }
  return out;

  function put(name: string, value: FieldValue): void {
    const f = byName.get(aliases[name] ?? name);
    if (!f) {
      throw new ProgError(ProgErrorCode.BAD_CTX, `${layout.name} has no field '${name}'`);
    }
    if (f.offset + f.size > size) {
      throw new ProgError(ProgErrorCode.BAD_CTX, `${layout.name}.${f.name} lies beyond the ${size}-byte context`);
    }
    let v: bigint;
    try {
      v = BigInt(value);
    } catch (err) {
      throw new ProgError(ProgErrorCode.BAD_CTX, `${layout.name}.${name}: ${String(value)} is not an integer`, { cause: err });
    }
    const bits = BigInt(f.size * 8);
    if (v < -(1n << (bits - 1n)) || v >= 1n << bits) {
      throw new ProgError(ProgErrorCode.BAD_CTX, `${layout.name}.${name}: ${v} does not fit in ${f.size} bytes`);
    }
    const u = BigInt.asUintN(f.size * 8, v);
    for (let i = 0; i < f.size; i++) view.setUint8(f.offset + i, Number((u >> BigInt(8 * i)) & 0xffn));
  }
}

/** Reads every field of a context into an object (u64 fields as bigints, others as numbers). */
export function decodeNamed(layout: ContextLayout, bytes: Uint8Array): Record<string, number | bigint> {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const out: Record<string, number | bigint> = {};
  for (const f of layout.fields) {
    if (f.offset + f.size > bytes.length) continue;
    out[f.name] = f.size === 8 ? view.getBigUint64(f.offset, true)
      : f.size === 4 ? view.getUint32(f.offset, true)
        : f.size === 2 ? view.getUint16(f.offset, true) : view.getUint8(f.offset);
  }
  return out;
}

/** The field at `offset`, if one starts there. */
export function fieldAt(layout: ContextLayout, offset: number): ContextField | undefined {
  return layout.fields.find((f) => f.offset === offset);
}

/** True when `bytes[from, to)` are all zero. */
export function rangeIsZero(bytes: Uint8Array, from: number, to: number): boolean {
  for (let i = from; i < Math.min(to, bytes.length); i++) if (bytes[i] !== 0) return false;
  return true;
}
