// `oncotrace info PATH [--json]`: one row per series found below PATH.
#include <spdlog/spdlog.h>

#include <cstdio>
#include <nlohmann/json.hpp>
#include <string>

#include "cli_common.h"
#include "commands.h"
#include "oncotrace/datetime.h"
#include "oncotrace/dicom.h"
#include "oncotrace/error.h"
#include "oncotrace/nifti.h"
#include "oncotrace/nuclide.h"
#include "oncotrace/suv.h"

namespace oncotrace::cli {
namespace {

bool has_pixel_data_modality(const std::string& modality) {
  return modality != "RTSTRUCT" && modality != "SEG" && modality != "SR" && modality != "PR" &&
         modality != "RTPLAN" && modality != "RTDOSE" && modality != "KO" && modality != "REG";
}

std::string tracer_name(const SeriesHeader& header) {
  const auto& info = header.radiopharmaceutical;
  if (info.radiopharmaceutical.has_value() && !info.radiopharmaceutical.value->empty()) {
    return *info.radiopharmaceutical;
  }
  if (info.radiopharmaceutical_meaning.has_value()) return *info.radiopharmaceutical_meaning;
  return "";
}

std::string nuclide_symbol(const SeriesHeader& header) {
  const auto& info = header.radiopharmaceutical;
  const NuclideIdentification identification = identify_nuclide(
      info.radionuclide_code.value.value_or(""), info.radionuclide_scheme.value.value_or(""),
      info.radionuclide_meaning.value.value_or(""), info.radiopharmaceutical.value.value_or(""),
      info.half_life_s.value);
  return identification.nuclide != nullptr ? identification.nuclide->symbol : "";
}

nlohmann::ordered_json describe_series(const DiscoveredSeries& discovered,
                                       const ImageSeries* loaded, const std::string& load_error) {
  const SeriesHeader& header = loaded != nullptr ? loaded->header : discovered.header;
  nlohmann::ordered_json row;
  row["study_instance_uid"] = header.study_instance_uid;
  row["series_instance_uid"] = header.series_instance_uid;
  row["series_number"] = header.series_number;
  row["modality"] = header.modality;
  row["description"] = header.series_description;
  row["files"] = discovered.files.size();
  row["tracer"] = tracer_name(header);
  row["nuclide"] = nuclide_symbol(header);
  row["units"] = header.units.value.value_or("");
  if (loaded != nullptr && !loaded->frames.empty()) {
    const Geometry& grid = loaded->frames.front().image.geometry;
    row["size"] = {grid.size[0], grid.size[1], grid.size[2]};
    row["spacing_mm"] = {grid.spacing_mm[0], grid.spacing_mm[1], grid.spacing_mm[2]};
    row["frames"] = loaded->frames.size();
  }
  // Informative; SUV uses the audited reference time of the suv module.
  if (const auto seconds = seconds_from_administration_to_series_time(header)) {
    row["hours_from_injection"] = *seconds / 3600.0;
  }
  if (!load_error.empty()) {
    row["suv_available"] = false;
    row["suv_unavailable_reason"] = load_error;
  } else if (loaded != nullptr && (header.modality == "PT" || header.modality == "NM")) {
    const std::string reason = suv_unavailable_reason(header, loaded->frames.front(), SuvOptions{});
    row["suv_available"] = reason.empty();
    if (!reason.empty()) row["suv_unavailable_reason"] = reason;
  } else {
    row["suv_available"] = false;
    row["suv_unavailable_reason"] = "not an emission image (" + header.modality + ")";
  }
  return row;
}

std::string cell(const nlohmann::ordered_json& row, const char* key) {
  if (!row.contains(key)) return "-";
  const auto& value = row[key];
  if (value.is_string()) return value.get<std::string>().empty() ? "-" : value.get<std::string>();
  if (value.is_array()) {
    std::string text;
    for (const auto& element : value) {
      if (!text.empty()) text += "x";
      text += element.is_number_float() ? format_number(element.get<double>(), 4) : element.dump();
    }
    return text;
  }
  if (value.is_number_float()) return format_number(value.get<double>(), 4);
  return value.dump();
}

void print_table(const nlohmann::ordered_json& rows, const DiscoveryResult& discovery) {
  std::printf("%-64s %-4s %-12s %-7s %-6s %-13s %-22s %-6s %-8s %s\n", "series_instance_uid", "mod",
              "tracer", "nuclide", "units", "size", "spacing_mm", "frames", "h_p.i.", "suv");
  for (const auto& row : rows) {
    const std::string suv = row["suv_available"].get<bool>()
                                ? std::string("yes")
                                : "no: " + row["suv_unavailable_reason"].get<std::string>();
    std::printf("%-64s %-4s %-12s %-7s %-6s %-13s %-22s %-6s %-8s %s\n",
                cell(row, "series_instance_uid").c_str(), cell(row, "modality").c_str(),
                cell(row, "tracer").substr(0, 12).c_str(), cell(row, "nuclide").c_str(),
                cell(row, "units").c_str(), cell(row, "size").c_str(),
                cell(row, "spacing_mm").c_str(), cell(row, "frames").c_str(),
                cell(row, "hours_from_injection").c_str(), suv.c_str());
  }
  std::printf("%zu series, %zu DICOM files, %zu non-DICOM files ignored, %zu unreadable\n",
              rows.size(), discovery.dicom_files, discovery.non_dicom_files,
              discovery.unreadable.size());
  for (const auto& problem : discovery.unreadable) std::printf("unreadable: %s\n", problem.c_str());
}

}  // namespace

CommandRunner register_info_command(CLI::App& app, const std::vector<std::string>& arguments) {
  CLI::App* command = app.add_subcommand(
      "info",
      "List the series below PATH: modality, tracer, nuclide, units, geometry, timing, "
      "and whether SUV can be computed (and if not, why)");
  struct Flags {
    std::string path;
    bool json = false;
  };
  auto flags = std::make_shared<Flags>();
  command->add_option("PATH", flags->path, "DICOM folder or file, or NIfTI image")->required();
  command->add_flag("--json", flags->json, "Print JSON instead of a table");
  (void)arguments;
  return [flags]() {
    nlohmann::ordered_json rows = nlohmann::ordered_json::array();
    if (is_nifti_path(flags->path)) {
      const ImageSeries series = read_nifti_series(flags->path);
      DiscoveredSeries discovered;
      discovered.header = series.header;
      discovered.files.emplace_back(flags->path);
      rows.push_back(describe_series(discovered, &series, ""));
      if (flags->json) {
        std::printf("%s\n", rows.dump(2).c_str());
      } else {
        print_table(rows, DiscoveryResult{});
      }
      return 0;
    }
    const DiscoveryResult discovery = discover_dicom(flags->path);
    for (const DiscoveredSeries& discovered : discovery.series) {
      if (!has_pixel_data_modality(discovered.header.modality)) {
        rows.push_back(describe_series(discovered, nullptr, ""));
        continue;
      }
      try {
        const ImageSeries loaded = load_series(discovered);
        rows.push_back(describe_series(discovered, &loaded, ""));
      } catch (const Error& error) {
        spdlog::warn("series {}: {}", discovered.header.series_instance_uid, error.what());
        rows.push_back(describe_series(discovered, nullptr, error.what()));
      }
    }
    if (flags->json) {
      nlohmann::ordered_json document;
      document["path"] = flags->path;
      document["dicom_files"] = discovery.dicom_files;
      document["non_dicom_files"] = discovery.non_dicom_files;
      document["unreadable"] = discovery.unreadable;
      document["series"] = rows;
      std::printf("%s\n", document.dump(2).c_str());
    } else {
      print_table(rows, discovery);
    }
    if (discovery.series.empty()) {
      throw InvalidInputError(flags->path + ": no DICOM series found (" +
                              std::to_string(discovery.non_dicom_files) +
                              " non-DICOM files ignored)");
    }
    return 0;
  };
}

}  // namespace oncotrace::cli
