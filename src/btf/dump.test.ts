import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readdirSync, statSync, unlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { BtfBuilder, BtfKind, dumpBtfC, dumpBtfRaw, parseBtf } from './index.js';
import { tmpdir } from 'node:os';
import { BPFTOOL, VMLINUX, fixturePath, readElf, repoRoot, tryRun, vmlinux } from './elf.test.fixture.js';

const SAMPLES = join(repoRoot(), '..', 'shared', 'corpora', 'ebpf-samples');
const noTool = !BPFTOOL && 'bpftool is not installed (apt-get install bpftool)';

/** Lines of `a` and `b` that are equal position by position, and the first difference. */
function compareLines(got: string, want: string): { same: number; total: number; first?: string } {
  const g = got.split('\n');
  const w = want.split('\n');
  let same = 0;
  let first: string | undefined;
  for (let i = 0; i < Math.max(g.length, w.length); i++) {
    if (g[i] === w[i]) same++;
    else first ??= `line ${i + 1}: got ${JSON.stringify(g[i])}, bpftool ${JSON.stringify(w[i])}`;
  }
  return { same, total: w.length, ...(first ? { first } : {}) };
}

function bpftool(args: string[]): string {
  const out = tryRun(BPFTOOL!, args);
  assert.ok(out !== undefined, `bpftool ${args.join(' ')} failed`);
  return out;
}

test('raw and C dumps of the fixtures equal bpftool\'s', { skip: noTool }, () => {
  for (const name of ['types.o', 'core.o']) {
    const path = fixturePath(name);
    const btf = parseBtf(readElf(path).section('.BTF')!);
    assert.equal(dumpBtfRaw(btf), bpftool(['btf', 'dump', 'file', path]), `${name} raw`);
    const c = compareLines(dumpBtfC(btf), bpftool(['btf', 'dump', 'file', path, 'format', 'c']));
    assert.equal(c.same, c.total, `${name} C: ${c.first}`);
  }
});

test('raw and C dumps of vmlinux 6.18 equal bpftool\'s', { skip: noTool || (!existsSync(VMLINUX) && 'no vmlinux BTF') }, () => {
  const bytes = vmlinux();
  const file = join(tmpdir(), `ebee-vmlinux-${process.pid}.btf`);
  // bpftool needs a file it can seek in.
  writeFileSync(file, bytes);
  try {
    const btf = parseBtf(bytes);
    const raw = compareLines(dumpBtfRaw(btf), bpftool(['btf', 'dump', 'file', file]));
    assert.equal(raw.same, raw.total, `raw: ${raw.first}`);
    const c = compareLines(dumpBtfC(btf), bpftool(['btf', 'dump', 'file', file, 'format', 'c']));
    assert.equal(c.same, c.total, `C: ${c.first}`);
    assert.ok(c.total > 100000);
  } finally {
    unlinkSync(file);
  }
});

test('raw and C dumps of every BTF in the ebpf-samples corpus equal bpftool\'s', { skip: noTool || (!existsSync(SAMPLES) && 'no ebpf-samples corpus') }, () => {
  const files: string[] = [];
  const walk = (dir: string): void => {
    for (const e of readdirSync(dir)) {
      const p = join(dir, e);
      if (statSync(p).isDirectory()) walk(p);
      else if (e.endsWith('.o')) files.push(p);
    }
  };
  walk(SAMPLES);
  let compared = 0;
  for (const f of files) {
    let section: Uint8Array | undefined;
    try {
      section = readElf(f).section('.BTF');
    } catch {
      continue; // the corpus holds deliberately broken ELF files
    }
    if (!section) continue;
    const btf = parseBtf(section);
    assert.equal(dumpBtfRaw(btf), bpftool(['btf', 'dump', 'file', f]), `${f} raw`);
    const c = compareLines(dumpBtfC(btf), bpftool(['btf', 'dump', 'file', f, 'format', 'c']));
    assert.equal(c.same, c.total, `${f} C: ${c.first}`);
    compared++;
  }
  assert.ok(compared >= 60, `${compared} objects with BTF compared`);
});

test('C dump: cycles get forward declarations, clashing names get ___N, enum sizes can be forced', () => {
  const b = new BtfBuilder();
  const int = b.add({ kind: BtfKind.INT, name: 'int', size: 4, encoding: 1, bitOffset: 0, bits: 32 });
  const a = b.add({ kind: BtfKind.STRUCT, name: 'a', size: 8, members: [{ name: 'b', type: 3, bitOffset: 0, bitfieldSize: 0 }] });
  b.add({ kind: BtfKind.PTR, name: '', type: 4 });
  b.add({ kind: BtfKind.STRUCT, name: 'b', size: 8, members: [{ name: 'a', type: 5, bitOffset: 0, bitfieldSize: 0 }] });
  b.add({ kind: BtfKind.PTR, name: '', type: a });
  b.add({ kind: BtfKind.STRUCT, name: 'a', size: 4, members: [{ name: 'x', type: int, bitOffset: 0, bitfieldSize: 0 }] });
  b.add({ kind: BtfKind.ENUM, name: 'small', size: 1, values: [{ name: 'S', value: 1n }] });
  const btf = parseBtf(b.build());
  const c = dumpBtfC(btf, { header: false });
  assert.equal(c, [
    'struct b;', '',
    'struct a {', '\tstruct b *b;', '};', '',
    'struct b {', '\tstruct a *a;', '};', '',
    'struct a___2 {', '\tint x;', '};', '',
    'enum small {', '\tS = 1,', '};', '', '',
  ].join('\n'));
  assert.match(dumpBtfC(btf, { header: false, enumModeAttributes: true }), /enum small \{\n\tS = 1,\n\} __attribute__\(\(mode\(byte\)\)\);/);
});
