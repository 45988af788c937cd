/**
 * The legacy packet loads (LD_ABS, LD_IND) of classic-BPF heritage: r0 = the
 * big-endian value at a packet offset. As in Linux, an offset outside the packet
 * ends the program with r0 = 0 rather than faulting.
 */
import { Mode, Size } from '../isa/index.js';
import { noPacket } from './engine.js';
import type { Execution } from './execution.js';

/** Performs the load; returns false when the program must exit with r0 = 0. */
export function packetLoad(ex: Execution, opcode: number, src: number, imm: number, pc: number, dv: DataView): boolean {
  const packet = ex.packet;
  if (!packet) throw noPacket(pc);
  const size = (opcode & 0x18) === Size.W ? 4 : (opcode & 0x18) === Size.H ? 2 : 1;
  const offset = (opcode & 0xe0) === Mode.IND ? (ex.lo[src]! + imm) | 0 : imm;
  if (offset < 0 || offset + size > packet.length) {
    ex.lo[0] = 0; ex.hi[0] = 0;
    return false;
  }
  const a = packet.address + offset;
  ex.lo[0] = size === 4 ? dv.getInt32(a, false) : size === 2 ? dv.getUint16(a, false) : dv.getUint8(a);
  ex.hi[0] = 0;
  return true;
}
