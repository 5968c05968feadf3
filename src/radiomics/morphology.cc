#include "radiomics/morphology.h"

#include <Eigen/Dense>
#include <unsupported/Eigen/FFT>

#include <algorithm>
#include <cmath>
#include <complex>
#include <limits>
#include <numbers>

#include "radiomics/mesh.h"

namespace oncotrace::radiomics::detail {

namespace {

constexpr double kPi = std::numbers::pi;

struct MaskedVoxel {
  Vec3 position_mm;
  double intensity;
  Index3 index;
};

std::vector<MaskedVoxel> voxels_of(const RoiGrid& roi, const std::vector<uint8_t>& mask) {
  std::vector<MaskedVoxel> voxels;
  for (int64_t k = 0; k < roi.size[2]; ++k) {
    for (int64_t j = 0; j < roi.size[1]; ++j) {
      for (int64_t i = 0; i < roi.size[0]; ++i) {
        const size_t offset = roi.offset(i, j, k);
        if (mask[offset] == 0) continue;
        voxels.push_back({roi.position_mm(i, j, k), roi.intensity[offset], {i, j, k}});
      }
    }
  }
  return voxels;
}

// Next FFT length >= n with only the factors 2, 3 and 5.
int64_t smooth_length(int64_t n) {
  for (int64_t candidate = std::max<int64_t>(n, 1);; ++candidate) {
    int64_t rest = candidate;
    for (const int64_t factor : {2, 3, 5}) {
      while (rest % factor == 0) rest /= factor;
    }
    if (rest == 1) return candidate;
  }
}

// In-place FFT along one axis of a complex array (i fastest) of `size`, for the lines whose
// other two indices lie below `limit` (the rest are zero on input or not needed on output).
void fft_axis(std::vector<std::complex<double>>& data, const Index3& size, int axis, bool inverse,
              const Index3& limit) {
  Eigen::FFT<double> fft;
  const auto a = static_cast<size_t>(axis);
  const int64_t length = size[a];
  const int64_t stride = axis == 0 ? 1 : (axis == 1 ? size[0] : size[0] * size[1]);
  const size_t u = (a + 1) % 3, v = (a + 2) % 3;
  const int64_t stride_u = u == 0 ? 1 : (u == 1 ? size[0] : size[0] * size[1]);
  const int64_t stride_v = v == 0 ? 1 : (v == 1 ? size[0] : size[0] * size[1]);
  std::vector<std::complex<double>> line(static_cast<size_t>(length)), result;
  for (int64_t iv = 0; iv < limit[v]; ++iv) {
    for (int64_t iu = 0; iu < limit[u]; ++iu) {
      const int64_t start = iu * stride_u + iv * stride_v;
      for (int64_t n = 0; n < length; ++n)
        line[static_cast<size_t>(n)] = data[static_cast<size_t>(start + n * stride)];
      if (inverse) {
        fft.inv(result, line);
      } else {
        fft.fwd(result, line);
      }
      for (int64_t n = 0; n < length; ++n)
        data[static_cast<size_t>(start + n * stride)] = result[static_cast<size_t>(n)];
    }
  }
}

// The DFT of the real, even kernel W(r) = 1/|r| (mm) on the periodic grid of `size`, kept as
// its first octant (index t <= size/2 per axis; the transform is real and even, so
// What(k) = octant(min(k, size - k))). Even symmetry lets every pass run on an octant of lines.
std::vector<double> kernel_transform_octant(const Index3& size, const Index3& support,
                                            const Vec3& spacing_mm, Index3& half) {
  for (size_t a = 0; a < 3; ++a) half[a] = size[a] / 2 + 1;
  std::vector<double> octant(static_cast<size_t>(half[0] * half[1] * half[2]), 0.0);
  const auto at = [&half](int64_t i, int64_t j, int64_t k) {
    return static_cast<size_t>(i + half[0] * (j + half[1] * k));
  };
  for (int64_t k = 0; k < std::min(half[2], support[2]); ++k) {
    for (int64_t j = 0; j < std::min(half[1], support[1]); ++j) {
      for (int64_t i = 0; i < std::min(half[0], support[0]); ++i) {
        if (i == 0 && j == 0 && k == 0) continue;
        const double x = i * spacing_mm[0], y = j * spacing_mm[1], z = k * spacing_mm[2];
        octant[at(i, j, k)] = 1.0 / std::sqrt(x * x + y * y + z * z);
      }
    }
  }
  Eigen::FFT<double> fft;
  for (size_t a = 0; a < 3; ++a) {
    const size_t u = (a + 1) % 3, v = (a + 2) % 3;
    const int64_t length = size[a];
    std::vector<std::complex<double>> line(static_cast<size_t>(length)), result;
    for (int64_t iv = 0; iv < half[v]; ++iv) {
      for (int64_t iu = 0; iu < half[u]; ++iu) {
        Index3 index{};
        index[u] = iu;
        index[v] = iv;
        const auto element = [&](int64_t t) {
          index[a] = t;
          return at(index[0], index[1], index[2]);
        };
        for (int64_t t = 0; t < length; ++t)
          line[static_cast<size_t>(t)] = octant[element(std::min(t, length - t))];
        fft.fwd(result, line);
        for (int64_t t = 0; t < half[a]; ++t)
          octant[element(t)] = result[static_cast<size_t>(t)].real();
      }
    }
  }
  return octant;
}

}  // namespace

SpatialAutocorrelation spatial_autocorrelation_direct(const RoiGrid& roi) {
  const auto voxels = voxels_of(roi, roi.intensity_mask);
  const auto n = static_cast<double>(voxels.size());
  double mean = 0.0;
  for (const auto& voxel : voxels) mean += voxel.intensity;
  mean /= n;
  double weight_sum = 0.0, moran_sum = 0.0, geary_sum = 0.0, squares = 0.0;
  for (size_t a = 0; a < voxels.size(); ++a) {
    const double ya = voxels[a].intensity - mean;
    squares += ya * ya;
    for (size_t b = a + 1; b < voxels.size(); ++b) {
      const Vec3& pa = voxels[a].position_mm;
      const Vec3& pb = voxels[b].position_mm;
      const double dx = pa[0] - pb[0], dy = pa[1] - pb[1], dz = pa[2] - pb[2];
      const double w = 1.0 / std::sqrt(dx * dx + dy * dy + dz * dz);
      const double yb = voxels[b].intensity - mean;
      const double difference = voxels[a].intensity - voxels[b].intensity;
      // Each unordered pair stands for both ordered pairs.
      weight_sum += 2.0 * w;
      moran_sum += 2.0 * w * ya * yb;
      geary_sum += 2.0 * w * difference * difference;
    }
  }
  SpatialAutocorrelation result;
  if (voxels.size() < 2 || squares == 0.0) {
    result.morans_i = std::nan("");
    result.gearys_c = std::nan("");
    return result;
  }
  result.morans_i = n / weight_sum * moran_sum / squares;
  result.gearys_c = (n - 1.0) / (2.0 * weight_sum) * geary_sum / squares;
  return result;
}

SpatialAutocorrelation spatial_autocorrelation_fft(const RoiGrid& roi) {
  const auto voxels = voxels_of(roi, roi.intensity_mask);
  SpatialAutocorrelation result{std::nan(""), std::nan("")};
  if (voxels.size() < 2) return result;
  const auto n = static_cast<double>(voxels.size());
  double mean = 0.0;
  for (const auto& voxel : voxels) mean += voxel.intensity;
  mean /= n;
  double squares = 0.0;
  for (const auto& voxel : voxels) squares += (voxel.intensity - mean) * (voxel.intensity - mean);
  if (squares == 0.0) return result;

  // The voxels sit in a box of `extent` at the origin of a periodic grid of at least
  // 2 extent - 1 samples per axis, so that the correlation is linear, not circular.
  Index3 low{roi.size[0], roi.size[1], roi.size[2]}, high{0, 0, 0};
  for (const auto& voxel : voxels) {
    for (size_t a = 0; a < 3; ++a) {
      low[a] = std::min(low[a], voxel.index[a]);
      high[a] = std::max(high[a], voxel.index[a]);
    }
  }
  Index3 extent{}, padded{};
  for (size_t a = 0; a < 3; ++a) {
    extent[a] = high[a] - low[a] + 1;
    padded[a] = smooth_length(2 * extent[a] - 1);
  }
  const auto padded_offset = [&padded](int64_t i, int64_t j, int64_t k) {
    return static_cast<size_t>(i + padded[0] * (j + padded[1] * k));
  };
  const size_t padded_count = static_cast<size_t>(padded[0] * padded[1] * padded[2]);
  Index3 half{};
  const std::vector<double> kernel = kernel_transform_octant(padded, extent, roi.spacing_mm, half);

  // One complex transform carries the mask (real part) and the masked intensities (imaginary).
  // Only the lines that hold voxels are transformed on the way in, and only those that hold
  // voxels are transformed back on the way out.
  std::vector<std::complex<double>> field(padded_count, 0.0);
  for (const auto& voxel : voxels) {
    field[padded_offset(voxel.index[0] - low[0], voxel.index[1] - low[1],
                        voxel.index[2] - low[2])] = {1.0, voxel.intensity};
  }
  fft_axis(field, padded, 0, false, {0, extent[1], extent[2]});
  fft_axis(field, padded, 1, false, {padded[0], 0, extent[2]});
  fft_axis(field, padded, 2, false, {padded[0], padded[1], 0});
  for (int64_t k = 0; k < padded[2]; ++k) {
    const int64_t fk = std::min(k, padded[2] - k);
    for (int64_t j = 0; j < padded[1]; ++j) {
      const int64_t fj = std::min(j, padded[1] - j);
      for (int64_t i = 0; i < padded[0]; ++i) {
        const int64_t fi = std::min(i, padded[0] - i);
        field[padded_offset(i, j, k)] *=
            kernel[static_cast<size_t>(fi + half[0] * (fj + half[1] * fk))];
      }
    }
  }
  fft_axis(field, padded, 2, true, {padded[0], padded[1], 0});
  fft_axis(field, padded, 1, true, {padded[0], 0, extent[2]});
  fft_axis(field, padded, 0, true, {0, extent[1], extent[2]});

  // A = W * m, B = W * (x m); W * y = B - mean A.
  double weight_sum = 0.0, moran_sum = 0.0, geary_sum = 0.0;
  for (const auto& voxel : voxels) {
    const std::complex<double> value = field[padded_offset(
        voxel.index[0] - low[0], voxel.index[1] - low[1], voxel.index[2] - low[2])];
    const double a = value.real(), b = value.imag(), x = voxel.intensity;
    weight_sum += a;
    moran_sum += (x - mean) * (b - mean * a);
    geary_sum += 2.0 * (x * x * a - x * b);
  }
  result.morans_i = n / weight_sum * moran_sum / squares;
  result.gearys_c = (n - 1.0) / (2.0 * weight_sum) * geary_sum / squares;
  return result;
}

SpatialAutocorrelation spatial_autocorrelation(const RoiGrid& roi) {
  size_t count = 0;
  for (const uint8_t inside : roi.intensity_mask) count += inside != 0 ? 1 : 0;
  // Below a few thousand voxels the direct sum is cheaper than the transforms.
  return count <= 3000 ? spatial_autocorrelation_direct(roi) : spatial_autocorrelation_fft(roi);
}

double ellipsoid_area(double a, double b, double c) {
  const double alpha = std::sqrt(std::max(0.0, 1.0 - (b * b) / (a * a)));
  const double beta = std::sqrt(std::max(0.0, 1.0 - (c * c) / (a * a)));
  // q_nu = (alpha beta)^nu P_nu((alpha^2 + beta^2) / (2 alpha beta)) by the Legendre recurrence
  // multiplied through by (alpha beta)^(nu+1), which stays finite when alpha beta -> 0.
  const double s = (alpha * alpha + beta * beta) / 2.0;
  const double product_squared = alpha * alpha * beta * beta;
  double q_previous = 1.0, q = s;
  double series = 1.0;  // nu = 0
  for (int nu = 1; nu <= 20; ++nu) {
    series += q / (1.0 - 4.0 * nu * nu);
    const double q_next =
        ((2.0 * nu + 1.0) * s * q - nu * product_squared * q_previous) / (nu + 1.0);
    q_previous = q;
    q = q_next;
  }
  return 4.0 * kPi * a * b * series;
}

namespace {

// Minimum-area rectangle enclosing 2D points (rotating the hull edges): returns (area, side
// lengths).
struct Rectangle {
  double area = std::numeric_limits<double>::infinity();
  double width = 0.0, height = 0.0;
};

Rectangle minimum_area_rectangle(std::vector<Eigen::Vector2d> points) {
  // 2D convex hull (monotone chain).
  std::sort(points.begin(), points.end(), [](const Eigen::Vector2d& a, const Eigen::Vector2d& b) {
    return a.x() != b.x() ? a.x() < b.x() : a.y() < b.y();
  });
  const auto turn = [](const Eigen::Vector2d& o, const Eigen::Vector2d& a,
                       const Eigen::Vector2d& b) {
    return (a.x() - o.x()) * (b.y() - o.y()) - (a.y() - o.y()) * (b.x() - o.x());
  };
  std::vector<Eigen::Vector2d> hull(2 * points.size());
  size_t count = 0;
  for (size_t p = 0; p < points.size(); ++p) {
    while (count >= 2 && turn(hull[count - 2], hull[count - 1], points[p]) <= 0) --count;
    hull[count++] = points[p];
  }
  for (size_t p = points.size() - 1, lower = count + 1; p-- > 0;) {
    while (count >= lower && turn(hull[count - 2], hull[count - 1], points[p]) <= 0) --count;
    hull[count++] = points[p];
  }
  hull.resize(count > 1 ? count - 1 : count);
  Rectangle best;
  for (size_t e = 0; e < hull.size(); ++e) {
    Eigen::Vector2d edge = hull[(e + 1) % hull.size()] - hull[e];
    if (edge.norm() == 0.0) continue;
    edge.normalize();
    const Eigen::Vector2d normal(-edge.y(), edge.x());
    double min_u = std::numeric_limits<double>::infinity(), max_u = -min_u;
    double min_v = min_u, max_v = -min_u;
    for (const auto& point : hull) {
      min_u = std::min(min_u, point.dot(edge));
      max_u = std::max(max_u, point.dot(edge));
      min_v = std::min(min_v, point.dot(normal));
      max_v = std::max(max_v, point.dot(normal));
    }
    const double area = (max_u - min_u) * (max_v - min_v);
    if (area < best.area) best = {area, max_u - min_u, max_v - min_v};
  }
  return best;
}

struct Box {
  double volume = std::nan("");
  double area = std::nan("");
};

// Smallest box with one face on a hull facet (the optimal box has at least one face flush with
// a hull facet in most cases [O'Rourke J, Int J Comput Inf Sci 1985]; this is the usual
// approximation).
Box oriented_minimum_bounding_box(const std::vector<Vec3>& hull_points,
                                  const std::vector<Vec3>& facet_normals) {
  Box best;
  double best_volume = std::numeric_limits<double>::infinity();
  std::vector<Eigen::Vector3d> points;
  points.reserve(hull_points.size());
  for (const Vec3& p : hull_points) points.emplace_back(p[0], p[1], p[2]);
  for (const Vec3& facet_normal : facet_normals) {
    const Eigen::Vector3d normal =
        Eigen::Vector3d(facet_normal[0], facet_normal[1], facet_normal[2]).normalized();
    const Eigen::Vector3d helper =
        std::abs(normal.x()) < 0.9 ? Eigen::Vector3d::UnitX() : Eigen::Vector3d::UnitY();
    const Eigen::Vector3d u = normal.cross(helper).normalized();
    const Eigen::Vector3d v = normal.cross(u);
    double min_n = std::numeric_limits<double>::infinity(), max_n = -min_n;
    std::vector<Eigen::Vector2d> projected;
    projected.reserve(points.size());
    for (const auto& p : points) {
      min_n = std::min(min_n, p.dot(normal));
      max_n = std::max(max_n, p.dot(normal));
      projected.emplace_back(p.dot(u), p.dot(v));
    }
    const Rectangle rectangle = minimum_area_rectangle(std::move(projected));
    const double depth = max_n - min_n;
    const double volume = rectangle.area * depth;
    if (volume < best_volume) {
      best_volume = volume;
      best.volume = volume;
      best.area = 2.0 * (rectangle.width * rectangle.height + rectangle.width * depth +
                         rectangle.height * depth);
    }
  }
  return best;
}

struct Ellipsoid {
  double a = std::nan(""), b = std::nan(""), c = std::nan("");  // semi-axes, a >= b >= c
};

// Minimum-volume enclosing ellipsoid [Khachiyan LG, 1996; Todd MJ, Yildirim EA, Discrete Appl
// Math 2007], iterated to a relative tolerance of 1e-4.
Ellipsoid minimum_volume_enclosing_ellipsoid(const std::vector<Vec3>& points) {
  Ellipsoid result;
  const auto n = static_cast<Eigen::Index>(points.size());
  if (n < 4) return result;
  Eigen::MatrixXd q(4, n);
  for (Eigen::Index p = 0; p < n; ++p) {
    q.col(p) << points[static_cast<size_t>(p)][0], points[static_cast<size_t>(p)][1],
        points[static_cast<size_t>(p)][2], 1.0;
  }
  Eigen::VectorXd u = Eigen::VectorXd::Constant(n, 1.0 / static_cast<double>(n));
  constexpr double kTolerance = 1e-4;
  for (int iteration = 0; iteration < 5000; ++iteration) {
    const Eigen::Matrix4d x = q * u.asDiagonal() * q.transpose();
    const Eigen::Matrix4d x_inverse = x.inverse();
    Eigen::VectorXd m(n);
    for (Eigen::Index p = 0; p < n; ++p) m(p) = q.col(p).dot(x_inverse * q.col(p));
    Eigen::Index j = 0;
    const double maximum = m.maxCoeff(&j);
    const double step = (maximum - 4.0) / (4.0 * (maximum - 1.0));
    Eigen::VectorXd u_next = (1.0 - step) * u;
    u_next(j) += step;
    const double change = (u_next - u).norm();
    u = u_next;
    if (change < kTolerance) break;
  }
  Eigen::MatrixXd p(3, n);
  for (Eigen::Index i = 0; i < n; ++i) p.col(i) = q.col(i).head<3>();
  const Eigen::Vector3d centre = p * u;
  const Eigen::Matrix3d covariance =
      p * u.asDiagonal() * p.transpose() - centre * centre.transpose();
  const Eigen::Matrix3d shape = covariance.inverse() / 3.0;
  Eigen::SelfAdjointEigenSolver<Eigen::Matrix3d> solver(shape);
  // Semi-axes are 1/sqrt(eigenvalues); eigenvalues ascend, so the first is the major axis.
  result.a = 1.0 / std::sqrt(solver.eigenvalues()(0));
  result.b = 1.0 / std::sqrt(solver.eigenvalues()(1));
  result.c = 1.0 / std::sqrt(solver.eigenvalues()(2));
  return result;
}

}  // namespace

void add_morphology_features(const RoiGrid& roi, FeatureList& out) {
  const TriangleMesh mesh = marching_cubes(roi.size, roi.spacing_mm, roi.morphological_mask);
  const double volume = mesh_volume(mesh);
  const double area = mesh_area(mesh);
  const auto morph_voxels = voxels_of(roi, roi.morphological_mask);
  const auto intensity_voxels = voxels_of(roi, roi.intensity_mask);
  const double voxel_volume = roi.spacing_mm[0] * roi.spacing_mm[1] * roi.spacing_mm[2];

  // Centre of mass shift (KLMA): geometric centre of the morphological mask against the
  // intensity-weighted centre of the intensity mask.
  Vec3 geometric{0, 0, 0}, weighted{0, 0, 0};
  double intensity_sum = 0.0;
  for (const auto& voxel : morph_voxels) {
    for (size_t a = 0; a < 3; ++a) geometric[a] += voxel.position_mm[a];
  }
  for (const auto& voxel : intensity_voxels) {
    intensity_sum += voxel.intensity;
    for (size_t a = 0; a < 3; ++a) weighted[a] += voxel.intensity * voxel.position_mm[a];
  }
  double shift_squared = 0.0;
  for (size_t a = 0; a < 3; ++a) {
    const double d =
        geometric[a] / static_cast<double>(morph_voxels.size()) - weighted[a] / intensity_sum;
    shift_squared += d * d;
  }
  const double mean_intensity = intensity_sum / static_cast<double>(intensity_voxels.size());

  // Principal components of the morphological-mask voxel centres; the reference values need
  // the sample covariance (N - 1 denominator, radiomics-ibsi.md §4.3).
  Eigen::Vector3d centre = Eigen::Vector3d::Zero();
  for (const auto& voxel : morph_voxels) {
    centre += Eigen::Vector3d(voxel.position_mm[0], voxel.position_mm[1], voxel.position_mm[2]);
  }
  centre /= static_cast<double>(morph_voxels.size());
  Eigen::Matrix3d covariance = Eigen::Matrix3d::Zero();
  for (const auto& voxel : morph_voxels) {
    const Eigen::Vector3d d =
        Eigen::Vector3d(voxel.position_mm[0], voxel.position_mm[1], voxel.position_mm[2]) - centre;
    covariance += d * d.transpose();
  }
  covariance /= std::max<double>(1.0, static_cast<double>(morph_voxels.size()) - 1.0);
  Eigen::SelfAdjointEigenSolver<Eigen::Matrix3d> pca(covariance);
  const double lambda_least = std::max(0.0, pca.eigenvalues()(0));
  const double lambda_minor = std::max(0.0, pca.eigenvalues()(1));
  const double lambda_major = std::max(0.0, pca.eigenvalues()(2));

  // Convex hull of the mesh vertices: densities and the maximum diameter (the farthest pair of
  // mesh vertices is a pair of hull vertices).
  const ConvexHull hull = convex_hull(mesh.vertices);
  std::vector<Vec3> hull_points;
  for (const int32_t index : hull.vertex_indices)
    hull_points.push_back(mesh.vertices[static_cast<size_t>(index)]);
  double diameter_squared = 0.0;
  for (size_t a = 0; a < hull_points.size(); ++a) {
    for (size_t b = a + 1; b < hull_points.size(); ++b) {
      double d2 = 0.0;
      for (size_t axis = 0; axis < 3; ++axis) {
        const double d = hull_points[a][axis] - hull_points[b][axis];
        d2 += d * d;
      }
      diameter_squared = std::max(diameter_squared, d2);
    }
  }

  // Axis-aligned bounding box of the mesh.
  Vec3 low{std::numeric_limits<double>::infinity(), std::numeric_limits<double>::infinity(),
           std::numeric_limits<double>::infinity()};
  Vec3 high{-low[0], -low[1], -low[2]};
  for (const Vec3& vertex : mesh.vertices) {
    for (size_t a = 0; a < 3; ++a) {
      low[a] = std::min(low[a], vertex[a]);
      high[a] = std::max(high[a], vertex[a]);
    }
  }
  const double ex = high[0] - low[0], ey = high[1] - low[1], ez = high[2] - low[2];
  const double aabb_volume = ex * ey * ez;
  const double aabb_area = 2.0 * (ex * ey + ex * ez + ey * ez);

  const Box ombb = oriented_minimum_bounding_box(hull_points, hull.facet_normals);

  // Approximate enclosing ellipsoid: semi-axes 2 sqrt(lambda) (6BDE, RDD2).
  const double aee_a = 2.0 * std::sqrt(lambda_major), aee_b = 2.0 * std::sqrt(lambda_minor),
               aee_c = 2.0 * std::sqrt(lambda_least);
  const double aee_volume = 4.0 * kPi / 3.0 * aee_a * aee_b * aee_c;
  const double aee_area = ellipsoid_area(aee_a, aee_b, aee_c);
  const Ellipsoid mvee = minimum_volume_enclosing_ellipsoid(hull_points);
  const double mvee_volume = 4.0 * kPi / 3.0 * mvee.a * mvee.b * mvee.c;
  const double mvee_area = ellipsoid_area(mvee.a, mvee.b, mvee.c);

  const SpatialAutocorrelation autocorrelation = spatial_autocorrelation(roi);
  const double nan = std::nan("");

  out.add("morph_volume", volume);
  out.add("morph_vol_approx", static_cast<double>(morph_voxels.size()) * voxel_volume);
  out.add("morph_area_mesh", area);
  out.add("morph_av", area / volume);
  out.add("morph_comp_1", volume / (std::sqrt(kPi) * std::pow(area, 1.5)));
  out.add("morph_comp_2", 36.0 * kPi * volume * volume / (area * area * area));
  out.add("morph_sph_dispr", area / std::cbrt(36.0 * kPi * volume * volume));
  out.add("morph_sphericity", std::cbrt(36.0 * kPi * volume * volume) / area);
  out.add("morph_asphericity",
          std::cbrt(area * area * area / (36.0 * kPi * volume * volume)) - 1.0);
  out.add("morph_com", std::sqrt(shift_squared));
  out.add("morph_diam", std::sqrt(diameter_squared));
  out.add("morph_pca_maj_axis", 4.0 * std::sqrt(lambda_major));
  out.add("morph_pca_min_axis", 4.0 * std::sqrt(lambda_minor));
  out.add("morph_pca_least_axis", 4.0 * std::sqrt(lambda_least));
  out.add("morph_pca_elongation",
          lambda_major > 0.0 ? std::sqrt(lambda_minor / lambda_major) : nan);
  out.add("morph_pca_flatness", lambda_major > 0.0 ? std::sqrt(lambda_least / lambda_major) : nan);
  out.add("morph_vol_dens_aabb", volume / aabb_volume);
  out.add("morph_area_dens_aabb", area / aabb_area);
  out.add("morph_vol_dens_ombb", volume / ombb.volume);
  out.add("morph_area_dens_ombb", area / ombb.area);
  out.add("morph_vol_dens_aee", volume / aee_volume);
  out.add("morph_area_dens_aee", area / aee_area);
  out.add("morph_vol_dens_mvee", volume / mvee_volume);
  out.add("morph_area_dens_mvee", area / mvee_area);
  out.add("morph_vol_dens_conv_hull", hull.valid ? volume / hull.volume : nan);
  out.add("morph_area_dens_conv_hull", hull.valid ? area / hull.area : nan);
  out.add("morph_integ_int", volume * mean_intensity);
  out.add("morph_moran_i", autocorrelation.morans_i);
  out.add("morph_geary_c", autocorrelation.gearys_c);
}

}  // namespace oncotrace::radiomics::detail
