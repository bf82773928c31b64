#include "tsig/fixed_base.h"

#include <cstring>

namespace castellan::tsig {
namespace {

constexpr size_t kWordBytes = sizeof(uint64_t);
static_assert(FixedBaseTable::kWindowBits == 4, "digits are read as nibbles");

// All-ones when a == b, else zero, without a branch on the (secret) digit.
uint64_t mask_equal(uint32_t a, uint32_t b) {
  uint32_t diff = a ^ b;
  uint64_t is_zero = (static_cast<uint64_t>(diff) - 1) >> 63;
  return 0 - is_zero;
}

}  // namespace

FixedBaseTable::FixedBaseTable(const BIGNUM* base, const BIGNUM* modulus, BN_MONT_CTX* mont, int max_exponent_bits)
    : rows_((max_exponent_bits + kWindowBits - 1) / kWindowBits),
      stride_((static_cast<size_t>(BN_num_bytes(modulus)) + kWordBytes - 1) / kWordBytes * kWordBytes),
      one_mont_(bn_new()),
      table_(static_cast<size_t>(rows_) * kRowEntries * stride_) {
  BnCtx ctx = ctx_new();
  Bn one = bn_word(1);
  check(BN_to_montgomery(one_mont_.get(), one.get(), mont, ctx.get()), "BN_to_montgomery");
  Bn row_base = bn_new();  // base^(2^(W*i)) in Montgomery form
  check(BN_to_montgomery(row_base.get(), base, mont, ctx.get()), "BN_to_montgomery");
  Bn entry = bn_new();
  for (int i = 0; i < rows_; ++i) {
    check(BN_copy(entry.get(), one_mont_.get()) != nullptr, "BN_copy");
    uint8_t* row = &table_[static_cast<size_t>(i) * kRowEntries * stride_];
    for (int j = 0; j < kRowEntries; ++j) {
      if (j > 0) check(BN_mod_mul_montgomery(entry.get(), entry.get(), row_base.get(), mont, ctx.get()), "mont mul");
      check(BN_bn2lebinpad(entry.get(), row + j * stride_, static_cast<int>(stride_)) >= 0, "BN_bn2lebinpad");
    }
    for (int s = 0; s < kWindowBits; ++s)
      check(BN_mod_mul_montgomery(row_base.get(), row_base.get(), row_base.get(), mont, ctx.get()), "mont sqr");
  }
}

void FixedBaseTable::exp(BIGNUM* r, const BIGNUM* exponent, BN_MONT_CTX* mont, BN_CTX* ctx) const {
  if (BN_is_negative(exponent) || BN_num_bits(exponent) > max_exponent_bits())
    throw TsigError(kErrInput, "exponent out of range for the fixed-base table");
  const size_t digit_bytes = (static_cast<size_t>(rows_) * kWindowBits + 7) / 8;
  Bytes digits(digit_bytes);
  check(BN_bn2lebinpad(exponent, digits.data(), static_cast<int>(digit_bytes)) >= 0, "BN_bn2lebinpad");
  const size_t words = stride_ / kWordBytes;
  std::vector<uint64_t> picked(words);
  Bn acc = bn_copy(one_mont_.get());
  Bn factor = bn_new();
  for (int i = 0; i < rows_; ++i) {
    const uint32_t digit = (digits[i / 2] >> (4 * (i % 2))) & 0xF;
    const uint8_t* row = &table_[static_cast<size_t>(i) * kRowEntries * stride_];
    std::fill(picked.begin(), picked.end(), 0);
    for (int j = 0; j < kRowEntries; ++j) {
      const uint64_t mask = mask_equal(static_cast<uint32_t>(j), digit);
      const uint8_t* entry = row + j * stride_;
      for (size_t w = 0; w < words; ++w) {
        uint64_t word;
        std::memcpy(&word, entry + w * kWordBytes, kWordBytes);
        picked[w] |= word & mask;
      }
    }
    check(BN_lebin2bn(reinterpret_cast<const uint8_t*>(picked.data()), static_cast<int>(stride_), factor.get()) != nullptr,
          "BN_lebin2bn");
    check(BN_mod_mul_montgomery(acc.get(), acc.get(), factor.get(), mont, ctx), "mont mul");
  }
  std::fill(digits.begin(), digits.end(), 0);
  check(BN_from_montgomery(r, acc.get(), mont, ctx), "BN_from_montgomery");
}

}  // namespace castellan::tsig
