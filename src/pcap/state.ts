/** State shared by the decoder and the per-format parsers. */
import type { PcapHeader } from './pcap-read.js';
import type { CaptureInterface, CaptureSection } from './record.js';

/** Default cap on one record's captured length (pcap) or one block's length (pcapng). */
export const DEFAULT_MAX_RECORD_LENGTH = 64 * 1024 * 1024;

export interface DecodeState {
  /** Packet records returned so far (so also the index of the next one). */
  records: number;
  sections: CaptureSection[];
  interfaces: CaptureInterface[];
  /** pcapng blocks of types this module does not interpret, skipped. */
  skippedBlocks: number;
  maxRecordLength: number;
  pcapHeader?: PcapHeader;
}

/** A parser's answer when the queue holds too few bytes: how many it needs, for what. */
export class Need {
  constructor(readonly bytes: number, readonly what: string) {}
}
