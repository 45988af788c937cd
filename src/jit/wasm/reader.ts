/**
 * A bounds-checked cursor over wasm bytes for `printWat`. Every read past the end, and
 * every malformed LEB128 or name, becomes `EBEE_WASM_MALFORMED` with the offset, so
 * arbitrary input never escapes as a RangeError or TypeError.
 */
import { WasmEncodeError, WasmErrorCode } from './errors.js';
import { readS32, readS64, readU32 } from './leb128.js';

const utf8 = new TextDecoder('utf-8', { fatal: true });

export class Reader {
  pos: number;

  /** Reads `bytes[start, end)`. */
  constructor(readonly bytes: Uint8Array, start = 0, readonly end = bytes.length) {
    this.pos = start;
  }

  get atEnd(): boolean {
    return this.pos >= this.end;
  }

  fail(message: string, at = this.pos): never {
    throw new WasmEncodeError(WasmErrorCode.MALFORMED, `offset ${at}: ${message}`);
  }

  private need(n: number): void {
    if (n > this.end - this.pos) this.fail(`${n} byte(s) needed, ${this.end - this.pos} left`);
  }

  u8(): number {
    this.need(1);
    return this.bytes[this.pos++]!;
  }

  u32(): number {
    const r = readU32(this.view(), this.pos);
    this.pos = r.next;
    return r.value;
  }

  s32(): number {
    const r = readS32(this.view(), this.pos);
    this.pos = r.next;
    return r.value;
  }

  s64(): bigint {
    const r = readS64(this.view(), this.pos);
    this.pos = r.next;
    return r.value;
  }

  /** `n` raw bytes. */
  take(n: number): Uint8Array {
    this.need(n);
    const out = this.bytes.subarray(this.pos, this.pos + n);
    this.pos += n;
    return out;
  }

  /** A wasm `name`: u32 length, then UTF-8 that must be valid. */
  name(): string {
    const at = this.pos;
    const bytes = this.take(this.u32());
    try {
      return utf8.decode(bytes);
    } catch {
      return this.fail('name is not valid UTF-8', at);
    }
  }

  /** A reader over the next `n` bytes (a section or a body); this one skips past them. */
  sub(n: number): Reader {
    this.need(n);
    const r = new Reader(this.bytes, this.pos, this.pos + n);
    this.pos += n;
    return r;
  }

  /** Throws unless everything was consumed: trailing bytes in a section are malformed. */
  expectEnd(what: string): void {
    if (this.pos !== this.end) this.fail(`${this.end - this.pos} unexpected byte(s) at the end of ${what}`);
  }

  // LEB reads must not run past `end` into the next section, so they see a view cut there.
  private view(): Uint8Array {
    return this.end === this.bytes.length ? this.bytes : this.bytes.subarray(0, this.end);
  }
}
