/**
 * Node-only entry points of `pcap/`: reading capture files from disk or from a Node
 * readable stream, one record at a time, without holding the file in memory. The rest
 * of `pcap/` (`./index.js`) is browser safe and does not import this file.
 */
import { createReadStream } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import type { Readable } from 'node:stream';

import { captureRecordsAsync, readCapture, type Capture, type DecodeOptions } from './decoder.js';
import type { PacketRecord } from './record.js';

/**
 * The records of a Node readable stream of bytes (a socket, a child's stdout, ...).
 * A stream in object mode or with a text encoding is a `PcapError` (`BAD_ARGUMENT`).
 */
export function streamRecords(stream: Readable, options: DecodeOptions = {}): AsyncGenerator<PacketRecord, void, undefined> {
  return captureRecordsAsync(stream as AsyncIterable<Uint8Array>, options);
}

/** The records of a capture file on disk, read in 64 KiB chunks. */
export async function* fileRecords(path: string, options: DecodeOptions = {}): AsyncGenerator<PacketRecord, void, undefined> {
  const stream = createReadStream(path);
  try {
    yield* captureRecordsAsync(stream as AsyncIterable<Uint8Array>, options);
  } finally {
    stream.destroy();
  }
}

/** Reads a whole capture file from disk (see `readCapture`). */
export async function readCaptureFile(path: string, options: DecodeOptions = {}): Promise<Capture> {
  const bytes = await readFile(path);
  return readCapture(new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.length), options);
}

/** Writes bytes produced by `writePcap` / `writePcapng` to disk. */
export async function writeCaptureFile(path: string, bytes: Uint8Array): Promise<void> {
  await writeFile(path, bytes);
}
