import { BtfIntEncoding, BtfKind } from '../kinds.js';
import type { BtfComposite } from '../types.js';
import { CoreReloKind, CORE_RELO_KIND_NAMES, isEnumValueKind, isFieldKind } from './kinds.js';
import { reloError, type CoreSpec } from './spec.js';

/**
 * What a relocation computes: the value the compiler baked in (`origVal`, from the
 * local BTF) and the one for the target (`newVal`). `poison` means the target lacks
 * what the instruction needs; `validate` whether the instruction must hold `origVal`
 * (it is skipped where compilers legitimately differ, such as bitfield offsets).
 */
export interface CoreReloValue {
  origVal: bigint;
  newVal: bigint;
  poison: boolean;
  validate: boolean;
  /** Memory size of the field in the local and target BTF (field byte offsets only; 0 when unknown). */
  origSize: number;
  newSize: number;
  /** A load or store of the field cannot be resized safely (signed or non-integer fields of different sizes). */
  failMemSizeAdjust: boolean;
}

/** Thrown inside the calculation when the target lacks the field: the instruction is poisoned. */
class Poison {
  constructor(readonly reason: string) {}
}

interface FieldValue { val: bigint; size: number; typeId: number; validate: boolean }

function fieldValue(spec: CoreSpec | undefined, kind: number): FieldValue {
  if (kind === CoreReloKind.FIELD_EXISTS) return { val: spec ? 1n : 0n, size: 0, typeId: 0, validate: true };
  if (!spec) throw new Poison('no field in the target');
  const btf = spec.btf;
  const acc = spec.accessors[spec.accessors.length - 1]!;
  if (acc.name === undefined) {
    // The access ends on an array element (or the root): only offset and size make sense.
    const size = btf.sizeof(acc.typeId);
    if (kind === CoreReloKind.FIELD_BYTE_OFFSET) return { val: BigInt(spec.bitOffset / 8), size, typeId: acc.typeId, validate: true };
    if (kind === CoreReloKind.FIELD_BYTE_SIZE) return { val: BigInt(size), size: 0, typeId: 0, validate: true };
    throw reloError(`${CORE_RELO_KIND_NAMES[kind]} cannot apply to an array element`);
  }
  const parent = btf.typeById(acc.typeId) as BtfComposite;
  const m = parent.members[acc.idx]!;
  const mt = btf.resolve(m.type);
  const bitOff = spec.bitOffset;
  let bitSize = m.bitfieldSize;
  const bitfield = bitSize > 0;
  let byteSize: number;
  let byteOff: number;
  if (bitfield) {
    // The smallest naturally aligned load that holds the whole bitfield.
    byteSize = 'size' in mt ? mt.size : 0;
    if (byteSize <= 0) throw reloError(`bitfield of a type without size`);
    byteOff = Math.floor(bitOff / 8 / byteSize) * byteSize;
    while (bitOff + bitSize - byteOff * 8 > byteSize * 8) {
      if (byteSize >= 8) throw reloError(`bitfield at bit ${bitOff} (${bitSize} bits) cannot be read with one 64-bit load`);
      byteSize *= 2;
      byteOff = Math.floor(bitOff / 8 / byteSize) * byteSize;
    }
  } else {
    byteSize = btf.sizeof(mt.id);
    byteOff = bitOff / 8;
    bitSize = byteSize * 8;
  }
  let validate = !bitfield;
  let val: number;
  switch (kind) {
    case CoreReloKind.FIELD_BYTE_OFFSET:
      return { val: BigInt(byteOff), size: bitfield ? 0 : byteSize, typeId: bitfield ? 0 : mt.id, validate };
    case CoreReloKind.FIELD_BYTE_SIZE:
      val = byteSize;
      break;
    case CoreReloKind.FIELD_SIGNED:
      val = ((mt.kind === BtfKind.ENUM || mt.kind === BtfKind.ENUM64) && mt.kindFlag)
        || (mt.kind === BtfKind.INT && (mt.encoding & BtfIntEncoding.SIGNED) !== 0) ? 1 : 0;
      validate = true;
      break;
    case CoreReloKind.FIELD_LSHIFT_U64:
      val = btf.littleEndian ? 64 - (bitOff + bitSize - byteOff * 8) : (8 - byteSize) * 8 + (bitOff - byteOff * 8);
      break;
    case CoreReloKind.FIELD_RSHIFT_U64:
      val = 64 - bitSize;
      validate = true;
      break;
    default:
      throw reloError(`unknown field relocation kind ${kind}`);
  }
  return { val: BigInt(val), size: 0, typeId: 0, validate };
}

function typeValue(spec: CoreSpec | undefined, kind: number): bigint {
  if (!spec) return 0n;
  switch (kind) {
    case CoreReloKind.TYPE_ID_TARGET: return BigInt(spec.rootTypeId);
    case CoreReloKind.TYPE_EXISTS: case CoreReloKind.TYPE_MATCHES: return 1n;
    case CoreReloKind.TYPE_SIZE: return BigInt(spec.btf.sizeof(spec.rootTypeId));
    default: throw reloError(`unknown type relocation kind ${kind}`);
  }
}

function enumValue(spec: CoreSpec | undefined, kind: number): bigint {
  if (kind === CoreReloKind.ENUMVAL_EXISTS) return spec ? 1n : 0n;
  if (!spec) throw new Poison('no such enumerator in the target');
  const acc = spec.accessors[0]!;
  const t = spec.btf.typeById(acc.typeId);
  if (t.kind !== BtfKind.ENUM && t.kind !== BtfKind.ENUM64) throw reloError('enumerator relocation on a non-enum');
  return t.values[acc.idx]!.value;
}

/** The values of one relocation for a local spec and a target spec (undefined: no target). */
export function calcRelocation(kind: number, local: CoreSpec, target: CoreSpec | undefined): CoreReloValue & { poisonReason?: string } {
  const res: CoreReloValue = { origVal: 0n, newVal: 0n, poison: false, validate: true, origSize: 0, newSize: 0, failMemSizeAdjust: false };
  try {
    if (isFieldKind(kind)) {
      const o = fieldValue(local, kind);
      const n = fieldValue(target, kind);
      res.origVal = o.val;
      res.validate = o.validate;
      res.newVal = n.val;
      res.origSize = o.size;
      res.newSize = n.size;
      if (o.size !== n.size && target) {
        const ot = local.btf.typeById(o.typeId);
        const nt = target.btf.typeById(n.typeId);
        // Pointers and unsigned ints read the same value at any width (zero extension).
        const safe = (ot.kind === BtfKind.PTR && nt.kind === BtfKind.PTR)
          || (ot.kind === BtfKind.INT && nt.kind === BtfKind.INT && !(ot.encoding & BtfIntEncoding.SIGNED) && !(nt.encoding & BtfIntEncoding.SIGNED));
        res.failMemSizeAdjust = !safe;
      }
    } else if (isEnumValueKind(kind)) {
      res.origVal = enumValue(local, kind);
      res.newVal = enumValue(target, kind);
    } else if (kind === CoreReloKind.TYPE_ID_LOCAL) {
      res.origVal = res.newVal = BigInt(local.rootTypeId);
      res.validate = false;
    } else {
      res.origVal = typeValue(local, kind);
      res.newVal = typeValue(target, kind);
      // Type ids may be renumbered when objects are linked: never checked.
      if (kind === CoreReloKind.TYPE_ID_TARGET) res.validate = false;
    }
  } catch (err) {
    if (err instanceof Poison) return { ...res, poison: true, poisonReason: err.reason };
    throw err;
  }
  return res;
}
