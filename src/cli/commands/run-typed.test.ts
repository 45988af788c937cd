import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readCapture, writePcapng, LinkType } from '../../pcap/index.js';
import { cli, example } from '../cli.test.fixture.js';



const COUNTS = 'counts:array:4:8:256';

/** What xdp-count.s should find, from the capture itself: IPv4 protocol counts. */
function expectedCounts(path: string): Map<number, number> {
  const counts = new Map<number, number>();
  for (const r of readCapture(readFileSync(path)).records) {
    const d = r.data;
    if (d.length >= 34 && d[12] === 0x08 && d[13] === 0x00) counts.set(d[23]!, (counts.get(d[23]!) ?? 0) + 1);
  }
  return counts;
}

test('run --pcap counts actions, dumps maps and writes the passing packets', (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'ebee-run-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const capture = example('traffic.pcap');
  const expected = expectedCounts(capture);
  const udp = expected.get(17) ?? 0;
  const total = readCapture(readFileSync(capture)).records.length;
  assert.ok(udp > 0 && udp < total, 'the example capture mixes UDP with other traffic');
  for (const engine of ['--jit', '--interp']) {
    const outFile = join(dir, `passed${engine}.pcap`);
    const r = cli('run', example('xdp-count.s'), '--type', 'xdp', '--map', COUNTS, '--pcap', capture, '--out', outFile, '--json', engine);
    assert.equal(r.status, 0, r.err);
    const json = JSON.parse(r.out) as { packets: number; actions: Record<string, number>; written: number;
      maps: { name: string; entries: { key: string; value: string }[] }[] };
    assert.equal(json.packets, total);
    assert.deepEqual(json.actions, { XDP_PASS: total - udp, XDP_DROP: udp });
    const counts = json.maps.find((m) => m.name === 'counts')!.entries.map((e) => [e.key, e.value]);
    const want = [...expected].sort((a, b) => a[0] - b[0]).map(([proto, n]) => [
      `${proto.toString(16).padStart(2, '0')}000000 (${proto})`,
      `${n.toString(16).padStart(2, '0')}00000000000000 (${n})`,
    ]);
    assert.deepEqual(counts, want);
    const written = readCapture(readFileSync(outFile)).records;
    assert.equal(written.length, total - udp);
    assert.ok(written.every((p) => !(p.data[12] === 8 && p.data[13] === 0 && p.data[23] === 17)));
  }
  const text = cli('run', example('xdp-count.s'), '--type', 'xdp', '--map', COUNTS, '--pcap', capture);
  assert.equal(text.status, 0, text.err);
  assert.match(text.out, new RegExp(`XDP_DROP\\s+${udp}\\b`));
  assert.match(text.out, /map counts \(array\): \d+ entries \(\d+ zero entries not shown\)/);
});

test('run --pcap reads pcapng of other link types and counts packets Linux would refuse', (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'ebee-run-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  // Raw IPv4 (converted to Ethernet) and an Ethernet frame too short for a test run.
  const ip = new Uint8Array([0x45, 0, 0, 28, 0, 0, 0, 0, 64, 17, 0, 0, 10, 0, 0, 1, 10, 0, 0, 2, 0, 1, 0, 2, 0, 8, 0, 0]);
  const bytes = writePcapng([{ data: ip, interfaceId: 0 }, { data: ip, interfaceId: 0 }, { data: new Uint8Array(14).fill(1), interfaceId: 1 },
    { data: new Uint8Array(10), interfaceId: 1 }], { interfaces: [{ linkType: LinkType.RAW }, { linkType: LinkType.ETHERNET }] });
  const path = join(dir, 'mixed.pcapng');
  writeFileSync(path, bytes);
  const r = cli('run', example('xdp-count.s'), '--type', 'xdp', '--map', COUNTS, '--pcap', path, '--json');
  assert.equal(r.status, 0, r.err);
  const json = JSON.parse(r.out) as { actions: Record<string, number>; skipped: Record<string, number> };
  assert.deepEqual(json.actions, { XDP_DROP: 2, XDP_PASS: 1 });
  assert.equal(Object.values(json.skipped).reduce((a, b) => a + b, 0), 1);
});

test('run --type with --data and --ctx prints the result, context by name or hex', () => {
  const dir = mkdtempSync(join(tmpdir(), 'ebee-run-'));
  try {
    const prog = join(dir, 'mark.s');
    writeFileSync(prog, 'r2 = *(u32 *)(r1 + 8)\nr2 += 1\n*(u32 *)(r1 + 8) = r2\nr0 = 2\nexit\n');
    const frame = '000000000000' + '020000000001' + '0800' + '45'.padEnd(40, '0');
    const r = cli('run', prog, '--type', 'tc', '--data', frame, '--ctx', 'mark=41', '--json');
    assert.equal(r.status, 0, r.err);
    const json = JSON.parse(r.out) as { retval: number; action: string; ctx: string; data: string };
    assert.equal(json.action, 'TC_ACT_SHOT');
    assert.equal(json.data, frame);
    assert.equal(json.ctx.slice(16, 24), '2a000000', 'mark 42 at offset 8');
    const kp = join(dir, 'kp.s');
    writeFileSync(kp, 'r0 = *(u64 *)(r1 + 112)\nexit\n');
    const k = cli('run', kp, '--type', 'kprobe', '--ctx', 'PARM1=0x2a', '--interp');
    assert.equal(k.status, 0, k.err);
    assert.match(k.out, /^retval = 42 \(42\)/);
    const bad = cli('run', prog, '--type', 'tc', '--data', frame, '--ctx', 'len=3');
    assert.equal(bad.status, 1);
    assert.match(bad.err, /__sk_buff\.len may not be set.*EBEE_PROGS_BAD_CTX/);
    // Really unsafe as XDP (the store into xdp_md + 8, a tc program's mark): unverified, to reach the packet check.
    const short = cli('run', prog, '--type', 'xdp', '--data', '0011', '--no-verify');
    assert.equal(short.status, 1);
    assert.match(short.err, /EBEE_PROGS_BAD_DATA/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('run --type usage errors', () => {
  const s = example('xdp-count.s');
  assert.match(cli('run', s, '--pcap', 'x.pcap').err, /--pcap needs --type/);
  assert.match(cli('run', s, '--type', 'xdp', '--mem', '00').err, /--mem does not go with --type/);
  assert.match(cli('run', s, '--type', 'bogus').err, /--type must be one of/);
  assert.match(cli('run', s, '--type', 'xdp', '--map', 'counts:array:4').err, /name:type:key_size/);
  assert.match(cli('run', s, '--type', 'xdp', '--map', 'counts:nosuch:4:8:1').err, /unknown map type/);
  assert.match(cli('run', s, '--type', 'kprobe', '--map', COUNTS, '--pcap', example('traffic.pcap')).err, /needs a packet program type/);
  assert.equal(cli('run', s, '--type', 'xdp', '--repeat', 'x').status, 2);
  const missing = cli('run', s, '--type', 'xdp', '--map', COUNTS, '--pcap', '/nonexistent.pcap');
  assert.equal(missing.status, 1);
  assert.match(missing.err, /EBEE_CLI_IO/);
});
