import { test } from 'node:test';
import assert from 'node:assert/strict';
import { assemble } from '../asm/index.js';
import { HelperRegistry, TailCallRequest, Vm } from '../vm/index.js';
import { JitVm } from './index.js';

// Helper 12 stands in for bpf_tail_call: it succeeds when r3 is 1 (the runtime's
// implementation decides that from the PROG_ARRAY) and fails with -ENOENT otherwise.
function tailCallHelpers(calls: bigint[]): HelperRegistry {
  return new HelperRegistry().register(12, 'tail_call', (_ctx, r1, _r2, r3) => {
    calls.push(r1);
    if (r3 === 1n) throw new TailCallRequest({ next: 'target' });
    return -2;
  }).register(5, 'identity', (_ctx, r1) => r1);
}

const source = `
  r6 = r1
  r3 = r6
  r0 = 7
  *(u64 *)(r10 - 8) = r0
  call 12
  r0 += 100
  exit
`;

const engines = [
  ['interpreter', (helpers: HelperRegistry) => new Vm({ helpers })],
  ['jit', (helpers: HelperRegistry) => new JitVm({ helpers })],
] as const;

for (const [name, make] of engines) {
  test(`${name}: a successful tail call ends the run and names the next program; a failed one returns`, () => {
    const calls: bigint[] = [];
    const vm = make(tailCallHelpers(calls));
    const program = assemble(source).insns;
    const hit = vm.run(program, { args: [1n] });
    assert.deepEqual(hit.tailCall, { next: 'target' });
    assert.equal(hit.r0, 0n);
    assert.equal(hit.executed, 5);
    const miss = vm.run(program, { args: [0n] });
    assert.equal(miss.tailCall, undefined);
    assert.equal(miss.r0, 98n);
    assert.deepEqual(calls, [1n, 0n]);
  });
}
