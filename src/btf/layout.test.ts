import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BtfKind, CLayout, dumpBtfC, parseBtf } from './index.js';
import { BPFTOOL, readElf, tryRun } from './elf.test.fixture.js';

function describe(): { bytes: Uint8Array; ids: Record<string, number> } {
  const c = new CLayout();
  const u8 = c.int('unsigned char', 1);
  const u16 = c.int('unsigned short', 2);
  const u32 = c.int('unsigned int', 4);
  const s64 = c.int('long long', 8, true);
  const inner = c.struct('inner', [{ name: 'a', type: u8 }, { name: 'b', type: u32 }]);
  const outer = c.struct('outer', [
    { name: 'tag', type: u8 },
    { name: 'in', type: inner },
    { name: 'flags', type: u32, bits: 3 },
    { name: 'mode', type: u32, bits: 30 },
    { name: 'port', type: u16 },
    { name: 'ptr', type: c.pointer(inner) },
    { name: 'arr', type: c.array(u16, 3) },
    { name: 'big', type: s64 },
  ]);
  const un = c.struct('either', [{ name: 'x', type: u8 }, { name: 'y', type: s64 }], { union: true });
  const packed = c.struct('packed', [{ name: 'a', type: u8 }, { name: 'b', type: u32 }], { packed: true });
  return { bytes: c.build(), ids: { inner, outer, un, packed } };
}

test('C layout: natural alignment, bitfields, unions, packing', () => {
  const { bytes, ids } = describe();
  const btf = parseBtf(bytes);
  const off = (t: number, f: string): number => btf.member(t, f)!.bitOffset;
  assert.equal(btf.sizeof(ids.inner!), 8);
  assert.deepEqual(['tag', 'in', 'flags', 'mode', 'port', 'ptr', 'arr', 'big'].map((f) => off(ids.outer!, f)), [0, 32, 96, 128, 160, 192, 256, 320]);
  assert.equal(btf.sizeof(ids.outer!), 48);
  assert.equal(btf.sizeof(ids.un!), 8);
  assert.equal(btf.typeById(ids.un!).kind, BtfKind.UNION);
  assert.deepEqual([off(ids.packed!, 'b'), btf.sizeof(ids.packed!)], [8, 5]);
  assert.match(dumpBtfC(btf, { header: false }), /struct packed \{\n\tunsigned char a;\n\tunsigned int b;\n\} __attribute__\(\(packed\)\);/);
});

const CLANG = ['clang-19', 'clang'].find((c) => tryRun(c, ['--version']) !== undefined);

test('C layout agrees with clang on the same declarations', { skip: (!CLANG || !BPFTOOL) && 'needs clang and bpftool' }, () => {
  const { bytes } = describe();
  const ours = parseBtf(bytes);
  const dir = mkdtempSync(join(tmpdir(), 'ebee-layout-'));
  try {
    // The C our BTF prints, compiled by clang, must describe the same layout.
    const src = join(dir, 't.c');
    writeFileSync(src, dumpBtfC(ours, { header: false })
      + 'struct outer o; union either e; struct packed p;\n');
    const obj = join(dir, 't.o');
    assert.ok(tryRun(CLANG!, ['-target', 'bpf', '-g', '-c', src, '-o', obj]) !== undefined, 'clang compiles the dump');
    assert.ok(existsSync(obj));
    const theirs = parseBtf(readElf(obj).section('.BTF')!);
    for (const name of ['inner', 'outer', 'either', 'packed']) {
      const a = ours.findByName(name)!;
      const b = theirs.findByName(name)!;
      assert.equal(ours.sizeof(a.id), theirs.sizeof(b.id), `${name} size`);
      const am = 'members' in a ? a.members : [];
      const bm = 'members' in b ? b.members : [];
      assert.deepEqual(am.map((m) => [m.name, m.bitOffset, m.bitfieldSize]), bm.map((m) => [m.name, m.bitOffset, m.bitfieldSize]), name);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
