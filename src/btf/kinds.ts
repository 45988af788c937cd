/**
 * BTF's numbers, as Linux's UAPI header `linux/btf.h` defines them. Values are part
 * of the file format: never renumber.
 */

/** The `kind` field of `btf_type.info` (bits 24-28). */
export const BtfKind = {
  /** Kind 0 never appears in the type section; type id 0 is `void`. */
  UNKN: 0,
  /** Integer: `size` in bytes, followed by a u32 of encoding, bit offset and bit count. */
  INT: 1,
  /** Pointer to `type`. */
  PTR: 2,
  /** Array: followed by `btf_array` (element type, index type, element count). */
  ARRAY: 3,
  /** Struct of `size` bytes, followed by `vlen` members. */
  STRUCT: 4,
  /** Union of `size` bytes, followed by `vlen` members. */
  UNION: 5,
  /** Enum with 32-bit values; `kind_flag` set means signed values. */
  ENUM: 6,
  /** Forward declaration; `kind_flag` set means a union, clear a struct. */
  FWD: 7,
  /** Typedef naming `type`. */
  TYPEDEF: 8,
  /** `volatile` modifier of `type`. */
  VOLATILE: 9,
  /** `const` modifier of `type`. */
  CONST: 10,
  /** `restrict` modifier of `type`. */
  RESTRICT: 11,
  /** Function: `type` is its FUNC_PROTO, `vlen` is its linkage. */
  FUNC: 12,
  /** Function prototype: `type` is the return type, followed by `vlen` parameters. */
  FUNC_PROTO: 13,
  /** Variable of `type`, followed by a u32 linkage. */
  VAR: 14,
  /** Data section of `size` bytes, followed by `vlen` variable placements. */
  DATASEC: 15,
  /** Floating-point type of `size` bytes. */
  FLOAT: 16,
  /** A `btf_decl_tag` attribute on `type` (or on one of its members / parameters). */
  DECL_TAG: 17,
  /** A `btf_type_tag` attribute on the pointee `type`. */
  TYPE_TAG: 18,
  /** Enum with 64-bit values; `kind_flag` set means signed values. */
  ENUM64: 19,
} as const;
export type BtfKindValue = (typeof BtfKind)[keyof typeof BtfKind];

/** The highest kind this reader knows. */
export const BTF_KIND_MAX = 19;

/** Kind names as Linux's tools print them (`bpftool btf dump`), indexed by kind. */
export const BTF_KIND_NAMES: readonly string[] = [
  'UNKN', 'INT', 'PTR', 'ARRAY', 'STRUCT', 'UNION', 'ENUM', 'FWD', 'TYPEDEF', 'VOLATILE',
  'CONST', 'RESTRICT', 'FUNC', 'FUNC_PROTO', 'VAR', 'DATASEC', 'FLOAT', 'DECL_TAG',
  'TYPE_TAG', 'ENUM64',
];

/** The header magic, read in the file's own byte order. */
export const BTF_MAGIC = 0xeb9f;
/** The only BTF version Linux defines. */
export const BTF_VERSION = 1;
/** Size of `struct btf_header` as Linux 4.18+ defines it. */
export const BTF_HEADER_SIZE = 24;
/** Size of `struct btf_type` (name_off, info, size/type). */
export const BTF_TYPE_SIZE = 12;
/** The largest type id Linux accepts (`BTF_MAX_TYPE`). */
export const BTF_MAX_TYPE = 0x000fffff;
/** The largest member, value or parameter count (`BTF_MAX_VLEN`). */
export const BTF_MAX_VLEN = 0xffff;

/** Flags in the encoding nibble of an INT's extra u32. */
export const BtfIntEncoding = {
  /** Signed integer. */
  SIGNED: 1 << 0,
  /** `char`: printed as a character. */
  CHAR: 1 << 1,
  /** `_Bool`. */
  BOOL: 1 << 2,
} as const;

/** Linkage of a VAR (`btf_var.linkage`). */
export const BtfVarLinkage = {
  /** `static`: local to the object. */
  STATIC: 0,
  /** A global defined (allocated) in this object. */
  GLOBAL_ALLOCATED: 1,
  /** An `extern` resolved at load time. */
  GLOBAL_EXTERN: 2,
} as const;

/** Linkage of a FUNC (stored in `vlen`). */
export const BtfFuncLinkage = {
  /** `static` function. */
  STATIC: 0,
  /** Global function: the verifier checks it on its own. */
  GLOBAL: 1,
  /** An `extern` function (kfunc or a function in another object). */
  EXTERN: 2,
} as const;

/** Magic of the `.BTF.ext` header (same value as `.BTF`). */
export const BTF_EXT_MAGIC = 0xeb9f;
