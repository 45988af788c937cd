import { test } from 'node:test';
import assert from 'node:assert/strict';

import { bytes, le16, le32, be16, be32, zeros, ETH_IPV4, IPV4_UDP } from './capture.test.fixture.js';
import { CaptureDecoder, detectFormat, readCapture } from './decoder.js';
import { PcapError, PcapErrorCode } from './errors.js';
import { LinkType } from './linktype.js';

type Part = string | number[] | Uint8Array;

/** A block in the given byte order: type, total length, body, total length. */
function blk(le: boolean, type: number, ...body: Part[]): Uint8Array {
  const b = bytes(...body);
  assert.equal(b.length % 4, 0, 'test block bodies are padded by hand');
  const w32 = le ? le32 : be32;
  return bytes(w32(type), w32(12 + b.length), b, w32(12 + b.length));
}

/** An option: code, length, value, padding to 32 bits. */
function opt(le: boolean, code: number, value: Part): Uint8Array {
  const v = typeof value === 'string' && !/^[0-9a-f]{2}( |$)/.test(value) ? new TextEncoder().encode(value) : bytes(value);
  const w16 = le ? le16 : be16;
  return bytes(w16(code), w16(v.length), v, zeros((4 - (v.length % 4)) % 4));
}

const END = zeros(4);
const shb = (le: boolean, ...opts: Part[]) =>
  blk(le, 0x0a0d0d0a, le ? le32(0x1a2b3c4d) : be32(0x1a2b3c4d), le ? le16(1) : be16(1), zeros(2), 'ff ff ff ff ff ff ff ff', ...opts);
const idb = (le: boolean, linkType: number, snap: number, ...opts: Part[]) =>
  blk(le, 1, le ? le16(linkType) : be16(linkType), zeros(2), le ? le32(snap) : be32(snap), ...opts);
function epb(le: boolean, id: number, hi: number, lo: number, data: Uint8Array, orig = data.length, ...opts: Part[]) {
  const w32 = le ? le32 : be32;
  return blk(le, 6, w32(id), w32(hi), w32(lo), w32(data.length), w32(orig), data, zeros((4 - (data.length % 4)) % 4), ...opts);
}

function isPcapError(code: string, offset?: number, record?: number) {
  return (e: unknown): boolean => {
    assert.ok(e instanceof PcapError, `expected a PcapError, got ${String(e)}`);
    assert.equal(e.code, code, e.message);
    if (offset !== undefined) assert.equal(e.offset, offset, e.message);
    if (record !== undefined) assert.equal(e.record, record, e.message);
    return true;
  };
}

test('a minimal pcapng file spelled out byte by byte', () => {
  const file = bytes(
    // Section Header Block: type, length 28, byte-order magic, version 1.0, section length -1, length
    '0a 0d 0d 0a  1c 00 00 00  4d 3c 2b 1a  01 00 00 00  ff ff ff ff ff ff ff ff  1c 00 00 00',
    // Interface Description Block: type 1, length 20, Ethernet, reserved, snaplen 262144, length
    '01 00 00 00  14 00 00 00  01 00 00 00  00 00 04 00  14 00 00 00',
    // Enhanced Packet Block: type 6, length 36, interface 0, timestamp 1000000 us, 3 of 3 bytes, data + pad, length
    '06 00 00 00  24 00 00 00  00 00 00 00  00 00 00 00  40 42 0f 00  03 00 00 00  03 00 00 00  01 02 03 00  24 00 00 00',
  );
  assert.equal(detectFormat(file), 'pcapng');
  const c = readCapture(file);
  assert.equal(c.format, 'pcapng');
  assert.equal(c.sections.length, 1);
  assert.equal(c.sections[0]!.byteOrder, 'little');
  assert.equal(c.sections[0]!.sectionLength, -1n);
  assert.equal(c.interfaces.length, 1);
  assert.equal(c.interfaces[0]!.linkType, LinkType.ETHERNET);
  assert.equal(c.interfaces[0]!.snapLength, 262144);
  assert.equal(c.records.length, 1);
  const r = c.records[0]!;
  assert.deepEqual(r.data, bytes('01 02 03'));
  assert.equal(r.offset, 48);
  assert.equal(r.blockType, 6);
  assert.equal(r.timestamp, 1_000_000_000n);
  assert.equal(r.seconds, 1);
  assert.equal(r.fraction, 0);
});

test('sections, interfaces, options, every packet block type, unknown blocks skipped', () => {
  const L = true;
  const file = bytes(
    shb(L, opt(L, 1, 'first section'), opt(L, 2, 'x86_64'), opt(L, 3, 'Linux'), opt(L, 4, 'ebee test'), END),
    // if 0: Ethernet, nanosecond timestamps, named
    idb(L, LinkType.ETHERNET, 0, opt(L, 2, 'eth0'), opt(L, 3, 'the wire'), opt(L, 9, [9]), END),
    // if 1: raw IP, 2^-20 s resolution, timestamps offset by 100 s, 4-byte FCS
    idb(L, LinkType.RAW, 65535, opt(L, 9, [0x80 | 20]), opt(L, 14, [...le32(100), ...le32(0)]), opt(L, 13, [4]), END),
    blk(L, 4, le16(0), le16(0)), // Name Resolution Block with only nrb_record_end
    // EPB on if 0: 1.5 s in ns, with a comment and inbound flags
    epb(L, 0, 0, 1_500_000_000, ETH_IPV4, ETH_IPV4.length, opt(L, 1, 'hello'), opt(L, 2, le32(1)), END),
    // EPB on if 1: 3 * 2^20 + 2^19 units = 3.5 s (+100 s offset)
    epb(L, 1, 0, 3 * 1048576 + 524288, IPV4_UDP, 1500),
    blk(L, 3, le32(5), '0a 0b 0c 0d 0e 00 00 00'), // Simple Packet Block, 5 bytes on interface 0
    blk(L, 2, le16(1), le16(7), le32(0), le32(1048576), le32(2), le32(2), 'ab cd 00 00'), // obsolete Packet Block
    blk(L, 5, le32(0), le32(0), le32(0)), // Interface Statistics Block
    blk(L, 0x00000bad, le32(32473), 'aa bb cc dd'), // custom block
    // a second section, big-endian, its own interface numbering
    shb(false),
    idb(false, LinkType.LINUX_SLL, 0),
    epb(false, 0, 0x1, 0x2, bytes('99')),
  );
  const c = readCapture(file);
  assert.equal(c.sections.length, 2);
  const [s0, s1] = c.sections;
  assert.deepEqual(s0!.comments, ['first section']);
  assert.equal(s0!.hardware, 'x86_64');
  assert.equal(s0!.os, 'Linux');
  assert.equal(s0!.userApplication, 'ebee test');
  assert.equal(s1!.byteOrder, 'big');
  assert.equal(c.skippedBlocks, 3);

  assert.equal(c.interfaces.length, 3);
  const [i0, i1, i2] = c.interfaces;
  assert.equal(i0!.name, 'eth0');
  assert.equal(i0!.description, 'the wire');
  assert.equal(i0!.unitsPerSecond, 1_000_000_000n);
  assert.equal(i1!.tsResolution, 0x94);
  assert.equal(i1!.unitsPerSecond, 1n << 20n);
  assert.equal(i1!.tsOffset, 100n);
  assert.equal(i1!.fcsLength, 4);
  assert.deepEqual([i2!.section, i2!.id, i2!.index, i2!.linkType], [1, 0, 2, LinkType.LINUX_SLL]);

  assert.equal(c.records.length, 5);
  const [e0, e1, spb, pb, e2] = c.records;
  assert.deepEqual(e0!.data, ETH_IPV4);
  assert.equal(e0!.timestamp, 1_500_000_000n);
  assert.deepEqual([e0!.seconds, e0!.fraction, e0!.unitsPerSecond], [1, 500_000_000, 1e9]);
  assert.deepEqual(e0!.comments, ['hello']);
  assert.equal(e0!.flags, 1);
  assert.equal(e0!.options.length, 2);

  assert.equal(e1!.linkType, LinkType.RAW);
  assert.equal(e1!.interfaceId, 1);
  assert.equal(e1!.originalLength, 1500);
  assert.equal(e1!.timestamp, 103_500_000_000n);
  assert.deepEqual([e1!.seconds, e1!.fraction, e1!.unitsPerSecond], [103, 524288, 1048576]);

  assert.equal(spb!.blockType, 3);
  assert.equal(spb!.hasTimestamp, false);
  assert.equal(spb!.timestamp, 0n);
  assert.deepEqual(spb!.data, bytes('0a 0b 0c 0d 0e'));
  assert.equal(spb!.linkType, LinkType.ETHERNET);

  assert.equal(pb!.blockType, 2);
  assert.equal(pb!.interfaceId, 1);
  assert.deepEqual(pb!.data, bytes('ab cd'));
  assert.equal(pb!.timestamp, 100_000_000_000n + 1_000_000_000n);

  assert.equal(e2!.interfaceIndex, 2);
  assert.equal(e2!.interfaceId, 0);
  assert.equal(e2!.linkType, LinkType.LINUX_SLL);
  assert.equal(e2!.timestamp, ((1n << 32n) | 2n) * 1000n);
  assert.deepEqual(c.records.map((r) => r.index), [0, 1, 2, 3, 4]);

  // The same records when fed in 7-byte chunks.
  const d = new CaptureDecoder();
  const got = [];
  for (let i = 0; i < file.length; i += 7) {
    d.push(file.subarray(i, i + 7));
    for (let r = d.next(); r; r = d.next()) got.push(r);
  }
  d.end();
  assert.equal(d.next(), undefined);
  const plain = (r: { data: Uint8Array; options: { value: Uint8Array }[] }) =>
    ({ ...r, data: Array.from(r.data), options: r.options.map((o) => ({ ...o, value: Array.from(o.value) })) });
  assert.deepEqual(got.map(plain), c.records.map(plain));
});

test('Simple Packet Blocks: captured length is the least of original length, block room and snaplen', () => {
  const file = bytes(shb(true), idb(true, 1, 4), blk(true, 3, le32(10), '01 02 03 04 05 06 07 08'),
    blk(true, 3, le32(2), '01 02 03 04'));
  const [a, b] = readCapture(file).records;
  assert.deepEqual([a!.capturedLength, a!.originalLength], [4, 10]);
  assert.deepEqual([b!.capturedLength, b!.originalLength], [2, 2]);
});

test('malformed pcapng: each error names its code, offset and record', () => {
  const head = bytes(shb(true), idb(true, 1, 0));
  const at = head.length; // offset of the first block after the header blocks
  const good = epb(true, 0, 0, 0, bytes('01 02 03 04'));
  const mutate = (b: Uint8Array, off: number, v: number[]) => { const c = Uint8Array.from(b); c.set(v, off); return c; };

  assert.throws(() => readCapture(bytes(head, epb(true, 5, 0, 0, bytes('01')))), isPcapError(PcapErrorCode.UNKNOWN_INTERFACE, at + 8, 0));
  assert.throws(() => readCapture(bytes(head, good, mutate(good, good.length - 4, le32(40)))), isPcapError(PcapErrorCode.BAD_BLOCK, at + 2 * good.length - 4, 1));
  assert.throws(() => readCapture(bytes(head, mutate(good, 4, le32(34)))), isPcapError(PcapErrorCode.BAD_BLOCK, at + 4, 0));
  assert.throws(() => readCapture(bytes(head, mutate(good, 4, le32(8)))), isPcapError(PcapErrorCode.BAD_BLOCK, at + 4, 0));
  assert.throws(() => readCapture(bytes(head, mutate(good, 20, le32(5)))), isPcapError(PcapErrorCode.BAD_BLOCK, at + 20, 0));
  assert.throws(() => readCapture(bytes(head, epb(true, 0, 0, 0, bytes('01'), 1, le16(1), le16(9), END))), isPcapError(PcapErrorCode.BAD_OPTION, at + 32, 0));
  assert.throws(() => readCapture(bytes(shb(true), idb(true, 1, 0, opt(true, 9, [6, 6]), END))), isPcapError(PcapErrorCode.BAD_OPTION));
  assert.throws(() => readCapture(mutate(head, 8, [0, 0, 0, 0])), isPcapError(PcapErrorCode.BAD_MAGIC, 8, 0));
  assert.throws(() => readCapture(mutate(head, 12, le16(2))), isPcapError(PcapErrorCode.BAD_VERSION, 12, 0));
  assert.throws(() => readCapture(bytes(head, good).subarray(0, at + 10)), isPcapError(PcapErrorCode.TRUNCATED, at, 0));
  assert.throws(() => readCapture(bytes(head, good), { maxRecordLength: 30 }), isPcapError(PcapErrorCode.BAD_BLOCK, at + 4, 0));
  assert.throws(() => readCapture(bytes(shb(true), blk(true, 3, le32(1), '01 00 00 00'))), isPcapError(PcapErrorCode.UNKNOWN_INTERFACE));
  // A new section forgets the previous section's interfaces.
  assert.throws(() => readCapture(bytes(head, shb(true), good)), isPcapError(PcapErrorCode.UNKNOWN_INTERFACE, head.length + 28 + 8, 0));
});
