import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { encode, LddwSrc, type Instruction } from '../isa/index.js';
import { BtfKind } from '../btf/index.js';
import {
  AttachType, ElfErrorCode, ProgramType, parseObject, type ObjectSpec, type ProgramSpec,
} from './index.js';
import { readFixture } from './fixtures.test.fixture.js';

const load = (name: string): ObjectSpec => parseObject(readFixture(name));

/** Every call and callback reference must land on the start of the function it names. */
function checkLinks(p: ProgramSpec): void {
  const starts = new Map(p.functions.map((f) => [f.name, f.pc]));
  const byPc = new Map<number, Instruction>();
  let pc = 0;
  for (const i of p.insns) { byPc.set(pc, i); pc += i.opcode === 0x18 ? 2 : 1; }
  for (const r of p.references) {
    const ins = byPc.get(r.pc);
    assert.ok(ins, `${p.name}: reference at pc ${r.pc} is not an instruction`);
    if (r.kind === 'call' || r.kind === 'func_addr') {
      assert.equal(r.pc + 1 + ins.imm, starts.get(r.function), `${p.name}: ${r.kind} at ${r.pc} to ${r.function}`);
      assert.equal(ins.src, r.kind === 'call' ? 1 : LddwSrc.CODE_ADDR);
    }
  }
}

describe('parseObject: programs and linking', () => {
  it('links global and static subprograms, once each, in the order reached', () => {
    const spec = load('subprogs.o');
    assert.deepEqual(spec.programs.map((p) => [p.section, p.name, p.type, p.autoload]), [
      ['tc', 'tc_first', ProgramType.SCHED_CLS, true],
      ['tc', 'tc_second', ProgramType.SCHED_CLS, true],
      ['?socket', 'lazy_socket', ProgramType.SOCKET_FILTER, false],
    ]);
    assert.deepEqual(spec.program('tc_first').functions.map((f) => f.name), ['tc_first', 'add_squares', 'square']);
    assert.deepEqual(spec.program('tc_second').functions.map((f) => f.name), ['tc_second', 'square']);
    assert.deepEqual(spec.program('?socket').functions.map((f) => f.name), ['lazy_socket', 'unused_helper']);
    for (const p of spec.programs) checkLinks(p);
    assert.equal(spec.license, 'GPL');
    assert.equal(spec.kernelVersion, 0x060100);
    // add_squares calls square twice: both calls reach the one appended copy.
    const first = spec.program('tc_first');
    assert.equal(first.references.filter((r) => r.kind === 'call' && r.function === 'square').length, 2);
    assert.equal(first.insns.length, 5 + 7 + 3);
  });

  it('links a big-endian object to the same program as the little-endian one', () => {
    const le = load('subprogs.o');
    const be = load('subprogs.eb.o');
    for (const p of le.programs) {
      const q = be.program(p.name);
      assert.deepEqual(q.functions, p.functions);
      assert.ok(q.insns.length > 0);
      assert.equal(q.license, 'GPL');
      assert.equal(q.kernelVersion, 0x060100);
      checkLinks(q);
    }
    // Identical code: clang emits the same instructions for both byte orders here.
    assert.deepEqual(encode(be.program('tc_second').insns), encode(le.program('tc_second').insns));
  });

  it('links the output of clang-14 the same way', () => {
    const spec = load('subprogs.clang14.o');
    assert.deepEqual(spec.program('tc_first').functions.map((f) => f.name), ['tc_first', 'add_squares', 'square']);
    for (const p of spec.programs) checkLinks(p);
  });

  it('turns a bpf_loop callback into a code address within the program', () => {
    const spec = load('loops.o');
    const p = spec.program('callback_loop');
    assert.deepEqual(p.functions.map((f) => f.name), ['callback_loop', 'add_index']);
    assert.deepEqual(p.references.filter((r) => r.kind === 'func_addr').map((r) => r.kind === 'func_addr' && r.function), ['add_index']);
    checkLinks(p);
    assert.deepEqual(spec.program('bounded_loop').functions.map((f) => f.name), ['bounded_loop']);
  });

  it('rebases func_info and line_info onto the linked program', () => {
    const spec = load('subprogs.o');
    const p = spec.program('tc_first');
    assert.deepEqual(p.funcInfo.map((f) => f.pc), p.functions.map((f) => f.pc));
    assert.deepEqual(p.funcInfo.map((f) => spec.btf!.typeById(f.typeId).name), p.functions.map((f) => f.name));
    assert.ok(p.lineInfo.length >= p.functions.length);
    const slots = encode(p.insns).length / 8;
    for (const l of p.lineInfo) {
      assert.ok(l.pc >= 0 && l.pc < slots);
      // build-fixtures.sh maps the fixture folder to '.', so no absolute path leaks in.
      assert.equal(l.fileName, './subprogs.bpf.c');
    }
    const squareLine = p.lineInfo.find((l) => l.pc === p.functions[2]!.pc)!;
    assert.match(squareLine.line, /int square\(int x\)/);
    assert.ok(p.lineInfo.some((l) => l.pc > p.functions[2]!.pc && /x \* x/.test(l.line)));
  });

  it('keeps CO-RE relocations for btf/core, at linked pcs', () => {
    for (const name of ['core_local.o', 'core_local.clang14.o', 'core_kernel.o']) {
      const spec = load(name);
      const p = spec.programs[0]!;
      assert.ok(p.coreRelos.length >= 4, `${name}: ${p.coreRelos.length} CO-RE relocations`);
      for (const r of p.coreRelos) assert.ok(spec.btf!.typeById(r.typeId));
    }
    const k = load('core_kernel.o');
    assert.equal(k.program('trace_exit').sectionType?.attachTarget, 'do_exit');
    assert.equal(k.program('unlink_entry').type, ProgramType.TRACING);
    assert.equal(k.program('unlink_entry').sectionType?.expectedAttachType, AttachType.TRACE_FENTRY);
  });

  it('reads legacy packet loads in a socket filter', () => {
    for (const name of ['socket_filter.o', 'socket_filter.clang14.o']) {
      const p = load(name).program('socket');
      assert.equal(p.type, ProgramType.SOCKET_FILTER);
      const loads = p.insns.filter((i) => (i.opcode & 0x07) === 0 && ((i.opcode & 0xe0) === 0x20 || (i.opcode & 0xe0) === 0x40));
      assert.ok(loads.length >= 5, `${name}: ${loads.length} packet loads`);
    }
  });

  it('decodes the program at every -mcpu level and from clang-14', () => {
    const sizes = new Map<string, number>();
    for (const v of ['v1', 'v2', 'v3', 'v4', 'clang14']) {
      const p = load(`mcpu.${v}.o`).program('isa_levels');
      assert.deepEqual(p.functions.map((f) => f.name), ['isa_levels', 'mix']);
      checkLinks(p);
      sizes.set(v, p.insns.length);
    }
    // v4 has sign-extending loads and moves, so it needs fewer instructions than v1.
    assert.ok(sizes.get('v4')! < sizes.get('v1')!, JSON.stringify([...sizes]));
    const v4 = load('mcpu.v4.o').program('isa_levels');
    assert.ok(v4.insns.some((i) => (i.opcode === 0xbf || i.opcode === 0xbc) && i.offset !== 0), 'no movsx in v4 code');
  });

  it('finds programs by name or by section, and says when it cannot', () => {
    const spec = load('tailcall.o');
    assert.equal(spec.program('tail_entry').name, 'tail_entry');
    assert.throws(() => spec.program('xdp'), (e: Error & { code?: string }) => e.code === ElfErrorCode.NOT_FOUND && /3 programs/.test(e.message));
    assert.throws(() => spec.program('nope'), { code: ElfErrorCode.NOT_FOUND });
    assert.equal(spec.programsInSection('xdp').length, 3);
    assert.equal(load('subprogs.o').linkFunction('add_squares').functions.length, 2);
  });
});

describe('parseObject: maps', () => {
  const mapRef = (p: ProgramSpec, name: string): Instruction => {
    const r = p.references.find((x) => (x.kind === 'map' || x.kind === 'map_value') && x.map === name);
    assert.ok(r, `${p.name} does not reference ${name}`);
    let pc = 0;
    for (const i of p.insns) { if (pc === r.pc) return i; pc += i.opcode === 0x18 ? 2 : 1; }
    assert.fail('reference pc not found');
  };

  it('reads BTF map definitions with key and value types', () => {
    const spec = load('xdp_parser.o');
    const flows = spec.map('flows');
    assert.deepEqual([flows.type, flows.keySize, flows.valueSize, flows.maxEntries, flows.flags], [1, 12, 8, 1024, 0]);
    assert.equal(spec.btf!.typeById(flows.keyTypeId!).name, 'flow_key');
    const ins = mapRef(spec.program('xdp'), 'flows');
    assert.equal(ins.src, LddwSrc.MAP_IDX);
    assert.equal(ins.imm, spec.maps.indexOf(flows));
  });

  it('reads ring buffer, per-CPU array and LPM trie definitions', () => {
    const rb = load('ringbuf.o').map('events');
    assert.deepEqual([rb.type, rb.keySize, rb.valueSize, rb.maxEntries], [27, 0, 0, 4096]);
    const spec = load('percpu_lpm.o');
    const cpu = spec.map('cpu_counts');
    assert.deepEqual([cpu.type, cpu.keySize, cpu.valueSize, cpu.maxEntries], [6, 4, 8, 4]);
    const lpm = spec.map('routes');
    assert.deepEqual([lpm.type, lpm.keySize, lpm.valueSize, lpm.maxEntries, lpm.flags], [11, 8, 4, 256, 1]);
    assert.equal(spec.btf!.typeById(lpm.keyTypeId!).name, 'lpm_v4_key');
  });

  it('reads a statically initialised prog array', () => {
    const spec = load('tailcall.o');
    const jt = spec.map('jump_table');
    assert.deepEqual([jt.type, jt.keySize, jt.valueSize, jt.maxEntries], [3, 4, 4, 4]);
    assert.deepEqual(jt.slots, [{ index: 0, program: 'tail_pass' }, { index: 2, program: 'tail_drop' }]);
    assert.equal(mapRef(spec.program('tail_entry'), 'jump_table').src, LddwSrc.MAP_IDX);
  });

  it('reads an array of maps with its inner template, slots and pinning', () => {
    const spec = load('map_in_map.o');
    const outer = spec.map('outer');
    assert.deepEqual([outer.type, outer.keySize, outer.valueSize, outer.maxEntries, outer.pinning], [12, 4, 4, 4, 1]);
    const inner = outer.innerMap!;
    assert.deepEqual([inner.type, inner.keySize, inner.valueSize, inner.maxEntries], [2, 4, 4, 8]);
    assert.deepEqual(outer.slots, [{ index: 1, map: 'inner_a' }, { index: 3, map: 'inner_b' }]);
    assert.deepEqual(spec.maps.map((m) => m.name), ['inner_a', 'inner_b', 'outer']);
  });

  it("takes a legacy map-in-map's inner template from samples/bpf's inner_map_idx", () => {
    const spec = load('legacy_map_in_map.o');
    const outer = spec.map('outer');
    assert.equal(outer.legacy?.layout, 'samples');
    // The definition says value_size 0; the kernel's value is an inner map id (u32).
    assert.deepEqual([outer.type, outer.keySize, outer.valueSize, outer.maxEntries], [12, 4, 4, 2]);
    assert.equal(outer.innerMap, spec.map('inner'));
    assert.equal(spec.map('inner').innerMap, undefined);
  });

  it('reads legacy bpf_map_def and iproute2 definitions', () => {
    for (const name of ['legacy_maps.o', 'legacy_maps.clang14.o']) {
      const spec = load(name);
      assert.deepEqual(spec.maps.map((m) => [m.name, m.kind, m.type, m.keySize, m.valueSize, m.maxEntries, m.flags, m.legacy?.layout]), [
        ['counts', 'legacy', 2, 4, 8, 256, 0, 'bpf_map_def'],
        ['seen', 'legacy', 1, 4, 4, 64, 1, 'bpf_map_def'],
      ]);
      const p = spec.program('socket');
      assert.equal(mapRef(p, 'seen').imm, 1);
    }
    const spec = load('legacy_iproute2.o');
    assert.deepEqual(spec.maps.map((m) => [m.name, m.type, m.keySize, m.valueSize, m.maxEntries, m.pinning, m.legacy?.layout, m.legacy?.id]), [
      ['tc_stats', 6, 4, 8, 2, 2, 'iproute2', 0],
      ['tc_hash', 1, 4, 4, 128, 0, 'iproute2', 1],
      ['tc_outer', 13, 4, 4, 1, 0, 'iproute2', 0],
    ]);
    // iproute2 names a map-in-map's template by id: tc_outer's inner_id 1 is tc_hash's id.
    assert.equal(spec.map('tc_outer').innerMap, spec.map('tc_hash'));
    const kv = spec.map('tc_hash');
    assert.equal(spec.btf!.typeById(kv.keyTypeId!).name, '__u32');
    assert.equal(spec.map('tc_stats').keyTypeId, undefined);
  });

  it('makes global data sections single-entry arrays, .rodata read-only to programs', () => {
    const spec = load('globals.o');
    assert.deepEqual(spec.maps.map((m) => m.name), ['.data', '.rodata', '.data.tuned', '.bss']);
    const rodata = spec.map('.rodata');
    assert.deepEqual([rodata.type, rodata.keySize, rodata.maxEntries, rodata.dataKind], [2, 4, 1, 'rodata']);
    assert.equal(rodata.flags & 0x80, 0x80, 'BPF_F_RDONLY_PROG');
    assert.equal(spec.map('.data').flags & 0x80, 0);
    const vars = (n: string): Record<string, [number, number]> =>
      Object.fromEntries(spec.map(n).variables!.map((v) => [v.name, [v.offset, v.size]]));
    assert.deepEqual(vars('.rodata'), { threshold: [0, 4], enabled: [4, 1] });
    assert.deepEqual(vars('.data'), { counter: [0, 4], hidden_total: [8, 8] });
    assert.deepEqual(vars('.data.tuned'), { tuned: [0, 4] });
    const data = new DataView(spec.map('.data').data!.buffer);
    assert.equal(data.getUint32(0, true), 7);
    assert.equal(data.getBigUint64(8, true), 100n);
    assert.equal(new DataView(spec.map('.rodata').data!.buffer).getUint32(0, true), 42);
    assert.ok(spec.map('.bss').data!.every((b) => b === 0));
    assert.equal(spec.map('.data').variables!.find((v) => v.name === 'hidden_total')!.global, false);
    // Every global the program touches is a MAP_IDX_VALUE at the variable's offset.
    const p = spec.program('globals_prog');
    const refs = p.references.filter((r) => r.kind === 'map_value');
    const touched = new Set(refs.map((r) => r.kind === 'map_value' && `${r.map}+${r.offset}`));
    for (const t of ['.data+0', '.data+8', '.rodata+0', '.rodata+4', '.data.tuned+0', '.bss+0']) assert.ok(touched.has(t), `${t} not referenced: ${[...touched]}`);
    for (const r of refs) {
      const ins = mapRef(p, r.map);
      assert.equal(ins.src, LddwSrc.MAP_IDX_VALUE);
    }
  });

  it('keeps string literals in a referenced .rodata', () => {
    const spec = load('strings.o');
    const ro = spec.maps.find((m) => m.dataKind === 'rodata')!;
    const text = new TextDecoder().decode(ro.data!);
    assert.ok(text.includes('packet of %u bytes') && text.includes('hello from ebee'), JSON.stringify(text));
    assert.ok(spec.program('strings_prog').references.some((r) => r.kind === 'map_value' && r.map === ro.name));
  });

  it('checks a BTF map definition against the BTF', () => {
    const spec = load('percpu_lpm.o');
    const t = spec.btf!.findByName('.maps', BtfKind.DATASEC);
    assert.ok(t && t.kind === BtfKind.DATASEC && t.size > 0, 'DATASEC sizes are fixed up');
  });
});

describe('parseObject: creation names and the CO-RE hook', () => {
  it('names maps for BPF_MAP_CREATE within 15 characters', async () => {
    const { kernelMapName, createSpecOf } = await import('./index.js');
    const spec = load('globals.o');
    assert.equal(kernelMapName(spec.map('.rodata'), 'globals'), 'globals.rodata');
    assert.equal(kernelMapName(spec.map('.data.tuned'), 'globals'), 'glob.data.tuned');
    assert.equal(kernelMapName(spec.map('.bss'), 'a-very-long-object-name'), 'a_very_long.bss');
    const outer = createSpecOf(load('map_in_map.o').map('outer'), 'mim');
    assert.deepEqual(outer, {
      type: 12, keySize: 4, valueSize: 4, maxEntries: 4, flags: 0, name: 'outer',
      innerMap: { type: 2, keySize: 4, valueSize: 4, maxEntries: 8, flags: 0, name: 'outer.inner' },
    });
    for (const m of load('xdp_parser.o').maps) assert.ok(createSpecOf(m).name.length <= 15);
  });

  it('hands CO-RE relocations to the relocator and uses what it returns', () => {
    const seen: string[] = [];
    const spec = parseObject(readFixture('core_local.o'), {
      coreRelocator: ({ name, insns, relos, btf }) => {
        seen.push(`${name}:${relos.length}`);
        assert.ok(btf.types.length > 1);
        // Mark each relocated instruction so the test can see the result was used.
        const at = new Set(relos.map((r) => r.pc));
        let pc = 0;
        return insns.map((i) => { const out = at.has(pc) ? { ...i, imm: 0x5eed } : i; pc += i.opcode === 0x18 ? 2 : 1; return out; });
      },
    });
    const p = spec.program('core_local');
    assert.deepEqual(seen, [`core_local:${p.coreRelos.length}`]);
    let pc = 0;
    const marked = new Set<number>();
    for (const i of p.insns) { if (i.imm === 0x5eed) marked.add(pc); pc += i.opcode === 0x18 ? 2 : 1; }
    assert.deepEqual([...marked].sort((a, b) => a - b), [...new Set(p.coreRelos.map((r) => r.pc))].sort((a, b) => a - b));
    assert.equal(p.coreApplied, true);
    assert.equal(load('core_local.o').program('core_local').coreApplied, false);
    assert.equal(load('subprogs.o').program('tc_first').coreApplied, true);
    assert.throws(() => parseObject(readFixture('core_local.o'), { coreRelocator: ({ insns }) => insns.slice(1) }),
      { code: ElfErrorCode.BAD_PROGRAM });
  });
});

describe('parseObject: bad relocations and definitions', () => {
  /** Patches relocation `n` of the section that applies to code section `target`. */
  function patchReloc(name: string, target: string, n: number, edit: (v: DataView, at: number) => void): Uint8Array {
    const bytes = readFixture(name).slice();
    const elf = parseObject(bytes).elf;
    const tgt = elf.section(target)!;
    const rel = elf.sections.find((s) => s.type === 9 && s.info === tgt.index)!;
    edit(new DataView(bytes.buffer), rel.offset + 16 * n);
    return bytes;
  }
  const fails = (bytes: Uint8Array, code: string, re: RegExp): void => {
    assert.throws(() => parseObject(bytes), (e: Error & { code?: string; section?: string }) => {
      assert.equal(e.code, code, e.message);
      assert.match(e.message, re);
      return true;
    });
  };

  it('refuses an object whose .BTF holds a type of kind 0 (BTF_KIND_UNKN), as libbpf and the kernel do', () => {
    const bytes = readFixture('xdp_parser.o').slice();
    const btf = parseObject(bytes).elf.section('.BTF')!;
    const v = new DataView(bytes.buffer, bytes.byteOffset);
    // btf_header.type_off at +8, header length at +4; type [1]'s info word is 4 bytes in.
    const info = btf.offset + v.getUint32(btf.offset + 4, true) + v.getUint32(btf.offset + 8, true) + 4;
    v.setUint32(info, v.getUint32(info, true) & 0xe0ffffff, true);
    assert.throws(() => parseObject(bytes), (e: Error & { code?: string; section?: string; cause?: { code?: string } }) => {
      assert.equal(e.code, ElfErrorCode.BAD_BTF, e.message);
      assert.equal(e.section, '.BTF');
      assert.equal(e.cause?.code, 'EBEE_BTF_UNKNOWN_KIND');
      assert.match(e.message, /type \[1\] has unknown kind 0/);
      return true;
    });
  });

  it('rejects a relocation on an instruction that is neither call nor lddw', () => {
    // tail_entry's lddw of jump_table is at byte 64 of xdp; byte 32 is tail_entry's first instruction.
    fails(patchReloc('tailcall.o', 'xdp', 0, (v, at) => v.setBigUint64(at, 32n, true)), ElfErrorCode.BAD_RELOCATION,
      /section xdp, tail_entry, offset 32: relocation on an instruction with opcode/);
  });
  it('rejects a relocation into the middle of an lddw', () => {
    fails(patchReloc('tailcall.o', 'xdp', 0, (v, at) => v.setBigUint64(at, 72n, true)), ElfErrorCode.BAD_RELOCATION,
      /not point at the start of an instruction/);
  });
  it('rejects an lddw relocated against a section that holds no maps or data', () => {
    const elf = parseObject(readFixture('tailcall.o')).elf;
    const licenseSym = elf.symbols.find((s) => s.name === 'LICENSE')!.index;
    fails(patchReloc('tailcall.o', 'xdp', 0, (v, at) => v.setUint32(at + 12, licenseSym, true)), ElfErrorCode.BAD_RELOCATION,
      /'LICENSE' in section 'license', which holds no maps or global data/);
  });
  it('rejects a call whose target is not an instruction of any function', () => {
    // subprogs: tc's second relocation is tc_second's call into .text via the section symbol; aim it past the end.
    const bytes = readFixture('subprogs.o').slice();
    const tc = parseObject(bytes).elf.section('tc')!;
    new DataView(bytes.buffer).setInt32(tc.offset + 6 * 8 + 4, 1000, true);
    fails(bytes, ElfErrorCode.UNRESOLVED, /call targets byte 8008 of section/);
  });
  it('rejects a prog-array slot that is not a function and a map lddw that is not a map start', () => {
    const elf = parseObject(readFixture('tailcall.o')).elf;
    const mapsIdx = elf.section('.maps')!.index;
    const licenseSym = elf.symbols.find((s) => s.name === 'LICENSE')!.index;
    const bytes = readFixture('tailcall.o').slice();
    const rel = elf.sections.find((s) => s.type === 9 && s.info === mapsIdx)!;
    new DataView(bytes.buffer).setUint32(rel.offset + 12, licenseSym, true);
    fails(bytes, ElfErrorCode.BAD_MAP, /slot 0 of a prog array names 'LICENSE', not a function/);
    const xdp = elf.section('xdp')!;
    const b2 = readFixture('tailcall.o').slice();
    new DataView(b2.buffer).setInt32(xdp.offset + 64 + 4, 8, true); // jump_table + 8
    fails(b2, ElfErrorCode.BAD_RELOCATION, /'jump_table' \(offset 8\) is not the start of a map definition/);
  });
  it('rejects a version section of the wrong size', () => {
    const bytes = readFixture('subprogs.o').slice();
    const elf = parseObject(bytes).elf;
    const v = new DataView(bytes.buffer);
    const shoff = Number(v.getBigUint64(40, true));
    v.setBigUint64(shoff + elf.section('version')!.index * 64 + 32, 2n, true);
    fails(bytes, ElfErrorCode.MALFORMED, /version section is 2 bytes/);
  });
});

describe('parseObject: globals by name and externs', () => {
  it('gives a writable view of a variable inside its map initial value', () => {
    const spec = load('globals.o');
    const t = spec.variable('threshold');
    assert.equal(t.map.name, '.rodata');
    assert.deepEqual([t.variable.offset, t.variable.size], [0, 4]);
    assert.equal(new DataView(t.bytes.buffer, t.bytes.byteOffset, 4).getUint32(0, true), 42);
    new DataView(t.bytes.buffer, t.bytes.byteOffset, 4).setUint32(0, 1500, true);
    assert.equal(new DataView(spec.map('.rodata').data!.buffer).getUint32(0, true), 1500);
    assert.equal(spec.variable('hits').map.name, '.bss');
    assert.throws(() => spec.variable('nope'), { code: ElfErrorCode.NOT_FOUND });
  });

  it('lists kfuncs, .kconfig and .ksyms externs with their BTF', () => {
    const spec = load('externs.o');
    assert.deepEqual(spec.externs.map((e) => [e.name, e.kind, e.programs]), [
      ['bpf_rcu_read_lock', 'kfunc', ['externs_prog']],
      ['bpf_rcu_read_unlock', 'kfunc', ['externs_prog']],
      ['bpf_prog_active', 'ksym', ['externs_prog']],
      ['LINUX_KERNEL_VERSION', 'kconfig', ['externs_prog']],
      ['CONFIG_BPF_SYSCALL', 'kconfig', ['externs_prog']],
    ]);
    for (const e of spec.externs) assert.equal(spec.btf!.typeById(e.typeId!).name, e.name);
    assert.equal(spec.maps.length, 0);
    assert.equal(spec.program('externs_prog').type, ProgramType.TRACING);
  });
});
