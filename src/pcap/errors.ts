import { EbeeError, type EbeeErrorOptions } from '../errors.js';

/** Stable codes for capture-file failures. */
export const PcapErrorCode = {
  /** The file starts with neither a pcap magic number nor a pcapng Section Header Block. */
  BAD_MAGIC: 'EBEE_PCAP_BAD_MAGIC',
  /** The file ends inside a header, record or block. */
  TRUNCATED: 'EBEE_PCAP_TRUNCATED',
  /** A pcap major version other than 2, or a pcapng major version other than 1. */
  BAD_VERSION: 'EBEE_PCAP_BAD_VERSION',
  /** A pcap record header that cannot be right (captured length above the limit). */
  BAD_RECORD: 'EBEE_PCAP_BAD_RECORD',
  /** A pcapng block whose lengths are inconsistent (too short, not a multiple of 4,
   * trailer differs from header, contents longer than the block, above the limit). */
  BAD_BLOCK: 'EBEE_PCAP_BAD_BLOCK',
  /** A pcapng option running past its block, or an option value of the wrong size. */
  BAD_OPTION: 'EBEE_PCAP_BAD_OPTION',
  /** A pcapng packet block names an interface no Interface Description Block defined. */
  UNKNOWN_INTERFACE: 'EBEE_PCAP_UNKNOWN_INTERFACE',
  /** A frame too short or too odd for its link type (link-layer conversion). */
  BAD_FRAME: 'EBEE_PCAP_BAD_FRAME',
  /** A link type or cooked-capture protocol the Ethernet conversion does not handle. */
  UNSUPPORTED: 'EBEE_PCAP_UNSUPPORTED',
  /** A bad argument to the writer or reader API (not a file fault). */
  BAD_ARGUMENT: 'EBEE_PCAP_BAD_ARGUMENT',
} as const;
export type PcapErrorCodeValue = (typeof PcapErrorCode)[keyof typeof PcapErrorCode];

export interface PcapErrorOptions extends EbeeErrorOptions {
  /** Byte offset in the file the error is about. */
  offset?: number;
  /** 0-based index of the packet record being read (the number of records read before). */
  record?: number;
}

/**
 * A malformed or unsupported capture file, or a bad argument to the pcap API. When the
 * error is about a file, the message starts with `offset N, record M:` and the same
 * numbers are in `offset` and `record`.
 */
export class PcapError extends EbeeError {
  readonly offset: number | undefined;
  readonly record: number | undefined;

  constructor(code: PcapErrorCodeValue, message: string, options: PcapErrorOptions = {}) {
    const where: string[] = [];
    if (options.offset !== undefined) where.push(`offset ${options.offset}`);
    if (options.record !== undefined) where.push(`record ${options.record}`);
    super(code, where.length > 0 ? `${where.join(', ')}: ${message}` : message, options);
    this.offset = options.offset;
    this.record = options.record;
  }
}
