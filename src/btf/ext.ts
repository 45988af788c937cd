import type { Btf } from './btf.js';
import { BtfError, BtfErrorCode } from './errors.js';
import { BTF_EXT_MAGIC } from './kinds.js';
import { ByteReader, byteOrderOf } from './parse.js';

/** A `bpf_func_info` record: the BTF FUNC describing the function starting at `insnOff`. */
export interface BtfFuncInfo {
  /** Offset of the function's first instruction in its section, in bytes (as clang writes it). */
  insnOff: number;
  /** The FUNC type id in the object's `.BTF`. */
  typeId: number;
}

/** A `bpf_line_info` record: the source line of the instruction at `insnOff`. */
export interface BtfLineInfo {
  /** Instruction offset in its section, in bytes. */
  insnOff: number;
  fileNameOff: number;
  /** The source file name. */
  fileName: string;
  lineOff: number;
  /** The text of the source line. */
  line: string;
  /** 1-based line number (the upper 22 bits of `line_col`). */
  lineNum: number;
  /** Column (the lower 10 bits of `line_col`). */
  column: number;
}

/** A `bpf_core_relo` record: one CO-RE relocation. */
export interface BtfCoreRelo {
  /** Offset of the instruction to patch in its section, in bytes. */
  insnOff: number;
  /** The local (object-file) type id the access starts from. */
  typeId: number;
  accessStrOff: number;
  /** The access string, e.g. `0:1:0:5` (member / array indices), or an enum value index. */
  accessStr: string;
  /** A `CoreReloKind` value. */
  kind: number;
}

/** A `.BTF.ext` section: records grouped by the name of the code section they describe. */
export interface BtfExt {
  littleEndian: boolean;
  /** `rec_size` of each record family as the file declares it (0 when the family is absent). */
  recordSizes: { funcInfo: number; lineInfo: number; coreRelo: number };
  funcInfo: Map<string, BtfFuncInfo[]>;
  lineInfo: Map<string, BtfLineInfo[]>;
  coreRelos: Map<string, BtfCoreRelo[]>;
}

const MIN_FUNC_INFO = 8;
const MIN_LINE_INFO = 16;
const MIN_CORE_RELO = 16;
/** `btf_ext_header` without the CO-RE fields (Linux 5.0); 32 bytes with them. */
const EXT_HEADER_MIN = 24;

/**
 * Parses a `.BTF.ext` blob. Names in it (section names, file names, source lines,
 * access strings) are offsets into `btf`'s string section. Each family's record size is
 * taken from the file, so records larger than today's (a newer compiler) are read by
 * their known prefix.
 */
export function parseBtfExt(bytes: Uint8Array, btf: Btf): BtfExt {
  const littleEndian = byteOrderOf(bytes, BTF_EXT_MAGIC, 'BTF.ext');
  const r = new ByteReader(bytes, littleEndian, 'BTF.ext');
  r.need(0, 8, 'header');
  const version = r.u8(2);
  if (version !== 1) throw new BtfError(BtfErrorCode.MALFORMED, `BTF.ext version ${version} (only 1 exists)`, { offset: 2 });
  const hdrLen = r.u32(4);
  if (hdrLen < EXT_HEADER_MIN || hdrLen > bytes.length) {
    throw new BtfError(BtfErrorCode.MALFORMED, `BTF.ext header length ${hdrLen} (at least ${EXT_HEADER_MIN}, at most the ${bytes.length}-byte blob)`, { offset: 4 });
  }
  const str = (off: number, at: number): string => {
    try {
      return btf.str(off);
    } catch (err) {
      throw new BtfError(BtfErrorCode.MALFORMED, `BTF.ext string offset ${off} is not in the BTF string section`, { offset: at, cause: err });
    }
  };
  const ext: BtfExt = {
    littleEndian,
    recordSizes: { funcInfo: 0, lineInfo: 0, coreRelo: 0 },
    funcInfo: new Map(),
    lineInfo: new Map(),
    coreRelos: new Map(),
  };
  ext.recordSizes.funcInfo = readFamily(r, hdrLen, 8, 'func_info', MIN_FUNC_INFO, str, ext.funcInfo, (p) => ({
    insnOff: r.u32(p), typeId: r.u32(p + 4),
  }));
  ext.recordSizes.lineInfo = readFamily(r, hdrLen, 16, 'line_info', MIN_LINE_INFO, str, ext.lineInfo, (p) => {
    const lineCol = r.u32(p + 12);
    const fileNameOff = r.u32(p + 4);
    const lineOff = r.u32(p + 8);
    return {
      insnOff: r.u32(p), fileNameOff, fileName: str(fileNameOff, p + 4), lineOff, line: str(lineOff, p + 8),
      lineNum: lineCol >>> 10, column: lineCol & 0x3ff,
    };
  });
  if (hdrLen >= 32) {
    ext.recordSizes.coreRelo = readFamily(r, hdrLen, 24, 'core_relo', MIN_CORE_RELO, str, ext.coreRelos, (p) => {
      const accessStrOff = r.u32(p + 8);
      return { insnOff: r.u32(p), typeId: r.u32(p + 4), accessStrOff, accessStr: str(accessStrOff, p + 8), kind: r.u32(p + 12) };
    });
  }
  return ext;
}

/**
 * Reads one record family whose (offset, length) pair is at `fieldAt` in the header:
 * a u32 record size, then per section a name offset, a count and the records.
 */
function readFamily<T>(
  r: ByteReader, hdrLen: number, fieldAt: number, what: string, minRec: number,
  str: (off: number, at: number) => string, into: Map<string, T[]>, read: (p: number) => T,
): number {
  const off = r.u32(fieldAt);
  const len = r.u32(fieldAt + 4);
  if (len === 0) return 0;
  const start = hdrLen + off;
  const end = start + len;
  if (off % 4 !== 0) throw new BtfError(BtfErrorCode.MALFORMED, `BTF.ext ${what} offset ${off} is not 4-byte aligned`, { offset: fieldAt });
  if (end > r.bytes.length) throw new BtfError(BtfErrorCode.MALFORMED, `BTF.ext ${what} [${start}, +${len}) runs past the end (${r.bytes.length} bytes)`, { offset: fieldAt });
  if (len < 4) throw new BtfError(BtfErrorCode.MALFORMED, `BTF.ext ${what} is ${len} bytes, too short for its record size`, { offset: start });
  const recSize = r.u32(start);
  if (recSize < minRec || recSize % 4 !== 0) {
    throw new BtfError(BtfErrorCode.MALFORMED, `BTF.ext ${what} record size ${recSize} (at least ${minRec}, a multiple of 4)`, { offset: start });
  }
  let p = start + 4;
  while (p < end) {
    if (end - p < 8) throw new BtfError(BtfErrorCode.MALFORMED, `BTF.ext ${what}: ${end - p} trailing bytes`, { offset: p });
    const secName = str(r.u32(p), p);
    const n = r.u32(p + 4);
    p += 8;
    if (n === 0) throw new BtfError(BtfErrorCode.MALFORMED, `BTF.ext ${what}: section '${secName}' has no records`, { offset: p - 4 });
    if (n * recSize > end - p) throw new BtfError(BtfErrorCode.MALFORMED, `BTF.ext ${what}: ${n} records of ${recSize} bytes for '${secName}' run past the end`, { offset: p - 4 });
    let list = into.get(secName);
    if (!list) into.set(secName, (list = []));
    for (let i = 0; i < n; i++, p += recSize) list.push(read(p));
  }
  return recSize;
}
