// Encoding of slots and cells (layout.h). Host byte order: every castellan host is x86-64,
// and one-sided writes copy bytes without conversion, as the NIC would.
#include "ramcast/layout.h"

#include <cstring>

namespace castellan::ramcast {

const char* region_name(Region r) {
  switch (r) {
    case Region::kRing: return "ring";
    case Region::kTs: return "ts";
    case Region::kAck: return "ack";
    case Region::kCredit: return "credit";
  }
  return "?";
}

std::optional<Region> region_from_name(const char* name) {
  for (Region r : {Region::kRing, Region::kTs, Region::kAck, Region::kCredit})
    if (std::strcmp(region_name(r), name) == 0) return r;
  return std::nullopt;
}

int Slot::dst_index(uint32_t g) const {
  for (size_t i = 0; i < dst.size(); ++i)
    if (dst[i] == g) return int(i);
  return -1;
}

std::vector<uint8_t> encode_slot(const Slot& s) {
  const uint32_t len = kSlotHeaderBytes + uint32_t(s.payload.size()) + kSlotCrcBytes;
  std::vector<uint8_t> out(len, 0);
  uint8_t* p = out.data();
  put_u32(p, len);
  put_u32(p + 4, s.client);
  put_u32(p + 8, s.seq);
  p[12] = uint8_t(s.dst.size());
  put_u16(p + 14, uint16_t(s.payload.size()));
  for (size_t i = 0; i < s.dst.size(); ++i) {
    put_u16(p + 16 + 2 * i, s.dst[i]);
    put_u32(p + 16 + 2 * kMaxDstGroups + 4 * i, s.pos[i]);
  }
  if (!s.payload.empty()) std::memcpy(p + kSlotHeaderBytes, s.payload.data(), s.payload.size());
  put_u32(p + len - kSlotCrcBytes, crc32c(0, p, len - kSlotCrcBytes));
  return out;
}

std::optional<Slot> decode_slot(const uint8_t* p, size_t n) {
  if (n < kSlotHeaderBytes + kSlotCrcBytes) return std::nullopt;
  const uint32_t len = get_u32(p);
  if (len < kSlotHeaderBytes + kSlotCrcBytes || len > n || len > kSlotBytes) return std::nullopt;
  if (get_u32(p + len - kSlotCrcBytes) != crc32c(0, p, len - kSlotCrcBytes)) return std::nullopt;
  Slot s;
  s.client = get_u32(p + 4);
  s.seq = get_u32(p + 8);
  const uint32_t ndst = p[12];
  const uint32_t plen = get_u16(p + 14);
  if (ndst == 0 || ndst > kMaxDstGroups || kSlotHeaderBytes + plen + kSlotCrcBytes != len) return std::nullopt;
  for (uint32_t i = 0; i < ndst; ++i) {
    s.dst.push_back(get_u16(p + 16 + 2 * i));
    s.pos.push_back(get_u32(p + 16 + 2 * kMaxDstGroups + 4 * i));
    if (i > 0 && s.dst[i] <= s.dst[i - 1]) return std::nullopt;  // ascending, no duplicates
  }
  s.payload.assign(p + kSlotHeaderBytes, p + kSlotHeaderBytes + plen);
  return s;
}

void encode_cell(const Cell& c, uint8_t out[kCellBytes]) {
  put_u64(out, c.id);
  put_u64(out + 8, c.round);
  put_u64(out + 16, c.value);
  put_u32(out + 24, c.clock);
  put_u32(out + 28, crc32c(0, out, 28));
}

std::optional<Cell> decode_cell(const uint8_t* p) {
  if (get_u32(p + 28) != crc32c(0, p, 28)) return std::nullopt;
  Cell c{get_u64(p), get_u64(p + 8), get_u64(p + 16), get_u32(p + 24)};
  if (c.round == 0) return std::nullopt;  // an all-zero cell is empty (crc32c of zeros ≠ 0)
  return c;
}

}  // namespace castellan::ramcast
