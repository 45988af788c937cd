import { test } from 'node:test';
import assert from 'node:assert/strict';
import { BtfError, BtfKind, fixDatasecs, parseBtf, parseBtfExt, BtfErrorCode, type Btf } from './index.js';
import { CORE_RELO_KIND_NAMES } from './core/kinds.js';
import { fixturePath, readElf, rng, tryRun } from './elf.test.fixture.js';

const OBJDUMP = ['llvm-objdump-19', 'llvm-objdump'].find((t) => tryRun(t, ['--version']) !== undefined);

function load(name: string): { btf: Btf; ext: Uint8Array; elf: ReturnType<typeof readElf> } {
  const elf = readElf(fixturePath(name));
  return { btf: parseBtf(elf.section('.BTF')!), ext: elf.section('.BTF.ext')!, elf };
}

test('BTF.ext of a clang object: func_info, line_info and CO-RE records by section', () => {
  const { btf, ext: bytes } = load('core.o');
  const ext = parseBtfExt(bytes, btf);
  assert.deepEqual(ext.recordSizes, { funcInfo: 8, lineInfo: 16, coreRelo: 16 });
  assert.deepEqual([...ext.funcInfo.keys()], ['kprobe/do_nothing']);
  const [fi] = ext.funcInfo.get('kprobe/do_nothing')!;
  assert.equal(fi!.insnOff, 0);
  assert.equal(btf.typeById(fi!.typeId).name, 'probe');
  assert.equal(btf.typeById(fi!.typeId).kind, BtfKind.FUNC);
  const lines = ext.lineInfo.get('kprobe/do_nothing')!;
  assert.ok(lines.length > 10);
  for (const l of lines) {
    assert.match(l.fileName, /core\.bpf\.c$/);
    assert.ok(l.lineNum > 0 && l.insnOff % 8 === 0);
  }
  assert.ok(lines.some((l) => l.line.includes('BPF_CORE_READ(task, pid)')), 'the source text of a line');
  const relos = ext.coreRelos.get('kprobe/do_nothing')!;
  assert.ok(relos.length >= 20);
  assert.deepEqual({ ...relos[0], typeId: btf.typeById(relos[0]!.typeId).name }, {
    insnOff: 8, typeId: 'task_struct', accessStrOff: relos[0]!.accessStrOff, accessStr: '0:0', kind: 0,
  });
});

test('CO-RE records agree with llvm-objdump', { skip: !OBJDUMP && 'llvm-objdump is not installed' }, () => {
  const { btf, ext: bytes } = load('core.o');
  const relos = parseBtfExt(bytes, btf).coreRelos.get('kprobe/do_nothing')!;
  const out = tryRun(OBJDUMP!, ['-dr', fixturePath('core.o')])!;
  // e.g. "0000000000000008:  CO-RE <byte_off> [2] struct task_struct::pid (0:0)"
  const want = [...out.matchAll(/^\s*([0-9a-f]+):\s+CO-RE <(\w+)> \[(\d+)\][^\n(]*(?:\(([\d:]+)\))?/gm)].map((m) =>
    `${parseInt(m[1]!, 16)} ${m[2]} ${m[3]}${m[4] ? ' ' + m[4] : ''}`);
  const got = relos.map((r) => {
    const access = r.kind >= 6 && r.kind <= 9 || r.kind === 12 ? '' : ' ' + r.accessStr;
    return `${r.insnOff} ${CORE_RELO_KIND_NAMES[r.kind]} ${r.typeId}${access}`;
  });
  assert.equal(got.length, want.length);
  // objdump prints enumerator relocations with the enumerator name, not the index.
  for (let i = 0; i < got.length; i++) {
    if (relos[i]!.kind === 10 || relos[i]!.kind === 11) assert.equal(got[i]!.split(' ').slice(0, 3).join(' '), want[i]!.split(' ').slice(0, 3).join(' '));
    else assert.equal(got[i], want[i]);
  }
});

test('BTF.ext with larger records than today reads the known prefix of each', () => {
  const { btf, ext: bytes } = load('core.o');
  const ext = parseBtfExt(bytes, btf);
  // Re-encode every family with 8 extra bytes per record.
  const v = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const hdrLen = v.getUint32(4, true);
  const parts: number[][] = [];
  for (const at of [8, 16, 24]) {
    const off = hdrLen + v.getUint32(at, true);
    const len = v.getUint32(at + 4, true);
    const rec = v.getUint32(off, true);
    const words: number[] = [rec + 8];
    let p = off + 4;
    while (p < off + len) {
      const n = v.getUint32(p + 4, true);
      words.push(v.getUint32(p, true), n);
      p += 8;
      for (let i = 0; i < n; i++, p += rec) {
        for (let w = 0; w < rec; w += 4) words.push(v.getUint32(p + w, true));
        words.push(0xdeadbeef, 0xdeadbeef);
      }
    }
    parts.push(words);
  }
  const body = parts.flat();
  const out = new DataView(new ArrayBuffer(32 + body.length * 4));
  out.setUint16(0, 0xeb9f, true); out.setUint8(2, 1); out.setUint32(4, 32, true);
  let off = 0;
  parts.forEach((words, i) => {
    out.setUint32(8 + i * 8, off, true);
    out.setUint32(12 + i * 8, words.length * 4, true);
    off += words.length * 4;
  });
  body.forEach((w, i) => out.setUint32(32 + i * 4, w, true));
  const big = parseBtfExt(new Uint8Array(out.buffer), btf);
  assert.deepEqual(big.recordSizes, { funcInfo: 16, lineInfo: 24, coreRelo: 24 });
  assert.deepEqual([...big.funcInfo], [...ext.funcInfo]);
  assert.deepEqual([...big.lineInfo], [...ext.lineInfo]);
  assert.deepEqual([...big.coreRelos], [...ext.coreRelos]);
});

test('fuzz: mutated and truncated BTF.ext is always a BtfError', () => {
  const { btf, ext } = load('core.o');
  const rand = rng(77);
  const check = (b: Uint8Array): void => {
    try {
      parseBtfExt(b, btf);
    } catch (err) {
      assert.ok(err instanceof BtfError, String(err));
    }
  };
  for (let n = 0; n < ext.length; n += 3) check(ext.subarray(0, n));
  for (let i = 0; i < 3000; i++) {
    const b = ext.slice();
    for (let e = 0; e < 1 + Math.floor(rand() * 3); e++) b[Math.floor(rand() * Math.min(b.length, i % 2 ? 64 : b.length))] = Math.floor(rand() * 256);
    check(b);
  }
});

test('DATASEC fix-up takes sizes from sections and offsets from symbols, then sorts', () => {
  const { btf, elf } = load('types.o');
  const secIndex = (name: string): number => elf.sections.findIndex((s) => s.name === name);
  fixDatasecs(btf, {
    sectionSize: (name) => elf.sections.find((s) => s.name === name)?.size,
    symbolOffset: (sec, name) => elf.symbols.find((s) => s.name === name && s.section === secIndex(sec) && s.type === 1)?.value,
  });
  for (const name of ['.data', '.bss', '.rodata', '.data.custom', 'license']) {
    const ds = btf.findByName(name, BtfKind.DATASEC);
    assert.ok(ds && ds.kind === BtfKind.DATASEC, name);
    assert.equal(ds.size, elf.sections.find((s) => s.name === name)!.size, `${name} size`);
    let prev = -1;
    for (const v of ds.vars) {
      const varName = btf.typeById(v.type).name;
      const sym = elf.symbols.find((s) => s.name === varName && s.section === secIndex(name))!;
      assert.equal(v.offset, sym.value, `${name} ${varName}`);
      assert.ok(v.offset >= prev, 'sorted by offset');
      prev = v.offset;
    }
  }
  const data = btf.findByName('.data', BtfKind.DATASEC);
  assert.ok(data?.kind === BtfKind.DATASEC && data.vars.some((v) => v.offset > 0), 'offsets really moved');
});

test('DATASEC fix-up names what is missing', () => {
  const { btf } = load('types.o');
  const err = (() => {
    try {
      fixDatasecs(btf, { sectionSize: (n) => (n === '.bss' ? 1000 : undefined), symbolOffset: () => 0 });
    } catch (e) {
      return e;
    }
    return undefined;
  })();
  assert.ok(err instanceof BtfError && err.code === BtfErrorCode.DATASEC_FIXUP, String(err));
  assert.match(err.message, /DATASEC '\.data' names no ELF section/);
  const again = load('types.o').btf;
  assert.throws(() => fixDatasecs(again, { sectionSize: () => 1000, symbolOffset: (_s, v) => (v === 'buf' ? undefined : 0) }), /variable 'buf' of DATASEC '\.bss' has no symbol/);
});
