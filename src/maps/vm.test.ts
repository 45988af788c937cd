import { test } from 'node:test';
import assert from 'node:assert/strict';
import { assemble } from '../asm/index.js';
import { HelperRegistry, Vm, VmError, VmErrorCode } from '../vm/index.js';
import { MapFlag, MapType } from './constants.js';
import { MapRegistry } from './registry.js';
import { RingBufMap, ringbufCommit } from './ringbuf.js';

// The maps under the reference interpreter, in checked mode: a program's pointer from
// bpf_map_lookup_elem is a real address in the region table, and what the program
// stores there is what the syscall side reads.

function setup(cpus = 1): { reg: MapRegistry; vm: Vm } {
  const reg = new MapRegistry({ cpus });
  const helpers = new HelperRegistry()
    .register(1, 'map_lookup_elem', (_c, map, key) => reg.mapByAddress(map)!.lookupAddress(Number(key)))
    .register(2, 'map_update_elem', (_c, map, key, value, flags) =>
      reg.mapByAddress(map)!.updateElem(Number(key), Number(value), flags))
    .register(131, 'ringbuf_reserve', (_c, map, size, flags) => (reg.mapByAddress(map) as RingBufMap).reserve(size, flags))
    .register(132, 'ringbuf_submit', (_c, rec, flags) => { ringbufCommit(reg, Number(rec), false, flags); });
  return { reg, vm: new Vm({ space: reg.space, helpers }) };
}

const counter = (handle: number): string => `
  *(u32 *)(r10 - 4) = 7
  r1 = ${handle} ll
  r2 = r10
  r2 += -4
  call 1
  if r0 == 0 goto miss
  r1 = 5
  lock *(u64 *)(r0 + 0) += r1
  r0 = 1
  exit
miss:
  r0 = 0
  exit`;

test('a program increments a counter in an array and a per-CPU array', () => {
  const { reg, vm } = setup(2);
  const arr = reg.create({ type: MapType.ARRAY, keySize: 4, valueSize: 8, maxEntries: 8 });
  const prog = assemble(counter(arr.handle)).insns;
  assert.equal(vm.run(prog).r0, 1n);
  assert.equal(vm.run(prog).r0, 1n);
  assert.equal(arr.lookupU64(7), 10n);
  const pc = reg.create({ type: MapType.PERCPU_ARRAY, keySize: 4, valueSize: 8, maxEntries: 8 });
  const pprog = assemble(counter(pc.handle)).insns;
  vm.run(pprog);
  reg.currentCpu = 1;
  vm.run(pprog);
  vm.run(pprog);
  assert.deepEqual(pc.lookupPerCpu(7)!.map((v) => new DataView(v.buffer).getBigUint64(0, true)), [5n, 10n]);
});

test('hash map: a miss, then a syscall-side insert, then hits', () => {
  const { reg, vm } = setup();
  const h = reg.create({ type: MapType.HASH, keySize: 4, valueSize: 8, maxEntries: 8, flags: MapFlag.NO_PREALLOC });
  const prog = assemble(counter(h.handle)).insns;
  assert.equal(vm.run(prog).r0, 0n);
  h.update(7, 100n);
  assert.equal(vm.run(prog).r0, 1n);
  assert.equal(h.lookupU64(7), 105n);
});

test('BPF_F_RDONLY_PROG values fault when a program stores into them', () => {
  const { reg, vm } = setup();
  const ro = reg.create({ type: MapType.ARRAY, keySize: 4, valueSize: 8, maxEntries: 8, flags: MapFlag.RDONLY_PROG });
  assert.throws(() => vm.run(assemble(counter(ro.handle)).insns),
    (e: unknown) => e instanceof VmError && e.code === VmErrorCode.READ_ONLY);
});

test('a program reserves, fills and submits a ring buffer record', () => {
  const { reg, vm } = setup();
  const rb = reg.create({ type: MapType.RINGBUF, keySize: 0, valueSize: 0, maxEntries: 4096 }) as RingBufMap;
  const prog = assemble(`
    r1 = ${rb.handle} ll
    r2 = 16
    r3 = 0
    call 131
    if r0 == 0 goto full
    r6 = r0
    r1 = 0x1122334455667788 ll
    *(u64 *)(r6 + 0) = r1
    *(u64 *)(r6 + 8) = r1
    r1 = r6
    r2 = 0
    call 132
    r0 = 1
    exit
  full:
    r0 = 0
    exit`).insns;
  for (let i = 0; i < 3; i++) assert.equal(vm.run(prog).r0, 1n);
  const records = rb.consume();
  assert.equal(records.length, 3);
  assert.equal(new DataView(records[2]!.buffer).getBigUint64(8, true), 0x1122334455667788n);
});
