// Names of the phantom enums and the JSON configuration of a phantom request.
#include <fstream>
#include <nlohmann/json.hpp>
#include <set>
#include <sstream>

#include "oncotrace/error.h"
#include "oncotrace/phantom.h"

namespace oncotrace {
namespace {

using nlohmann::json;

template <typename Enum, size_t N>
std::optional<Enum> parse_name(const std::string& name,
                               const std::array<std::pair<Enum, const char*>, N>& table) {
  for (const auto& [value, text] : table) {
    if (name == text) return value;
  }
  return std::nullopt;
}

template <typename Enum, size_t N>
std::string name_of(Enum value, const std::array<std::pair<Enum, const char*>, N>& table) {
  for (const auto& [candidate, text] : table) {
    if (candidate == value) return text;
  }
  throw InternalError("unnamed phantom enum value");
}

template <typename Enum, size_t N>
std::string choices(const std::array<std::pair<Enum, const char*>, N>& table) {
  std::string text;
  for (const auto& [value, name] : table) text += (text.empty() ? "" : ", ") + std::string(name);
  return text;
}

constexpr std::array<std::pair<PhantomKind, const char*>, 4> kKinds{{
    {PhantomKind::kPatient, "patient"},
    {PhantomKind::kNema, "nema"},
    {PhantomKind::kCylinder, "cylinder"},
    {PhantomKind::kSpect, "spect"},
}};
constexpr std::array<std::pair<PhantomVendorStyle, const char*>, 4> kVendors{{
    {PhantomVendorStyle::kGe, "ge"},
    {PhantomVendorStyle::kSiemens, "siemens"},
    {PhantomVendorStyle::kPhilips, "philips"},
    {PhantomVendorStyle::kGml, "gml"},
}};
constexpr std::array<std::pair<ErStatus, const char*>, 2> kEr{{
    {ErStatus::kPositive, "positive"},
    {ErStatus::kNegative, "negative"},
}};
constexpr std::array<std::pair<Her2Status, const char*>, 3> kHer2{{
    {Her2Status::kZero, "zero"},
    {Her2Status::kLow, "low"},
    {Her2Status::kPositive, "positive"},
}};
constexpr std::array<std::pair<FdgAvidity, const char*>, 3> kAvidity{{
    {FdgAvidity::kHigh, "high"},
    {FdgAvidity::kModerate, "moderate"},
    {FdgAvidity::kLow, "low"},
}};
constexpr std::array<std::pair<LesionShape, const char*>, 3> kShapes{{
    {LesionShape::kSphere, "sphere"},
    {LesionShape::kEllipsoid, "ellipsoid"},
    {LesionShape::kLobulated, "lobulated"},
}};

// Reads one JSON object into a struct; every key must be known, so a misspelt option is an
// error rather than silently ignored.
class ObjectReader {
 public:
  ObjectReader(const json& object, std::string where) : object_(object), where_(std::move(where)) {
    if (!object_.is_object()) fail("must be a JSON object");
  }
  ~ObjectReader() = default;
  ObjectReader(const ObjectReader&) = delete;
  ObjectReader& operator=(const ObjectReader&) = delete;

  bool has(const std::string& key) {
    known_.insert(key);
    return object_.contains(key);
  }
  const json& at(const std::string& key) { return object_.at(key); }
  std::string path(const std::string& key) const { return where_ + "." + key; }

  template <typename T>
  void read(const std::string& key, T* out) {
    if (!has(key)) return;
    try {
      *out = object_.at(key).get<T>();
    } catch (const json::exception&) {
      fail_key(key, "has the wrong type");
    }
  }
  void read_vec3(const std::string& key, Vec3* out) {
    if (!has(key)) return;
    const json& value = object_.at(key);
    if (!value.is_array() || value.size() != 3) fail_key(key, "must be an array of 3 numbers");
    for (int i = 0; i < 3; ++i) (*out)[i] = value.at(static_cast<size_t>(i)).get<double>();
  }
  template <typename Enum, size_t N>
  void read_enum(const std::string& key, const std::array<std::pair<Enum, const char*>, N>& table,
                 Enum* out) {
    if (!has(key)) return;
    const std::string text = object_.at(key).get<std::string>();
    const auto parsed = parse_name(text, table);
    if (!parsed) fail_key(key, "\"" + text + "\" is not one of " + choices(table));
    *out = *parsed;
  }
  void read_datetime(const std::string& key, DateTime* out) {
    if (!has(key)) return;
    const auto parsed = parse_iso8601(object_.at(key).get<std::string>());
    if (!parsed) fail_key(key, "must be an ISO 8601 date-time such as 2024-03-04T08:40:00");
    *out = *parsed;
  }
  // Every key present must have been asked for.
  void finish() const {
    for (const auto& [key, value] : object_.items()) {
      if (known_.count(key) == 0) fail("unknown key \"" + key + "\"");
    }
  }
  [[noreturn]] void fail(const std::string& message) const {
    throw InvalidInputError(where_ + ": " + message +
                            " (see docs/truth-schema.md, section Configuration)");
  }
  [[noreturn]] void fail_key(const std::string& key, const std::string& message) const {
    fail("\"" + key + "\" " + message);
  }

 private:
  const json& object_;
  std::string where_;
  std::set<std::string> known_;
};

void read_grid(const json& value, const std::string& where, PhantomGridOptions* grid) {
  ObjectReader reader(value, where);
  if (reader.has("emission_size")) {
    const json& size = reader.at("emission_size");
    if (!size.is_array() || size.size() != 3) reader.fail_key("emission_size", "needs 3 integers");
    for (int i = 0; i < 3; ++i)
      grid->emission_size[i] = size.at(static_cast<size_t>(i)).get<int64_t>();
  }
  reader.read_vec3("emission_spacing_mm", &grid->emission_spacing_mm);
  reader.read("ct_inplane_factor", &grid->ct_inplane_factor);
  if (reader.has("centre_mm")) {
    Vec3 centre{};
    reader.read_vec3("centre_mm", &centre);
    grid->centre_mm = centre;
  }
  reader.finish();
}

void read_physics(const json& value, const std::string& where, PhantomPhysicsOptions* physics) {
  ObjectReader reader(value, where);
  reader.read("supersampling", &physics->supersampling);
  reader.read("pet_psf_fwhm_mm", &physics->pet_psf_fwhm_mm);
  reader.read("spect_psf_fwhm_mm", &physics->spect_psf_fwhm_mm);
  reader.read("ct_psf_fwhm_mm", &physics->ct_psf_fwhm_mm);
  reader.read("noise", &physics->noise);
  reader.read("pet_counts_per_positron", &physics->pet_counts_per_positron);
  reader.read("spect_counts_per_photon", &physics->spect_counts_per_photon);
  reader.read("ct_noise_sd_hu", &physics->ct_noise_sd_hu);
  reader.finish();
}

LesionChange read_change(const json& value, const std::string& where) {
  ObjectReader reader(value, where);
  LesionChange change;
  reader.read("timepoint", &change.timepoint);
  reader.read("present", &change.present);
  reader.read("volume_scale", &change.volume_scale);
  reader.read("uptake_scale", &change.uptake_scale);
  reader.read("response", &change.response);
  reader.finish();
  if (change.timepoint.empty()) reader.fail("\"timepoint\" is required");
  return change;
}

LesionSpec read_lesion(const json& value, const std::string& where) {
  ObjectReader reader(value, where);
  LesionSpec lesion;
  reader.read("name", &lesion.name);
  reader.read("site", &lesion.site);
  reader.read_vec3("centre_mm", &lesion.centre_mm);
  reader.read_enum("shape", kShapes, &lesion.shape);
  reader.read_vec3("semi_axes_mm", &lesion.semi_axes_mm);
  if (reader.has("diameter_mm")) {
    const double radius = 0.5 * reader.at("diameter_mm").get<double>();
    lesion.semi_axes_mm = {radius, radius, radius};
  }
  reader.read("rotation_z_deg", &lesion.rotation_z_deg);
  reader.read("necrotic_core_fraction", &lesion.necrotic_core_fraction);
  reader.read("necrotic_core_relative_uptake", &lesion.necrotic_core_relative_uptake);
  reader.read_enum("er", kEr, &lesion.er);
  reader.read_enum("her2", kHer2, &lesion.her2);
  reader.read_enum("fdg_avidity", kAvidity, &lesion.fdg_avidity);
  reader.read("uptake_scale_per_tracer", &lesion.uptake_scale_per_tracer);
  reader.read("first_timepoint", &lesion.first_timepoint);
  if (reader.has("changes")) {
    const json& changes = reader.at("changes");
    if (!changes.is_array()) reader.fail_key("changes", "must be an array");
    for (size_t i = 0; i < changes.size(); ++i) {
      lesion.changes.push_back(
          read_change(changes[i], reader.path("changes[" + std::to_string(i) + "]")));
    }
  }
  reader.finish();
  if (lesion.name.empty() || lesion.site.empty()) reader.fail("\"name\" and \"site\" are required");
  for (double axis : lesion.semi_axes_mm) {
    if (axis <= 0.0) reader.fail("semi-axes must be > 0");
  }
  if (lesion.necrotic_core_fraction < 0.0 || lesion.necrotic_core_fraction >= 1.0) {
    reader.fail("necrotic_core_fraction must be in [0, 1)");
  }
  return lesion;
}

StudySpec read_study(const json& value, const std::string& where) {
  ObjectReader reader(value, where);
  StudySpec study;
  reader.read("id", &study.id);
  reader.read("tracer", &study.tracer);
  reader.read("timepoint", &study.timepoint);
  reader.read_datetime("injection", &study.injection);
  reader.read("uptake_time_s", &study.uptake_time_s);
  if (reader.has("uptake_time_min"))
    study.uptake_time_s = 60.0 * reader.at("uptake_time_min").get<double>();
  if (reader.has("uptake_time_h"))
    study.uptake_time_s = 3600.0 * reader.at("uptake_time_h").get<double>();
  reader.read("injected_activity_bq", &study.injected_activity_bq);
  if (reader.has("injected_activity_mbq")) {
    study.injected_activity_bq = 1e6 * reader.at("injected_activity_mbq").get<double>();
  }
  reader.read("scan_duration_s", &study.scan_duration_s);
  reader.read_vec3("rigid_shift_mm", &study.rigid_shift_mm);
  reader.read_enum("vendor", kVendors, &study.vendor);
  reader.finish();
  if (study.id.empty() || study.tracer.empty()) reader.fail("\"id\" and \"tracer\" are required");
  return study;
}

void read_patient(const json& value, const std::string& where, PatientSpec* patient) {
  ObjectReader reader(value, where);
  reader.read("patient_id", &patient->patient_id);
  reader.read("patient_name", &patient->patient_name);
  reader.read_datetime("birth_date", &patient->birth_date);
  reader.read("sex", &patient->sex);
  reader.read("weight_kg", &patient->weight_kg);
  reader.read("height_m", &patient->height_m);
  if (reader.has("lesions")) {
    const json& lesions = reader.at("lesions");
    if (!lesions.is_array()) reader.fail_key("lesions", "must be an array");
    patient->lesions.clear();
    for (size_t i = 0; i < lesions.size(); ++i) {
      patient->lesions.push_back(
          read_lesion(lesions[i], reader.path("lesions[" + std::to_string(i) + "]")));
    }
  }
  if (reader.has("studies")) {
    const json& studies = reader.at("studies");
    if (!studies.is_array()) reader.fail_key("studies", "must be an array");
    patient->studies.clear();
    for (size_t i = 0; i < studies.size(); ++i) {
      patient->studies.push_back(
          read_study(studies[i], reader.path("studies[" + std::to_string(i) + "]")));
    }
  }
  reader.finish();
  if (patient->sex != "M" && patient->sex != "F" && patient->sex != "O") {
    reader.fail("\"sex\" must be M, F or O");
  }
}

void read_nema(const json& value, const std::string& where, NemaOptions* nema) {
  ObjectReader reader(value, where);
  reader.read("sphere_inner_diameters_mm", &nema->sphere_inner_diameters_mm);
  reader.read("sphere_to_background", &nema->sphere_to_background);
  reader.read("background_bq_per_ml", &nema->background_bq_per_ml);
  reader.read("lung_insert", &nema->lung_insert);
  reader.read("scan_duration_s", &nema->scan_duration_s);
  reader.read("tracer", &nema->tracer);
  reader.finish();
}

void read_cylinder(const json& value, const std::string& where, CylinderOptions* cylinder) {
  ObjectReader reader(value, where);
  reader.read("diameter_mm", &cylinder->diameter_mm);
  reader.read("length_mm", &cylinder->length_mm);
  reader.read("activity_bq_per_ml", &cylinder->activity_bq_per_ml);
  reader.read("scan_duration_s", &cylinder->scan_duration_s);
  reader.read("tracer", &cylinder->tracer);
  reader.finish();
}

void read_spect(const json& value, const std::string& where, SpectOptions* spect) {
  ObjectReader reader(value, where);
  reader.read("tracer", &spect->tracer);
  reader.read("scan_times_h", &spect->scan_times_h);
  reader.read("injected_activity_bq", &spect->injected_activity_bq);
  if (reader.has("injected_activity_mbq")) {
    spect->injected_activity_bq = 1e6 * reader.at("injected_activity_mbq").get<double>();
  }
  reader.read("scan_duration_s", &spect->scan_duration_s);
  reader.finish();
}

}  // namespace

std::optional<PhantomKind> parse_phantom_kind(const std::string& name) {
  return parse_name(name, kKinds);
}
std::string phantom_kind_name(PhantomKind kind) { return name_of(kind, kKinds); }
std::optional<PhantomVendorStyle> parse_phantom_vendor(const std::string& name) {
  return parse_name(name, kVendors);
}
std::string phantom_vendor_name(PhantomVendorStyle vendor) { return name_of(vendor, kVendors); }
std::string er_status_name(ErStatus status) { return name_of(status, kEr); }
std::string her2_status_name(Her2Status status) { return name_of(status, kHer2); }
std::string fdg_avidity_name(FdgAvidity avidity) { return name_of(avidity, kAvidity); }
std::string lesion_shape_name(LesionShape shape) { return name_of(shape, kShapes); }

std::optional<PhantomGridOptions> phantom_grid_preset(const std::string& name) {
  PhantomGridOptions grid;
  if (name == "small") return grid;
  if (name == "wholebody") {
    grid.emission_size = {200, 200, 400};
    grid.emission_spacing_mm = {2.6, 2.6, 2.0};
    return grid;
  }
  if (name == "tiny") {
    grid.emission_size = {64, 48, 100};
    grid.emission_spacing_mm = {8.0, 8.0, 8.0};
    return grid;
  }
  return std::nullopt;
}

void apply_phantom_config(const std::string& json_text, const std::string& source_name,
                          PhantomRequest* request) {
  json root;
  try {
    root = json::parse(json_text);
  } catch (const json::exception& error) {
    throw InvalidInputError(source_name + ": not valid JSON: " + error.what());
  }
  try {
    ObjectReader reader(root, source_name);
    reader.read_enum("kind", kKinds, &request->kind);
    reader.read("seed", &request->seed);
    if (reader.has("size")) {
      const std::string size = reader.at("size").get<std::string>();
      const auto preset = phantom_grid_preset(size);
      if (!preset) reader.fail_key("size", "\"" + size + "\" is not one of small, wholebody, tiny");
      request->grid = *preset;
    }
    if (reader.has("grid")) read_grid(reader.at("grid"), reader.path("grid"), &request->grid);
    if (reader.has("physics")) {
      read_physics(reader.at("physics"), reader.path("physics"), &request->physics);
    }
    if (reader.has("vendor")) {
      PhantomVendorStyle vendor = PhantomVendorStyle::kGe;
      reader.read_enum("vendor", kVendors, &vendor);
      request->vendor_override = vendor;
    }
    reader.read("write_ct", &request->write_ct);
    if (reader.has("patient")) {
      read_patient(reader.at("patient"), reader.path("patient"), &request->patient);
    }
    if (reader.has("nema")) read_nema(reader.at("nema"), reader.path("nema"), &request->nema);
    if (reader.has("cylinder")) {
      read_cylinder(reader.at("cylinder"), reader.path("cylinder"), &request->cylinder);
    }
    if (reader.has("spect")) read_spect(reader.at("spect"), reader.path("spect"), &request->spect);
    reader.finish();
  } catch (const json::exception& error) {
    throw InvalidInputError(source_name + ": wrong value type: " + error.what());
  }
}

void apply_phantom_config_file(const std::filesystem::path& path, PhantomRequest* request) {
  std::ifstream stream(path);
  if (!stream) {
    throw InvalidInputError("cannot read the phantom configuration " + path.string() +
                            "; check the path given to --config");
  }
  std::stringstream text;
  text << stream.rdbuf();
  apply_phantom_config(text.str(), path.string(), request);
}

}  // namespace oncotrace
