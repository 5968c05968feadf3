// load_series(): the three passes that turn the files of one discovered series into frames.
//
//   1. headers: every file is parsed (deferred loading, in parallel) into an InstanceHeader;
//   2. plan: series-level values are checked for agreement, then planes are grouped, sorted and
//      checked (series_assembly.h);
//   3. pixels: every file's PixelData is loaded (decoded if compressed) and each plane is
//      rescaled straight into its slot of its frame's volume (in parallel over files, and over
//      the frames of a multi-frame file).
// Each pass writes only to slots indexed by file or plane, so the result does not depend on the
// number of threads; errors are reported for the first failing file in path order.
#ifndef ONCOTRACE_DICOM_SERIES_LOADER_H_
#define ONCOTRACE_DICOM_SERIES_LOADER_H_

#include <vector>

#include "dicom/dicom_header.h"

namespace oncotrace::dicom {

// Series-level values that every instance must state identically (pet-quantification.md §5 and
// §2): PatientWeight, RadionuclideTotalDose, RadiopharmaceuticalStartTime/DateTime, Units,
// DecayCorrection, RadionuclideHalfLife. Throws InvalidInputError naming the attribute, the two
// files and their values.
void check_series_agreement(const std::vector<InstanceHeader>& instances);

}  // namespace oncotrace::dicom

#endif  // ONCOTRACE_DICOM_SERIES_LOADER_H_
