#include "phantom/anatomy.h"

#include <array>
#include <cmath>
#include <numbers>
#include <optional>
#include <string>

#include "oncotrace/error.h"

namespace oncotrace::phantom {
namespace {

struct TissueInfo {
  Tissue tissue;
  const char* name;
  // Unenhanced CT at 120 kVp; typical textbook values, rounded (fat -100, soft tissues 30-60,
  // aerated lung about -800, mixed trabecular/cortical bone a few hundred HU).
  double ct_number_hu;
};

constexpr std::array<TissueInfo, static_cast<size_t>(Tissue::kCount)> kTissues{{
    {Tissue::kAir, "air", -1000.0},
    {Tissue::kFat, "fat", -100.0},
    {Tissue::kMuscle, "muscle", 45.0},
    {Tissue::kLung, "lung", -820.0},
    {Tissue::kMyocardium, "myocardium", 40.0},
    {Tissue::kBloodPool, "blood_pool", 40.0},
    {Tissue::kLiver, "liver", 55.0},
    {Tissue::kSpleen, "spleen", 45.0},
    {Tissue::kKidney, "kidney", 30.0},
    {Tissue::kBladder, "bladder", 5.0},
    {Tissue::kBrain, "brain", 35.0},
    {Tissue::kBone, "bone", 450.0},
    {Tissue::kBreast, "breast", -40.0},
    {Tissue::kBowel, "bowel", 20.0},
    {Tissue::kWater, "water", 0.0},
    {Tissue::kAcrylic, "acrylic", 120.0},
}};

uint16_t tissue_region(Tissue tissue) { return static_cast<uint16_t>(tissue); }

// Four lobes on tetrahedral directions around a central sphere make a lobulated mass.
constexpr double kLobeRadiusFraction = 0.6;
constexpr double kLobeDistanceFraction = 0.65;

std::vector<Shape> lobulated_shapes(const Vec3& centre, double radius_mm) {
  std::vector<Shape> shapes{make_sphere(centre, radius_mm)};
  const double d = kLobeDistanceFraction * radius_mm / std::sqrt(3.0);
  const std::array<Vec3, 4> directions{{{1, 1, 1}, {1, -1, -1}, {-1, 1, -1}, {-1, -1, 1}}};
  for (const Vec3& direction : directions) {
    shapes.push_back(make_sphere(
        {centre[0] + d * direction[0], centre[1] + d * direction[1], centre[2] + d * direction[2]},
        kLobeRadiusFraction * radius_mm));
  }
  return shapes;
}

// Volume of a union of shapes by counting the centres of a fine grid (1/120 of the extent; the
// count converges to about 1e-4 relative): the union of overlapping spheres has no simple closed
// form.
double union_volume_ml(const std::vector<Shape>& shapes) {
  Bounds box = shape_bounds(shapes[0]);
  for (const Shape& shape : shapes) {
    const Bounds b = shape_bounds(shape);
    for (int i = 0; i < 3; ++i) {
      box.min_mm[i] = std::min(box.min_mm[i], b.min_mm[i]);
      box.max_mm[i] = std::max(box.max_mm[i], b.max_mm[i]);
    }
  }
  constexpr int kSteps = 120;
  Vec3 step{};
  for (int i = 0; i < 3; ++i) step[i] = (box.max_mm[i] - box.min_mm[i]) / kSteps;
  int64_t inside = 0;
  for (int c = 0; c < kSteps; ++c) {
    for (int b = 0; b < kSteps; ++b) {
      for (int a = 0; a < kSteps; ++a) {
        const Vec3 p{box.min_mm[0] + (a + 0.5) * step[0], box.min_mm[1] + (b + 0.5) * step[1],
                     box.min_mm[2] + (c + 0.5) * step[2]};
        for (const Shape& shape : shapes) {
          if (shape_contains(shape, p)) {
            ++inside;
            break;
          }
        }
      }
    }
  }
  return static_cast<double>(inside) * step[0] * step[1] * step[2] / 1000.0;
}

// Volume of a lobulated lesion of radius 1 mm (mL); the union scales with the radius cubed.
double unit_lobulated_volume_ml() {
  static const double kVolume = union_volume_ml(lobulated_shapes({0, 0, 0}, 1.0));
  return kVolume;
}

const LesionChange* change_at(const LesionSpec& lesion, const std::string& timepoint) {
  for (const LesionChange& change : lesion.changes) {
    if (change.timepoint == timepoint) return &change;
  }
  return nullptr;
}

Vec3 plus(const Vec3& a, const Vec3& b) { return {a[0] + b[0], a[1] + b[1], a[2] + b[2]}; }

// The organs, in painting order. Dimensions are those of a small adult woman (weight about
// 68 kg), compressed along z so that vertex to pelvic floor fits in 800 mm.
void paint_anatomy(Scene* scene, const Vec3& s,
                   std::vector<std::pair<Tissue, Vec3>>* organ_centres) {
  auto paint = [&](const Shape& shape, Tissue tissue) {
    scene->paint(translated(shape, s), tissue_region(tissue));
  };
  auto note_centre = [&](Tissue tissue, const Vec3& centre) {
    organ_centres->push_back({tissue, plus(centre, s)});
  };
  // Body outline: trunk (subcutaneous fat), shoulders and pelvic floor, neck and head.
  paint(make_z_cylinder(0, 0, 165, 110, 50, 500), Tissue::kFat);
  paint(make_ellipsoid({0, 0, 500}, {165, 110, 55}), Tissue::kFat);
  paint(make_ellipsoid({0, 0, 50}, {165, 110, 45}), Tissue::kFat);
  paint(make_z_cylinder(0, 15, 55, 55, 530, 640), Tissue::kMuscle);
  paint(make_ellipsoid({0, 5, 700}, {78, 95, 95}), Tissue::kMuscle);
  // Breasts on the anterior chest wall.
  paint(make_ellipsoid({-75, -118, 410}, {62, 48, 58}, 15), Tissue::kBreast);
  paint(make_ellipsoid({75, -118, 410}, {62, 48, 58}, -15), Tissue::kBreast);
  note_centre(Tissue::kBreast, {-75, -118, 410});
  // Trunk interior: muscle and the soft tissue between the modelled organs.
  paint(make_z_cylinder(0, 0, 150, 96, 50, 500), Tissue::kMuscle);
  paint(make_ellipsoid({0, 0, 500}, {150, 96, 45}), Tissue::kMuscle);
  paint(make_ellipsoid({0, 0, 50}, {150, 96, 35}), Tissue::kMuscle);
  note_centre(Tissue::kMuscle, {-110, 20, 120});
  note_centre(Tissue::kFat, {0, 0, 50});
  // Lungs; the liver dome, heart and aorta are painted over them.
  paint(make_ellipsoid({-75, 10, 420}, {58, 75, 105}), Tissue::kLung);
  paint(make_ellipsoid({75, 10, 425}, {52, 75, 100}), Tissue::kLung);
  note_centre(Tissue::kLung, {-80, 10, 450});
  // Liver (right upper abdomen, under the right lung) and spleen (left, posterior).
  paint(make_ellipsoid({-55, 0, 300}, {85, 75, 65}), Tissue::kLiver);
  note_centre(Tissue::kLiver, {-55, 0, 300});
  paint(make_ellipsoid({88, 40, 310}, {28, 45, 52}, 20), Tissue::kSpleen);
  note_centre(Tissue::kSpleen, {88, 40, 310});
  // Heart: myocardium around the chambers (blood pool), tilted to the left.
  paint(make_ellipsoid({15, -25, 385}, {55, 45, 52}, 30), Tissue::kMyocardium);
  paint(make_ellipsoid({15, -25, 385}, {40, 31, 37}, 30), Tissue::kBloodPool);
  note_centre(Tissue::kMyocardium, {15, -25, 385});
  // Aorta: ascending, arch (a sausage-shaped ellipsoid), descending thoracic and abdominal.
  paint(make_z_cylinder(5, -15, 14, 14, 400, 455), Tissue::kBloodPool);
  paint(make_ellipsoid({12, 10, 458}, {15, 38, 15}), Tissue::kBloodPool);
  paint(make_z_cylinder(22, 35, 12, 12, 180, 455), Tissue::kBloodPool);
  // The PERCIST blood-pool reference region: descending thoracic aorta.
  note_centre(Tissue::kBloodPool, {22, 35, 400});
  // Kidneys, bowel, bladder.
  paint(make_ellipsoid({-62, 55, 215}, {28, 24, 55}, -20), Tissue::kKidney);
  paint(make_ellipsoid({62, 55, 230}, {28, 24, 55}, 20), Tissue::kKidney);
  note_centre(Tissue::kKidney, {62, 55, 230});
  paint(make_ellipsoid({0, -25, 160}, {105, 55, 65}), Tissue::kBowel);
  note_centre(Tissue::kBowel, {0, -25, 160});
  paint(make_ellipsoid({0, -35, 75}, {40, 32, 32}), Tissue::kBladder);
  note_centre(Tissue::kBladder, {0, -35, 75});
  // Bone: spine, cervical spine, sacrum, iliac wings, femoral heads, pubis, sternum, skull.
  paint(make_z_cylinder(0, 70, 18, 18, 130, 540), Tissue::kBone);
  paint(make_z_cylinder(0, 45, 12, 12, 530, 645), Tissue::kBone);
  note_centre(Tissue::kBone, {0, 70, 230});
  paint(make_ellipsoid({0, 78, 100}, {45, 18, 45}), Tissue::kBone);
  paint(make_ellipsoid({-95, 45, 140}, {18, 55, 60}, -25), Tissue::kBone);
  paint(make_ellipsoid({95, 45, 140}, {18, 55, 60}, 25), Tissue::kBone);
  paint(make_sphere({-88, 5, 35}, 24), Tissue::kBone);
  paint(make_sphere({88, 5, 35}, 24), Tissue::kBone);
  paint(make_box({0, -65, 55}, {45, 8, 12}), Tissue::kBone);
  paint(make_box({0, -88, 420}, {13, 5, 70}), Tissue::kBone);
  paint(make_ellipsoid({0, 5, 705}, {72, 89, 86}), Tissue::kBone);
  paint(make_ellipsoid({0, 5, 708}, {66, 83, 79}), Tissue::kBrain);
  note_centre(Tissue::kBrain, {0, 5, 708});
}

}  // namespace

const std::vector<Tissue>& body_tissues() {
  static const std::vector<Tissue> kTissues{
      Tissue::kFat,   Tissue::kMuscle, Tissue::kLung,   Tissue::kMyocardium, Tissue::kBloodPool,
      Tissue::kLiver, Tissue::kSpleen, Tissue::kKidney, Tissue::kBladder,    Tissue::kBrain,
      Tissue::kBone,  Tissue::kBreast, Tissue::kBowel};
  return kTissues;
}

std::string tissue_name(Tissue tissue) { return kTissues.at(static_cast<size_t>(tissue)).name; }

std::optional<Tissue> parse_tissue(const std::string& name) {
  for (const TissueInfo& info : kTissues) {
    if (name == info.name) return info.tissue;
  }
  return std::nullopt;
}

double tissue_ct_number_hu(Tissue tissue) {
  return kTissues.at(static_cast<size_t>(tissue)).ct_number_hu;
}

double lesion_ct_number_hu(const std::string& site, bool necrotic_core) {
  if (necrotic_core) return 15.0;    // fluid-like necrosis
  if (site == "bone") return 650.0;  // sclerotic metastasis
  if (site == "liver") return 30.0;  // hypodense to the 55 HU liver on unenhanced CT
  return 38.0;                       // soft-tissue mass
}

std::string lesion_site_class(const std::string& site) {
  return site == "bone" ? "bone" : "soft_tissue";
}

LesionGeometry lesion_geometry(const LesionSpec& lesion, const std::string& timepoint,
                               const Vec3& shift_mm) {
  LesionGeometry geometry;
  const LesionChange* change = change_at(lesion, timepoint);
  const bool first = timepoint == lesion.first_timepoint;
  const bool exists_from_baseline = lesion.first_timepoint == "baseline";
  geometry.present = first || exists_from_baseline || change != nullptr;
  if (change != nullptr && !change->present) geometry.present = false;
  geometry.response = first ? (exists_from_baseline ? "baseline" : "new")
                            : (change != nullptr ? change->response : "unchanged");
  if (!geometry.present) {
    geometry.response = change != nullptr ? change->response : "absent";
    return geometry;
  }
  const double volume_scale = change != nullptr ? change->volume_scale : 1.0;
  geometry.uptake_scale = change != nullptr ? change->uptake_scale : 1.0;
  const double axis_scale = std::cbrt(volume_scale);
  const Vec3 centre = plus(lesion.centre_mm, shift_mm);
  Vec3 axes = lesion.semi_axes_mm;
  if (lesion.shape != LesionShape::kEllipsoid) axes = {axes[0], axes[0], axes[0]};
  for (double& axis : axes) axis *= axis_scale;
  if (lesion.shape == LesionShape::kLobulated) {
    geometry.body = lobulated_shapes(centre, axes[0]);
    geometry.volume_ml = unit_lobulated_volume_ml() * axes[0] * axes[0] * axes[0];
  } else {
    geometry.body = {make_ellipsoid(centre, axes, lesion.rotation_z_deg)};
    geometry.volume_ml = shape_volume_ml(geometry.body.front());
  }
  if (lesion.necrotic_core_fraction > 0.0) {
    const double f = lesion.necrotic_core_fraction;
    geometry.core =
        make_ellipsoid(centre, {axes[0] * f, axes[1] * f, axes[2] * f}, lesion.rotation_z_deg);
    geometry.core_volume_ml = shape_volume_ml(*geometry.core);
  }
  return geometry;
}

PatientScene build_patient_scene(const PatientSpec& patient, const std::string& timepoint,
                                 const Vec3& shift_mm) {
  PatientScene result;
  Scene& scene = result.scene;
  for (int t = 0; t < static_cast<int>(Tissue::kCount); ++t) {
    Region region;
    region.name = tissue_name(static_cast<Tissue>(t));
    region.tissue = t;
    scene.add_region(region);
  }
  paint_anatomy(&scene, shift_mm, &result.organ_centres_mm);
  for (size_t l = 0; l < patient.lesions.size(); ++l) {
    const LesionSpec& lesion = patient.lesions[l];
    LesionGeometry geometry = lesion_geometry(lesion, timepoint, shift_mm);
    Region body;
    body.name = "lesion:" + lesion.name;
    body.tissue = static_cast<int>(Tissue::kMuscle);
    body.lesion = static_cast<int>(l);
    const uint16_t body_region = scene.add_region(body);
    Region core = body;
    core.name += ":core";
    core.lesion_core = true;
    const uint16_t core_region = scene.add_region(core);
    if (geometry.present) {
      for (const Shape& shape : geometry.body) scene.paint(shape, body_region);
      if (geometry.core) scene.paint(*geometry.core, core_region);
    }
    result.lesions.push_back(std::move(geometry));
  }
  return result;
}

}  // namespace oncotrace::phantom

namespace oncotrace {

PatientSpec default_patient() {
  PatientSpec patient;
  auto lesion = [](std::string name, std::string site, Vec3 centre, LesionShape shape, Vec3 axes,
                   ErStatus er, Her2Status her2, FdgAvidity fdg) {
    LesionSpec spec;
    spec.name = std::move(name);
    spec.site = std::move(site);
    spec.centre_mm = centre;
    spec.shape = shape;
    spec.semi_axes_mm = axes;
    spec.er = er;
    spec.her2 = her2;
    spec.fdg_avidity = fdg;
    return spec;
  };
  auto change = [](double volume_scale, double uptake_scale, std::string response) {
    LesionChange c;
    c.timepoint = "followup";
    c.volume_scale = volume_scale;
    c.uptake_scale = uptake_scale;
    c.response = std::move(response);
    return c;
  };
  using enum ErStatus;
  using enum LesionShape;
  using enum FdgAvidity;
  auto& lesions = patient.lesions;

  lesions.push_back(lesion("primary_left_breast", "breast", {80, -130, 415}, kLobulated,
                           {11, 11, 11}, kPositive, Her2Status::kLow, kHigh));
  lesions.back().changes = {change(0.4, 0.5, "partial_response")};

  lesions.push_back(lesion("axillary_node_left", "axillary_node", {128, -30, 470}, kSphere,
                           {8, 8, 8}, kPositive, Her2Status::kLow, kModerate));
  LesionChange disappeared = change(1.0, 1.0, "complete_response");
  disappeared.present = false;
  lesions.back().changes = {disappeared};

  lesions.push_back(lesion("supraclavicular_node_left", "supraclavicular_node", {50, 0, 525},
                           kSphere, {6.5, 6.5, 6.5}, kNegative, Her2Status::kPositive, kHigh));
  lesions.back().changes = {change(1.0, 1.0, "stable")};

  lesions.push_back(lesion("liver_segment7", "liver", {-90, 10, 300}, kEllipsoid, {18, 16, 15},
                           kNegative, Her2Status::kZero, kHigh));
  lesions.back().necrotic_core_fraction = 0.5;
  lesions.back().rotation_z_deg = 20;
  lesions.back().changes = {change(1.8, 1.2, "progression")};

  lesions.push_back(lesion("liver_segment4", "liver", {-30, -30, 320}, kSphere, {8, 8, 8},
                           kPositive, Her2Status::kPositive, kModerate));
  lesions.back().changes = {change(0.6, 0.7, "partial_response")};

  lesions.push_back(lesion("bone_t12", "bone", {0, 65, 280}, kSphere, {8, 8, 8}, kPositive,
                           Her2Status::kLow, kLow));
  lesions.back().uptake_scale_per_tracer["fes"] = 1.3;  // bone metastases: higher FES uptake
  lesions.back().changes = {change(1.0, 1.0, "stable")};

  lesions.push_back(lesion("bone_right_ilium", "bone", {-95, 45, 150}, kEllipsoid, {10, 14, 12},
                           kPositive, Her2Status::kZero, kModerate));
  lesions.back().rotation_z_deg = -25;
  lesions.back().changes = {change(1.0, 0.6, "metabolic_partial_response")};

  lesions.push_back(lesion("lung_right_upper", "lung", {-85, 20, 455}, kSphere, {6, 6, 6},
                           kNegative, Her2Status::kZero, kHigh));
  lesions.back().changes = {change(0.5, 0.6, "partial_response")};

  lesions.push_back(lesion("adrenal_left", "adrenal", {48, 45, 295}, kEllipsoid, {10, 9, 13},
                           kNegative, Her2Status::kPositive, kHigh));
  lesions.back().changes = {change(1.4, 1.3, "progression")};

  lesions.push_back(lesion("liver_new_segment6", "liver", {-80, -20, 262}, kSphere, {6, 6, 6},
                           kNegative, Her2Status::kZero, kHigh));
  lesions.back().first_timepoint = "followup";

  auto study = [](std::string id, std::string tracer, std::string timepoint, DateTime injection,
                  double uptake_s, double activity_bq, double duration_s, Vec3 shift,
                  PhantomVendorStyle vendor) {
    StudySpec spec;
    spec.id = std::move(id);
    spec.tracer = std::move(tracer);
    spec.timepoint = std::move(timepoint);
    spec.injection = injection;
    spec.uptake_time_s = uptake_s;
    spec.injected_activity_bq = activity_bq;
    spec.scan_duration_s = duration_s;
    spec.rigid_shift_mm = shift;
    spec.vendor = vendor;
    return spec;
  };
  patient.studies = {
      study("fdg_baseline", "fdg", "baseline", make_datetime(2024, 3, 4, 8, 40), 3720, 245e6, 900,
            {0, 0, 0}, PhantomVendorStyle::kGe),
      study("fes_baseline", "fes", "baseline", make_datetime(2024, 3, 6, 9, 15), 4800, 190e6, 1200,
            {3, -2, 6}, PhantomVendorStyle::kSiemens),
      // Injected on day 3, imaged 4 days later (Dijkers 2010: best at day 4-5).
      study("zr89tras_baseline", "zr89tras", "baseline", make_datetime(2024, 3, 7, 10, 5),
            4 * 86400.0 + 1500, 37e6, 1800, {-2, 3, -8}, PhantomVendorStyle::kPhilips),
      study("fdg_followup", "fdg", "followup", make_datetime(2024, 5, 27, 8, 50), 3900, 238e6, 900,
            {-4, 2, 10}, PhantomVendorStyle::kGe),
  };
  return patient;
}

void set_fdg_timepoints(PatientSpec& patient, int count) {
  if (count != 2 && count != 3) {
    throw InvalidInputError("--fdg-timepoints " + std::to_string(count) +
                            ": must be 2 (baseline, follow-up) or 3 (and a second follow-up)");
  }
  if (count == 2) return;
  const StudySpec* followup = nullptr;
  for (const StudySpec& study : patient.studies) {
    if (study.timepoint == "followup2") {
      throw InvalidInputError("--fdg-timepoints 3: the patient has a \"followup2\" study (" +
                              study.id + ") already");
    }
    if (study.tracer == "fdg" && study.timepoint == "followup") followup = &study;
  }
  if (followup == nullptr) {
    throw InvalidInputError(
        "--fdg-timepoints 3: the patient has no FDG study of timepoint \"followup\" to continue "
        "from (see docs/truth-schema.md)");
  }
  StudySpec second = *followup;
  second.id = "fdg_followup2";
  second.timepoint = "followup2";
  second.injection = followup->injection.plus_seconds(84.0 * 86400.0);
  second.rigid_shift_mm = {2, -3, 5};
  patient.studies.push_back(second);
  for (LesionSpec& lesion : patient.lesions) {
    std::optional<LesionChange> next;
    if (const LesionChange* change = phantom::change_at(lesion, "followup")) {
      next = *change;
      next->volume_scale = change->volume_scale * change->volume_scale;
      next->uptake_scale = change->uptake_scale * change->uptake_scale;
    } else if (lesion.first_timepoint == "followup") {
      next = LesionChange{};
      next->volume_scale = 1.5;
      next->uptake_scale = 1.2;
      next->response = "progression";
    }
    if (!next) continue;
    next->timepoint = "followup2";
    lesion.changes.push_back(*next);
  }
}

}  // namespace oncotrace
