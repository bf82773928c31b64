// RamCast M buffer layout (spec/ramcast.md §3.2): the bytes a remote writer places in a
// server's registered memory, and the credit words a server places back in a client's.
//
// Every remotely written cell names the message it is about (client, seq). The receiver
// therefore attributes a landed cell without consulting which copy of the body it holds, and
// a relayed body can reuse the client's own home slot (decision §11.3, see decisions.md):
// a relay writes byte-identical slot contents to the same place, so duplicates are harmless.
//
// Regions of a server process:
//   ring  : one ring per client, kRingSlots slots of kSlotBytes; slot = message body.
//   ts    : a control cell (the round barrier), then TS[client][slot][dstIdx] entries.
//   ack   : ACK[client][slot][dstIdx][member] cells.
// Region of a client: credit, one 8-byte head counter per server.
#pragma once
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <optional>
#include <vector>

#include "common/crc32c.h"

namespace castellan::ramcast {

// Slots per client ring at each server: bounds a client's undelivered messages per group.
constexpr uint32_t kRingSlots = 64;
// One slot holds a whole message; 256 bytes fits the paper's 96-byte messages with headroom.
constexpr uint32_t kSlotBytes = 256;
// Destination groups per message (the sweeps go to 8 groups).
constexpr uint32_t kMaxDstGroups = 8;
// Members per group (2f+1 with f ≤ 3).
constexpr uint32_t kMaxGroupSize = 7;
// Every TS entry and ack cell: id (8) + round (8) + value (8) + clock (4) + crc (4).
constexpr uint32_t kCellBytes = 32;
// The ts region starts with one control cell: the round barrier (Task 9 → round open).
constexpr uint32_t kTsControlBytes = kCellBytes;
// Credit word per server at a client: 8-byte head counter (single aligned word, no crc).
constexpr uint32_t kCreditBytes = 8;

// Slot header: len u32 | client u32 | seq u32 | ndst u8 | pad u8 | payloadLen u16 |
//              dst u16[kMaxDstGroups] | pos u32[kMaxDstGroups] | payload | crc u32.
constexpr uint32_t kSlotHeaderBytes = 16 + 2 * kMaxDstGroups + 4 * kMaxDstGroups;
constexpr uint32_t kSlotCrcBytes = 4;
constexpr uint32_t kMaxPayloadBytes = kSlotBytes - kSlotHeaderBytes - kSlotCrcBytes;

enum class Region : uint8_t { kRing = 0, kTs = 1, kAck = 2, kCredit = 3 };
const char* region_name(Region r);
std::optional<Region> region_from_name(const char* name);

/** Message identity (client node, client sequence number): §3.2, not a ring position. */
inline uint64_t msg_id(uint32_t client, uint32_t seq) { return (uint64_t(client) << 32) | seq; }
inline uint32_t id_client(uint64_t id) { return uint32_t(id >> 32); }
inline uint32_t id_seq(uint64_t id) { return uint32_t(id); }

/** Timestamp value: counter in the high bits, group id in the low 16 (decision §11.6). */
constexpr uint64_t kGroupBits = 16;
inline uint64_t ts_encode(uint64_t counter, uint32_t group) { return (counter << kGroupBits) | group; }
inline uint64_t ts_counter(uint64_t value) { return value >> kGroupBits; }

/** Round (ballot) = (epoch, leader node): unique per candidate (decision §11.11). */
constexpr uint64_t kNodeBits = 16;
inline uint64_t round_encode(uint64_t epoch, uint32_t leader) { return (epoch << kNodeBits) | leader; }
inline uint32_t round_leader(uint64_t round) { return uint32_t(round & ((1u << kNodeBits) - 1)); }
inline uint64_t round_epoch(uint64_t round) { return round >> kNodeBits; }

struct Slot {
  uint32_t client = 0;
  uint32_t seq = 0;
  std::vector<uint16_t> dst;  // destination groups, ascending
  std::vector<uint32_t> pos;  // per destination group: the client's position in that group's ring
  std::vector<uint8_t> payload;
  uint64_t id() const { return msg_id(client, seq); }
  /** Index of group g in dst, or -1. */
  int dst_index(uint32_t g) const;
  uint32_t slot_for(uint32_t g) const { return pos[size_t(dst_index(g))] % kRingSlots; }
};

/** The whole slot image, CRC last: one write carries a complete body. */
std::vector<uint8_t> encode_slot(const Slot& s);
/** Decodes a slot image; nullopt when empty, torn (CRC mismatch) or malformed. */
std::optional<Slot> decode_slot(const uint8_t* p, size_t n);

struct Cell {
  uint64_t id = 0;
  uint64_t round = 0;
  uint64_t value = 0;
  uint32_t clock = 0;  // acks: the acker's clock counter when it acked (decisions.md, D1)
};
void encode_cell(const Cell& c, uint8_t out[kCellBytes]);
std::optional<Cell> decode_cell(const uint8_t* p);

// Offsets. `w` is the client's index among clients.
inline uint32_t ring_offset(uint32_t w, uint32_t slot) { return (w * kRingSlots + slot) * kSlotBytes; }
inline uint32_t ts_offset(uint32_t w, uint32_t slot, uint32_t dst_idx) {
  return kTsControlBytes + ((w * kRingSlots + slot) * kMaxDstGroups + dst_idx) * kCellBytes;
}
inline uint32_t ack_offset(uint32_t w, uint32_t slot, uint32_t dst_idx, uint32_t member) {
  return (((w * kRingSlots + slot) * kMaxDstGroups + dst_idx) * kMaxGroupSize + member) * kCellBytes;
}
inline uint32_t credit_offset(uint32_t server_idx) { return server_idx * kCreditBytes; }

inline uint32_t ring_region_bytes(uint32_t clients) { return ring_offset(clients, 0); }
inline uint32_t ts_region_bytes(uint32_t clients) { return ts_offset(clients, 0, 0); }
inline uint32_t ack_region_bytes(uint32_t clients) { return ack_offset(clients, 0, 0, 0); }

inline void put_u16(uint8_t* p, uint16_t v) { std::memcpy(p, &v, 2); }
inline void put_u32(uint8_t* p, uint32_t v) { std::memcpy(p, &v, 4); }
inline void put_u64(uint8_t* p, uint64_t v) { std::memcpy(p, &v, 8); }
inline uint16_t get_u16(const uint8_t* p) { uint16_t v; std::memcpy(&v, p, 2); return v; }
inline uint32_t get_u32(const uint8_t* p) { uint32_t v; std::memcpy(&v, p, 4); return v; }
inline uint64_t get_u64(const uint8_t* p) { uint64_t v; std::memcpy(&v, p, 8); return v; }

}  // namespace castellan::ramcast
