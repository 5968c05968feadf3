// Shared by the writers of derived DICOM objects (SEG, SR, Parametric Map): the composite
// context copied from the source series (interoperability.md §1.0 rule 1).
#ifndef ONCOTRACE_DICOM_DERIVED_OBJECT_H_
#define ONCOTRACE_DICOM_DERIVED_OBJECT_H_

#include <filesystem>
#include <string>

class DcmItem;

namespace oncotrace::dicom {

// Copies the Patient and General Study attributes (Patient Name, ID, Issuer, Birth Date, Sex,
// Patient Identity Removed, De-identification Method, Study ID, Accession Number, Referring
// Physician, Study Description, Study Date and Time) verbatim from `source_file` into `dataset`;
// attributes the source lacks are removed from `dataset` when they are optional ones DCMTK may
// have filled (Patient Identity Removed, De-identification Method), so that dcentvfy finds the
// patient and study entities identical across the source and every derived object. Throws
// InvalidInputError naming `where` when the source cannot be read.
void copy_patient_and_study(const std::filesystem::path& source_file, DcmItem& dataset,
                            const std::string& where);

}  // namespace oncotrace::dicom

#endif  // ONCOTRACE_DICOM_DERIVED_OBJECT_H_
