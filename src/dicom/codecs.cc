#include "dicom/codecs.h"

#include <dcmtk/config/osconfig.h>
#include <dcmtk/dcmdata/dcrledrg.h>
#include <dcmtk/dcmjpeg/djdecode.h>
#include <dcmtk/dcmjpls/djdecode.h>
#include <dcmtk/oflog/oflog.h>

namespace oncotrace::dicom {
namespace {

// Returns a value so that it can initialise a function-local static (thread-safe "magic
// static", C++11 [stmt.dcl]/4).
bool register_codecs_and_quiet_logging() {
  DJDecoderRegistration::registerCodecs();
  DJLSDecoderRegistration::registerCodecs();
  DcmRLEDecoderRegistration::registerCodecs();
  // Every parse failure reaches the caller as an exception or an "unreadable" entry that names
  // the file; DCMTK's own warnings on stderr would only repeat them without the file name.
  OFLog::configure(OFLogger::FATAL_LOG_LEVEL);
  return true;
}

}  // namespace

void initialise_dcmtk() {
  static const bool kInitialised = register_codecs_and_quiet_logging();
  (void)kInitialised;
}

}  // namespace oncotrace::dicom
