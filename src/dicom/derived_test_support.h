// Fixtures shared by the tests of the derived-object writers (SEG, SR, Parametric Map): a small
// synthetic PET series loaded through the reader, a two-lesion label map with its segment
// descriptions, and the dciodvfy validator.
#ifndef ONCOTRACE_DICOM_DERIVED_TEST_SUPPORT_H_
#define ONCOTRACE_DICOM_DERIVED_TEST_SUPPORT_H_

#include <array>
#include <filesystem>
#include <string>
#include <vector>

#include "oncotrace/dicom.h"
#include "oncotrace/dicom_seg.h"
#include "testing/test_data.h"

namespace oncotrace::dicom::testing {

// A synthetic PET series of `planes` slices of 5 rows x 7 columns (35 pixels: binary frames do
// not end on a byte boundary), loaded through the reader.
struct SyntheticSeries {
  ::oncotrace::testing::TemporaryDirectory folder;
  ImageSeries series;
  SeriesReference reference;

  explicit SyntheticSeries(int planes = 6, std::array<double, 6> orientation = {1, 0, 0, 0, 1, 0},
                           Vec3 step_mm = {0.0, 0.0, 2.5});
};

// Two lesions with irregular shapes, label 3 on planes 1-2, label 7 on planes 2 and 4 (plane 3
// empty: its frames are omitted and the reader must still place plane 4 correctly).
LabelMap two_lesions(const Geometry& grid);

// Descriptions of labels 3 (a lesion, tracking id "L3") and 7 (a manual liver reference).
std::vector<SegmentDescription> two_segments();

// The "Error" lines dciodvfy prints for `file` (all of its output in `output`); the path of
// dciodvfy is the compile definition ONCOTRACE_DCIODVFY (empty when not installed).
std::vector<std::string> dciodvfy_errors(const std::filesystem::path& file, std::string* output);

}  // namespace oncotrace::dicom::testing

#endif  // ONCOTRACE_DICOM_DERIVED_TEST_SUPPORT_H_
