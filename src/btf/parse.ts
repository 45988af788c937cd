import { Btf } from './btf.js';
import { BtfError, BtfErrorCode } from './errors.js';
import {
  BTF_HEADER_SIZE, BTF_KIND_MAX, BTF_MAGIC, BTF_MAX_TYPE, BTF_TYPE_SIZE, BTF_VERSION, BtfKind,
} from './kinds.js';
import type { BtfMember, BtfType } from './types.js';

export interface ParseBtfOptions {
  /** The base BTF when `bytes` is split BTF (ids and string offsets continue the base's). */
  base?: Btf;
  /** Pointer size in bytes (default 8). */
  pointerSize?: number;
}

/** The header fields of a `.BTF` blob. */
export interface BtfHeader {
  littleEndian: boolean;
  version: number;
  flags: number;
  hdrLen: number;
  typeOff: number;
  typeLen: number;
  strOff: number;
  strLen: number;
}

/**
 * Bounds-checked reads in the blob's byte order: every read past the end becomes a
 * `BtfError` naming the byte offset, never a RangeError.
 */
export class ByteReader {
  readonly view: DataView;
  constructor(readonly bytes: Uint8Array, readonly littleEndian: boolean, readonly what: string) {
    this.view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  }
  need(off: number, n: number, what: string): void {
    if (off < 0 || off + n > this.bytes.length) {
      throw new BtfError(BtfErrorCode.MALFORMED, `${this.what}: ${what} (${n} bytes) runs past the end (${this.bytes.length} bytes)`, { offset: off });
    }
  }
  u8(off: number): number {
    this.need(off, 1, 'byte');
    return this.bytes[off]!;
  }
  u16(off: number): number {
    this.need(off, 2, 'u16');
    return this.view.getUint16(off, this.littleEndian);
  }
  u32(off: number): number {
    this.need(off, 4, 'u32');
    return this.view.getUint32(off, this.littleEndian);
  }
  s32(off: number): number {
    this.need(off, 4, 's32');
    return this.view.getInt32(off, this.littleEndian);
  }
}

/** Byte order from a u16 magic at offset 0: the magic reads as 0xeb9f in the blob's own order. */
export function byteOrderOf(bytes: Uint8Array, magic: number, what: string): boolean {
  if (bytes.length < 2) throw new BtfError(BtfErrorCode.MALFORMED, `${what}: ${bytes.length} bytes is too short for a header`, { offset: 0 });
  const le = bytes[0]! | (bytes[1]! << 8);
  if (le === magic) return true;
  if ((bytes[1]! | (bytes[0]! << 8)) === magic) return false;
  throw new BtfError(BtfErrorCode.MALFORMED, `${what}: bad magic 0x${le.toString(16).padStart(4, '0')} (expected 0x${magic.toString(16)})`, { offset: 0 });
}

/** Reads and checks the `.BTF` header. */
export function parseBtfHeader(bytes: Uint8Array): BtfHeader {
  const littleEndian = byteOrderOf(bytes, BTF_MAGIC, 'BTF');
  const r = new ByteReader(bytes, littleEndian, 'BTF header');
  r.need(0, BTF_HEADER_SIZE, 'header');
  const h: BtfHeader = {
    littleEndian,
    version: r.u8(2),
    flags: r.u8(3),
    hdrLen: r.u32(4),
    typeOff: r.u32(8),
    typeLen: r.u32(12),
    strOff: r.u32(16),
    strLen: r.u32(20),
  };
  if (h.version !== BTF_VERSION) throw new BtfError(BtfErrorCode.MALFORMED, `BTF version ${h.version} (only ${BTF_VERSION} exists)`, { offset: 2 });
  if (h.flags !== 0) throw new BtfError(BtfErrorCode.MALFORMED, `BTF header flags 0x${h.flags.toString(16)} (none are defined)`, { offset: 3 });
  if (h.hdrLen < BTF_HEADER_SIZE || h.hdrLen > bytes.length) {
    throw new BtfError(BtfErrorCode.MALFORMED, `header length ${h.hdrLen} (at least ${BTF_HEADER_SIZE}, at most the ${bytes.length}-byte blob)`, { offset: 4 });
  }
  const body = bytes.length - h.hdrLen;
  if (h.typeOff % 4 !== 0) throw new BtfError(BtfErrorCode.MALFORMED, `type section offset ${h.typeOff} is not 4-byte aligned`, { offset: 8 });
  if (h.typeOff + h.typeLen > body) throw new BtfError(BtfErrorCode.MALFORMED, `type section [${h.typeOff}, +${h.typeLen}) runs past the end of the blob`, { offset: 8 });
  if (h.strOff + h.strLen > body) throw new BtfError(BtfErrorCode.MALFORMED, `string section [${h.strOff}, +${h.strLen}) runs past the end of the blob`, { offset: 16 });
  if (h.typeOff < h.strOff + h.strLen && h.strOff < h.typeOff + h.typeLen) {
    throw new BtfError(BtfErrorCode.MALFORMED, 'type and string sections overlap', { offset: 8 });
  }
  return h;
}

/**
 * Parses a `.BTF` blob (a section of an object file, `/sys/kernel/btf/vmlinux`, or a
 * module's split BTF given its `base`). Every kind 1-19 is decoded; each reference to
 * another type is checked to name a type that exists, and each name to lie in the
 * string section. Malformed input throws a `BtfError` with the byte offset.
 */
export function parseBtf(bytes: Uint8Array, options: ParseBtfOptions = {}): Btf {
  const h = parseBtfHeader(bytes);
  const r = new ByteReader(bytes, h.littleEndian, 'BTF');
  const strStart = h.hdrLen + h.strOff;
  const strings = bytes.subarray(strStart, strStart + h.strLen);
  const base = options.base;
  if (!base && h.strLen > 0 && strings[0] !== 0) throw new BtfError(BtfErrorCode.MALFORMED, 'the string section does not start with an empty string', { offset: strStart });
  if (h.strLen > 0 && strings[h.strLen - 1] !== 0) throw new BtfError(BtfErrorCode.MALFORMED, 'the string section does not end with a NUL', { offset: strStart + h.strLen - 1 });

  const btf = new Btf({ types: [], strings, littleEndian: h.littleEndian, ...(base ? { base } : {}), ...(options.pointerSize ? { pointerSize: options.pointerSize } : {}) });
  const strBase = btf.startStrOff;
  const name = (off: number, at: number): string => {
    if (off === 0) return '';
    const rel = off - strBase;
    if (off >= strBase && rel >= h.strLen) throw new BtfError(BtfErrorCode.MALFORMED, `name offset ${off} is outside the string section (${h.strLen} bytes)`, { offset: at });
    try {
      return btf.str(off);
    } catch (err) {
      throw new BtfError(BtfErrorCode.MALFORMED, `bad name offset ${off}`, { offset: at, cause: err });
    }
  };

  const types = btf.types as BtfType[];
  let off = h.hdrLen + h.typeOff;
  const end = off + h.typeLen;
  // References are checked once all types are known (forward references are legal).
  const starts: number[] = [];
  while (off < end) {
    const at = off;
    if (end - off < BTF_TYPE_SIZE) throw new BtfError(BtfErrorCode.MALFORMED, `${end - off} trailing bytes in the type section`, { offset: at });
    const id = types.length;
    if (id > BTF_MAX_TYPE) throw new BtfError(BtfErrorCode.MALFORMED, `more than ${BTF_MAX_TYPE} types`, { offset: at });
    const nameOff = r.u32(off);
    const info = r.u32(off + 4);
    const sizeOrType = r.u32(off + 8);
    const kind = (info >>> 24) & 0x1f;
    const vlen = info & 0xffff;
    const kindFlag = info >>> 31 === 1;
    if (kind === 0 || kind > BTF_KIND_MAX) throw new BtfError(BtfErrorCode.UNKNOWN_KIND, `type [${id}] has unknown kind ${kind}`, { offset: at + 4, typeId: id });
    const tname = name(nameOff, at);
    off += BTF_TYPE_SIZE;
    const extra = extraSize(kind, vlen);
    if (off + extra > end) throw new BtfError(BtfErrorCode.MALFORMED, `type [${id}] (${extra} bytes of ${vlen} entries) runs past the type section`, { offset: at, typeId: id });
    let t: BtfType;
    switch (kind) {
      case BtfKind.INT: {
        const v = r.u32(off);
        t = { id, kind, name: tname, nameOff, kindFlag, size: sizeOrType, encoding: (v >>> 24) & 0x0f, bitOffset: (v >>> 16) & 0xff, bits: v & 0xff };
        break;
      }
      case BtfKind.PTR: case BtfKind.TYPEDEF: case BtfKind.VOLATILE: case BtfKind.CONST:
      case BtfKind.RESTRICT: case BtfKind.TYPE_TAG:
        t = { id, kind, name: tname, nameOff, kindFlag, type: sizeOrType };
        break;
      case BtfKind.ARRAY:
        t = { id, kind, name: tname, nameOff, kindFlag, elemType: r.u32(off), indexType: r.u32(off + 4), nelems: r.u32(off + 8) };
        break;
      case BtfKind.STRUCT: case BtfKind.UNION: {
        const members: BtfMember[] = new Array(vlen);
        for (let i = 0; i < vlen; i++) {
          const p = off + i * 12;
          const mOff = r.u32(p + 8);
          const mNameOff = r.u32(p);
          members[i] = {
            name: name(mNameOff, p), nameOff: mNameOff, type: r.u32(p + 4),
            bitOffset: kindFlag ? mOff & 0xffffff : mOff, bitfieldSize: kindFlag ? mOff >>> 24 : 0,
          };
        }
        t = { id, kind, name: tname, nameOff, kindFlag, size: sizeOrType, members };
        break;
      }
      case BtfKind.ENUM: {
        const values = new Array(vlen);
        for (let i = 0; i < vlen; i++) {
          const p = off + i * 8;
          const vNameOff = r.u32(p);
          const raw = kindFlag ? r.s32(p + 4) : r.u32(p + 4);
          values[i] = { name: name(vNameOff, p), nameOff: vNameOff, value: BigInt(raw) };
        }
        t = { id, kind, name: tname, nameOff, kindFlag, size: sizeOrType, values };
        break;
      }
      case BtfKind.ENUM64: {
        const values = new Array(vlen);
        for (let i = 0; i < vlen; i++) {
          const p = off + i * 12;
          const vNameOff = r.u32(p);
          const u = (BigInt(r.u32(p + 8)) << 32n) | BigInt(r.u32(p + 4));
          values[i] = { name: name(vNameOff, p), nameOff: vNameOff, value: kindFlag ? BigInt.asIntN(64, u) : u };
        }
        t = { id, kind, name: tname, nameOff, kindFlag, size: sizeOrType, values };
        break;
      }
      case BtfKind.FWD:
        t = { id, kind, name: tname, nameOff, kindFlag };
        break;
      case BtfKind.FUNC:
        t = { id, kind, name: tname, nameOff, kindFlag, type: sizeOrType, linkage: vlen };
        break;
      case BtfKind.FUNC_PROTO: {
        const params = new Array(vlen);
        for (let i = 0; i < vlen; i++) {
          const p = off + i * 8;
          const pNameOff = r.u32(p);
          params[i] = { name: name(pNameOff, p), nameOff: pNameOff, type: r.u32(p + 4) };
        }
        t = { id, kind, name: tname, nameOff, kindFlag, returnType: sizeOrType, params };
        break;
      }
      case BtfKind.VAR:
        t = { id, kind, name: tname, nameOff, kindFlag, type: sizeOrType, linkage: r.u32(off) };
        break;
      case BtfKind.DATASEC: {
        const vars = new Array(vlen);
        for (let i = 0; i < vlen; i++) {
          const p = off + i * 12;
          vars[i] = { type: r.u32(p), offset: r.u32(p + 4), size: r.u32(p + 8) };
        }
        t = { id, kind, name: tname, nameOff, kindFlag, size: sizeOrType, vars };
        break;
      }
      case BtfKind.FLOAT:
        t = { id, kind, name: tname, nameOff, kindFlag, size: sizeOrType };
        break;
      case BtfKind.DECL_TAG:
        t = { id, kind, name: tname, nameOff, kindFlag, type: sizeOrType, componentIdx: r.s32(off) };
        break;
      default:
        throw new BtfError(BtfErrorCode.UNKNOWN_KIND, `type [${id}] has unknown kind ${kind}`, { offset: at + 4, typeId: id });
    }
    types.push(t);
    starts.push(at);
    off += extra;
  }
  for (let i = btf.startId; i < types.length; i++) {
    const bad = badReference(types[i]!, types.length);
    if (bad !== undefined) {
      throw new BtfError(BtfErrorCode.BAD_TYPE_ID, `type [${i}] refers to type [${bad}], but there are ${types.length} types`, { offset: starts[i - btf.startId]!, typeId: i });
    }
  }
  return btf;
}

/** The first type id `t` refers to that is not below `count`, if any. */
function badReference(t: BtfType, count: number): number | undefined {
  switch (t.kind) {
    case BtfKind.PTR: case BtfKind.TYPEDEF: case BtfKind.VOLATILE: case BtfKind.CONST: case BtfKind.RESTRICT:
    case BtfKind.TYPE_TAG: case BtfKind.FUNC: case BtfKind.VAR: case BtfKind.DECL_TAG:
      return t.type >= count ? t.type : undefined;
    case BtfKind.ARRAY:
      return t.elemType >= count ? t.elemType : t.indexType >= count ? t.indexType : undefined;
    case BtfKind.STRUCT: case BtfKind.UNION:
      for (const m of t.members) if (m.type >= count) return m.type;
      return undefined;
    case BtfKind.FUNC_PROTO:
      if (t.returnType >= count) return t.returnType;
      for (const p of t.params) if (p.type >= count) return p.type;
      return undefined;
    case BtfKind.DATASEC:
      for (const v of t.vars) if (v.type >= count) return v.type;
      return undefined;
    default:
      return undefined;
  }
}

/** Bytes that follow the 12-byte `btf_type` record of this kind. */
function extraSize(kind: number, vlen: number): number {
  switch (kind) {
    case BtfKind.INT: case BtfKind.VAR: case BtfKind.DECL_TAG: return 4;
    case BtfKind.ARRAY: return 12;
    case BtfKind.STRUCT: case BtfKind.UNION: case BtfKind.DATASEC: case BtfKind.ENUM64: return 12 * vlen;
    case BtfKind.ENUM: case BtfKind.FUNC_PROTO: return 8 * vlen;
    default: return 0;
  }
}
