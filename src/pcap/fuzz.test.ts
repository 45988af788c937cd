/**
 * Mutation fuzzing of the readers: 10,000 random mutations of valid pcap and pcapng files
 * (bit flips, byte and word overwrites with boundary values, truncation, insertion,
 * deletion, splices between files). Every one must give records or a `PcapError`, never
 * another exception; reading in random chunks must agree with reading at once; and the
 * whole run has a time bound, so a hang or a quadratic blow-up fails the test.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';

import { bytes, le16, le32, rng, sampleFrames } from './capture.test.fixture.js';
import { CaptureDecoder, readCapture } from './decoder.js';
import { recordToEthernet } from './ethernet.js';
import { PcapError } from './errors.js';
import { LinkType } from './linktype.js';
import { writePcap, writePcapng, type WritePacket } from './writer.js';

function seeds(): Uint8Array[] {
  const frames = sampleFrames().slice(0, 4);
  const packets: WritePacket[] = frames.map((data, i) => ({ data, timestamp: 1_600_000_000_123_456_789n + BigInt(i), interfaceId: i % 2 }));
  const interfaces = [{ linkType: LinkType.ETHERNET, name: 'eth0' }, { linkType: LinkType.LINUX_SLL, precision: 0x80 | 10 }];
  const blk = (type: number, body: Uint8Array) => bytes(le32(type), le32(12 + body.length), body, le32(12 + body.length));
  const extra = bytes(
    blk(3, bytes(le32(6), '01 02 03 04 05 06 00 00')), // SPB
    blk(2, bytes(le16(1), le16(0), le32(0), le32(5), le32(1), le32(1), 'ff 00 00 00', le16(1), le16(1), '41 00 00 00', le32(0))), // PB + comment
    blk(5, bytes(le32(0), le32(0), le32(0))), // ISB, skipped
  );
  return [
    writePcap(packets, { linkType: LinkType.ETHERNET }),
    writePcap(packets, { linkType: LinkType.RAW, precision: 'nano', byteOrder: 'big' }),
    writePcapng(packets.map((p) => ({ ...p, comments: ['c'] })), { interfaces, userApplication: 'fuzz' }),
    bytes(writePcapng(packets, { interfaces }), extra, writePcapng(packets.slice(0, 2), { byteOrder: 'big', interfaces })),
  ];
}

const INTERESTING = [0, 1, 3, 4, 11, 12, 16, 27, 28, 31, 32, 0x7fffffff, 0x80000000, 0xfffffff0, 0xffffffff, 0x0a0d0d0a, 0x1a2b3c4d];

function mutate(input: Uint8Array, others: Uint8Array[], next: () => number): Uint8Array {
  let b: Uint8Array = Uint8Array.from(input);
  const rounds = 1 + (next() % 4);
  for (let k = 0; k < rounds; k++) {
    const at = b.length === 0 ? 0 : next() % b.length;
    switch (next() % 8) {
      case 0: if (b.length) b[at]! ^= 1 << (next() % 8); break;
      case 1: if (b.length) b[at] = next() & 0xff; break;
      case 2: case 3: { // a 32-bit word (aligned, as lengths are) set to a boundary value, either byte order
        const w = at & ~3;
        if (w + 4 > b.length) break;
        const v = INTERESTING[next() % INTERESTING.length]!;
        b.set(next() & 1 ? le32(v) : le32(v).reverse(), w);
        break;
      }
      case 4: b = b.slice(0, at); break;
      case 5: { const n = 1 + (next() % 8); b = bytes(b.subarray(0, at), Array.from({ length: n }, () => next() & 0xff), b.subarray(at)); break; }
      case 6: { const n = 1 + (next() % 16); b = bytes(b.subarray(0, at), b.subarray(at + n)); break; }
      case 7: { const o = others[next() % others.length]!; const from = next() % o.length; b = bytes(b.subarray(0, at), o.subarray(from, from + 1 + (next() % 64))); break; }
    }
  }
  return b;
}

type Outcome = { records: number; error?: string };

function readWhole(b: Uint8Array): Outcome {
  try {
    const c = readCapture(b);
    for (const r of c.records) {
      assert.equal(r.data.length, r.capturedLength);
      try { recordToEthernet(r); } catch (e) { if (!(e instanceof PcapError)) throw e; }
    }
    return { records: c.records.length };
  } catch (e) {
    if (e instanceof PcapError) return { records: -1, error: `${e.code} ${e.message}` };
    throw e;
  }
}

function readChunked(b: Uint8Array, next: () => number): Outcome {
  const d = new CaptureDecoder();
  let records = 0;
  try {
    for (let i = 0; i < b.length;) {
      const n = 1 + (next() % 100);
      d.push(b.subarray(i, i + n));
      i += n;
      while (d.next()) records++;
    }
    d.end();
    while (d.next()) records++;
    return { records };
  } catch (e) {
    if (e instanceof PcapError) return { records: -1, error: `${e.code} ${e.message}` };
    throw e;
  }
}

test('10,000 mutated files give records or a PcapError, never anything else', () => {
  const base = seeds();
  for (const s of base) assert.ok(readCapture(s).records.length > 0);
  const next = rng(0x5eed);
  const started = Date.now();
  const codes = new Map<string, number>();
  let ok = 0;
  for (let i = 0; i < 10_000; i++) {
    const input = mutate(base[i % base.length]!, base, next);
    let whole: Outcome;
    try {
      whole = readWhole(input);
    } catch (e) {
      assert.fail(`case ${i}: ${String(e)}\n${(e as Error).stack}\ninput: ${Buffer.from(input).toString('hex')}`);
    }
    if (whole.error) {
      const code = whole.error.split(' ')[0]!;
      codes.set(code, (codes.get(code) ?? 0) + 1);
      assert.match(whole.error, /offset \d+, record \d+: /, `case ${i}`);
    } else ok++;
    if (i % 4 === 0) assert.deepEqual(readChunked(input, next), whole, `case ${i}: chunked reading disagrees`);
  }
  const elapsed = Date.now() - started;
  assert.ok(elapsed < 30_000, `fuzzing took ${elapsed} ms`);
  if (process.env.EBEE_FUZZ_STATS) console.log({ elapsed, ok, codes });
  // The mutations reach many different checks, and many files still parse.
  assert.ok(codes.size >= 6, `error codes seen: ${[...codes.keys()].join(', ')}`);
  assert.ok(ok > 500, `only ${ok} mutated files parsed`);
});
