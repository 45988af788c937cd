/**
 * Writing pcap and pcapng files. The output depends only on the arguments (no clock, no
 * host name, no OS string unless given), so the same packets always give the same
 * bytes. Records read by this module can be written back directly: `PacketRecord` has
 * the fields a `WritePacket` needs.
 *
 * pcap: the 24-byte header (version 2.4, reserved fields 0) and 16-byte record headers.
 * pcapng: one Section Header Block (version 1.0, section length -1), one Interface
 * Description Block per interface (if_tsresol only when not microseconds), and one
 * Enhanced Packet Block per packet; options end with opt_endofopt when there are any.
 */
import { type ByteOrder, encodeUtf8, pad4, put16, put32, put64 } from './bytes.js';
import { PcapError, PcapErrorCode } from './errors.js';
import { LinkType } from './linktype.js';
import { PCAP_MAGIC_MICRO, PCAP_MAGIC_NANO } from './pcap-read.js';
import { PCAPNG_BYTE_ORDER_MAGIC } from './pcapng-read.js';
import { BlockType, OptionCode, unitsForResolution } from './record.js';

/** A packet to write. */
export interface WritePacket {
  /** The frame, starting with the link-layer header of the file's (or interface's) link type. */
  data: Uint8Array;
  /** Nanoseconds since 1970-01-01 UTC (default 0n). Rounded down to the file's resolution. */
  timestamp?: bigint;
  /**
   * The timestamp as a reader gave it (`PacketRecord` has these): when all three are
   * present, `unitsPerSecond` is the resolution being written and they agree with
   * `timestamp`, they are written exactly, so a resolution finer than or not a multiple
   * of a nanosecond (2^-n) survives a read-write round trip.
   */
  seconds?: number;
  fraction?: number;
  unitsPerSecond?: number;
  /** Length on the wire (default: `data.length`); at least the captured length. */
  originalLength?: number;
  /** pcapng: the interface id (default 0). */
  interfaceId?: number;
  /** pcapng: opt_comment values. */
  comments?: string[];
  /** pcapng: epb_flags. */
  flags?: number;
}

export interface PcapWriteOptions {
  /** Default `LinkType.ETHERNET`. */
  linkType?: number;
  /** Timestamp precision, chosen by the magic number: default 'micro'. */
  precision?: 'micro' | 'nano';
  /** Snapshot length written in the header; longer packets are truncated. Default 262144. */
  snapLength?: number;
  /** Default 'little'. */
  byteOrder?: ByteOrder;
}

export interface PcapngInterfaceOptions {
  /** Default `LinkType.ETHERNET`. */
  linkType?: number;
  /** 0 (the default) means no limit; otherwise longer packets are truncated. */
  snapLength?: number;
  /** Timestamp resolution: 'micro' (the default, no option written), 'nano', or an if_tsresol byte. */
  precision?: 'micro' | 'nano' | number;
  name?: string;
  description?: string;
}

export interface PcapngWriteOptions {
  /** Default 'little'. */
  byteOrder?: ByteOrder;
  /** Default: one Ethernet interface. */
  interfaces?: PcapngInterfaceOptions[];
  hardware?: string;
  os?: string;
  userApplication?: string;
  comments?: string[];
}

const NS = 1_000_000_000n;

function bad(message: string): never {
  throw new PcapError(PcapErrorCode.BAD_ARGUMENT, message);
}

function checkU32(name: string, v: number): number {
  if (!Number.isInteger(v) || v < 0 || v > 0xffffffff) bad(`${name} must be an integer in 0..2^32-1, not ${v}`);
  return v;
}

function checkLinkType(v: number): number {
  if (!Number.isInteger(v) || v < 0 || v > 0xffff) bad(`link type must be an integer in 0..65535, not ${v}`);
  return v;
}

function lengths(p: WritePacket, snapLength: number): { captured: number; original: number } {
  if (!(p.data instanceof Uint8Array)) bad('packet data must be a Uint8Array');
  const captured = snapLength > 0 ? Math.min(p.data.length, snapLength) : p.data.length;
  const original = checkU32('originalLength', p.originalLength ?? p.data.length);
  if (original < captured) bad(`originalLength ${original} is less than the captured length ${captured}`);
  return { captured, original };
}

/** The packet's timestamp in `units` per second since the epoch. */
function timestampUnits(p: WritePacket, units: bigint): bigint {
  const ts = p.timestamp ?? 0n;
  if (typeof ts !== 'bigint' || ts < 0n) bad(`timestamp must be a non-negative bigint of nanoseconds, not ${String(ts)}`);
  const { seconds, fraction, unitsPerSecond } = p;
  if (Number.isSafeInteger(seconds) && Number.isSafeInteger(fraction) && Number.isSafeInteger(unitsPerSecond)
      && BigInt(unitsPerSecond!) === units && seconds! >= 0 && fraction! >= 0 && fraction! < unitsPerSecond!) {
    const s = BigInt(seconds!);
    const f = BigInt(fraction!);
    if (s * NS + (f * NS) / units === ts) return s * units + f;
  }
  return (ts * units) / NS;
}

/** A growable output buffer: every writer appends into one, so a file is one allocation (amortized). */
class Sink {
  buf = new Uint8Array(4096);
  length = 0;

  /** Reserves `n` zeroed bytes at the end and returns their offset. */
  reserve(n: number): number {
    const at = this.length;
    if (at + n > this.buf.length) {
      const next = new Uint8Array(Math.max(at + n, 2 * this.buf.length));
      next.set(this.buf.subarray(0, at));
      this.buf = next;
    }
    this.length = at + n;
    return at;
  }

  bytes(): Uint8Array {
    return this.buf.length === this.length ? this.buf : this.buf.slice(0, this.length);
  }
}

function emitPcapHeader(s: Sink, options: PcapWriteOptions): void {
  const le = (options.byteOrder ?? 'little') === 'little';
  const at = s.reserve(24);
  put32(s.buf, at, options.precision === 'nano' ? PCAP_MAGIC_NANO : PCAP_MAGIC_MICRO, le);
  put16(s.buf, at + 4, 2, le);
  put16(s.buf, at + 6, 4, le);
  put32(s.buf, at + 16, checkU32('snapLength', options.snapLength ?? 262144), le);
  put32(s.buf, at + 20, checkLinkType(options.linkType ?? LinkType.ETHERNET), le);
}

function emitPcapRecord(s: Sink, p: WritePacket, options: PcapWriteOptions): void {
  const le = (options.byteOrder ?? 'little') === 'little';
  const units = options.precision === 'nano' ? NS : 1_000_000n;
  const { captured, original } = lengths(p, options.snapLength ?? 262144);
  const raw = timestampUnits(p, units);
  const seconds = raw / units;
  if (seconds > 0xffffffffn) bad(`timestamp ${p.timestamp} ns is past what pcap's 32-bit seconds can hold`);
  const at = s.reserve(16 + captured);
  const b = s.buf;
  put32(b, at, Number(seconds), le);
  put32(b, at + 4, Number(raw % units), le);
  put32(b, at + 8, captured, le);
  put32(b, at + 12, original, le);
  b.set(captured === p.data.length ? p.data : p.data.subarray(0, captured), at + 16);
}

/** The 24-byte pcap file header. */
export function pcapHeaderBytes(options: PcapWriteOptions = {}): Uint8Array {
  const s = new Sink();
  emitPcapHeader(s, options);
  return s.bytes();
}

/** One pcap record (16-byte header and the captured bytes). */
export function pcapRecordBytes(p: WritePacket, options: PcapWriteOptions = {}): Uint8Array {
  const s = new Sink();
  emitPcapRecord(s, p, options);
  return s.bytes();
}

/** A whole pcap file. */
export function writePcap(packets: Iterable<WritePacket>, options: PcapWriteOptions = {}): Uint8Array {
  const s = new Sink();
  emitPcapHeader(s, options);
  for (const p of packets) emitPcapRecord(s, p, options);
  return s.bytes();
}

type Opt = { code: number; value: Uint8Array };

function optionsLength(opts: Opt[]): number {
  if (opts.length === 0) return 0;
  let n = 4; // opt_endofopt
  for (const o of opts) {
    if (o.value.length > 0xffff) bad(`option ${o.code} is ${o.value.length} bytes; options hold at most 65535`);
    n += 4 + pad4(o.value.length);
  }
  return n;
}

/**
 * Appends a block: type, total length, `fixed` bytes (filled by `fill` at the given
 * offset), `data` padded to 32 bits, the options and opt_endofopt, total length.
 */
function emitBlock(
  s: Sink, type: number, fixed: number, fill: (b: Uint8Array, at: number) => void,
  data: Uint8Array, opts: Opt[], le: boolean,
): void {
  const length = 12 + fixed + pad4(data.length) + optionsLength(opts);
  const start = s.reserve(length);
  const b = s.buf;
  put32(b, start, type, le);
  put32(b, start + 4, length, le);
  fill(b, start + 8);
  b.set(data, start + 8 + fixed);
  let at = start + 8 + fixed + pad4(data.length);
  for (const o of opts) {
    put16(b, at, o.code, le);
    put16(b, at + 2, o.value.length, le);
    b.set(o.value, at + 4);
    at += 4 + pad4(o.value.length);
  }
  put32(b, start + length - 4, length, le); // opt_endofopt, if any, is the zeroed word before
}

function resolutionByte(p: PcapngInterfaceOptions['precision']): number {
  if (p === undefined || p === 'micro') return 6;
  if (p === 'nano') return 9;
  if (!Number.isInteger(p) || p < 0 || p > 255) bad(`if_tsresol must be a byte, not ${p}`);
  return p;
}

const EMPTY = new Uint8Array(0);

function emitPcapngHeader(s: Sink, options: PcapngWriteOptions): void {
  const le = (options.byteOrder ?? 'little') === 'little';
  const shbOpts: Opt[] = [];
  for (const c of options.comments ?? []) shbOpts.push({ code: OptionCode.COMMENT, value: encodeUtf8(c) });
  if (options.hardware !== undefined) shbOpts.push({ code: OptionCode.SHB_HARDWARE, value: encodeUtf8(options.hardware) });
  if (options.os !== undefined) shbOpts.push({ code: OptionCode.SHB_OS, value: encodeUtf8(options.os) });
  if (options.userApplication !== undefined) {
    shbOpts.push({ code: OptionCode.SHB_USERAPPL, value: encodeUtf8(options.userApplication) });
  }
  emitBlock(s, BlockType.SECTION_HEADER, 16, (b, at) => {
    put32(b, at, PCAPNG_BYTE_ORDER_MAGIC, le);
    put16(b, at + 4, 1, le);
    put16(b, at + 6, 0, le);
    put64(b, at + 8, -1n, le);
  }, EMPTY, shbOpts, le);
  for (const i of options.interfaces ?? [{}]) {
    const linkType = checkLinkType(i.linkType ?? LinkType.ETHERNET);
    const snapLength = checkU32('snapLength', i.snapLength ?? 0);
    const opts: Opt[] = [];
    if (i.name !== undefined) opts.push({ code: OptionCode.IF_NAME, value: encodeUtf8(i.name) });
    if (i.description !== undefined) opts.push({ code: OptionCode.IF_DESCRIPTION, value: encodeUtf8(i.description) });
    const res = resolutionByte(i.precision);
    if (res !== 6) opts.push({ code: OptionCode.IF_TSRESOL, value: Uint8Array.of(res) });
    emitBlock(s, BlockType.INTERFACE_DESCRIPTION, 8, (b, at) => {
      put16(b, at, linkType, le);
      put32(b, at + 4, snapLength, le);
    }, EMPTY, opts, le);
  }
}

/** Per-interface facts the packet writer needs, worked out once per file. */
type IfaceFacts = { units: bigint; snapLength: number }[];

function facts(options: PcapngWriteOptions): IfaceFacts {
  return (options.interfaces ?? [{}]).map((i) => ({
    units: unitsForResolution(resolutionByte(i.precision)), snapLength: i.snapLength ?? 0,
  }));
}

function emitPcapngPacket(s: Sink, p: WritePacket, le: boolean, ifaces: IfaceFacts): void {
  const id = p.interfaceId ?? 0;
  const iface = ifaces[id];
  if (!Number.isInteger(id) || !iface) bad(`interfaceId ${id} is not one of the ${ifaces.length} interface(s)`);
  const { captured, original } = lengths(p, iface.snapLength);
  const units = timestampUnits(p, iface.units);
  if (units > 0xffffffffffffffffn) bad(`timestamp ${p.timestamp} ns does not fit pcapng's 64-bit timestamp at this resolution`);
  const opts: Opt[] = [];
  if (p.comments) for (const c of p.comments) opts.push({ code: OptionCode.COMMENT, value: encodeUtf8(c) });
  if (p.flags !== undefined) {
    const v = new Uint8Array(4);
    put32(v, 0, checkU32('flags', p.flags), le);
    opts.push({ code: OptionCode.EPB_FLAGS, value: v });
  }
  emitBlock(s, BlockType.ENHANCED_PACKET, 20, (b, at) => {
    put32(b, at, id, le);
    put32(b, at + 4, Number(units >> 32n), le);
    put32(b, at + 8, Number(units & 0xffffffffn), le);
    put32(b, at + 12, captured, le);
    put32(b, at + 16, original, le);
  }, captured === p.data.length ? p.data : p.data.subarray(0, captured), opts, le);
}

/** The Section Header Block and Interface Description Blocks that start a pcapng file. */
export function pcapngHeaderBytes(options: PcapngWriteOptions = {}): Uint8Array {
  const s = new Sink();
  emitPcapngHeader(s, options);
  return s.bytes();
}

/** One Enhanced Packet Block, for a file started with `pcapngHeaderBytes(options)`. */
export function pcapngPacketBytes(p: WritePacket, options: PcapngWriteOptions = {}): Uint8Array {
  const s = new Sink();
  emitPcapngPacket(s, p, (options.byteOrder ?? 'little') === 'little', facts(options));
  return s.bytes();
}

/** A whole pcapng file: one section, the given interfaces, one EPB per packet. */
export function writePcapng(packets: Iterable<WritePacket>, options: PcapngWriteOptions = {}): Uint8Array {
  const s = new Sink();
  emitPcapngHeader(s, options);
  const le = (options.byteOrder ?? 'little') === 'little';
  const ifaces = facts(options);
  for (const p of packets) emitPcapngPacket(s, p, le, ifaces);
  return s.bytes();
}
