// Every bound of the RMP wire format and state, with its unit and reason. Raising one that
// sets a length-prefix width (see src/wire/length-prefix.ts) changes the layout and needs a
// new RMP_WIRE_VERSION.

/** Figure 1's MAX_PACKET: the seed ran 8 KB packets and let IP fragment them (§7). */
export const MAX_PACKET_BYTES = 8192;
/** Figure 1's MIN_PACKET: one Ethernet frame's worth, the window's floor after a loss (spec §10). */
export const MIN_PACKET_BYTES = 1024;
/** Application messages coalesced into one DATA packet (each needs a 2-byte length). */
export const MESSAGES_PER_PACKET_MAX = 255;
/** Largest encoded RMP packet: a full DATA (payload + ≤ 255 length prefixes + header) or a full ACK. */
export const PACKET_BYTES_MAX = 16 * 1024;
/** Ordering entries in one ACK: 8 bytes each, so a full ACK stays a few KB (one IP datagram). */
export const ACK_ENTRIES_MAX = 512;
/** Members of one token list: a LAN group; also bounds votes and new lists. */
export const MEMBERS_MAX = 64;
/** Sources listed in a join's frontier (members plus non-member clients still sending). */
export const FRONTIER_SOURCES_MAX = 256;
/** Wants in one NACK: more gaps than this are asked for in the next NACK round. */
export const NACK_WANTS_MAX = 64;
/** Multi-RPC response payload (spec §9): one packet's worth. */
export const REPLY_PAYLOAD_MAX_BYTES = MAX_PACKET_BYTES;
/** Process ids pack a node number in 16 bits (see pid.ts). */
export const NODE_MAX = 0xffff;
