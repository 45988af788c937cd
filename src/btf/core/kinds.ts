/**
 * CO-RE relocation kinds: Linux's `enum bpf_core_relo_kind` (`linux/bpf.h`), the `kind`
 * field of each `.BTF.ext` CO-RE record. Values are part of the file format.
 */
export const CoreReloKind = {
  /** Byte offset of the accessed field from the start of the root type. */
  FIELD_BYTE_OFFSET: 0,
  /** Size in bytes of the accessed field (of its storage unit, for a bitfield). */
  FIELD_BYTE_SIZE: 1,
  /** 1 when the field exists in the target, else 0. */
  FIELD_EXISTS: 2,
  /** 1 when the field is a signed integer (or a signed enum), else 0. */
  FIELD_SIGNED: 3,
  /** Left shift that puts a bitfield's top bit at bit 63 of a u64 load. */
  FIELD_LSHIFT_U64: 4,
  /** Right shift that then brings the bitfield down to bit 0. */
  FIELD_RSHIFT_U64: 5,
  /** The type's id in the program's own BTF. */
  TYPE_ID_LOCAL: 6,
  /** The matching type's id in the target BTF. */
  TYPE_ID_TARGET: 7,
  /** 1 when a compatible type exists in the target, else 0. */
  TYPE_EXISTS: 8,
  /** Size in bytes of the matching target type. */
  TYPE_SIZE: 9,
  /** 1 when the enumerator exists in the target enum, else 0. */
  ENUMVAL_EXISTS: 10,
  /** The enumerator's value in the target enum. */
  ENUMVAL_VALUE: 11,
  /** 1 when a target type matches the local one under the stricter "matches" rules. */
  TYPE_MATCHES: 12,
} as const;
export type CoreReloKindValue = (typeof CoreReloKind)[keyof typeof CoreReloKind];

/** Kind names, indexed by kind, as llvm-objdump and libbpf's logs print them. */
export const CORE_RELO_KIND_NAMES: readonly string[] = [
  'byte_off', 'byte_sz', 'field_exists', 'signed', 'lshift_u64', 'rshift_u64', 'local_type_id',
  'target_type_id', 'type_exists', 'type_size', 'enumval_exists', 'enumval_value', 'type_matches',
];

/** Kinds computed from a field access (`0:1:2` access strings). */
export function isFieldKind(kind: number): boolean {
  return kind >= CoreReloKind.FIELD_BYTE_OFFSET && kind <= CoreReloKind.FIELD_RSHIFT_U64;
}

/** Kinds computed from a whole type (access string `0`). */
export function isTypeKind(kind: number): boolean {
  return (kind >= CoreReloKind.TYPE_ID_LOCAL && kind <= CoreReloKind.TYPE_SIZE) || kind === CoreReloKind.TYPE_MATCHES;
}

/** Kinds computed from an enumerator (access string: the value's index). */
export function isEnumValueKind(kind: number): boolean {
  return kind === CoreReloKind.ENUMVAL_EXISTS || kind === CoreReloKind.ENUMVAL_VALUE;
}
