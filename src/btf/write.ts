import type { Btf } from './btf.js';
import { BtfError, BtfErrorCode } from './errors.js';
import { BTF_HEADER_SIZE, BTF_MAGIC, BTF_MAX_TYPE, BTF_MAX_VLEN, BTF_TYPE_SIZE, BTF_VERSION, BtfKind } from './kinds.js';
import type { BtfType } from './types.js';

type WithoutIds<T> = T extends unknown
  ? { [K in keyof T as K extends 'id' | 'nameOff' | 'kindFlag' ? never : K]: T[K] extends readonly (infer E)[] ? readonly Omit<E, 'nameOff'>[] : T[K] }
    & { kindFlag?: boolean }
  : never;

/**
 * A type as the builder takes it: a `BtfType` without `id` and string offsets (names
 * are given as strings), and with `kindFlag` optional: when absent it is derived (set
 * for a struct or union with a bitfield, an enum with a negative value).
 */
export type BtfTypeInput = WithoutIds<Exclude<BtfType, { kind: 0 }>>;

export interface BtfBuilderOptions {
  /** Byte order of the output (default little-endian, as on every BPF target ebee runs). */
  littleEndian?: boolean;
}

const encoder = new TextEncoder();

/**
 * Builds a `.BTF` blob: add types in id order (the first added is id 1, or the base's
 * count in split BTF), names are interned once each, then `build()`.
 *
 * `BtfBuilder.from(btf)` starts from a parsed BTF's types and its string section as
 * stored, so writing it back gives the same bytes when that section held each string
 * once (as pahole and clang write it).
 */
export class BtfBuilder {
  readonly littleEndian: boolean;
  private readonly types: BtfTypeInput[] = [];
  private readonly strParts: Uint8Array[] = [];
  private strLen = 0;
  private readonly strIndex = new Map<string, number>();

  constructor(options: BtfBuilderOptions = {}) {
    this.littleEndian = options.littleEndian ?? true;
    this.strParts.push(new Uint8Array(1));
    this.strLen = 1;
    this.strIndex.set('', 0);
  }

  /** A builder holding `btf`'s own types (not a base's) and its string section, byte for byte. */
  static from(btf: Btf, options: BtfBuilderOptions = {}): BtfBuilder {
    if (btf.base) throw new BtfError(BtfErrorCode.BAD_ARGUMENT, 'writing split BTF is not supported');
    const b = new BtfBuilder({ littleEndian: options.littleEndian ?? btf.littleEndian });
    const s = btf.strings;
    if (s.length > 0) {
      b.strParts[0] = s;
      b.strLen = s.length;
      for (let off = 0; off < s.length;) {
        let end = s.indexOf(0, off);
        if (end < 0) end = s.length;
        const str = btf.str(off);
        if (!b.strIndex.has(str)) b.strIndex.set(str, off);
        off = end + 1;
      }
    }
    for (let id = 1; id < btf.types.length; id++) b.add(btf.types[id] as BtfTypeInput);
    return b;
  }

  /** The number of types added so far. */
  get count(): number {
    return this.types.length;
  }

  /** The offset of `s` in the string section, adding it when new. */
  addString(s: string): number {
    const known = this.strIndex.get(s);
    if (known !== undefined) return known;
    if (s.includes('\0')) throw new BtfError(BtfErrorCode.BAD_ARGUMENT, `name ${JSON.stringify(s)} contains a NUL`);
    const bytes = encoder.encode(s + '\0');
    const off = this.strLen;
    this.strParts.push(bytes);
    this.strLen += bytes.length;
    this.strIndex.set(s, off);
    return off;
  }

  /** Adds a type and returns its id. */
  add(t: BtfTypeInput): number {
    if (this.types.length >= BTF_MAX_TYPE) throw new BtfError(BtfErrorCode.BAD_ARGUMENT, `more than ${BTF_MAX_TYPE} types`);
    this.types.push(t);
    return this.types.length;
  }

  /** The `.BTF` bytes of everything added. */
  build(): Uint8Array {
    const le = this.littleEndian;
    // Names first: interning may grow the string section.
    const nameOffs: number[][] = this.types.map((t) => namesOf(t).map((n) => this.addString(n)));
    let typeLen = 0;
    for (const t of this.types) typeLen += BTF_TYPE_SIZE + extraBytes(t);
    const out = new Uint8Array(BTF_HEADER_SIZE + typeLen + this.strLen);
    const v = new DataView(out.buffer);
    v.setUint16(0, BTF_MAGIC, le);
    v.setUint8(2, BTF_VERSION);
    v.setUint8(3, 0);
    v.setUint32(4, BTF_HEADER_SIZE, le);
    v.setUint32(8, 0, le);
    v.setUint32(12, typeLen, le);
    v.setUint32(16, typeLen, le);
    v.setUint32(20, this.strLen, le);
    let p = BTF_HEADER_SIZE;
    const u32 = (x: number): void => {
      v.setUint32(p, x >>> 0, le);
      p += 4;
    };
    for (let i = 0; i < this.types.length; i++) {
      const t = this.types[i]!;
      const names = nameOffs[i]!;
      const id = i + 1;
      const vlen = vlenOf(t);
      if (vlen > BTF_MAX_VLEN) throw bad(id, `${vlen} entries (at most ${BTF_MAX_VLEN})`);
      const kindFlag = t.kindFlag ?? deriveKindFlag(t);
      u32(names[0]!);
      u32((kindFlag ? 0x80000000 : 0) | (t.kind << 24) | vlen);
      switch (t.kind) {
        case BtfKind.INT:
          u32(t.size);
          if (t.bits > 128 || t.bitOffset > 255 || t.encoding > 15) throw bad(id, 'INT encoding, offset or bits out of range');
          u32((t.encoding << 24) | (t.bitOffset << 16) | t.bits);
          break;
        case BtfKind.PTR: case BtfKind.TYPEDEF: case BtfKind.VOLATILE: case BtfKind.CONST:
        case BtfKind.RESTRICT: case BtfKind.TYPE_TAG: case BtfKind.FUNC:
          u32(t.type);
          break;
        case BtfKind.ARRAY:
          u32(0);
          u32(t.elemType); u32(t.indexType); u32(t.nelems);
          break;
        case BtfKind.STRUCT: case BtfKind.UNION:
          u32(t.size);
          t.members.forEach((m, j) => {
            u32(names[j + 1]!); u32(m.type);
            if (kindFlag) {
              if (m.bitOffset > 0xffffff || m.bitfieldSize > 0xff) throw bad(id, `member ${j}: bit offset or bitfield size too large for kind_flag encoding`);
              u32((m.bitfieldSize << 24) | m.bitOffset);
            } else {
              if (m.bitfieldSize !== 0) throw bad(id, `member ${j} is a bitfield but kind_flag is clear`);
              u32(m.bitOffset);
            }
          });
          break;
        case BtfKind.ENUM:
          u32(t.size);
          t.values.forEach((e, j) => {
            if (e.value < -(1n << 31n) || e.value >= 1n << 32n) throw bad(id, `enum value ${e.value} does not fit in 32 bits`);
            u32(names[j + 1]!); u32(Number(BigInt.asUintN(32, e.value)));
          });
          break;
        case BtfKind.ENUM64:
          u32(t.size);
          t.values.forEach((e, j) => {
            const u = BigInt.asUintN(64, e.value);
            u32(names[j + 1]!); u32(Number(u & 0xffffffffn)); u32(Number(u >> 32n));
          });
          break;
        case BtfKind.FWD:
          u32(0);
          break;
        case BtfKind.FUNC_PROTO:
          u32(t.returnType);
          t.params.forEach((a, j) => {
            u32(names[j + 1]!); u32(a.type);
          });
          break;
        case BtfKind.VAR:
          u32(t.type); u32(t.linkage);
          break;
        case BtfKind.DATASEC:
          u32(t.size);
          for (const s of t.vars) {
            u32(s.type); u32(s.offset); u32(s.size);
          }
          break;
        case BtfKind.FLOAT:
          u32(t.size);
          break;
        case BtfKind.DECL_TAG:
          u32(t.type); u32(t.componentIdx);
          break;
      }
    }
    for (const part of this.strParts) {
      out.set(part, p);
      p += part.length;
    }
    return out;
  }
}

function bad(id: number, msg: string): BtfError {
  return new BtfError(BtfErrorCode.BAD_ARGUMENT, msg, { typeId: id });
}

/** The type's name followed by its members', values' or parameters' names. */
function namesOf(t: BtfTypeInput): string[] {
  switch (t.kind) {
    case BtfKind.STRUCT: case BtfKind.UNION: return [t.name, ...t.members.map((m) => m.name)];
    case BtfKind.ENUM: case BtfKind.ENUM64: return [t.name, ...t.values.map((e) => e.name)];
    case BtfKind.FUNC_PROTO: return [t.name, ...t.params.map((a) => a.name)];
    default: return [t.name];
  }
}

function vlenOf(t: BtfTypeInput): number {
  switch (t.kind) {
    case BtfKind.STRUCT: case BtfKind.UNION: return t.members.length;
    case BtfKind.ENUM: case BtfKind.ENUM64: return t.values.length;
    case BtfKind.FUNC_PROTO: return t.params.length;
    case BtfKind.DATASEC: return t.vars.length;
    case BtfKind.FUNC: return t.linkage;
    default: return 0;
  }
}

function extraBytes(t: BtfTypeInput): number {
  switch (t.kind) {
    case BtfKind.INT: case BtfKind.VAR: case BtfKind.DECL_TAG: return 4;
    case BtfKind.ARRAY: return 12;
    case BtfKind.STRUCT: case BtfKind.UNION: return 12 * t.members.length;
    case BtfKind.DATASEC: return 12 * t.vars.length;
    case BtfKind.ENUM64: return 12 * t.values.length;
    case BtfKind.ENUM: return 8 * t.values.length;
    case BtfKind.FUNC_PROTO: return 8 * t.params.length;
    default: return 0;
  }
}

function deriveKindFlag(t: BtfTypeInput): boolean {
  switch (t.kind) {
    case BtfKind.STRUCT: case BtfKind.UNION: return t.members.some((m) => m.bitfieldSize !== 0);
    case BtfKind.ENUM: case BtfKind.ENUM64: return t.values.some((e) => e.value < 0n);
    default: return false;
  }
}
