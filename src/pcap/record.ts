/**
 * What the readers produce: packet records, interfaces and sections, the same shape for
 * pcap and pcapng so a caller need not care which format a file is.
 */
import type { ByteOrder } from './bytes.js';

/** One pcapng option as stored: its code and its value bytes (without padding). */
export interface PcapngOption {
  code: number;
  value: Uint8Array;
}

/** pcapng option codes this module decodes (draft-ietf-opsawg-pcapng). */
export const OptionCode = {
  END_OF_OPT: 0,
  COMMENT: 1,
  SHB_HARDWARE: 2,
  SHB_OS: 3,
  SHB_USERAPPL: 4,
  IF_NAME: 2,
  IF_DESCRIPTION: 3,
  IF_TSRESOL: 9,
  IF_FCSLEN: 13,
  IF_TSOFFSET: 14,
  EPB_FLAGS: 2,
  EPB_DROPCOUNT: 4,
} as const;

/** pcapng block types (draft-ietf-opsawg-pcapng); any other type is skipped. */
export const BlockType = {
  SECTION_HEADER: 0x0a0d0d0a,
  INTERFACE_DESCRIPTION: 0x00000001,
  /** Obsolete Packet Block. */
  PACKET: 0x00000002,
  SIMPLE_PACKET: 0x00000003,
  NAME_RESOLUTION: 0x00000004,
  INTERFACE_STATISTICS: 0x00000005,
  ENHANCED_PACKET: 0x00000006,
  DECRYPTION_SECRETS: 0x0000000a,
} as const;

/** A pcapng section (one Section Header Block and what follows it); a pcap file has one. */
export interface CaptureSection {
  /** 0-based, in file order. */
  index: number;
  /** File offset of the Section Header Block (0 for pcap). */
  offset: number;
  byteOrder: ByteOrder;
  versionMajor: number;
  versionMinor: number;
  /** pcapng section length, -1n when not given (and for pcap). */
  sectionLength: bigint;
  hardware?: string;
  os?: string;
  userApplication?: string;
  comments: string[];
  options: PcapngOption[];
}

/** The interface a record was captured on: an IDB in pcapng, the file header in pcap. */
export interface CaptureInterface {
  /** 0-based over the whole file (all sections). */
  index: number;
  /** The section it belongs to. */
  section: number;
  /** Interface id within its section (what EPBs refer to); 0 for pcap. */
  id: number;
  linkType: number;
  /** Snapshot length; 0 means unlimited in pcapng. */
  snapLength: number;
  /** The if_tsresol byte: 6 (microseconds, the default), 9 (nanoseconds), 0x80|n for 2^-n. */
  tsResolution: number;
  /** Timestamp units per second (10^n or 2^n). */
  unitsPerSecond: bigint;
  /** if_tsoffset: seconds added to every timestamp (0n when absent). */
  tsOffset: bigint;
  /** Bytes of FCS at the end of each frame, when the file says (pcap FCS bits, if_fcslen). */
  fcsLength?: number;
  name?: string;
  description?: string;
  options: PcapngOption[];
}

/** One captured packet. */
export interface PacketRecord {
  /** 0-based position among the file's packet records. */
  index: number;
  /** File offset of the record header (pcap) or block (pcapng). */
  offset: number;
  /** The pcapng block type (EPB 6, SPB 3, PB 2); 0 for pcap records. */
  blockType: number;
  /** `CaptureInterface.index` of the interface it was captured on. */
  interfaceIndex: number;
  /** Interface id within its section (0 for pcap). */
  interfaceId: number;
  linkType: number;
  /** The captured bytes: a view of the input, not a copy; `data.length === capturedLength`. */
  data: Uint8Array;
  capturedLength: number;
  /** Length of the packet on the wire (at least `capturedLength` in a well-formed file). */
  originalLength: number;
  /** False for Simple Packet Blocks, which carry no timestamp (the fields below are then 0). */
  hasTimestamp: boolean;
  /** Nanoseconds since 1970-01-01 UTC (rounded down when the file is finer than 1 ns). */
  timestamp: bigint;
  /** Whole seconds since the epoch (if_tsoffset included). */
  seconds: number;
  /** The sub-second part, in `unitsPerSecond` units, as stored in the file. */
  fraction: number;
  /** 1e6 (pcap, micro), 1e9 (pcap, nano) or the interface's resolution. Inexact above 2^53. */
  unitsPerSecond: number;
  /** Comments (opt_comment) of a pcapng packet block. */
  comments: string[];
  /** epb_flags / pack_flags, when present (direction in bits 0-1, reception type in bits 2-4). */
  flags?: number;
  /** All options of a pcapng packet block, raw (empty for pcap). */
  options: PcapngOption[];
}

const NS = 1_000_000_000n;

/** Units per second for an if_tsresol byte: 10^n, or 2^n when the top bit is set. */
export function unitsForResolution(tsresol: number): bigint {
  return tsresol & 0x80 ? 1n << BigInt(tsresol & 0x7f) : 10n ** BigInt(tsresol);
}

/** Splits a raw pcapng timestamp into the record's timestamp fields. */
export function splitTimestamp(
  raw: bigint, units: bigint, offsetSeconds: bigint,
): { timestamp: bigint; seconds: number; fraction: number } {
  const whole = raw / units;
  const frac = raw % units;
  const seconds = whole + offsetSeconds;
  return {
    timestamp: seconds * NS + (units === NS ? frac : (frac * NS) / units),
    seconds: Number(seconds),
    fraction: Number(frac),
  };
}
