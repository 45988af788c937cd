/**
 * The packet a program runs on, as helpers see it. The contract between `helpers/`
 * (which changes packets: xdp_adjust_head/meta/tail, skb_store_bytes, csum
 * replacements, skb_change_tail...) and `progs/` (which builds the packet buffer and
 * the context for a test run, and reads the packet back afterwards).
 *
 * One region of the address space holds the whole buffer:
 *
 *     start          dataMeta      data                 dataEnd          end
 *       |  headroom     | metadata  |  packet bytes       |  tailroom      |
 *
 * `dataMeta <= data <= dataEnd`, all absolute addresses (so they fit in the context's
 * 32-bit `data` / `data_end` / `data_meta` fields as real pointers). Helpers move
 * `data`, `dataMeta` and `dataEnd` inside `[start, end)` and then call `sync()`, which
 * writes the new values into the context struct the program holds (for XDP also
 * `data_meta`; for skb also `len`), so the program's next context load sees them.
 */
import type { Region } from '../vm/memory.js';

export interface PacketState {
  /** `xdp` packets have xdp_md contexts and XDP headroom; `skb` ones have __sk_buff contexts. */
  readonly kind: 'xdp' | 'skb';
  /** The buffer: headroom, metadata, packet, tailroom. */
  readonly region: Region;
  /** Address of the context struct (xdp_md or __sk_buff) the program got in r1. */
  readonly ctx: number;
  dataMeta: number;
  data: number;
  dataEnd: number;
  /** Writes data/data_end/data_meta (and derived fields such as skb `len`) into the context. */
  sync(): void;
  /** The packet bytes now (a view of `[data, dataEnd)`; valid until the next change). */
  bytes(): Uint8Array;
}
