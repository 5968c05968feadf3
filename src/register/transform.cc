// Spatial transforms between studies, label transfer and the registration quality figure.
#include <Eigen/Dense>
#include <algorithm>
#include <cmath>
#include <numbers>

#include "oncotrace/error.h"
#include "oncotrace/register.h"

namespace oncotrace {
namespace {

Eigen::Matrix3d to_eigen(const Mat3& m) {
  Eigen::Matrix3d out;
  for (int r = 0; r < 3; ++r) {
    for (int c = 0; c < 3; ++c)
      out(r, c) = m[(static_cast<size_t>(r) * 3) + static_cast<size_t>(c)];
  }
  return out;
}

Mat3 from_eigen(const Eigen::Matrix3d& m) {
  Mat3 out{};
  for (int r = 0; r < 3; ++r) {
    for (int c = 0; c < 3; ++c)
      out[(static_cast<size_t>(r) * 3) + static_cast<size_t>(c)] = m(r, c);
  }
  return out;
}

// Trilinear sample at a continuous index; nullopt outside the grid (voxel centres at integers,
// so the valid range is [0, size - 1] per axis).
std::optional<double> sample_trilinear(const ImageVolume& image, const Vec3& index) {
  const Index3& size = image.geometry.size;
  std::array<int64_t, 3> base{};
  std::array<double, 3> frac{};
  for (size_t a = 0; a < 3; ++a) {
    if (!(index[a] >= 0.0) || index[a] > static_cast<double>(size[a] - 1)) return std::nullopt;
    base[a] = std::min<int64_t>(static_cast<int64_t>(std::floor(index[a])), size[a] - 2);
    if (size[a] == 1) base[a] = 0;
    frac[a] = index[a] - static_cast<double>(base[a]);
  }
  double value = 0.0;
  for (int corner = 0; corner < 8; ++corner) {
    double weight = 1.0;
    std::array<int64_t, 3> at = base;
    for (size_t a = 0; a < 3; ++a) {
      const bool upper = ((corner >> a) & 1) != 0;
      if (upper && size[a] == 1) {
        weight = 0.0;
        break;
      }
      at[a] += upper ? 1 : 0;
      weight *= upper ? frac[a] : 1.0 - frac[a];
    }
    if (weight == 0.0) continue;
    value += weight * static_cast<double>(image.at(at[0], at[1], at[2]));
  }
  return value;
}

}  // namespace

Vec3 SpatialTransform::apply(const Vec3& point_mm) const {
  Vec3 out{};
  for (size_t r = 0; r < 3; ++r) {
    out[r] = linear[r * 3] * point_mm[0] + linear[r * 3 + 1] * point_mm[1] +
             linear[r * 3 + 2] * point_mm[2] + translation_mm[r];
  }
  return out;
}

SpatialTransform SpatialTransform::inverse() const {
  const Eigen::Matrix3d a = to_eigen(linear);
  const double determinant = a.determinant();
  if (!std::isfinite(determinant) || std::abs(determinant) < 1e-12) {
    throw InvalidInputError("spatial transform is singular (determinant " +
                            std::to_string(determinant) + "): it cannot be inverted");
  }
  const Eigen::Matrix3d inverse_linear = a.inverse();
  const Eigen::Vector3d t(translation_mm[0], translation_mm[1], translation_mm[2]);
  const Eigen::Vector3d inverse_translation = -(inverse_linear * t);
  SpatialTransform out;
  out.linear = from_eigen(inverse_linear);
  out.translation_mm = {inverse_translation[0], inverse_translation[1], inverse_translation[2]};
  return out;
}

SpatialTransform SpatialTransform::after(const SpatialTransform& first) const {
  SpatialTransform out;
  out.linear = from_eigen(to_eigen(linear) * to_eigen(first.linear));
  out.translation_mm = apply(first.translation_mm);
  return out;
}

bool SpatialTransform::is_identity() const { return *this == SpatialTransform::identity(); }

double SpatialTransform::rotation_deg() const {
  // Closest rotation R = U V^T of the polar decomposition (SVD), angle from its trace.
  const Eigen::JacobiSVD<Eigen::Matrix3d> svd(to_eigen(linear),
                                              Eigen::ComputeFullU | Eigen::ComputeFullV);
  const Eigen::Matrix3d rotation = svd.matrixU() * svd.matrixV().transpose();
  const double cosine = std::clamp((rotation.trace() - 1.0) / 2.0, -1.0, 1.0);
  return std::acos(cosine) * 180.0 / std::numbers::pi;
}

std::optional<RegistrationMode> parse_registration_mode(const std::string& text) {
  if (text == "identity") return RegistrationMode::kIdentity;
  if (text == "rigid") return RegistrationMode::kRigid;
  if (text == "affine") return RegistrationMode::kRigidAffine;
  return std::nullopt;
}

const char* registration_mode_name(RegistrationMode mode) {
  switch (mode) {
    case RegistrationMode::kIdentity:
      return "identity";
    case RegistrationMode::kRigid:
      return "rigid";
    case RegistrationMode::kRigidAffine:
      return "affine";
  }
  return "unknown";
}

double registration_correlation(const ImageVolume& reference, const ImageVolume& study,
                                const SpatialTransform& reference_to_study, float body_threshold) {
  // Sums in double over voxels in memory order: the same value whatever the caller's threads.
  double sum_x = 0, sum_y = 0, sum_xx = 0, sum_yy = 0, sum_xy = 0;
  size_t count = 0;
  const Geometry& grid = reference.geometry;
  for (int64_t k = 0; k < grid.size[2]; ++k) {
    for (int64_t j = 0; j < grid.size[1]; ++j) {
      for (int64_t i = 0; i < grid.size[0]; ++i) {
        const float x = reference.at(i, j, k);
        if (!(x >= body_threshold)) continue;
        const Vec3 world = reference_to_study.apply(grid.index_to_world(i, j, k));
        const std::optional<double> y =
            sample_trilinear(study, study.geometry.world_to_index(world));
        if (!y) continue;
        sum_x += x;
        sum_y += *y;
        sum_xx += static_cast<double>(x) * x;
        sum_yy += *y * *y;
        sum_xy += static_cast<double>(x) * *y;
        ++count;
      }
    }
  }
  if (count < 100) return 0.0;
  const double n = static_cast<double>(count);
  const double covariance = sum_xy - sum_x * sum_y / n;
  const double variance_x = sum_xx - sum_x * sum_x / n;
  const double variance_y = sum_yy - sum_y * sum_y / n;
  if (variance_x <= 0.0 || variance_y <= 0.0) return 0.0;
  return covariance / std::sqrt(variance_x * variance_y);
}

LabelMap transfer_labels(const LabelMap& source, const Geometry& target_grid,
                         const SpatialTransform& target_to_source) {
  LabelMap out(target_grid, 0);
  for (int64_t k = 0; k < target_grid.size[2]; ++k) {
    for (int64_t j = 0; j < target_grid.size[1]; ++j) {
      for (int64_t i = 0; i < target_grid.size[0]; ++i) {
        const Vec3 world = target_to_source.apply(target_grid.index_to_world(i, j, k));
        const Index3 index = source.geometry.world_to_nearest_index(world);
        if (!source.geometry.contains(index)) continue;
        out.at(i, j, k) = source.at(index[0], index[1], index[2]);
      }
    }
  }
  return out;
}

double label_dice(const LabelMap& first, uint16_t first_label, const LabelMap& second,
                  uint16_t second_label) {
  if (!first.geometry.same_grid_as(second.geometry)) {
    throw InvalidInputError("label_dice: the two label maps are on different grids (" +
                            first.geometry.describe() + " vs " + second.geometry.describe() + ")");
  }
  size_t in_first = 0, in_second = 0, in_both = 0;
  for (size_t n = 0; n < first.values.size(); ++n) {
    const bool a = first.values[n] == first_label;
    const bool b = second.values[n] == second_label;
    in_first += a ? 1 : 0;
    in_second += b ? 1 : 0;
    in_both += (a && b) ? 1 : 0;
  }
  if (in_first + in_second == 0) return 0.0;
  return 2.0 * static_cast<double>(in_both) / static_cast<double>(in_first + in_second);
}

}  // namespace oncotrace
