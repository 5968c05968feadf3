#include "dicom/derived_object.h"

#include <dcmtk/config/osconfig.h>
#include <dcmtk/dcmdata/dcdeftag.h>
#include <dcmtk/dcmdata/dcfilefo.h>

#include <memory>

#include "dicom/dicom_file.h"
#include "oncotrace/error.h"

namespace oncotrace::dicom {

void copy_patient_and_study(const std::filesystem::path& source_file, DcmItem& dataset,
                            const std::string& where) {
  const std::unique_ptr<DcmFileFormat> source_instance = open_dicom_file(source_file);
  DcmDataset& source_dataset = *source_instance->getDataset();
  for (const DcmTagKey& tag :
       {DCM_PatientName, DCM_PatientID, DCM_IssuerOfPatientID, DCM_PatientBirthDate, DCM_PatientSex,
        DCM_PatientIdentityRemoved, DCM_DeidentificationMethod, DCM_StudyID, DCM_AccessionNumber,
        DCM_ReferringPhysicianName, DCM_StudyDescription, DCM_StudyDate, DCM_StudyTime}) {
    DcmElement* element = nullptr;
    if (source_dataset.findAndGetElement(tag, element).good() && element != nullptr) {
      const OFCondition status = dataset.insert(static_cast<DcmElement*>(element->clone()), OFTrue);
      if (status.bad()) {
        throw InternalError(where + ": copy " + std::string(DcmTag(tag).getTagName()) + ": " +
                            status.text());
      }
    } else if (tag == DCM_PatientIdentityRemoved || tag == DCM_DeidentificationMethod) {
      dataset.findAndDeleteElement(tag);
    }
  }
}

}  // namespace oncotrace::dicom
