// The version of oncotrace, recorded in every output's provenance.
#ifndef ONCOTRACE_VERSION_H_
#define ONCOTRACE_VERSION_H_

#include <string>

namespace oncotrace {

// "0.1.0" (semantic version of the project, from CMakeLists.txt).
std::string version_string();

}  // namespace oncotrace

#endif  // ONCOTRACE_VERSION_H_
