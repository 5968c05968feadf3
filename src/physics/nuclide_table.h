// Internal: the storage behind oncotrace::nuclide_table() (see nuclide_table.cc for sources).
#ifndef ONCOTRACE_SRC_PHYSICS_NUCLIDE_TABLE_H_
#define ONCOTRACE_SRC_PHYSICS_NUCLIDE_TABLE_H_

#include <vector>

#include "oncotrace/nuclide.h"

namespace oncotrace::physics {

const std::vector<Nuclide>& nuclide_table_storage();

}  // namespace oncotrace::physics

#endif  // ONCOTRACE_SRC_PHYSICS_NUCLIDE_TABLE_H_
