#include "dicom/series_assembly.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <functional>
#include <map>

#include "oncotrace/datetime.h"
#include "oncotrace/error.h"

namespace oncotrace::dicom {
namespace {

// Two planes closer than this along the normal are at the same position.
constexpr double kDuplicateDistanceMm = 0.01;
// Direction cosines of two planes agree when no component differs by more (about 0.006°).
constexpr double kOrientationTolerance = 1e-4;
// PixelSpacing of two planes agrees within this (DS values are written with ~6 digits).
constexpr double kPixelSpacingToleranceMm = 1e-4;
// Slice-spacing deviations below this are decimal rounding of ImagePositionPatient (DS values
// such as "76.5999984741211" written from float32), not news worth a note.
constexpr double kReportableDeviationMm = 1e-4;

std::string format_mm(double value) {
  char text[32];
  std::snprintf(text, sizeof(text), "%.4g", value);
  return text;
}

std::string format_position(const Vec3& position) {
  char text[96];
  std::snprintf(text, sizeof(text), "(%.3f, %.3f, %.3f)", position[0], position[1], position[2]);
  return text;
}

double dot(const Vec3& a, const Vec3& b) { return a[0] * b[0] + a[1] * b[1] + a[2] * b[2]; }

Vec3 cross(const Vec3& a, const Vec3& b) {
  return {a[1] * b[2] - a[2] * b[1], a[2] * b[0] - a[0] * b[2], a[0] * b[1] - a[1] * b[0]};
}

double max_component_difference(const Vec3& a, const Vec3& b) {
  return std::max({std::abs(a[0] - b[0]), std::abs(a[1] - b[1]), std::abs(a[2] - b[2])});
}

// Everything assembly needs, in one place, with messages that name the series.
class Planner {
 public:
  Planner(const std::vector<InstanceHeader>& instances, const SeriesHeader& series,
          const SeriesLoadOptions& options)
      : instances_(instances), series_(series), options_(options) {}

  SeriesPlan plan();

 private:
  const PlaneHeader& plane(const PlaneRef& ref) const {
    return instances_[ref.instance].planes[ref.plane];
  }
  const std::string& file(const PlaneRef& ref) const { return plane(ref).record.file; }
  std::string where(const PlaneRef& ref) const {
    const PlaneHeader& header = plane(ref);
    std::string text = header.record.file;
    if (instances_[ref.instance].planes.size() > 1) {
      text += " frame " + std::to_string(header.record.frame_in_file + 1);
    }
    return text;
  }
  std::string prefix() const { return "series " + series_.series_instance_uid + ": "; }
  double along_normal(const PlaneRef& ref) const {
    return dot(plane(ref).record.position_mm, normal_);
  }

  void collect_planes();
  void check_plane_metadata() const;
  void check_uniform_planes() const;
  std::vector<std::vector<PlaneRef>> group_into_frames();
  bool has_duplicate_positions(const std::vector<PlaneRef>& planes) const;
  bool try_group_by(const std::function<std::optional<double>(const PlaneRef&)>& key,
                    std::vector<std::vector<PlaneRef>>& frames) const;
  void sort_along_normal(std::vector<PlaneRef>& planes) const;
  double check_spacing(const std::vector<PlaneRef>& frame, size_t frame_number);
  void check_stacked_along_normal(const std::vector<PlaneRef>& frame) const;
  void check_frames_share_positions(const std::vector<std::vector<PlaneRef>>& frames) const;
  double single_plane_spacing(const PlaneRef& ref);
  void add_frame_timing(SeriesPlan& plan);

  const std::vector<InstanceHeader>& instances_;
  const SeriesHeader& series_;
  const SeriesLoadOptions& options_;
  std::vector<PlaneRef> all_planes_;
  Vec3 normal_{0, 0, 1};
  size_t frame_count_ = 1;
  std::vector<std::string> notes_;
};

void Planner::collect_planes() {
  for (size_t instance = 0; instance < instances_.size(); ++instance) {
    for (size_t index = 0; index < instances_[instance].planes.size(); ++index) {
      all_planes_.push_back({instance, index});
    }
  }
  if (all_planes_.empty()) {
    throw InvalidInputError(prefix() + "no image planes in " + std::to_string(instances_.size()) +
                            " file(s)");
  }
}

void Planner::check_plane_metadata() const {
  for (const PlaneRef& ref : all_planes_) {
    const PlaneHeader& header = plane(ref);
    const char* missing = nullptr;
    if (!header.has_position) missing = "ImagePositionPatient (0020,0032)";
    if (!header.has_orientation) missing = "ImageOrientationPatient (0020,0037)";
    if (header.row_spacing_mm <= 0.0 || header.column_spacing_mm <= 0.0) {
      missing = "PixelSpacing (0028,0030)";
    }
    if (missing != nullptr) {
      throw MissingMetadataError(prefix() + where(ref) + ": " + missing +
                                 " is missing or invalid, so the plane cannot be placed in space");
    }
  }
}

void Planner::check_uniform_planes() const {
  const PlaneRef& first = all_planes_.front();
  const PixelFormat& first_format = instances_[first.instance].pixels;
  const PlaneHeader& reference = plane(first);
  for (const PlaneRef& ref : all_planes_) {
    const PixelFormat& format = instances_[ref.instance].pixels;
    if (format.rows != first_format.rows || format.columns != first_format.columns) {
      throw InvalidInputError(
          prefix() + "mixed image sizes: " + where(first) + " has " +
          std::to_string(first_format.columns) + "x" + std::to_string(first_format.rows) +
          " (columns x rows) but " + where(ref) + " has " + std::to_string(format.columns) + "x" +
          std::to_string(format.rows) + "; split the series or remove the odd file");
    }
    const PlaneHeader& header = plane(ref);
    if (max_component_difference(header.row_direction, reference.row_direction) >
            kOrientationTolerance ||
        max_component_difference(header.column_direction, reference.column_direction) >
            kOrientationTolerance) {
      throw InvalidInputError(prefix() + "mixed orientations (ImageOrientationPatient " +
                              "(0020,0037)): " + where(first) + " and " + where(ref) +
                              " differ; oncotrace reads one orientation per series");
    }
    if (std::abs(header.row_spacing_mm - reference.row_spacing_mm) > kPixelSpacingToleranceMm ||
        std::abs(header.column_spacing_mm - reference.column_spacing_mm) >
            kPixelSpacingToleranceMm) {
      throw InvalidInputError(prefix() + "mixed PixelSpacing (0028,0030): " + where(first) +
                              " has " + format_mm(reference.row_spacing_mm) + "\\" +
                              format_mm(reference.column_spacing_mm) + " mm but " + where(ref) +
                              " has " + format_mm(header.row_spacing_mm) + "\\" +
                              format_mm(header.column_spacing_mm) + " mm");
    }
  }
}

bool Planner::has_duplicate_positions(const std::vector<PlaneRef>& planes) const {
  std::vector<double> positions;
  positions.reserve(planes.size());
  for (const PlaneRef& ref : planes) positions.push_back(along_normal(ref));
  std::sort(positions.begin(), positions.end());
  for (size_t k = 1; k < positions.size(); ++k) {
    if (positions[k] - positions[k - 1] < kDuplicateDistanceMm) return true;
  }
  return false;
}

// Groups by a numeric key (ascending); succeeds when there are several groups of equal size
// without duplicate positions.
bool Planner::try_group_by(const std::function<std::optional<double>(const PlaneRef&)>& key,
                           std::vector<std::vector<PlaneRef>>& frames) const {
  std::map<double, std::vector<PlaneRef>> groups;
  for (const PlaneRef& ref : all_planes_) {
    const auto value = key(ref);
    if (!value) return false;
    groups[*value].push_back(ref);
  }
  if (groups.size() < 2) return false;
  const size_t size = groups.begin()->second.size();
  for (const auto& [value, planes] : groups) {
    if (planes.size() != size || has_duplicate_positions(planes)) return false;
  }
  frames.clear();
  for (auto& [value, planes] : groups) frames.push_back(std::move(planes));
  return true;
}

std::optional<double> acquisition_seconds(const SliceRecord& record, const SeriesHeader& series) {
  std::optional<DateTime> when;
  if (!record.acquisition_datetime.empty())
    when = parse_dicom_datetime(record.acquisition_datetime);
  if (!when && !record.acquisition_time.empty()) {
    when = combine_date_time(
        record.acquisition_date.empty() ? series.series_date : record.acquisition_date,
        record.acquisition_time);
  }
  if (!when) return std::nullopt;
  return static_cast<double>(when->microseconds_since_epoch) * 1e-6;
}

std::vector<std::vector<PlaneRef>> Planner::group_into_frames() {
  std::vector<std::vector<PlaneRef>> frames;
  // 1. ImageIndex and NumberOfSlices [PS3.3 C.8.9.4.1.9].
  const int64_t slices_per_frame = series_.number_of_slices.value.value_or(0);
  if (slices_per_frame > 0) {
    const auto by_image_index = [&](const PlaneRef& ref) -> std::optional<double> {
      const auto& index = plane(ref).record.image_index;
      if (!index || *index < 1) return std::nullopt;
      const int64_t frame_number = (*index - 1) / slices_per_frame;  // whole frames
      return static_cast<double>(frame_number);
    };
    std::map<double, std::vector<PlaneRef>> groups;
    bool complete = true;
    for (const PlaneRef& ref : all_planes_) {
      const auto frame = by_image_index(ref);
      if (!frame) {
        complete = false;
        break;
      }
      groups[*frame].push_back(ref);
    }
    if (complete && groups.size() > 1) {
      for (auto& [frame, planes] : groups) frames.push_back(std::move(planes));
      notes_.push_back("frames split by ImageIndex (0054,1330) and NumberOfSlices (0054,0081): " +
                       std::to_string(frames.size()) + " frames of " +
                       std::to_string(slices_per_frame) + " slices");
      return frames;
    }
  }
  // 2. An explicit temporal index of the IOD.
  const auto by_temporal_index = [&](const PlaneRef& ref) -> std::optional<double> {
    const auto& index = plane(ref).temporal_index;
    if (!index) return std::nullopt;
    return static_cast<double>(*index);
  };
  if (try_group_by(by_temporal_index, frames)) {
    notes_.push_back("frames split by " + plane(all_planes_.front()).temporal_index_source + ": " +
                     std::to_string(frames.size()) + " frames");
    return frames;
  }
  // 3. Repeated positions in a series that may be dynamic or gated.
  const bool static_series =
      !series_.series_type.empty() &&
      (series_.series_type[0] == "STATIC" || series_.series_type[0] == "WHOLE BODY");
  if (!static_series && has_duplicate_positions(all_planes_)) {
    struct Candidate {
      const char* name;
      std::function<std::optional<double>(const PlaneRef&)> key;
    };
    const std::vector<Candidate> candidates = {
        {"FrameReferenceTime (0054,1300)",
         [&](const PlaneRef& ref) { return plane(ref).record.frame_reference_time_ms; }},
        {"FrameReferenceDateTime (0018,9151)",
         [&](const PlaneRef& ref) -> std::optional<double> {
           const auto when = parse_dicom_datetime(plane(ref).record.frame_reference_datetime);
           if (!when) return std::nullopt;
           return static_cast<double>(when->microseconds_since_epoch) * 1e-6;
         }},
        {"the acquisition date-time (0008,002A)/(0008,0022)+(0008,0032)",
         [&](const PlaneRef& ref) { return acquisition_seconds(plane(ref).record, series_); }},
    };
    for (const Candidate& candidate : candidates) {
      if (try_group_by(candidate.key, frames)) {
        notes_.push_back(std::string("frames grouped by ") + candidate.name +
                         " (no ImageIndex (0054,1330)): " + std::to_string(frames.size()) +
                         " frames");
        return frames;
      }
    }
  }
  frames.push_back(all_planes_);
  return frames;
}

void Planner::sort_along_normal(std::vector<PlaneRef>& planes) const {
  std::stable_sort(planes.begin(), planes.end(), [this](const PlaneRef& a, const PlaneRef& b) {
    return along_normal(a) < along_normal(b);
  });
}

double Planner::single_plane_spacing(const PlaneRef& ref) {
  const PlaneHeader& header = plane(ref);
  if (header.spacing_between_slices_mm && *header.spacing_between_slices_mm > 0.0) {
    notes_.emplace_back("one plane per frame: slice spacing from SpacingBetweenSlices (0018,0088)");
    return *header.spacing_between_slices_mm;
  }
  if (header.slice_thickness_mm && *header.slice_thickness_mm > 0.0) {
    notes_.emplace_back("one plane per frame: slice spacing from SliceThickness (0018,0050)");
    return *header.slice_thickness_mm;
  }
  notes_.emplace_back("one plane per frame and no SliceThickness: slice spacing set to 1 mm");
  return 1.0;
}

double Planner::check_spacing(const std::vector<PlaneRef>& frame, size_t frame_number) {
  const std::string frame_text =
      frame_count_ > 1 ? " (frame " + std::to_string(frame_number + 1) + ")" : "";
  std::vector<double> gaps;
  for (size_t k = 1; k < frame.size(); ++k) {
    const double gap = along_normal(frame[k]) - along_normal(frame[k - 1]);
    if (gap < kDuplicateDistanceMm) {
      throw InvalidInputError(prefix() + "two planes at the same position " +
                              format_mm(along_normal(frame[k])) + " mm along the slice normal" +
                              frame_text + ": " + where(frame[k - 1]) + " and " + where(frame[k]) +
                              "; remove the duplicate file or split the series");
    }
    gaps.push_back(gap);
  }
  std::vector<double> sorted_gaps = gaps;
  std::sort(sorted_gaps.begin(), sorted_gaps.end());
  const size_t middle = sorted_gaps.size() / 2;
  const double median = sorted_gaps.size() % 2 == 1
                            ? sorted_gaps[middle]
                            : 0.5 * (sorted_gaps[middle - 1] + sorted_gaps[middle]);
  double max_deviation = 0.0;
  size_t deviating_gaps = 0;
  for (size_t k = 0; k < gaps.size(); ++k) {
    const double deviation = std::abs(gaps[k] - median);
    if (deviation > options_.slice_spacing_tolerance_mm) {
      const PlaneRef& below = frame[k];
      const PlaneRef& above = frame[k + 1];
      const std::string between = " between " + where(below) + " at " +
                                  format_position(plane(below).record.position_mm) + " and " +
                                  where(above) + " at " +
                                  format_position(plane(above).record.position_mm) + frame_text;
      if (gaps[k] > 1.5 * median) {
        const long missing = std::lround(gaps[k] / median) - 1;
        throw InvalidInputError(prefix() + "gap of " + format_mm(gaps[k]) + " mm" + between +
                                ", about " + std::to_string(missing) +
                                " slice(s) missing (median spacing " + format_mm(median) +
                                " mm); add the missing files");
      }
      throw InvalidInputError(
          prefix() + "non-uniform slice spacing: gap of " + format_mm(gaps[k]) + " mm" + between +
          " differs from the median " + format_mm(median) + " mm by " + format_mm(deviation) +
          " mm, more than the tolerance of " + format_mm(options_.slice_spacing_tolerance_mm) +
          " mm (SeriesLoadOptions::slice_spacing_tolerance_mm)");
    }
    if (deviation > kReportableDeviationMm) ++deviating_gaps;
    max_deviation = std::max(max_deviation, deviation);
  }
  if (max_deviation > kReportableDeviationMm && frame_number == 0) {
    notes_.push_back("slice spacing is the median gap " + format_mm(median) + " mm; " +
                     std::to_string(deviating_gaps) + " of " + std::to_string(gaps.size()) +
                     " gaps deviate, by at most " + format_mm(max_deviation) +
                     " mm (within the tolerance of " +
                     format_mm(options_.slice_spacing_tolerance_mm) + " mm)");
  }
  return median;
}

void Planner::check_stacked_along_normal(const std::vector<PlaneRef>& frame) const {
  const PlaneHeader& first = plane(frame.front());
  const double tolerance = std::max(options_.slice_spacing_tolerance_mm, 1e-3);
  for (const PlaneRef& ref : frame) {
    const Vec3& position = plane(ref).record.position_mm;
    const Vec3 offset{position[0] - first.record.position_mm[0],
                      position[1] - first.record.position_mm[1],
                      position[2] - first.record.position_mm[2]};
    const double along_rows = dot(offset, first.row_direction);
    const double along_columns = dot(offset, first.column_direction);
    if (std::abs(along_rows) > tolerance || std::abs(along_columns) > tolerance) {
      throw InvalidInputError(prefix() + where(ref) + " is shifted in-plane by (" +
                              format_mm(along_rows) + ", " + format_mm(along_columns) +
                              ") mm relative to " + where(frame.front()) +
                              " (gantry tilt or sheared stack); oncotrace needs planes stacked " +
                              "along the slice normal and does not resample");
    }
  }
}

void Planner::check_frames_share_positions(const std::vector<std::vector<PlaneRef>>& frames) const {
  const auto& first = frames.front();
  for (size_t f = 1; f < frames.size(); ++f) {
    if (frames[f].size() != first.size()) {
      throw InvalidInputError(prefix() + "frame " + std::to_string(f + 1) + " has " +
                              std::to_string(frames[f].size()) + " planes but frame 1 has " +
                              std::to_string(first.size()) + " (first file of frame " +
                              std::to_string(f + 1) + ": " + where(frames[f].front()) + ")");
    }
    for (size_t k = 0; k < first.size(); ++k) {
      const double difference = std::abs(along_normal(frames[f][k]) - along_normal(first[k]));
      if (difference > std::max(options_.slice_spacing_tolerance_mm, kDuplicateDistanceMm)) {
        throw InvalidInputError(prefix() + "frame " + std::to_string(f + 1) + " plane " +
                                std::to_string(k + 1) + " (" + where(frames[f][k]) +
                                ") is not at the position of frame 1 plane " +
                                std::to_string(k + 1) + " (" + where(first[k]) + ")");
      }
    }
  }
}

void Planner::add_frame_timing(SeriesPlan& plan) {
  const auto series_start = combine_date_time(series_.series_date, series_.series_time);
  std::vector<std::optional<double>> acquisition_starts;
  for (const FramePlan& frame : plan.frames) {
    std::optional<double> earliest;
    for (const PlaneRef& ref : frame.planes) {
      const auto when = acquisition_seconds(plane(ref).record, series_);
      if (!when) {
        earliest.reset();
        break;
      }
      earliest = earliest ? std::min(*earliest, *when) : *when;
    }
    acquisition_starts.push_back(earliest);
  }
  const bool all_acquisition_times =
      std::all_of(acquisition_starts.begin(), acquisition_starts.end(),
                  [](const auto& start) { return start.has_value(); });
  bool distinct = true;
  for (size_t f = 1; f < acquisition_starts.size() && all_acquisition_times; ++f) {
    if (*acquisition_starts[f] == *acquisition_starts[f - 1]) distinct = false;
  }
  const bool use_acquisition = series_start && all_acquisition_times && distinct;
  bool used_reference_time = false;
  const double series_seconds =
      series_start ? static_cast<double>(series_start->microseconds_since_epoch) * 1e-6 : 0.0;
  for (size_t f = 0; f < plan.frames.size(); ++f) {
    FramePlan& frame = plan.frames[f];
    const SliceRecord& first = plane(frame.planes.front()).record;
    if (first.actual_frame_duration_ms) frame.duration_s = *first.actual_frame_duration_ms / 1000.0;
    if (use_acquisition) {
      frame.start_s = *acquisition_starts[f] - series_seconds;
    } else if (first.frame_reference_time_ms) {
      double earliest_ms = *first.frame_reference_time_ms;
      for (const PlaneRef& ref : frame.planes) {
        const auto& reference = plane(ref).record.frame_reference_time_ms;
        if (reference) earliest_ms = std::min(earliest_ms, *reference);
      }
      frame.start_s = earliest_ms / 1000.0;
      used_reference_time = true;
    }
  }
  if (used_reference_time) {
    notes_.emplace_back(
        "frame start taken from FrameReferenceTime (0054,1300) because the acquisition times do "
        "not tell the frames apart; its meaning (start or mid-frame) is vendor-specific");
  }
}

SeriesPlan Planner::plan() {
  collect_planes();
  check_plane_metadata();
  check_uniform_planes();
  const PlaneHeader& reference = plane(all_planes_.front());
  const Vec3 normal = cross(reference.row_direction, reference.column_direction);
  const double length = std::sqrt(dot(normal, normal));
  if (length < 0.5) {
    throw InvalidInputError(prefix() + where(all_planes_.front()) +
                            ": ImageOrientationPatient (0020,0037) row and column directions are "
                            "parallel");
  }
  normal_ = {normal[0] / length, normal[1] / length, normal[2] / length};

  std::vector<std::vector<PlaneRef>> frames = group_into_frames();
  for (auto& frame : frames) sort_along_normal(frame);
  frame_count_ = frames.size();
  double spacing = 0.0;
  for (size_t f = 0; f < frames.size(); ++f) {
    const double frame_spacing = frames[f].size() > 1 ? check_spacing(frames[f], f) : 0.0;
    if (f == 0) spacing = frame_spacing;
  }
  if (frames.front().size() == 1) spacing = single_plane_spacing(frames.front().front());
  check_frames_share_positions(frames);
  check_stacked_along_normal(frames.front());

  SeriesPlan plan;
  const PixelFormat& format = instances_[frames.front().front().instance].pixels;
  const PlaneHeader& origin_plane = plane(frames.front().front());
  Geometry& geometry = plan.geometry;
  geometry.size = {format.columns, format.rows, static_cast<int64_t>(frames.front().size())};
  geometry.spacing_mm = {reference.column_spacing_mm, reference.row_spacing_mm, spacing};
  geometry.origin_mm = origin_plane.record.position_mm;
  for (int row = 0; row < 3; ++row) {
    geometry.direction[row * 3 + 0] = reference.row_direction[row];
    geometry.direction[row * 3 + 1] = reference.column_direction[row];
    geometry.direction[row * 3 + 2] = normal_[row];
  }
  for (auto& frame : frames) plan.frames.push_back(FramePlan{std::move(frame), {}, {}});
  add_frame_timing(plan);
  plan.notes = std::move(notes_);
  return plan;
}

}  // namespace

SeriesPlan plan_series(const std::vector<InstanceHeader>& instances, const SeriesHeader& series,
                       const SeriesLoadOptions& options) {
  return Planner(instances, series, options).plan();
}

}  // namespace oncotrace::dicom
