import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import {
  BtfBuilder, BtfError, BtfErrorCode, BtfKind, dumpBtfC, dumpRawType, parseBtf, type Btf, type BtfTypeInput,
} from './index.js';
import { VMLINUX, fixturePath, readElf, rng, vmlinux } from './elf.test.fixture.js';


/** One type of every kind 1-19, with the encodings each kind can carry. */
export function everyKind(): BtfTypeInput[] {
  return [
    /* 1 */ { kind: BtfKind.INT, name: 'int', size: 4, encoding: 1, bitOffset: 0, bits: 32 },
    /* 2 */ { kind: BtfKind.PTR, name: '', type: 4 },
    /* 3 */ { kind: BtfKind.ARRAY, name: '', elemType: 1, indexType: 1, nelems: 7 },
    /* 4 */ {
      kind: BtfKind.STRUCT, name: 'node', size: 16, members: [
        { name: 'next', type: 2, bitOffset: 0, bitfieldSize: 0 },
        { name: 'flags', type: 1, bitOffset: 64, bitfieldSize: 3 },
        { name: 'more', type: 1, bitOffset: 67, bitfieldSize: 29 },
      ],
    },
    /* 5 */ { kind: BtfKind.UNION, name: 'u', size: 4, members: [{ name: 'i', type: 1, bitOffset: 0, bitfieldSize: 0 }] },
    /* 6 */ { kind: BtfKind.ENUM, name: 'e', size: 4, values: [{ name: 'A', value: -1n }, { name: 'B', value: 5n }] },
    /* 7 */ { kind: BtfKind.FWD, name: 'later', kindFlag: true },
    /* 8 */ { kind: BtfKind.TYPEDEF, name: 'node_t', type: 4 },
    /* 9 */ { kind: BtfKind.VOLATILE, name: '', type: 8 },
    /* 10 */ { kind: BtfKind.CONST, name: '', type: 9 },
    /* 11 */ { kind: BtfKind.RESTRICT, name: '', type: 2 },
    /* 12 */ { kind: BtfKind.FUNC, name: 'f', type: 13, linkage: 1 },
    /* 13 */ { kind: BtfKind.FUNC_PROTO, name: '', returnType: 1, params: [{ name: 'a', type: 1 }, { name: '', type: 0 }] },
    /* 14 */ { kind: BtfKind.VAR, name: 'v', type: 1, linkage: 1 },
    /* 15 */ { kind: BtfKind.DATASEC, name: '.data', size: 8, vars: [{ type: 14, offset: 4, size: 4 }] },
    /* 16 */ { kind: BtfKind.FLOAT, name: 'double', size: 8 },
    /* 17 */ { kind: BtfKind.DECL_TAG, name: 'tag', type: 4, componentIdx: 1 },
    /* 18 */ { kind: BtfKind.TYPE_TAG, name: 'user', type: 1 },
    /* 19 */ { kind: BtfKind.ENUM64, name: 'e64', size: 8, values: [{ name: 'X', value: 0xfedcba9876543210n }] },
  ];
}

function build(types: BtfTypeInput[], littleEndian = true): Uint8Array {
  const b = new BtfBuilder({ littleEndian });
  for (const t of types) b.add(t);
  return b.build();
}

/** Type records without ids and string offsets, for comparing two parses. */
function shape(btf: Btf): unknown[] {
  return btf.types.map((t) => JSON.stringify(t, (k, v) => (k === 'nameOff' ? undefined : typeof v === 'bigint' ? `${v}n` : v)));
}

function expectBtfError(fn: () => unknown, code?: string): BtfError {
  try {
    fn();
  } catch (err) {
    assert.ok(err instanceof BtfError, `expected a BtfError, got ${String(err)}`);
    if (code) assert.equal(err.code, code, err.message);
    return err;
  }
  assert.fail('expected a BtfError');
}

test('every kind 1-19 round-trips through the writer and the reader, in both byte orders', () => {
  const input = everyKind();
  for (const le of [true, false]) {
    const btf = parseBtf(build(input, le));
    assert.equal(btf.littleEndian, le);
    assert.equal(btf.length, input.length + 1);
    for (let id = 1; id <= input.length; id++) {
      const t = btf.typeById(id);
      assert.equal(t.id, id);
      assert.equal(t.kind, id, `type ${id} has kind ${id}`);
      for (const [k, v] of Object.entries(input[id - 1]!)) {
        if (k === 'kindFlag') continue;
        const got = (t as unknown as Record<string, unknown>)[k];
        assert.deepEqual(JSON.parse(JSON.stringify(got, big)), JSON.parse(JSON.stringify(v, big)), `type ${id} field ${k}`);
      }
    }
    // kind_flag derived where the kind uses it.
    assert.equal(btf.typeById(4).kindFlag, true, 'struct with bitfields');
    assert.equal(btf.typeById(5).kindFlag, false);
    assert.equal(btf.typeById(6).kindFlag, true, 'enum with a negative value');
    assert.equal(btf.typeById(7).kindFlag, true, 'forward declaration of a union');
    assert.equal(btf.typeById(19).kindFlag, false);
  }
  assert.deepEqual(shape(parseBtf(build(input, true))), shape(parseBtf(build(input, false))));
});

function big(k: string, v: unknown): unknown {
  return k === 'nameOff' ? undefined : typeof v === 'bigint' ? v.toString() : v;
}

test('queries: names, resolve, sizeof, alignof, members', () => {
  const btf = parseBtf(build(everyKind()));
  assert.equal(btf.findByName('node')?.id, 4);
  assert.equal(btf.findByName('node', BtfKind.TYPEDEF), undefined);
  assert.equal(btf.findByName('node_t', BtfKind.TYPEDEF)?.id, 8);
  assert.equal(btf.resolveId(10), 4, 'const -> volatile -> typedef -> struct');
  assert.equal(btf.skipModifiers(10), 8, 'stops at the typedef');
  assert.equal(btf.resolve(18).id, 1, 'type tag skipped');
  assert.equal(btf.sizeof(3), 28);
  assert.equal(btf.sizeof(10), 16);
  assert.equal(btf.sizeof(2), 8);
  assert.equal(btf.sizeof(14), 4, 'a VAR has the size of its type');
  assert.equal(btf.alignof(4), 8);
  assert.equal(btf.alignof(3), 4);
  expectBtfError(() => btf.sizeof(0), BtfErrorCode.NO_SIZE);
  expectBtfError(() => btf.sizeof(7), BtfErrorCode.NO_SIZE);
  expectBtfError(() => btf.sizeof(13), BtfErrorCode.NO_SIZE);
  expectBtfError(() => btf.typeById(20), BtfErrorCode.BAD_TYPE_ID);
  expectBtfError(() => btf.typeById(-1), BtfErrorCode.BAD_TYPE_ID);
  const m = btf.member(10, 'more');
  assert.deepEqual([m?.bitOffset, m?.member.bitfieldSize, m?.path], [67, 29, [2]]);
  assert.equal(btf.str(btf.typeById(4).nameOff), 'node');
});

test('a typedef loop is a BtfError, not a hang', () => {
  const btf = parseBtf(build([
    { kind: BtfKind.TYPEDEF, name: 'a', type: 2 },
    { kind: BtfKind.TYPEDEF, name: 'b', type: 1 },
    { kind: BtfKind.ARRAY, name: '', elemType: 3, indexType: 0, nelems: 2 },
  ]));
  expectBtfError(() => btf.resolve(1), BtfErrorCode.LOOP);
  expectBtfError(() => btf.sizeof(2), BtfErrorCode.LOOP);
  expectBtfError(() => btf.sizeof(3), BtfErrorCode.LOOP);
  expectBtfError(() => btf.alignof(3), BtfErrorCode.LOOP);
});

test('vmlinux 6.18: every type parses, and the layout is self-consistent', { skip: !existsSync(VMLINUX) && 'no ../shared/btf/vmlinux-6.18.btf.gz' }, () => {
  const btf = parseBtf(vmlinux());
  assert.equal(btf.length - 1, 126585, 'the type count its README gives');
  let structs = 0;
  for (const t of btf.types) {
    if (t.kind !== BtfKind.STRUCT && t.kind !== BtfKind.UNION) continue;
    structs++;
    for (const m of t.members) {
      // Every member lies inside its struct (flexible arrays have size 0).
      const bits = m.bitfieldSize || 8 * btf.sizeof(m.type);
      assert.ok(m.bitOffset + bits <= 8 * t.size, `${t.name}.${m.name} ends inside ${t.size} bytes`);
    }
  }
  assert.ok(structs > 10000);
  const task = btf.findByName('task_struct', BtfKind.STRUCT)!;
  assert.equal(btf.sizeof(task.id), task.kind === BtfKind.STRUCT ? task.size : -1);
  const pid = btf.member(task.id, 'pid')!;
  assert.equal(btf.resolve(pid.member.type).name, 'int', 'pid_t is an int');
});

test('vmlinux round-trips through the writer byte for byte', { skip: !existsSync(VMLINUX) && 'no vmlinux BTF' }, () => {
  const bytes = vmlinux();
  const out = BtfBuilder.from(parseBtf(bytes)).build();
  assert.equal(out.length, bytes.length);
  assert.ok(Buffer.from(out).equals(Buffer.from(bytes)), 'identical bytes');
});

test('object-file BTF round-trips: parse, write with fresh strings, parse again gives the same types', () => {
  const elf = readElf(fixturePath('types.o'));
  const btf = parseBtf(elf.section('.BTF')!);
  const again = parseBtf(BtfBuilder.from(btf).build());
  assert.deepEqual(shape(again), shape(btf));
  const fresh = new BtfBuilder();
  for (const t of btf.types.slice(1)) fresh.add(t as BtfTypeInput);
  assert.deepEqual(shape(parseBtf(fresh.build())), shape(btf));
});

test('split BTF continues the base ids and string offsets', () => {
  const base = parseBtf(build(everyKind()));
  const b = new BtfBuilder();
  b.add({ kind: BtfKind.PTR, name: '', type: 4 });
  b.add({ kind: BtfKind.TYPEDEF, name: 'module_t', type: 20 });
  const raw = b.build();
  // Rebase the blob's own string offsets as a split BTF's would be.
  const v = new DataView(raw.buffer);
  const shift = base.strings.length;
  const strOff = 24 + v.getUint32(16, true);
  v.setUint32(24 + 12, v.getUint32(24 + 12, true) - 1 + shift, true);
  const strings = raw.slice(strOff + 1);
  const split = new Uint8Array(strOff + strings.length);
  split.set(raw.subarray(0, strOff));
  split.set(strings, strOff);
  new DataView(split.buffer).setUint32(20, strings.length, true);
  const btf = parseBtf(split, { base });
  assert.equal(btf.length, 22);
  assert.equal(btf.typeById(21).name, 'module_t');
  assert.equal(btf.resolveId(21), 20, 'the typedef resolves to the split pointer');
  assert.equal(btf.resolve((btf.typeById(20) as { type: number }).type).name, 'node', 'which points into the base');
  assert.equal(btf.typeById(1).name, 'int');
});

test('malformed BTF: each defect is a BtfError naming its byte offset', () => {
  const good = build(everyKind());
  const mutate = (f: (v: DataView, b: Uint8Array) => void): Uint8Array => {
    const b = good.slice();
    f(new DataView(b.buffer), b);
    return b;
  };
  const cases: [string, Uint8Array, string, number][] = [
    ['bad magic', mutate((v) => v.setUint16(0, 0x1234, true)), BtfErrorCode.MALFORMED, 0],
    ['version 2', mutate((v) => v.setUint8(2, 2)), BtfErrorCode.MALFORMED, 2],
    ['truncated header', good.slice(0, 20), BtfErrorCode.MALFORMED, 0],
    ['types past the end', mutate((v) => v.setUint32(12, 0xfffffff0, true)), BtfErrorCode.MALFORMED, 8],
    ['strings past the end', mutate((v) => v.setUint32(20, 1 << 20, true)), BtfErrorCode.MALFORMED, 16],
    ['unknown kind', mutate((v) => v.setUint32(28, 20 << 24, true)), BtfErrorCode.UNKNOWN_KIND, 28],
    ['kind 0', mutate((v) => v.setUint32(28, 0, true)), BtfErrorCode.UNKNOWN_KIND, 28],
    ['reference past the last type', mutate((v) => v.setUint32(24 + 16 + 8, 99, true)), BtfErrorCode.BAD_TYPE_ID, 24 + 16],
    ['name outside the strings', mutate((v) => v.setUint32(24, 1 << 20, true)), BtfErrorCode.MALFORMED, 24],
    ['vlen past the section', mutate((v) => v.setUint32(24 + 16 + 12 + 4, (4 << 24) | 0xffff, true)), BtfErrorCode.MALFORMED, 24 + 28],
    ['string section without final NUL', good.slice(0, good.length - 1), BtfErrorCode.MALFORMED, -1],
  ];
  for (const [what, bytes, code, offset] of cases) {
    const err = expectBtfError(() => parseBtf(bytes), code);
    if (offset >= 0) assert.equal(err.offset, offset, `${what}: ${err.message}`);
    else assert.ok(err.offset !== undefined, what);
  }
});

/** Parses, then asks every question of every type and dumps it: only BtfErrors may come out. */
function survive(bytes: Uint8Array): void {
  let btf: Btf;
  try {
    btf = parseBtf(bytes);
  } catch (err) {
    if (!(err instanceof BtfError)) throw err;
    return;
  }
  for (const t of btf.types) {
    for (const q of [() => btf.resolve(t.id), () => btf.sizeof(t.id), () => btf.alignof(t.id), () => btf.member(t.id, 'x'),
      () => dumpRawType(btf, t), () => dumpBtfC(btf, { rootIds: [t.id] })]) {
      try {
        q();
      } catch (err) {
        if (!(err instanceof BtfError)) throw err;
      }
    }
  }
}

test('fuzz: mutated and truncated BTF never crashes', () => {
  const seeds = [build(everyKind()), build(everyKind(), false), readElf(fixturePath('types.o')).section('.BTF')!];
  const rand = rng(0x5eed);
  for (const seed of seeds) {
    for (let n = 0; n <= seed.length; n += Math.max(1, seed.length >> 6)) survive(seed.subarray(0, n));
    for (let i = 0; i < 1500; i++) {
      const b = seed.slice();
      const edits = 1 + Math.floor(rand() * 4);
      for (let e = 0; e < edits; e++) {
        const at = Math.floor(rand() * b.length);
        b[at] = rand() < 0.3 ? 0xff : Math.floor(rand() * 256);
      }
      survive(b);
    }
  }
});
