// Writing simulated images as DICOM series, the way scanners write them (DCMTK dcmdata).
//
// PET: Positron Emission Tomography Image Storage (1.2.840.10008.5.1.4.1.1.128), one file per
// slice, int16 pixels with a RescaleSlope per slice chosen so that the slice maximum uses the
// full range (as most scanners do; pet-quantification.md §3.1), RescaleIntercept 0, the PET
// Series, PET Isotope and PET Image modules [DICOM PS3.3 C.8.9.1, C.8.9.2, C.8.9.4] including
// the RadiopharmaceuticalInformationSequence with start DateTime AND Time, and the vendor
// particulars of PhantomVendorStyle.
// CT: CT Image Storage (1.2.840.10008.5.1.4.1.1.2), int16 with RescaleIntercept -1024.
// NM: NM Image Storage (1.2.840.10008.5.1.4.1.1.20), one multi-frame RECON TOMO object.
#ifndef ONCOTRACE_PHANTOM_DICOM_WRITER_H_
#define ONCOTRACE_PHANTOM_DICOM_WRITER_H_

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "oncotrace/datetime.h"
#include "oncotrace/nuclide.h"
#include "oncotrace/phantom.h"
#include "oncotrace/volume.h"
#include "phantom/tracer_table.h"

namespace oncotrace::phantom {

struct DicomPatientInfo {
  std::string name;
  std::string id;
  std::string sex;  // M, F, O
  DateTime birth_date;
  double weight_kg = 0.0;
  double height_m = 0.0;
};

struct DicomStudyInfo {
  std::string study_uid;
  std::string study_id;
  std::string accession_number;
  std::string description;
  DateTime study_datetime;
};

struct DicomSeriesInfo {
  std::string series_uid;
  std::string frame_of_reference_uid;
  std::string description;
  int series_number = 1;
  DateTime series_datetime;  // start of the acquisition
  PhantomVendorStyle vendor = PhantomVendorStyle::kGe;
  // SOP Instance UIDs are make_phantom_uid(seed, uid_purpose + " instance N").
  uint64_t seed = 0;
  std::string uid_purpose;
};

struct IsotopeInfo {
  std::string radiopharmaceutical;
  std::optional<CodedConcept> radiopharmaceutical_code;
  const Nuclide* nuclide = nullptr;
  DateTime injection;
  double injected_activity_bq = 0.0;
  double frame_duration_s = 0.0;
};

// What the writer chose, for truth.json and tests.
struct WrittenSeries {
  std::vector<std::filesystem::path> files;  // in instance order
  std::vector<double> rescale_slopes;        // per slice as written (DS text value)
  std::string units;                         // BQML, CNTS, GML
  // Philips: Bq/mL per stored unit after rescale (7053,1009) and SUVbw per unit (7053,1000).
  std::optional<double> philips_activity_scale_factor;
  std::optional<double> philips_suv_scale_factor;
};

// `bq_per_ml` is the activity concentration decay-corrected to the series start (the acquisition
// start). The units written depend on the vendor style (BQML; CNTS with Philips factors; GML =
// SUVbw computed with the patient weight and the dose decayed to the series start).
WrittenSeries write_pet_series(const ImageVolume& bq_per_ml, const DicomPatientInfo& patient,
                               const DicomStudyInfo& study, const DicomSeriesInfo& series,
                               const IsotopeInfo& isotope, const std::filesystem::path& folder);

// `hu` in Hounsfield units.
WrittenSeries write_ct_series(const ImageVolume& hu, const DicomPatientInfo& patient,
                              const DicomStudyInfo& study, const DicomSeriesInfo& series,
                              const std::filesystem::path& folder);

// Quantitative SPECT as one NM multi-frame RECON TOMO object. The pixels are counts:
// counts = C [Bq/mL] * calibration_counts_per_bq_per_ml (one factor for the whole volume, so
// that C = counts * RealWorldValueSlope; the Real World Value Mapping item carries that slope with
// UCUM unit Bq/ml). Returns the file and the slope written.
struct WrittenNm {
  std::filesystem::path file;
  double real_world_value_slope_bq_per_ml = 0.0;  // Bq/mL per count (after the integer scaling)
};
WrittenNm write_nm_tomo(const ImageVolume& bq_per_ml, const DicomPatientInfo& patient,
                        const DicomStudyInfo& study, const DicomSeriesInfo& series,
                        const IsotopeInfo& isotope, const std::filesystem::path& file);

// A DS value (at most 16 characters) that keeps as many significant digits as fit.
std::string format_decimal_string(double value);

}  // namespace oncotrace::phantom

#endif  // ONCOTRACE_PHANTOM_DICOM_WRITER_H_
