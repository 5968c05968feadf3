// Volume<T>: a Geometry plus one contiguous buffer of voxel values, i fastest.
//
// Hot loops run over the raw buffer (`values`). Masks are Volume<uint8_t>, label maps
// Volume<uint16_t>, both sharing the Geometry of the image they describe.
#ifndef ONCOTRACE_VOLUME_H_
#define ONCOTRACE_VOLUME_H_

#include <cstdint>
#include <vector>

#include "oncotrace/geometry.h"

namespace oncotrace {

template <typename T>
struct Volume {
  Geometry geometry;
  std::vector<T> values;

  Volume() = default;
  explicit Volume(const Geometry& grid, T fill = T{})
      : geometry(grid), values(grid.voxel_count(), fill) {}

  T& at(int64_t i, int64_t j, int64_t k) { return values[geometry.offset(i, j, k)]; }
  const T& at(int64_t i, int64_t j, int64_t k) const { return values[geometry.offset(i, j, k)]; }
  size_t size() const { return values.size(); }
};

using ImageVolume = Volume<float>;
using Mask = Volume<uint8_t>;
using LabelMap = Volume<uint16_t>;

}  // namespace oncotrace

#endif  // ONCOTRACE_VOLUME_H_
