/**
 * Reading capture files: format detection (pcap in either byte order and precision, or
 * pcapng) and an incremental decoder that takes bytes in chunks of any size and returns
 * records one at a time, so a file never needs to be in memory whole. The convenience
 * readers (`readCapture`, `captureRecords`, `captureRecordsAsync`) are built on it.
 *
 * Every malformed input ends in a `PcapError` naming the byte offset and record index;
 * the decoder consumes at least 12 bytes per step, so it always terminates, and it never
 * buffers more than one record or block (at most `maxRecordLength` bytes) beyond what the
 * caller pushed.
 */
import { ByteQueue, u32 } from './bytes.js';
import { PcapError, PcapErrorCode } from './errors.js';
import { PcapParser, pcapMagic, type PcapHeader } from './pcap-read.js';
import { PcapngParser } from './pcapng-read.js';
import { BlockType, type CaptureInterface, type CaptureSection, type PacketRecord } from './record.js';
import { DEFAULT_MAX_RECORD_LENGTH, Need, type DecodeState } from './state.js';

export type CaptureFormat = 'pcap' | 'pcapng';

export interface DecodeOptions {
  /**
   * Largest accepted pcap captured length or pcapng block length, in bytes (default
   * 64 MiB). A larger value in a file is reported as malformed rather than buffered.
   */
  maxRecordLength?: number;
}

/** The format the first four bytes announce, or undefined. */
export function detectFormat(bytes: Uint8Array): CaptureFormat | undefined {
  if (bytes.length < 4) return undefined;
  if (pcapMagic(bytes)) return 'pcap';
  if (u32(bytes, 0, true) === BlockType.SECTION_HEADER) return 'pcapng';
  return undefined;
}

function hex(b: Uint8Array): string {
  return Array.from(b, (x) => x.toString(16).padStart(2, '0')).join(' ');
}

/** Incremental capture reader: `push` bytes, `end` at end of input, `next` for records. */
export class CaptureDecoder {
  private readonly q = new ByteQueue();
  private readonly state: DecodeState;
  private parser: PcapParser | PcapngParser | undefined;
  private ended = false;
  private failure: PcapError | undefined;
  /** Known once the first four bytes are in. */
  format: CaptureFormat | undefined;

  constructor(options: DecodeOptions = {}) {
    const max = options.maxRecordLength ?? DEFAULT_MAX_RECORD_LENGTH;
    if (!Number.isInteger(max) || max < 16) {
      throw new PcapError(PcapErrorCode.BAD_ARGUMENT, `maxRecordLength must be an integer of at least 16, not ${max}`);
    }
    this.state = { records: 0, sections: [], interfaces: [], skippedBlocks: 0, maxRecordLength: max };
  }

  /** Sections read so far (a pcap file has one). */
  get sections(): readonly CaptureSection[] { return this.state.sections; }
  /** Interfaces read so far, over all sections (a pcap file has one, from its header). */
  get interfaces(): readonly CaptureInterface[] { return this.state.interfaces; }
  /** The pcap file header, once read (pcap files only). */
  get pcapHeader(): PcapHeader | undefined { return this.state.pcapHeader; }
  /** pcapng blocks skipped because their type carries no packets or interfaces. */
  get skippedBlocks(): number { return this.state.skippedBlocks; }
  /** Packet records returned so far. */
  get recordCount(): number { return this.state.records; }
  /** File offset of the first byte not yet consumed. */
  get offset(): number { return this.q.offset; }

  /**
   * Adds input. With `adopt`, the decoder may keep views of `chunk` (records' `data` then
   * point into it) instead of copying; the caller must not modify it afterwards.
   */
  push(chunk: Uint8Array, adopt = false): void {
    if (this.ended) throw new PcapError(PcapErrorCode.BAD_ARGUMENT, 'push after end()');
    if (!(chunk instanceof Uint8Array)) throw new PcapError(PcapErrorCode.BAD_ARGUMENT, 'input chunks must be Uint8Arrays');
    this.q.push(chunk, adopt);
  }

  /** Marks the end of input: a record still incomplete is now an error. */
  end(): void {
    this.ended = true;
  }

  /**
   * The next packet record, or undefined when more input is needed (before `end`) or the
   * file is finished (after `end`). Throws a `PcapError` for malformed input, and the same
   * error again on every later call.
   */
  next(): PacketRecord | undefined {
    if (this.failure) throw this.failure;
    try {
      return this.step();
    } catch (err) {
      if (err instanceof PcapError) this.failure = err;
      throw err;
    }
  }

  private step(): PacketRecord | undefined {
    const q = this.q;
    const state = this.state;
    if (!this.parser) {
      const magic = q.peek(4);
      if (!magic) {
        if (!this.ended) return undefined;
        throw new PcapError(PcapErrorCode.TRUNCATED,
          q.available === 0 ? 'empty input: no capture file header' : `only ${q.available} byte(s): no capture file header`,
          { offset: q.offset, record: 0 });
      }
      this.format = detectFormat(magic);
      if (this.format === 'pcap') this.parser = new PcapParser(state);
      else if (this.format === 'pcapng') this.parser = new PcapngParser(state);
      else {
        const hint = u32(magic, 0, false) === 0xa1b2cd34 || u32(magic, 0, true) === 0xa1b2cd34
          ? ' (the "modified pcap" format of old Linux patches, not supported)'
          : magic[0] === 0x1f && magic[1] === 0x8b ? ' (gzip-compressed: decompress first)' : '';
        throw new PcapError(PcapErrorCode.BAD_MAGIC,
          `not a pcap or pcapng file: starts with ${hex(magic)}${hint}`, { offset: 0, record: 0 });
      }
    }
    for (;;) {
      const r = this.parser.step(q);
      if (r === undefined) continue;
      if (r instanceof Need) {
        if (!this.ended || q.available === 0) return undefined;
        throw new PcapError(PcapErrorCode.TRUNCATED,
          `file ends inside ${r.what}: ${r.bytes} bytes needed, ${q.available} left`,
          { offset: q.offset, record: state.records });
      }
      state.records++;
      return r;
    }
  }
}

/** A whole capture file, read at once. */
export interface Capture {
  format: CaptureFormat;
  sections: CaptureSection[];
  interfaces: CaptureInterface[];
  records: PacketRecord[];
  /** pcapng blocks skipped (statistics, name resolution, custom, ...). */
  skippedBlocks: number;
  /** The pcap file header (pcap files only). */
  pcapHeader?: PcapHeader;
}

/**
 * Reads a whole pcap or pcapng file. Records' `data` are views of `bytes`, not copies.
 * Throws a `PcapError` for anything malformed, including a truncated last record.
 */
export function readCapture(bytes: Uint8Array, options: DecodeOptions = {}): Capture {
  const d = new CaptureDecoder(options);
  d.push(bytes, true);
  d.end();
  const records: PacketRecord[] = [];
  for (let r = d.next(); r; r = d.next()) records.push(r);
  const capture: Capture = {
    format: d.format!, sections: [...d.sections], interfaces: [...d.interfaces], records,
    skippedBlocks: d.skippedBlocks,
  };
  if (d.pcapHeader) capture.pcapHeader = d.pcapHeader;
  return capture;
}

/**
 * The records of an in-memory pcap or pcapng file, one at a time. Records before a
 * malformed spot are yielded; then the `PcapError` is thrown.
 */
export function* captureRecords(bytes: Uint8Array, options: DecodeOptions = {}): Generator<PacketRecord, void, undefined> {
  const d = new CaptureDecoder(options);
  d.push(bytes, true);
  d.end();
  for (let r = d.next(); r; r = d.next()) yield r;
}

/**
 * The records of a capture file arriving in chunks (a Node readable stream, a web
 * `ReadableStream` in runtimes where it is async-iterable, or any iterable of byte
 * chunks). Chunks are copied, so the source may reuse its buffers.
 */
export async function* captureRecordsAsync(
  chunks: AsyncIterable<Uint8Array> | Iterable<Uint8Array>, options: DecodeOptions = {},
): AsyncGenerator<PacketRecord, void, undefined> {
  const d = new CaptureDecoder(options);
  for await (const chunk of chunks) {
    d.push(chunk);
    for (let r = d.next(); r; r = d.next()) yield r;
  }
  d.end();
  for (let r = d.next(); r; r = d.next()) yield r;
}
