// Mailbox records (mailbox.h).
#include "ramcast/mailbox.h"

#include <cstring>

#include "common/crc32c.h"

namespace castellan::ramcast {

const char* log_name(Log log) { return log == Log::kTs ? "ts" : "data"; }

uint32_t encode_record(uint8_t* out, uint32_t seq, RecordKind kind, Region region, uint32_t offset,
                       const uint8_t* bytes, uint32_t len) {
  const uint32_t size = record_bytes(len);
  put_u32(out, seq);
  put_u32(out + 4, offset);
  put_u16(out + 8, uint16_t(len));
  out[10] = uint8_t(region);
  out[11] = uint8_t(kind);
  if (len) std::memcpy(out + kRecordHeaderBytes, bytes, len);
  put_u32(out + kRecordHeaderBytes + len, crc32c(0, out, kRecordHeaderBytes + len));
  // Padding is zeroed so a record's image is a pure function of its contents.
  std::memset(out + kRecordHeaderBytes + len + kRecordCrcBytes, 0, size - (kRecordHeaderBytes + len + kRecordCrcBytes));
  return size;
}

std::optional<RecordView> read_record(const uint8_t* p, uint32_t room, uint32_t expected_seq, uint8_t* copy) {
  if (room < kRecordMinBytes) return std::nullopt;
  std::memcpy(copy, p, kRecordHeaderBytes);
  if (get_u32(copy) != expected_seq) return std::nullopt;
  const uint32_t len = get_u16(copy + 8);
  const uint32_t size = record_bytes(len);
  if (len > kRecordPayloadMax || size > room) return std::nullopt;  // a header still being written
  std::memcpy(copy + kRecordHeaderBytes, p + kRecordHeaderBytes, len + kRecordCrcBytes);
  if (get_u32(copy + kRecordHeaderBytes + len) != crc32c(0, copy, kRecordHeaderBytes + len)) return std::nullopt;
  const auto kind = RecordKind(copy[11]);
  if (kind != RecordKind::kWrite && kind != RecordKind::kWrap) return std::nullopt;
  return RecordView{kind, Region(copy[10]), get_u32(copy + 4), len, copy + kRecordHeaderBytes, size};
}

}  // namespace castellan::ramcast
