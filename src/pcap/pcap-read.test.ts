import { test } from 'node:test';
import assert from 'node:assert/strict';

import { bytes, le16, le32, be16, be32, zeros, ETH_IPV4, ETH_ARP } from './capture.test.fixture.js';
import { CaptureDecoder, captureRecords, detectFormat, readCapture } from './decoder.js';
import { PcapError, PcapErrorCode } from './errors.js';
import { LinkType } from './linktype.js';

function isPcapError(code: string, offset?: number, record?: number) {
  return (e: unknown): boolean => {
    assert.ok(e instanceof PcapError, `expected a PcapError, got ${String(e)}`);
    assert.equal(e.code, code, e.message);
    if (offset !== undefined) {
      assert.equal(e.offset, offset, e.message);
      assert.match(e.message, new RegExp(`offset ${offset}\\b`));
    }
    if (record !== undefined) {
      assert.equal(e.record, record, e.message);
      assert.match(e.message, new RegExp(`record ${record}\\b`));
    }
    return true;
  };
}

/** Little-endian, microseconds, Ethernet, snaplen 65535: two records. */
const LE_MICRO = bytes(
  'd4 c3 b2 a1', le16(2), le16(4), zeros(8), le32(65535), le32(1),
  // record 0: 1700000000.123456, 46 of 46 bytes
  le32(1700000000), le32(123456), le32(ETH_IPV4.length), le32(ETH_IPV4.length), ETH_IPV4,
  // record 1: 1700000001.000001, 20 of 42 bytes captured
  le32(1700000001), le32(1), le32(20), le32(42), ETH_ARP.subarray(0, 20),
);

/** Big-endian, nanoseconds, raw IP, FCS bits set (P, 2 words), one record. */
const BE_NANO = bytes(
  'a1 b2 3c 4d', be16(2), be16(4), zeros(8), be32(262144), be32(0x24000000 | LinkType.RAW),
  be32(5), be32(999_999_999), be32(4), be32(4), '45 00 00 14',
);

test('reads a little-endian microsecond pcap file written byte by byte', () => {
  assert.equal(detectFormat(LE_MICRO), 'pcap');
  const c = readCapture(LE_MICRO);
  assert.equal(c.format, 'pcap');
  assert.deepEqual(c.pcapHeader, {
    byteOrder: 'little', precision: 'micro', versionMajor: 2, versionMinor: 4, snapLength: 65535, linkType: 1,
  });
  assert.equal(c.interfaces.length, 1);
  assert.equal(c.interfaces[0]!.unitsPerSecond, 1_000_000n);
  assert.equal(c.records.length, 2);
  const [a, b] = c.records;
  assert.deepEqual(a!.data, ETH_IPV4);
  assert.equal(a!.offset, 24);
  assert.equal(a!.linkType, LinkType.ETHERNET);
  assert.equal(a!.seconds, 1700000000);
  assert.equal(a!.fraction, 123456);
  assert.equal(a!.unitsPerSecond, 1e6);
  assert.equal(a!.timestamp, 1700000000_123456000n);
  assert.equal(b!.index, 1);
  assert.equal(b!.offset, 24 + 16 + ETH_IPV4.length);
  assert.equal(b!.capturedLength, 20);
  assert.equal(b!.originalLength, 42);
  assert.deepEqual(b!.data, ETH_ARP.subarray(0, 20));
  assert.equal(b!.timestamp, 1700000001_000001000n);
  assert.equal(a!.data.buffer, LE_MICRO.buffer, 'records are views of the input');
});

test('reads a big-endian nanosecond pcap file with the FCS length bits', () => {
  const c = readCapture(BE_NANO);
  assert.equal(c.pcapHeader!.byteOrder, 'big');
  assert.equal(c.pcapHeader!.precision, 'nano');
  assert.equal(c.pcapHeader!.linkType, LinkType.RAW);
  assert.equal(c.pcapHeader!.fcsLength, 4);
  assert.equal(c.interfaces[0]!.fcsLength, 4);
  const [r] = c.records;
  assert.equal(r!.timestamp, 5_999_999_999n);
  assert.equal(r!.fraction, 999_999_999);
  assert.equal(r!.unitsPerSecond, 1e9);
  assert.deepEqual(r!.data, bytes('45 00 00 14'));
});

test('the other two magic numbers: little-endian nano and big-endian micro', () => {
  const leNano = bytes('4d 3c b2 a1', le16(2), le16(4), zeros(8), le32(100), le32(101), le32(7), le32(5), le32(0), le32(0));
  const beMicro = bytes('a1 b2 c3 d4', be16(2), be16(4), zeros(8), be32(100), be32(101), be32(7), be32(5), be32(0), be32(0));
  const a = readCapture(leNano).records[0]!;
  const b = readCapture(beMicro).records[0]!;
  assert.equal(a.timestamp, 7_000_000_005n);
  assert.equal(b.timestamp, 7_000_005_000n);
  assert.equal(a.capturedLength, 0);
});

test('one byte at a time gives the same records', () => {
  const d = new CaptureDecoder();
  const got = [];
  for (const byte of LE_MICRO) {
    d.push(Uint8Array.of(byte));
    for (let r = d.next(); r; r = d.next()) got.push(r);
  }
  d.end();
  assert.equal(d.next(), undefined);
  const plain = (r: { data: Uint8Array }) => ({ ...r, data: Array.from(r.data) });
  assert.deepEqual(got.map(plain), readCapture(LE_MICRO).records.map(plain));
});

test('a header-only file has no records', () => {
  assert.deepEqual(readCapture(LE_MICRO.subarray(0, 24)).records, []);
});

test('truncated files: offset and record index in the error', () => {
  assert.throws(() => readCapture(new Uint8Array(0)), isPcapError(PcapErrorCode.TRUNCATED, 0, 0));
  assert.throws(() => readCapture(LE_MICRO.subarray(0, 3)), isPcapError(PcapErrorCode.TRUNCATED, 0, 0));
  assert.throws(() => readCapture(LE_MICRO.subarray(0, 23)), isPcapError(PcapErrorCode.TRUNCATED, 0, 0));
  assert.throws(() => readCapture(LE_MICRO.subarray(0, 30)), isPcapError(PcapErrorCode.TRUNCATED, 24, 0));
  const second = 24 + 16 + ETH_IPV4.length;
  assert.throws(() => readCapture(LE_MICRO.subarray(0, LE_MICRO.length - 1)), isPcapError(PcapErrorCode.TRUNCATED, second, 1));
  // The iterator yields what it can first.
  const seen: number[] = [];
  assert.throws(() => { for (const r of captureRecords(LE_MICRO.subarray(0, second + 5))) seen.push(r.index); },
    isPcapError(PcapErrorCode.TRUNCATED, second, 1));
  assert.deepEqual(seen, [0]);
});

test('bad magic, bad version, absurd captured length', () => {
  assert.throws(() => readCapture(bytes('00 01 02 03', zeros(40))), isPcapError(PcapErrorCode.BAD_MAGIC, 0, 0));
  assert.throws(() => readCapture(bytes('34 cd b2 a1', zeros(40))), /modified pcap/);
  assert.throws(() => readCapture(bytes('1f 8b 08 00', zeros(40))), /gzip/);
  const v3 = Uint8Array.from(LE_MICRO);
  v3[4] = 3;
  assert.throws(() => readCapture(v3), isPcapError(PcapErrorCode.BAD_VERSION, 4, 0));
  const huge = Uint8Array.from(LE_MICRO);
  huge.set(le32(0xfffffff0), 24 + 8);
  assert.throws(() => readCapture(huge), isPcapError(PcapErrorCode.BAD_RECORD, 32, 0));
  assert.throws(() => readCapture(LE_MICRO, { maxRecordLength: 40 }), isPcapError(PcapErrorCode.BAD_RECORD, 32, 0));
  assert.throws(() => new CaptureDecoder({ maxRecordLength: 3 }), isPcapError(PcapErrorCode.BAD_ARGUMENT));
});

test('after an error the decoder keeps failing the same way; push after end is an error', () => {
  const d = new CaptureDecoder();
  d.push(bytes('00 00 00 00'));
  let first: unknown;
  try { d.next(); } catch (e) { first = e; }
  assert.ok(first instanceof PcapError);
  assert.throws(() => d.next(), (e) => e === first);
  d.end();
  assert.throws(() => d.push(new Uint8Array(1)), isPcapError(PcapErrorCode.BAD_ARGUMENT));
});
