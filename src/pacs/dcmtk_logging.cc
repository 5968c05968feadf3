#include "pacs/dcmtk_logging.h"

#include <dcmtk/config/osconfig.h>  // before the other DCMTK headers
#include <dcmtk/oflog/oflog.h>
#include <spdlog/spdlog.h>

namespace oncotrace::pacs {

void match_dcmtk_network_log_level() {
  const bool verbose = spdlog::get_level() <= spdlog::level::debug;
  OFLog::getLogger("dcmtk.dcmnet")
      .setLogLevel(verbose ? OFLogger::INFO_LOG_LEVEL : OFLogger::WARN_LOG_LEVEL);
}

}  // namespace oncotrace::pacs
