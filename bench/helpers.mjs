// Helper calls from JIT code: the generic import (every register crosses as a BigInt,
// r0 comes back as one) against a helper's typed import (i32 where the prototype
// allows), and the interpreter, on a loop of 1,000,000 calls to an array-lookup-like
// helper (map pointer, key pointer -> value pointer). Same run, median of RUNS.
const dist = process.env.EBEE_DIST ?? '../dist';
const { assemble, HelperRegistry, JitVm, Vm, MapType } = await import(`${dist}/index.js`);
const { createHelperEnv, createHelpers } = await import(`${dist}/helpers/index.js`);
import { median, RUNS } from './common.mjs';

const CALLS = 1_000_000;
const source = `
  r6 = ${CALLS}
  r7 = 0
loop:
  r1 = 70000
  r2 = r10
  r2 += -8
  call 1
  r7 += r0
  r6 += -1
  if r6 != 0 goto loop
  r0 = r7
  exit`;
const program = assemble(source).insns;
const lookup = (mapAddr, keyAddr) => (mapAddr + keyAddr) & 0xffff;

const generic = new HelperRegistry().register(1, 'lookup', (_c, r1, r2) => BigInt(lookup(Number(r1), Number(r2))));
const typed = new HelperRegistry().register(1, 'lookup', (_c, r1, r2) => BigInt(lookup(Number(r1), Number(r2))),
  { args: ['u32', 'u32'], ret: 'u32', fn: (_c, a, b) => lookup(a, b) });

function time(vm, options) {
  const ns = [];
  let r0;
  for (let i = 0; i <= RUNS; i++) {
    const t = process.hrtime.bigint();
    r0 = vm.run(program, options).r0;
    if (i > 0) ns.push(Number(process.hrtime.bigint() - t) / CALLS);
  }
  return { ns: median(ns), r0 };
}

// The real bpf_map_lookup_elem on an ARRAY map, with and without its fast path.
const env = createHelperEnv();
const array = env.maps.create({ type: MapType.ARRAY, keySize: 4, valueSize: 8, maxEntries: 4, name: 'a' });
const realTyped = createHelpers(env);
const realGeneric = new HelperRegistry(realTyped.list().map(({ id, name, fn }) => ({ id, name, fn })));
const mapSource = source.replace('r1 = 70000', `r1 = ${array.handle}`).replace('r2 = r10', '*(u32 *)(r10 - 8) = 0\n  r2 = r10');
const mapProgram = assemble(mapSource).insns;
function timeMap(vm) {
  const ns = [];
  for (let i = 0; i <= RUNS; i++) {
    const t = process.hrtime.bigint();
    vm.run(mapProgram, { checked: false });
    if (i > 0) ns.push(Number(process.hrtime.bigint() - t) / CALLS);
  }
  return median(ns);
}
const realRows = [
  ['jit, generic import', timeMap(new JitVm({ space: env.space, helpers: realGeneric }))],
  ['jit, typed import', timeMap(new JitVm({ space: env.space, helpers: realTyped }))],
];

const rows = [
  ['jit, generic import', time(new JitVm({ helpers: generic }), { checked: false })],
  ['jit, typed import', time(new JitVm({ helpers: typed }), { checked: false })],
  ['jit checked, typed import', time(new JitVm({ helpers: typed }))],
  ['interpreter, generic', time(new Vm({ helpers: generic }))],
  ['interpreter, typed', time(new Vm({ helpers: typed }))],
];
const base = rows[0][1];
for (const [, r] of rows) if (r.r0 !== base.r0) throw new Error(`results differ: ${r.r0} vs ${base.r0}`);
console.log(`helper calls (${CALLS.toLocaleString('en')} per run, median of ${RUNS}; loop overhead included)`);
for (const [name, r] of rows) console.log(`  ${name.padEnd(28)} ${r.ns.toFixed(1).padStart(6)} ns/call   ${(r.ns / base.ns).toFixed(2)}x generic`);
console.log('bpf_map_lookup_elem on an ARRAY map (ebee\'s helper table), unchecked JIT:');
for (const [name, ns] of realRows) console.log(`  ${name.padEnd(28)} ${ns.toFixed(1).padStart(6)} ns/call   ${(ns / realRows[0][1]).toFixed(2)}x generic`);
