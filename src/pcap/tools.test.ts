/**
 * Interoperability with the real tools, when installed (each test skips cleanly
 * otherwise): tcpdump (libpcap) reads files ebee wrote, and ebee reads files written by
 * Wireshark's text2pcap. On Debian: `apt-get install tcpdump wireshark-common`.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { bytes, be16, be32, zeros, ETH_ARP, ETH_IPV4, IPV4_UDP } from './capture.test.fixture.js';
import { readCapture } from './decoder.js';
import { toEthernet } from './ethernet.js';
import { LinkType } from './linktype.js';
import { writePcap, writePcapng, type WritePacket } from './writer.js';

function have(tool: string): boolean {
  const r = spawnSync(tool, ['--version'], { encoding: 'utf8' });
  return r.error === undefined;
}

function withDir<T>(f: (dir: string) => T): T {
  const dir = mkdtempSync(join(tmpdir(), 'ebee-pcap-'));
  try { return f(dir); } finally { rmSync(dir, { recursive: true, force: true }); }
}

/** tcpdump's output lines for a file (stdout), with its stderr. */
function tcpdump(file: string, ...args: string[]): { lines: string[]; stderr: string } {
  const r = spawnSync('tcpdump', ['-r', file, '-nn', ...args], { encoding: 'utf8' });
  assert.equal(r.status, 0, `tcpdump failed: ${r.stderr}`);
  return { lines: r.stdout.split('\n').filter((l) => l.length > 0), stderr: r.stderr };
}

const T0 = 1_700_000_000_000_000_000n;
const PACKETS: WritePacket[] = [
  { data: ETH_IPV4, timestamp: T0 + 123_456_789n },
  { data: ETH_ARP, timestamp: T0 + 1_000_000_000n },
  { data: ETH_IPV4, timestamp: T0 + 2_000_000_001n, originalLength: 1000 },
];

test('tcpdump reads the pcap and pcapng files ebee writes', { skip: !have('tcpdump') && 'tcpdump is not installed' }, () => {
  withDir((dir) => {
    const files: [string, Uint8Array, string[]][] = [
      ['micro-le.pcap', writePcap(PACKETS), []],
      ['nano-be.pcap', writePcap(PACKETS, { precision: 'nano', byteOrder: 'big' }), ['--nano']],
      ['le.pcapng', writePcapng(PACKETS.map((p, i) => ({ ...p, interfaceId: i % 2 })), {
        interfaces: [{ name: 'eth0' }, { name: 'eth1', precision: 'nano' }],
      }), ['--nano']],
      ['be.pcapng', writePcapng(PACKETS, { byteOrder: 'big', interfaces: [{ precision: 0x80 | 20 }] }), []],
    ];
    for (const [name, data, extra] of files) {
      const path = join(dir, name);
      writeFileSync(path, data);
      const all = tcpdump(path, '-tt', ...extra);
      assert.equal(all.lines.length, PACKETS.length, `${name}: ${all.lines.join('\n')}`);
      assert.match(all.stderr, /link-type EN10MB/);
      assert.match(all.lines[0]!, /^1700000000\.123456(789|000)? IP 10\.0\.0\.1\.12345 > 10\.0\.0\.2\.53: /, name);
      assert.match(all.lines[1]!, /^1700000001\.0+ ARP, Request who-has 10\.0\.0\.2 tell 10\.0\.0\.1/, name);
      assert.equal(tcpdump(path, '-c', '2').lines.length, 2, `${name} with -c 2`);
    }
  });
});

test('tcpdump sees the same packets in a cooked capture and in its Ethernet conversion', { skip: !have('tcpdump') && 'tcpdump is not installed' }, () => {
  withDir((dir) => {
    const sll2 = bytes(be16(0x0800), '00 00', be32(3), be16(1), [0, 6], '02 00 00 00 00 01', zeros(2), IPV4_UDP);
    const sll = bytes(be16(4), be16(1), be16(6), '02 00 00 00 00 01', zeros(2), be16(0x0800), IPV4_UDP);
    const cases: [number, Uint8Array][] = [[LinkType.LINUX_SLL2, sll2], [LinkType.LINUX_SLL, sll], [LinkType.RAW, IPV4_UDP]];
    for (const [linkType, frame] of cases) {
      const original = join(dir, 'cooked.pcap');
      const converted = join(dir, 'eth.pcap');
      writeFileSync(original, writePcap([{ data: frame }], { linkType }));
      writeFileSync(converted, writePcap([{ data: toEthernet(linkType, frame).frame }]));
      const a = tcpdump(original, '-t').lines;
      const b = tcpdump(converted, '-t').lines;
      assert.equal(a.length, 1);
      assert.match(b[0]!, /IP 10\.0\.0\.1\.12345 > 10\.0\.0\.2\.53: /);
      // Without -e, tcpdump prints no link-layer fields (SLL2 adds the interface name).
      assert.equal(a[0]!.replace(/^\S+ +(In|Out) +/, ''), b[0], `link type ${linkType}`);
    }
  });
});

test('ebee reads the pcap and pcapng files text2pcap writes', { skip: !have('text2pcap') && 'text2pcap is not installed' }, () => {
  withDir((dir) => {
    const hex = (b: Uint8Array) => Array.from(b, (x) => x.toString(16).padStart(2, '0')).join(' ');
    const dump = (b: Uint8Array) => {
      const lines = [];
      for (let i = 0; i < b.length; i += 16) lines.push(`${i.toString(16).padStart(4, '0')}  ${hex(b.subarray(i, i + 16))}`);
      return lines.join('\n');
    };
    const text = [
      `2024-01-02T03:04:05.123456789Z\n${dump(ETH_IPV4)}\n`,
      `2024-01-02T03:04:06.5Z\n${dump(ETH_ARP)}\n`,
      `2024-01-02T03:04:07Z\n${dump(bytes('ff ff ff ff ff ff 02 00 00 00 00 01 88 cc', zeros(30)))}\n`,
    ].join('\n');
    const input = join(dir, 'in.txt');
    writeFileSync(input, text);
    const base = 1704164645n * 1_000_000_000n;
    for (const format of ['pcap', 'pcapng']) {
      const out = join(dir, `out.${format}`);
      const r = spawnSync('text2pcap', ['-q', '-t', 'ISO', '-F', format, '-N', 'dump0', input, out], { encoding: 'utf8' });
      assert.equal(r.status, 0, r.stderr);
      const c = readCapture(new Uint8Array(readFileSync(out)));
      assert.equal(c.format, format);
      assert.equal(c.records.length, 3);
      assert.deepEqual(c.records.map((x) => x.linkType), [1, 1, 1]);
      assert.deepEqual(c.records[0]!.data, ETH_IPV4);
      assert.deepEqual(c.records[1]!.data, ETH_ARP);
      assert.equal(c.records[2]!.capturedLength, 44);
      const frac = format === 'pcap' ? 123_456_000n : 123_456_789n; // text2pcap's pcap is microseconds
      assert.deepEqual(c.records.map((x) => x.timestamp), [base + frac, base + 1_500_000_000n, base + 2_000_000_000n]);
      if (format === 'pcapng') {
        assert.equal(c.interfaces[0]!.name, 'dump0');
        assert.match(c.sections[0]!.userApplication ?? '', /Text2pcap/);
      }
    }
  });
});
