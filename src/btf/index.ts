/**
 * `btf/`: BTF and BTF.ext as data. The reader (every kind 1-19, both byte orders, split
 * BTF), the DATASEC fix-up an ELF loader applies, the writer, the raw and C dumps, and
 * CO-RE relocation (`core/`). Nothing here executes programs.
 */
export {
  BtfKind, type BtfKindValue, BTF_KIND_NAMES, BTF_KIND_MAX, BtfIntEncoding, BtfVarLinkage, BtfFuncLinkage,
  BTF_MAGIC, BTF_VERSION, BTF_HEADER_SIZE, BTF_MAX_TYPE, BTF_MAX_VLEN,
} from './kinds.js';
export { BtfError, BtfErrorCode, type BtfErrorCodeValue, type BtfErrorOptions } from './errors.js';
export {
  type BtfType, type BtfVoid, type BtfInt, type BtfRef, type BtfModifier, type BtfArray, type BtfMember,
  type BtfComposite, type BtfEnum, type BtfEnumValue, type BtfFwd, type BtfFunc, type BtfParam,
  type BtfFuncProto, type BtfVar, type BtfVarSecinfo, type BtfDatasec, type BtfFloat, type BtfDeclTag,
  memberByteOffset,
} from './types.js';
export { Btf, type BtfInit, type FoundMember, MAX_RESOLVE_DEPTH } from './btf.js';
export { parseBtf, parseBtfHeader, type ParseBtfOptions, type BtfHeader } from './parse.js';
export { parseBtfExt, type BtfExt, type BtfFuncInfo, type BtfLineInfo, type BtfCoreRelo } from './ext.js';
export { fixDatasecs, type DatasecFacts } from './datasec.js';
export { BtfBuilder, type BtfTypeInput, type BtfBuilderOptions } from './write.js';
export { dumpBtfRaw, dumpRawType } from './dump-raw.js';
export { dumpBtfC, type DumpCOptions } from './dump-c.js';
export * from './core/index.js';
export { CLayout, type CField } from './layout.js';
