// The in-memory form of one image series as read from DICOM (or NIfTI + sidecar): the
// series-level header, and one or more frames, each a volume plus one record per slice.
//
// This is the contract between the readers (src/dicom, src/io) and everything downstream
// (src/suv, later measure/segment/...). Readers store header values as found, with the tag they
// came from, and do NOT interpret time stamps or units: the SUV module decides which rule applies
// and writes every decision to the SuvAudit (pet-quantification.md §8). Date and time attributes
// are therefore kept as their raw DICOM strings (DA, TM, DT) here.
#ifndef ONCOTRACE_SERIES_H_
#define ONCOTRACE_SERIES_H_

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "oncotrace/geometry.h"
#include "oncotrace/volume.h"

namespace oncotrace {

// A header value and where it came from, e.g. {71.0, "(0010,1030) PatientWeight"}, or a value
// given by the user {70.0, "override --weight"}. An absent value has an empty optional; `source`
// then names the tag that was looked for.
template <typename T>
struct Sourced {
  std::optional<T> value;
  std::string source;

  bool has_value() const { return value.has_value(); }
  const T& operator*() const { return *value; }
};

// RadiopharmaceuticalInformationSequence (0054,0016), first item [DICOM PS3.3 C.8.9.2].
struct RadiopharmaceuticalInfo {
  Sourced<std::string> radiopharmaceutical;          // (0018,0031) free text, e.g. "FDG"
  Sourced<std::string> radiopharmaceutical_code;     // (0054,0304) CodeValue
  Sourced<std::string> radiopharmaceutical_meaning;  // (0054,0304) CodeMeaning
  Sourced<std::string> radionuclide_code;            // (0054,0300) CodeValue, e.g. "C-111A1"
  Sourced<std::string> radionuclide_meaning;         // (0054,0300) CodeMeaning, "^18^Fluorine"
  Sourced<std::string> radionuclide_scheme;          // (0054,0300) CodingSchemeDesignator
  Sourced<std::string> start_time;                   // (0018,1072) raw TM
  Sourced<std::string> start_datetime;               // (0018,1078) raw DT
  Sourced<double> total_dose;                        // (0018,1074) as stored (Bq by standard)
  Sourced<double> half_life_s;                       // (0018,1075)
  Sourced<double> positron_fraction;                 // (0018,1076)
};

// Series-level attributes. Values that must agree across instances are checked by the reader
// (a disagreement is an InvalidInputError naming the two files).
struct SeriesHeader {
  // Identity and provenance.
  std::string patient_id;
  std::string patient_name;  // never logged unless the user asks for identifiers
  std::string study_instance_uid;
  std::string series_instance_uid;
  std::string sop_class_uid;
  std::string modality;  // PT, NM, CT, MR, ...
  std::string series_description;
  std::string series_number;
  std::string frame_of_reference_uid;
  std::string manufacturer;
  std::string manufacturer_model;
  std::string software_versions;
  std::vector<std::string> image_type;   // (0008,0008)
  std::vector<std::string> series_type;  // (0054,1000), e.g. {"WHOLE BODY", "IMAGE"}
  std::string study_date;                // (0008,0020) raw DA
  std::string study_time;                // (0008,0030) raw TM
  std::string series_date;               // (0008,0021) raw DA
  std::string series_time;               // (0008,0031) raw TM

  // Patient.
  Sourced<double> patient_weight_kg;  // (0010,1030)
  Sourced<double> patient_size_m;     // (0010,1020), metres by standard
  Sourced<std::string> patient_sex;   // (0010,0040) M, F, O
  Sourced<std::string> patient_age;   // (0010,1010) e.g. "059Y"

  RadiopharmaceuticalInfo radiopharmaceutical;

  // PET Series / Image modules and their Enhanced equivalents.
  Sourced<std::string> units;                       // (0054,1001) BQML, CNTS, GML, ...
  Sourced<std::string> decay_correction;            // (0054,1102) START, ADMIN, NONE
  Sourced<std::string> suv_type;                    // (0054,1006)
  std::vector<std::string> corrected_image;         // (0028,0051)
  Sourced<std::string> decay_corrected_flag;        // (0018,9758) YES/NO (Enhanced PET)
  Sourced<std::string> attenuation_corrected_flag;  // (0018,9759) YES/NO (Enhanced PET)
  Sourced<std::string> decay_correction_datetime;   // (0018,9701) raw DT (Enhanced PET)
  Sourced<std::string> real_world_value_units;      // (0040,9096)/(0040,08EA) CodeValue (UCUM)
  Sourced<int64_t> number_of_time_slices;           // (0054,0101)
  Sourced<int64_t> number_of_slices;                // (0054,0081)

  // Vendor private attributes (pet-quantification.md §2, §3.3, §4.4, §4.5). `source` records
  // whether the private creator was present ("(0009,100D) via GEMS_PETD_01") or the element was
  // read without one ("(0009,100D) without private creator (lenient)").
  Sourced<std::string> ge_scan_datetime;                   // (0009,100D) raw DT
  Sourced<std::string> ge_administration_datetime;         // (0009,103B) raw DT
  Sourced<std::string> siemens_decay_correction_datetime;  // (0071,1022) raw DT

  // Notes the reader wants to pass on to the audit (lenient reads, repaired values).
  std::vector<std::string> reader_notes;
};

// One plane (slice) of one frame, after the planes were sorted along the slice normal.
struct SliceRecord {
  std::string file;           // path of the instance it came from
  int64_t frame_in_file = 0;  // 0-based frame number within a multi-frame instance
  std::string sop_instance_uid;
  int64_t instance_number = 0;           // (0020,0013)
  Vec3 position_mm{0, 0, 0};             // ImagePositionPatient of this plane (LPS)
  double rescale_slope = 1.0;            // (0028,1053), already applied to the frame's image
  double rescale_intercept = 0.0;        // (0028,1052), already applied to the frame's image
  std::string acquisition_date;          // (0008,0022) raw DA
  std::string acquisition_time;          // (0008,0032) raw TM
  std::string acquisition_datetime;      // (0008,002A) or Enhanced FrameAcquisitionDateTime, raw DT
  std::string frame_reference_datetime;  // (0018,9151) Enhanced, raw DT
  std::optional<double> frame_reference_time_ms;                      // (0054,1300)
  std::optional<double> actual_frame_duration_ms;                     // (0018,1242) or (0018,9220)
  std::optional<double> decay_factor;                                 // (0054,1321)
  std::optional<double> dose_calibration_factor;                      // (0054,1322)
  std::optional<double> philips_suv_scale_factor;                     // (7053,1000)
  std::optional<double> philips_activity_concentration_scale_factor;  // (7053,1009)
  std::optional<int64_t> image_index;                                 // (0054,1330)
};

// One time frame (a static series has exactly one; dynamic and gated series have several).
struct Frame {
  // Rescaled values U = slope * stored + intercept, in the series' Units (Bq/mL for BQML, HU for
  // CT), per plane as recorded in `slices`.
  ImageVolume image;
  std::vector<SliceRecord> slices;  // slices[k] describes plane k of `image`
  // Frame timing, when known: start relative to the series time base and duration, in seconds.
  std::optional<double> start_s;
  std::optional<double> duration_s;
};

struct ImageSeries {
  SeriesHeader header;
  std::vector<Frame> frames;  // all frames share one Geometry
  // Files the series came from (sorted), for provenance.
  std::vector<std::string> files;
};

}  // namespace oncotrace

#endif  // ONCOTRACE_SERIES_H_
