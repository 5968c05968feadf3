// Applying an SUV plan, and the one-line reason why a series has no SUV.
#include <string>

#include "oncotrace/error.h"
#include "oncotrace/suv.h"
#include "suv/plan_log.h"

namespace oncotrace {

ImageVolume apply_suv(const Frame& frame, const SuvPlan& plan) {
  const Geometry& geometry = frame.image.geometry;
  if (static_cast<int64_t>(plan.factor_per_slice.size()) != geometry.size[2]) {
    throw InternalError(suv_detail::series_context(SeriesHeader{}, frame) + ": the SUV plan has " +
                        std::to_string(plan.factor_per_slice.size()) + " factors for a frame of " +
                        std::to_string(geometry.size[2]) +
                        " planes (plan made for another frame?)");
  }
  ImageVolume suv(geometry);
  const size_t plane_voxels = static_cast<size_t>(geometry.size[0] * geometry.size[1]);
  for (size_t plane = 0; plane < plan.factor_per_slice.size(); ++plane) {
    const double factor = plan.factor_per_slice[plane];
    const size_t begin = plane * plane_voxels;
    for (size_t offset = begin; offset < begin + plane_voxels; ++offset) {
      suv.values[offset] = static_cast<float>(frame.image.values[offset] * factor);
    }
  }
  return suv;
}

std::string suv_unavailable_reason(const SeriesHeader& header, const Frame& frame,
                                   const SuvOptions& options) {
  try {
    plan_suv(header, frame, options);
    return "";
  } catch (const Error& error) {
    // The caller already shows which series this is: drop the "series ... : " prefix.
    std::string reason = error.what();
    const std::string prefix = suv_detail::series_context(header, frame) + ": ";
    if (reason.rfind(prefix, 0) == 0) reason.erase(0, prefix.size());
    return reason;
  }
}

}  // namespace oncotrace
