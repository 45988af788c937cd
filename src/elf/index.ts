/**
 * `elf/`: the ELF64 reader and the object model built on it (programs, maps, global
 * data, relocations, linking), plus libbpf's section-name rules. Deterministic and
 * free of execution: nothing here touches an address space.
 */
export {
  ProgramType, type ProgramTypeValue, AttachType, type AttachTypeValue, type SectionProgramType,
  type SectionRuleOptions, programTypeForSection, programTypeName, attachTypeName,
} from './sections.js';
export { ElfError, ElfErrorCode, type ElfErrorCodeValue, type ElfErrorOptions } from './errors.js';
export {
  ElfClass, ElfData, ElfType, ElfMachine, SectionType, SectionFlag, SectionIndex, SymbolBinding, SymbolType,
  SymbolVisibility, BpfReloc,
} from './constants.js';
export {
  parseElf, type ElfFile, type ElfSection, type ElfSymbol, type ElfRelocation, type ParseElfOptions,
} from './reader.js';
export {
  parseObject, type ObjectSpec, type ProgramSpec, type ParseObjectOptions, type CoreRelocator, type GlobalVariableRef,
  type ExternSpec,
} from './object.js';
export {
  Pinning, type ObjectMap, type GlobalVariable, type MapSlot, type LegacyMapFields, type DataKind,
  kernelMapName, createSpecOf, type CreateSpec,
} from './maps.js';
export {
  type ProgramReference, type LinkedFunctions, type LinkedFuncInfo, type LinkedLineInfo, type LinkedCoreRelo,
} from './link.js';
export { type FunctionSpec, toLittleEndianSlots } from './functions.js';
