/**
 * `ModuleBuilder` lays out a module (spec 5.5): types (deduplicated), imports
 * (functions, then at most one memory), functions, globals, exports, code, and a
 * `name` custom section so stack traces and `printWat` show function and local names.
 *
 * Function indices count imports first, which is why imports must all be declared
 * before the first `addFunction`: an index handed out earlier would otherwise shift.
 * References a body makes (calls, globals, memory) are checked at `toBytes()`, since a
 * function may call one added after it.
 */
import { ByteBuffer } from './bytes.js';
import { CodeBuilder } from './code.js';
import { WasmEncodeError, WasmErrorCode } from './errors.js';
import { writeI32, writeI64, writeU32 } from './leb128.js';
import { Op, ValType, isValType, type ValTypeValue } from './opcodes.js';

export interface MemoryLimits {
  /** Initial size in 64 KiB pages. */
  minimum: number;
  /** Maximum size in pages; required when `shared`. */
  maximum?: number;
  /** A shared memory (threads proposal), as `new WebAssembly.Memory({ shared: true })` makes. */
  shared?: boolean;
}

/** The most pages a 32-bit memory can have (4 GiB). */
export const MAX_PAGES = 65536;

/** Section ids (spec 5.5.2). */
const Section = { CUSTOM: 0, TYPE: 1, IMPORT: 2, FUNCTION: 3, GLOBAL: 6, EXPORT: 7, CODE: 10 } as const;
/** Export and import descriptor kinds. */
const Kind = { FUNC: 0x00, MEMORY: 0x02, GLOBAL: 0x03 } as const;

interface DefinedFunction {
  readonly type: number;
  readonly body: Uint8Array;
  readonly name: string | undefined;
  readonly localNames: ReadonlyMap<number, string>;
  readonly refs: CodeBuilder['references'];
}

const utf8 = new TextEncoder();
/** Encoded names: a JIT module names the same locals (r0-r10, ...) in every function. */
const encodedNames = new Map<string, Uint8Array>();

/** Bytes of `v` as unsigned LEB128. */
function lebSize(v: number): number {
  let n = 1;
  while (v >= 0x80) { v = Math.floor(v / 128); n++; }
  return n;
}

/** Appends a `name` (spec 5.2.4): byte length, then UTF-8. */
function writeName(out: ByteBuffer, s: string): void {
  let bytes = encodedNames.get(s);
  if (bytes === undefined) {
    bytes = utf8.encode(s);
    if (encodedNames.size < 4096) encodedNames.set(s, bytes);
  }
  writeU32(out, bytes.length);
  out.append(bytes);
}

/** Appends a section, or a name subsection: id, byte size, content. */
function writeSection(out: ByteBuffer, id: number, content: ByteBuffer): void {
  out.push(id);
  writeU32(out, content.length);
  out.append(content.view());
}

function checkTypes(types: readonly number[], what: string): ValTypeValue[] {
  return types.map((t) => {
    if (!isValType(t)) throw new WasmEncodeError(WasmErrorCode.RANGE, `${what}: 0x${t.toString(16)} is not a value type`);
    return t;
  });
}

export class ModuleBuilder {
  private readonly types: { params: ValTypeValue[]; results: ValTypeValue[] }[] = [];
  private readonly typeKeys = new Map<string, number>();
  private readonly imports: { module: string; name: string; type: number }[] = [];
  private memory: { module: string; name: string; limits: MemoryLimits } | undefined;
  private readonly functions: DefinedFunction[] = [];
  private readonly globals: Uint8Array[] = []; // each: valtype, mut, init expr
  private readonly exports: { name: string; kind: number; index: number }[] = [];
  private readonly exportNames = new Set<string>();
  private readonly moduleName: string | undefined;

  /** `name` goes into the name section's module-name subsection. */
  constructor(options: { name?: string } = {}) {
    this.moduleName = options.name;
  }

  /** The index of the function type `params -> results`, added once per distinct signature. */
  type(params: readonly ValTypeValue[], results: readonly ValTypeValue[]): number {
    const p = checkTypes(params, 'parameter');
    const r = checkTypes(results, 'result');
    const key = `${p.join(',')}>${r.join(',')}`;
    let index = this.typeKeys.get(key);
    if (index === undefined) {
      index = this.types.length;
      this.types.push({ params: p, results: r });
      this.typeKeys.set(key, index);
    }
    return index;
  }

  /** Imports a function; returns its function index. Must precede every `addFunction`. */
  importFunction(module: string, name: string, params: readonly ValTypeValue[], results: readonly ValTypeValue[]): number {
    if (this.functions.length > 0) {
      throw new WasmEncodeError(WasmErrorCode.IMPORT_ORDER, `import ${module}.${name} after ${this.functions.length} defined function(s): imports must come first, they take the lowest indices`);
    }
    this.imports.push({ module, name, type: this.type(params, results) });
    return this.imports.length - 1;
  }

  /** Imports the module's one memory (index 0). */
  importMemory(module: string, name: string, limits: MemoryLimits): void {
    if (this.memory) throw new WasmEncodeError(WasmErrorCode.DUPLICATE, `a memory is already imported (${this.memory.module}.${this.memory.name})`);
    const { minimum, maximum, shared } = limits;
    const pages = (v: number): boolean => Number.isInteger(v) && v >= 0 && v <= MAX_PAGES;
    if (!pages(minimum)) throw new WasmEncodeError(WasmErrorCode.RANGE, `memory minimum ${minimum} is not a page count in [0, ${MAX_PAGES}]`);
    if (maximum !== undefined && (!pages(maximum) || maximum < minimum)) {
      throw new WasmEncodeError(WasmErrorCode.RANGE, `memory maximum ${maximum} is not a page count in [${minimum}, ${MAX_PAGES}]`);
    }
    if (shared && maximum === undefined) throw new WasmEncodeError(WasmErrorCode.RANGE, 'a shared memory needs a maximum');
    this.memory = { module, name, limits: { ...limits } };
  }

  /** Adds a global initialised to a constant; returns its index. */
  addGlobal(type: ValTypeValue, mutable: boolean, init: number | bigint): number {
    const g = new ByteBuffer(16);
    g.push2(type, mutable ? 1 : 0);
    if (type === ValType.I32 || type === ValType.I64) {
      if (type === ValType.I32) {
        // A bigint in range is fine; writeI32 rejects the rest (NaN included).
        if (typeof init === 'bigint') init = init >= -(2n ** 31n) && init < 2n ** 32n ? Number(init) : NaN;
        g.push(Op.I32_CONST);
        writeI32(g, init);
      } else {
        g.push(Op.I64_CONST);
        writeI64(g, init);
      }
    } else if ((type === ValType.F32 || type === ValType.F64) && typeof init === 'number') {
      const view = new DataView(new ArrayBuffer(8));
      if (type === ValType.F32) view.setFloat32(0, init, true);
      else view.setFloat64(0, init, true);
      g.push(type === ValType.F32 ? Op.F32_CONST : Op.F64_CONST);
      for (let i = 0; i < (type === ValType.F32 ? 4 : 8); i++) g.push(view.getUint8(i));
    } else {
      throw new WasmEncodeError(WasmErrorCode.RANGE, `cannot initialise a global of type 0x${Number(type).toString(16)} with ${typeof init} ${String(init)}`);
    }
    g.push(Op.END);
    this.globals.push(g.toBytes());
    return this.globals.length - 1;
  }

  /**
   * Adds a function whose body is `body` as it stands now (it is finished here, so
   * unbalanced blocks are reported at this call); returns its function index.
   */
  addFunction(params: readonly ValTypeValue[], results: readonly ValTypeValue[], body: CodeBuilder, name?: string): number {
    if (body.params.length !== params.length || body.params.some((t, i) => t !== params[i])) {
      throw new WasmEncodeError(WasmErrorCode.SIGNATURE, `function ${name ?? this.functionCount}: body parameters (${body.params.join(',')}) differ from the signature (${params.join(',')})`);
    }
    const bytes = body.finish(); // before type(): a failed add must leave no stray type behind
    const type = this.type(params, results);
    this.functions.push({ type, body: bytes, name, localNames: new Map(body.localNames), refs: body.references });
    return this.functionCount - 1;
  }

  /** Imported plus defined functions. */
  get functionCount(): number {
    return this.imports.length + this.functions.length;
  }

  exportFunction(name: string, index: number): void {
    this.addExport(name, Kind.FUNC, index, this.functionCount, 'function');
  }

  exportGlobal(name: string, index: number): void {
    this.addExport(name, Kind.GLOBAL, index, this.globals.length, 'global');
  }

  /** Re-exports the imported memory. */
  exportMemory(name: string): void {
    this.addExport(name, Kind.MEMORY, 0, this.memory ? 1 : 0, 'memory');
  }

  /** The module's bytes. Throws `EBEE_WASM_BAD_INDEX` for a call, global or memory a body uses that does not exist. */
  toBytes(): Uint8Array<ArrayBuffer> {
    this.checkReferences();
    const out = new ByteBuffer(1024);
    out.append([0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00]); // "\0asm", version 1
    const section = (id: number, content: ByteBuffer): void => writeSection(out, id, content);

    if (this.types.length > 0) {
      const sec = new ByteBuffer();
      writeU32(sec, this.types.length);
      for (const { params, results } of this.types) {
        sec.push(0x60); // the function type constructor
        writeU32(sec, params.length);
        sec.append(params);
        writeU32(sec, results.length);
        sec.append(results);
      }
      section(Section.TYPE, sec);
    }

    const importCount = this.imports.length + (this.memory ? 1 : 0);
    if (importCount > 0) {
      const sec = new ByteBuffer();
      writeU32(sec, importCount);
      for (const imp of this.imports) {
        writeName(sec, imp.module);
        writeName(sec, imp.name);
        sec.push(Kind.FUNC);
        writeU32(sec, imp.type);
      }
      if (this.memory) {
        const { minimum, maximum, shared } = this.memory.limits;
        writeName(sec, this.memory.module);
        writeName(sec, this.memory.name);
        // Limits flags: bit 0 = has maximum, bit 1 = shared (threads proposal).
        sec.push2(Kind.MEMORY, (maximum !== undefined ? 1 : 0) | (shared ? 2 : 0));
        writeU32(sec, minimum);
        if (maximum !== undefined) writeU32(sec, maximum);
      }
      section(Section.IMPORT, sec);
    }

    if (this.functions.length > 0) {
      const sec = new ByteBuffer();
      writeU32(sec, this.functions.length);
      for (const f of this.functions) writeU32(sec, f.type);
      section(Section.FUNCTION, sec);
    }

    if (this.globals.length > 0) {
      const sec = new ByteBuffer();
      writeU32(sec, this.globals.length);
      for (const g of this.globals) sec.append(g);
      section(Section.GLOBAL, sec);
    }

    if (this.exports.length > 0) {
      const sec = new ByteBuffer();
      writeU32(sec, this.exports.length);
      for (const e of this.exports) {
        writeName(sec, e.name);
        sec.push(e.kind);
        writeU32(sec, e.index);
      }
      section(Section.EXPORT, sec);
    }

    const names = this.nameSection();
    if (this.functions.length > 0) {
      // The code section holds nearly all the bytes: written straight into an output
      // sized exactly, rather than built apart and copied twice more.
      let size = lebSize(this.functions.length);
      for (const f of this.functions) size += lebSize(f.body.length) + f.body.length;
      const namesSize = names ? 1 + lebSize(names.length) + names.length : 0;
      const total = out.length + 1 + lebSize(size) + size + namesSize;
      const exact = new ByteBuffer(total);
      exact.append(out.view());
      exact.push(Section.CODE);
      writeU32(exact, size);
      writeU32(exact, this.functions.length);
      for (const f of this.functions) {
        writeU32(exact, f.body.length);
        exact.append(f.body);
      }
      if (names) writeSection(exact, Section.CUSTOM, names);
      return exact.take();
    }
    if (names) section(Section.CUSTOM, names);

    return out.toBytes();
  }

  /**
   * The `name` custom section (spec 7.4): subsection 0 module name, 1 function names
   * (imports are named by their field name), 2 local names; each sorted by index, as
   * the spec requires. Undefined when nothing is named.
   */
  private nameSection(): ByteBuffer | undefined {
    const subsections = new ByteBuffer();
    const sub = (id: number, content: ByteBuffer): void => writeSection(subsections, id, content);
    if (this.moduleName !== undefined) {
      const out = new ByteBuffer();
      writeName(out, this.moduleName);
      sub(0, out);
    }
    const functionNames: [number, string][] = this.imports.map((imp, i) => [i, imp.name]);
    this.functions.forEach((f, i) => { if (f.name !== undefined) functionNames.push([this.imports.length + i, f.name]); });
    if (functionNames.length > 0) {
      const out = new ByteBuffer();
      writeU32(out, functionNames.length);
      for (const [index, name] of functionNames) { writeU32(out, index); writeName(out, name); }
      sub(1, out);
    }
    const withLocals = this.functions.map((f, i) => [this.imports.length + i, f.localNames] as const).filter(([, m]) => m.size > 0);
    if (withLocals.length > 0) {
      const out = new ByteBuffer();
      writeU32(out, withLocals.length);
      for (const [index, map] of withLocals) {
        writeU32(out, index);
        writeU32(out, map.size);
        for (const local of [...map.keys()].sort((a, b) => a - b)) { writeU32(out, local); writeName(out, map.get(local)!); }
      }
      sub(2, out);
    }
    if (subsections.length === 0) return undefined;
    const out = new ByteBuffer(subsections.length + 8);
    writeName(out, 'name');
    out.append(subsections.view());
    return out;
  }

  private addExport(name: string, kind: number, index: number, count: number, what: string): void {
    if (this.exportNames.has(name)) throw new WasmEncodeError(WasmErrorCode.DUPLICATE, `export "${name}" is already defined`);
    if (!Number.isInteger(index) || index < 0 || index >= count) {
      throw new WasmEncodeError(WasmErrorCode.BAD_INDEX, `cannot export ${what} ${index}: there are ${count}`);
    }
    this.exportNames.add(name);
    this.exports.push({ name, kind, index });
  }

  private checkReferences(): void {
    this.functions.forEach((f, i) => {
      const label = `function ${f.name ?? this.imports.length + i}`;
      if (f.refs.maxFunction >= this.functionCount) {
        throw new WasmEncodeError(WasmErrorCode.BAD_INDEX, `${label} calls function ${f.refs.maxFunction}, but there are ${this.functionCount}`);
      }
      if (f.refs.maxGlobal >= this.globals.length) {
        throw new WasmEncodeError(WasmErrorCode.BAD_INDEX, `${label} uses global ${f.refs.maxGlobal}, but there are ${this.globals.length}`);
      }
      if (f.refs.memory && !this.memory) {
        throw new WasmEncodeError(WasmErrorCode.BAD_INDEX, `${label} accesses memory, but the module has none (importMemory)`);
      }
    });
  }
}
