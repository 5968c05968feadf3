// Applying an SUV plan, and the one-line reason why a series has no SUV.
#include <optional>
#include <string>
#include <utility>

#include "core/large_buffer.h"
#include "oncotrace/error.h"
#include "oncotrace/suv.h"
#include "suv/plan_log.h"
#include "suv/suv_time.h"

namespace oncotrace {

namespace {

void check_plan_fits_frame(const Frame& frame, const SuvPlan& plan) {
  const Geometry& geometry = frame.image.geometry;
  if (static_cast<int64_t>(plan.factor_per_slice.size()) != geometry.size[2]) {
    throw InternalError(suv_detail::series_context(SeriesHeader{}, frame) + ": the SUV plan has " +
                        std::to_string(plan.factor_per_slice.size()) + " factors for a frame of " +
                        std::to_string(geometry.size[2]) +
                        " planes (plan made for another frame?)");
  }
}

// output[v] = input[v] * factor of v's plane; input and output may be the same buffer.
void multiply_planes(const float* input, const SuvPlan& plan, size_t plane_voxels, float* output) {
  for (size_t plane = 0; plane < plan.factor_per_slice.size(); ++plane) {
    const double factor = plan.factor_per_slice[plane];
    const size_t begin = plane * plane_voxels;
    for (size_t offset = begin; offset < begin + plane_voxels; ++offset) {
      output[offset] = static_cast<float>(input[offset] * factor);
    }
  }
}

size_t plane_voxel_count(const Geometry& geometry) {
  return static_cast<size_t>(geometry.size[0] * geometry.size[1]);
}

}  // namespace

ImageVolume apply_suv(const Frame& frame, const SuvPlan& plan) {
  check_plan_fits_frame(frame, plan);
  ImageVolume suv;
  suv.geometry = frame.image.geometry;
  assign_large_buffer(suv.values, frame.image.values.size());
  multiply_planes(frame.image.values.data(), plan, plane_voxel_count(suv.geometry),
                  suv.values.data());
  return suv;
}

ImageVolume apply_suv(Frame&& frame, const SuvPlan& plan) {
  check_plan_fits_frame(frame, plan);
  ImageVolume suv = std::move(frame.image);
  frame.image = ImageVolume{};
  multiply_planes(suv.values.data(), plan, plane_voxel_count(suv.geometry), suv.values.data());
  return suv;
}

std::optional<double> seconds_from_administration_to_series_time(const SeriesHeader& header,
                                                                 const SuvOverrides& overrides) {
  const std::optional<DateTime> scan = suv_detail::series_datetime(header);
  if (!scan) return std::nullopt;
  suv_detail::PlanLog ignored_warnings(suv_detail::series_context(header, Frame{}));
  const auto administration =
      suv_detail::find_administration_time(header, overrides, scan, ignored_warnings);
  if (!administration) return std::nullopt;
  return scan->seconds_since(administration->value);
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
