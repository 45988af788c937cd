/**
 * bpf_trace_printk, bpf_trace_vprintk and bpf_snprintf over the format rules of
 * `format.ts`. Printed lines go to `env.printk` (and `env.onPrintk`), one per call,
 * with one trailing newline removed: the text a reader of trace_pipe would see after
 * the kernel's prefix.
 */
import { HErrno } from './constants.js';
import { readBytes, readable, sizeArg, writable, cString } from './access.js';
import { bpfFormat, formatBytes, latin1, type FormatMemory } from './format.js';
import { probeLimit, probeReadable } from './probe.js';
import type { HelperEnv } from './env.js';
import type { HelperContext } from '../vm/index.js';
import type { ImplTable } from './impl.js';

/** MAX_TRACE_PRINTK_VARARGS: trace_printk takes its arguments in r3-r5. */
const TRACE_PRINTK_ARGS = 3;
/** MAX_BPRINTF_VARARGS: the u64 array of trace_vprintk and snprintf holds at most 12. */
const BPRINTF_ARGS = 12;
/** BPF_TRACE_PRINTK_SIZE: trace_printk's line buffer. */
const TRACE_PRINTK_SIZE = 1024;

function formatMemory(env: HelperEnv): FormatMemory {
  return {
    string(address, max, user) {
      const end = probeLimit(env, address, user);
      if (end < 0) return undefined;
      const from = Number(BigInt.asUintN(64, address));
      const bytes = env.space.bytes;
      let i = from;
      while (i < end && i - from < max && bytes[i] !== 0) i++;
      return bytes.slice(from, i);
    },
    bytes(address, size) {
      if (!probeReadable(env, address, size, false)) return undefined;
      const from = Number(BigInt.asUintN(64, address));
      return env.space.bytes.slice(from, from + size);
    },
  };
}

function emit(env: HelperEnv, text: string): void {
  const line = text.endsWith('\n') ? text.slice(0, -1) : text;
  env.printk.push(line);
  env.onPrintk?.(line);
}

/** The u64 arguments of trace_vprintk / snprintf, or -EINVAL. */
function dataArgs(ctx: HelperContext, data: bigint, len: bigint): bigint[] | number {
  const n = BigInt.asUintN(64, len);
  if (n % 8n !== 0n || n > BigInt(BPRINTF_ARGS * 8) || (n !== 0n && BigInt.asUintN(64, data) === 0n)) return -HErrno.EINVAL;
  const bytes = readBytes(ctx, data, Number(n));
  const view = new DataView(bytes.buffer);
  const out: bigint[] = [];
  for (let i = 0; i < bytes.length; i += 8) out.push(view.getBigUint64(i, true));
  return out;
}

function traceLine(env: HelperEnv, ctx: HelperContext, fmt: bigint, size: bigint, args: bigint[], maxArgs: number): number {
  const f = formatBytes(readBytes(ctx, fmt, sizeArg(size, 'format size')));
  if (!f) return -HErrno.EINVAL;
  const text = bpfFormat(f, args, maxArgs, formatMemory(env));
  if (typeof text === 'number') return text;
  emit(env, text.slice(0, TRACE_PRINTK_SIZE - 1));
  return text.length;
}

export const PRINTK_IMPLS: ImplTable = {
  trace_printk: (env, ctx, fmt, size, a1, a2, a3) => traceLine(env, ctx, fmt, size, [a1, a2, a3], TRACE_PRINTK_ARGS),
  trace_vprintk(env, ctx, fmt, size, data, len) {
    const args = dataArgs(ctx, data, len);
    if (typeof args === 'number') return args;
    return traceLine(env, ctx, fmt, size, args, args.length);
  },
  snprintf(env, ctx, str, size, fmt, data, len) {
    const args = dataArgs(ctx, data, len);
    if (typeof args === 'number') return args;
    // The format is a constant string (the verifier checks it is NUL-terminated): read up to its NUL.
    const f = cString(ctx.space, readable(ctx, fmt, 1), Number.MAX_SAFE_INTEGER)!;
    const text = bpfFormat(f, args, args.length, formatMemory(env));
    if (typeof text === 'number') return text;
    const n = sizeArg(size, 'bpf_snprintf size');
    if (n > 0) {
      const at = writable(ctx, str, n);
      const out = latin1(text).subarray(0, n - 1);
      ctx.space.bytes.set(out, at);
      ctx.space.bytes[at + out.length] = 0;
    }
    return text.length + 1;
  },
};
