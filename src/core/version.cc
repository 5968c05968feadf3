#include "oncotrace/version.h"

#include "oncotrace/version_generated.h"

namespace oncotrace {

std::string version_string() { return ONCOTRACE_VERSION_STRING; }

}  // namespace oncotrace
