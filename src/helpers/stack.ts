/**
 * bpf_get_stack and bpf_get_stackid over synthetic stacks (`env.stacks`: instruction
 * pointers, innermost first), with Linux's flags: skip the innermost frames
 * (BPF_F_SKIP_FIELD_MASK), the user stack instead of the kernel's
 * (BPF_F_USER_STACK), build-id entries for user stacks (BPF_F_USER_BUILD_ID: ebee
 * has no build ids, so each entry has status BPF_STACK_BUILD_ID_IP and the ip).
 *
 * get_stackid collects a callchain as deep as the STACK_TRACE map's values hold (plus
 * the frames to skip, at most 127) and leaves the rest to the map (`storeStack`: the
 * skip, the hash, the bucket rules). Any other map is one the verifier would have
 * refused: the program's bug, a typed error.
 */
import { HErrno, STACK_BUILD_ID_SIZE, StackFlag } from './constants.js';
import { sizeArg, writable } from './access.js';
import { flags32, mapArg, type ImplTable } from './impl.js';
import { HelperError, HelperErrorCode } from './errors.js';
import { StackTraceMap } from '../maps/index.js';
import type { HelperEnv } from './env.js';

/** sysctl_perf_event_max_stack's default: frames a callchain holds. */
const MAX_STACK = 127;
/** BPF_STACK_BUILD_ID_IP: a build-id entry that holds an ip. */
const BUILD_ID_IP = 2;

function frames(env: HelperEnv, flags: number): readonly bigint[] {
  return (flags & StackFlag.USER_STACK) ? env.stacks.user : env.stacks.kernel;
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
    if (!(m instanceof StackTraceMap)) {
      throw new HelperError(HelperErrorCode.BAD_ARGUMENT, `bpf_get_stackid: map ${m.label} is not a STACK_TRACE map`);
    }
    const f = flags32(flags);
    if (f & ~(StackFlag.SKIP_FIELD_MASK | StackFlag.USER_STACK | StackFlag.FAST_STACK_CMP | StackFlag.REUSE_STACKID)) {
      return -HErrno.EINVAL;
    }
    const depth = Math.min(m.maxDepth + (f & StackFlag.SKIP_FIELD_MASK), MAX_STACK);
    return m.storeStack(frames(env, f).slice(0, depth), f);
  },
};
