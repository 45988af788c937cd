/**
 * The format strings of bpf_trace_printk, bpf_trace_vprintk, bpf_snprintf (and
 * bpf_seq_printf): Linux accepts a small subset of printk's conversions and checks
 * the whole format before printing anything, so a bad format prints nothing and the
 * helper returns -EINVAL. The rules, as the kernel's bpf_bprintf_prepare has them:
 *
 * - only printable ASCII or whitespace; `%%` is a literal percent;
 * - each conversion takes the next argument, and there may be at most `maxArgs`;
 * - flags `0 + - space`, then a width; no precision, no `h`;
 * - `%d %i %u %x %X` (int), with `l` or `ll` (64-bit on x86-64), `%c`, `%s`;
 * - `%p` alone (or followed by whitespace, punctuation or the end) or as `%pK %px %ps %pS`;
 *   `%pks` / `%pus` (a string from kernel / user memory), `%pi4 %pI4 %pi6 %pI6`
 *   (an address read from memory); `%s`, `%pks` and `%pus` must be followed by
 *   whitespace, punctuation or the end.
 *
 * Strings and addresses are read as bpf_probe_read would: a bad pointer prints an
 * empty string (or a zero address) rather than failing. Pointers print as 16 hex
 * digits, unhashed: they are offsets into a sandbox, not kernel addresses.
 */
import { HErrno } from './constants.js';

/** How a format reads memory for %s, %pks, %pus and the IP conversions. */
export interface FormatMemory {
  /** Up to `max` bytes of the NUL-terminated string at `address`, or undefined when unreadable. */
  string(address: bigint, max: number, user: boolean): Uint8Array | undefined;
  /** `size` bytes at `address`, or undefined when unreadable. */
  bytes(address: bigint, size: number): Uint8Array | undefined;
}

/** Room Linux gives the strings of one call together (MAX_BPRINTF_BUF_LEN). */
const STRING_ROOM = 512;

const isDigit = (c: number): boolean => c >= 0x30 && c <= 0x39;
const isSpace = (c: number): boolean => c === 0x20 || (c >= 0x09 && c <= 0x0d);
const isPrint = (c: number): boolean => c >= 0x20 && c <= 0x7e;
const isPunct = (c: number): boolean => isPrint(c) && c !== 0x20 && !isDigit(c) && !/[A-Za-z]/.test(String.fromCharCode(c));
const ch = (s: string): number => s.charCodeAt(0);

interface Spec {
  left: boolean;
  zero: boolean;
  plus: boolean;
  space: boolean;
  width: number;
}

function pad(body: string, spec: Spec, numeric: boolean): string {
  if (body.length >= spec.width) return body;
  const n = spec.width - body.length;
  if (spec.left) return body + ' '.repeat(n);
  if (spec.zero && numeric) {
    const sign = /^[-+ ]/.test(body) ? body[0]! : '';
    return sign + '0'.repeat(n) + body.slice(sign.length);
  }
  return ' '.repeat(n) + body;
}

function decodeLatin1(bytes: Uint8Array): string {
  let s = '';
  for (const b of bytes) s += String.fromCharCode(b);
  return s;
}

function ipString(bytes: Uint8Array | undefined, v6: boolean, padded: boolean): string {
  const b = bytes ?? new Uint8Array(v6 ? 16 : 4);
  if (!v6) return [...b].map((x) => (padded ? x.toString().padStart(3, '0') : x.toString())).join('.');
  const hex = [...b].map((x) => x.toString(16).padStart(2, '0'));
  if (!padded) return hex.join('');
  const groups: string[] = [];
  for (let i = 0; i < 16; i += 2) groups.push(hex[i]! + hex[i + 1]!);
  return groups.join(':');
}

/**
 * Formats `fmt` (the bytes up to, not including, its NUL) with `args` (each a u64,
 * `maxArgs` of them allowed), or returns -EINVAL for a format Linux rejects.
 */
export function bpfFormat(fmt: Uint8Array, args: readonly bigint[], maxArgs: number, mem: FormatMemory): string | number {
  const at = (i: number): number => (i < fmt.length ? fmt[i]! : 0);
  let out = '';
  let spec = 0;
  let room = STRING_ROOM;
  for (let i = 0; i < fmt.length; i++) {
    const c = fmt[i]!;
    if (c >= 0x80 || (!isPrint(c) && !isSpace(c))) return -HErrno.EINVAL;
    if (c !== ch('%')) {
      out += String.fromCharCode(c);
      continue;
    }
    if (at(i + 1) === ch('%')) {
      out += '%';
      i++;
      continue;
    }
    if (spec >= maxArgs) return -HErrno.EINVAL;
    const arg = BigInt.asUintN(64, args[spec] ?? 0n);
    spec++;
    i++;
    const f: Spec = { left: false, zero: false, plus: false, space: false, width: 0 };
    for (;;) {
      const k = at(i);
      if (k === ch('0')) f.zero = true;
      else if (k === ch('-')) f.left = true;
      else if (k === ch('+')) f.plus = true;
      else if (k === ch(' ')) f.space = true;
      else break;
      i++;
    }
    if (at(i) >= ch('1') && at(i) <= ch('9')) {
      while (isDigit(at(i))) f.width = f.width * 10 + (at(i++) - 0x30);
    }
    const k = at(i);
    if (k === ch('p')) {
      const m = at(i + 1);
      if ((m === ch('k') || m === ch('u')) && at(i + 2) === ch('s')) {
        i += 2;
        if (!endsString(at(i + 1))) return -HErrno.EINVAL;
        const s = mem.string(arg, room - 1, m === ch('u')) ?? new Uint8Array(0);
        room -= s.length + 1;
        out += pad(decodeLatin1(s), f, false);
        continue;
      }
      if (m === 0 || isSpace(m) || isPunct(m) || m === ch('K') || m === ch('x') || m === ch('s') || m === ch('S')) {
        const hex = arg.toString(16);
        if (m === ch('s') || m === ch('S')) {
          out += pad(`0x${hex}`, f, false);
          i++;
        } else {
          out += pad(hex.padStart(16, '0'), f, false);
          if (m === ch('K') || m === ch('x')) i++;
        }
        continue;
      }
      if ((m !== ch('i') && m !== ch('I')) || (at(i + 2) !== ch('4') && at(i + 2) !== ch('6'))) return -HErrno.EINVAL;
      const v6 = at(i + 2) === ch('6');
      i += 2;
      out += pad(ipString(mem.bytes(arg, v6 ? 16 : 4), v6, v6 ? m === ch('I') : m === ch('i')), f, false);
      continue;
    }
    if (k === ch('s')) {
      if (!endsString(at(i + 1))) return -HErrno.EINVAL;
      const s = mem.string(arg, room - 1, false) ?? new Uint8Array(0);
      room -= s.length + 1;
      out += pad(decodeLatin1(s), f, false);
      continue;
    }
    if (k === ch('c')) {
      out += pad(String.fromCharCode(Number(arg & 0xffn)), f, false);
      continue;
    }
    let bits = 32;
    if (at(i) === ch('l')) { bits = 64; i++; }
    if (at(i) === ch('l')) i++;
    const conv = at(i);
    if (conv === ch('d') || conv === ch('i')) {
      const v = BigInt.asIntN(bits, arg);
      const body = v < 0n ? v.toString() : (f.plus ? '+' : f.space ? ' ' : '') + v.toString();
      out += pad(body, f, true);
    } else if (conv === ch('u')) {
      out += pad(BigInt.asUintN(bits, arg).toString(), f, true);
    } else if (conv === ch('x') || conv === ch('X')) {
      const h = BigInt.asUintN(bits, arg).toString(16);
      out += pad(conv === ch('X') ? h.toUpperCase() : h, f, true);
    } else {
      return -HErrno.EINVAL;
    }
  }
  return out;
}

/** What may follow %s: the end, whitespace or punctuation (so `%sx` is rejected). */
function endsString(c: number): boolean {
  return c === 0 || isSpace(c) || isPunct(c);
}

/** The format's bytes before its first NUL within `size`, or undefined when there is no NUL. */
export function formatBytes(bytes: Uint8Array): Uint8Array | undefined {
  const nul = bytes.indexOf(0);
  return nul < 0 ? undefined : bytes.subarray(0, nul);
}

/** Latin-1 bytes of a formatted string (every char code is below 256). */
export function latin1(s: string): Uint8Array {
  const b = new Uint8Array(s.length);
  for (let i = 0; i < s.length; i++) b[i] = s.charCodeAt(i) & 0xff;
  return b;
}
