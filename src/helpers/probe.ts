/**
 * bpf_probe_read and its kernel / user / string variants, and bpf_probe_write_user. In Linux they read any
 * address and turn a page fault into -EFAULT; ebee reads only memory the env lists
 * (`env.probe`: by default every region of the address space counts as kernel memory,
 * and there is no user memory unless the runtime gives some). A read outside it
 * zero-fills the destination and returns -EFAULT, as a fault does in Linux.
 */
import { HErrno } from './constants.js';
import { readBytes, sizeArg, writable } from './access.js';
import type { HelperEnv, ProbeRange } from './env.js';
import type { HelperImpl, ImplTable } from './impl.js';

/** The end of readable memory starting at `address` (exclusive), or -1 when `address` is not readable. */
export function probeLimit(env: HelperEnv, address: bigint, user: boolean): number {
  const a = BigInt.asUintN(64, address);
  if (a >= 0x100000000n) return -1;
  const at = Number(a);
  const ranges: 'regions' | readonly ProbeRange[] = user ? env.probe.user : env.probe.kernel;
  if (ranges === 'regions') {
    const region = env.space.find(at, 1);
    return region ? region.end : -1;
  }
  for (const r of ranges) {
    if (at >= r.start && at < r.end) return Math.min(r.end, env.space.byteLength);
  }
  return -1;
}

/** True when `size` bytes at `address` may be probe-read. */
export function probeReadable(env: HelperEnv, address: bigint, size: number, user: boolean): boolean {
  if (size === 0) return true;
  const end = probeLimit(env, address, user);
  return end >= 0 && Number(BigInt.asUintN(64, address)) + size <= end;
}

/** bpf_probe_read (the legacy one): user memory when the address is in it, else kernel memory. */
function legacyUser(env: HelperEnv, address: bigint): boolean {
  return probeLimit(env, address, true) >= 0;
}

function probeRead(kind: 'kernel' | 'user' | 'legacy'): HelperImpl {
  return (env, ctx, dst, size, src) => {
    const n = sizeArg(size, 'probe read size');
    const at = writable(ctx, dst, n);
    const user = kind === 'user' || (kind === 'legacy' && legacyUser(env, src));
    if (!probeReadable(env, src, n, user)) {
      ctx.space.bytes.fill(0, at, at + n);
      return -HErrno.EFAULT;
    }
    const from = Number(BigInt.asUintN(64, src));
    ctx.space.bytes.copyWithin(at, from, from + n);
    return 0;
  };
}

/**
 * strncpy_from_*_nofault: copies the string and its NUL, at most size - 1 bytes and a
 * NUL, and returns the bytes written including the NUL. A fault before the NUL (or
 * before size - 1 bytes) zero-fills the destination and returns -EFAULT.
 */
function probeReadStr(kind: 'kernel' | 'user' | 'legacy'): HelperImpl {
  return (env, ctx, dst, size, src) => {
    const n = sizeArg(size, 'probe read size');
    if (n === 0) return 0;
    const at = writable(ctx, dst, n);
    const user = kind === 'user' || (kind === 'legacy' && legacyUser(env, src));
    const end = probeLimit(env, src, user);
    const bytes = ctx.space.bytes;
    const from = Number(BigInt.asUintN(64, src));
    let len = 0;
    while (len < n - 1 && from + len < end && bytes[from + len] !== 0) len++;
    const terminated = len === n - 1 || (from + len < end && bytes[from + len] === 0);
    if (end < 0 || !terminated) {
      bytes.fill(0, at, at + n);
      return -HErrno.EFAULT;
    }
    bytes.copyWithin(at, from, from + len);
    bytes[at + len] = 0;
    return len + 1;
  };
}

export const PROBE_IMPLS: ImplTable = {
  probe_write_user(env, ctx, dst, src, size) {
    // copy_to_user_nofault: only user memory (env.probe.user), else -EFAULT.
    const n = sizeArg(size, 'bpf_probe_write_user size');
    const data = readBytes(ctx, src, n);
    if (!probeReadable(env, dst, n, true)) return -HErrno.EFAULT;
    ctx.space.bytes.set(data, Number(BigInt.asUintN(64, dst)));
    return 0;
  },
  probe_read: probeRead('legacy'),
  probe_read_kernel: probeRead('kernel'),
  probe_read_user: probeRead('user'),
  probe_read_str: probeReadStr('legacy'),
  probe_read_kernel_str: probeReadStr('kernel'),
  probe_read_user_str: probeReadStr('user'),
};
