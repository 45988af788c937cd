/**
 * Typed access to an object's global variables (`.data`, `.rodata`, `.bss` and their
 * custom `.data.*` sections), as libbpf skeletons give it: before load a variable
 * reads and writes the initial image the map will be created with; after load it
 * reads and writes the live map value, so a program's writes are seen at once and a
 * value set from JavaScript is what the next run reads. `.rodata` is frozen at load.
 */
import { BtfIntEncoding, BtfKind, type Btf } from '../btf/index.js';
import type { GlobalVariable as VariableSpec, ObjectMap } from '../elf/index.js';
import type { ArrayMap } from '../maps/index.js';
import { RuntimeError, RuntimeErrorCode } from './errors.js';

/** How a variable's bytes read as a JavaScript value, from its BTF type. */
export type VariableShape =
  /** An integer, enum, bool or pointer of 1, 2, 4 or 8 bytes (8-byte ones read as bigint). */
  | { readonly kind: 'int'; readonly size: 1 | 2 | 4 | 8; readonly signed: boolean }
  /** Anything else (arrays, structs, 16-byte integers, or no type information): bytes. */
  | { readonly kind: 'bytes' };

/** Where a variable's bytes are right now. */
interface Storage {
  /** The bytes and the offset of the variable's first byte in them (re-read on every access: memory can grow). */
  bytes(): { buffer: Uint8Array; at: number };
  /** Why writing is refused, when it is. */
  readonly readOnly: string | undefined;
}

export class GlobalVar {
  readonly name: string;
  /** The global-data section holding the variable (`.data`, `.rodata`, `.bss`, `.data.foo`...). */
  readonly section: string;
  /** Byte offset in the section's map value. */
  readonly offset: number;
  readonly size: number;
  readonly shape: VariableShape;
  /** False for `static` variables. */
  readonly global: boolean;
  private storage: Storage;

  /** @internal */
  constructor(map: ObjectMap, spec: VariableSpec, btf: Btf | undefined, storage: Storage) {
    this.name = spec.name;
    this.section = map.name;
    this.offset = spec.offset;
    this.size = spec.size;
    this.global = spec.global;
    this.shape = shapeOf(btf, spec.typeId, spec.size);
    this.storage = storage;
  }

  /** @internal Switches to the live map value once the object is loaded. */
  attach(storage: Storage): void {
    this.storage = storage;
  }

  /** The value: a number (up to 4 bytes), a bigint (8 bytes), or a copy of the bytes. */
  get(): number | bigint | Uint8Array {
    const { buffer, at } = this.storage.bytes();
    const shape = this.shape;
    if (shape.kind === 'bytes') return buffer.slice(at, at + this.size);
    const view = new DataView(buffer.buffer, buffer.byteOffset + at, shape.size);
    switch (shape.size) {
      case 1: return shape.signed ? view.getInt8(0) : view.getUint8(0);
      case 2: return shape.signed ? view.getInt16(0, true) : view.getUint16(0, true);
      case 4: return shape.signed ? view.getInt32(0, true) : view.getUint32(0, true);
      case 8: return shape.signed ? view.getBigInt64(0, true) : view.getBigUint64(0, true);
    }
  }

  /** A copy of the variable's bytes, whatever its type. */
  bytes(): Uint8Array {
    const { buffer, at } = this.storage.bytes();
    return buffer.slice(at, at + this.size);
  }

  /**
   * Sets the value: a number or bigint for integer types (range-checked against the
   * type's size and signedness), or bytes of exactly the variable's size.
   */
  set(value: number | bigint | Uint8Array): void {
    if (this.storage.readOnly !== undefined) {
      throw new RuntimeError(RuntimeErrorCode.READ_ONLY, `variable '${this.name}' cannot be set: ${this.storage.readOnly}`);
    }
    const encoded = value instanceof Uint8Array ? this.checkBytes(value) : this.encode(value);
    const { buffer, at } = this.storage.bytes();
    buffer.set(encoded, at);
  }

  private checkBytes(value: Uint8Array): Uint8Array {
    if (value.length !== this.size) {
      throw new RuntimeError(RuntimeErrorCode.BAD_VALUE, `variable '${this.name}' is ${this.size} bytes; ${value.length} were given`);
    }
    return value;
  }

  private encode(value: number | bigint): Uint8Array {
    const shape = this.shape;
    if (shape.kind !== 'int') {
      throw new RuntimeError(RuntimeErrorCode.BAD_VALUE, `variable '${this.name}' is not an integer; set it with ${this.size} bytes`);
    }
    if (typeof value === 'number' && !Number.isInteger(value)) {
      throw new RuntimeError(RuntimeErrorCode.BAD_VALUE, `variable '${this.name}' is an integer; ${value} is not`);
    }
    if (typeof value !== 'number' && typeof value !== 'bigint') {
      throw new RuntimeError(RuntimeErrorCode.BAD_VALUE, `variable '${this.name}' takes a number, bigint or bytes`);
    }
    const n = BigInt(value);
    const bits = BigInt(shape.size * 8);
    const min = shape.signed ? -(1n << (bits - 1n)) : 0n;
    const max = shape.signed ? (1n << (bits - 1n)) - 1n : (1n << bits) - 1n;
    if (n < min || n > max) {
      throw new RuntimeError(RuntimeErrorCode.BAD_VALUE,
        `${value} does not fit variable '${this.name}' (${shape.signed ? 'signed' : 'unsigned'} ${shape.size * 8}-bit: ${min}..${max})`);
    }
    const out = new Uint8Array(shape.size);
    let u = BigInt.asUintN(Number(bits), n);
    for (let i = 0; i < shape.size; i++, u >>= 8n) out[i] = Number(u & 0xffn);
    return out;
  }
}

/**
 * The shape of a BTF type: integers by their encoding, enums by the kind flag
 * (signed values), pointers as unsigned 64-bit. Without BTF (or for a type that does
 * not resolve) there is no signedness to go by, so the variable is bytes.
 */
export function shapeOf(btf: Btf | undefined, typeId: number | undefined, size: number): VariableShape {
  if (!btf || typeId === undefined) return { kind: 'bytes' };
  let t;
  try {
    t = btf.resolve(typeId);
  } catch {
    return { kind: 'bytes' };
  }
  const intSize = (s: number): s is 1 | 2 | 4 | 8 => (s === 1 || s === 2 || s === 4 || s === 8) && s === size;
  switch (t.kind) {
    case BtfKind.INT:
      if (t.bitOffset !== 0 || t.bits !== t.size * 8 || !intSize(t.size)) return { kind: 'bytes' };
      return { kind: 'int', size: t.size, signed: (t.encoding & BtfIntEncoding.SIGNED) !== 0 };
    case BtfKind.ENUM: case BtfKind.ENUM64:
      return intSize(t.size) ? { kind: 'int', size: t.size, signed: t.kindFlag } : { kind: 'bytes' };
    case BtfKind.PTR:
      return size === 8 ? { kind: 'int', size: 8, signed: false } : { kind: 'bytes' };
    default:
      return { kind: 'bytes' };
  }
}

/** Storage in a byte image (the map's initial value, before load). */
export function imageStorage(image: Uint8Array, offset: number): Storage {
  return { bytes: () => ({ buffer: image, at: offset }), readOnly: undefined };
}

/** Storage in a live single-entry array map. */
export function mapStorage(map: ArrayMap, offset: number, readOnly: string | undefined): Storage {
  return { bytes: () => ({ buffer: map.space.bytes, at: map.elementAddress(0) + offset }), readOnly };
}
