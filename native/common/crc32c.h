// CRC-32C (Castagnoli): the checksum of RamCast ring slots and of wire frames. SSE4.2
// instruction when the CPU has it, a slice-by-8 table otherwise.
#pragma once
#include <cstddef>
#include <cstdint>

namespace castellan {
uint32_t crc32c(uint32_t crc, const uint8_t* data, size_t len);
}
