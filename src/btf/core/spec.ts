import type { Btf } from '../btf.js';
import { BtfError, BtfErrorCode } from '../errors.js';
import { BtfKind } from '../kinds.js';
import type { BtfArray, BtfType } from '../types.js';
import { CORE_RELO_KIND_NAMES, isEnumValueKind, isFieldKind, isTypeKind } from './kinds.js';

/** The longest access string Linux accepts (`BPF_CORE_SPEC_MAX_LEN`). */
export const CORE_SPEC_MAX_LEN = 64;

/**
 * One step of an access: a named member (`name` set, `idx` its index in `typeId`), an
 * array element (`name` undefined, `idx` the element index, `typeId` the element type)
 * or an enumerator (`idx` its index in the enum `typeId`, `name` its name).
 */
export interface CoreAccessor {
  typeId: number;
  idx: number;
  name: string | undefined;
}

/**
 * An access resolved against one BTF: the root type, the named steps (anonymous
 * members are folded into their parent, as C does), the raw indices including
 * anonymous members, and the bit offset reached from the root.
 */
export interface CoreSpec {
  btf: Btf;
  rootTypeId: number;
  kind: number;
  accessors: CoreAccessor[];
  raw: number[];
  bitOffset: number;
}

/** "task_struct___v2" -> "task_struct": the name without its `___flavor` suffix. */
export function essentialName(name: string): string {
  // The last "X___Y" where X and Y are not underscores marks the flavor.
  for (let i = name.length - 5; i >= 0; i--) {
    if (name[i] !== '_' && name[i + 1] === '_' && name[i + 2] === '_' && name[i + 3] === '_' && name[i + 4] !== '_') {
      return name.slice(0, i + 1);
    }
  }
  return name;
}

export function reloError(message: string, pc?: number, cause?: unknown): BtfError {
  return new BtfError(BtfErrorCode.CORE_RELO, message, { ...(pc !== undefined ? { pc } : {}), ...(cause !== undefined ? { cause } : {}) });
}

/** A flexible array member: zero elements, and the last member of its struct. */
export function isFlexArray(btf: Btf, parent: CoreAccessor | undefined, arr: BtfArray): boolean {
  if (!parent || parent.name === undefined || arr.nelems > 0) return false;
  const t = btf.typeById(parent.typeId);
  return (t.kind === BtfKind.STRUCT || t.kind === BtfKind.UNION) && parent.idx === t.members.length - 1;
}

/**
 * Resolves a relocation's access string against the local (program) BTF. Field
 * accesses are `a:b:c...`: `a` indexes the root as an array (pointer arithmetic),
 * each later number a member of a struct or union, or an element of an array. Type
 * relocations must say `0`; enumerator relocations name the value's index.
 */
export function parseCoreSpec(btf: Btf, rootTypeId: number, access: string, kind: number): CoreSpec {
  const kindName = CORE_RELO_KIND_NAMES[kind] ?? `kind ${kind}`;
  const spec: CoreSpec = { btf, rootTypeId, kind, accessors: [], raw: [], bitOffset: 0 };
  if (!/^\d+(:\d+)*$/.test(access)) throw reloError(`${kindName}: malformed access string '${access}'`);
  btf.typeById(rootTypeId);
  if (isTypeKind(kind)) {
    if (access !== '0') throw reloError(`${kindName}: a type relocation's access string must be '0', not '${access}'`);
    return spec;
  }
  if (!isFieldKind(kind) && !isEnumValueKind(kind)) throw reloError(`unknown CO-RE relocation kind ${kind}`);
  spec.raw = access.split(':').map(Number);
  if (spec.raw.length > CORE_SPEC_MAX_LEN) throw reloError(`${kindName}: access string '${access}' is longer than ${CORE_SPEC_MAX_LEN}`);
  const root = btf.resolve(rootTypeId);
  let id = root.id;
  const first = spec.raw[0]!;
  if (isEnumValueKind(kind)) {
    if ((root.kind !== BtfKind.ENUM && root.kind !== BtfKind.ENUM64) || spec.raw.length > 1 || first >= root.values.length) {
      throw reloError(`${kindName}: '${access}' names no enumerator of type [${rootTypeId}]`);
    }
    spec.accessors.push({ typeId: id, idx: first, name: root.values[first]!.name });
    return spec;
  }
  spec.accessors.push({ typeId: id, idx: first, name: undefined });
  spec.bitOffset = first * btf.sizeof(id) * 8;
  for (let i = 1; i < spec.raw.length; i++) {
    const t = btf.resolve(id);
    const idx = spec.raw[i]!;
    if (t.kind === BtfKind.STRUCT || t.kind === BtfKind.UNION) {
      const m = t.members[idx];
      if (!m) throw reloError(`${kindName}: access '${access}' step ${i}: ${t.name || '(anon)'} has no member ${idx}`);
      spec.bitOffset += m.bitOffset;
      if (m.name !== '') spec.accessors.push({ typeId: t.id, idx, name: m.name });
      id = m.type;
    } else if (t.kind === BtfKind.ARRAY) {
      const elem = btf.resolve(t.elemType);
      const flex = isFlexArray(btf, spec.accessors[spec.accessors.length - 1], t);
      if (!flex && idx >= t.nelems) throw reloError(`${kindName}: access '${access}' step ${i}: index ${idx} past ${t.nelems} elements`);
      spec.accessors.push({ typeId: elem.id, idx, name: undefined });
      spec.bitOffset += idx * btf.sizeof(elem.id) * 8;
      id = elem.id;
    } else {
      throw reloError(`${kindName}: access '${access}' step ${i} reaches type [${t.id}] of kind ${t.kind}, which has no members or elements`);
    }
  }
  return spec;
}

/** The access as C would write it, for messages: `task_struct.real_parent->...` simplified to `task_struct::comm[3]`. */
export function describeSpec(spec: CoreSpec): string {
  const root = spec.btf.typeById(spec.rootTypeId);
  let s = `${kindWord(root)}${root.name || '(anon)'}`;
  if (isTypeKind(spec.kind)) return s;
  if (isEnumValueKind(spec.kind)) return `${s}::${spec.accessors[0]?.name ?? '?'}`;
  spec.accessors.forEach((a, i) => {
    if (i === 0) {
      if (a.idx !== 0) s += `[${a.idx}]`;
    } else if (a.name !== undefined) s += (i === 1 ? '::' : '.') + a.name;
    else s += `[${a.idx}]`;
  });
  return s;
}

function kindWord(t: BtfType): string {
  switch (t.kind) {
    case BtfKind.STRUCT: return 'struct ';
    case BtfKind.UNION: return 'union ';
    case BtfKind.ENUM: case BtfKind.ENUM64: return 'enum ';
    case BtfKind.FWD: return t.kindFlag ? 'union ' : 'struct ';
    default: return '';
  }
}
