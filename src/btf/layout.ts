import { BtfError, BtfErrorCode } from './errors.js';
import { BtfIntEncoding, BtfKind } from './kinds.js';
import { BtfBuilder } from './write.js';
import type { BtfMember } from './types.js';

/** A struct or union member for `CLayout.struct`: `bits` makes it a bitfield. */
export interface CField {
  name: string;
  type: number;
  bits?: number;
}

/**
 * Describes C types in BTF with the layout a C compiler gives them on a 64-bit
 * little-endian target (natural alignment, SysV bitfield packing), so the runtime
 * can publish its own structures (contexts, platform types) as BTF without writing
 * offsets by hand. Every method returns the new type id.
 */
export class CLayout {
  readonly builder: BtfBuilder;
  private readonly size: number[] = [0];
  private readonly align: number[] = [1];
  private readonly ints = new Map<string, number>();
  private arrayIndex = 0;

  constructor(builder: BtfBuilder = new BtfBuilder()) {
    if (builder.count !== 0) throw new BtfError(BtfErrorCode.BAD_ARGUMENT, 'CLayout needs an empty builder: it must know every type\'s layout');
    this.builder = builder;
  }

  private added(id: number, size: number, align: number): number {
    this.size[id] = size;
    this.align[id] = align;
    return id;
  }

  private known(id: number): void {
    if (this.size[id] === undefined) throw new BtfError(BtfErrorCode.BAD_ARGUMENT, `type [${id}] was not made by this layout`);
  }

  /** An integer type (`unsigned int`, `__u32`...), made once per name. */
  int(name: string, size: 1 | 2 | 4 | 8 | 16, signed = false, encoding = 0): number {
    const have = this.ints.get(name);
    if (have !== undefined) return have;
    const id = this.builder.add({ kind: BtfKind.INT, name, size, encoding: encoding | (signed ? BtfIntEncoding.SIGNED : 0), bitOffset: 0, bits: size * 8 });
    this.ints.set(name, id);
    return this.added(id, size, Math.min(size, 8));
  }

  pointer(to: number): number {
    if (to !== 0) this.known(to);
    return this.added(this.builder.add({ kind: BtfKind.PTR, name: '', type: to }), 8, 8);
  }

  typedef(name: string, to: number): number {
    this.known(to);
    return this.added(this.builder.add({ kind: BtfKind.TYPEDEF, name, type: to }), this.size[to]!, this.align[to]!);
  }

  array(elem: number, nelems: number): number {
    this.known(elem);
    // clang's convention: arrays are indexed by a 4-byte unsigned int of this name.
    this.arrayIndex ||= this.int('__ARRAY_SIZE_TYPE__', 4);
    const id = this.builder.add({ kind: BtfKind.ARRAY, name: '', elemType: elem, indexType: this.arrayIndex, nelems });
    return this.added(id, this.size[elem]! * nelems, this.align[elem]!);
  }

  /** A struct (or union) with members placed as C places them; `packed` drops alignment. */
  struct(name: string, fields: readonly CField[], options: { union?: boolean; packed?: boolean } = {}): number {
    const members: Omit<BtfMember, 'nameOff'>[] = [];
    let bit = 0;
    let end = 0;
    let maxAlign = 1;
    for (const f of fields) {
      this.known(f.type);
      const size = this.size[f.type]!;
      const align = options.packed ? 1 : this.align[f.type]!;
      maxAlign = Math.max(maxAlign, align);
      const start = options.union ? 0 : bit;
      if (f.bits !== undefined) {
        if (!(f.bits > 0 && f.bits <= size * 8)) throw new BtfError(BtfErrorCode.BAD_ARGUMENT, `bitfield ${name}.${f.name}: ${f.bits} bits in a ${size}-byte type`);
        // A bitfield may not straddle a boundary of its type's size (unless packed).
        let at = start;
        if (!options.packed && Math.floor(at / (size * 8)) !== Math.floor((at + f.bits - 1) / (size * 8))) at = roundUp(at, size * 8);
        members.push({ name: f.name, type: f.type, bitOffset: at, bitfieldSize: f.bits });
        bit = options.union ? bit : at + f.bits;
        end = Math.max(end, at + f.bits);
      } else {
        const at = roundUp(start, align * 8);
        members.push({ name: f.name, type: f.type, bitOffset: at, bitfieldSize: 0 });
        bit = options.union ? bit : at + size * 8;
        end = Math.max(end, at + size * 8);
      }
    }
    const size = roundUp(Math.ceil(end / 8), maxAlign);
    const id = this.builder.add({ kind: options.union ? BtfKind.UNION : BtfKind.STRUCT, name, size, members });
    return this.added(id, size, maxAlign);
  }

  /** The BTF bytes of everything described. */
  build(): Uint8Array {
    return this.builder.build();
  }
}

function roundUp(x: number, to: number): number {
  return Math.ceil(x / to) * to;
}
