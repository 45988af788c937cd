import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { ROOT, cli } from '../cli.test.fixture.js';
import { NO_BTF } from './btf.js';

const BPFTOOL = '/usr/sbin/bpftool';
const noTool = !existsSync(BPFTOOL) && `${BPFTOOL} is not installed (apt-get install bpftool)`;
const fixture = (path: string): string => join(ROOT, 'src', path);
const OBJECTS = ['btf/fixtures/types.o', 'btf/fixtures/core.o', 'elf/fixtures/xdp_parser.o', 'elf/fixtures/subprogs.eb.o'];
const tmp = mkdtempSync(join(tmpdir(), 'ebee-btf-'));

function bpftool(...args: string[]): string {
  return execFileSync(BPFTOOL, args, { encoding: 'utf8', maxBuffer: 1 << 28 });
}

/** What `ebee btf ARGS` prints, as bpftool would (log lines end with a newline). */
function ebee(...args: string[]): string {
  const r = cli('btf', ...args);
  assert.equal(r.status, 0, r.err);
  return r.out + '\n';
}

/** The `.BTF` section of an object, cut out with the ELF64 little-endian header fields. */
function btfSection(path: string): Uint8Array {
  const bytes = new Uint8Array(readFileSync(path));
  const v = new DataView(bytes.buffer);
  const shoff = Number(v.getBigUint64(0x28, true));
  const [entsize, count, strndx] = [v.getUint16(0x3a, true), v.getUint16(0x3c, true), v.getUint16(0x3e, true)];
  const strtab = Number(v.getBigUint64(shoff + strndx * entsize + 0x18, true));
  for (let i = 0; i < count; i++) {
    const h = shoff + i * entsize;
    const name = bytes.subarray(strtab + v.getUint32(h, true), strtab + v.getUint32(h, true) + 5);
    if (Buffer.from(name).toString('latin1') === '.BTF\0') {
      const off = Number(v.getBigUint64(h + 0x18, true));
      return bytes.slice(off, off + Number(v.getBigUint64(h + 0x20, true)));
    }
  }
  throw new Error(`no .BTF in ${path}`);
}

test('btf dump of objects prints what bpftool prints, raw and C', { skip: noTool }, () => {
  for (const path of OBJECTS.map(fixture)) {
    assert.equal(ebee('dump', path), bpftool('btf', 'dump', 'file', path), `${path} raw`);
    assert.equal(ebee('dump', path, 'format', 'raw'), bpftool('btf', 'dump', 'file', path, 'format', 'raw'), `${path} format raw`);
    assert.equal(ebee('dump', 'file', path, 'format', 'c'), bpftool('btf', 'dump', 'file', path, 'format', 'c'), `${path} C`);
  }
});

test('btf dump reads raw BTF files and gzipped ones', { skip: noTool }, () => {
  const raw = join(tmp, 'xdp.btf');
  const gz = join(tmp, 'xdp.btf.gz');
  const section = btfSection(fixture('elf/fixtures/xdp_parser.o'));
  writeFileSync(raw, section);
  writeFileSync(gz, gzipSync(section));
  const want = bpftool('btf', 'dump', 'file', raw, 'format', 'c');
  assert.equal(ebee('dump', raw, 'format', 'c'), want);
  assert.equal(ebee('dump', gz, 'format', 'c'), want, 'gzip is recognised by its magic number');
  const gzObject = join(tmp, 'types.o.gz');
  writeFileSync(gzObject, gzipSync(readFileSync(fixture('btf/fixtures/types.o'))));
  assert.equal(ebee('dump', gzObject), bpftool('btf', 'dump', 'file', fixture('btf/fixtures/types.o')));
});

test('btf dump --base-btf reads split BTF over its base, as bpftool -B does', { skip: noTool }, () => {
  // Split BTF holding one type, a pointer to the base's type 1: ids continue the base's.
  const split = new DataView(new ArrayBuffer(24 + 12 + 1));
  [[0, 0xeb9f, 2], [2, 1, 1], [4, 24, 4], [8, 0, 4], [12, 12, 4], [16, 12, 4], [20, 1, 4], [28, 2 << 24, 4], [32, 1, 4]]
    .forEach(([at, v, size]) => size === 1 ? split.setUint8(at!, v!) : size === 2 ? split.setUint16(at!, v!, true) : split.setUint32(at!, v!, true));
  const path = join(tmp, 'split.btf');
  writeFileSync(path, new Uint8Array(split.buffer));
  const base = fixture('btf/fixtures/types.o');
  const want = bpftool('-B', base, 'btf', 'dump', 'file', path);
  assert.match(want, /^\[\d+\] PTR '\(anon\)' type_id=1\n$/);
  assert.equal(ebee('dump', path, '-B', base), want);
  assert.equal(ebee('dump', path, '--base-btf', base, 'format', 'c'), bpftool('-B', base, 'btf', 'dump', 'file', path, 'format', 'c'));
});

test('btf dump: input without BTF is a typed error; bad arguments are usage errors', () => {
  const fail = (args: string[], status: number, pattern: RegExp) => {
    const r = cli('btf', ...args);
    assert.equal(r.status, status, r.err);
    assert.match(r.err, pattern);
  };
  fail(['dump', join(ROOT, 'examples', 'sum.s')], 1, new RegExp(`neither BTF nor an ELF object.*\\[${NO_BTF}\\]`));
  // An object whose .BTF section is renamed has no BTF.
  const bytes = new Uint8Array(readFileSync(fixture('btf/fixtures/types.o')));
  const at = Buffer.from(bytes).indexOf('.BTF\0', 0, 'latin1');
  bytes[at + 3] = 'X'.charCodeAt(0);
  const noBtf = join(tmp, 'nobtf.o');
  writeFileSync(noBtf, bytes);
  fail(['dump', noBtf], 1, /has no \.BTF section \[EBEE_CLI_NO_BTF\]/);
  const truncated = join(tmp, 'truncated.btf');
  writeFileSync(truncated, btfSection(fixture('btf/fixtures/types.o')).subarray(0, 30));
  fail(['dump', truncated], 1, /\[EBEE_BTF_MALFORMED\]/);
  const badGz = join(tmp, 'bad.gz');
  writeFileSync(badGz, Uint8Array.of(0x1f, 0x8b, 8, 0, 1, 2, 3));
  fail(['dump', badGz], 1, /gzip data is damaged: .*\[EBEE_CLI_NO_BTF\]/);
  fail(['dump', join(tmp, 'absent')], 1, /cannot read .*ENOENT \[EBEE_CLI_IO\]/);
  fail(['dump'], 2, /missing FILE/);
  fail(['show', noBtf], 2, /the only subcommand is dump/);
  fail(['dump', noBtf, 'format', 'json'], 2, /format must be one of raw, c/);
  fail(['dump', noBtf, 'format'], 2, /format needs a value/);
  fail(['dump', noBtf, 'c'], 2, /unexpected argument 'c'/);
  const help = cli('btf', '--help');
  assert.equal(help.status, 0);
  assert.match(help.out, /ebee btf dump \[file\] FILE \[format raw\|c\]/);
});
