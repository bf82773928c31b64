// What a RamCast core asks its host to do: one-sided writes to issue and messages delivered.
// The simulator turns these into CoreEffects; the real runtime posts the writes on its
// transport and hands deliveries to JS in batches.
#pragma once
#include <cstdint>
#include <vector>

#include "ramcast/layout.h"

namespace castellan::ramcast {

struct Write {
  uint32_t to;
  Region region;
  uint32_t offset;
  std::vector<uint8_t> bytes;
};

struct Delivery {
  uint64_t id;
  uint64_t final_ts;
  std::vector<uint16_t> dst;
  std::vector<uint8_t> payload;
};

struct Issued {
  uint64_t id;
  std::vector<uint16_t> dst;
};

/** A client's multicast has been delivered where its caller asked (ClientCore::Await). */
struct Completed {
  uint32_t seq;
};

struct Effects {
  std::vector<Write> writes;
  std::vector<Delivery> deliveries;
  std::vector<Issued> issued;        // clients: messages written (Task 1)
  std::vector<Completed> completed;  // clients: multicasts delivered as awaited
};

}  // namespace castellan::ramcast
