import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readdirSync, writeFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { decode, insn, lddw, type Instruction } from '../../isa/index.js';
import {
  BtfBuilder, BtfError, BtfErrorCode, BtfKind, parseBtf, parseBtfExt, type Btf, type BtfCoreRelo,
} from '../index.js';
import {
  applyCoreRelocations, CORE_POISON_HELPER_ID, CoreReloKind, essentialName, parseCoreSpec, resolveCoreRelocation,
  typesMatch,
} from './index.js';
import { VMLINUX, fixturePath, readElf, repoRoot, rng, tryRun, vmlinux } from '../elf.test.fixture.js';

interface Loaded { btf: Btf; insns: Instruction[]; relos: BtfCoreRelo[] }

function loadObject(name: string, section: string): Loaded {
  return loadObjectAt(fixturePath(name), section);
}

function loadObjectAt(path: string, section: string): Loaded {
  const elf = readElf(path);
  const btf = parseBtf(elf.section('.BTF')!);
  const ext = parseBtfExt(elf.section('.BTF.ext')!, btf);
  return { btf, insns: decode(elf.section(section)!), relos: ext.coreRelos.get(section)! };
}

let vmlinuxBtf: Btf | undefined;
const target = (): Btf => (vmlinuxBtf ??= parseBtf(vmlinux()));
const noVmlinux = !existsSync(VMLINUX) && 'no ../shared/btf/vmlinux-6.18.btf.gz';

test('essential names drop the ___flavor suffix only', () => {
  assert.equal(essentialName('task_struct___v2'), 'task_struct');
  assert.equal(essentialName('task_struct'), 'task_struct');
  assert.equal(essentialName('a___b___c'), 'a___b');
  assert.equal(essentialName('___x'), '___x', 'no X before the separator');
  assert.equal(essentialName('x____y'), 'x____y', 'four underscores are not a separator');
  assert.equal(essentialName('x___'), 'x___');
});

test('CO-RE against vmlinux 6.18: every kind, flavors and poisoning', { skip: noVmlinux }, () => {
  const { btf, insns, relos } = loadObject('core.o', 'kprobe/do_nothing');
  const vm = target();
  const res = applyCoreRelocations(insns, relos, btf, vm);
  assert.equal(res.outcomes.length, relos.length);
  assert.equal(res.insns.length, insns.length, 'poisoning keeps the instruction count');
  const by = (desc: string): bigint[] => res.outcomes.filter((o) => o.description === desc).map((o) => o.newVal);
  const task = vm.findByName('task_struct', BtfKind.STRUCT)!;
  const skb = vm.findByName('sk_buff', BtfKind.STRUCT)!;
  const off = (t: number, f: string): number => vm.member(t, f)!.bitOffset;
  assert.deepEqual(by('byte_off struct task_struct::pid'), [BigInt(off(task.id, 'pid') / 8)]);
  assert.deepEqual(by('byte_off struct task_struct___v2::tgid'), [BigInt(off(task.id, 'tgid') / 8)], 'flavor resolves to task_struct');
  assert.deepEqual(by('byte_off struct task_struct::comm[3]'), [BigInt(off(task.id, 'comm') / 8 + 3)]);
  assert.deepEqual(by('byte_sz struct task_struct::comm'), [16n]);
  // fclone is a 2-bit field inside anonymous members of sk_buff.
  const fclone = vm.member(skb.id, 'fclone')!;
  assert.equal(fclone.member.bitfieldSize, 2);
  const byteOff = Math.floor(fclone.bitOffset / 8);
  assert.deepEqual(by('byte_off struct sk_buff::fclone'), [BigInt(byteOff)]);
  assert.deepEqual(by('lshift_u64 struct sk_buff::fclone'), [BigInt(64 - (fclone.bitOffset + 2 - byteOff * 8))]);
  assert.deepEqual(by('rshift_u64 struct sk_buff::fclone'), [62n, 62n]);
  assert.deepEqual(by('type_size struct sk_buff'), [BigInt(vm.sizeof(skb.id))]);
  assert.deepEqual(by('target_type_id struct task_struct'), [BigInt(task.id)]);
  assert.deepEqual(by('local_type_id struct task_struct'), [BigInt(btf.findByName('task_struct', BtfKind.STRUCT)!.id)]);
  assert.deepEqual(by('type_exists struct no_such_struct_anywhere'), [0n]);
  assert.deepEqual(by('type_matches pid_t'), [1n]);
  const mapType = vm.findByName('bpf_map_type', BtfKind.ENUM)!;
  const arrayValue = mapType.kind === BtfKind.ENUM ? mapType.values.find((v) => v.name === 'BPF_MAP_TYPE_ARRAY')!.value : -1n;
  assert.deepEqual(by('enumval_value enum bpf_map_type::BPF_MAP_TYPE_ARRAY'), [arrayValue]);
  assert.deepEqual(by('enumval_value enum bpf_map_type___local::BPF_MAP_TYPE_ARRAY___local'), [arrayValue]);
  assert.deepEqual(by('enumval_exists enum bpf_map_type::BPF_MAP_TYPE_NOT_IN_LINUX'), [0n]);
  assert.deepEqual(by('field_exists struct task_struct___fake::no_such_field_in_linux'), [0n]);
  // Exactly the unresolvable field access is poisoned, and it calls the poison helper.
  assert.deepEqual(res.poisoned.map((o) => o.description), ['byte_off struct task_struct___fake::no_such_field_in_linux']);
  const p = res.poisoned[0]!;
  assert.match(p.reason!, /no candidate has this field/);
  assert.deepEqual(res.insns[insns.findIndex((_i, k) => k === indexAtPc(insns, p.pc))], insn(0x85, 0, 0, 0, CORE_POISON_HELPER_ID));
  // The patched ALU immediate is the target's offset.
  const pidPc = res.outcomes.find((o) => o.description === 'byte_off struct task_struct::pid')!.pc;
  assert.equal(res.insns[indexAtPc(res.insns, pidPc)]!.imm, off(task.id, 'pid') / 8);
});

function indexAtPc(insns: readonly Instruction[], pc: number): number {
  let slot = 0;
  for (let i = 0; i < insns.length; i++) {
    if (slot === pc) return i;
    slot += insns[i]!.opcode === 0x18 ? 2 : 1;
  }
  return -1;
}

test('CO-RE between two object BTFs: moved and resized loads, anonymous members, flavors, type matching', () => {
  const { btf, insns, relos } = loadObject('core-local.o', 'tp_btf/test');
  const tgt = parseBtf(readElf(fixturePath('core-target.o')).section('.BTF')!);
  const res = applyCoreRelocations(insns, relos, btf, tgt);
  const at = (pc: number): Instruction => res.insns[indexAtPc(res.insns, pc)]!;
  const rec = tgt.findByName('record', BtfKind.STRUCT)!;
  // r->id: u32 at 0 becomes a u64 inside an anonymous struct in an anonymous union.
  const id = tgt.member(rec.id, 'id')!;
  assert.equal(at(0).offset, id.bitOffset / 8);
  assert.equal(at(0).opcode, 0x79, 'ldxw widened to ldxdw (unsigned: safe)');
  // r->delta: s32 -> long long cannot be resized: poisoned.
  assert.equal(at(3).imm, CORE_POISON_HELPER_ID);
  // r->in[2].b: target inner is 16 bytes, b at 8.
  assert.equal(at(6).offset, tgt.member(rec.id, 'in')!.bitOffset / 8 + 2 * 16 + 8);
  assert.equal(at(26).offset, tgt.member(rec.id, 'legacy')!.bitOffset / 8, 'record___old.legacy');
  const vals = new Map(res.outcomes.map((o) => [o.pc, o.newVal]));
  assert.equal(vals.get(28), 20n, 'MODE_B in the target');
  assert.equal(vals.get(31), 0x500000000n, 'enum64 value');
  assert.equal(vals.get(34), 1n, 'struct shape matches');
  assert.equal(vals.get(36), 0n, 'struct mismatch: int vs long');
  assert.equal(vals.get(40), BigInt(rec.kind === BtfKind.STRUCT ? rec.size : 0));
  assert.equal(res.poisoned.length, 2);
});

const CC = ['gcc', 'cc'].find((c) => tryRun(c, ['--version']) !== undefined);
const HAVE_LIBBPF = existsSync('/usr/include/bpf/libbpf.h');

test('CO-RE outcomes equal libbpf\'s on the same objects and targets', { skip: (!CC || !HAVE_LIBBPF) ? 'needs a C compiler and libbpf-dev' : false }, () => {
  const dir = mkdtempSync(join(tmpdir(), 'ebee-core-'));
  try {
    const exe = join(dir, 'relo');
    assert.ok(tryRun(CC!, [fixturePath('libbpf-relo.c'), '-o', exe, '-lbpf']) !== undefined, 'the oracle builds');
    // (object, section, target BTF file, target BTF)
    const cases: [string, string, string, () => Btf][] = [
      [fixturePath('core-local.o'), 'tp_btf/test', fixturePath('core-target.o'), () => parseBtf(readElf(fixturePath('core-target.o')).section('.BTF')!)],
    ];
    if (!noVmlinux) {
      const file = join(dir, 'vmlinux.btf');
      writeFileSync(file, vmlinux());
      cases.push([fixturePath('core.o'), 'kprobe/do_nothing', file, target]);
      // Every single-function section with CO-RE records in the ebpf-samples corpus.
      for (const obj of corpusObjects()) {
        let elf;
        try {
          elf = readElf(obj);
        } catch {
          continue;
        }
        const b = elf.section('.BTF');
        const e = elf.section('.BTF.ext');
        if (!b || !e) continue;
        const ext = parseBtfExt(e, parseBtf(b));
        for (const [sec, list] of ext.coreRelos) if (list.length && ext.funcInfo.get(sec)?.length === 1) cases.push([obj, sec, file, target]);
      }
    }
    let compared = 0;
    for (const [obj, section, targetFile, tgt] of cases) {
      const log = tryRunAll(exe, [obj, targetFile]);
      const { btf, insns, relos } = loadObjectAt(obj, section);
      const res = applyCoreRelocations(insns, relos, btf, tgt());
      for (let n = 0; n < relos.length; n++) {
        const o = res.outcomes[n]!;
        const what = `${obj} ${section} relo #${n} ${o.description}`;
        const patched = new RegExp(`relo #${n}: patched insn #${o.pc} \\((?:ALU/ALU64|LDX/ST/STX|LDIMM64)\\) (?:imm|off|imm64) -?\\d+ -> (-?\\d+)\\n`).exec(log);
        const poisoned = new RegExp(`relo #${n}: substituting insn #${o.pc} w/ invalid insn`).test(log);
        assert.equal(o.poisoned, poisoned, `${what}: poisoned`);
        if (!poisoned) {
          assert.ok(patched, `${what}: libbpf patched it`);
          assert.equal(BigInt.asIntN(64, o.newVal), BigInt.asIntN(64, BigInt(patched[1]!)), what);
          const sz = new RegExp(`relo #${n}: patched insn #${o.pc} \\(LDX/ST/STX\\) mem_sz (\\d+) -> (\\d+)`).exec(log);
          if (sz) assert.equal({ 0x00: 4, 0x08: 2, 0x10: 1, 0x18: 8 }[res.insns[indexAtPc(res.insns, o.pc)]!.opcode & 0x18], Number(sz[2]), `${what}: size`);
        }
        compared++;
      }
    }
    assert.ok(compared >= 70, `${compared} relocations compared`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

const SAMPLES = join(repoRoot(), '..', 'shared', 'corpora', 'ebpf-samples');

function corpusObjects(): string[] {
  const out: string[] = [];
  const walk = (d: string): void => {
    for (const e of readdirSync(d, { withFileTypes: true })) {
      if (e.isDirectory()) walk(join(d, e.name));
      else if (e.name.endsWith('.o')) out.push(join(d, e.name));
    }
  };
  if (existsSync(SAMPLES)) walk(SAMPLES);
  return out;
}

/** Runs a program that may exit non-zero (the oracle's load always fails) and returns its stdout. */
function tryRunAll(cmd: string, args: string[]): string {
  const r = spawnSync(cmd, args, { encoding: 'utf8', maxBuffer: 1 << 28 });
  return String(r.stdout);
}

/** A local and a target BTF built by hand for focused cases. */
function pair(): { local: Btf; target: Btf } {
  const l = new BtfBuilder();
  l.add({ kind: BtfKind.INT, name: 'int', size: 4, encoding: 1, bitOffset: 0, bits: 32 }); // 1
  l.add({ kind: BtfKind.STRUCT, name: 'foo___v2', size: 8, members: [
    { name: 'a', type: 1, bitOffset: 0, bitfieldSize: 0 }, { name: 'b', type: 1, bitOffset: 32, bitfieldSize: 0 }] }); // 2
  l.add({ kind: BtfKind.STRUCT, name: 'dup', size: 4, members: [{ name: 'a', type: 1, bitOffset: 0, bitfieldSize: 0 }] }); // 3
  const t = new BtfBuilder();
  t.add({ kind: BtfKind.INT, name: 'int', size: 4, encoding: 1, bitOffset: 0, bits: 32 }); // 1
  t.add({ kind: BtfKind.STRUCT, name: 'foo', size: 16, members: [
    { name: 'x', type: 1, bitOffset: 0, bitfieldSize: 0 }, { name: 'b', type: 1, bitOffset: 64, bitfieldSize: 0 },
    { name: 'a', type: 1, bitOffset: 96, bitfieldSize: 0 }] }); // 2
  t.add({ kind: BtfKind.STRUCT, name: 'dup', size: 4, members: [{ name: 'a', type: 1, bitOffset: 0, bitfieldSize: 0 }] }); // 3
  t.add({ kind: BtfKind.STRUCT, name: 'dup___x', size: 8, members: [{ name: 'a', type: 1, bitOffset: 32, bitfieldSize: 0 }] }); // 4
  return { local: parseBtf(l.build()), target: parseBtf(t.build()) };
}

const relo = (typeId: number, accessStr: string, kind: number, insnOff = 0): BtfCoreRelo => ({ insnOff, typeId, accessStr, accessStrOff: 0, kind });

test('local flavored type: offsets follow the target, lddw poisoning keeps both slots', () => {
  const { local, target } = pair();
  const insns = [insn(0xb7, 1, 0, 0, 4), lddw(2, 8), insn(0x61, 3, 1, 0, 0), insn(0x95, 0, 0, 0, 0)];
  const res = applyCoreRelocations(insns, [
    relo(2, '0:1', CoreReloKind.FIELD_BYTE_OFFSET, 0),
    relo(2, '0:0', CoreReloKind.FIELD_BYTE_OFFSET, 24),
    relo(2, '0', CoreReloKind.TYPE_SIZE, 8),
  ], local, target);
  assert.equal(res.insns[0]!.imm, 8, 'foo___v2.b -> foo.b at 8');
  assert.equal(res.insns[1]!.imm64, 16n, 'sizeof(foo)');
  assert.equal(res.insns[2]!.offset, 12, 'load of foo.a');
  // A relocation that cannot resolve poisons an lddw as two calls.
  const p = applyCoreRelocations(insns, [relo(2, '0:1', CoreReloKind.FIELD_BYTE_OFFSET, 8)], local, parseBtf(new BtfBuilder().build()));
  assert.equal(p.insns.length, insns.length + 1);
  assert.deepEqual(p.insns.slice(1, 3).map((i) => [i.opcode, i.imm]), [[0x85, CORE_POISON_HELPER_ID], [0x85, CORE_POISON_HELPER_ID]]);
  assert.equal(p.poisoned[0]!.pc, 1);
});

test('bad relocations are CORE_RELO errors naming the instruction', () => {
  const { local, target } = pair();
  const insns = [insn(0xb7, 1, 0, 0, 99), insn(0x95, 0, 0, 0, 0)];
  const fails = (relos: BtfCoreRelo[], re: RegExp, tgt = target): void => {
    assert.throws(() => applyCoreRelocations(insns, relos, local, tgt), (e: unknown) =>
      e instanceof BtfError && e.code === BtfErrorCode.CORE_RELO && re.test(e.message));
  };
  fails([relo(2, '0:1', CoreReloKind.FIELD_BYTE_OFFSET)], /holds 99, the local BTF says 4/);
  fails([relo(2, '0:7', CoreReloKind.FIELD_BYTE_OFFSET)], /has no member 7/);
  fails([relo(2, 'x', CoreReloKind.FIELD_BYTE_OFFSET)], /malformed access string/);
  fails([relo(2, '0:1', 13)], /unknown CO-RE relocation kind 13/);
  fails([relo(2, '0:1', CoreReloKind.FIELD_BYTE_OFFSET, 4)], /starts no instruction/);
  fails([relo(2, '0:1', CoreReloKind.FIELD_BYTE_OFFSET, 800)], /starts no instruction/);
  // `dup` has two candidates (dup and dup___x) that place `a` differently.
  fails([relo(3, '0:0', CoreReloKind.FIELD_BYTE_OFFSET)], /candidates disagree on the field offset/);
});

test('type matching follows names, sizes and signedness', () => {
  const b = new BtfBuilder();
  b.add({ kind: BtfKind.INT, name: 'int', size: 4, encoding: 1, bitOffset: 0, bits: 32 }); // 1
  b.add({ kind: BtfKind.INT, name: 'unsigned int', size: 4, encoding: 0, bitOffset: 0, bits: 32 }); // 2
  b.add({ kind: BtfKind.TYPEDEF, name: 'pid_t', type: 1 }); // 3
  b.add({ kind: BtfKind.TYPEDEF, name: 'pid_t', type: 2 }); // 4
  b.add({ kind: BtfKind.FWD, name: 's', kindFlag: false }); // 5
  b.add({ kind: BtfKind.STRUCT, name: 's', size: 4, members: [{ name: 'v', type: 1, bitOffset: 0, bitfieldSize: 0 }] }); // 6
  b.add({ kind: BtfKind.PTR, name: '', type: 5 }); // 7
  b.add({ kind: BtfKind.PTR, name: '', type: 6 }); // 8
  const btf = parseBtf(b.build());
  assert.equal(typesMatch(btf, 3, btf, 3), true);
  assert.equal(typesMatch(btf, 3, btf, 4), false, 'signedness differs');
  assert.equal(typesMatch(btf, 8, btf, 7), true, 'a struct behind a pointer matches its forward declaration');
  assert.equal(typesMatch(btf, 6, btf, 5), false, 'but not when embedded');
});

test('fuzz: random access strings and kinds give values or CORE_RELO errors, never crashes', { skip: noVmlinux }, () => {
  const { btf } = loadObject('core.o', 'kprobe/do_nothing');
  const rand = rng(99);
  for (let i = 0; i < 3000; i++) {
    const steps = 1 + Math.floor(rand() * 4);
    const access = Array.from({ length: steps }, () => String(Math.floor(rand() * 6))).join(':');
    const r = relo(1 + Math.floor(rand() * (btf.length - 1)), rand() < 0.1 ? '0' : access, Math.floor(rand() * 14));
    try {
      resolveCoreRelocation(r, btf, target());
    } catch (err) {
      assert.ok(err instanceof BtfError, `${JSON.stringify(r)}: ${String(err)}`);
    }
  }
  assert.throws(() => parseCoreSpec(btf, 2, '0:' + '0:'.repeat(70) + '0', CoreReloKind.FIELD_BYTE_OFFSET), BtfError);
});

test('unsigned 32-bit enumerators at or above 2^31 relocate as unsigned values', () => {
  const mk = (v: bigint): Btf => {
    const b = new BtfBuilder();
    b.add({ kind: BtfKind.ENUM, name: 'big32', size: 4, values: [{ name: 'B32', value: v }] });
    return parseBtf(b.build());
  };
  // clang loads the local value zero-extended; libbpf 1.1 sign-extends it and refuses the
  // instruction. The enum is unsigned (kind_flag clear), so the target value is 0x90000000.
  const res = applyCoreRelocations([lddw(0, 0x80000000n), insn(0x95, 0, 0, 0, 0)], [relo(1, '0', CoreReloKind.ENUMVAL_VALUE)], mk(0x80000000n), mk(0x90000000n));
  assert.equal(res.insns[0]!.imm64, 0x90000000n);
});
