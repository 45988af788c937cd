/**
 * Pruning with stack liveness and precision: paths that differ only in what nothing
 * reads again, or in numbers no check looks at, are merged; paths that differ in a
 * number a later check depends on (a pointer offset, a decided branch), even through a
 * stack slot, are not. Each program forks on a random number, so both orders of the
 * two paths are real paths the verifier must cover.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { StackLiveness } from './stack-liveness.js';
import { predecessors } from './cfg.js';
import { lookup, offsetPathsStayApart, run } from './verify.test.fixture.js';

/** Two paths that store `a` or `b` at fp-`slot`, then join at `join:`. */
function fork(a: number, b: number, slot = 8): string {
  return `
    call 7
    if r0 == 0 goto other
    r1 = ${a}
    *(u64 *)(r10 - ${slot}) = r1
    goto join
  other:
    r1 = ${b}
    *(u64 *)(r10 - ${slot}) = r1
  join:`;
}

/** A long straight run after the join, so pruning shows in the processed count. */
const BODY = Array.from({ length: 40 }, (_, k) => `r3 = ${k}`).join('\n');

test('a slot whose value becomes a pointer offset keeps the paths apart', () => {
  const program = (a: number, b: number): string => `${fork(a, b, 16)}
    ${BODY}
    ${lookup(0)}
    if r0 == 0 goto out
    r1 = *(u64 *)(r10 - 16)
    r0 += r1
    r0 = *(u8 *)(r0 + 0)
  out:
    r0 = 0
    exit`;
  offsetPathsStayApart(program);
});

test('a register a later branch decides on keeps the paths apart', () => {
  const program = (a: number, b: number): string => `
    call 7
    if r0 == 0 goto other
    r7 = ${a}
    goto join
  other:
    r7 = ${b}
  join:
    ${BODY}
    if r7 == 0 goto out
    r0 = *(u8 *)(r7 + 0)
  out:
    r0 = 0
    exit`;
  for (const [a, b] of [[0, 1], [1, 0]]) {
    const r = run(program(a, b), { recordStates: false });
    assert.equal(r.ok, false, 'the path with r7 != 0 dereferences a number');
    assert.match(r.error!.message, /R7 invalid mem access 'scalar'/);
  }
});

test('paths differing in a dead slot or in an unchecked number are merged', () => {
  const dead = run(`${fork(1, 2, 24)}
    ${BODY}
    r0 = 0
    exit`, { recordStates: false });
  const unchecked = run(`${fork(1, 2)}
    ${BODY}
    r1 = *(u64 *)(r10 - 8)
    r1 += 1
    *(u64 *)(r10 - 8) = r1
    r0 = 0
    exit`, { recordStates: false });
  for (const r of [dead, unchecked]) {
    assert.equal(r.ok, true, r.error?.message);
    // Without merging both paths run the body: at least 2 * 40 instructions.
    assert.ok(r.stats.processedInsns < 70, `processed ${r.stats.processedInsns}`);
  }
  // Without pruning the same programs take both paths through the body.
  const unpruned = run(`${fork(1, 2, 24)}\n${BODY}\nr0 = 0\nexit`, { recordStates: false, prune: false });
  assert.ok(unpruned.stats.processedInsns > 80);
});

test('stack liveness: uses flow back until a whole-slot store', () => {
  // 0 -> 1 -> 2 -> 3, and 1 -> 3: a read at 3, a whole-slot store at 2.
  const succ = [[1], [2, 3], [3], []];
  const live = new StackLiveness(succ, predecessors(succ));
  live.wrote(2, 0);
  live.read(3, -8, 0); // slot 0
  assert.deepEqual([0, 1, 2, 3].map((pc) => live.at(pc).lo), [1, 1, 0, 1]);
  // A later visit of 2 stores only 4 bytes: slot 0 is no longer always overwritten there.
  live.wrote(2, undefined);
  assert.equal(live.at(2).lo, 1);
  live.read(0, -24, -12); // slots 1 and 2
  assert.equal(live.at(0).lo, 0b111);
});
