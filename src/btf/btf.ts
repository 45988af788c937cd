import { BtfError, BtfErrorCode } from './errors.js';
import { BTF_KIND_NAMES, BtfKind } from './kinds.js';
import type { BtfComposite, BtfMember, BtfType } from './types.js';

/** How deep a chain of typedefs, modifiers and arrays may go (Linux allows 32). */
export const MAX_RESOLVE_DEPTH = 32;

const decoder = new TextDecoder('utf-8');

export interface BtfInit {
  /** Types of this blob, in id order, starting at `base.types.length` (or 1). */
  types: BtfType[];
  /** The string section of this blob. */
  strings: Uint8Array;
  littleEndian: boolean;
  /** The base BTF of a split BTF (a kernel module's BTF has vmlinux as base). */
  base?: Btf;
  /** Pointer size in bytes: 8 for every BPF target (and x86-64 vmlinux). */
  pointerSize?: number;
}

/** A member found by name, with its offset from the start of the outer type. */
export interface FoundMember {
  member: BtfMember;
  /** Bit offset from the start of the type searched, through anonymous members. */
  bitOffset: number;
  /** The indices followed (anonymous members first), as a CO-RE access string lists them. */
  path: number[];
}

/**
 * Parsed BTF: the types indexed by id (id 0 is `void`) and the string section, with the
 * queries every consumer needs (name lookup, modifier skipping, sizes, members).
 */
export class Btf {
  /** Every type, indexed by id; `types[0]` is `void`. In split BTF, base types come first. */
  readonly types: readonly BtfType[];
  /** This blob's string section, as stored. */
  readonly strings: Uint8Array;
  readonly littleEndian: boolean;
  readonly base: Btf | undefined;
  readonly pointerSize: number;
  /** The first type id this blob defines (1, or the base's type count). */
  readonly startId: number;
  /** Offset of this blob's first string in the split string space. */
  readonly startStrOff: number;
  private byName: Map<string, number[]> | undefined;
  private readonly strCache = new Map<number, string>();
  /** The whole string section as one JS string when it is pure ASCII (byte offset = index). */
  private readonly asciiStrings: string | undefined;

  constructor(init: BtfInit) {
    this.base = init.base;
    this.startId = init.base ? init.base.types.length : 1;
    this.startStrOff = init.base ? init.base.startStrOff + init.base.strings.length : 0;
    const all: BtfType[] = init.base ? init.base.types.slice() : [VOID];
    for (const t of init.types) all.push(t);
    this.types = all;
    this.strings = init.strings;
    this.asciiStrings = asciiText(init.strings);
    this.littleEndian = init.littleEndian;
    this.pointerSize = init.pointerSize ?? init.base?.pointerSize ?? 8;
  }

  /** The number of type ids, void included. */
  get length(): number {
    return this.types.length;
  }

  /** The type with id `id`. Throws `EBEE_BTF_BAD_TYPE_ID` when there is none. */
  typeById(id: number): BtfType {
    const t = Number.isInteger(id) && id >= 0 ? this.types[id] : undefined;
    if (t === undefined) throw new BtfError(BtfErrorCode.BAD_TYPE_ID, `no type with id ${id} (${this.types.length} types)`, { typeId: id });
    return t;
  }

  /** The string at offset `off` of the string section (of the base, for low offsets in split BTF). */
  str(off: number): string {
    if (off < this.startStrOff && this.base) return this.base.str(off);
    const rel = off - this.startStrOff;
    if (!(rel >= 0 && rel < this.strings.length)) {
      throw new BtfError(BtfErrorCode.MALFORMED, `string offset ${off} is outside the string section (${this.strings.length} bytes)`);
    }
    if (this.asciiStrings !== undefined) {
      const e = this.asciiStrings.indexOf('\0', rel);
      if (e < 0) throw new BtfError(BtfErrorCode.MALFORMED, `string at offset ${off} is not NUL-terminated`);
      return this.asciiStrings.slice(rel, e);
    }
    const cached = this.strCache.get(off);
    if (cached !== undefined) return cached;
    const end = this.strings.indexOf(0, rel);
    if (end < 0) throw new BtfError(BtfErrorCode.MALFORMED, `string at offset ${off} is not NUL-terminated`);
    const s = decoder.decode(this.strings.subarray(rel, end));
    this.strCache.set(off, s);
    return s;
  }

  /** The first type named `name` (of kind `kind`, when given), or undefined. */
  findByName(name: string, kind?: number): BtfType | undefined {
    for (const id of this.nameIndex().get(name) ?? []) {
      const t = this.types[id]!;
      if (kind === undefined || t.kind === kind) return t;
    }
    return undefined;
  }

  /** Every type named `name` (of kind `kind`, when given), in id order. */
  findAllByName(name: string, kind?: number): BtfType[] {
    const out: BtfType[] = [];
    for (const id of this.nameIndex().get(name) ?? []) {
      const t = this.types[id]!;
      if (kind === undefined || t.kind === kind) out.push(t);
    }
    return out;
  }

  /** Names present in this BTF, with the ids that carry each (for candidate searches). */
  nameIndex(): ReadonlyMap<string, readonly number[]> {
    if (!this.byName) {
      const m = new Map<string, number[]>();
      for (let id = 1; id < this.types.length; id++) {
        const n = this.types[id]!.name;
        if (n === '') continue;
        const list = m.get(n);
        if (list) list.push(id); else m.set(n, [id]);
      }
      this.byName = m;
    }
    return this.byName;
  }

  /** The id reached from `id` by skipping typedefs, const, volatile, restrict and type tags. */
  resolveId(id: number): number {
    let t = this.typeById(id);
    for (let depth = 0; ; depth++) {
      if (!isModifierOrTypedef(t.kind)) return t.id;
      if (depth >= MAX_RESOLVE_DEPTH) throw loop(id);
      t = this.typeById((t as { type: number }).type);
    }
  }

  /** The type reached from `id` by skipping typedefs, const, volatile, restrict and type tags. */
  resolve(id: number): BtfType {
    return this.types[this.resolveId(id)]!;
  }

  /** The id reached from `id` by skipping const, volatile, restrict and type tags (not typedefs). */
  skipModifiers(id: number): number {
    let t = this.typeById(id);
    for (let depth = 0; ; depth++) {
      if (!isModifier(t.kind)) return t.id;
      if (depth >= MAX_RESOLVE_DEPTH) throw loop(id);
      t = this.typeById((t as { type: number }).type);
    }
  }

  /** The size in bytes of an object of type `id`. Throws `EBEE_BTF_NO_SIZE` for void, functions and forward declarations. */
  sizeof(id: number): number {
    let mult = 1;
    let t = this.typeById(id);
    for (let depth = 0; ; depth++) {
      if (depth > MAX_RESOLVE_DEPTH) throw loop(id);
      switch (t.kind) {
        case BtfKind.INT: case BtfKind.STRUCT: case BtfKind.UNION: case BtfKind.ENUM:
        case BtfKind.ENUM64: case BtfKind.DATASEC: case BtfKind.FLOAT:
          return checkedSize(mult * t.size, id);
        case BtfKind.PTR:
          return checkedSize(mult * this.pointerSize, id);
        case BtfKind.TYPEDEF: case BtfKind.VOLATILE: case BtfKind.CONST: case BtfKind.RESTRICT:
        case BtfKind.TYPE_TAG: case BtfKind.VAR: case BtfKind.DECL_TAG:
          t = this.typeById(t.type);
          break;
        case BtfKind.ARRAY:
          mult *= t.nelems;
          t = this.typeById(t.elemType);
          break;
        default:
          throw new BtfError(BtfErrorCode.NO_SIZE, `a ${kindLabel(t.kind)} has no size`, { typeId: id });
      }
    }
  }

  /**
   * The natural alignment of type `id` as a C compiler for a 64-bit target lays it out:
   * scalars align to their size (capped at the pointer size), arrays to their element,
   * structs and unions to their strictest member, or 1 when their layout shows they are
   * packed.
   */
  alignof(id: number, depth = 0): number {
    if (depth > MAX_RESOLVE_DEPTH) throw loop(id);
    const t = this.typeById(id);
    switch (t.kind) {
      case BtfKind.INT: case BtfKind.ENUM: case BtfKind.ENUM64: case BtfKind.FLOAT:
        return Math.max(1, Math.min(this.pointerSize, t.size));
      case BtfKind.PTR:
        return this.pointerSize;
      case BtfKind.TYPEDEF: case BtfKind.VOLATILE: case BtfKind.CONST: case BtfKind.RESTRICT:
      case BtfKind.TYPE_TAG: case BtfKind.VAR:
        return this.alignof(t.type, depth + 1);
      case BtfKind.ARRAY:
        return this.alignof(t.elemType, depth + 1);
      case BtfKind.STRUCT: case BtfKind.UNION: {
        let max = 1;
        for (const m of t.members) {
          const a = this.alignof(m.type, depth + 1);
          // A member off its natural alignment means the compiler was told to pack.
          if (m.bitfieldSize === 0 && m.bitOffset % (8 * a) !== 0) return 1;
          if (a > max) max = a;
        }
        if (t.size % max !== 0) return 1;
        return max;
      }
      default:
        throw new BtfError(BtfErrorCode.NO_SIZE, `a ${kindLabel(t.kind)} has no alignment`, { typeId: id });
    }
  }

  /**
   * The member called `name` of the struct or union `id` (typedefs and modifiers
   * skipped), looking inside anonymous struct and union members as C does.
   */
  member(id: number, name: string): FoundMember | undefined {
    const t = this.resolve(id);
    if (t.kind !== BtfKind.STRUCT && t.kind !== BtfKind.UNION) return undefined;
    return this.findMember(t, name, 0);
  }

  private findMember(t: BtfComposite, name: string, depth: number): FoundMember | undefined {
    if (depth > MAX_RESOLVE_DEPTH) throw loop(t.id);
    for (let i = 0; i < t.members.length; i++) {
      const m = t.members[i]!;
      if (m.name === name) return { member: m, bitOffset: m.bitOffset, path: [i] };
      if (m.name === '') {
        const inner = this.resolve(m.type);
        if (inner.kind === BtfKind.STRUCT || inner.kind === BtfKind.UNION) {
          const found = this.findMember(inner, name, depth + 1);
          if (found) return { member: found.member, bitOffset: m.bitOffset + found.bitOffset, path: [i, ...found.path] };
        }
      }
    }
    return undefined;
  }
}

const VOID: BtfType = { id: 0, kind: BtfKind.UNKN, name: '', nameOff: 0, kindFlag: false };

function asciiText(bytes: Uint8Array): string | undefined {
  for (let i = 0; i < bytes.length; i++) if (bytes[i]! >= 0x80) return undefined;
  return latin1.decode(bytes);
}
const latin1 = new TextDecoder('latin1');

function isModifier(kind: number): boolean {
  return kind === BtfKind.CONST || kind === BtfKind.VOLATILE || kind === BtfKind.RESTRICT || kind === BtfKind.TYPE_TAG;
}

function isModifierOrTypedef(kind: number): boolean {
  return kind === BtfKind.TYPEDEF || isModifier(kind);
}

function loop(id: number): BtfError {
  return new BtfError(BtfErrorCode.LOOP, `type chain deeper than ${MAX_RESOLVE_DEPTH} (a loop?)`, { typeId: id });
}

function checkedSize(n: number, id: number): number {
  if (!Number.isSafeInteger(n) || n > 0xffffffff) throw new BtfError(BtfErrorCode.NO_SIZE, `size ${n} does not fit in 32 bits`, { typeId: id });
  return n;
}

function kindLabel(kind: number): string {
  return kind === 0 ? 'void' : BTF_KIND_NAMES[kind] ?? `kind ${kind}`;
}
