// Shared by the writers of derived DICOM objects (SEG, SR, Parametric Map): the composite
// context copied from the source series (interoperability.md §1.0 rule 1), the functional groups
// that place frames on the source grid and reference the source planes (§1.0 rule 5), and the
// atomic save (§1.0 rule 6).
#ifndef ONCOTRACE_DICOM_DERIVED_OBJECT_H_
#define ONCOTRACE_DICOM_DERIVED_OBJECT_H_

#include <dcmtk/config/osconfig.h>
#include <dcmtk/dcmfg/fgpixmsr.h>
#include <dcmtk/dcmfg/fgplanor.h>
#include <dcmtk/dcmfg/fgplanpo.h>
#include <dcmtk/dcmiod/iodmacro.h>
#include <dcmtk/dcmiod/modcommoninstanceref.h>

#include <cstdint>
#include <filesystem>
#include <memory>
#include <string>

#include "oncotrace/dicom_seg.h"

class DcmItem;
class DcmFileFormat;

namespace oncotrace::dicom {

// A coded concept as a DCMTK Code Sequence Macro, and back.
CodeSequenceMacro code_macro(const CodedConcept& code);
CodedConcept coded_concept(CodeSequenceMacro& macro);

// Copies the Patient and General Study attributes (Patient Name, ID, Issuer, Birth Date, Sex,
// Patient Identity Removed, De-identification Method, Study ID, Accession Number, Referring
// Physician, Study Description, Study Date and Time) verbatim from `source_file` into `dataset`;
// attributes the source lacks are removed from `dataset` when they are optional ones DCMTK may
// have filled (Patient Identity Removed, De-identification Method), so that dcentvfy finds the
// patient and study entities identical across the source and every derived object. Throws
// InvalidInputError naming `where` when the source cannot be read.
void copy_patient_and_study(const std::filesystem::path& source_file, DcmItem& dataset,
                            const std::string& where);

// Shared functional groups of frames on `grid`: Pixel Measures (row/column spacing, slice
// thickness and spacing) and Plane Orientation (the row and column directions).
std::unique_ptr<FGPixelMeasures> pixel_measures(const Geometry& grid, const std::string& where);
std::unique_ptr<FGPlaneOrientationPatient> plane_orientation(const Geometry& grid,
                                                             const std::string& where);

// Per-frame Plane Position of plane k of `grid` (the world position of voxel (0, 0, k)).
std::unique_ptr<FGPlanePosPatient> plane_position(const Geometry& grid, int64_t k,
                                                  const std::string& where);

// The source instance of plane k (with its frame number for a multi-frame source), for a
// per-frame Derivation Image. Throws UnsupportedDataError when the frame number exceeds 65535.
ImageSOPInstanceReferenceMacro source_plane_reference(const SeriesReference& source, int64_t k,
                                                      const std::string& where);

// Common Instance Reference: every source instance of the series, once.
void add_source_references(const SeriesReference& source, IODCommonInstanceReferenceModule& module);

// Throws InvalidInputError naming `where` when `source` lacks a UID a derived object must
// reference (study, series, SOP class, frame of reference) or a plane's SOP Instance UID, or when
// its plane list does not match its grid; `object` names the derived object ("a SEG").
void check_source_reference(const SeriesReference& source, const std::string& where,
                            const std::string& object);

// Saves `file` as Explicit VR Little Endian under a temporary name next to `path`, then renames.
// Throws InvalidInputError naming `where` when the file cannot be written.
void save_derived_object(DcmFileFormat& file, const std::filesystem::path& path,
                         const std::string& where);

}  // namespace oncotrace::dicom

#endif  // ONCOTRACE_DICOM_DERIVED_OBJECT_H_
