// Image registration with ITK's v4 framework (the only file of the module that sees ITK; its
// headers are slow to compile). Definitions and choices: include/oncotrace/register.h.
#include <itkAffineTransform.h>
#include <itkBinShrinkImageFilter.h>
#include <itkCenteredTransformInitializer.h>
#include <itkEuler3DTransform.h>
#include <itkImage.h>
#include <itkImageRegistrationMethodv4.h>
#include <itkMattesMutualInformationImageToImageMetricv4.h>
#include <itkMultiThreaderBase.h>
#include <itkRegularStepGradientDescentOptimizerv4.h>

#include <algorithm>
#include <cmath>
#include <mutex>
#include <sstream>

#include "oncotrace/error.h"
#include "oncotrace/register.h"

namespace oncotrace {
namespace {

using ItkImage = itk::Image<float, 3>;
using RigidTransform = itk::Euler3DTransform<double>;
using ItkAffineTransform = itk::AffineTransform<double, 3>;
using Optimizer = itk::RegularStepGradientDescentOptimizerv4<double>;
using Metric = itk::MattesMutualInformationImageToImageMetricv4<ItkImage, ItkImage>;

ItkImage::Pointer to_itk(const ImageVolume& volume) {
  auto image = ItkImage::New();
  ItkImage::RegionType region;
  ItkImage::SpacingType spacing;
  ItkImage::PointType origin;
  ItkImage::DirectionType direction;
  for (unsigned a = 0; a < 3; ++a) {
    region.SetSize(a, static_cast<itk::SizeValueType>(volume.geometry.size[a]));
    spacing[a] = volume.geometry.spacing_mm[a];
    origin[a] = volume.geometry.origin_mm[a];
    for (unsigned c = 0; c < 3; ++c) direction(a, c) = volume.geometry.direction[a * 3 + c];
  }
  image->SetRegions(region);
  image->SetSpacing(spacing);
  image->SetOrigin(origin);
  image->SetDirection(direction);
  image->Allocate();
  std::copy(volume.values.begin(), volume.values.end(), image->GetBufferPointer());
  return image;
}

ImageVolume from_itk(const ItkImage& image) {
  Geometry grid;
  for (unsigned a = 0; a < 3; ++a) {
    grid.size[a] = static_cast<int64_t>(image.GetLargestPossibleRegion().GetSize(a));
    grid.spacing_mm[a] = image.GetSpacing()[a];
    grid.origin_mm[a] = image.GetOrigin()[a];
    for (unsigned c = 0; c < 3; ++c) grid.direction[a * 3 + c] = image.GetDirection()(a, c);
  }
  ImageVolume out(grid);
  std::copy(image.GetBufferPointer(), image.GetBufferPointer() + out.values.size(),
            out.values.begin());
  return out;
}

// Block average to about `spacing_mm` (integer factors per axis; BinShrink averages the input
// voxels of each output voxel, which also removes aliasing).
ItkImage::Pointer working_image(const ImageVolume& volume, double spacing_mm) {
  auto input = to_itk(volume);
  auto shrink = itk::BinShrinkImageFilter<ItkImage, ItkImage>::New();
  shrink->SetInput(input);
  itk::BinShrinkImageFilter<ItkImage, ItkImage>::ShrinkFactorsType factors;
  for (unsigned a = 0; a < 3; ++a) {
    const double ratio = spacing_mm / volume.geometry.spacing_mm[a];
    factors[a] = static_cast<unsigned>(std::max(1.0, std::floor(ratio + 0.5)));
    factors[a] = std::min<unsigned>(
        factors[a], static_cast<unsigned>(std::max<int64_t>(1, volume.geometry.size[a] / 8)));
  }
  shrink->SetShrinkFactors(factors);
  shrink->Update();
  ItkImage::Pointer out = shrink->GetOutput();
  out->DisconnectPipeline();
  return out;
}

// Scales that make one unit of every parameter move points by about 1 mm at `radius_mm` from the
// centre: rotations (rad) and matrix entries move points by radius x change, so their scale is
// radius^2 (the optimizer divides gradients by the scales); translations 1.
Optimizer::ScalesType parameter_scales(unsigned parameters, unsigned translation_start,
                                       double radius_mm) {
  Optimizer::ScalesType scales(parameters);
  for (unsigned p = 0; p < parameters; ++p) {
    scales[p] = p >= translation_start ? 1.0 : radius_mm * radius_mm;
  }
  return scales;
}

template <typename Transform>
std::string run_stage(const ItkImage::Pointer& fixed, const ItkImage::Pointer& moving,
                      typename Transform::Pointer transform, const RegistrationOptions& options,
                      unsigned translation_start, double radius_mm, const char* name,
                      const std::vector<unsigned>& shrink_factors) {
  using Method = itk::ImageRegistrationMethodv4<ItkImage, ItkImage, Transform>;
  auto metric = Metric::New();
  metric->SetNumberOfHistogramBins(static_cast<itk::SizeValueType>(options.histogram_bins));
  metric->SetUseMovingImageGradientFilter(false);
  metric->SetUseFixedImageGradientFilter(false);
  // One work unit: the joint histogram is accumulated in one fixed order, so the result does not
  // depend on the machine's core count.
  metric->SetMaximumNumberOfWorkUnits(1);

  auto optimizer = Optimizer::New();
  optimizer->SetLearningRate(options.initial_step_mm);
  optimizer->SetMinimumStepLength(options.minimum_step_mm);
  optimizer->SetRelaxationFactor(0.5);
  optimizer->SetGradientMagnitudeTolerance(1e-8);
  optimizer->SetNumberOfIterations(
      static_cast<itk::SizeValueType>(options.max_iterations_per_level));
  optimizer->SetScales(
      parameter_scales(transform->GetNumberOfParameters(), translation_start, radius_mm));
  optimizer->SetNumberOfWorkUnits(1);

  auto method = Method::New();
  method->SetFixedImage(fixed);
  method->SetMovingImage(moving);
  method->SetMetric(metric);
  method->SetOptimizer(optimizer);
  method->SetInitialTransform(transform);
  method->InPlaceOn();
  method->SetNumberOfWorkUnits(1);
  const auto levels = static_cast<unsigned>(shrink_factors.size());
  method->SetNumberOfLevels(levels);
  typename Method::ShrinkFactorsArrayType shrink(levels);
  typename Method::SmoothingSigmasArrayType sigmas(levels);
  for (unsigned level = 0; level < levels; ++level) {
    shrink[level] = shrink_factors[level];
    sigmas[level] =
        shrink_factors[level] > 1 ? static_cast<double>(shrink_factors[level]) / 2.0 : 0.0;
  }
  method->SetShrinkFactorsPerLevel(shrink);
  method->SetSmoothingSigmasPerLevel(sigmas);
  method->SetSmoothingSigmasAreSpecifiedInPhysicalUnits(false);
  method->SetMetricSamplingStrategy(Method::MetricSamplingStrategyEnum::RANDOM);
  method->SetMetricSamplingPercentage(options.sampling_fraction);
  method->MetricSamplingReinitializeSeed(options.sampling_seed);
  method->Update();

  std::ostringstream line;
  line << name << ": " << optimizer->GetCurrentIteration() << " iterations at the last level ("
       << optimizer->GetStopConditionDescription() << "), Mattes MI " << optimizer->GetValue();
  return line.str();
}

// ITK's v4 registration components are not bit-reproducible with several threads (results
// differed between two identical runs on this machine with ITK 5.2 even with the metric limited
// to one work unit), so ITK runs on one thread in this process; oncotrace parallelises over
// studies instead. ITK serves only I/O elsewhere, where this costs little.
void use_single_threaded_itk() {
  static std::once_flag once;
  std::call_once(once, [] { itk::MultiThreaderBase::SetGlobalMaximumNumberOfThreads(1); });
}

SpatialTransform to_spatial(const itk::MatrixOffsetTransformBase<double, 3, 3>& transform) {
  SpatialTransform out;
  const auto& matrix = transform.GetMatrix();
  const auto& offset = transform.GetOffset();
  for (unsigned r = 0; r < 3; ++r) {
    for (unsigned c = 0; c < 3; ++c) out.linear[r * 3 + c] = matrix(r, c);
    out.translation_mm[r] = offset[r];
  }
  return out;
}

}  // namespace

RegistrationResult register_images(const ImageVolume& reference, const ImageVolume& study,
                                   const RegistrationOptions& options, const std::string& what) {
  if (reference.values.empty() || study.values.empty()) {
    throw InvalidInputError("registration of " + what + ": an image is empty");
  }
  if (!(options.working_spacing_mm > 0.0) || !(options.sampling_fraction > 0.0) ||
      options.sampling_fraction > 1.0 || options.histogram_bins < 5) {
    throw InvalidInputError("registration of " + what +
                            ": invalid options (working spacing > 0 mm, sampling fraction in "
                            "(0, 1], at least 5 histogram bins)");
  }
  RegistrationResult result;
  use_single_threaded_itk();
  const ItkImage::Pointer fixed = working_image(reference, options.working_spacing_mm);
  const ItkImage::Pointer moving = working_image(study, options.working_spacing_mm);
  const ImageVolume fixed_volume = from_itk(*fixed);
  const ImageVolume moving_volume = from_itk(*moving);
  result.quality_before = registration_correlation(
      fixed_volume, moving_volume, SpatialTransform::identity(), options.body_threshold);

  if (options.mode == RegistrationMode::kIdentity) {
    result.method = "identity (no registration, as requested)";
    result.quality_after = result.quality_before;
  } else {
    // Extent of the fixed image: the radius that sets the rotation scales.
    double radius_mm = 0.0;
    for (unsigned a = 0; a < 3; ++a) {
      radius_mm = std::max(radius_mm, 0.5 * static_cast<double>(reference.geometry.size[a]) *
                                          reference.geometry.spacing_mm[a]);
    }
    radius_mm = std::max(radius_mm * 0.5, 50.0);

    auto rigid = RigidTransform::New();
    rigid->SetIdentity();
    // Centre of rotation and initial translation from the centres of mass of the two images
    // (intensities shifted to be >= 0 so that air weighs nothing: CT HU + 1024, PET as is).
    auto fixed_mass = to_itk(fixed_volume);
    auto moving_mass = to_itk(moving_volume);
    float fixed_min = *std::min_element(fixed_volume.values.begin(), fixed_volume.values.end());
    float moving_min = *std::min_element(moving_volume.values.begin(), moving_volume.values.end());
    const float shift = -std::min({fixed_min, moving_min, 0.0f});
    for (auto* image : {fixed_mass.GetPointer(), moving_mass.GetPointer()}) {
      float* values = image->GetBufferPointer();
      const size_t count = image->GetLargestPossibleRegion().GetNumberOfPixels();
      for (size_t n = 0; n < count; ++n) values[n] = std::max(0.0f, values[n] + shift);
    }
    auto initializer = itk::CenteredTransformInitializer<RigidTransform, ItkImage, ItkImage>::New();
    initializer->SetTransform(rigid);
    initializer->SetFixedImage(fixed_mass);
    initializer->SetMovingImage(moving_mass);
    initializer->MomentsOn();
    initializer->InitializeTransform();

    result.stages.push_back(
        run_stage<RigidTransform>(fixed, moving, rigid, options, 3, radius_mm, "rigid", {4, 2, 1}));
    SpatialTransform transform = to_spatial(*rigid);
    result.method = "rigid";
    if (options.mode == RegistrationMode::kRigidAffine) {
      auto affine = ItkAffineTransform::New();
      affine->SetCenter(rigid->GetCenter());
      affine->SetMatrix(rigid->GetMatrix());
      affine->SetTranslation(rigid->GetTranslation());
      result.stages.push_back(run_stage<ItkAffineTransform>(fixed, moving, affine, options, 9,
                                                            radius_mm, "affine", {2, 1}));
      transform = to_spatial(*affine);
      result.method = "rigid + affine";
    }
    result.method += " (ITK v4, Mattes mutual information, " +
                     std::to_string(options.histogram_bins) + " bins, images averaged to " +
                     std::to_string(static_cast<int>(std::lround(options.working_spacing_mm))) +
                     " mm)";
    result.reference_to_study = transform;
    result.quality_after =
        registration_correlation(fixed_volume, moving_volume, transform, options.body_threshold);
  }
  // Size of the motion at the centre of the reference image.
  const Geometry& grid = reference.geometry;
  const Vec3 centre = grid.index_to_world(Vec3{0.5 * static_cast<double>(grid.size[0] - 1),
                                               0.5 * static_cast<double>(grid.size[1] - 1),
                                               0.5 * static_cast<double>(grid.size[2] - 1)});
  const Vec3 moved = result.reference_to_study.apply(centre);
  result.translation_mm =
      std::hypot(moved[0] - centre[0], moved[1] - centre[1], moved[2] - centre[2]);
  result.rotation_deg = result.reference_to_study.rotation_deg();
  if (options.mode != RegistrationMode::kIdentity && result.quality_after < options.min_quality) {
    std::ostringstream message;
    message << "registration of " << what << " failed: correlation after registration "
            << result.quality_after << " (before " << result.quality_before
            << ") is below the minimum " << options.min_quality
            << ". Check that both studies belong to the same patient and cover the same body "
               "region; use --registration rigid, or --registration identity when the studies "
               "are already aligned, or lower --min-registration-quality.";
    throw UnsupportedDataError(message.str());
  }
  return result;
}

}  // namespace oncotrace
