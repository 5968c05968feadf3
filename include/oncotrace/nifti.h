// NIfTI-1 (.nii, .nii.gz) images and their JSON sidecars. Reference: docs/nifti-sidecar.md.
//
// NIfTI stores world coordinates in RAS (+x right, +y anterior); oncotrace works in DICOM LPS.
// The conversion happens here and nowhere else: world_LPS = diag(-1, -1, 1) * world_RAS, applied
// to the origin and to the direction matrix (interoperability.md §2.1). ITK 5.2's NiftiImageIO
// does exactly this on read and write (verified on files whose DICOM is known, see
// src/io/nifti_test.cc). On read it uses the sform when sform_code > 0 and the sform is a rotation
// with scaling, else the qform; qform/sform disagreements (> 1e-3 mm) and an ignored sheared sform
// are logged. Files are written with qform_code = sform_code = 1 (scanner anatomical).
//
// The sidecar ("image.json" beside "image.nii.gz") carries what NIfTI cannot: units, tracer,
// timing, the SUV audit and provenance. It holds two views of one SeriesHeader:
//   * BIDS-PET fields at the top level for BIDS tools (interoperability.md §2.2): "Units",
//     "TracerName", "TracerRadionuclide", "InjectedRadioactivity", "InjectedRadioactivityUnits",
//     "TimeZero", "InjectionStart", "ScanStart", "FrameTimesStart", "FrameDuration",
//     "BodyWeight", "ImageDecayCorrected", "ImageDecayCorrectionTime", "AttenuationCorrection",
//     "Manufacturer", "ManufacturersModelName";
//   * an "oncotrace" object with the complete header under DICOM keywords and DICOM units
//     ("Units": "BQML", "DecayCorrection", "SUVType", "SeriesInstanceUID", "Modality",
//     "PatientWeight", "RadionuclideHalfLife", "RadiopharmaceuticalStartDateTime", ...; date-times
//     as ISO 8601) and a "Frames" array with the per-slice timing of every time point
//     (FrameReferenceTime, DecayFactor, AcquisitionDateTime, ...).
// Reading maps the "oncotrace" object back to the raw DICOM strings the SUV module expects (ISO
// date-times -> DT "YYYYMMDDHHMMSS.FFFFFF", DA, TM). A BIDS-PET sidecar without that object is
// read from its BIDS fields ("Bq/mL" -> BQML; ImageDecayCorrected + ImageDecayCorrectionTime ->
// DecayCorrection NONE, ADMIN (the injection) or START). Patient identifiers are never written.
#ifndef ONCOTRACE_NIFTI_H_
#define ONCOTRACE_NIFTI_H_

#include <filesystem>
#include <string>
#include <vector>

#include "oncotrace/series.h"
#include "oncotrace/volume.h"

namespace oncotrace {

// Reads a 3D NIfTI image (any stored type) as float. A 4D image is refused here (use
// read_nifti_frames). Throws InvalidInputError naming the file on failure.
ImageVolume read_nifti(const std::filesystem::path& path);
// Reads a 3D or 4D NIfTI image as one volume per time point.
std::vector<ImageVolume> read_nifti_frames(const std::filesystem::path& path);
// Reads a label map / mask (integer values; non-integer values are an InvalidInputError).
LabelMap read_nifti_labels(const std::filesystem::path& path);

// Writes atomically (temporary name, then rename). The extension chooses compression.
void write_nifti(const std::filesystem::path& path, const ImageVolume& image);
void write_nifti(const std::filesystem::path& path, const std::vector<ImageVolume>& frames);
void write_nifti(const std::filesystem::path& path, const LabelMap& labels);
void write_nifti(const std::filesystem::path& path, const Mask& mask);

// True for a NIfTI file name ("x.nii" or "x.nii.gz").
bool is_nifti_path(const std::filesystem::path& path);

// The sidecar path for an image path: "x.nii.gz" -> "x.json", "x.nii" -> "x.json".
std::filesystem::path sidecar_path_for(const std::filesystem::path& image_path);

// Builds a JSON sidecar (pretty-printed, keys sorted, deterministic) from a series header and
// frames: BIDS-PET names where they exist, plus an "oncotrace" object with the rest.
// `extra_json` (a JSON object as text, may be empty) is merged in at the top level, e.g. the
// SUV audit and provenance.
std::string make_sidecar_json(const SeriesHeader& header, const std::vector<Frame>& frames,
                              const std::string& extra_json);

// Reads a NIfTI image and its sidecar (if present) into an ImageSeries, so that non-DICOM
// studies enter the same pipeline: the sidecar's fields fill SeriesHeader (with
// source "sidecar <file>: <Field>"), each 3D time point becomes a Frame. Without a sidecar the
// header is empty apart from the file name, and SUV needs overrides.
ImageSeries read_nifti_series(const std::filesystem::path& image_path);

}  // namespace oncotrace

#endif  // ONCOTRACE_NIFTI_H_
