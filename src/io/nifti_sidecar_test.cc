#include <gtest/gtest.h>

#include <fstream>
#include <nlohmann/json.hpp>

#include "oncotrace/error.h"
#include "oncotrace/nifti.h"
#include "testing/test_data.h"

namespace oncotrace {
namespace {

using nlohmann::json;

// A header like the STS_001 raw series (test-data.md §2): GE, BQML, START, FDG injected at
// 10:35:00 (TM only), series 2000-09-07 11:20:11, two beds with their own FrameReferenceTime and
// DecayFactor.
SeriesHeader sts_like_header() {
  SeriesHeader header;
  header.patient_id = "STS_001";
  header.patient_name = "Doe^John";
  header.study_instance_uid = "1.2.3.4";
  header.series_instance_uid = "1.2.3.4.5";
  header.sop_class_uid = "1.2.840.10008.5.1.4.1.1.128";
  header.modality = "PT";
  header.series_description = "PET AC";
  header.series_number = "3";
  header.frame_of_reference_uid = "1.2.3.4.6";
  header.manufacturer = "GE MEDICAL SYSTEMS";
  header.manufacturer_model = "Discovery ST";
  header.software_versions = "36.14";
  header.image_type = {"ORIGINAL", "PRIMARY"};
  header.series_type = {"STATIC", "IMAGE"};
  header.study_date = "20000907";
  header.study_time = "110000";
  header.series_date = "20000907";
  header.series_time = "112011";
  header.patient_weight_kg = {71.0, "(0010,1030) PatientWeight"};
  header.patient_size_m = {1.63, "(0010,1020) PatientSize"};
  header.patient_sex = {"M", "(0010,0040) PatientSex"};
  header.patient_age = {"059Y", "(0010,1010) PatientAge"};
  RadiopharmaceuticalInfo& drug = header.radiopharmaceutical;
  drug.radiopharmaceutical = {"FDG -- fluorodeoxyglucose", "(0018,0031)"};
  drug.radionuclide_code = {"C-111A1", "(0054,0300)"};
  drug.radionuclide_meaning = {"^18^Fluorine", "(0054,0300)"};
  drug.radionuclide_scheme = {"SRT", "(0054,0300)"};
  drug.start_time = {"103500", "(0018,1072)"};
  drug.total_dose = {3.88777472e8, "(0018,1074)"};
  drug.half_life_s = {6588.0, "(0018,1075)"};
  drug.positron_fraction = {0.97, "(0018,1076)"};
  header.units = {"BQML", "(0054,1001) Units"};
  header.decay_correction = {"START", "(0054,1102) DecayCorrection"};
  header.corrected_image = {"DECY", "ATTN", "SCAT", "DTIM", "RAN"};
  header.number_of_slices = {4, "(0054,0081)"};
  header.reader_notes = {"a note from the DICOM reader"};
  return header;
}

Geometry small_grid() {
  Geometry grid;
  grid.size = {3, 2, 4};
  grid.spacing_mm = {4.6875, 4.6875, 3.27};
  grid.origin_mm = {-300.0, -280.0, -881.3};
  return grid;
}

// Two beds of two planes each: bed 0 at FrameReferenceTime 0, bed 1 at 243 s.
std::vector<Frame> sts_like_frames() {
  Frame frame;
  frame.image = ImageVolume(small_grid());
  for (size_t index = 0; index < frame.image.values.size(); ++index) {
    frame.image.values[index] = 1000.0F + static_cast<float>(index);
  }
  const double reference_ms[4] = {0, 0, 243000, 243000};
  const double decay[4] = {1.01268, 1.01268, 1.0389, 1.0389};
  for (int64_t k = 0; k < 4; ++k) {
    SliceRecord slice;
    slice.file = "1-00" + std::to_string(k + 1) + ".dcm";
    slice.position_mm = small_grid().index_to_world(0, 0, k);
    slice.acquisition_date = "20000907";
    slice.acquisition_time = "112011";
    slice.frame_reference_time_ms = reference_ms[k];
    slice.actual_frame_duration_ms = 240000;
    slice.decay_factor = decay[k];
    slice.image_index = k + 1;
    frame.slices.push_back(slice);
  }
  return {frame};
}

std::string read_text(const std::filesystem::path& path) {
  std::ifstream stream(path);
  return {std::istreambuf_iterator<char>(stream), std::istreambuf_iterator<char>()};
}

// Writes image + sidecar as `oncotrace export` does.
std::filesystem::path export_series(const std::filesystem::path& folder, const SeriesHeader& header,
                                    const std::vector<Frame>& frames,
                                    const std::string& extra_json = "") {
  auto image_path = folder / "pet.nii.gz";
  std::vector<ImageVolume> volumes;
  volumes.reserve(frames.size());
  for (const auto& frame : frames) volumes.push_back(frame.image);
  if (volumes.size() == 1) {
    write_nifti(image_path, volumes.front());
  } else {
    write_nifti(image_path, volumes);
  }
  std::ofstream(sidecar_path_for(image_path)) << make_sidecar_json(header, frames, extra_json);
  return image_path;
}

TEST(SidecarPathTest, ReplacesTheNiftiExtension) {
  EXPECT_EQ(sidecar_path_for("out/suv.nii.gz"), std::filesystem::path("out/suv.json"));
  EXPECT_EQ(sidecar_path_for("a.b/image.nii"), std::filesystem::path("a.b/image.json"));
  EXPECT_EQ(sidecar_path_for("x.gz.nii.gz"), std::filesystem::path("x.gz.json"));
}

TEST(MakeSidecarTest, WritesBidsPetFieldsWithTimesRelativeToInjection) {
  const json sidecar = json::parse(make_sidecar_json(sts_like_header(), sts_like_frames(), ""));
  EXPECT_EQ(sidecar["Manufacturer"], "GE MEDICAL SYSTEMS");
  EXPECT_EQ(sidecar["ManufacturersModelName"], "Discovery ST");
  EXPECT_EQ(sidecar["Units"], "Bq/mL");
  EXPECT_EQ(sidecar["TracerName"], "FDG -- fluorodeoxyglucose");
  EXPECT_EQ(sidecar["TracerRadionuclide"], "F18");
  EXPECT_DOUBLE_EQ(sidecar["InjectedRadioactivity"].get<double>(), 388.777472);
  EXPECT_EQ(sidecar["InjectedRadioactivityUnits"], "MBq");
  EXPECT_EQ(sidecar["BodyWeight"], 71.0);
  // TimeZero = injection; the scan starts 11:20:11 - 10:35:00 = 2711 s later (test-data.md S1).
  EXPECT_EQ(sidecar["TimeZero"], "10:35:00");
  EXPECT_DOUBLE_EQ(sidecar["InjectionStart"].get<double>(), 0.0);
  EXPECT_DOUBLE_EQ(sidecar["ScanStart"].get<double>(), 2711.0);
  EXPECT_EQ(sidecar["FrameTimesStart"], json::array({2711.0}));
  EXPECT_EQ(sidecar["FrameDuration"], json::array({240.0}));
  EXPECT_EQ(sidecar["ImageDecayCorrected"], true);
  EXPECT_DOUBLE_EQ(sidecar["ImageDecayCorrectionTime"].get<double>(), 2711.0);  // START
  EXPECT_NE(sidecar["AttenuationCorrection"].get<std::string>().find("ATTN"), std::string::npos);

  const json& ours = sidecar["oncotrace"];
  EXPECT_EQ(ours["Units"], "BQML");
  EXPECT_EQ(ours["DecayCorrection"], "START");
  EXPECT_EQ(ours["SeriesDateTime"], "2000-09-07T11:20:11");
  EXPECT_EQ(ours["RadiopharmaceuticalStartTime"], "10:35:00");
  EXPECT_FALSE(ours.contains("RadiopharmaceuticalStartDateTime"));  // DICOM had no DT
  EXPECT_EQ(ours["RadionuclideTotalDose"], 3.88777472e8);
  EXPECT_EQ(ours["RadionuclideHalfLife"], 6588.0);
  EXPECT_EQ(ours["PatientSex"], "M");
  // Identifiers stay out of sidecars.
  EXPECT_FALSE(ours.contains("PatientID"));
  EXPECT_FALSE(ours.contains("PatientName"));
  // Per-slice values: a scalar when uniform, an array otherwise.
  const json& frame = ours["Frames"][0];
  EXPECT_EQ(frame["AcquisitionDateTime"], "2000-09-07T11:20:11");
  EXPECT_EQ(frame["ActualFrameDuration"], 240000.0);
  EXPECT_EQ(frame["FrameReferenceTime"], json::array({0.0, 0.0, 243000.0, 243000.0}));
  EXPECT_EQ(frame["DecayFactor"], json::array({1.01268, 1.01268, 1.0389, 1.0389}));
  EXPECT_FALSE(frame.contains("PhilipsSUVScaleFactor"));
}

TEST(MakeSidecarTest, IsDeterministicWithSortedKeys) {
  const std::string first = make_sidecar_json(sts_like_header(), sts_like_frames(), "");
  EXPECT_EQ(first, make_sidecar_json(sts_like_header(), sts_like_frames(), ""));
  const auto ordered = nlohmann::ordered_json::parse(first);
  std::vector<std::string> keys;
  for (const auto& item : ordered.items()) keys.push_back(item.key());
  EXPECT_TRUE(std::is_sorted(keys.begin(), keys.end()));
  std::vector<std::string> our_keys;
  for (const auto& item : ordered["oncotrace"].items()) our_keys.push_back(item.key());
  EXPECT_TRUE(std::is_sorted(our_keys.begin(), our_keys.end()));
}

TEST(MakeSidecarTest, ExtraJsonMergesAndUnitsFollowTheTopLevel) {
  const std::string extra = R"({"SuvAudit": {"factor": 2.429e-4}, "Units": "g/ml{SUVbw}",
                                "oncotrace": {"Note": "derived"}})";
  const json sidecar = json::parse(make_sidecar_json(sts_like_header(), sts_like_frames(), extra));
  EXPECT_EQ(sidecar["SuvAudit"]["factor"], 2.429e-4);
  EXPECT_EQ(sidecar["Units"], "g/ml{SUVbw}");
  EXPECT_EQ(sidecar["oncotrace"]["Note"], "derived");
  EXPECT_EQ(sidecar["oncotrace"]["Units"], "GML");
  EXPECT_EQ(sidecar["oncotrace"]["SUVType"], "BW");
  EXPECT_EQ(sidecar["oncotrace"]["DecayCorrection"], "START");  // merged, not replaced
  EXPECT_THROW(make_sidecar_json(sts_like_header(), sts_like_frames(), "[1, 2]"),
               InvalidInputError);
  EXPECT_THROW(make_sidecar_json(sts_like_header(), sts_like_frames(), "{"), InvalidInputError);
}

TEST(MakeSidecarTest, AdminDecayCorrectionPointsAtTheInjection) {
  SeriesHeader header = sts_like_header();
  header.decay_correction.value = "ADMIN";
  header.radiopharmaceutical.start_datetime = {"20000907103500.000000", "(0018,1078)"};
  const json sidecar = json::parse(make_sidecar_json(header, sts_like_frames(), ""));
  EXPECT_DOUBLE_EQ(sidecar["ImageDecayCorrectionTime"].get<double>(), 0.0);
  EXPECT_EQ(sidecar["oncotrace"]["RadiopharmaceuticalStartDateTime"], "2000-09-07T10:35:00");
}

// The export -> read round trip that the SUV module relies on: every field it reads comes back
// as DICOM-style strings with a sidecar source.
TEST(ReadNiftiSeriesTest, ExportedSeriesComesBackAsTheDicomHeader) {
  testing::TemporaryDirectory folder;
  SeriesHeader header = sts_like_header();
  header.radiopharmaceutical.start_datetime = {"20000907103500.25", "(0018,1078)"};
  header.ge_scan_datetime = {"20000907112011", "(0009,100D)"};
  const auto frames = sts_like_frames();
  const auto image_path = export_series(folder.path(), header, frames);
  const ImageSeries series = read_nifti_series(image_path);

  const SeriesHeader& back = series.header;
  EXPECT_EQ(back.modality, "PT");
  EXPECT_EQ(back.series_instance_uid, "1.2.3.4.5");
  EXPECT_EQ(back.frame_of_reference_uid, "1.2.3.4.6");
  EXPECT_EQ(back.manufacturer, "GE MEDICAL SYSTEMS");
  EXPECT_EQ(back.series_type, header.series_type);
  EXPECT_EQ(back.series_date, "20000907");
  EXPECT_EQ(back.series_time, "112011.000000");
  EXPECT_EQ(back.study_time, "110000.000000");
  EXPECT_EQ(back.patient_id, "");
  ASSERT_TRUE(back.patient_weight_kg.has_value());
  EXPECT_EQ(*back.patient_weight_kg, 71.0);
  EXPECT_EQ(back.patient_weight_kg.source, "sidecar pet.json: oncotrace.PatientWeight");
  EXPECT_EQ(*back.patient_size_m, 1.63);
  EXPECT_EQ(*back.patient_sex, "M");
  const RadiopharmaceuticalInfo& drug = back.radiopharmaceutical;
  EXPECT_EQ(*drug.start_time, "103500.000000");
  EXPECT_EQ(*drug.start_datetime, "20000907103500.250000");
  EXPECT_EQ(drug.start_datetime.source,
            "sidecar pet.json: oncotrace.RadiopharmaceuticalStartDateTime");
  EXPECT_EQ(*drug.total_dose, 3.88777472e8);
  EXPECT_EQ(*drug.half_life_s, 6588.0);
  EXPECT_EQ(*drug.radionuclide_code, "C-111A1");
  EXPECT_EQ(*drug.radionuclide_meaning, "^18^Fluorine");
  EXPECT_EQ(*back.units, "BQML");
  EXPECT_EQ(back.units.source, "sidecar pet.json: oncotrace.Units");
  EXPECT_EQ(*back.decay_correction, "START");
  EXPECT_EQ(back.corrected_image, header.corrected_image);
  EXPECT_EQ(*back.ge_scan_datetime, "20000907112011.000000");
  EXPECT_FALSE(back.suv_type.has_value());
  EXPECT_FALSE(back.siemens_decay_correction_datetime.has_value());
  EXPECT_NE(back.siemens_decay_correction_datetime.source.find("absent"), std::string::npos);
  EXPECT_EQ(*back.number_of_slices, 4);
  ASSERT_FALSE(back.reader_notes.empty());
  EXPECT_NE(back.reader_notes.back().find("a note from the DICOM reader"), std::string::npos);

  ASSERT_EQ(series.frames.size(), 1U);
  const Frame& frame = series.frames.front();
  EXPECT_EQ(frame.image.values, frames.front().image.values);
  ASSERT_EQ(frame.slices.size(), 4U);
  for (size_t k = 0; k < 4; ++k) {
    const SliceRecord& slice = frame.slices[k];
    const SliceRecord& original = frames.front().slices[k];
    EXPECT_EQ(slice.acquisition_date, "20000907");
    EXPECT_EQ(slice.acquisition_time, "112011.000000");
    EXPECT_EQ(slice.acquisition_datetime, "20000907112011.000000");
    EXPECT_EQ(slice.frame_reference_time_ms, original.frame_reference_time_ms);
    EXPECT_EQ(slice.actual_frame_duration_ms, original.actual_frame_duration_ms);
    EXPECT_EQ(slice.decay_factor, original.decay_factor);
    EXPECT_EQ(slice.image_index, original.image_index);
    EXPECT_EQ(slice.rescale_slope, 1.0);
    EXPECT_EQ(slice.rescale_intercept, 0.0);
    EXPECT_NEAR(slice.position_mm[2], original.position_mm[2], 1e-4);
  }
  EXPECT_EQ(series.files.size(), 2U);
}

TEST(ReadNiftiSeriesTest, DerivedSuvImageReadsAsGml) {
  testing::TemporaryDirectory folder;
  const auto image_path = export_series(folder.path(), sts_like_header(), sts_like_frames(),
                                        R"({"Units": "g/ml{SUVbw}"})");
  const SeriesHeader header = read_nifti_series(image_path).header;
  EXPECT_EQ(*header.units, "GML");
  EXPECT_EQ(*header.suv_type, "BW");
}

TEST(ReadNiftiSeriesTest, TopLevelUnitsWinOverAStaleOncotraceObject) {
  testing::TemporaryDirectory folder;
  const auto image_path = export_series(folder.path(), sts_like_header(), sts_like_frames());
  json sidecar = json::parse(read_text(sidecar_path_for(image_path)));
  sidecar["Units"] = "kBq/mL";  // edited by hand after export: no DICOM term
  std::ofstream(sidecar_path_for(image_path)) << sidecar.dump(2);
  const SeriesHeader header = read_nifti_series(image_path).header;
  EXPECT_FALSE(header.units.has_value());
  EXPECT_NE(header.units.source.find("kBq/mL"), std::string::npos);
}

TEST(ReadNiftiSeriesTest, DynamicFramesKeepTheirTiming) {
  testing::TemporaryDirectory folder;
  SeriesHeader header = sts_like_header();
  header.series_type = {"DYNAMIC", "IMAGE"};
  std::vector<Frame> frames;
  for (int f = 0; f < 3; ++f) {
    Frame frame = sts_like_frames().front();
    frame.start_s = 60.0 * f;
    frame.duration_s = 60.0;
    for (auto& value : frame.image.values) value += 100.0F * static_cast<float>(f);
    frames.push_back(frame);
  }
  const auto image_path = export_series(folder.path(), header, frames);
  const json sidecar = json::parse(read_text(sidecar_path_for(image_path)));
  EXPECT_EQ(sidecar["FrameTimesStart"], json::array({2711.0, 2771.0, 2831.0}));
  EXPECT_EQ(sidecar["FrameDuration"], json::array({60.0, 60.0, 60.0}));

  const ImageSeries series = read_nifti_series(image_path);
  ASSERT_EQ(series.frames.size(), 3U);
  for (int f = 0; f < 3; ++f) {
    EXPECT_EQ(series.frames[f].start_s, 60.0 * f);
    EXPECT_EQ(series.frames[f].duration_s, 60.0);
    EXPECT_EQ(series.frames[f].image.values, frames[f].image.values);
    EXPECT_EQ(series.frames[f].slices.front().frame_in_file, f);
  }
}

TEST(ReadNiftiSeriesTest, WithoutSidecarTheHeaderIsEmpty) {
  testing::TemporaryDirectory folder;
  const auto image_path = folder.path() / "image.nii.gz";
  write_nifti(image_path, ImageVolume(small_grid(), 1.0F));
  const ImageSeries series = read_nifti_series(image_path);
  EXPECT_FALSE(series.header.units.has_value());
  EXPECT_NE(series.header.units.source.find("no sidecar"), std::string::npos);
  EXPECT_EQ(series.header.series_description, "image.nii.gz");
  EXPECT_EQ(series.files.size(), 1U);
  ASSERT_EQ(series.frames.size(), 1U);
  EXPECT_EQ(series.frames.front().slices.size(), 4U);
}

TEST(ReadNiftiSeriesTest, BrokenSidecarsAreInvalidInput) {
  testing::TemporaryDirectory folder;
  const auto image_path = folder.path() / "image.nii.gz";
  write_nifti(image_path, ImageVolume(small_grid(), 1.0F));
  std::ofstream(sidecar_path_for(image_path)) << "{ not json";
  EXPECT_THROW(read_nifti_series(image_path), InvalidInputError);
  std::ofstream(sidecar_path_for(image_path)) << R"({"oncotrace": {"Frames": [{}, {}]}})";
  EXPECT_THROW(read_nifti_series(image_path), InvalidInputError);
  std::ofstream(sidecar_path_for(image_path))
      << R"({"oncotrace": {"Frames": [{"DecayFactor": [1, 2]}]}})";  // 2 values, 4 slices
  EXPECT_THROW(read_nifti_series(image_path), InvalidInputError);
  std::ofstream(sidecar_path_for(image_path)) << R"({"oncotrace": {"PatientWeight": "heavy"}})";
  EXPECT_THROW(read_nifti_series(image_path), InvalidInputError);
}

// A BIDS-PET sidecar from elsewhere: the bids-examples pet001 sidecar (test-data.md §7.3),
// beside a small 45-frame image made here (the upstream images are empty placeholders).
TEST(ReadNiftiSeriesTest, ForeignBidsPetSidecar) {
  ONCOTRACE_REQUIRE_TEST_DATA(pet, "kinetics/bids-pet-blood/pet001/sub-01/ses-01/pet");
  testing::TemporaryDirectory folder;
  const auto image_path = folder.path() / "sub-01_ses-01_trc-CIMBI36_pet.nii.gz";
  Geometry grid;
  grid.size = {2, 2, 2};
  write_nifti(image_path, std::vector<ImageVolume>(45, ImageVolume(grid, 1.0F)));
  std::filesystem::copy_file(pet / "sub-01_ses-01_trc-CIMBI36_pet.json",
                             sidecar_path_for(image_path));
  const ImageSeries series = read_nifti_series(image_path);
  const SeriesHeader& header = series.header;
  const std::string file = "sidecar sub-01_ses-01_trc-CIMBI36_pet.json: ";
  EXPECT_EQ(header.modality, "PT");
  EXPECT_EQ(header.manufacturer, "Siemens");
  EXPECT_EQ(*header.units, "BQML");  // "Bq/ml"
  EXPECT_EQ(header.units.source, file + "Units");
  EXPECT_EQ(*header.radiopharmaceutical.radiopharmaceutical, "CIMBI-36");
  EXPECT_EQ(*header.radiopharmaceutical.radionuclide_meaning, "C11");
  EXPECT_DOUBLE_EQ(*header.radiopharmaceutical.total_dose, 573e6);  // 573 MBq
  EXPECT_EQ(header.radiopharmaceutical.total_dose.source, file + "InjectedRadioactivity");
  // ImageDecayCorrectionTime 0 = InjectionStart: decay-corrected to the injection.
  EXPECT_EQ(*header.decay_correction, "ADMIN");
  EXPECT_EQ(*header.decay_corrected_flag, "YES");
  EXPECT_EQ(*header.attenuation_corrected_flag, "YES");
  // Clock times without a date (BIDS keeps the date in scans.tsv).
  EXPECT_EQ(header.series_date, "");
  EXPECT_EQ(header.series_time, "130442.000000");
  EXPECT_EQ(*header.radiopharmaceutical.start_time, "130442.000000");
  EXPECT_FALSE(header.radiopharmaceutical.start_datetime.has_value());
  EXPECT_FALSE(header.patient_weight_kg.has_value());
  // The upstream defect: FrameDuration holds frame end times (10, 20, 30, ...).
  bool noted = false;
  for (const auto& note : header.reader_notes) noted |= note.find("end times") != std::string::npos;
  EXPECT_TRUE(noted);
  ASSERT_EQ(series.frames.size(), 45U);
  EXPECT_EQ(series.frames[1].start_s, 10.0);
  EXPECT_EQ(series.frames[1].duration_s, 20.0);
  EXPECT_EQ(series.frames[1].slices.front().actual_frame_duration_ms, 20000.0);
}

TEST(ReadNiftiSeriesTest, BidsDecayCorrectionTimeMapsToStartOrADateTime) {
  testing::TemporaryDirectory folder;
  const auto image_path = folder.path() / "pet.nii.gz";
  write_nifti(image_path, ImageVolume(small_grid(), 1.0F));
  json sidecar = {{"Units", "Bq/mL"},
                  {"TimeZero", "10:00:00"},
                  {"ScanStart", 3600},
                  {"InjectionStart", 0},
                  {"ScanDate", "2025-01-01"},
                  {"ImageDecayCorrected", true},
                  {"ImageDecayCorrectionTime", 3600},
                  {"InjectedRadioactivity", 368.08},
                  {"InjectedRadioactivityUnits", "MBq"},
                  {"BodyWeight", 70}};
  std::ofstream(sidecar_path_for(image_path)) << sidecar.dump();
  SeriesHeader header = read_nifti_series(image_path).header;
  EXPECT_EQ(*header.decay_correction, "START");
  EXPECT_EQ(header.series_date, "20250101");
  EXPECT_EQ(header.series_time, "110000.000000");
  EXPECT_EQ(*header.radiopharmaceutical.start_datetime, "20250101100000.000000");
  EXPECT_EQ(*header.patient_weight_kg, 70.0);

  sidecar["ImageDecayCorrectionTime"] = 1800;  // neither injection nor scan start
  std::ofstream(sidecar_path_for(image_path)) << sidecar.dump();
  header = read_nifti_series(image_path).header;
  EXPECT_EQ(*header.decay_correction, "START");
  EXPECT_EQ(*header.decay_correction_datetime, "20250101103000.000000");

  sidecar["ImageDecayCorrected"] = false;
  std::ofstream(sidecar_path_for(image_path)) << sidecar.dump();
  EXPECT_EQ(*read_nifti_series(image_path).header.decay_correction, "NONE");
}

}  // namespace
}  // namespace oncotrace
