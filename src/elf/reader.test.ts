import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { describe, it } from 'node:test';
import { isEbeeError } from '../errors.js';
import { ElfError, ElfErrorCode, SectionType, parseElf } from './index.js';
import { FIXTURES, fixtureObjects, readFixture } from './fixtures.test.fixture.js';

const READOBJ = 'llvm-readobj-19';
const haveReadobj = spawnSync(READOBJ, ['--version']).status === 0;

interface ReadobjSection { Section: { Index: number; Name: { Name: string }; Type: { Value: number }; Offset: number; Size: number; Link: number; Info: number } }
interface ReadobjSymbol { Symbol: { Name: { Name: string }; Value: number; Size: number; Binding: { Value: number }; Type: { Value: number }; Other: { Value: number }; Section: { Value: number } } }
interface ReadobjReloc { Relocation: { Offset: number; Type: { Value: number }; Symbol: { Value: number } } }

function readobj(file: string): { sections: ReadobjSection[]; symbols: ReadobjSymbol[]; relocs: { SectionIndex: number; Relocs: ReadobjReloc[] }[] } {
  const out = spawnSync(READOBJ, ['--elf-output-style=JSON', '--sections', '--symbols', '--relocations', file], { encoding: 'utf8' });
  assert.equal(out.status, 0, out.stderr);
  const doc = JSON.parse(out.stdout)[0];
  return { sections: doc.Sections, symbols: doc.Symbols, relocs: doc.Relocations };
}

describe('parseElf against llvm-readobj', { skip: haveReadobj ? false : `${READOBJ} is not installed` }, () => {
  const files = fixtureObjects();
  it('has fixtures to compare', () => assert.ok(files.length >= 10, `only ${files.length} fixtures`));
  for (const name of files) {
    it(name, () => {
      const elf = parseElf(readFixture(name));
      const ref = readobj(FIXTURES + name);
      assert.deepEqual(
        elf.sections.map((s) => [s.index, s.name, s.type, s.offset, s.size, s.link, s.info]),
        ref.sections.map(({ Section: s }) => [s.Index, s.Name.Name, s.Type.Value, s.Offset, s.Size, s.Link, s.Info]));
      // llvm-readobj shows a section symbol (which has no name) by its section's name.
      assert.deepEqual(
        elf.symbols.map((s) => [s.type === 3 && s.name === '' ? elf.sections[s.section]!.name : s.name, Number(s.value), Number(s.size), s.binding, s.type, s.visibility, s.section]),
        ref.symbols.map(({ Symbol: s }) => [s.Name.Name, s.Value, s.Size, s.Binding.Value, s.Type.Value, s.Other.Value & 3, s.Section.Value]));
      const expected = new Map<number, unknown[]>();
      for (const group of ref.relocs) {
        const target = elf.sections[group.SectionIndex]!.info;
        expected.set(target, group.Relocs.map(({ Relocation: r }) => [r.Offset, r.Type.Value, r.Symbol.Value]));
      }
      const actual = new Map([...elf.relocations].map(([k, v]) => [k, v.map((r) => [r.offset, r.type, r.symbol])]));
      assert.deepEqual(actual, expected);
    });
  }
});

/** A minimal valid ELF64 REL object: null section, .shstrtab, one PROGBITS "xdp" section. */
function tinyElf(le = true): Uint8Array {
  const strtab = new TextEncoder().encode('\0.shstrtab\0xdp\0');
  const code = new Uint8Array([0xb7, 0, 0, 0, 2, 0, 0, 0, 0x95, 0, 0, 0, 0, 0, 0, 0]);
  const shoff = 64 + strtab.length + code.length;
  const bytes = new Uint8Array(shoff + 3 * 64);
  const v = new DataView(bytes.buffer);
  bytes.set([0x7f, 0x45, 0x4c, 0x46, 2, le ? 1 : 2, 1]);
  v.setUint16(16, 1, le); v.setUint16(18, 247, le); v.setUint32(20, 1, le);
  v.setBigUint64(40, BigInt(shoff), le);
  v.setUint16(52, 64, le); v.setUint16(58, 64, le); v.setUint16(60, 3, le); v.setUint16(62, 1, le);
  bytes.set(strtab, 64);
  bytes.set(code, 64 + strtab.length);
  const sh = (i: number, name: number, type: number, off: number, size: number, flags = 0): void => {
    const o = shoff + i * 64;
    v.setUint32(o, name, le); v.setUint32(o + 4, type, le); v.setBigUint64(o + 8, BigInt(flags), le);
    v.setBigUint64(o + 24, BigInt(off), le); v.setBigUint64(o + 32, BigInt(size), le);
  };
  sh(1, 1, SectionType.STRTAB, 64, strtab.length);
  sh(2, 11, SectionType.PROGBITS, 64 + strtab.length, code.length, 6);
  return bytes;
}

function expectElfError(bytes: Uint8Array, code: string): ElfError {
  try {
    parseElf(bytes);
  } catch (err) {
    assert.ok(err instanceof ElfError, `expected ElfError, got ${String(err)}`);
    assert.equal(err.code, code, err.message);
    return err;
  }
  assert.fail('parseElf accepted malformed input');
}

describe('parseElf by hand', () => {
  it('reads a minimal object in both byte orders', () => {
    for (const le of [true, false]) {
      const elf = parseElf(tinyElf(le));
      assert.equal(elf.littleEndian, le);
      assert.deepEqual(elf.sections.map((s) => s.name), ['', '.shstrtab', 'xdp']);
      assert.equal(elf.section('xdp')!.data[0], 0xb7);
      assert.equal(elf.symbols.length, 0);
    }
  });
  it('reads the big-endian fixture like the little-endian one', () => {
    const le = parseElf(readFixture('subprogs.o'));
    const be = parseElf(readFixture('subprogs.eb.o'));
    assert.equal(be.littleEndian, false);
    const names = (e: typeof le): string[] => e.symbols.filter((s) => s.type === 2).map((s) => s.name).sort();
    assert.deepEqual(names(be), names(le));
  });
  it('rejects what is not an ELF64 BPF relocatable object, with a code', () => {
    expectElfError(new Uint8Array([1, 2, 3]), ElfErrorCode.NOT_ELF);
    expectElfError(tinyElf().subarray(0, 40), ElfErrorCode.TRUNCATED);
    const b32 = tinyElf(); b32[4] = 1; expectElfError(b32, ElfErrorCode.UNSUPPORTED);
    const order = tinyElf(); order[5] = 3; expectElfError(order, ElfErrorCode.MALFORMED);
    const exec = tinyElf(); exec[16] = 2; expectElfError(exec, ElfErrorCode.UNSUPPORTED);
    const x86 = tinyElf(); x86[18] = 62; x86[19] = 0; expectElfError(x86, ElfErrorCode.UNSUPPORTED);
    const none = tinyElf(); none[18] = 0; none[19] = 0; assert.equal(parseElf(none).machine, 0);
  });
  it('tolerates a bad section name with a warning', () => {
    const b = tinyElf();
    const v = new DataView(b.buffer);
    const shoff = Number(v.getBigUint64(40, true));
    v.setUint32(shoff + 2 * 64, 999, true);
    const elf = parseElf(b);
    assert.equal(elf.sections[2]!.name, '');
    assert.equal(elf.sections[2]!.data[0], 0xb7);
    assert.equal(elf.warnings.length, 1);
    assert.match(elf.warnings[0]!, /section \.shstrtab, offset 999: section 2: name offset 999 is outside/);
  });
  it('names the section and offset of a bad symbol name', () => {
    const elf = readFixture('tailcall.o').slice();
    const parsed = parseElf(elf);
    const symtab = parsed.sections.find((s) => s.type === SectionType.SYMTAB)!;
    const strtab = parsed.sections[symtab.link]!;
    new DataView(elf.buffer).setUint32(symtab.offset + 24 * 3, 100000, true);
    const err = expectElfError(elf, ElfErrorCode.MALFORMED);
    assert.equal(err.section, strtab.name);
    assert.equal(err.offset, 100000);
  });
  it('rejects a section that runs past the file', () => {
    const b = tinyElf();
    const v = new DataView(b.buffer);
    const shoff = Number(v.getBigUint64(40, true));
    v.setBigUint64(shoff + 2 * 64 + 32, 1n << 40n, true);
    expectElfError(b, ElfErrorCode.TRUNCATED);
    v.setBigUint64(shoff + 2 * 64 + 32, 1n << 62n, true);
    expectElfError(b, ElfErrorCode.MALFORMED);
  });
  it('rejects a section count the file cannot hold', () => {
    const b = tinyElf();
    new DataView(b.buffer).setUint16(60, 0xfeff, true);
    expectElfError(b, ElfErrorCode.TRUNCATED);
  });
  it('rejects a relocation section whose sh_info names no section', () => {
    const elf = readFixture('tailcall.o').slice();
    const parsed = parseElf(elf);
    const rel = parsed.sections.find((s) => s.type === SectionType.REL)!;
    const v = new DataView(elf.buffer);
    const shoff = Number(v.getBigUint64(40, true));
    v.setUint32(shoff + rel.index * 64 + 44, 5000, true);
    const err = expectElfError(elf, ElfErrorCode.MALFORMED);
    assert.equal(err.section, rel.name);
    assert.ok(isEbeeError(err));
  });
});
