import { EbeeError, type EbeeErrorOptions } from '../errors.js';

/** Stable codes for ELF and object failures. */
export const ElfErrorCode = {
  /** The bytes do not start with the ELF magic number. */
  NOT_ELF: 'EBEE_ELF_NOT_ELF',
  /** A well-formed ELF file ebee does not load: 32-bit, another machine, not relocatable. */
  UNSUPPORTED: 'EBEE_ELF_UNSUPPORTED',
  /** A header, table or section that runs past the end of the file. */
  TRUNCATED: 'EBEE_ELF_TRUNCATED',
  /** Inconsistent structure: a bad section or symbol index, string offset, entry size... */
  MALFORMED: 'EBEE_ELF_MALFORMED',
  /** A program that cannot be extracted: bad length, undecodable instruction, bad function bounds. */
  BAD_PROGRAM: 'EBEE_ELF_BAD_PROGRAM',
  /** A `.BTF` section that is not valid BTF (libbpf and the kernel refuse it); the `BtfError` is the cause. */
  BAD_BTF: 'EBEE_ELF_BAD_BTF',
  /** A map definition (BTF `.maps` or legacy `maps`) that cannot be read. */
  BAD_MAP: 'EBEE_ELF_BAD_MAP',
  /** A relocation that does not fit its instruction, or whose target is unknown. */
  BAD_RELOCATION: 'EBEE_ELF_BAD_RELOCATION',
  /** A call or reference to a function that the object does not define. */
  UNRESOLVED: 'EBEE_ELF_UNRESOLVED',
  /** A name that matches no program, map or variable (lookups on an ObjectSpec). */
  NOT_FOUND: 'EBEE_ELF_NOT_FOUND',
} as const;
export type ElfErrorCodeValue = (typeof ElfErrorCode)[keyof typeof ElfErrorCode];

export interface ElfErrorOptions extends EbeeErrorOptions {
  /** Name of the ELF section the error is about. */
  section?: string;
  /** Byte offset: in the file, or in `section` when a section is named. */
  offset?: number;
  /** Program, map or symbol the error is about. */
  symbol?: string;
}

/**
 * A malformed or unsupported ELF object. The message starts with where the fault is
 * (`section .text, offset 24:`), and the same facts are in `section` and `offset`.
 */
export class ElfError extends EbeeError {
  readonly section: string | undefined;
  readonly offset: number | undefined;
  readonly symbol: string | undefined;

  constructor(code: ElfErrorCodeValue, message: string, options: ElfErrorOptions = {}) {
    const where: string[] = [];
    if (options.section !== undefined) where.push(`section ${options.section}`);
    if (options.symbol !== undefined) where.push(`${options.symbol}`);
    if (options.offset !== undefined) where.push(`offset ${options.offset}`);
    super(code, where.length > 0 ? `${where.join(', ')}: ${message}` : message, options);
    this.section = options.section;
    this.offset = options.offset;
    this.symbol = options.symbol;
  }
}
