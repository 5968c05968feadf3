// The digital patient: tissues, their CT numbers, the torso-and-head model and its lesions.
#ifndef ONCOTRACE_PHANTOM_ANATOMY_H_
#define ONCOTRACE_PHANTOM_ANATOMY_H_

#include <optional>
#include <string>
#include <vector>

#include "oncotrace/phantom.h"
#include "phantom/scene.h"

namespace oncotrace::phantom {

// Tissues of the model. The names are the keys of data/phantom/tracer_uptake.json.
enum class Tissue : int {
  kAir = 0,
  kFat,
  kMuscle,  // skeletal muscle, also the filler of the trunk between the modelled organs
  kLung,
  kMyocardium,
  kBloodPool,  // heart chambers and aorta
  kLiver,
  kSpleen,
  kKidney,
  kBladder,
  kBrain,
  kBone,  // spine, pelvis, sternum, skull (marrow and cortex together)
  kBreast,
  kBowel,
  kWater,    // phantoms: the fillable compartments
  kAcrylic,  // phantoms: PMMA walls
  kCount
};

// Every tissue with tracer uptake (air, water and acrylic excluded), in enum order.
const std::vector<Tissue>& body_tissues();
std::string tissue_name(Tissue tissue);
std::optional<Tissue> parse_tissue(const std::string& name);
// Unenhanced CT number (HU) of a tissue at 120 kVp.
double tissue_ct_number_hu(Tissue tissue);
// CT number of a lesion at `site` (liver metastases are hypodense to liver, bone metastases
// sclerotic) and of a necrotic core.
double lesion_ct_number_hu(const std::string& site, bool necrotic_core);

// NaF site class of a lesion: "bone" for site "bone", "soft_tissue" otherwise.
std::string lesion_site_class(const std::string& site);

// The model's extent along z (mm): the patient lies along the z axis, feet at 0, head up.
inline constexpr double kPatientModelZMinMm = 0.0;
inline constexpr double kPatientModelZMaxMm = 800.0;

// The shapes of one lesion at one timepoint (empty when the lesion is absent then): the lesion
// body (one or more shapes) and, when it has one, the necrotic core. Centred at the lesion centre
// plus `shift_mm`.
struct LesionGeometry {
  bool present = false;
  std::vector<Shape> body;
  std::optional<Shape> core;
  double volume_ml = 0.0;  // volume of the body (union of its shapes), core included
  double core_volume_ml = 0.0;
  double uptake_scale = 1.0;  // timepoint change of uptake
  std::string response;       // designed response at this timepoint ("baseline" at baseline)
};
LesionGeometry lesion_geometry(const LesionSpec& lesion, const std::string& timepoint,
                               const Vec3& shift_mm);

// Region indices of the patient scene: regions 1..kCount-1 are the tissues (region = tissue), then
// for every lesion one body region and (if any) one core region.
struct PatientScene {
  Scene scene;
  std::vector<LesionGeometry> lesions;  // per lesion of the spec, at the scene's timepoint
  // Centre of each organ in this study's position (LPS mm), for truth.json.
  std::vector<std::pair<Tissue, Vec3>> organ_centres_mm;
};
PatientScene build_patient_scene(const PatientSpec& patient, const std::string& timepoint,
                                 const Vec3& shift_mm);

}  // namespace oncotrace::phantom

#endif  // ONCOTRACE_PHANTOM_ANATOMY_H_
