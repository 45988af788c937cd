# XDP: count IPv4 packets per IP protocol in an array map, drop UDP, pass the rest.
# Run: npx ebee run examples/xdp-count.s --type xdp --map counts:array:4:8:256 \
#        --pcap examples/traffic.pcap [--out passed.pcap] [--json]
        r2 = *(u32 *)(r1 + 0)           # xdp_md.data
        r3 = *(u32 *)(r1 + 4)           # xdp_md.data_end
        r4 = r2
        r4 += 34                        # Ethernet (14) + IPv4 header (20)
        if r4 > r3 goto pass            # too short for IPv4
        r5 = *(u16 *)(r2 + 12)          # EtherType, network order
        if r5 != 0x8 goto pass          # not 0x0800 (IPv4) as a little-endian load sees it
        r5 = *(u8 *)(r2 + 23)           # IP protocol
        *(u32 *)(r10 - 4) = r5          # the map key lives on the stack
        r2 = r10
        r2 += -4
        r1 = counts ll
        call 1                          # bpf_map_lookup_elem
        if r0 == 0 goto pass
        r1 = 1
        lock *(u64 *)(r0 + 0) += r1     # counts[proto] += 1
        r5 = *(u32 *)(r10 - 4)
        if r5 == 17 goto drop           # UDP
pass:
        r0 = 2                          # XDP_PASS
        exit
drop:
        r0 = 1                          # XDP_DROP
        exit
