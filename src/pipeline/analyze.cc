// analyze_study(): the stages of include/oncotrace/pipeline.h.
#include <spdlog/spdlog.h>
#include <tbb/global_control.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <fstream>
#include <future>
#include <memory>
#include <nlohmann/json.hpp>
#include <set>

#include "core/atomic_file.h"
#include "oncotrace/dicom.h"
#include "oncotrace/dicom_pmap.h"
#include "oncotrace/dicom_rtstruct.h"
#include "oncotrace/dicom_seg.h"
#include "oncotrace/dicom_sr.h"
#include "oncotrace/error.h"
#include "oncotrace/nifti.h"
#include "oncotrace/pipeline.h"
#include "oncotrace/rtstruct.h"
#include "oncotrace/tracers.h"
#include "oncotrace/version.h"
#include "pipeline/dicom_outputs.h"
#include "pipeline/documents.h"
#include "pipeline/organ_stage.h"
#include "pipeline/radiomics_stage.h"
#include "pipeline/stage_timer.h"
#include "pipeline/store_stage.h"

namespace oncotrace {
namespace {

using pipeline_internal::StageTimer;

std::string list_series(const std::vector<const DiscoveredSeries*>& series) {
  std::string text;
  for (const DiscoveredSeries* item : series) {
    text += "\n  " + item->header.series_instance_uid + " (" + item->header.modality + ", " +
            item->header.series_description + ", " + std::to_string(item->files.size()) + " files)";
  }
  return text;
}

// ---------------------------------------------------------------------------------------------
// load

struct LoadStage {
  LoadedStudy study;
  // Series below STUDY that share the PET's frame of reference (PET and CT among them): an
  // RTSTRUCT drawn on any of them fits the PET.
  std::set<std::string> same_frame_series_uids;
};

LoadStage load_stage(const AnalysisRequest& request) {
  LoadStage out;
  const std::filesystem::path& path = request.study;
  if (!std::filesystem::exists(path)) {
    throw InvalidInputError(path.string() +
                            ": no such file or folder (STUDY must be a DICOM "
                            "folder or a NIfTI image with its sidecar)");
  }
  if (is_nifti_path(path)) {
    out.study.pet = read_nifti_series(path);
    if (request.ct == CtSelection::kSeriesUid) {
      throw InvalidInputError(path.string() + ": --ct " + request.ct_series_uid +
                              " needs a DICOM study folder; the input is a NIfTI image");
    }
    if (request.ct == CtSelection::kAuto) {
      out.study.notes.emplace_back("CT: not searched (NIfTI input)");
    }
    out.same_frame_series_uids.insert(out.study.pet.header.series_instance_uid);
    return out;
  }
  const DiscoveryResult discovery = discover_dicom(path);
  if (!discovery.unreadable.empty()) {
    std::string listing;
    for (const std::string& problem : discovery.unreadable) listing += "\n  " + problem;
    throw InvalidInputError(path.string() + ": " + std::to_string(discovery.unreadable.size()) +
                            " DICOM file(s) cannot be read (truncated or corrupt); repair or "
                            "remove them:" +
                            listing);
  }
  const DiscoveredSeries* pet = nullptr;
  if (!request.series_uid.empty()) {
    pet = &select_series(discovery, request.series_uid, path.string());
  } else {
    std::vector<const DiscoveredSeries*> emission;
    std::vector<const DiscoveredSeries*> images;
    for (const DiscoveredSeries& series : discovery.series) {
      if (!series.has_pixel_data || is_parametric_map(series.header)) continue;
      images.push_back(&series);
      if (series.header.modality == "PT" || series.header.modality == "NM") {
        emission.push_back(&series);
      }
    }
    if (emission.size() == 1) {
      pet = emission.front();
    } else if (emission.empty() && images.size() == 1) {
      pet = images.front();
    } else if (emission.empty()) {
      throw InvalidInputError(
          path.string() + ": no PET or SPECT series found" +
          (images.empty() ? std::string(" (no image series at all)") : ":" + list_series(images)) +
          "; give the folder of the emission series or --series UID");
    } else {
      throw InvalidInputError(path.string() +
                              ": several PET/SPECT series; choose one with "
                              "--series UID:" +
                              list_series(emission));
    }
  }
  out.study.pet = load_series(*pet);
  const std::string& frame = out.study.pet.header.frame_of_reference_uid;
  for (const DiscoveredSeries& series : discovery.series) {
    if (!frame.empty() && series.header.frame_of_reference_uid == frame) {
      out.same_frame_series_uids.insert(series.header.series_instance_uid);
    }
  }
  out.same_frame_series_uids.insert(out.study.pet.header.series_instance_uid);

  if (request.ct == CtSelection::kNone) return out;
  const DiscoveredSeries* ct = nullptr;
  if (request.ct == CtSelection::kSeriesUid) {
    for (const DiscoveredSeries& series : discovery.series) {
      if (series.header.series_instance_uid == request.ct_series_uid) ct = &series;
    }
    if (ct == nullptr) {
      throw InvalidInputError(path.string() + ": --ct " + request.ct_series_uid +
                              ": no series with this SeriesInstanceUID below the study folder; "
                              "run `oncotrace info " +
                              path.string() + "` to list the series");
    }
    if (ct->header.modality != "CT") {
      throw InvalidInputError("--ct " + request.ct_series_uid + ": the series is " +
                              ct->header.modality + ", not CT");
    }
    if (ct->header.frame_of_reference_uid != frame) {
      throw InvalidInputError("--ct " + request.ct_series_uid + ": FrameOfReferenceUID " +
                              ct->header.frame_of_reference_uid + " differs from the PET's " +
                              frame +
                              "; the CT would need registration, which analyze does not do");
    }
  } else {
    std::vector<const DiscoveredSeries*> candidates;
    for (const DiscoveredSeries& series : discovery.series) {
      if (series.has_pixel_data && series.header.modality == "CT" && !frame.empty() &&
          series.header.frame_of_reference_uid == frame) {
        candidates.push_back(&series);
      }
    }
    if (candidates.empty()) {
      out.study.notes.push_back("CT: none with the PET's frame of reference below " +
                                path.string() + " (--ct auto); CT-based stages skipped");
      return out;
    }
    if (candidates.size() > 1) {
      throw InvalidInputError(path.string() +
                              ": several CT series share the PET's frame of "
                              "reference; choose one with --ct UID:" +
                              list_series(candidates));
    }
    ct = candidates.front();
  }
  out.study.ct = load_series(*ct);
  return out;
}

// ---------------------------------------------------------------------------------------------
// suv

void suv_stage(const AnalysisRequest& request, LoadedStudy& study) {
  const ImageSeries& pet = study.pet;
  if (pet.frames.empty()) {
    throw InvalidInputError(request.study.string() + ": the series has no image frames");
  }
  if (pet.frames.size() > 1) {
    throw UnsupportedDataError(
        request.study.string() + ": the series has " + std::to_string(pet.frames.size()) +
        " frames (dynamic or gated); analyze measures a static series: export one frame first");
  }
  study.plan = plan_suv(pet.header, pet.frames.front(), request.suv);
  study.image = apply_suv(pet.frames.front(), study.plan);
  if (request.compute_sul && request.suv.normalization == SuvNormalization::kBodyWeight) {
    SuvOptions sul_options = request.suv;
    sul_options.normalization = SuvNormalization::kLeanBodyMassJanmahasatian;
    try {
      study.sul_plan = plan_suv(pet.header, pet.frames.front(), sul_options);
      study.sul = apply_suv(pet.frames.front(), *study.sul_plan);
    } catch (const Error& error) {
      study.sul_unavailable_reason = error.what();
    }
  } else {
    study.sul_unavailable_reason = "SUL is computed alongside SUVbw only (normalisation " +
                                   suv_normalization_name(request.suv.normalization) + ")";
  }
}

// The image background of the relative methods: the median of the voxels of the object. The
// object is separated from air and the low values around it by Otsu's threshold (N. Otsu, IEEE
// Trans Syst Man Cybern 1979;9:62) on a 1024-bin histogram of the positive voxels; the median of
// the voxels above it is the background (spheres and lesions are too small to move it).
double image_background(const ImageVolume& image) {
  float maximum = 0.0F;
  size_t positive_count = 0;
  for (float value : image.values) {
    if (value > 0.0F) {
      maximum = std::max(maximum, value);
      ++positive_count;
    }
  }
  if (positive_count == 0) return 0.0;
  constexpr int kBins = 1024;
  std::vector<double> histogram(kBins, 0.0);
  const double scale = kBins / static_cast<double>(maximum);
  for (float value : image.values) {
    if (value > 0.0F) {
      histogram[std::min(kBins - 1, static_cast<int>(value * scale))] += 1.0;
    }
  }
  double total_sum = 0.0;
  for (int bin = 0; bin < kBins; ++bin) total_sum += (bin + 0.5) * histogram[bin];
  double below_count = 0.0, below_sum = 0.0, best_variance = -1.0;
  int best_bin = 0;
  const double total = static_cast<double>(positive_count);
  for (int bin = 0; bin < kBins - 1; ++bin) {
    below_count += histogram[bin];
    below_sum += (bin + 0.5) * histogram[bin];
    const double above_count = total - below_count;
    if (below_count == 0.0 || above_count == 0.0) continue;
    const double difference = below_sum / below_count - (total_sum - below_sum) / above_count;
    const double variance = below_count * above_count * difference * difference;
    if (variance > best_variance) {
      best_variance = variance;
      best_bin = bin;
    }
  }
  const double threshold = (best_bin + 1) / scale;
  std::vector<float> object;
  object.reserve(positive_count);
  for (float value : image.values) {
    if (value >= threshold) object.push_back(value);
  }
  const auto middle = object.begin() + static_cast<std::ptrdiff_t>(object.size() / 2);
  std::nth_element(object.begin(), middle, object.end());
  return *middle;
}

// ---------------------------------------------------------------------------------------------
// reference regions

bool is_suv_like(SuvNormalization normalization) {
  return normalization != SuvNormalization::kNone &&
         normalization != SuvNormalization::kBodySurfaceArea;
}

std::string describe_point(const Vec3& point) {
  char text[96];
  std::snprintf(text, sizeof(text), "(%.1f, %.1f, %.1f) mm", point[0], point[1], point[2]);
  return text;
}

// Measures the reference region `spec` (named `name`, placed by `where`) on the PET image and,
// when computed, on the SUL image; a region that does not fit the PET image is an
// InvalidInputError that says how to place it.
void measure_reference_region_on_study(const LoadedStudy& study, const ReferenceRegionSpec& spec,
                                       const std::string& name, const std::string& where,
                                       ReferenceRegionResult& region) {
  try {
    region.suv = measure_reference_region(study.image, spec);
    if (study.sul) region.sul = measure_reference_region(*study.sul, spec);
  } catch (const InvalidInputError& error) {
    throw InvalidInputError(where + " " + describe_point(spec.centre_mm) + ": the " + name +
                            " region does not fit the PET image (" +
                            study.image.geometry.describe() + "): " + error.what() +
                            "; give a point inside the field of view (LPS mm)");
  }
}

// The study's tracer (AnalysisRequest::tracer, else identified from the PET header by the
// catalogue), recorded in the result; returns the canonical organs detection excludes for it
// (none without tracer_organ_exclusion or when the tracer is not identified).
// The catalogue entry of AnalysisRequest::tracer (nullptr when empty); throws InvalidInputError
// for an id not in the catalogue.
const Tracer* requested_tracer(const AnalysisRequest& request) {
  if (request.tracer.empty()) return nullptr;
  const TracerCatalogue& catalogue = default_tracer_catalogue();
  const Tracer* tracer = catalogue.find(request.tracer);
  if (tracer == nullptr) {
    throw InvalidInputError("--tracer " + request.tracer + ": not in the tracer catalogue " +
                            catalogue.origin() + " (catalogue ids: docs/tracers.md)");
  }
  return tracer;
}

std::vector<std::string> tracer_stage(const AnalysisRequest& request, const LoadedStudy& study,
                                      AnalysisResult& result) {
  const TracerCatalogue& catalogue = default_tracer_catalogue();
  const Tracer* tracer = requested_tracer(request);
  if (tracer != nullptr) {
    result.tracer_identification = "given by the user (" + tracer->id + ")";
  } else {
    const TracerIdentification identification =
        catalogue.identify(pipeline_internal::tracer_fields(study.pet.header));
    tracer = identification.tracer;
    result.tracer_identification = identification.explanation;
  }
  if (tracer == nullptr) {
    if (request.tracer_organ_exclusion) {
      result.warnings.push_back(
          "tracer not identified from the PET header (" + result.tracer_identification +
          "): no tracer-specific organs excluded from detection; give --tracer ID (catalogue "
          "ids: docs/tracers.md) or --exclude-organ ORGAN");
    }
    return {};
  }
  result.tracer_id = tracer->id;
  if (!request.tracer_organ_exclusion) return {};
  pipeline_internal::TracerOrganExclusion exclusion =
      pipeline_internal::tracer_organ_exclusion(*tracer);
  if (exclusion.warning) result.warnings.push_back(*exclusion.warning);
  result.tracer_excluded_organs = exclusion.excluded;
  return exclusion.excluded;
}

void reference_stage(const AnalysisRequest& request, const LoadedStudy& study,
                     const OrganMaps* organs, AnalysisResult& result) {
  struct Wanted {
    const char* name;
    const char* flag;  // nullptr: no user flag
    std::optional<Vec3> centre;
    const char* skipped_metrics;
  };
  const Wanted wanted[] = {
      {"liver", "--liver-centre", request.liver_centre_mm,
       "tumour-to-liver ratios, the PERCIST liver and liver-multiple thresholds"},
      {"blood_pool", "--blood-pool-centre", request.blood_pool_centre_mm,
       "tumour-to-blood-pool ratios and the PERCIST blood-pool threshold"},
      {"spleen", nullptr, std::nullopt, "tumour-to-spleen ratios"},
      {"muscle", nullptr, std::nullopt, "tumour-to-muscle ratios"},
  };
  // Automatic placement in the organs (organs module) when no hook replaces it.
  std::vector<pipeline_internal::PlacedRegion> placed;
  const bool any_automatic = !request.liver_centre_mm || !request.blood_pool_centre_mm;
  if (!request.hooks.place_reference_region && organs != nullptr && organs->segmentation &&
      any_automatic) {
    placed = pipeline_internal::place_default_regions(study, *organs);
  }
  for (const Wanted& item : wanted) {
    std::optional<ReferenceRegionSpec> spec;
    std::string placement;
    std::string placement_method;
    std::vector<std::string> placement_warnings;
    std::string why_not;
    const std::string name = item.name;
    if (item.centre) {
      spec = name == "liver" ? percist_liver_sphere(*item.centre)
                             : percist_blood_pool_cylinder(*item.centre);
      placement = std::string("user coordinates (") + item.flag + ")";
      placement_method = "user";
    } else if (request.hooks.place_reference_region) {
      spec = request.hooks.place_reference_region(name, study, organs);
      if (spec) {
        placement = "automatic";
        placement_method = "hook";
      }
    } else {
      for (const pipeline_internal::PlacedRegion& region : placed) {
        if (region.name != name) continue;
        spec = region.spec;
        placement = "automatic (" + organs->source + "): " + region.explanation;
        placement_method = region.method;
        placement_warnings = region.warnings;
        if (!spec) why_not = region.explanation;
      }
    }
    if (!spec) {
      std::string text = name + ": ";
      if (!why_not.empty()) {
        text += why_not;
        if (item.flag != nullptr) text += std::string("; give ") + item.flag + " X,Y,Z in LPS mm";
      } else if (item.flag != nullptr) {
        text += std::string("not placed (give ") + item.flag +
                " X,Y,Z in LPS mm; automatic placement needs the organ stage)";
      } else {
        text += "not placed (automatic placement needs the organ stage)";
      }
      result.skipped_reference_metrics.push_back(text + "; skipped: " + item.skipped_metrics);
      continue;
    }
    ReferenceRegionResult region;
    region.name = name;
    region.placement = placement;
    region.placement_method = placement_method;
    region.warnings = placement_warnings;
    const std::string where = item.centre ? std::string(item.flag) : "automatic " + name;
    measure_reference_region_on_study(study, *spec, name, where, region);
    // Plausibility (pet-quantification.md §10: normal liver SUL about 1.0-3.0, blood pool
    // SUVbw about 1.5-2.5 at 60 min FDG); warnings only.
    if (is_suv_like(request.suv.normalization) && (name == "liver" || name == "blood_pool")) {
      const double mean = region.sul ? region.sul->mean : region.suv.mean;
      const char* unit = region.sul ? "SUL" : "SUV";
      const double low = name == "liver" ? 1.0 : 0.8;
      const double high = name == "liver" ? 3.5 : 3.0;
      if (mean < low || mean > high) {
        char text[256];
        std::snprintf(text, sizeof(text),
                      "%s mean %s %.3g lies outside the usual FDG range %.1f-%.1f; check the "
                      "placement (and the tracer)",
                      name.c_str(), unit, mean, low, high);
        region.warnings.emplace_back(text);
      }
    }
    result.reference_regions.push_back(std::move(region));
  }
}

const ReferenceRegionResult* find_region(const AnalysisResult& result, const std::string& name) {
  for (const ReferenceRegionResult& region : result.reference_regions) {
    if (region.name == name) return &region;
  }
  return nullptr;
}

// ---------------------------------------------------------------------------------------------
// segmentation: user masks

std::string sidecar_frame_of_reference(const std::filesystem::path& image_path) {
  const std::filesystem::path sidecar = sidecar_path_for(image_path);
  if (!std::filesystem::exists(sidecar)) return {};
  std::ifstream stream(sidecar);
  const nlohmann::json document = nlohmann::json::parse(stream, nullptr, false);
  if (document.is_discarded() || !document.is_object()) return {};
  const auto inner = document.find("oncotrace");
  if (inner == document.end() || !inner->is_object()) return {};
  const auto frame = inner->find("FrameOfReferenceUID");
  if (frame == inner->end() || !frame->is_string()) return {};
  return frame->get<std::string>();
}

struct MaskRegion {
  std::string name;
  Mask mask;
};

std::vector<MaskRegion> nifti_mask_regions(const AnalysisRequest& request, const LoadedStudy& study,
                                           std::vector<std::string>& notes) {
  const std::filesystem::path& path = *request.masks;
  if (!request.roi_names.empty()) {
    throw InvalidInputError("--roi applies to RTSTRUCT masks; the NIfTI label map " +
                            path.string() + " is used whole (every non-zero label is a lesion)");
  }
  const std::string pet_frame = study.pet.header.frame_of_reference_uid;
  const std::string mask_frame = sidecar_frame_of_reference(path);
  if (!mask_frame.empty() && !pet_frame.empty() && mask_frame != pet_frame) {
    throw InvalidInputError("--masks " + path.string() +
                            ": its sidecar gives FrameOfReferenceUID " + mask_frame +
                            ", the PET series has " + pet_frame +
                            "; the mask belongs to another study or scan and cannot be placed "
                            "on this image");
  }
  if (mask_frame.empty()) {
    notes.push_back("mask " + path.string() +
                    ": no FrameOfReferenceUID in a sidecar; placed by its NIfTI world "
                    "coordinates without a frame-of-reference check");
  }
  const LabelMap source = read_nifti_labels(path);
  const Geometry& grid = study.image.geometry;
  if (!source.geometry.same_grid_as(grid)) {
    notes.push_back("mask " + path.string() + " (" + source.geometry.describe() +
                    ") resampled to the PET grid by nearest neighbour");
  }
  const LabelMap labels = resample_labels_nearest(source, grid);
  std::map<uint16_t, size_t> counts;
  for (uint16_t value : labels.values) {
    if (value != 0) ++counts[value];
  }
  if (counts.empty()) {
    throw InvalidInputError(
        "--masks " + path.string() + ": the label map has no non-zero voxel on the PET grid (" +
        grid.describe() + "); it is empty or lies outside the PET field of view");
  }
  std::vector<MaskRegion> regions;
  for (const auto& [label, count] : counts) {
    MaskRegion region{"label_" + std::to_string(label), Mask(grid, 0)};
    for (size_t n = 0; n < labels.values.size(); ++n) {
      region.mask.values[n] = labels.values[n] == label ? 1 : 0;
    }
    regions.push_back(std::move(region));
  }
  return regions;
}

std::vector<MaskRegion> rtstruct_mask_regions(const AnalysisRequest& request,
                                              const LoadedStudy& study,
                                              const std::set<std::string>& same_frame_series) {
  const std::filesystem::path& path = *request.masks;
  const StructureSet structure_set = read_rtstruct(path);
  std::string names;
  for (const std::string& name : structure_set.roi_names()) names += " '" + name + "'";
  if (request.roi_names.empty()) {
    throw InvalidInputError("--masks " + path.string() +
                            ": name the regions to measure with --roi NAME (repeatable); the "
                            "structure set holds:" +
                            names);
  }
  const std::string& pet_frame = study.pet.header.frame_of_reference_uid;
  if (!structure_set.frame_of_reference_uid.empty() && !pet_frame.empty() &&
      structure_set.frame_of_reference_uid != pet_frame) {
    throw InvalidInputError(
        "--masks " + path.string() + ": the RTSTRUCT's FrameOfReferenceUID " +
        structure_set.frame_of_reference_uid + " differs from the PET series' " + pet_frame + " (" +
        study.pet.header.series_instance_uid +
        "): the contours were drawn in another coordinate system; use the RTSTRUCT of this study");
  }
  if (!structure_set.referenced_series_uids.empty()) {
    bool matches = false;
    for (const std::string& uid : structure_set.referenced_series_uids) {
      matches = matches || same_frame_series.count(uid) > 0;
    }
    if (!matches) {
      std::string referenced;
      for (const std::string& uid : structure_set.referenced_series_uids) referenced += " " + uid;
      throw InvalidInputError(
          "--masks " + path.string() + ": the RTSTRUCT references series" + referenced +
          ", none of which is the PET series " + study.pet.header.series_instance_uid +
          " or a series of its frame of reference below " + request.study.string() +
          "; use the RTSTRUCT drawn on this study (or pass its series)");
    }
  }
  RasterisationOptions options;
  options.image_frame_of_reference_uid = pet_frame;
  for (const SliceRecord& slice : study.pet.frames.front().slices) {
    options.plane_positions_mm.push_back(slice.position_mm);
  }
  std::vector<MaskRegion> regions;
  for (const std::string& name : request.roi_names) {
    MaskRegion region{name, rasterise_roi(structure_set, name, study.image.geometry, options)};
    if (std::none_of(region.mask.values.begin(), region.mask.values.end(),
                     [](uint8_t value) { return value != 0; })) {
      throw InvalidInputError("--masks " + path.string() + " --roi " + name +
                              ": the region holds no voxel centre of the PET grid (empty mask, "
                              "or contours smaller than a voxel)");
    }
    regions.push_back(std::move(region));
  }
  return regions;
}

// The segments of a DICOM SEG on the PET grid (read_dicom_seg checks the frame of reference,
// orientation, spacing and frame placement). --roi selects segments by Segment Label; without it
// every segment is a region.
// The index of the segment of `seg` (read from `path`) whose Segment Label is `name` (the last,
// if several are); none is an InvalidInputError listing the labels the SEG holds (`names`).
size_t segment_with_label(const DicomSegmentation& seg, const std::string& name,
                          const std::filesystem::path& path, const std::string& names) {
  size_t found = seg.segments.size();
  for (size_t s = 0; s < seg.segments.size(); ++s) {
    if (seg.segments[s].segment_label == name) found = s;
  }
  if (found == seg.segments.size()) {
    throw InvalidInputError("--masks " + path.string() + " --roi " + name +
                            ": no segment has this Segment Label; the SEG holds:" + names);
  }
  return found;
}

std::vector<MaskRegion> seg_mask_regions(const AnalysisRequest& request, const LoadedStudy& study) {
  const std::filesystem::path& path = *request.masks;
  DicomSegmentation seg;
  try {
    seg = read_dicom_seg(path, series_reference(study.pet));
  } catch (const InvalidInputError& error) {
    throw InvalidInputError("--masks " + path.string() + ": " + error.what() +
                            "; use the SEG drawn on this study's PET series (or its frame of "
                            "reference)");
  }
  std::string names;
  for (const SegmentDescription& segment : seg.segments)
    names += " '" + segment.segment_label + "'";
  std::vector<size_t> selected;
  if (request.roi_names.empty()) {
    for (size_t s = 0; s < seg.segments.size(); ++s) selected.push_back(s);
  } else {
    for (const std::string& name : request.roi_names) {
      selected.push_back(segment_with_label(seg, name, path, names));
    }
  }
  std::vector<MaskRegion> regions;
  for (const size_t s : selected) {
    const SegmentDescription& segment = seg.segments[s];
    const std::string name =
        segment.segment_label.empty() ? "segment_" + std::to_string(s + 1) : segment.segment_label;
    MaskRegion region{name, Mask(study.image.geometry, 0)};
    size_t voxels = 0;
    for (size_t n = 0; n < seg.labels.values.size(); ++n) {
      const bool inside = seg.labels.values[n] == segment.label;
      region.mask.values[n] = inside ? 1 : 0;
      voxels += inside ? 1 : 0;
    }
    if (voxels == 0) {
      throw InvalidInputError("--masks " + path.string() + ": segment " + name +
                              " holds no voxel of the PET grid");
    }
    regions.push_back(std::move(region));
  }
  return regions;
}

// ---------------------------------------------------------------------------------------------
// segmentation: detection

ThresholdRule relative_rule(const SegmentationMethod& method, double background) {
  if (method.kind == SegmentationMethodKind::kPercentMax) {
    ThresholdRule rule = fraction_of_max_threshold(method.value / 100.0);
    return rule;
  }
  return background_corrected_threshold(background, 0.5);
}

struct DetectionSetup {
  ThresholdRule rule;
  const ImageVolume* image = nullptr;  // detection image (primary or SUL)
  std::optional<LocalThresholdOptions> per_lesion;
  std::vector<std::string> notes;
};

DetectionSetup detection_setup(const AnalysisRequest& request, const LoadedStudy& study,
                               AnalysisResult& result) {
  DetectionSetup setup;
  setup.image = &study.image;
  const SegmentationMethod& method = request.method;
  auto need_region = [&](const char* name, const char* flag) -> const ReferenceRegionResult& {
    const ReferenceRegionResult* region = find_region(result, name);
    if (region == nullptr) {
      throw InvalidInputError("--method " + method.text + " needs the " + name +
                              " reference region: give " + flag +
                              " X,Y,Z (LPS mm), or choose fixed:T or percent-max:P");
    }
    return *region;
  };
  auto on_sul = [&](const ReferenceRegionResult& region) -> const ReferenceRegionStatistics& {
    if (region.sul) {
      setup.image = &*study.sul;
      return *region.sul;
    }
    setup.notes.push_back("PERCIST threshold on the primary image: SUL unavailable (" +
                          study.sul_unavailable_reason + ")");
    return region.suv;
  };
  bool needs_background =
      method.is_relative() ||
      (request.local_method && request.local_method->kind == SegmentationMethodKind::kA50);
  double background = 0.0;
  if (needs_background) {
    result.image_background = image_background(study.image);
    background = request.a50_background.value_or(result.image_background);
  }
  switch (method.kind) {
    case SegmentationMethodKind::kFixed:
      setup.rule = fixed_threshold(method.value);
      break;
    case SegmentationMethodKind::kPercistLiver:
      setup.rule = percist_liver_threshold_rule(on_sul(need_region("liver", "--liver-centre")));
      break;
    case SegmentationMethodKind::kPercistBloodPool:
      setup.rule = percist_blood_pool_threshold_rule(
          on_sul(need_region("blood_pool", "--blood-pool-centre")));
      break;
    case SegmentationMethodKind::kLiverMultiple:
      setup.rule =
          liver_multiple_threshold(need_region("liver", "--liver-centre").suv.mean, method.value);
      break;
    case SegmentationMethodKind::kPercentMax:
    case SegmentationMethodKind::kA50: {
      double candidate = 0.0;
      char text[200];
      if (request.candidate_threshold) {
        candidate = *request.candidate_threshold;
        std::snprintf(text, sizeof(text), "candidates: fixed %.6g", candidate);
      } else if (is_suv_like(request.suv.normalization)) {
        candidate = kDefaultSuvCandidateThreshold;
        std::snprintf(text, sizeof(text), "candidates: fixed %.6g (SUV default)", candidate);
      } else {
        candidate = kDefaultCandidateFactor * result.image_background;
        std::snprintf(text, sizeof(text),
                      "candidates: %.6g x image background %.6g (median of the object above "
                      "its Otsu threshold) = %.6g",
                      kDefaultCandidateFactor, result.image_background, candidate);
      }
      if (!(candidate > 0.0)) {
        throw InvalidInputError("--method " + method.text +
                                ": the image has no positive voxel to derive a candidate "
                                "threshold from; give --candidate-threshold");
      }
      setup.rule = fixed_threshold(candidate);
      setup.rule.description = text;
      LocalThresholdOptions local;
      local.rule = relative_rule(method, background);
      local.connectivity = request.connectivity;
      local.margin_mm = request.local_margin_mm;
      setup.per_lesion = local;
      break;
    }
  }
  if (request.local_method && !method.is_relative()) {
    if (!request.local_method->is_relative()) {
      throw InvalidInputError("--local " + request.local_method->text +
                              ": the local re-segmentation must be relative (percent-max:P or "
                              "a50)");
    }
    LocalThresholdOptions local;
    local.rule = relative_rule(*request.local_method, background);
    local.connectivity = request.connectivity;
    local.margin_mm = request.local_margin_mm;
    setup.per_lesion = local;
  }
  return setup;
}

// ---------------------------------------------------------------------------------------------
// metrics helpers

std::string majority_organ(const LabelMap& organs, const std::map<uint16_t, std::string>& names,
                           const LabelMap& lesions, uint16_t label, const IndexBox& box) {
  std::map<uint16_t, size_t> counts;
  for (int64_t k = box.lower[2]; k <= box.upper[2]; ++k) {
    for (int64_t j = box.lower[1]; j <= box.upper[1]; ++j) {
      for (int64_t i = box.lower[0]; i <= box.upper[0]; ++i) {
        const size_t offset = lesions.geometry.offset(i, j, k);
        if (lesions.values[offset] == label) ++counts[organs.values[offset]];
      }
    }
  }
  uint16_t best = 0;
  size_t best_count = 0;
  for (const auto& [organ, count] : counts) {
    if (count > best_count) {
      best = organ;
      best_count = count;
    }
  }
  if (best == 0) return "none";
  const auto found = names.find(best);
  return found != names.end() ? found->second : "organ label " + std::to_string(best);
}

void write_outputs(const AnalysisRequest& request, AnalysisResult& result,
                   const LoadedStudy& study) {
  const std::filesystem::path& folder = request.output_dir;
  const std::string csv = lesions_csv(result);
  const std::string regions = reference_regions_json(result);
  const std::string labels_sidecar = pipeline_internal::labels_sidecar_json(result, study);
  AtomicOutput labels_out(folder / "labels.nii.gz");
  // The label map's compression takes a core for a few tenths of a second: it runs beside the
  // other files, which only read the labels too. Declared after labels_out, the future is
  // destroyed (and waits for the task) first when an exception leaves this function.
  std::future<void> labels_written = std::async(std::launch::async, [&labels_out, &result] {
    write_nifti(labels_out.temporary_path(), result.labels);
  });
  std::vector<std::pair<std::unique_ptr<AtomicOutput>, const std::string*>> texts;
  const std::pair<const char*, const std::string*> documents[] = {
      {"lesions.csv", &csv},
      {"lesions.json", &result.lesions_json},
      {"labels.json", &labels_sidecar},
      {"reference_regions.json", &regions},
  };
  std::vector<std::pair<const char*, const std::string*>> files(std::begin(documents),
                                                                std::end(documents));
  if (request.radiomics) {
    files.emplace_back("radiomics.csv", &result.radiomics_csv);
    files.emplace_back("radiomics.json", &result.radiomics_json);
  }
  for (const auto& [name, contents] : files) {
    auto output = std::make_unique<AtomicOutput>(folder / name);
    std::ofstream stream(output->temporary_path(), std::ios::binary);
    stream << *contents;
    stream.close();
    if (!stream) {
      throw InvalidInputError(output->temporary_path().string() +
                              ": cannot be written (disk full or no permission?)");
    }
    texts.emplace_back(std::move(output), contents);
  }
  // DICOM SEG of the lesion labels, the TID 1500 report of their measurements referencing the
  // SEG's segments, and the SUV Parametric Map (DICOM input only).
  std::unique_ptr<AtomicOutput> seg_out, sr_out, map_out, rtstruct_out;
  const bool dicom_input = !is_nifti_path(request.study);
  if (request.write_seg) {
    if (!dicom_input) {
      result.warnings.emplace_back(
          "lesions.seg.dcm not written: the PET is a NIfTI image (a DICOM SEG must reference "
          "the DICOM instances of its source series)");
    } else if (result.lesions.empty()) {
      result.warnings.emplace_back("lesions.seg.dcm not written: no lesion");
    } else {
      std::vector<size_t> label_voxels(65536, 0);
      for (uint16_t value : result.labels.values) ++label_voxels[value];
      std::vector<SegmentDescription> segments;
      std::map<uint16_t, pipeline_internal::SegmentTracking> tracking;
      for (const LesionResult& lesion : result.lesions) {
        if (label_voxels[lesion.label] == 0) continue;  // wholly overlapped by an earlier ROI
        SegmentDescription segment;
        segment.label = lesion.label;
        segment.segment_label = lesion.name.substr(0, 64);
        // SEG and SR share the tracking identifiers (interoperability.md §1.2).
        segment.tracking_id = lesion.name.substr(0, 64);
        segment.tracking_uid = new_uuid_uid();
        if (result.segmentation == "masks") {
          segment.algorithm_type = SegmentAlgorithmType::kManual;
        } else {
          segment.algorithm_type = SegmentAlgorithmType::kAutomatic;
          segment.algorithm_name = "oncotrace " + result.method;
        }
        // A user ROI partly overlapped by an earlier one was measured whole but its segment holds
        // only the voxels it won: the SR would attribute the numbers to the wrong voxels.
        if (label_voxels[lesion.label] == lesion.metrics.voxel_count) {
          tracking[lesion.label] = {static_cast<uint16_t>(segments.size() + 1), segment.tracking_id,
                                    segment.tracking_uid};
        } else if (request.write_sr) {
          result.warnings.push_back("lesions.sr.dcm: no measurement group for " + lesion.name +
                                    ": it overlaps an "
                                    "earlier ROI, so its segment (" +
                                    std::to_string(label_voxels[lesion.label]) +
                                    " voxels) is not the region measured (" +
                                    std::to_string(lesion.metrics.voxel_count) + " voxels)");
        }
        segments.push_back(std::move(segment));
      }
      const SeriesReference reference = series_reference(study.pet);
      SegWriteOptions options;
      options.series_description = "oncotrace lesions (" + result.method + ")";
      options.content_label = "LESIONS";
      seg_out = std::make_unique<AtomicOutput>(folder / "lesions.seg.dcm");
      write_dicom_seg(result.labels, reference, segments, seg_out->temporary_path(), options);
      if (request.write_sr && tracking.empty()) {
        result.warnings.emplace_back(
            "lesions.sr.dcm not written: no lesion's segment is the region "
            "it was measured on");
      } else if (request.write_sr) {
        std::optional<SuvNormalization> sul_normalization;
        if (study.sul_plan) sul_normalization = study.sul_plan->normalization;
        SrWriteOptions sr_options;
        sr_options.series_description = "oncotrace lesion measurements (" + result.method + ")";
        sr_out = std::make_unique<AtomicOutput>(folder / "lesions.sr.dcm");
        write_measurement_report(reference, seg_out->temporary_path(),
                                 pipeline_internal::lesion_measurement_groups(
                                     result, study.plan.normalization, sul_normalization, tracking),
                                 sr_out->temporary_path(), sr_options);
      }
    }
  }
  if (request.write_rtstruct) {
    if (!dicom_input) {
      result.warnings.emplace_back(
          "lesions.rtstruct.dcm not written: the PET is a NIfTI image (an RT Structure Set must "
          "reference the DICOM instances of its source series)");
    } else if (result.lesions.empty()) {
      result.warnings.emplace_back("lesions.rtstruct.dcm not written: no lesion");
    } else {
      std::vector<bool> present(65536, false);
      for (uint16_t value : result.labels.values) present[value] = true;
      std::vector<RtStructureRoi> rois;
      for (const LesionResult& lesion : result.lesions) {
        if (!present[lesion.label]) continue;  // wholly overlapped by an earlier ROI
        RtStructureRoi roi;
        roi.label = lesion.label;
        roi.name = lesion.name.substr(0, 64);
        roi.generation_algorithm = result.segmentation == "masks" ? "MANUAL" : "AUTOMATIC";
        roi.generation_description = "oncotrace " + result.method;
        roi.display_colour = rtstruct_display_colour(rois.size());
        rois.push_back(std::move(roi));
      }
      RtStructWriteOptions options;
      options.series_description = "oncotrace lesion contours (" + result.method + ")";
      options.structure_set_label = "LESIONS";
      rtstruct_out = std::make_unique<AtomicOutput>(folder / "lesions.rtstruct.dcm");
      write_rtstruct(result.labels, series_reference(study.pet), rois,
                     rtstruct_out->temporary_path(), options);
    }
  }
  if (request.write_suv_map) {
    if (!dicom_input) {
      result.warnings.emplace_back(
          "suv.pm.dcm not written: the PET is a NIfTI image (a Parametric Map must reference "
          "the DICOM instances of its source series)");
    } else {
      const MapQuantity quantity = pipeline_internal::map_quantity(study.plan.normalization);
      ParametricMapWriteOptions options;
      options.series_description = "oncotrace " + quantity.label + " map";
      options.content_label = "SUV_MAP";
      if (study.pet.header.modality == "NM") options.modality = "NM";
      map_out = std::make_unique<AtomicOutput>(folder / "suv.pm.dcm");
      write_parametric_map(study.image, series_reference(study.pet), quantity,
                           map_out->temporary_path(), options);
    }
  }
  labels_written.get();  // rethrows the task's exception
  // Everything is on disk under temporary names: rename all.
  for (auto& [output, contents] : texts) {
    output->commit();
    result.written_files.push_back(output->destination());
  }
  labels_out.commit();
  result.written_files.push_back(labels_out.destination());
  // A DICOM output of an earlier run that this run did not write would contradict the new
  // results: it is removed.
  for (auto* output : {&seg_out, &sr_out, &map_out, &rtstruct_out}) {
    if (*output) {
      (*output)->commit();
      result.written_files.push_back((*output)->destination());
    }
  }
  for (const auto& [output, name] :
       {std::pair{&seg_out, "lesions.seg.dcm"}, std::pair{&sr_out, "lesions.sr.dcm"},
        std::pair{&map_out, "suv.pm.dcm"}, std::pair{&rtstruct_out, "lesions.rtstruct.dcm"}}) {
    if (!*output) {
      std::error_code ignored;
      std::filesystem::remove(folder / name, ignored);
    }
  }
  if (!request.radiomics) {
    // Nor may features of an earlier run's lesions stay beside the new ones.
    std::error_code ignored;
    std::filesystem::remove(folder / "radiomics.csv", ignored);
    std::filesystem::remove(folder / "radiomics.json", ignored);
  }
}

std::string total_unit_of(const std::string& uptake) {
  if (uptake == "g/mL") return "g";
  if (uptake == "cm2/mL") return "cm2";
  if (uptake == "Bq/mL") return "Bq";
  return uptake + ".mL";
}

// The default results-store stage: after the files were written; the store keeps its previous
// rows when this fails (one transaction), and the error is reported.
void store_stage(const AnalysisRequest& request, AnalysisResult& result, const LoadedStudy& study) {
  pipeline_internal::StoreRequest store;
  store.db = request.db ? *request.db : request.output_dir / "oncotrace.db";
  const SeriesHeader& header = study.pet.header;
  store.patient_id = header.patient_id;
  store.study_instance_uid = result.study_instance_uid;
  if (store.patient_id.empty() || store.study_instance_uid.empty()) {
    throw InvalidInputError("results store " + store.db.string() + ": the study has no " +
                            (store.patient_id.empty() ? "PatientID" : "StudyInstanceUID") +
                            " (the store's key); the output files were written; give "
                            "--db none to skip the store");
  }
  store.study_date = header.study_date;
  store.study_time = header.study_time;
  store.series.push_back({header.series_instance_uid, header.modality,
                          header.radiopharmaceutical.radiopharmaceutical.value.value_or(""),
                          "emission", header.series_description});
  if (study.ct) {
    store.series.push_back({study.ct->header.series_instance_uid, study.ct->header.modality, "",
                            "ct", study.ct->header.series_description});
  }
  for (const LesionResult& lesion : result.lesions) {
    pipeline_internal::StoreLesion row;
    row.label = lesion.label;
    row.name = lesion.name;
    row.organ = lesion.organ;
    row.metrics = &lesion.metrics;
    if (lesion.radiomics) {
      row.radiomics_variant = "radiomics:" + lesion.radiomics->settings_name;
      for (const radiomics::Feature& feature : lesion.radiomics->features) {
        // The store's unit convention: the uptake label ("g/mL"), as its suv_* rows.
        row.radiomics_features.push_back(
            {feature.tag, feature.value,
             radiomics::feature_unit(feature.tag, result.unit_label,
                                     request.radiomics->ivh.intensity_type)});
      }
    }
    store.lesions.push_back(std::move(row));
  }
  store.patient = result.patient;
  store.uptake_unit = result.unit_label;
  store.total_uptake_unit = total_unit_of(result.unit_label);
  for (const ReferenceRegionResult& region : result.reference_regions) {
    pipeline_internal::StoreRegion row;
    row.name = region.name;
    row.shape = region.suv.spec.shape == RegionShape::kSphere ? "sphere" : "cylinder";
    row.placement = region.placement_method == "user" ? "user" : "automatic";
    row.unit = result.unit_label;
    for (const std::string& warning : region.warnings) {
      row.warning += (row.warning.empty() ? "" : "; ") + warning;
    }
    row.centre_mm = region.suv.spec.centre_mm;
    row.diameter_mm = region.suv.spec.diameter_mm;
    row.length_mm = region.suv.spec.length_mm;
    row.mean = region.suv.mean;
    row.sd = region.suv.sd;
    row.max = region.suv.max;
    row.min = region.suv.min;
    row.voxel_count = static_cast<int64_t>(region.suv.voxel_count);
    row.volume_ml = region.suv.volume_ml;
    store.regions.push_back(std::move(row));
  }
  const nlohmann::json document = nlohmann::json::parse(result.lesions_json);
  const nlohmann::json& provenance = document.at("provenance");
  store.software_version = version_string();
  std::string command_line;
  for (const std::string& argument : request.arguments) {
    command_line += (command_line.empty() ? "" : " ") + argument;
  }
  if (command_line.empty()) command_line = request.command;
  store.command_line = command_line;
  store.settings_json = provenance.contains("settings") ? provenance["settings"].dump() : "{}";
  store.inputs_json = provenance.contains("inputs") ? provenance["inputs"].dump() : "{}";
  store.suv_audit_json = result.suv_audit_json;
  try {
    pipeline_internal::store_study(store);
  } catch (const InvalidInputError& error) {
    throw InvalidInputError("results store " + store.db.string() + ": " + error.what() +
                            " (the output files were written; the store keeps its previous "
                            "rows for this study)");
  }
  result.written_files.push_back(store.db);
}

}  // namespace

AnalysisResult analyze_study(const AnalysisRequest& request) {
  std::unique_ptr<tbb::global_control> thread_limit;
  if (request.threads > 0) {
    thread_limit = std::make_unique<tbb::global_control>(
        tbb::global_control::max_allowed_parallelism, static_cast<size_t>(request.threads));
  }
  if (request.masks && !std::filesystem::exists(*request.masks)) {
    throw InvalidInputError("--masks " + request.masks->string() + ": no such file");
  }
  requested_tracer(request);  // an unknown id is refused before anything is loaded
  AnalysisResult result;
  LoadStage loaded;
  {
    StageTimer timer(&result.timings, "load");
    loaded = load_stage(request);
  }
  LoadedStudy& study = loaded.study;
  result.study_instance_uid = study.pet.header.study_instance_uid;
  result.series_instance_uid = study.pet.header.series_instance_uid;
  result.frame_of_reference_uid = study.pet.header.frame_of_reference_uid;
  if (study.ct) result.ct_series_uid = study.ct->header.series_instance_uid;
  for (const std::string& note : study.notes) result.warnings.push_back(note);

  {
    StageTimer timer(&result.timings, "suv");
    suv_stage(request, study);
  }
  result.unit_ucum = study.plan.unit_ucum;
  result.unit_label = pipeline_internal::unit_label(request.suv.normalization);
  result.suv_audit_json = study.plan.audit.json;
  for (const std::string& warning : study.plan.audit.warnings) result.warnings.push_back(warning);
  if (study.sul_plan) result.sul_audit_json = study.sul_plan->audit.json;

  // Organ stage seam (src/organs): exclusion and organ maps.
  std::optional<OrganMaps> organs;
  if (request.hooks.organs) {
    StageTimer timer(&result.timings, "organs");
    organs = request.hooks.organs(study);
  } else if (request.use_organs) {
    StageTimer timer(&result.timings, "organs");
    organs = pipeline_internal::default_organ_maps(request, study, result.warnings,
                                                   tracer_stage(request, study, result));
    // Only organs that an exclusion map of this run holds were excluded.
    if (!organs->excluded || request.excluded_organs) result.tracer_excluded_organs.clear();
  }
  const LabelMap* excluded = nullptr;
  std::map<uint16_t, std::string> excluded_names;
  LabelMap excluded_on_grid;
  if (request.excluded_organs) {
    excluded_on_grid = resample_labels_nearest(*request.excluded_organs, study.image.geometry);
    excluded = &excluded_on_grid;
    excluded_names = request.excluded_organ_names;
  } else if (organs && organs->excluded) {
    excluded = &*organs->excluded;
    excluded_names = organs->excluded_names;
  }
  if (request.excluded_end_planes > 0) {
    const Geometry& grid = study.image.geometry;
    if (2 * static_cast<int64_t>(request.excluded_end_planes) >= grid.size[2]) {
      throw InvalidInputError(
          "--exclude-end-slices " + std::to_string(request.excluded_end_planes) +
          " leaves no plane of the " + std::to_string(grid.size[2]) + "-plane image");
    }
    if (excluded != &excluded_on_grid) {
      excluded_on_grid = excluded != nullptr ? *excluded : LabelMap(grid, 0);
      excluded = &excluded_on_grid;
    }
    const int64_t planes = request.excluded_end_planes;
    const size_t plane_size = static_cast<size_t>(grid.size[0] * grid.size[1]);
    for (int64_t k = 0; k < grid.size[2]; ++k) {
      if (k >= planes && k < grid.size[2] - planes) continue;
      for (size_t n = 0; n < plane_size; ++n) {
        uint16_t& label = excluded_on_grid.values[static_cast<size_t>(k) * plane_size + n];
        if (label == 0) label = kEndPlanesExclusionLabel;
      }
    }
    excluded_names[kEndPlanesExclusionLabel] = "axial end planes";
  }

  {
    StageTimer timer(&result.timings, "reference_regions");
    reference_stage(request, study, organs ? &*organs : nullptr, result);
  }

  LesionMetricsOptions metric_options;
  metric_options.peaks = request.peaks;
  metric_options.ratio_numerator = request.ratio_numerator;
  if (const auto* liver = find_region(result, "liver")) {
    metric_options.reference.liver = liver->suv.mean;
  }
  if (const auto* blood = find_region(result, "blood_pool")) {
    metric_options.reference.blood_pool = blood->suv.mean;
  }
  if (const auto* spleen = find_region(result, "spleen")) {
    metric_options.reference.spleen = spleen->suv.mean;
  }
  if (const auto* muscle = find_region(result, "muscle")) {
    metric_options.reference.muscle = muscle->suv.mean;
  }
  const ImageVolume* sul = study.sul ? &*study.sul : nullptr;

  std::vector<MaskRegion> mask_regions;
  std::vector<std::string> segmentation_notes;
  {
    StageTimer timer(&result.timings, "segmentation");
    if (request.masks) {
      result.segmentation = "masks";
      if (is_nifti_path(*request.masks)) {
        result.method = "NIfTI label map " + request.masks->string();
        mask_regions = nifti_mask_regions(request, study, segmentation_notes);
      } else if (is_dicom_seg_file(*request.masks)) {
        result.method = "DICOM SEG " + request.masks->string();
        mask_regions = seg_mask_regions(request, study);
      } else {
        result.method = "RTSTRUCT " + request.masks->string();
        mask_regions = rtstruct_mask_regions(request, study, loaded.same_frame_series_uids);
      }
      // Label map: ROI n -> label n; a voxel in several ROIs keeps the first ROI listed.
      result.labels = LabelMap(study.image.geometry, 0);
      size_t overlapping = 0;
      for (size_t index = 0; index < mask_regions.size(); ++index) {
        const auto label = static_cast<uint16_t>(index + 1);
        for (size_t n = 0; n < result.labels.values.size(); ++n) {
          if (mask_regions[index].mask.values[n] == 0) continue;
          if (result.labels.values[n] == 0) {
            result.labels.values[n] = label;
          } else {
            ++overlapping;
          }
        }
      }
      if (overlapping > 0) {
        segmentation_notes.push_back(
            std::to_string(overlapping) +
            " voxels belong to several regions: each region is measured whole, the label map "
            "gives such voxels to the region listed first, and the patient totals count them "
            "once per region");
      }
    } else {
      result.segmentation = "detection";
      DetectionSetup setup = detection_setup(request, study, result);
      result.method = request.method.text;
      DetectionOptions options;
      options.threshold = setup.rule;
      options.connectivity = request.connectivity;
      options.min_volume_ml = request.min_volume_ml;
      options.split_min_prominence = request.split_min_prominence;
      if (organs) options.split_noise_cv = organs->noise_cv;
      options.per_lesion = setup.per_lesion;
      options.organ_names = excluded_names;
      result.detection = detect_lesions(*setup.image, options, excluded);
      result.detection_on_sul = study.sul && setup.image == &*study.sul;
      result.labels = result.detection->labels;
      result.labels.geometry = study.image.geometry;
      for (std::string& note : setup.notes) segmentation_notes.push_back(std::move(note));
    }
  }
  for (std::string& note : segmentation_notes) result.warnings.push_back(std::move(note));

  {
    StageTimer timer(&result.timings, "metrics");
    std::vector<LesionMetrics> metrics;
    if (!mask_regions.empty()) {
      for (size_t index = 0; index < mask_regions.size(); ++index) {
        LesionMetrics lesion =
            measure_region(study.image, mask_regions[index].mask, metric_options, sul);
        lesion.label = static_cast<uint16_t>(index + 1);
        metrics.push_back(std::move(lesion));
      }
    } else if (result.detection && !result.detection->lesions.empty()) {
      metrics = measure_lesions(study.image, result.labels, metric_options, sul);
    }
    for (size_t index = 0; index < metrics.size(); ++index) {
      LesionResult lesion;
      lesion.label = metrics[index].label;
      lesion.name = !mask_regions.empty() ? mask_regions[index].name
                                          : "lesion_" + std::to_string(lesion.label);
      if (result.detection) {
        for (const DetectedLesion& detected : result.detection->lesions) {
          if (detected.label == lesion.label) lesion.detection_threshold = detected.threshold;
        }
      }
      if (organs && organs->segmentation) {
        lesion.organ = pipeline_internal::lesion_organ(request, *organs, result.labels,
                                                       lesion.label, metrics[index].box);
      } else if (organs && organs->organs) {
        lesion.organ = majority_organ(*organs->organs, organs->organ_names, result.labels,
                                      lesion.label, metrics[index].box);
      }
      if (request.true_sphere_value) {
        const double truth = *request.true_sphere_value;
        lesion.recovery_max = metrics[index].suv.max / truth;
        lesion.recovery_mean = metrics[index].suv.mean / truth;
        if (!metrics[index].suv.peaks.empty()) {
          lesion.recovery_peak = metrics[index].suv.peaks.front().value / truth;
        }
      }
      lesion.metrics = std::move(metrics[index]);
      result.lesions.push_back(std::move(lesion));
    }
    std::vector<LesionMetrics> for_summary;
    for (const LesionResult& lesion : result.lesions) for_summary.push_back(lesion.metrics);
    result.patient = summarise_patient(for_summary);
  }
  if (result.lesions.empty()) {
    result.warnings.push_back("no lesion found with " + result.method + " (minimum volume " +
                              std::to_string(request.min_volume_ml) + " mL)");
  }

  if (request.radiomics) {
    {
      StageTimer timer(&result.timings, "radiomics");
      std::vector<const Mask*> region_masks;
      region_masks.reserve(mask_regions.size());
      for (const MaskRegion& region : mask_regions) region_masks.push_back(&region.mask);
      pipeline_internal::radiomics_stage(request, study.image, region_masks, result);
    }
    result.radiomics_json = pipeline_internal::radiomics_json(request, result);
    result.radiomics_csv = pipeline_internal::radiomics_csv(request, result);
  }

  {
    StageTimer timer(&result.timings, "writing");
    result.lesions_json = pipeline_internal::lesions_json(request, result, study);
    if (!request.output_dir.empty()) write_outputs(request, result, study);
  }
  if (request.hooks.store) {
    request.hooks.store(result);  // the caller's store
  } else if (request.store_results && (request.db || !request.output_dir.empty())) {
    store_stage(request, result, study);
  }
  if (request.keep_loaded_study) {
    result.loaded_study = std::make_shared<const LoadedStudy>(std::move(study));
  }
  return result;
}

}  // namespace oncotrace
