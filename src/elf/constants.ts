/**
 * ELF64 numbers (System V gABI, `elf.h`) and the BPF relocation types
 * (LLVM's `ELFRelocs/BPF.def`, documented in the kernel's `llvm_reloc.rst`).
 */

/** `e_ident[EI_CLASS]`. */
export const ElfClass = { ELF32: 1, ELF64: 2 } as const;

/** `e_ident[EI_DATA]`: byte order. */
export const ElfData = { LSB: 1, MSB: 2 } as const;

/** `e_type`. */
export const ElfType = { NONE: 0, REL: 1, EXEC: 2, DYN: 3, CORE: 4 } as const;

/** `e_machine` values a BPF object may carry. */
export const ElfMachine = {
  /** Old LLVM wrote no machine. */
  NONE: 0,
  /** EM_BPF. */
  BPF: 247,
} as const;

/** `sh_type`. */
export const SectionType = {
  NULL: 0,
  PROGBITS: 1,
  SYMTAB: 2,
  STRTAB: 3,
  RELA: 4,
  HASH: 5,
  DYNAMIC: 6,
  NOTE: 7,
  /** Occupies no file space (`.bss`). */
  NOBITS: 8,
  REL: 9,
  DYNSYM: 11,
  /** Extended section indices for symbols whose st_shndx is SHN_XINDEX. */
  SYMTAB_SHNDX: 18,
  /** LLVM's address-significance table. */
  LLVM_ADDRSIG: 0x6fff4c03,
} as const;

/** `sh_flags` bits. */
export const SectionFlag = {
  WRITE: 0x1,
  ALLOC: 0x2,
  /** Executable code: where programs live. */
  EXECINSTR: 0x4,
  MERGE: 0x10,
  STRINGS: 0x20,
} as const;

/** Special section indices. */
export const SectionIndex = {
  UNDEF: 0,
  /** First reserved index; real indices at or above it come from SHT_SYMTAB_SHNDX. */
  LORESERVE: 0xff00,
  ABS: 0xfff1,
  COMMON: 0xfff2,
  /** The real index is elsewhere (section 0's fields or SHT_SYMTAB_SHNDX). */
  XINDEX: 0xffff,
} as const;

/** `ELF64_ST_BIND(st_info)`. */
export const SymbolBinding = { LOCAL: 0, GLOBAL: 1, WEAK: 2 } as const;

/** `ELF64_ST_TYPE(st_info)`. */
export const SymbolType = { NOTYPE: 0, OBJECT: 1, FUNC: 2, SECTION: 3, FILE: 4, COMMON: 5, TLS: 6 } as const;

/** `ELF64_ST_VISIBILITY(st_other)`. */
export const SymbolVisibility = { DEFAULT: 0, INTERNAL: 1, HIDDEN: 2, PROTECTED: 3 } as const;

/** BPF relocation types (`ELF64_R_TYPE(r_info)`). */
export const BpfReloc = {
  NONE: 0,
  /** `lddw`: the symbol's address goes in the 64-bit immediate (maps, globals, functions). */
  R_BPF_64_64: 1,
  /** 8 bytes of data (e.g. pointers in `.maps` or in DWARF) hold the symbol's address. */
  R_BPF_64_ABS64: 2,
  /** 4 bytes of data hold the symbol's address (DWARF, `.BTF.ext`). */
  R_BPF_64_ABS32: 3,
  /** Like ABS32 but never applied by a dynamic linker (`.BTF` / `.BTF.ext` offsets). */
  R_BPF_64_NODYLD32: 4,
  /** `call`: a bpf-to-bpf call; imm holds the callee's slot offset - 1 within its section. */
  R_BPF_64_32: 10,
} as const;

/** Sizes of the ELF64 records. */
export const ELF64_EHDR_SIZE = 64;
export const ELF64_SHDR_SIZE = 64;
export const ELF64_SYM_SIZE = 24;
export const ELF64_REL_SIZE = 16;
export const ELF64_RELA_SIZE = 24;
