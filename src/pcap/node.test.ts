import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createReadStream, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';

import { sampleFrames } from './capture.test.fixture.js';
import { captureRecordsAsync, readCapture } from './decoder.js';
import { PcapError, PcapErrorCode } from './errors.js';
import { fileRecords, readCaptureFile, streamRecords, writeCaptureFile } from './node.js';
import type { PacketRecord } from './record.js';
import { writePcap, writePcapng } from './writer.js';

const plain = (r: PacketRecord) => ({ ...r, data: Array.from(r.data), options: r.options.map((o) => ({ ...o, value: Array.from(o.value) })) });

async function collect(it: AsyncIterable<PacketRecord>): Promise<PacketRecord[]> {
  const out = [];
  for await (const r of it) out.push(r);
  return out;
}

const PACKETS = Array.from({ length: 200 }, (_, i) => ({ data: sampleFrames()[i % 5]!, timestamp: BigInt(i) * 1_000_123n }));

test('files and streams: the same records as reading in memory, in small chunks', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'ebee-pcap-'));
  try {
    for (const [name, file] of [['a.pcap', writePcap(PACKETS)], ['a.pcapng', writePcapng(PACKETS, { interfaces: [{ precision: 'nano' }] })]] as const) {
      const path = join(dir, name);
      await writeCaptureFile(path, file);
      const want = readCapture(file).records.map(plain);
      assert.equal(want.length, 200);
      assert.deepEqual((await collect(fileRecords(path))).map(plain), want);
      assert.deepEqual((await readCaptureFile(path)).records.map(plain), want);
      assert.deepEqual((await collect(streamRecords(createReadStream(path, { highWaterMark: 1000 })))).map(plain), want);
      assert.deepEqual((await collect(captureRecordsAsync([file.subarray(0, 100), file.subarray(100)]))).map(plain), want);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('records stay intact when the stream reuses its chunk buffer', async () => {
  const file = writePcap(PACKETS.slice(0, 20));
  const shared = new Uint8Array(33);
  async function* reuse() {
    for (let i = 0; i < file.length; i += shared.length) {
      const n = Math.min(shared.length, file.length - i);
      shared.set(file.subarray(i, i + n));
      yield shared.subarray(0, n);
      shared.fill(0xee);
    }
  }
  assert.deepEqual((await collect(captureRecordsAsync(reuse()))).map(plain), readCapture(file).records.map(plain));
});

test('a truncated or bad stream rejects with a PcapError after the good records', async () => {
  const file = writePcap(PACKETS.slice(0, 3));
  const seen: number[] = [];
  await assert.rejects(async () => {
    for await (const r of streamRecords(Readable.from([file.subarray(0, file.length - 2)]))) seen.push(r.index);
  }, (e: unknown) => e instanceof PcapError && e.code === PcapErrorCode.TRUNCATED && /record 2/.test(e.message));
  assert.deepEqual(seen, [0, 1]);
  await assert.rejects(collect(streamRecords(Readable.from(['not bytes']))),
    (e: unknown) => e instanceof PcapError && e.code === PcapErrorCode.BAD_ARGUMENT);
  await assert.rejects(readCaptureFile(join(tmpdir(), 'ebee-no-such-file.pcap')), /ENOENT/);
  const dir = mkdtempSync(join(tmpdir(), 'ebee-pcap-'));
  try {
    const path = join(dir, 'bad.pcap');
    writeFileSync(path, 'hello world, not a capture');
    await assert.rejects(collect(fileRecords(path)), (e: unknown) => e instanceof PcapError && e.code === PcapErrorCode.BAD_MAGIC);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
