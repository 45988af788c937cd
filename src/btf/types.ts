import type { BtfKind } from './kinds.js';

/**
 * The decoded form of one `btf_type` record and the data that follows it. Every type
 * carries its id (its index in `Btf.types`), its name (empty for anonymous types) and
 * the raw `name_off`, so a writer can keep the string table as it was.
 *
 * DATASEC sizes and variable offsets are mutable: clang leaves them 0 in object files
 * and the ELF loader fills them in with `fixDatasecs`.
 */
interface Common {
  /** Type id: the index in `Btf.types`. */
  readonly id: number;
  /** Name ('' when anonymous). */
  readonly name: string;
  /** Offset of the name in the string section. */
  readonly nameOff: number;
  /** Bit 31 of `info`; its meaning depends on the kind. */
  readonly kindFlag: boolean;
}

/** Type id 0: `void`. Not stored in the type section. */
export interface BtfVoid extends Common { readonly kind: typeof BtfKind.UNKN }

export interface BtfInt extends Common {
  readonly kind: typeof BtfKind.INT;
  /** Size in bytes (1, 2, 4, 8 or 16). */
  readonly size: number;
  /** `BtfIntEncoding` flags (signed, char, bool). */
  readonly encoding: number;
  /** Bit offset of the value inside its storage (0 in everything clang emits). */
  readonly bitOffset: number;
  /** Number of value bits. */
  readonly bits: number;
}

/** PTR, TYPEDEF, VOLATILE, CONST, RESTRICT and TYPE_TAG: a name (maybe) and a type. */
export interface BtfRef extends Common {
  readonly kind:
    | typeof BtfKind.PTR | typeof BtfKind.TYPEDEF | typeof BtfKind.VOLATILE
    | typeof BtfKind.CONST | typeof BtfKind.RESTRICT | typeof BtfKind.TYPE_TAG;
  readonly type: number;
}

export interface BtfArray extends Common {
  readonly kind: typeof BtfKind.ARRAY;
  readonly elemType: number;
  readonly indexType: number;
  readonly nelems: number;
}

export interface BtfMember {
  readonly name: string;
  readonly nameOff: number;
  readonly type: number;
  /** Offset from the start of the struct, in bits. */
  readonly bitOffset: number;
  /** Width of a bitfield in bits; 0 for an ordinary member (or when `kind_flag` is clear). */
  readonly bitfieldSize: number;
}

export interface BtfComposite extends Common {
  readonly kind: typeof BtfKind.STRUCT | typeof BtfKind.UNION;
  readonly size: number;
  readonly members: readonly BtfMember[];
}

export interface BtfEnumValue {
  readonly name: string;
  readonly nameOff: number;
  /** The value, signed when the enum's `kind_flag` is set, unsigned otherwise. */
  readonly value: bigint;
}

/** ENUM and ENUM64. `kindFlag` set means the values are signed. */
export interface BtfEnum extends Common {
  readonly kind: typeof BtfKind.ENUM | typeof BtfKind.ENUM64;
  readonly size: number;
  readonly values: readonly BtfEnumValue[];
}

/** A forward declaration; `kindFlag` set means `union`, clear means `struct`. */
export interface BtfFwd extends Common { readonly kind: typeof BtfKind.FWD }

export interface BtfFunc extends Common {
  readonly kind: typeof BtfKind.FUNC;
  /** The FUNC_PROTO. */
  readonly type: number;
  /** `BtfFuncLinkage` (stored in `vlen`). */
  readonly linkage: number;
}

export interface BtfParam {
  readonly name: string;
  readonly nameOff: number;
  /** Parameter type; 0 for the last parameter of a variadic function (`...`). */
  readonly type: number;
}

export interface BtfFuncProto extends Common {
  readonly kind: typeof BtfKind.FUNC_PROTO;
  readonly returnType: number;
  readonly params: readonly BtfParam[];
}

export interface BtfVar extends Common {
  readonly kind: typeof BtfKind.VAR;
  readonly type: number;
  /** `BtfVarLinkage`. */
  readonly linkage: number;
}

export interface BtfVarSecinfo {
  /** The VAR (or FUNC, for `.ksyms`) placed in the section. */
  readonly type: number;
  /** Byte offset in the section (0 in clang output until `fixDatasecs`). */
  offset: number;
  /** Size in bytes. */
  size: number;
}

export interface BtfDatasec extends Common {
  readonly kind: typeof BtfKind.DATASEC;
  /** Section size in bytes (0 in clang output until `fixDatasecs`). */
  size: number;
  readonly vars: BtfVarSecinfo[];
}

export interface BtfFloat extends Common {
  readonly kind: typeof BtfKind.FLOAT;
  readonly size: number;
}

export interface BtfDeclTag extends Common {
  readonly kind: typeof BtfKind.DECL_TAG;
  readonly type: number;
  /** -1 when the tag is on the type itself, else the member or parameter index. */
  readonly componentIdx: number;
}

export type BtfType =
  | BtfVoid | BtfInt | BtfRef | BtfArray | BtfComposite | BtfEnum | BtfFwd | BtfFunc
  | BtfFuncProto | BtfVar | BtfDatasec | BtfFloat | BtfDeclTag;

/** Kinds whose `type` field names another type and which add nothing to the layout. */
export type BtfModifier = BtfRef;

/** Byte offset of a member (floor of the bit offset divided by 8). */
export function memberByteOffset(m: BtfMember): number {
  return Math.floor(m.bitOffset / 8);
}
