// The tracer catalogue: which radiopharmaceutical a series shows, what it targets, when it is
// imaged, and which published rule (if any) calls a lesion target-positive.
//
// The catalogue is data, not code: data/tracers.json (schema data/tracers.schema.json, fields
// explained in docs/tracers.md), transcribed from clinical-context.md §2.1 Table A, §2.2 Table B,
// §2.3 and §2.5. Values the reference marks "(unverified)" carry `verified: false` and every entry
// and rule carries its citation. Where no threshold has been validated the entry says so
// (`positivity_rule: null`, `no_validated_threshold: true`); oncotrace then reports continuous
// values only and never invents a cut-off (clinical-context.md §2, column "status" = none).
//
// Identification from DICOM uses RadiopharmaceuticalInformationSequence (0054,0016):
// Radiopharmaceutical (0018,0031) free text, RadiopharmaceuticalCodeSequence (0054,0304) and
// RadionuclideCodeSequence (0054,0300). Codes come from DICOM PS3.16 CID 4021 "PET
// Radiopharmaceutical"; names not coded there (FAPI, ABY-025, nanobodies, FFNP, FTT) are found in
// the free text together with the nuclide (clinical-context.md §2.5). When the fields disagree or
// match several tracers, the result names no tracer: a user override (`find(id)`) is the remedy,
// never a silent guess.
//
// Research use only; not for diagnosis or treatment decisions.
#ifndef ONCOTRACE_TRACERS_H_
#define ONCOTRACE_TRACERS_H_

#include <filesystem>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace oncotrace {

// One coded identity of a tracer in RadiopharmaceuticalCodeSequence (0054,0304).
struct TracerCode {
  std::string value;    // CodeValue, e.g. "C-B1031"
  std::string scheme;   // CodingSchemeDesignator: SRT, 99SDM, SCT, DCM, UMLS, NCIt
  std::string meaning;  // CodeMeaning, e.g. "Fluorodeoxyglucose F^18^"
  // A generic code ("Monoclonal Antibody (mAb) ^89^Zr", DCM 126511) narrows the search to a
  // class of tracers; a specific code names one tracer.
  bool generic = false;
  std::string source;
  bool verified = true;
};

// Published acquisition times after injection, in hours. These are documented practice from the
// cited studies, not validated limits (clinical-context.md §2.1, "Imaging-time check values").
struct ImagingWindow {
  double earliest_h = 0.0;
  double latest_h = 0.0;
  std::string as_published;  // "50-75 min", "3-7 d": the catalogue's own numbers and unit
  std::string basis;
  std::vector<std::string> citations;
  bool verified = true;
};

struct StudyCohort {
  std::optional<int> patients;
  std::optional<int> lesions;
  std::string note;
};

struct PublishedPerformance {
  std::optional<double> sensitivity_percent;
  std::optional<double> specificity_percent;
  std::optional<double> ppv_percent;
  std::optional<double> npv_percent;
  std::optional<double> accuracy_percent;
  std::optional<double> auc;
  std::string note;
};

// A published numeric rule that labels a lesion target-positive: `metric comparison threshold`,
// e.g. FES SUVmax >= 1.5 (Nienhuis 2018). Where the sources disagree on the operator, the
// alternatives are listed and `option_name` names the configuration value that selects one.
struct TracerPositivityRule {
  std::string name;
  std::string kind;        // "study" (criterion of one study) or "guideline"
  std::string metric;      // "SUVmax", "TBR", ...
  std::string comparison;  // ">=" or ">" (default of the catalogue)
  bool comparison_verified = true;
  std::vector<std::pair<std::string, std::string>> alternative_comparisons;  // (operator, source)
  std::string option_name;
  double threshold = 0.0;
  std::string reference_region;                // empty when the metric needs none
  std::vector<std::string> lesion_conditions;  // e.g. "lesion measurable on CT with size >= 10 mm"
  std::vector<std::string> not_applicable_in;  // organs, e.g. "liver"
  std::string description;
  std::optional<StudyCohort> cohort;
  std::optional<PublishedPerformance> performance;
  std::string citation;
  bool verified = true;

  // True when `value comparison threshold` holds for the given operator (">=", ">", "<=", "<").
  bool is_positive(double value, const std::string& operator_override = "") const;
};

// Other published criteria: visual readings, group differences, response predictors. They are
// annotations for reports; oncotrace does not turn them into lesion labels.
struct TracerPublishedCriterion {
  std::string name;
  std::string kind;        // "study", "guideline", "visual"
  std::string applies_to;  // lesion_positivity, patient_positivity, response, response_prediction,
                           // group_difference
  std::string metric;
  std::string comparison;  // may be empty
  std::optional<double> threshold;
  std::string reference_region;
  std::string description;
  std::optional<StudyCohort> cohort;
  std::optional<PublishedPerformance> performance;
  std::string citation;
  bool verified = true;
};

// An organ where uptake is physiological or where lesion uptake cannot be interpreted.
struct TracerOrgan {
  std::string organ;   // fixed vocabulary: liver, kidneys, spleen, bone_marrow, bowel, ...
  std::string reason;  // for not_assessable_in
  std::string source;
  bool verified = true;
};

struct Tracer {
  std::string id;            // "fdg", "zr89tras"
  std::string display_name;  // "[18F]FDG"
  std::string full_name;
  std::vector<std::string> synonyms;  // free-text names found in (0018,0031)
  std::vector<std::string> families;  // class names ("trastuzumab", "FAPI") resolved by nuclide
  std::vector<TracerCode> codes;
  std::string nuclide;  // "F-18", "Zr-89", ... (one of known_tracer_nuclides())
  std::string target;   // HER2, ER, PR, glucose metabolism, proliferation, bone turnover, FAP,
                        // PARP, GRPR
  std::string target_detail;
  std::string modality;           // "PET" or "SPECT"
  std::string use;                // "diagnostic" or "therapy"
  std::string development_stage;  // approved, investigational, preclinical
  bool breast_cancer_tracer = true;
  std::string evidence;
  std::string typical_activity;  // text with its citation; empty when not known
  bool typical_activity_verified = false;
  std::optional<ImagingWindow> imaging_window;
  std::string imaging_time_note;
  std::vector<std::string> quantities_reported;
  std::optional<TracerPositivityRule> positivity_rule;
  bool no_validated_threshold = true;
  std::vector<TracerPublishedCriterion> published_criteria;
  std::vector<TracerOrgan> not_assessable_in;
  std::vector<TracerOrgan> physiological_uptake;
  std::vector<std::string> limitations;
  std::vector<std::string> acquisition_notes;
  std::vector<std::string> citations;
};

// The DICOM fields that name the tracer, as read from RadiopharmaceuticalInformationSequence
// (0054,0016). Empty strings mean "absent".
struct TracerDicomFields {
  std::string radiopharmaceutical;  // Radiopharmaceutical (0018,0031), free text
  // RadiopharmaceuticalCodeSequence (0054,0304)
  std::string radiopharmaceutical_code_value;
  std::string radiopharmaceutical_code_scheme;
  std::string radiopharmaceutical_code_meaning;
  // RadionuclideCodeSequence (0054,0300)
  std::string radionuclide_code_value;
  std::string radionuclide_code_scheme;
  std::string radionuclide_code_meaning;
  // A nuclide already identified elsewhere (e.g. by identify_nuclide() of the physics module,
  // which also uses the header half-life), as symbol or any common spelling ("Lu-177", "177Lu").
  std::string radionuclide;
};

enum class TracerMatchConfidence {
  kHigh,    // a verified catalogue code matched, or the whole free text is a catalogue name
  kMedium,  // a catalogue name was found inside the text, or an unverified code matched
  kNone,    // not identified: unknown, ambiguous or conflicting fields
};

struct TracerIdentification {
  const Tracer* tracer = nullptr;  // nullptr: unknown tracer, ambiguous or conflicting
  std::string nuclide;             // recognised nuclide symbol ("F-18"), empty when none
  TracerMatchConfidence confidence = TracerMatchConfidence::kNone;
  // "identified", "unknown_tracer", "ambiguous", "conflicting_fields"
  std::string outcome;
  std::vector<std::string> candidates;  // catalogue ids considered at the end (sorted)
  std::string explanation;              // one sentence naming the fields and what matched
  std::vector<std::string> evidence;    // one line per field that contributed
};

const char* tracer_match_confidence_name(TracerMatchConfidence confidence);

class TracerCatalogue {
 public:
  // Reads and validates a catalogue file. Throws InvalidInputError listing every problem found
  // (file, entry id, field, remedy), so one run shows all of them.
  static TracerCatalogue load(const std::filesystem::path& path);
  // The same for JSON text; `origin` names the text in messages.
  static TracerCatalogue from_json_text(const std::string& json_text, const std::string& origin);

  const std::vector<Tracer>& tracers() const { return tracers_; }
  const std::string& origin() const { return origin_; }
  // Lookup by catalogue id (the user override); nullptr when absent.
  const Tracer* find(const std::string& id) const;
  // Tracers labelled with a nuclide symbol.
  std::vector<const Tracer*> with_nuclide(const std::string& nuclide_symbol) const;

  // Identifies the tracer from the DICOM fields (see the header comment for the rules).
  TracerIdentification identify(const TracerDicomFields& fields) const;

 private:
  std::vector<Tracer> tracers_;
  std::string origin_;
};

// Validation without construction: every problem found, empty when the text is a valid
// catalogue. Checks the rules of data/tracers.schema.json (required fields, types, enumerations,
// additional fields) and the cross-entry rules (unique ids, a citation on every entry and rule,
// unique synonym per nuclide, known nuclide, no_validated_threshold == (positivity_rule ==
// null), earliest <= latest).
std::vector<std::string> validate_tracer_catalogue_json(const std::string& json_text);

// Nuclides a catalogue entry may name: F-18, Ga-68, Cu-64, Zr-89, In-111, Tc-99m, Lu-177, I-131,
// Y-90, I-124, C-11.
const std::vector<std::string>& known_tracer_nuclides();
// The nuclide symbol named by `text` ("^18^Fluorine", "18F", "[68Ga]Ga-FAPI-46", "177 Lutetium",
// "Tc-99m"), restricted to known_tracer_nuclides(); nullopt when none or several differ.
std::optional<std::string> nuclide_symbol_in_text(const std::string& text);

// Where the catalogue lives: $ONCOTRACE_DATA_DIR/tracers.json when that variable is set, else the
// source tree's data/tracers.json (compiled-in ONCOTRACE_SOURCE_DIR).
std::filesystem::path default_tracer_catalogue_path();
// The default catalogue, loaded once (thread-safe); throws like load().
const TracerCatalogue& default_tracer_catalogue();

// A warning when a scan was acquired outside the tracer's documented imaging window, e.g.
// "[89Zr]Zr-DFO-trastuzumab imaged 1.5 d after injection; documented imaging window 3-7 d
// (Dehdashti 2018 ...). These are documented acquisition times, not validated limits."
// nullopt when inside the window or when the catalogue documents no window. Throws
// InvalidInputError for a negative or non-finite time.
std::optional<std::string> imaging_window_warning(const Tracer& tracer,
                                                  double hours_after_injection);

}  // namespace oncotrace

#endif  // ONCOTRACE_TRACERS_H_
