#include "radiomics/roi_grid.h"

namespace oncotrace::radiomics::detail {

const std::vector<Displacement>& unique_directions_2d() {
  static const std::vector<Displacement> kDirections{{1, 0, 0}, {1, 1, 0}, {0, 1, 0}, {-1, 1, 0}};
  return kDirections;
}

const std::vector<Displacement>& unique_directions_3d() {
  static const std::vector<Displacement> kDirections{
      {0, 0, 1}, {0, 1, 0},  {1, 0, 0}, {0, 1, 1},  {0, 1, -1}, {1, 0, 1},  {1, 0, -1},
      {1, 1, 0}, {1, -1, 0}, {1, 1, 1}, {1, 1, -1}, {1, -1, 1}, {1, -1, -1}};
  return kDirections;
}

namespace {

std::vector<Displacement> make_chebyshev_neighbours(bool in_slice) {
  std::vector<Displacement> neighbours;
  const int dk_limit = in_slice ? 0 : 1;
  for (int dk = -dk_limit; dk <= dk_limit; ++dk) {
    for (int dj = -1; dj <= 1; ++dj) {
      for (int di = -1; di <= 1; ++di) {
        if (di != 0 || dj != 0 || dk != 0) neighbours.push_back({di, dj, dk});
      }
    }
  }
  return neighbours;
}

}  // namespace

const std::vector<Displacement>& chebyshev_neighbours(bool in_slice) {
  static const std::vector<Displacement> kNeighbours2d = make_chebyshev_neighbours(true);
  static const std::vector<Displacement> kNeighbours3d = make_chebyshev_neighbours(false);
  return in_slice ? kNeighbours2d : kNeighbours3d;
}

const std::vector<Displacement>& face_neighbours(bool in_slice) {
  static const std::vector<Displacement> kNeighbours2d{
      {-1, 0, 0}, {1, 0, 0}, {0, -1, 0}, {0, 1, 0}};
  static const std::vector<Displacement> kNeighbours3d{{-1, 0, 0}, {1, 0, 0},  {0, -1, 0},
                                                       {0, 1, 0},  {0, 0, -1}, {0, 0, 1}};
  return in_slice ? kNeighbours2d : kNeighbours3d;
}

}  // namespace oncotrace::radiomics::detail
