/**
 * Path-sensitive precision (backtrack.ts) end to end: a stored state is compared
 * exactly only in what the checks below *it* consulted, carried back along paths,
 * across calls and returns. Each program forks on a random number, so both orders of
 * the two paths are real paths the verifier must cover.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { lookup, offsetPathsStayApart, run } from './verify.test.fixture.js';

const BODY = Array.from({ length: 40 }, (_, k) => `r3 = ${k}`).join('\n');
/** Enough instructions for the join's state to be stored (states are stored sparsely). */
const PAD = Array.from({ length: 8 }, (_, k) => `r4 = ${k}`).join('\n');

/** r7 = a or b on two paths that join at `join:`. */
function fork(a: number, b: number): string {
  return `
    call 7
    if r0 == 0 goto other
    r7 = ${a}
    ${PAD}
    goto join
  other:
    r7 = ${b}
    ${PAD}
  join:`;
}

test('a number checked below some states at a pc is not compared at the others', () => {
  // r8 (the mode) is 0 or 1, then r7 is 1 or 2, on the same code; mode 1 (explored
  // first) checks r7, mode 0 may not. Per pc (path-insensitive) r7 would be precise at
  // the join for every state once mode 1 checked it; per path, only mode 1's states
  // there have it marked, and mode 0's two paths merge.
  const program = (mode0ChecksR7: boolean): string => `
    r8 = 0
    call 7
    if r0 == 0 goto mode
    r8 = 1
  mode:
    ${fork(1, 2)}
    ${BODY}
    if r8 == 0 goto mode0
    if r7 == 1 goto done
    r0 = 1
    exit
  mode0:
    ${mode0ChecksR7 ? 'if r7 == 1 goto done' : 'r3 = 0'}
    r0 = 1
    exit
  done:
    r0 = 0
    exit`;
  const apart = run(program(true), { recordStates: false });
  const merged = run(program(false), { recordStates: false });
  assert.equal(apart.ok, true, apart.error?.message);
  assert.equal(merged.ok, true, merged.error?.message);
  // Four runs of the body when both modes check r7, three when only one does.
  assert.ok(apart.stats.processedInsns > 4 * 40, `processed ${apart.stats.processedInsns}`);
  assert.ok(merged.stats.processedInsns < apart.stats.processedInsns - 30,
    `processed ${merged.stats.processedInsns}, ${apart.stats.processedInsns} when both modes check r7`);
});

test("a function's use of its argument as a pointer offset reaches the caller's paths", () => {
  const program = (a: number, b: number): string => `${fork(a, b)}
    ${BODY}
    ${lookup(0)}
    if r0 == 0 goto out
    r1 = r7
    r2 = r0
    call add_and_load
  out:
    r0 = 0
    exit
  add_and_load:
    r2 += r1
    r0 = *(u8 *)(r2 + 0)
    r0 = 0
    exit`;
  offsetPathsStayApart(program);
});

test("a function's result used as a pointer offset reaches what the function was given", () => {
  const program = (a: number, b: number): string => `${fork(a, b)}
    ${BODY}
    ${lookup(0)}
    if r0 == 0 goto out
    r6 = r0
    r1 = r7
    call identity
    r6 += r0
    r0 = *(u8 *)(r6 + 0)
  out:
    r0 = 0
    exit
  identity:
    r0 = r1
    exit`;
  offsetPathsStayApart(program);
});
