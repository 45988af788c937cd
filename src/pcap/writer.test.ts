import { test } from 'node:test';
import assert from 'node:assert/strict';

import { bytes, sampleFrames } from './capture.test.fixture.js';
import { captureRecords, readCapture } from './decoder.js';
import { PcapError, PcapErrorCode } from './errors.js';
import { LinkType } from './linktype.js';
import type { PacketRecord } from './record.js';
import {
  pcapHeaderBytes, pcapRecordBytes, pcapngHeaderBytes, pcapngPacketBytes, writePcap, writePcapng, type WritePacket,
} from './writer.js';

const isArg = (e: unknown) => e instanceof PcapError && e.code === PcapErrorCode.BAD_ARGUMENT;

test('writePcap: a known minimal file, byte for byte', () => {
  const out = writePcap([{ data: bytes('01 02 03'), timestamp: 1_000_002_999n }], { linkType: LinkType.RAW, snapLength: 65535 });
  assert.deepEqual(out, bytes(
    'd4 c3 b2 a1  02 00  04 00  00 00 00 00  00 00 00 00  ff ff 00 00  65 00 00 00', // header: LE micro, 2.4, snaplen, RAW
    '01 00 00 00  02 00 00 00  03 00 00 00  03 00 00 00  01 02 03', // 1 s + 2 us (2999 ns rounded down)
  ));
  const be = writePcap([{ data: bytes('aa'), timestamp: 7n }], { precision: 'nano', byteOrder: 'big' });
  assert.deepEqual(be, bytes(
    'a1 b2 3c 4d  00 02  00 04  00 00 00 00  00 00 00 00  00 04 00 00  00 00 00 01',
    '00 00 00 00  00 00 00 07  00 00 00 01  00 00 00 01  aa',
  ));
});

test('writePcapng: a known minimal file, byte for byte', () => {
  const out = writePcapng([{ data: bytes('01 02 03'), timestamp: 1_000_000_000n }], { interfaces: [{ snapLength: 262144 }] });
  assert.deepEqual(out, bytes(
    '0a 0d 0d 0a  1c 00 00 00  4d 3c 2b 1a  01 00 00 00  ff ff ff ff ff ff ff ff  1c 00 00 00',
    '01 00 00 00  14 00 00 00  01 00 00 00  00 00 04 00  14 00 00 00',
    '06 00 00 00  24 00 00 00  00 00 00 00  00 00 00 00  40 42 0f 00  03 00 00 00  03 00 00 00  01 02 03 00  24 00 00 00',
  ));
});

test('writePcapng: options are written as the spec lays them out', () => {
  const out = writePcapng([{ data: bytes('ee'), comments: ['hi'], flags: 2 }], {
    byteOrder: 'big', userApplication: 'ebee', interfaces: [{ linkType: LinkType.IPV4, precision: 'nano', name: 'lo' }],
  });
  assert.deepEqual(out, bytes(
    // SHB with shb_userappl "ebee" and opt_endofopt: 28 + 8 + 4 = 40
    '0a 0d 0d 0a  00 00 00 28  1a 2b 3c 4d  00 01 00 00  ff ff ff ff ff ff ff ff',
    '00 04 00 04  65 62 65 65  00 00 00 00  00 00 00 28',
    // IDB: IPV4 (228), snaplen 0, if_name "lo" (padded), if_tsresol 9, end: 20 + 8 + 8 + 4 = 40
    '00 00 00 01  00 00 00 28  00 e4 00 00  00 00 00 00',
    '00 02 00 02  6c 6f 00 00  00 09 00 01  09 00 00 00  00 00 00 00  00 00 00 28',
    // EPB: 1 byte padded, comment "hi", flags 2, end: 32 + 4 + 8 + 8 + 4 = 56
    '00 00 00 06  00 00 00 38  00 00 00 00  00 00 00 00  00 00 00 00  00 00 00 01  00 00 00 01  ee 00 00 00',
    '00 01 00 02  68 69 00 00  00 02 00 04  00 00 00 02  00 00 00 00  00 00 00 38',
  ));
  const r = readCapture(out);
  assert.equal(r.interfaces[0]!.name, 'lo');
  assert.deepEqual(r.records[0]!.comments, ['hi']);
  assert.equal(r.records[0]!.flags, 2);
});

function packets(): WritePacket[] {
  return sampleFrames().map((data, i) => ({
    data, timestamp: 1_700_000_000_000_000_000n + BigInt(i) * 1_234_567_891n, originalLength: data.length + (i === 1 ? 100 : 0),
  }));
}

/** What a reader should give back for a written packet at a given resolution. */
function expected(p: WritePacket, unitsPerSecond: bigint) {
  const ts = p.timestamp ?? 0n;
  return {
    data: Array.from(p.data), originalLength: p.originalLength ?? p.data.length,
    timestamp: ((ts * unitsPerSecond) / 1_000_000_000n) * 1_000_000_000n / unitsPerSecond,
  };
}

const got = (r: PacketRecord) => ({ data: Array.from(r.data), originalLength: r.originalLength, timestamp: r.timestamp });

test('round trips: pcap in both byte orders and precisions', () => {
  for (const byteOrder of ['little', 'big'] as const) {
    for (const precision of ['micro', 'nano'] as const) {
      const file = writePcap(packets(), { byteOrder, precision, linkType: LinkType.ETHERNET });
      const c = readCapture(file);
      assert.equal(c.pcapHeader!.byteOrder, byteOrder);
      assert.equal(c.pcapHeader!.precision, precision);
      const units = precision === 'nano' ? 1_000_000_000n : 1_000_000n;
      assert.deepEqual(c.records.map(got), packets().map((p) => expected(p, units)));
      // Writing the records read gives the same bytes again.
      assert.deepEqual(writePcap(c.records, { byteOrder, precision }), file);
    }
  }
});

test('round trips: pcapng in both byte orders, several interfaces and resolutions', () => {
  const interfaces = [
    { linkType: LinkType.ETHERNET, precision: 'micro' as const },
    { linkType: LinkType.RAW, precision: 'nano' as const, name: 'tun0' },
    { linkType: LinkType.LINUX_SLL2, precision: 0x80 | 30, snapLength: 100 },
  ];
  for (const byteOrder of ['little', 'big'] as const) {
    const ps = packets().map((p, i) => ({ ...p, interfaceId: i % 3, comments: i === 0 ? ['first', 'ünïcode'] : [] }));
    const file = writePcapng(ps, { byteOrder, interfaces, comments: ['x'] });
    const c = readCapture(file);
    assert.equal(c.sections[0]!.byteOrder, byteOrder);
    assert.deepEqual(c.interfaces.map((i) => i.linkType), [LinkType.ETHERNET, LinkType.RAW, LinkType.LINUX_SLL2]);
    assert.deepEqual(c.records.map((r) => r.interfaceId), [0, 1, 2, 0, 1]);
    assert.deepEqual(c.records[0]!.comments, ['first', 'ünïcode']);
    const units = [1_000_000n, 1_000_000_000n, 1n << 30n];
    assert.deepEqual(c.records.map(got), ps.map((p, i) => {
      const e = expected(p, units[i % 3]!);
      return i % 3 === 2 ? { ...e, data: e.data.slice(0, 100) } : e; // snaplen 100 truncates
    }));
    assert.deepEqual(writePcapng(c.records, { byteOrder, interfaces, comments: ['x'] }), file);
  }
});

test('streaming writes: header bytes then record bytes equal the whole-file writers', () => {
  const ps = packets();
  const opts = { precision: 'nano' as const };
  assert.deepEqual(bytes(pcapHeaderBytes(opts), ...ps.map((p) => pcapRecordBytes(p, opts))), writePcap(ps, opts));
  assert.deepEqual(bytes(pcapngHeaderBytes(), ...ps.map((p) => pcapngPacketBytes(p))), writePcapng(ps));
  assert.equal([...captureRecords(writePcapng(ps))].length, ps.length);
});

test('bad writer arguments are PcapErrors', () => {
  const d = bytes('01');
  assert.throws(() => writePcap([{ data: d, timestamp: -1n }]), isArg);
  assert.throws(() => writePcap([{ data: d, timestamp: 1n << 62n }]), isArg);
  assert.throws(() => writePcap([{ data: d, originalLength: 0 }]), isArg);
  assert.throws(() => writePcap([], { linkType: 70000 }), isArg);
  assert.throws(() => writePcap([], { snapLength: -1 }), isArg);
  assert.throws(() => writePcapng([{ data: d, interfaceId: 1 }]), isArg);
  assert.throws(() => writePcapng([], { interfaces: [{ precision: 300 }] }), isArg);
  assert.throws(() => writePcapng([{ data: d, timestamp: 1n << 62n }], { interfaces: [{ precision: 19 }] }), isArg);
  assert.throws(() => writePcapng([{ data: d }], { comments: ['x'.repeat(70000)] }), isArg);
  assert.throws(() => writePcap([{ data: [1, 2] as unknown as Uint8Array }]), isArg);
});

test('a record written back keeps its exact timestamp units, unless its timestamp was changed', () => {
  const opts = { interfaces: [{ precision: 0x80 | 30 }] };
  const r = readCapture(writePcapng([{ data: bytes('01'), timestamp: 123_456_789n }], opts)).records[0]!;
  assert.equal(r.unitsPerSecond, 2 ** 30);
  const same = readCapture(writePcapng([r], opts)).records[0]!;
  assert.deepEqual([same.seconds, same.fraction, same.timestamp], [r.seconds, r.fraction, r.timestamp]);
  const moved = readCapture(writePcapng([{ ...r, timestamp: 5_000_000_000n }], opts)).records[0]!;
  assert.deepEqual([moved.seconds, moved.fraction, moved.timestamp], [5, 0, 5_000_000_000n]);
  // A microsecond record written at nanosecond precision is converted through `timestamp`.
  const micro = readCapture(writePcap([{ data: bytes('01'), timestamp: 1_000_002_000n }])).records[0]!;
  assert.equal(readCapture(writePcap([micro], { precision: 'nano' })).records[0]!.fraction, 2000);
});
