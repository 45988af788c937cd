/**
 * The pcapng format, as described by draft-ietf-opsawg-pcapng. A file is a sequence of
 * blocks, each
 *
 *   type u32, total length u32, body (padded to 32 bits), total length u32 again
 *
 * in the byte order of its section. A section starts with a Section Header Block
 * (type 0x0A0D0D0A, the same in either byte order) whose byte-order magic 0x1A2B3C4D
 * fixes the order for the rest of the section; a file may hold several sections, each
 * with its own order and its own interfaces. Interface Description Blocks define the
 * interfaces (link type, snaplen, if_tsresol, if_tsoffset, if_name, ...), numbered from 0
 * in each section; Enhanced Packet Blocks, Simple Packet Blocks (interface 0, no
 * timestamp) and the obsolete Packet Blocks carry packets. Options are
 * code u16, length u16, value padded to 32 bits, ended by opt_endofopt (code 0) or
 * the end of the block. Blocks of any other type are skipped.
 */
import { type ByteQueue, decodeUtf8, i64, pad4, u16, u32 } from './bytes.js';
import { PcapError, PcapErrorCode } from './errors.js';
import {
  BlockType, OptionCode, splitTimestamp, unitsForResolution,
  type CaptureInterface, type CaptureSection, type PacketRecord, type PcapngOption,
} from './record.js';
import { Need, type DecodeState } from './state.js';

export const PCAPNG_BYTE_ORDER_MAGIC = 0x1a2b3c4d;

const MIN_LENGTH: Record<number, number> = {
  [BlockType.SECTION_HEADER]: 28,
  [BlockType.INTERFACE_DESCRIPTION]: 20,
  [BlockType.ENHANCED_PACKET]: 32,
  [BlockType.PACKET]: 32,
  [BlockType.SIMPLE_PACKET]: 16,
};

/** Reads a pcapng file's blocks from the decoder's queue. */
export class PcapngParser {
  private le = true;
  private section = -1;
  /** The current section's interfaces, by id. */
  private local: CaptureInterface[] = [];

  constructor(private readonly state: DecodeState) {}

  private fail(code: (typeof PcapErrorCode)[keyof typeof PcapErrorCode], offset: number, message: string): never {
    throw new PcapError(code, message, { offset, record: this.state.records });
  }

  step(q: ByteQueue): PacketRecord | Need | undefined {
    const at = q.offset;
    const head = q.peek(8);
    if (!head) return new Need(8, 'a block header');
    const type = u32(head, 0, this.le);
    if (type === BlockType.SECTION_HEADER) {
      const h = q.peek(12);
      if (!h) return new Need(12, 'a section header');
      if (u32(h, 8, true) === PCAPNG_BYTE_ORDER_MAGIC) this.le = true;
      else if (u32(h, 8, false) === PCAPNG_BYTE_ORDER_MAGIC) this.le = false;
      else this.fail(PcapErrorCode.BAD_MAGIC, at + 8, 'section header without the byte-order magic 0x1A2B3C4D');
    } else if (this.section < 0) {
      this.fail(PcapErrorCode.BAD_MAGIC, at, 'a pcapng file must start with a Section Header Block');
    }
    const le = this.le;
    const length = u32(head, 4, le);
    const min = MIN_LENGTH[type] ?? 12;
    if (length < min || length % 4 !== 0) {
      this.fail(PcapErrorCode.BAD_BLOCK, at + 4,
        `block type 0x${type.toString(16)} has total length ${length} (needs a multiple of 4, at least ${min})`);
    }
    if (length > this.state.maxRecordLength) {
      this.fail(PcapErrorCode.BAD_BLOCK, at + 4, `block length ${length} exceeds the limit of ${this.state.maxRecordLength} bytes`);
    }
    const b = q.peek(length);
    if (!b) return new Need(length, `a block of ${length} bytes (type 0x${type.toString(16)})`);
    const trailer = u32(b, length - 4, le);
    if (trailer !== length) {
      this.fail(PcapErrorCode.BAD_BLOCK, at + length - 4, `block trailer length ${trailer} differs from header length ${length}`);
    }
    let out: PacketRecord | undefined;
    switch (type) {
      case BlockType.SECTION_HEADER: this.sectionHeader(b, at); break;
      case BlockType.INTERFACE_DESCRIPTION: this.interfaceDescription(b, at); break;
      case BlockType.ENHANCED_PACKET: case BlockType.PACKET: out = this.packet(b, at, type); break;
      case BlockType.SIMPLE_PACKET: out = this.simplePacket(b, at); break;
      default: this.state.skippedBlocks++;
    }
    q.skip(length);
    return out;
  }

  /** Options from `start` to the trailer; `at` is the block's file offset. */
  private options(b: Uint8Array, start: number, at: number): PcapngOption[] {
    const end = b.length - 4;
    const out: PcapngOption[] = [];
    let p = start;
    while (p < end) {
      const code = u16(b, p, this.le);
      const len = u16(b, p + 2, this.le);
      if (code === OptionCode.END_OF_OPT) break;
      if (p + 4 + len > end) {
        this.fail(PcapErrorCode.BAD_OPTION, at + p, `option ${code} of length ${len} runs past the end of its block`);
      }
      out.push({ code, value: b.subarray(p + 4, p + 4 + len) });
      p += 4 + pad4(len);
    }
    return out;
  }

  private sectionHeader(b: Uint8Array, at: number): void {
    const le = this.le;
    const versionMajor = u16(b, 12, le);
    const versionMinor = u16(b, 14, le);
    if (versionMajor !== 1) {
      this.fail(PcapErrorCode.BAD_VERSION, at + 12, `pcapng version ${versionMajor}.${versionMinor} (only 1.x is defined)`);
    }
    const options = this.options(b, 24, at);
    const section: CaptureSection = {
      index: this.state.sections.length, offset: at, byteOrder: le ? 'little' : 'big',
      versionMajor, versionMinor, sectionLength: i64(b, 16, le), comments: [], options,
    };
    for (const o of options) {
      if (o.code === OptionCode.COMMENT) section.comments.push(decodeUtf8(o.value));
      else if (o.code === OptionCode.SHB_HARDWARE) section.hardware = decodeUtf8(o.value);
      else if (o.code === OptionCode.SHB_OS) section.os = decodeUtf8(o.value);
      else if (o.code === OptionCode.SHB_USERAPPL) section.userApplication = decodeUtf8(o.value);
    }
    this.state.sections.push(section);
    this.section = section.index;
    this.local = [];
  }

  private interfaceDescription(b: Uint8Array, at: number): void {
    const le = this.le;
    const options = this.options(b, 16, at);
    const iface: CaptureInterface = {
      index: this.state.interfaces.length, section: this.section, id: this.local.length,
      linkType: u16(b, 8, le), snapLength: u32(b, 12, le),
      tsResolution: 6, unitsPerSecond: 1_000_000n, tsOffset: 0n, options,
    };
    for (const o of options) {
      const v = o.value;
      switch (o.code) {
        case OptionCode.IF_NAME: iface.name = decodeUtf8(v); break;
        case OptionCode.IF_DESCRIPTION: iface.description = decodeUtf8(v); break;
        case OptionCode.IF_TSRESOL:
          if (v.length !== 1) this.fail(PcapErrorCode.BAD_OPTION, at, `if_tsresol has length ${v.length}, not 1`);
          iface.tsResolution = v[0]!;
          iface.unitsPerSecond = unitsForResolution(v[0]!);
          break;
        case OptionCode.IF_TSOFFSET:
          if (v.length !== 8) this.fail(PcapErrorCode.BAD_OPTION, at, `if_tsoffset has length ${v.length}, not 8`);
          iface.tsOffset = i64(v, 0, le);
          break;
        case OptionCode.IF_FCSLEN:
          if (v.length !== 1) this.fail(PcapErrorCode.BAD_OPTION, at, `if_fcslen has length ${v.length}, not 1`);
          iface.fcsLength = v[0]!;
          break;
      }
    }
    this.state.interfaces.push(iface);
    this.local.push(iface);
  }

  private iface(id: number, at: number): CaptureInterface {
    const iface = this.local[id];
    if (!iface) {
      this.fail(PcapErrorCode.UNKNOWN_INTERFACE, at,
        `packet on interface ${id}, but section ${this.section} defines ${this.local.length} interface(s)`);
    }
    return iface;
  }

  /** Enhanced Packet Block, or the obsolete Packet Block (16-bit interface id, drop count). */
  private packet(b: Uint8Array, at: number, type: number): PacketRecord {
    const le = this.le;
    const id = type === BlockType.PACKET ? u16(b, 8, le) : u32(b, 8, le);
    const iface = this.iface(id, at + 8);
    const capturedLength = u32(b, 20, le);
    const originalLength = u32(b, 24, le);
    if (28 + pad4(capturedLength) > b.length - 4) {
      this.fail(PcapErrorCode.BAD_BLOCK, at + 20, `captured length ${capturedLength} does not fit in a block of ${b.length} bytes`);
    }
    const options = this.options(b, 28 + pad4(capturedLength), at);
    const raw = (BigInt(u32(b, 12, le)) << 32n) | BigInt(u32(b, 16, le));
    const record: PacketRecord = {
      index: this.state.records, offset: at, blockType: type,
      interfaceIndex: iface.index, interfaceId: id, linkType: iface.linkType,
      data: b.subarray(28, 28 + capturedLength), capturedLength, originalLength,
      hasTimestamp: true, ...splitTimestamp(raw, iface.unitsPerSecond, iface.tsOffset),
      unitsPerSecond: Number(iface.unitsPerSecond), comments: [], options,
    };
    for (const o of options) {
      if (o.code === OptionCode.COMMENT) record.comments.push(decodeUtf8(o.value));
      else if (o.code === OptionCode.EPB_FLAGS) {
        if (o.value.length !== 4) this.fail(PcapErrorCode.BAD_OPTION, at, `packet flags option has length ${o.value.length}, not 4`);
        record.flags = u32(o.value, 0, le);
      }
    }
    return record;
  }

  /** Simple Packet Block: interface 0, no timestamp, captured length implied. */
  private simplePacket(b: Uint8Array, at: number): PacketRecord {
    const iface = this.iface(0, at);
    const originalLength = u32(b, 8, this.le);
    let capturedLength = Math.min(originalLength, b.length - 16);
    if (iface.snapLength !== 0) capturedLength = Math.min(capturedLength, iface.snapLength);
    return {
      index: this.state.records, offset: at, blockType: BlockType.SIMPLE_PACKET,
      interfaceIndex: iface.index, interfaceId: 0, linkType: iface.linkType,
      data: b.subarray(12, 12 + capturedLength), capturedLength, originalLength,
      hasTimestamp: false, timestamp: 0n, seconds: 0, fraction: 0,
      unitsPerSecond: Number(iface.unitsPerSecond), comments: [], options: [],
    };
  }
}
