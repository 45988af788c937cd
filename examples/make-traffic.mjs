// Writes examples/traffic.pcap: a small, deterministic capture (IPv4 TCP, UDP and ICMP,
// IPv6 and ARP frames) for examples/xdp-count.s. Run: node examples/make-traffic.mjs
import { writeFileSync } from 'node:fs';
import { writePcap } from 'ebee';

const mac = (last) => [0x02, 0, 0, 0, 0, last];
function ipv4(proto, payload) {
  const total = 20 + payload.length;
  return [0x45, 0, total >> 8, total & 0xff, 0, 1, 0x40, 0, 64, proto, 0, 0, 192, 168, 1, 2, 192, 168, 1, 1, ...payload];
}
const eth = (type, body) => new Uint8Array([...mac(1), ...mac(2), type >> 8, type & 0xff, ...body]);
const tcp = eth(0x0800, ipv4(6, [0x9c, 0x40, 0, 80, 0, 0, 0, 1, 0, 0, 0, 0, 0x50, 0x02, 0xff, 0xff, 0, 0, 0, 0]));
const udp = eth(0x0800, ipv4(17, [0xd4, 0x31, 0, 53, 0, 12, 0, 0, 0xab, 0xcd, 1, 0]));
const icmp = eth(0x0800, ipv4(1, [8, 0, 0xf7, 0xff, 0, 0, 0, 0]));
const ipv6 = eth(0x86dd, [0x60, 0, 0, 0, 0, 0, 59, 64, ...new Array(32).fill(0)]);
const arp = eth(0x0806, [0, 1, 8, 0, 6, 4, 0, 1, ...mac(1), 192, 168, 1, 2, 0, 0, 0, 0, 0, 0, 192, 168, 1, 1]);

const pattern = [tcp, tcp, udp, tcp, icmp, tcp, udp, ipv6, tcp, arp];
const packets = [];
for (let i = 0; i < 40; i++) packets.push({ data: pattern[i % pattern.length], timestamp: 1_700_000_000_000_000_000n + BigInt(i) * 1_000_000n });
writeFileSync(new URL('traffic.pcap', import.meta.url), writePcap(packets));
console.log(`wrote ${packets.length} packets to examples/traffic.pcap`);
