#include "phantom/uid.h"

#include <algorithm>
#include <array>

#include "phantom/image_physics.h"

namespace oncotrace::phantom {
namespace {

uint64_t fnv1a_64(std::string_view text, uint64_t basis) {
  uint64_t hash = basis;
  for (unsigned char c : text) {
    hash ^= c;
    hash *= 0x100000001B3ULL;
  }
  return hash;
}

// Decimal digits of a 128-bit unsigned integer given as four 32-bit limbs, most significant first.
std::string to_decimal(std::array<uint32_t, 4> limbs) {
  std::string digits;
  auto is_zero = [&] {
    return std::all_of(limbs.begin(), limbs.end(), [](uint32_t l) { return l == 0; });
  };
  while (!is_zero()) {
    uint64_t remainder = 0;
    for (uint32_t& limb : limbs) {
      const uint64_t value = (remainder << 32) | limb;
      limb = static_cast<uint32_t>(value / 10);
      remainder = value % 10;
    }
    digits.push_back(static_cast<char>('0' + remainder));
  }
  if (digits.empty()) digits = "0";
  std::reverse(digits.begin(), digits.end());
  return digits;
}

}  // namespace

std::string make_phantom_uid(uint64_t seed, std::string_view purpose) {
  const uint64_t high = mix_seed(fnv1a_64(purpose, 0xCBF29CE484222325ULL), seed);
  const uint64_t low = mix_seed(fnv1a_64(purpose, 0x84222325CBF29CE4ULL), ~seed);
  std::array<uint32_t, 4> limbs{static_cast<uint32_t>(high >> 32), static_cast<uint32_t>(high),
                                static_cast<uint32_t>(low >> 32), static_cast<uint32_t>(low)};
  // UUID layout: version in the top nibble of byte 6, variant in the top bits of byte 8.
  limbs[1] = (limbs[1] & 0xFFFF0FFFu) | 0x00008000u;
  limbs[2] = (limbs[2] & 0x3FFFFFFFu) | 0x80000000u;
  return "2.25." + to_decimal(limbs);
}

}  // namespace oncotrace::phantom
