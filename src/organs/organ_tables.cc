// Canonical organs, the label tables of data/organs/*.json, and the import of tool label maps
// onto the PET grid (include/oncotrace/organs.h states the rules).
#include <algorithm>
#include <array>
#include <cmath>
#include <cstdlib>
#include <fstream>
#include <nlohmann/json.hpp>
#include <set>
#include <sstream>

#include <tbb/blocked_range.h>
#include <tbb/parallel_for.h>

#include "oncotrace/error.h"
#include "oncotrace/nifti.h"
#include "oncotrace/organs.h"
#include "oncotrace/source_dir.h"
#include "organs/morphology.h"

namespace oncotrace {
namespace {

using nlohmann::json;

constexpr std::array<const char*, 2> kTableFiles{"totalsegmentator.json", "moose.json"};

std::string read_text(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    throw InvalidInputError("cannot read the organ label table " + path.string() +
                            "; set ONCOTRACE_DATA_DIR to the folder that holds organs/");
  }
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

OrganLabelTable parse_table(const json& node, const std::string& file) {
  OrganLabelTable table;
  auto text = [&](const char* key) {
    if (!node.contains(key) || !node[key].is_string()) {
      throw InvalidInputError(file + ": a table lacks the text field \"" + key + "\"");
    }
    return node[key].get<std::string>();
  };
  table.name = text("table");
  table.tool = text("tool");
  table.task = text("task");
  table.tool_version = text("tool_version");
  table.source = text("source");
  if (!node.contains("labels") || !node["labels"].is_array()) {
    throw InvalidInputError(file + ": table " + table.name + " has no \"labels\" array");
  }
  std::set<int> seen;
  for (const json& entry : node["labels"]) {
    if (!entry.contains("value") || !entry["value"].is_number_integer() ||
        !entry.contains("name") || !entry["name"].is_string() || !entry.contains("organ") ||
        !entry["organ"].is_string()) {
      throw InvalidInputError(file + ": table " + table.name +
                              ": every label needs an integer \"value\" and text \"name\" and "
                              "\"organ\": " +
                              entry.dump());
    }
    const int value = entry["value"].get<int>();
    if (value < 1 || value > 65535 || !seen.insert(value).second) {
      throw InvalidInputError(file + ": table " + table.name + ": label value " +
                              std::to_string(value) + " is out of 1..65535 or repeated");
    }
    OrganLabelEntry label;
    label.value = static_cast<uint16_t>(value);
    label.name = entry["name"].get<std::string>();
    label.organ = entry["organ"].get<std::string>();
    if (!canonical_organ_label(label.organ)) {
      throw InvalidInputError(file + ": table " + table.name + ": label " + label.name +
                              " maps to \"" + label.organ + "\", which is not a canonical organ");
    }
    table.labels.push_back(label);
  }
  return table;
}

std::vector<uint16_t> lookup_of(const OrganLabelTable& table) {
  std::vector<uint16_t> lookup(65536, 0);
  for (const OrganLabelEntry& entry : table.labels) {
    lookup[entry.value] = *canonical_organ_label(entry.organ);
  }
  return lookup;
}

}  // namespace

const std::vector<CanonicalOrgan>& canonical_organs() {
  static const std::vector<CanonicalOrgan> kOrgans{
      {1, "liver"},     {2, "spleen"},         {3, "kidney"},       {4, "bladder"},
      {5, "brain"},     {6, "heart"},          {7, "aorta"},        {8, "lung"},
      {9, "bone"},      {10, "muscle"},        {11, "gallbladder"}, {12, "stomach"},
      {13, "pancreas"}, {14, "adrenal_gland"}, {15, "esophagus"},   {16, "trachea"},
      {17, "thyroid"},  {18, "bowel"},         {19, "prostate"},    {20, "vein"},
      {21, "artery"},   {22, "spinal_cord"},
  };
  return kOrgans;
}

std::optional<uint16_t> canonical_organ_label(const std::string& name) {
  for (const CanonicalOrgan& organ : canonical_organs()) {
    if (name == organ.name) return organ.label;
  }
  return std::nullopt;
}

std::string canonical_organ_name(uint16_t label) {
  for (const CanonicalOrgan& organ : canonical_organs()) {
    if (organ.label == label) return organ.name;
  }
  return "unknown";
}

std::map<uint16_t, std::string> canonical_organ_names() {
  std::map<uint16_t, std::string> names;
  for (const CanonicalOrgan& organ : canonical_organs()) names[organ.label] = organ.name;
  return names;
}

uint16_t OrganLabelTable::canonical_label(uint16_t value) const {
  for (const OrganLabelEntry& entry : labels) {
    if (entry.value == value) return *canonical_organ_label(entry.organ);
  }
  return 0;
}

std::filesystem::path default_organ_table_dir() {
  if (const char* dir = std::getenv("ONCOTRACE_DATA_DIR"); dir != nullptr && *dir != '\0') {
    return std::filesystem::path(dir) / "organs";
  }
  return std::filesystem::path(ONCOTRACE_SOURCE_DIR) / "data" / "organs";
}

std::vector<OrganLabelTable> load_organ_label_tables(const std::filesystem::path& dir) {
  std::vector<OrganLabelTable> tables;
  for (const char* name : kTableFiles) {
    const std::filesystem::path path = dir / name;
    json document;
    try {
      document = json::parse(read_text(path));
    } catch (const json::exception& e) {
      throw InvalidInputError("organ label table " + path.string() +
                              " is not valid JSON: " + e.what());
    }
    if (!document.contains("tables") || !document["tables"].is_array()) {
      throw InvalidInputError("organ label table " + path.string() + " has no \"tables\" array");
    }
    for (const json& node : document["tables"]) tables.push_back(parse_table(node, path.string()));
  }
  return tables;
}

OrganLabelTable organ_label_table(const std::string& name, const std::filesystem::path& dir) {
  std::string known;
  for (OrganLabelTable& table : load_organ_label_tables(dir)) {
    if (table.name == name) return table;
    known += (known.empty() ? "" : ", ") + table.name;
  }
  throw InvalidInputError("unknown organ label table \"" + name + "\"; known: " + known +
                          ", or \"auto\"");
}

std::string detect_organ_table(const LabelMap& tool_labels, const std::filesystem::path& dir) {
  std::vector<size_t> counts(65536, 0);
  for (const uint16_t value : tool_labels.values) ++counts[value];
  uint16_t max_label = 0;
  for (size_t v = 1; v < counts.size(); ++v) {
    if (counts[v] > 0) max_label = static_cast<uint16_t>(v);
  }
  if (max_label == 0) {
    throw InvalidInputError("organ label map has no non-zero label; cannot detect its table");
  }
  const OrganLabelTable moose = organ_label_table("moose", dir);
  if (max_label > moose.labels.size()) return "totalsegmentator";
  // Otherwise: the table whose liver label is the largest non-lung label present.
  const uint16_t liver = *canonical_organ_label("liver");
  std::string decided;
  int deciding_tables = 0;
  for (const char* name : {"totalsegmentator", "moose"}) {
    const OrganLabelTable table = organ_label_table(name, dir);
    uint16_t largest = 0;
    size_t largest_count = 0;
    for (const OrganLabelEntry& entry : table.labels) {
      if (entry.organ == "lung" || counts[entry.value] <= largest_count) continue;
      largest = entry.value;
      largest_count = counts[entry.value];
    }
    if (largest != 0 && table.canonical_label(largest) == liver) {
      decided = name;
      ++deciding_tables;
    }
  }
  if (deciding_tables != 1) {
    throw InvalidInputError(
        "cannot tell from its labels whether the organ label map is TotalSegmentator or MOOSE "
        "(all labels <= 19 and the liver rule does not decide); name the table");
  }
  return decided;
}

LabelMap nearest_neighbour_labels(const LabelMap& labels, const Geometry& grid) {
  if (labels.geometry.same_grid_as(grid)) return labels;
  LabelMap out(grid, 0);
  const organs_internal::VoxelPositions positions(grid);
  size_t inside = 0;
  for (int64_t k = 0; k < grid.size[2]; ++k) {
    for (int64_t j = 0; j < grid.size[1]; ++j) {
      for (int64_t i = 0; i < grid.size[0]; ++i) {
        const Index3 source = labels.geometry.world_to_nearest_index(positions.at(i, j, k));
        if (!labels.geometry.contains(source)) continue;
        const uint16_t value = labels.at(source[0], source[1], source[2]);
        out.at(i, j, k) = value;
        inside += value != 0;
      }
    }
  }
  if (inside == 0) {
    throw InvalidInputError("the label map (" + labels.geometry.describe() +
                            ") does not overlap the PET grid (" + grid.describe() +
                            "): no labelled voxel lies at a PET voxel centre; check that both "
                            "come from the same study and frame of reference");
  }
  return out;
}

namespace {

// True when the direction matrix has exact zeros off the diagonal.
bool diagonal_direction(const Geometry& grid) {
  for (size_t row = 0; row < 3; ++row) {
    for (size_t column = 0; column < 3; ++column) {
      if (row != column && grid.direction[3 * row + column] != 0.0) {
        return false;
      }
    }
  }
  return true;
}

// Throws when no voxel of `grid` took a value from the image (per-slice counts).
void require_overlap(const std::vector<size_t>& inside_per_slice, const Geometry& image_grid,
                     const Geometry& grid) {
  size_t inside = 0;
  for (const size_t count : inside_per_slice) inside += count;
  if (inside == 0) {
    throw InvalidInputError("the image (" + image_grid.describe() +
                            ") does not overlap the PET grid (" + grid.describe() + ")");
  }
}

}  // namespace

ImageVolume nearest_neighbour_image(const ImageVolume& image, const Geometry& grid,
                                    float outside_value) {
  if (image.geometry.same_grid_as(grid)) return image;
  ImageVolume out(grid, outside_value);
  const organs_internal::VoxelPositions positions(grid);
  if (diagonal_direction(grid) && diagonal_direction(image.geometry)) {
    // Axis-aligned grids: the world coordinate along an axis depends on that axis's index only,
    // and so does the source index (the zero direction cosines add exact zeros), so one lookup
    // per axis gives bit for bit the per-voxel world_to_nearest_index below.
    std::array<std::vector<int64_t>, 3> source;
    for (int axis = 0; axis < 3; ++axis) {
      for (int64_t n = 0; n < grid.size[axis]; ++n) {
        Index3 index{0, 0, 0};
        index[axis] = n;
        const int64_t s =
            image.geometry.world_to_nearest_index(positions.at(index[0], index[1], index[2]))[axis];
        source[static_cast<size_t>(axis)].push_back(s >= 0 && s < image.geometry.size[axis] ? s
                                                                                            : -1);
      }
    }
    std::vector<size_t> inside_per_slice(static_cast<size_t>(grid.size[2]), 0);
    tbb::parallel_for(tbb::blocked_range<int64_t>(0, grid.size[2]),
                      [&](const tbb::blocked_range<int64_t>& range) {
                        for (int64_t k = range.begin(); k < range.end(); ++k) {
                          const int64_t sk = source[2][static_cast<size_t>(k)];
                          if (sk < 0) continue;
                          for (int64_t j = 0; j < grid.size[1]; ++j) {
                            const int64_t sj = source[1][static_cast<size_t>(j)];
                            if (sj < 0) continue;
                            for (int64_t i = 0; i < grid.size[0]; ++i) {
                              const int64_t si = source[0][static_cast<size_t>(i)];
                              if (si < 0) continue;
                              out.at(i, j, k) = image.at(si, sj, sk);
                              ++inside_per_slice[static_cast<size_t>(k)];
                            }
                          }
                        }
                      });
    require_overlap(inside_per_slice, image.geometry, grid);
    return out;
  }
  // Slices in parallel (TBB); each writes only its own voxels and count.
  std::vector<size_t> inside_per_slice(static_cast<size_t>(grid.size[2]), 0);
  tbb::parallel_for(
      tbb::blocked_range<int64_t>(0, grid.size[2]), [&](const tbb::blocked_range<int64_t>& range) {
        for (int64_t k = range.begin(); k < range.end(); ++k) {
          for (int64_t j = 0; j < grid.size[1]; ++j) {
            for (int64_t i = 0; i < grid.size[0]; ++i) {
              const Index3 source = image.geometry.world_to_nearest_index(positions.at(i, j, k));
              if (!image.geometry.contains(source)) continue;
              out.at(i, j, k) = image.at(source[0], source[1], source[2]);
              ++inside_per_slice[static_cast<size_t>(k)];
            }
          }
        }
      });
  require_overlap(inside_per_slice, image.geometry, grid);
  return out;
}

OrganSegmentation organ_segmentation_from_labels(const LabelMap& tool_labels,
                                                 const std::string& table_name,
                                                 const Geometry& pet_grid,
                                                 const OrganImportOptions& options) {
  if (!options.label_map_frame_of_reference_uid.empty() &&
      !options.pet_frame_of_reference_uid.empty() &&
      options.label_map_frame_of_reference_uid != options.pet_frame_of_reference_uid) {
    throw InvalidInputError("the organ label map is on frame of reference " +
                            options.label_map_frame_of_reference_uid + ", the PET on " +
                            options.pet_frame_of_reference_uid +
                            "; register the label map to the PET first");
  }
  if (std::none_of(tool_labels.values.begin(), tool_labels.values.end(),
                   [](uint16_t value) { return value != 0; })) {
    throw InvalidInputError("the organ label map (" + tool_labels.geometry.describe() +
                            ") has no labelled voxel");
  }
  const std::string name =
      table_name == "auto" ? detect_organ_table(tool_labels, options.table_dir) : table_name;
  const OrganLabelTable table = organ_label_table(name, options.table_dir);
  const std::vector<uint16_t> lookup = lookup_of(table);

  OrganSegmentation result;
  result.source = table.name;
  // Labels that the table does not know.
  std::set<uint16_t> unknown;
  size_t labelled = 0;
  for (const uint16_t value : tool_labels.values) {
    if (value == 0) continue;
    ++labelled;
    if (lookup[value] == 0) unknown.insert(value);
  }
  if (!unknown.empty()) {
    std::string list;
    for (const uint16_t value : unknown) list += (list.empty() ? "" : ", ") + std::to_string(value);
    result.warnings.push_back("labels not in table " + table.name + " were dropped: " + list);
  }
  const LabelMap on_pet = nearest_neighbour_labels(tool_labels, pet_grid);
  // Fraction of the label map's labelled voxels inside the PET field of view.
  size_t inside = 0;
  {
    const organs_internal::VoxelPositions positions(tool_labels.geometry);
    for (size_t v = 0; v < tool_labels.size(); ++v) {
      if (tool_labels.values[v] == 0) continue;
      const Vec3 index = pet_grid.world_to_index(positions.at_offset(v));
      bool in = true;
      for (int a = 0; a < 3; ++a) {
        in = in && index[a] >= -0.5 && index[a] <= static_cast<double>(pet_grid.size[a]) - 0.5;
      }
      inside += in;
    }
  }
  const double fraction = static_cast<double>(inside) / static_cast<double>(labelled);
  if (fraction < options.min_overlap_fraction_for_no_warning) {
    result.warnings.push_back("only " + std::to_string(std::lround(fraction * 100.0)) +
                              " % of the labelled voxels of the organ label map lie in the PET "
                              "field of view");
  }
  result.labels = LabelMap(pet_grid, 0);
  for (size_t v = 0; v < on_pet.size(); ++v) result.labels.values[v] = lookup[on_pet.values[v]];
  // Provenance per canonical organ: the tool labels that make it.
  std::map<std::string, std::string> contributing;
  for (const OrganLabelEntry& entry : table.labels) {
    std::string& list = contributing[entry.organ];
    list += (list.empty() ? "" : ", ") + entry.name + " (" + std::to_string(entry.value) + ")";
  }
  std::vector<size_t> counts(canonical_organs().size() + 1, 0);
  for (const uint16_t value : result.labels.values) {
    if (value < counts.size()) ++counts[value];
  }
  for (const CanonicalOrgan& organ : canonical_organs()) {
    if (counts[organ.label] == 0) continue;
    OrganProvenance provenance;
    provenance.method = "label map " + table.name + " (" + table.tool + " " + table.task +
                        "): " + contributing[organ.name] +
                        "; nearest-neighbour resampling at PET voxel centres";
    provenance.voxel_count = counts[organ.label];
    provenance.volume_ml = static_cast<double>(counts[organ.label]) * pet_grid.voxel_volume_ml();
    result.organs[organ.name] = provenance;
  }
  return result;
}

OrganSegmentation import_organ_labels(const std::filesystem::path& label_map_path,
                                      const std::string& table, const Geometry& pet_grid,
                                      const OrganImportOptions& options) {
  const LabelMap labels = read_nifti_labels(label_map_path);
  try {
    return organ_segmentation_from_labels(labels, table, pet_grid, options);
  } catch (const InvalidInputError& e) {
    throw InvalidInputError(label_map_path.string() + ": " + e.what());
  }
}

bool OrganSegmentation::has(const std::string& organ) const {
  return organs.find(organ) != organs.end();
}

Mask OrganSegmentation::mask_of(const std::string& organ) const {
  Mask mask(labels.geometry, 0);
  const std::optional<uint16_t> label = canonical_organ_label(organ);
  if (!label) throw InvalidInputError("\"" + organ + "\" is not a canonical organ name");
  for (size_t v = 0; v < labels.size(); ++v) mask.values[v] = labels.values[v] == *label;
  return mask;
}

}  // namespace oncotrace
