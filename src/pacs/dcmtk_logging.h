// DCMTK's network log (dcmtk.dcmnet: one INFO line per association and C-STORE) follows
// oncotrace's verbosity: warnings and errors by default, DCMTK's INFO lines with -v / -vv.
#ifndef ONCOTRACE_PACS_DCMTK_LOGGING_H_
#define ONCOTRACE_PACS_DCMTK_LOGGING_H_

namespace oncotrace::pacs {

// Sets the level of DCMTK's "dcmtk.dcmnet" logger from spdlog's current level.
void match_dcmtk_network_log_level();

}  // namespace oncotrace::pacs

#endif  // ONCOTRACE_PACS_DCMTK_LOGGING_H_
