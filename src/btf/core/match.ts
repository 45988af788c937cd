import type { Btf } from '../btf.js';
import { BtfIntEncoding, BtfKind } from '../kinds.js';
import type { BtfComposite, BtfEnum, BtfType } from '../types.js';
import { CORE_SPEC_MAX_LEN, essentialName, isFlexArray, reloError, type CoreSpec } from './spec.js';
import { CoreReloKind, isEnumValueKind, isFieldKind, isTypeKind } from './kinds.js';

/** How deep type comparisons may recurse before the BTF is called malformed (Linux: 32). */
const MAX_DEPTH = 32;

const essentialIndex = new WeakMap<Btf, Map<string, number[]>>();

/** Target type ids by essential name, built once per target BTF. */
function byEssentialName(btf: Btf): Map<string, number[]> {
  let m = essentialIndex.get(btf);
  if (!m) {
    m = new Map();
    for (let id = 1; id < btf.types.length; id++) {
      const n = btf.types[id]!.name;
      if (n === '') continue;
      const e = essentialName(n);
      const list = m.get(e);
      if (list) list.push(id); else m.set(e, [id]);
    }
    essentialIndex.set(btf, m);
  }
  return m;
}

/** Same kind, or both enums (ENUM and ENUM64 relocate into each other). */
export function kindsCompatible(a: BtfType, b: BtfType): boolean {
  if (a.kind === b.kind) return true;
  const enumA = a.kind === BtfKind.ENUM || a.kind === BtfKind.ENUM64;
  const enumB = b.kind === BtfKind.ENUM || b.kind === BtfKind.ENUM64;
  return enumA && enumB;
}

/**
 * The target types a local type may stand for: same essential name (the local
 * `task_struct___v2` and the target `task_struct` both have `task_struct`), and a
 * compatible kind. Anonymous local types have no candidates.
 */
export function findCandidates(local: Btf, localId: number, target: Btf): number[] {
  const lt = local.typeById(localId);
  if (lt.name === '') return [];
  const ids = byEssentialName(target).get(essentialName(lt.name)) ?? [];
  return ids.filter((id) => kindsCompatible(lt, target.types[id]!));
}

function namesMatch(local: string, target: string): boolean {
  if (target === '') return local === '';
  return essentialName(local) === essentialName(target);
}

/**
 * Type compatibility for TYPE_EXISTS, TYPE_SIZE and TYPE_ID_TARGET: the same shape of
 * pointers, arrays and function prototypes down to a struct, union, enum or int
 * (names were already matched by the candidate search; members are not compared).
 */
export function typesCompatible(local: Btf, localId: number, target: Btf, targetId: number, level = MAX_DEPTH): boolean {
  if (!kindsCompatible(local.typeById(localId), target.typeById(targetId))) return false;
  for (let depth = 0; depth < MAX_DEPTH; depth++) {
    const lt = local.resolve(localId);
    const tt = target.resolve(targetId);
    if (!kindsCompatible(lt, tt)) return false;
    switch (lt.kind) {
      case BtfKind.UNKN: case BtfKind.STRUCT: case BtfKind.UNION: case BtfKind.ENUM: case BtfKind.FWD: case BtfKind.ENUM64:
        return true;
      case BtfKind.INT:
        return lt.bitOffset === 0 && tt.kind === BtfKind.INT && tt.bitOffset === 0;
      case BtfKind.PTR:
        localId = lt.type;
        targetId = (tt as { type: number }).type;
        break;
      case BtfKind.ARRAY:
        localId = lt.elemType;
        targetId = (tt as { elemType: number }).elemType;
        break;
      case BtfKind.FUNC_PROTO: {
        if (tt.kind !== BtfKind.FUNC_PROTO || lt.params.length !== tt.params.length) return false;
        for (let i = 0; i < lt.params.length; i++) {
          if (level <= 0) throw reloError('function prototypes nest too deep');
          const lp = local.resolveId(lt.params[i]!.type);
          const tp = target.resolveId(tt.params[i]!.type);
          if (!typesCompatible(local, lp, target, tp, level - 1)) return false;
        }
        localId = local.resolveId(lt.returnType);
        targetId = target.resolveId(tt.returnType);
        break;
      }
      default:
        return false;
    }
  }
  throw reloError('type chain too deep to compare');
}

/**
 * The stricter comparison of TYPE_MATCHES: names must agree at every level (flavors
 * aside), ints in size and signedness, arrays in length, enums must hold every local
 * enumerator name, structs and unions every local member (recursively); behind a
 * pointer a struct also matches a forward declaration of the same kind.
 */
export function typesMatch(local: Btf, localId: number, target: Btf, targetId: number, behindPtr = false, level = MAX_DEPTH): boolean {
  if (level <= 0) throw reloError('types nest too deep to match');
  for (let depth = 0; depth < MAX_DEPTH; depth++) {
    const lt = local.resolve(localId);
    const tt = target.resolve(targetId);
    if (!namesMatch(lt.name, tt.name)) return false;
    switch (lt.kind) {
      case BtfKind.UNKN:
        return tt.kind === BtfKind.UNKN;
      case BtfKind.FWD:
        if (tt.kind === BtfKind.FWD) return lt.kindFlag === tt.kindFlag;
        if (!behindPtr) return false;
        return (tt.kind === BtfKind.STRUCT && !lt.kindFlag) || (tt.kind === BtfKind.UNION && lt.kindFlag);
      case BtfKind.ENUM: case BtfKind.ENUM64:
        return (tt.kind === BtfKind.ENUM || tt.kind === BtfKind.ENUM64) && enumsMatch(lt, tt);
      case BtfKind.STRUCT: case BtfKind.UNION:
        if (behindPtr) {
          if (lt.kind === tt.kind) return true;
          return tt.kind === BtfKind.FWD && (lt.kind === BtfKind.UNION) === tt.kindFlag;
        }
        return lt.kind === tt.kind && compositesMatch(local, lt, target, tt as BtfComposite, behindPtr, level);
      case BtfKind.INT:
        return tt.kind === BtfKind.INT && lt.size === tt.size
          && (lt.encoding & BtfIntEncoding.SIGNED) === (tt.encoding & BtfIntEncoding.SIGNED);
      case BtfKind.PTR:
        if (tt.kind !== BtfKind.PTR) return false;
        behindPtr = true;
        localId = lt.type;
        targetId = tt.type;
        break;
      case BtfKind.ARRAY:
        if (tt.kind !== BtfKind.ARRAY || lt.nelems !== tt.nelems) return false;
        localId = lt.elemType;
        targetId = tt.elemType;
        break;
      case BtfKind.FUNC_PROTO:
        if (tt.kind !== BtfKind.FUNC_PROTO || lt.params.length !== tt.params.length) return false;
        for (let i = 0; i < lt.params.length; i++) {
          if (!typesMatch(local, lt.params[i]!.type, target, tt.params[i]!.type, behindPtr, level - 1)) return false;
        }
        localId = lt.returnType;
        targetId = tt.returnType;
        break;
      default:
        return false;
    }
  }
  throw reloError('type chain too deep to match');
}

function enumsMatch(lt: BtfEnum, tt: BtfEnum): boolean {
  if (lt.size !== tt.size || lt.values.length > tt.values.length) return false;
  return lt.values.every((lv) => tt.values.some((tv) => namesMatch(lv.name, tv.name)));
}

function compositesMatch(local: Btf, lt: BtfComposite, target: Btf, tt: BtfComposite, behindPtr: boolean, level: number): boolean {
  if (lt.members.length > tt.members.length) return false;
  return lt.members.every((lm) => tt.members.some((tm) =>
    namesMatch(lm.name, tm.name) && typesMatch(local, lm.type, target, tm.type, behindPtr, level - 1)));
}

/**
 * Whether a local field's type can be relocated onto a target field's: any two
 * structs or unions, pointers, floats, ints (not the old bit-offset ints), enums or
 * forward declarations of the same essential name (or anonymous), arrays of such.
 */
export function fieldsCompatible(local: Btf, localId: number, target: Btf, targetId: number): boolean {
  for (let depth = 0; depth < MAX_DEPTH; depth++) {
    const lt = local.resolve(localId);
    const tt = target.resolve(targetId);
    const composite = (t: BtfType): boolean => t.kind === BtfKind.STRUCT || t.kind === BtfKind.UNION;
    if (composite(lt) && composite(tt)) return true;
    if (!kindsCompatible(lt, tt)) return false;
    switch (lt.kind) {
      case BtfKind.PTR: case BtfKind.FLOAT:
        return true;
      case BtfKind.FWD: case BtfKind.ENUM: case BtfKind.ENUM64: {
        const l = essentialName(lt.name);
        const t = essentialName(tt.name);
        return l === '' || t === '' || l === t;
      }
      case BtfKind.INT:
        return lt.bitOffset === 0 && (tt as { bitOffset: number }).bitOffset === 0;
      case BtfKind.ARRAY:
        localId = lt.elemType;
        targetId = (tt as { elemType: number }).elemType;
        break;
      default:
        return false;
    }
  }
  throw reloError('array nesting too deep to compare');
}

/**
 * Finds the local member accessor `name` (with local type `localMemberType`) in the
 * target composite `targetId`, looking through anonymous members. On success pushes
 * the target accessor, extends `spec.raw` and `spec.bitOffset`, and returns the
 * member's type id; returns undefined when absent or incompatible.
 */
function matchMember(local: Btf, name: string, localMemberType: number, target: Btf, targetId: number, spec: CoreSpec, depth: number): number | undefined {
  if (depth > MAX_DEPTH) throw reloError('anonymous members nest too deep');
  const tt = target.resolve(targetId);
  if (tt.kind !== BtfKind.STRUCT && tt.kind !== BtfKind.UNION) return undefined;
  for (let i = 0; i < tt.members.length; i++) {
    const m = tt.members[i]!;
    if (spec.raw.length >= CORE_SPEC_MAX_LEN) throw reloError(`access deeper than ${CORE_SPEC_MAX_LEN} steps`);
    if (m.name === '') {
      spec.bitOffset += m.bitOffset;
      spec.raw.push(i);
      const found = matchMember(local, name, localMemberType, target, m.type, spec, depth + 1);
      if (found !== undefined) return found;
      spec.bitOffset -= m.bitOffset;
      spec.raw.pop();
    } else if (m.name === name) {
      if (!fieldsCompatible(local, localMemberType, target, m.type)) return undefined;
      spec.bitOffset += m.bitOffset;
      spec.raw.push(i);
      spec.accessors.push({ typeId: tt.id, idx: i, name: m.name });
      return m.type;
    }
  }
  return undefined;
}

/**
 * Resolves the local access `localSpec` in the target type `targetId`: the target
 * spec when the candidate has the same path of member names (and compatible types),
 * else undefined.
 */
export function matchSpec(localSpec: CoreSpec, target: Btf, targetId: number): CoreSpec | undefined {
  const local = localSpec.btf;
  const spec: CoreSpec = { btf: target, rootTypeId: targetId, kind: localSpec.kind, accessors: [], raw: [], bitOffset: 0 };
  if (isTypeKind(localSpec.kind)) {
    const ok = localSpec.kind === CoreReloKind.TYPE_MATCHES
      ? typesMatch(local, localSpec.rootTypeId, target, targetId)
      : typesCompatible(local, localSpec.rootTypeId, target, targetId);
    return ok ? spec : undefined;
  }
  if (isEnumValueKind(localSpec.kind)) {
    const tt = target.resolve(targetId);
    if (tt.kind !== BtfKind.ENUM && tt.kind !== BtfKind.ENUM64) return undefined;
    const want = essentialName(localSpec.accessors[0]!.name!);
    const idx = tt.values.findIndex((v) => essentialName(v.name) === want);
    if (idx < 0) return undefined;
    spec.accessors.push({ typeId: tt.id, idx, name: tt.values[idx]!.name });
    spec.raw.push(idx);
    return spec;
  }
  if (!isFieldKind(localSpec.kind)) throw reloError(`unknown CO-RE relocation kind ${localSpec.kind}`);
  let id = targetId;
  for (let i = 0; i < localSpec.accessors.length; i++) {
    const la = localSpec.accessors[i]!;
    const tt = target.resolve(id);
    if (la.name !== undefined) {
      const lt = local.typeById(la.typeId) as BtfComposite;
      const next = matchMember(local, la.name, lt.members[la.idx]!.type, target, tt.id, spec, 0);
      if (next === undefined) return undefined;
      id = next;
      continue;
    }
    // An array step: index 0 is the root itself, later ones index into an array.
    if (i > 0) {
      if (tt.kind !== BtfKind.ARRAY) return undefined;
      const flex = isFlexArray(target, spec.accessors[spec.accessors.length - 1], tt);
      if (!flex && la.idx >= tt.nelems) return undefined;
      id = target.resolveId(tt.elemType);
    } else {
      id = tt.id;
    }
    if (spec.raw.length >= CORE_SPEC_MAX_LEN) throw reloError(`access deeper than ${CORE_SPEC_MAX_LEN} steps`);
    spec.accessors.push({ typeId: id, idx: la.idx, name: undefined });
    spec.raw.push(la.idx);
    spec.bitOffset += la.idx * target.sizeof(id) * 8;
  }
  return spec;
}
