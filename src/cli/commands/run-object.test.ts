import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readCapture, recordToEthernet } from '../../pcap/index.js';
import { BtfBuilder, BtfKind } from '../../btf/index.js';
import { ROOT, cli } from '../cli.test.fixture.js';

const fixture = (name: string): string => join(ROOT, 'src', 'elf', 'fixtures', name);


test('run OBJECT.o --pcap: the type comes from the section, the maps from the object', () => {
  const capture = join(ROOT, 'examples', 'traffic.pcap');
  // UDP to port 53 gets XDP_TX (xdp_parser.bpf.c); count them from the capture itself.
  let dns = 0;
  const records = readCapture(readFileSync(capture)).records;
  for (const r of records) {
    const f = recordToEthernet(r).frame;
    if (f.length >= 42 && f[12] === 8 && f[13] === 0 && f[23] === 17) {
      const udp = 14 + (f[14]! & 0xf) * 4;
      if (f.length >= udp + 8 && f[udp + 2] === 0 && f[udp + 3] === 53) dns++;
    }
  }
  assert.ok(dns > 0 && dns < records.length);
  for (const engine of ['--jit', '--interp']) {
    const r = cli('run', fixture('xdp_parser.o'), '--pcap', capture, '--json', engine);
    assert.equal(r.status, 0, r.err);
    const json = JSON.parse(r.out) as { actions: Record<string, number>; maps: { name: string; entries: unknown[] }[] };
    assert.equal(json.actions.XDP_TX, dns);
    assert.equal(json.actions.XDP_TX + (json.actions.XDP_PASS ?? 0) + (json.actions.XDP_DROP ?? 0), records.length);
    assert.deepEqual(json.maps.map((m) => m.name), ['flows']);
    assert.ok(json.maps[0]!.entries.length > 0);
  }
});

test('run OBJECT.o picks a program by name or section; several without a choice is a usage error', () => {
  const several = cli('run', fixture('tailcall.o'));
  assert.equal(several.status, 2);
  assert.match(several.err, /3 programs; choose one with --program NAME: tail_pass \(section xdp\), tail_drop \(section xdp\), tail_entry \(section xdp\)/);
  const section = cli('run', fixture('subprogs.o'), '--section', 'tc');
  assert.equal(section.status, 2);
  assert.match(section.err, /section 'tc' has 2 programs.*tc_first \(section tc\), tc_second \(section tc\)$/m);
  const bad = cli('run', fixture('subprogs.o'), '--program', 'nope');
  assert.equal(bad.status, 2);
  assert.match(bad.err, /--program nope: the object has tc_first/);

  // 66 bytes: index 66 & 3 = 2, the statically initialised slot holding tail_drop.
  const tail = cli('run', fixture('tailcall.o'), '--program', 'tail_entry', '--data', '00'.repeat(66), '--json');
  assert.equal(tail.status, 0, tail.err);
  const json = JSON.parse(tail.out) as { program: string; type: string; action: string; tailCalls: number };
  assert.deepEqual([json.program, json.type, json.action, json.tailCalls], ['tail_entry', 'xdp', 'XDP_DROP', 1]);

  const bySection = cli('run', fixture('socket_filter.o'), '--section', 'socket', '--data', '00'.repeat(40));
  assert.equal(bySection.status, 0, bySection.err);
  assert.match(bySection.out, /^program http_filter \(socket_filter\)\nretval = 0/);
});

test('run OBJECT.o: --type overrides the section; assembly-only flags are refused', () => {
  const r = cli('run', fixture('subprogs.o'), '--program', 'tc_second', '--type', 'socket', '--data', '00'.repeat(40), '--json');
  assert.equal(r.status, 0, r.err);
  const json = JSON.parse(r.out) as { type: string; retval: number };
  // square(skb->len) > 100: a socket filter's len (26) starts at the network header.
  assert.deepEqual([json.type, json.retval], ['socket_filter', 2]);
  for (const flag of [['--map', 'a:array:4:4:1'], ['--mem', '00'], ['--trace']]) {
    const refused = cli('run', fixture('xdp_parser.o'), ...flag);
    assert.equal(refused.status, 2, flag[0]);
    assert.match(refused.err, /does not go with an ELF object/);
  }
  assert.equal(cli('run', join(ROOT, 'examples', 'sum.s'), '--program', 'x').status, 2);
  const core = cli('run', fixture('core_local.o'));
  assert.equal(core.status, 1);
  assert.match(core.err, /EBEE_RUNTIME_NO_TARGET_BTF/);
});

test('run OBJECT.o prints the global variables after the run', () => {
  const r = cli('run', fixture('globals.o'), '--data', '00'.repeat(60), '--repeat', '2', '--json');
  assert.equal(r.status, 0, r.err);
  const json = JSON.parse(r.out) as { action: string; globals: Record<string, string> };
  // 60 > threshold 42 + tuned 3; two runs: hits 2, counter 7 + 2, hidden_total 100 + 2 * 60.
  assert.equal(json.action, 'XDP_DROP');
  assert.deepEqual([json.globals.hits, json.globals.counter, json.globals.hidden_total, json.globals.threshold], ['2', '9', '220', '42']);
  const text = cli('run', fixture('globals.o'), '--data', '00'.repeat(60));
  assert.match(text.out, /^global hits = 1$/m);
});

test('run OBJECT.o --btf: CO-RE relocations resolve against the BTF file given', (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'ebee-btf-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  // struct record as core_local.bpf.c declares it, without the ___v2 flavor's `extra`.
  const b = new BtfBuilder();
  const u8 = b.add({ kind: BtfKind.INT, name: 'u8', size: 1, encoding: 0, bitOffset: 0, bits: 8 });
  const u16 = b.add({ kind: BtfKind.INT, name: 'u16', size: 2, encoding: 0, bitOffset: 0, bits: 16 });
  const u32 = b.add({ kind: BtfKind.INT, name: 'u32', size: 4, encoding: 0, bitOffset: 0, bits: 32 });
  const u64 = b.add({ kind: BtfKind.INT, name: 'u64', size: 8, encoding: 0, bitOffset: 0, bits: 64 });
  b.add({ kind: BtfKind.STRUCT, name: 'record', size: 16, members: [
    { name: 'id', type: u32, bitOffset: 0, bitfieldSize: 0 }, { name: 'flags', type: u16, bitOffset: 32, bitfieldSize: 0 },
    { name: 'kind', type: u8, bitOffset: 48, bitfieldSize: 3 }, { name: 'urgent', type: u8, bitOffset: 51, bitfieldSize: 1 },
    { name: 'level', type: u8, bitOffset: 52, bitfieldSize: 4 }, { name: 'stamp', type: u64, bitOffset: 64, bitfieldSize: 0 }] });
  const file = join(dir, 'target.btf');
  writeFileSync(file, b.build());
  const r = cli('run', fixture('core_local.o'), '--btf', file, '--data', '00'.repeat(20), '--json');
  assert.equal(r.status, 0, r.err);
  // records[0] is zero: 0 + sizeof(stamp) 8 + sizeof(struct record) 16 = 24, & 3 = 0.
  assert.equal((JSON.parse(r.out) as { retval: number }).retval, 0);
});
