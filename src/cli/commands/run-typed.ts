/**
 * `ebee run FILE --type T`: runs a program as its program type, through the runtime's
 * test run (a packet, a context, maps), once or over every packet of a capture.
 */
import { writeFileSync } from 'node:fs';
import { basename, extname } from 'node:path';
import type { Instruction } from '../../isa/index.js';
import type { Dialect } from '../../asm/index.js';
import { ProgramType } from '../../elf/index.js';
import { MapType, mapTypeName, type BpfMap } from '../../maps/index.js';
import {
  LinkType, recordToEthernet, readCapture, writePcap, type PacketRecord, type WritePacket,
} from '../../pcap/index.js';
import { ProgError, programType, returnName, type NamedContext } from '../../progs/index.js';
import { Runtime, type LoadedObject, type Program, type ProgramPlan, type TestRunResult } from '../../runtime/index.js';
import { EbeeError, isEbeeError } from '../../errors.js';
import { UsageError } from '../args.js';
import { IO_ERROR, parseHex, readFile, loadProgram as loadFileProgram } from '../io.js';
import type { Output } from '../command.js';

export interface TypedRunOptions {
  readonly file: string;
  /** The program type; for an ELF object, overrides its section's. */
  readonly type: string | undefined;
  /** FILE is an ELF object: maps and programs come from it. */
  readonly object?: boolean;
  /** The object's program to run, by name or by section. */
  readonly program?: string | undefined;
  readonly section?: string | undefined;
  /** Target BTF file for CO-RE relocations. */
  readonly btf?: string | undefined;
  readonly dialect: Dialect | undefined;
  readonly engine: 'jit' | 'interpreter';
  readonly maps: string | undefined;
  readonly data: Uint8Array | undefined;
  readonly ctx: Uint8Array | NamedContext | undefined;
  readonly repeat: number | undefined;
  readonly budget: number | undefined;
  readonly pcap: string | undefined;
  readonly out: string | undefined;
  readonly json: boolean;
  /** Verify at load (default true); false runs the program unverified, checked. */
  readonly verify?: boolean;
}

/** Captures at least this long get a progress line on a terminal. */
const PROGRESS_MIN_PACKETS = 5000;

/** `--map name:type:key:value:entries[,...]`, e.g. `counts:array:4:8:256`. */
function createMaps(rt: Runtime, text: string | undefined): void {
  if (!text) return;
  for (const spec of text.split(',').filter((s) => s.length > 0)) {
    const parts = spec.split(':');
    if (parts.length !== 5) throw new UsageError(`--map ${spec}: expected name:type:key_size:value_size:max_entries`);
    const [name, typeName, ...sizes] = parts as [string, string, string, string, string];
    const type = (MapType as Record<string, number>)[typeName.toUpperCase()];
    if (type === undefined) throw new UsageError(`--map ${spec}: unknown map type '${typeName}'`);
    const [keySize, valueSize, maxEntries] = sizes.map((s) => {
      if (!/^\d+$/.test(s)) throw new UsageError(`--map ${spec}: '${s}' is not a size`);
      return Number(s);
    }) as [number, number, number];
    rt.createMap({ name, type, keySize, valueSize, maxEntries });
  }
}

/** `--ctx HEX` or `--ctx name=value,name=value`. */
export function parseContext(text: string): Uint8Array | NamedContext {
  if (!text.includes('=')) return parseHex(text, '--ctx');
  const out: Record<string, bigint> = {};
  for (const pair of text.split(',').filter((s) => s.length > 0)) {
    const eq = pair.indexOf('=');
    const name = pair.slice(0, eq).trim();
    const value = pair.slice(eq + 1).trim();
    if (eq <= 0 || !/^-?(0x[0-9a-f]+|\d+)$/i.test(value)) throw new UsageError(`--ctx ${pair}: expected name=number`);
    out[name] = value.startsWith('-') ? -BigInt(value.slice(1)) : BigInt(value);
  }
  return out;
}

function loadSource(rt: Runtime, o: TypedRunOptions): Program {
  const bytes = readFile(o.file);
  if (o.object) {
    const { program, object } = loadFromObject(rt, bytes, o);
    loadedObjects.set(rt, object);
    return program;
  }
  if (o.type === undefined) throw new UsageError('--type is needed for a program that is not an ELF object');
  const ext = extname(o.file).toLowerCase();
  let source: string | Uint8Array | readonly Instruction[];
  if (ext === '.bin' || ext === '.o' || bytes.includes(0)) source = bytes;
  else if (ext === '.hex') source = loadFileProgram(o.file).insns;
  else source = new TextDecoder().decode(bytes);
  return rt.loadProgram(source, { type: o.type, name: o.file, ...(o.dialect ? { dialect: o.dialect } : {}), ...checkedOf(o) });
}

/** --budget counts instructions, which only checked mode does: a verified program given one runs checked. */
function checkedOf(o: TypedRunOptions): { checked?: boolean } {
  return o.budget !== undefined && o.verify !== false ? { checked: true } : {};
}

/**
 * Loads an ELF object and picks the program to run: by name, by section, or the only
 * one. Other programs load too (tail calls may reach them) unless ebee cannot model
 * their type or they need kernel symbols: those are left out, as a user would turn
 * their autoload off, so one unsupported program does not block the rest.
 */
function loadFromObject(rt: Runtime, bytes: Uint8Array, o: TypedRunOptions): { program: Program; object: LoadedObject } {
  const open = rt.openObject(bytes, { name: basename(o.file, extname(o.file)) });
  const all = open.programs;
  const list = all.map((p) => `${p.spec.name} (section ${p.spec.section})`).join(', ');
  let chosen: ProgramPlan;
  if (o.program !== undefined) {
    const found = all.find((p) => p.spec.name === o.program);
    if (!found) throw new UsageError(`--program ${o.program}: the object has ${all.length ? list : 'no programs'}`);
    chosen = found;
  } else {
    const candidates = o.section === undefined ? all : all.filter((p) => p.spec.section === o.section);
    if (candidates.length !== 1) {
      const what = o.section === undefined ? `${o.file} has ${all.length} programs` : `section '${o.section}' has ${candidates.length} programs`;
      const names = (o.section === undefined ? all : candidates).map((p) => `${p.spec.name} (section ${p.spec.section})`).join(', ');
      throw new UsageError(`${what}; choose one with --program NAME${names ? `: ${names}` : ''}`);
    }
    chosen = candidates[0]!;
  }
  for (const plan of all) {
    if (plan === chosen) continue;
    if (!plan.autoload) continue;
    const usesKernel = plan.spec.references.some((r) => r.kind === 'kfunc' || r.kind === 'extern');
    let modelled = true;
    try { programType(plan.spec.type); } catch { modelled = false; }
    if (usesKernel || !modelled) plan.autoload = false;
  }
  chosen.autoload = true;
  if (o.type !== undefined) chosen.type = o.type;
  const obj = open.load({ ...(o.btf === undefined ? {} : { targetBtf: readFile(o.btf) }), ...checkedOf(o) });
  return { program: obj.program(chosen.spec.name), object: obj };
}

/** The object a runtime's program came from, for printing its global variables. */
const loadedObjects = new WeakMap<Runtime, LoadedObject>();

/** The object's global variables after the run, by name: numbers in decimal, anything else in hex. */
function globalsOf(rt: Runtime): Record<string, string> | undefined {
  const obj = loadedObjects.get(rt);
  if (!obj || obj.globals.size === 0) return undefined;
  const out: Record<string, string> = {};
  for (const [name, v] of obj.globals) {
    const value = v.get();
    out[name] = value instanceof Uint8Array ? hex(value) : String(value);
  }
  return out;
}

function printGlobals(out: Output, rt: Runtime): void {
  for (const [name, value] of Object.entries(globalsOf(rt) ?? {})) out.log(`global ${name} = ${value}`);
}

const hex = (b: Uint8Array): string => Array.from(b, (x) => x.toString(16).padStart(2, '0')).join('');

/** A key or value in hex, with its little-endian number when it is 1, 2, 4 or 8 bytes. */
function showBytes(b: Uint8Array): string {
  if (b.length === 0) return '-';
  if (![1, 2, 4, 8].includes(b.length)) return hex(b);
  let n = 0n;
  for (let i = b.length - 1; i >= 0; i--) n = (n << 8n) | BigInt(b[i]!);
  return `${hex(b)} (${n})`;
}

interface MapDump {
  readonly name: string;
  readonly type: string;
  readonly entries: { key: string; value: string }[];
  readonly hiddenZero: number;
  readonly note?: string;
}

/** Every map's entries (all-zero array slots are counted, not listed). */
function dumpMaps(rt: Runtime): MapDump[] {
  const out: MapDump[] = [];
  for (const map of rt.maps.maps()) out.push(dumpMap(map));
  return out;
}

function dumpMap(map: BpfMap): MapDump {
  const type = mapTypeName(map.type).toLowerCase();
  const entries: { key: string; value: string }[] = [];
  let hiddenZero = 0;
  const isArray = map.type === MapType.ARRAY || map.type === MapType.PERCPU_ARRAY;
  try {
    let key = map.getNextKey();
    let guard = 0;
    while (key && guard++ < 1_000_000) {
      const value = map.lookup(key);
      if (value && isArray && value.every((b) => b === 0)) hiddenZero++;
      else if (value) entries.push({ key: showBytes(key), value: showBytes(value) });
      key = map.getNextKey(key);
    }
  } catch (err) {
    if (!isEbeeError(err)) throw err;
    return { name: map.name, type, entries, hiddenZero, note: 'not iterable' };
  }
  return { name: map.name, type, entries, hiddenZero };
}

function printMaps(out: Output, maps: MapDump[]): void {
  for (const m of maps) {
    const extra = m.note ? ` (${m.note})` : m.hiddenZero ? ` (${m.hiddenZero} zero entries not shown)` : '';
    out.log(`map ${m.name} (${m.type}): ${m.entries.length} entries${extra}`);
    for (const e of m.entries) out.log(`  ${e.key} => ${e.value}`);
  }
}

export function runTyped(o: TypedRunOptions, out: Output): number {
  // A usage error before the verifier has its say about a program that could not run anyway.
  if (o.pcap !== undefined && !o.object && o.type !== undefined) checkPacketType(programType(o.type));
  const rt = new Runtime({ engine: o.engine, verify: o.verify !== false });
  createMaps(rt, o.maps);
  const program = loadSource(rt, o);
  if (o.object && !o.json) out.log(`program ${program.name} (${program.type.name})`);
  if (o.pcap !== undefined) {
    const status = runCapture(rt, program, o, out);
    if (!o.json) out.log(verdict(program));
    return status;
  }
  const result = rt.testRun(program, {
    ...(o.data ? { data: o.data } : {}), ...(o.ctx ? { ctx: o.ctx } : {}),
    ...(o.repeat === undefined ? {} : { repeat: o.repeat }), ...(o.budget === undefined ? {} : { budget: o.budget }),
  });
  const maps = dumpMaps(rt);
  if (o.json) {
    out.log(JSON.stringify({
      ...(o.object ? { program: program.name, type: program.type.name } : {}),
      verified: program.verified, checked: program.checked,
      retval: result.retval, action: result.action, r0: '0x' + result.r0.toString(16),
      data: result.data && hex(result.data), ctx: result.ctx && hex(result.ctx), duration: result.duration,
      executed: result.executed, engine: o.engine, printk: result.printk, tailCalls: result.tailCalls,
      events: result.events.map((e) => ({ kind: e.kind, map: e.map.name, data: hex(e.data) })),
      redirects: result.redirects.map((r) => ({ kind: r.kind, ifindex: r.ifindex, flags: r.flags.toString(), result: r.result })),
      maps, ...(globalsOf(rt) ? { globals: globalsOf(rt) } : {}),
    }, null, 2));
    return 0;
  }
  printResult(out, result, o);
  printMaps(out, maps);
  printGlobals(out, rt);
  out.log(verdict(program));
  return 0;
}

function verdict(p: Program): string {
  return p.verified ? `verified (runs ${p.checked ? 'checked' : 'unchecked'})` : 'not verified (--no-verify): runs checked';
}

function printResult(out: Output, r: TestRunResult, o: TypedRunOptions): void {
  out.log(`retval = ${r.retval} (${r.action})`);
  if (r.data) out.log(`data_out (${r.data.length} bytes): ${hex(r.data)}`);
  if (r.ctx) out.log(`ctx_out (${r.ctx.length} bytes): ${hex(r.ctx)}`);
  for (const line of r.printk) out.log(`printk: ${line}`);
  for (const e of r.events) out.log(`event ${e.kind} ${e.map.name}: ${hex(e.data)}`);
  for (const d of r.redirects) out.log(`redirect ${d.kind} ifindex ${d.ifindex} flags ${d.flags} -> ${d.result}`);
  if (r.tailCalls) out.log(`tail calls: ${r.tailCalls}`);
  out.log(`${r.executed === undefined ? '' : `executed ${r.executed} instructions, `}${r.duration} ns/run (${o.engine})`);
}

/** What goes to --out: the packets the program let through, as they left it. */
function passes(type: number, retval: number): boolean {
  switch (type) {
    case ProgramType.XDP: return retval === 2;
    case ProgramType.SCHED_CLS: case ProgramType.SCHED_ACT: return retval === 0 || retval === 0xffffffff || retval === 3;
    case ProgramType.SOCKET_FILTER: return retval !== 0;
    case ProgramType.CGROUP_SKB: return (retval & 1) === 1;
    default: return false;
  }
}

/** The frame to write: skb types that start at the network header get the original MAC header back. */
function outputFrame(type: number, frame: Uint8Array, r: TestRunResult): Uint8Array {
  const data = r.data ?? frame;
  if (type !== ProgramType.SOCKET_FILTER && type !== ProgramType.CGROUP_SKB) return data;
  const body = data.subarray(14, type === ProgramType.SOCKET_FILTER ? 14 + r.retval : data.length);
  const outFrame = new Uint8Array(14 + body.length);
  outFrame.set(frame.subarray(0, 14));
  outFrame.set(body, 14);
  return outFrame;
}

const PACKET_TYPES: readonly number[] = [ProgramType.XDP, ProgramType.SCHED_CLS, ProgramType.SCHED_ACT,
  ProgramType.SOCKET_FILTER, ProgramType.CGROUP_SKB];

function checkPacketType(type: { type: number; name: string }): void {
  if (!PACKET_TYPES.includes(type.type)) throw new UsageError(`--pcap needs a packet program type (xdp, tc, sched_act, socket, cgroup_skb), not ${type.name}`);
}

function runCapture(rt: Runtime, program: Program, o: TypedRunOptions, out: Output): number {
  checkPacketType(program.type);
  const capture = readCapture(readFile(o.pcap!));
  const records = capture.records;
  const actions = new Map<string, number>();
  const skipped = new Map<string, number>();
  const written: WritePacket[] = [];
  let printk = 0;
  let events = 0;
  const progress = records.length >= PROGRESS_MIN_PACKETS && process.stderr.isTTY === true;
  let lastDraw = 0;
  const started = Date.now();
  records.forEach((record: PacketRecord, i: number) => {
    if (progress && Date.now() - lastDraw > 200) {
      lastDraw = Date.now();
      process.stderr.write(`\r${i}/${records.length} packets (${Math.floor((100 * i) / records.length)}%)`);
    }
    let frame: Uint8Array;
    let result: TestRunResult;
    try {
      frame = recordToEthernet(record).frame;
      result = rt.testRun(program, { data: frame, ...(o.ctx ? { ctx: o.ctx } : {}), ...(o.budget === undefined ? {} : { budget: o.budget }) });
    } catch (err) {
      if (!(err instanceof ProgError) && !(isEbeeError(err) && err.code.startsWith('EBEE_PCAP_'))) throw err;
      const reason = (err as EbeeError).code;
      skipped.set(reason, (skipped.get(reason) ?? 0) + 1);
      return;
    }
    const name = returnName(program.type, result.r0);
    actions.set(name, (actions.get(name) ?? 0) + 1);
    printk += result.printk.length;
    events += result.events.length;
    if (o.out !== undefined && passes(program.type.type, result.retval)) {
      written.push({ data: outputFrame(program.type.type, frame, result), timestamp: record.timestamp });
    }
  });
  if (progress) process.stderr.write(`\r${records.length}/${records.length} packets (100%)\n`);
  if (o.out !== undefined) {
    try {
      writeFileSync(o.out, writePcap(written, { linkType: LinkType.ETHERNET, precision: 'nano' }));
    } catch (err) {
      throw new EbeeError(IO_ERROR, `cannot write ${o.out}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`, { cause: err });
    }
  }
  const maps = dumpMaps(rt);
  const seconds = (Date.now() - started) / 1000;
  if (o.json) {
    out.log(JSON.stringify({
      verified: program.verified, checked: program.checked, packets: records.length, actions: Object.fromEntries(actions), skipped: Object.fromEntries(skipped),
      written: o.out === undefined ? undefined : written.length, printk, events, engine: o.engine, maps,
      ...(globalsOf(rt) ? { globals: globalsOf(rt) } : {}),
    }, null, 2));
    return 0;
  }
  out.log(`${records.length} packets (${capture.format}), ${o.engine}, ${seconds.toFixed(2)} s`);
  const rows = [...actions].sort((a, b) => b[1] - a[1]);
  const width = Math.max(8, ...rows.map(([n]) => n.length), ...[...skipped.keys()].map((k) => k.length + 9));
  for (const [name, count] of rows) out.log(`  ${name.padEnd(width)} ${String(count).padStart(8)}`);
  for (const [reason, count] of skipped) out.log(`  ${`skipped (${reason})`.padEnd(width)} ${String(count).padStart(8)}`);
  if (printk || events) out.log(`printk lines: ${printk}, events: ${events}`);
  if (o.out !== undefined) out.log(`wrote ${written.length} packets to ${o.out}`);
  printMaps(out, maps);
  printGlobals(out, rt);
  return 0;
}
