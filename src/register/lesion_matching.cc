// Lesion matching between studies: minimum-cost assignment under a distance gate.
//
// Written here rather than taken from a library: none of the project's dependencies (Eigen,
// Ceres, TBB, ITK, DCMTK) provides a linear assignment solver, and the only Debian C++ one
// (dlib's max_cost_assignment) works on integer costs and would add a large dependency for one
// function of about fifty lines.
#include <algorithm>
#include <cmath>
#include <limits>

#include "oncotrace/error.h"
#include "oncotrace/register.h"

namespace oncotrace {

std::vector<int64_t> minimum_cost_assignment(const std::vector<double>& costs, size_t rows,
                                             size_t columns) {
  if (costs.size() != rows * columns) {
    throw InternalError("minimum_cost_assignment: cost matrix has " + std::to_string(costs.size()) +
                        " entries, expected " + std::to_string(rows * columns));
  }
  std::vector<int64_t> assignment(rows, -1);
  if (rows == 0 || columns == 0) return assignment;
  // Square problem of size n padded with zero-cost dummy rows/columns; the shortest augmenting
  // path form of the Hungarian algorithm with potentials u (rows) and v (columns), 1-based.
  const size_t n = std::max(rows, columns);
  auto cost = [&](size_t row, size_t column) -> double {  // 1-based
    if (row > rows || column > columns) return 0.0;
    return costs[(row - 1) * columns + (column - 1)];
  };
  const double infinity = std::numeric_limits<double>::infinity();
  std::vector<double> u(n + 1, 0.0), v(n + 1, 0.0);
  std::vector<size_t> row_of_column(n + 1, 0), way(n + 1, 0);
  for (size_t row = 1; row <= n; ++row) {
    row_of_column[0] = row;
    size_t column0 = 0;
    std::vector<double> min_slack(n + 1, infinity);
    std::vector<bool> used(n + 1, false);
    do {
      used[column0] = true;
      const size_t row0 = row_of_column[column0];
      double delta = infinity;
      size_t column1 = 0;
      for (size_t column = 1; column <= n; ++column) {
        if (used[column]) continue;
        const double reduced = cost(row0, column) - u[row0] - v[column];
        if (reduced < min_slack[column]) {
          min_slack[column] = reduced;
          way[column] = column0;
        }
        if (min_slack[column] < delta) {
          delta = min_slack[column];
          column1 = column;
        }
      }
      for (size_t column = 0; column <= n; ++column) {
        if (used[column]) {
          u[row_of_column[column]] += delta;
          v[column] -= delta;
        } else {
          min_slack[column] -= delta;
        }
      }
      column0 = column1;
    } while (row_of_column[column0] != 0);
    do {
      const size_t column1 = way[column0];
      row_of_column[column0] = row_of_column[column1];
      column0 = column1;
    } while (column0 != 0);
  }
  for (size_t column = 1; column <= n; ++column) {
    const size_t row = row_of_column[column];
    if (row >= 1 && row <= rows && column <= columns) {
      assignment[row - 1] = static_cast<int64_t>(column - 1);
    }
  }
  return assignment;
}

LesionMatching match_lesions(const std::vector<Vec3>& first_centroids_mm,
                             const std::vector<Vec3>& second_centroids_mm,
                             const LesionMatchOptions& options) {
  if (!(options.max_centroid_distance_mm > 0.0)) {
    throw InvalidInputError("lesion matching: the distance gate must be > 0 mm (got " +
                            std::to_string(options.max_centroid_distance_mm) + ")");
  }
  const size_t rows = first_centroids_mm.size();
  const size_t columns = second_centroids_mm.size();
  // Pairs beyond the gate get a cost larger than any sum of admissible pairs, so the optimum
  // never trades an admissible pair for a forbidden one; they are dropped afterwards.
  const double forbidden =
      options.max_centroid_distance_mm * static_cast<double>(std::max(rows, columns) + 1) * 4.0;
  std::vector<double> distances(rows * columns, 0.0);
  std::vector<double> costs(rows * columns, 0.0);
  for (size_t r = 0; r < rows; ++r) {
    for (size_t c = 0; c < columns; ++c) {
      double squared = 0.0;
      for (size_t a = 0; a < 3; ++a) {
        const double d = first_centroids_mm[r][a] - second_centroids_mm[c][a];
        squared += d * d;
      }
      const double distance = std::sqrt(squared);
      distances[r * columns + c] = distance;
      costs[r * columns + c] = distance <= options.max_centroid_distance_mm ? distance : forbidden;
    }
  }
  const std::vector<int64_t> assignment = minimum_cost_assignment(costs, rows, columns);
  LesionMatching out;
  std::vector<bool> second_used(columns, false);
  for (size_t r = 0; r < rows; ++r) {
    const int64_t c = assignment[r];
    if (c >= 0 &&
        distances[r * columns + static_cast<size_t>(c)] <= options.max_centroid_distance_mm) {
      out.pairs.push_back(
          {r, static_cast<size_t>(c), distances[r * columns + static_cast<size_t>(c)]});
      second_used[static_cast<size_t>(c)] = true;
    } else {
      out.unmatched_first.push_back(r);
    }
  }
  for (size_t c = 0; c < columns; ++c) {
    if (!second_used[c]) out.unmatched_second.push_back(c);
  }
  return out;
}

}  // namespace oncotrace
