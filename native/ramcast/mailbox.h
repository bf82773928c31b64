// The real runtime's registered memory (decision D13 in src/ramcast/decisions.md): one ring per
// remote writer in every process's mailbox regions, holding that writer's one-sided writes in
// the order it issued them. A record is a write of the core (region of the M buffer, offset,
// bytes: slots, TS/ack cells, credit words exactly as layout.h encodes them) plus a sequence
// number and a CRC-32C; the receiver's driver applies each record to its core's M buffer as the
// simulator applies a `write` effect, so every write is seen exactly once, in per-writer order,
// and none can be overwritten before it was seen (a write in place at its M-buffer address
// could be: relays, re-acks and resyncs hit slots the client has reused, §7).
//
// Regions of a process (each its own rma::Region, so each has its own grants):
//   data mailbox: consumed words, then one data ring per node (ring bodies, acks, credit);
//   ts mailbox (servers only): one ts ring per server (TS cells and the round barrier). A
//   member fences a deposed leader by revoking that leader's grant on its ts mailbox (§6).
// Flow control of a ring: the receiver writes back, in place, how many bytes of the writer's
// ring it consumed (a monotonic u64 in the writer's data mailbox, one per (receiver, ring)).
#pragma once
#include <cstddef>
#include <cstdint>
#include <optional>

#include "ramcast/layout.h"

namespace castellan::ramcast {

enum class Log : uint8_t { kData = 0, kTs = 1 };
constexpr uint32_t kLogs = 2;
inline Log log_of(Region r) { return r == Region::kTs ? Log::kTs : Log::kData; }
const char* log_name(Log log);

// Ring sizes per writer. Data: a client's whole window of bodies for one group (kRingSlots
// records of 272 bytes) fits in a third of it; ts: about 340 cell records.
constexpr uint32_t kDataRingBytes = 64 * 1024;
constexpr uint32_t kTsRingBytes = 16 * 1024;
inline uint32_t ring_bytes(Log log) { return log == Log::kTs ? kTsRingBytes : kDataRingBytes; }

// Record: seq u32 | offset u32 | len u16 | region u8 | kind u8 | bytes[len] | crc32c u32,
// padded to 8 bytes. A wrap record (kind 2, no bytes) sends the reader back to the ring's
// start; fewer than kRecordMinBytes left at the end is an implicit wrap.
constexpr uint32_t kRecordHeaderBytes = 12;
constexpr uint32_t kRecordCrcBytes = 4;
constexpr uint32_t kRecordAlign = 8;
constexpr uint32_t kRecordMinBytes = kRecordHeaderBytes + kRecordCrcBytes;
// The largest write a core issues is one slot image.
constexpr uint32_t kRecordPayloadMax = kSlotBytes;
enum class RecordKind : uint8_t { kWrite = 1, kWrap = 2 };

constexpr uint32_t record_bytes(uint32_t payload) {
  return (kRecordHeaderBytes + payload + kRecordCrcBytes + kRecordAlign - 1) / kRecordAlign * kRecordAlign;
}
static_assert(kDataRingBytes % kRecordAlign == 0 && kTsRingBytes % kRecordAlign == 0, "rings hold whole records");
static_assert(record_bytes(kRecordPayloadMax) * kRingSlots <= kDataRingBytes / 2,
              "a data ring holds a client's whole ring window of bodies twice over");

// Consumed words at the head of the data mailbox: per node index, one u64 per log.
constexpr uint32_t kConsumedWordBytes = 8;
inline uint32_t consumed_offset(uint32_t node_index, Log log) {
  return (node_index * kLogs + uint32_t(log)) * kConsumedWordBytes;
}
inline uint32_t consumed_area_bytes(uint32_t nodes) {
  return (consumed_offset(nodes, Log::kData) + 63) / 64 * 64;
}
/** Offset of writer `node_index`'s ring inside a mailbox region of `log`. */
inline uint32_t ring_offset_in_mailbox(Log log, uint32_t nodes, uint32_t node_index) {
  return (log == Log::kData ? consumed_area_bytes(nodes) : 0) + node_index * ring_bytes(log);
}
inline uint32_t mailbox_bytes(Log log, uint32_t nodes, uint32_t rings) {
  return ring_offset_in_mailbox(log, nodes, rings);
}

/** Encodes a record at `out` (record_bytes(len) bytes); returns its size. */
uint32_t encode_record(uint8_t* out, uint32_t seq, RecordKind kind, Region region, uint32_t offset,
                       const uint8_t* bytes, uint32_t len);

struct RecordView {
  RecordKind kind;
  Region region;
  uint32_t offset;
  uint32_t len;
  const uint8_t* bytes;  // into the caller's copy
  uint32_t size;         // bytes the record occupies in the ring
};

/**
 * Reads the record expected at `p` (`room` bytes to the ring's end) into `copy` (at least
 * record_bytes(kRecordPayloadMax) bytes) and checks it: nullopt when it has not (fully) landed
 * yet — another sequence number, or a CRC mismatch of a record still being written.
 */
std::optional<RecordView> read_record(const uint8_t* p, uint32_t room, uint32_t expected_seq, uint8_t* copy);

}  // namespace castellan::ramcast
