/**
 * Tail calls, spin locks and strings.
 *
 * bpf_tail_call: on success the run ends at once (`TailCallRequest`, which the engine
 * turns into `RunResult.tailCall` for the runtime's trampoline, the counter carried in
 * `env.tailCalls`); on failure the program goes on with r0 = -errno: -EINVAL for a map
 * that is not a PROG_ARRAY, -ENOENT for an index out of range or an empty slot,
 * -E2BIG past MAX_TAIL_CALL_CNT (33) tail calls. As in Linux, an attempt on an empty slot
 * counts towards the limit; one with an index out of range does not. (Linux's inlined tail call leaves r0
 * as it was on failure; the verifier makes programs not rely on it.)
 *
 * Spin locks: one program runs at a time in ebee, so a lock is never contended; the
 * env tracks which locks are held, so taking a held lock (a deadlock in Linux) or
 * releasing a free one is an error rather than a hang.
 */
import { ProgArrayMap } from '../maps/index.js';
import { TailCallRequest } from '../vm/index.js';
import { HErrno, MAX_TAIL_CALL_CNT } from './constants.js';
import { readBytes, readable, sizeArg, cString, u32, writable } from './access.js';
import { HelperError, HelperErrorCode } from './errors.js';
import { mapArg, type ImplTable } from './impl.js';

/** sizeof(struct bpf_spin_lock). */
const SPIN_LOCK_SIZE = 4;

export const MISC_IMPLS: ImplTable = {
  tail_call(env, _ctx, _ctxArg, map, index) {
    const m = mapArg(env, map, 'tail_call');
    if (!(m instanceof ProgArrayMap)) return -HErrno.EINVAL;
    const i = u32(index);
    if (i >= m.maxEntries) return -HErrno.ENOENT;
    if (env.tailCalls >= MAX_TAIL_CALL_CNT) return -HErrno.E2BIG;
    // Linux counts the attempt before looking at the slot: an empty slot uses up a tail call too.
    env.tailCalls++;
    const target = m.tailCallTarget(i);
    if (!target) return -HErrno.ENOENT;
    throw new TailCallRequest(target.program);
  },
  spin_lock(env, ctx, lock) {
    const at = writable(ctx, lock, SPIN_LOCK_SIZE);
    if (env.heldLocks.has(at)) {
      throw new HelperError(HelperErrorCode.LOCK_MISUSE, `bpf_spin_lock: the lock at 0x${at.toString(16)} is already held (a deadlock in Linux)`);
    }
    env.heldLocks.add(at);
    ctx.space.view.setUint32(at, 1, true);
  },
  spin_unlock(env, ctx, lock) {
    const at = writable(ctx, lock, SPIN_LOCK_SIZE);
    if (!env.heldLocks.delete(at)) {
      throw new HelperError(HelperErrorCode.LOCK_MISUSE, `bpf_spin_unlock: the lock at 0x${at.toString(16)} is not held`);
    }
    ctx.space.view.setUint32(at, 0, true);
  },
  strncmp(_env, ctx, s1, size, s2) {
    // The kernel's strncmp: unsigned bytes, -1 / 0 / 1, stops at a NUL or after size bytes.
    const n = sizeArg(size, 'bpf_strncmp size');
    const a = readBytes(ctx, s1, n);
    const b = cString(ctx.space, readable(ctx, s2, 1), n) ?? new Uint8Array(0);
    for (let i = 0; i < n; i++) {
      const c1 = a[i]!;
      const c2 = i < b.length ? b[i]! : 0;
      if (c1 !== c2) return c1 < c2 ? -1 : 1;
      if (c1 === 0) break;
    }
    return 0;
  },
};
