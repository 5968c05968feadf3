#include "dicom/codecs.h"

#include <dcmtk/config/osconfig.h>
#include <dcmtk/dcmdata/dccodec.h>
#include <gtest/gtest.h>

#include <thread>
#include <vector>

namespace oncotrace::dicom {
namespace {

// After initialisation DCMTK can decode every compressed transfer syntax oncotrace promises
// (JPEG baseline/extended/lossless, JPEG-LS, RLE) into Explicit VR Little Endian.
TEST(CodecsTest, DecodersAreRegistered) {
  initialise_dcmtk();
  for (const E_TransferSyntax syntax :
       {EXS_JPEGProcess1, EXS_JPEGProcess2_4, EXS_JPEGProcess14SV1, EXS_JPEGProcess14,
        EXS_JPEGLSLossless, EXS_JPEGLSLossy, EXS_RLELossless}) {
    EXPECT_TRUE(DcmCodecList::canChangeCoding(syntax, EXS_LittleEndianExplicit))
        << DcmXfer(syntax).getXferName();
  }
}

TEST(CodecsTest, ConcurrentInitialisationIsSafe) {
  std::vector<std::thread> threads;
  threads.reserve(4);
  for (int i = 0; i < 4; ++i) threads.emplace_back([] { initialise_dcmtk(); });
  for (auto& thread : threads) thread.join();
  EXPECT_TRUE(DcmCodecList::canChangeCoding(EXS_RLELossless, EXS_LittleEndianExplicit));
}

}  // namespace
}  // namespace oncotrace::dicom
