/**
 * bpf_get_stack and bpf_get_stackid over synthetic stacks (`env.stacks`: instruction
 * pointers, innermost first), with Linux's flags: skip the innermost frames
 * (BPF_F_SKIP_FIELD_MASK), the user stack instead of the kernel's
 * (BPF_F_USER_STACK), build-id entries for user stacks (BPF_F_USER_BUILD_ID: ebee
 * has no build ids, so each entry has status BPF_STACK_BUILD_ID_IP and the ip).
 *
 * get_stackid stores stacks in `env.stackIds` (per map, by id): src/maps has no
 * STACK_TRACE type yet, so any map serves as the id space, its max_entries the
 * number of buckets.
 */
import { HErrno, STACK_BUILD_ID_SIZE, StackFlag } from './constants.js';
import { sizeArg, writable } from './access.js';
import { flags32, mapArg, type ImplTable } from './impl.js';
import type { HelperEnv } from './env.js';

/** sysctl_perf_event_max_stack's default: frames a callchain holds. */
const MAX_STACK = 127;
/** BPF_STACK_BUILD_ID_IP: a build-id entry that holds an ip. */
const BUILD_ID_IP = 2;

function frames(env: HelperEnv, flags: number): readonly bigint[] {
  return (flags & StackFlag.USER_STACK) ? env.stacks.user : env.stacks.kernel;
}

/** FNV-1a over the frames: the bucket a stack goes to. */
function stackHash(stack: readonly bigint[]): number {
  let h = 0x811c9dc5;
  for (const ip of stack) {
    for (let i = 0n; i < 64n; i += 8n) h = Math.imul(h ^ Number((ip >> i) & 0xffn), 0x01000193) >>> 0;
  }
  return h;
}

export const STACK_IMPLS: ImplTable = {
  get_stack(env, ctx, _ctxArg, buf, size, flags) {
    const n = sizeArg(size, 'bpf_get_stack size');
    const at = writable(ctx, buf, n);
    const bytes = ctx.space.bytes;
    const fail = (errno: number): number => { bytes.fill(0, at, at + n); return -errno; };
    const f = flags32(flags);
    if (f & ~(StackFlag.SKIP_FIELD_MASK | StackFlag.USER_STACK | StackFlag.USER_BUILD_ID)) return fail(HErrno.EINVAL);
    const user = (f & StackFlag.USER_STACK) !== 0;
    const buildId = (f & StackFlag.USER_BUILD_ID) !== 0;
    if (buildId && !user) return fail(HErrno.EINVAL);
    const elem = buildId ? STACK_BUILD_ID_SIZE : 8;
    if (n % elem !== 0) return fail(HErrno.EINVAL);
    const skip = f & StackFlag.SKIP_FIELD_MASK;
    const depth = Math.min(n / elem + skip, MAX_STACK);
    const trace = frames(env, f).slice(0, depth);
    if (trace.length < skip) return fail(HErrno.EFAULT);
    const taken = trace.slice(skip, skip + n / elem);
    const view = ctx.space.view;
    bytes.fill(0, at, at + n);
    taken.forEach((ip, i) => {
      if (buildId) {
        view.setInt32(at + i * elem, BUILD_ID_IP, true);
        view.setBigUint64(at + i * elem + 24, BigInt.asUintN(64, ip), true);
      } else {
        view.setBigUint64(at + i * elem, BigInt.asUintN(64, ip), true);
      }
    });
    return taken.length * elem;
  },
  get_stackid(env, _ctx, _ctxArg, map, flags) {
    const m = mapArg(env, map, 'get_stackid');
    const f = flags32(flags);
    if (f & ~(StackFlag.SKIP_FIELD_MASK | StackFlag.USER_STACK | StackFlag.FAST_STACK_CMP | StackFlag.REUSE_STACKID)) {
      return -HErrno.EINVAL;
    }
    const skip = f & StackFlag.SKIP_FIELD_MASK;
    const all = frames(env, f).slice(0, MAX_STACK);
    if (all.length <= skip) return -HErrno.EFAULT;
    const stack = all.slice(skip);
    const id = stackHash(stack) % Math.max(m.maxEntries, 1);
    let ids = env.stackIds.get(m.handle);
    if (!ids) env.stackIds.set(m.handle, (ids = new Map()));
    const old = ids.get(id);
    const same = old !== undefined && old.length === stack.length && old.every((ip, i) => ip === stack[i]);
    if (old !== undefined && !same && !(f & StackFlag.REUSE_STACKID)) {
      // FAST_STACK_CMP trusts the hash; the full compare reports a collision.
      if (!(f & StackFlag.FAST_STACK_CMP)) return -HErrno.EEXIST;
      return id;
    }
    ids.set(id, stack);
    return id;
  },
};
