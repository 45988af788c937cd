/**
 * The pcap ("libpcap savefile") format, as described by draft-ietf-opsawg-pcap:
 *
 *   file header (24 bytes, in the writer's byte order):
 *     magic u32        0xA1B2C3D4 (seconds + microseconds) or 0xA1B23C4D (+ nanoseconds);
 *                      read byte-swapped, it tells the reader the file's byte order
 *     major u16 = 2, minor u16 = 4
 *     reserved1 u32, reserved2 u32   (historically thiszone and sigfigs; ignored)
 *     snaplen u32
 *     linktype u32     bits 0-15 link type; bit 26 (P) says bits 28-31 hold the FCS
 *                      length in 16-bit words; the rest is reserved
 *   then records, each a 16-byte header followed by the captured bytes:
 *     seconds u32, fraction u32 (micro- or nanoseconds), captured length u32, original length u32
 *
 * Nothing is padded. A fraction of a second at or above one second (a malformed but
 * harmless writer quirk) is accepted and carried into the nanosecond timestamp.
 */
import { type ByteQueue, u16, u32 } from './bytes.js';
import { PcapError, PcapErrorCode } from './errors.js';
import type { CaptureInterface, CaptureSection, PacketRecord } from './record.js';
import { Need, type DecodeState } from './state.js';

export const PCAP_MAGIC_MICRO = 0xa1b2c3d4;
export const PCAP_MAGIC_NANO = 0xa1b23c4d;
export const PCAP_HEADER_LENGTH = 24;
export const PCAP_RECORD_HEADER_LENGTH = 16;

/** The file header, as read. */
export interface PcapHeader {
  byteOrder: 'little' | 'big';
  precision: 'micro' | 'nano';
  versionMajor: number;
  versionMinor: number;
  snapLength: number;
  linkType: number;
  /** FCS bytes at the end of each packet, when the P bit is set. */
  fcsLength?: number;
}

/** Byte order and precision for the first four bytes, or undefined if they are no pcap magic. */
export function pcapMagic(b: Uint8Array): { le: boolean; nano: boolean } | undefined {
  const be = u32(b, 0, false);
  const le = u32(b, 0, true);
  if (be === PCAP_MAGIC_MICRO) return { le: false, nano: false };
  if (be === PCAP_MAGIC_NANO) return { le: false, nano: true };
  if (le === PCAP_MAGIC_MICRO) return { le: true, nano: false };
  if (le === PCAP_MAGIC_NANO) return { le: true, nano: true };
  return undefined;
}

/** Parses the 24-byte file header (the caller checked the magic). */
export function parsePcapHeader(b: Uint8Array, state: DecodeState): PcapHeader {
  const magic = pcapMagic(b)!;
  const le = magic.le;
  const versionMajor = u16(b, 4, le);
  const versionMinor = u16(b, 6, le);
  if (versionMajor !== 2) {
    throw new PcapError(PcapErrorCode.BAD_VERSION, `pcap version ${versionMajor}.${versionMinor} (only 2.x is defined)`,
      { offset: 4, record: state.records });
  }
  const field = u32(b, 20, le);
  const header: PcapHeader = {
    byteOrder: le ? 'little' : 'big',
    precision: magic.nano ? 'nano' : 'micro',
    versionMajor,
    versionMinor,
    snapLength: u32(b, 16, le),
    linkType: field & 0xffff,
  };
  if (field & 0x04000000) header.fcsLength = (field >>> 28) * 2;
  return header;
}

/** Reads a pcap file's header and records from the decoder's queue. */
export class PcapParser {
  private header: PcapHeader | undefined;
  private le = true;
  private nano = false;

  constructor(private readonly state: DecodeState) {}

  step(q: ByteQueue): PacketRecord | Need | undefined {
    const state = this.state;
    if (this.header === undefined) {
      const b = q.peek(PCAP_HEADER_LENGTH);
      if (!b) return new Need(PCAP_HEADER_LENGTH, 'the pcap file header');
      const h = parsePcapHeader(b, state);
      this.header = h;
      this.le = h.byteOrder === 'little';
      this.nano = h.precision === 'nano';
      const section: CaptureSection = {
        index: 0, offset: 0, byteOrder: h.byteOrder, versionMajor: h.versionMajor, versionMinor: h.versionMinor,
        sectionLength: -1n, comments: [], options: [],
      };
      const iface: CaptureInterface = {
        index: 0, section: 0, id: 0, linkType: h.linkType, snapLength: h.snapLength,
        tsResolution: this.nano ? 9 : 6, unitsPerSecond: this.nano ? 1_000_000_000n : 1_000_000n,
        tsOffset: 0n, options: [],
      };
      if (h.fcsLength !== undefined) iface.fcsLength = h.fcsLength;
      state.pcapHeader = h;
      state.sections.push(section);
      state.interfaces.push(iface);
      q.skip(PCAP_HEADER_LENGTH);
      return undefined;
    }
    const le = this.le;
    const hdr = q.peek(PCAP_RECORD_HEADER_LENGTH);
    if (!hdr) return new Need(PCAP_RECORD_HEADER_LENGTH, 'a record header');
    const capturedLength = u32(hdr, 8, le);
    const originalLength = u32(hdr, 12, le);
    if (capturedLength > state.maxRecordLength) {
      throw new PcapError(PcapErrorCode.BAD_RECORD,
        `captured length ${capturedLength} exceeds the limit of ${state.maxRecordLength} bytes`,
        { offset: q.offset + 8, record: state.records });
    }
    const total = PCAP_RECORD_HEADER_LENGTH + capturedLength;
    const all = q.peek(total);
    if (!all) return new Need(total, `record data (${capturedLength} bytes)`);
    const seconds = u32(all, 0, le);
    const fraction = u32(all, 4, le);
    const nanos = this.nano ? fraction : fraction * 1000;
    const record: PacketRecord = {
      index: state.records,
      offset: q.offset,
      blockType: 0,
      interfaceIndex: 0,
      interfaceId: 0,
      linkType: this.header.linkType,
      data: all.subarray(PCAP_RECORD_HEADER_LENGTH),
      capturedLength,
      originalLength,
      hasTimestamp: true,
      timestamp: BigInt(seconds) * 1_000_000_000n + BigInt(nanos),
      seconds,
      fraction,
      unitsPerSecond: this.nano ? 1e9 : 1e6,
      comments: [],
      options: [],
    };
    q.skip(total);
    return record;
  }
}
