#include "dicom/test_dicom_writer.h"

#include <dcmtk/dcmdata/dcdeftag.h>
#include <dcmtk/dcmdata/dcfilefo.h>
#include <dcmtk/dcmdata/dcrleerg.h>
#include <dcmtk/dcmdata/dcuid.h>
#include <dcmtk/dcmjpeg/djencode.h>
#include <dcmtk/dcmjpeg/djrplol.h>
#include <dcmtk/dcmjpls/djencode.h>

#include <cstdio>
#include <cstring>
#include <stdexcept>

#include "dicom/codecs.h"

namespace oncotrace::dicom::testing {
namespace {

void check(const OFCondition& status, const std::string& what) {
  if (status.bad()) throw std::runtime_error(what + ": " + status.text());
}

void register_encoders_once() {
  static const bool kRegistered = [] {
    initialise_dcmtk();
    DJEncoderRegistration::registerCodecs();
    DJLSEncoderRegistration::registerCodecs();
    DcmRLEEncoderRegistration::registerCodecs();
    return true;
  }();
  (void)kRegistered;
}

std::string number_text(double value) {
  char text[64];
  std::snprintf(text, sizeof(text), "%.10g", value);
  return text;
}

std::string numbers_text(const double* values, size_t count) {
  std::string text;
  for (size_t i = 0; i < count; ++i) {
    if (i > 0) text += "\\";
    text += number_text(values[i]);
  }
  return text;
}

void put(DcmItem& item, const DcmTagKey& tag, const std::string& value) {
  check(item.putAndInsertString(tag, value.c_str()), "put " + value);
}

void put_pixel_format(DcmItem& dataset, int rows, int columns, int bits_allocated, int bits_stored,
                      bool is_signed, const std::string& photometric) {
  check(dataset.putAndInsertUint16(DCM_SamplesPerPixel, 1), "SamplesPerPixel");
  put(dataset, DCM_PhotometricInterpretation, photometric);
  check(dataset.putAndInsertUint16(DCM_Rows, static_cast<Uint16>(rows)), "Rows");
  check(dataset.putAndInsertUint16(DCM_Columns, static_cast<Uint16>(columns)), "Columns");
  check(dataset.putAndInsertUint16(DCM_BitsAllocated, static_cast<Uint16>(bits_allocated)), "BA");
  check(dataset.putAndInsertUint16(DCM_BitsStored, static_cast<Uint16>(bits_stored)), "BS");
  check(dataset.putAndInsertUint16(DCM_HighBit, static_cast<Uint16>(bits_stored - 1)), "HB");
  check(dataset.putAndInsertUint16(DCM_PixelRepresentation, is_signed ? 1 : 0), "PR");
}

// Stores `values` as cells of `bits_allocated` bits, little endian, as OB (8 bits) or OW.
void put_pixel_data(DcmItem& dataset, const std::vector<int64_t>& values, int bits_allocated) {
  const size_t bytes_per_cell = static_cast<size_t>(bits_allocated / 8);
  std::vector<uint8_t> bytes(values.size() * bytes_per_cell + (values.size() * bytes_per_cell) % 2);
  for (size_t i = 0; i < values.size(); ++i) {
    const uint64_t cell = static_cast<uint64_t>(values[i]);
    for (size_t b = 0; b < bytes_per_cell; ++b) {
      bytes[i * bytes_per_cell + b] = static_cast<uint8_t>(cell >> (8 * b));
    }
  }
  if (bits_allocated == 8) {
    check(dataset.putAndInsertUint8Array(DCM_PixelData, bytes.data(), bytes.size()), "PixelData");
  } else {
    std::vector<Uint16> words(bytes.size() / 2);
    std::memcpy(words.data(), bytes.data(), bytes.size());
    check(dataset.putAndInsertUint16Array(DCM_PixelData, words.data(), words.size()), "PixelData");
  }
}

void save(DcmFileFormat& file, const std::filesystem::path& path,
          E_TransferSyntax transfer_syntax) {
  DcmDataset& dataset = *file.getDataset();
  const DcmXfer target(transfer_syntax);
  if (target.isEncapsulated()) {
    register_encoders_once();
    const DJ_RPLossless lossless_parameters;  // first-order prediction, no point transform
    const DcmRepresentationParameter* parameters =
        transfer_syntax == EXS_JPEGProcess14SV1 ? &lossless_parameters : nullptr;
    check(dataset.chooseRepresentation(transfer_syntax, parameters), "encode");
    if (!dataset.canWriteXfer(transfer_syntax)) {
      throw std::runtime_error(std::string("cannot encode as ") + target.getXferName());
    }
  }
  check(file.saveFile(path.c_str(), transfer_syntax), "save " + path.string());
}

void put_patient_and_study(DcmItem& dataset, const SyntheticSlice& slice) {
  put(dataset, DCM_SOPClassUID, slice.sop_class_uid);
  put(dataset, DCM_SOPInstanceUID,
      slice.sop_uid.empty() ? slice.series_uid + "." + std::to_string(slice.instance_number)
                            : slice.sop_uid);
  put(dataset, DCM_StudyInstanceUID, slice.study_uid);
  put(dataset, DCM_SeriesInstanceUID, slice.series_uid);
  put(dataset, DCM_Modality, slice.modality);
  put(dataset, DCM_SeriesDescription, slice.series_description);
  put(dataset, DCM_SeriesNumber, slice.series_number);
  put(dataset, DCM_InstanceNumber, std::to_string(slice.instance_number));
  put(dataset, DCM_PatientID, "SYNTHETIC");
  put(dataset, DCM_PatientName, "Synthetic^Phantom");
  put(dataset, DCM_PatientSex, "O");
  if (slice.patient_weight_kg)
    put(dataset, DCM_PatientWeight, number_text(*slice.patient_weight_kg));
  put(dataset, DCM_StudyDate, slice.series_date);
  put(dataset, DCM_StudyTime, slice.series_time);
  put(dataset, DCM_SeriesDate, slice.series_date);
  put(dataset, DCM_SeriesTime, slice.series_time);
  put(dataset, DCM_FrameOfReferenceUID, slice.study_uid + ".9");
}

void put_pet_attributes(DcmItem& dataset, const SyntheticSlice& slice) {
  if (slice.modality != "PT") return;
  put(dataset, DCM_SeriesType, slice.series_type);
  put(dataset, DCM_Units, slice.units);
  put(dataset, DCM_DecayCorrection, slice.decay_correction);
  put(dataset, DCM_CorrectedImage, "ATTN\\DECY");
  DcmItem* isotope = nullptr;
  check(dataset.findOrCreateSequenceItem(DCM_RadiopharmaceuticalInformationSequence, isotope, -2),
        "RadiopharmaceuticalInformationSequence");
  put(*isotope, DCM_Radiopharmaceutical, "FDG");
  put(*isotope, DCM_RadiopharmaceuticalStartTime, slice.injection_time);
  if (slice.total_dose_bq)
    put(*isotope, DCM_RadionuclideTotalDose, number_text(*slice.total_dose_bq));
  if (slice.half_life_s) put(*isotope, DCM_RadionuclideHalfLife, number_text(*slice.half_life_s));
  if (slice.frame_reference_time_ms) {
    put(dataset, DCM_FrameReferenceTime, number_text(*slice.frame_reference_time_ms));
  }
  if (slice.image_index) {
    check(dataset.putAndInsertUint16(DCM_ImageIndex, static_cast<Uint16>(*slice.image_index)),
          "ImageIndex");
  }
  if (slice.number_of_slices) {
    check(dataset.putAndInsertUint16(DCM_NumberOfSlices,
                                     static_cast<Uint16>(*slice.number_of_slices)),
          "NumberOfSlices");
  }
  if (slice.number_of_time_slices) {
    check(dataset.putAndInsertUint16(DCM_NumberOfTimeSlices,
                                     static_cast<Uint16>(*slice.number_of_time_slices)),
          "NumberOfTimeSlices");
  }
}

}  // namespace

std::vector<int64_t> ramp_values(int rows, int columns, int64_t offset) {
  std::vector<int64_t> values(static_cast<size_t>(rows) * static_cast<size_t>(columns));
  for (int row = 0; row < rows; ++row) {
    for (int column = 0; column < columns; ++column) {
      values[static_cast<size_t>(row) * static_cast<size_t>(columns) +
             static_cast<size_t>(column)] = offset + 10 * static_cast<int64_t>(row) + column;
    }
  }
  return values;
}

void write_slice(const SyntheticSlice& slice, const std::filesystem::path& path,
                 E_TransferSyntax transfer_syntax) {
  DcmFileFormat file;
  DcmDataset& dataset = *file.getDataset();
  put_patient_and_study(dataset, slice);
  put(dataset, DCM_ImageType, "ORIGINAL\\PRIMARY");
  put(dataset, DCM_AcquisitionDate, slice.acquisition_date);
  put(dataset, DCM_AcquisitionTime, slice.acquisition_time);
  put(dataset, DCM_ImagePositionPatient, numbers_text(slice.position_mm.data(), 3));
  put(dataset, DCM_ImageOrientationPatient, numbers_text(slice.orientation.data(), 6));
  const double spacing[2] = {slice.row_spacing_mm, slice.column_spacing_mm};
  put(dataset, DCM_PixelSpacing, numbers_text(spacing, 2));
  put(dataset, DCM_SliceThickness, number_text(slice.slice_thickness_mm));
  if (slice.rescale_slope) put(dataset, DCM_RescaleSlope, number_text(*slice.rescale_slope));
  if (slice.rescale_intercept) {
    put(dataset, DCM_RescaleIntercept, number_text(*slice.rescale_intercept));
  }
  if (slice.actual_frame_duration_ms) {
    put(dataset, DCM_ActualFrameDuration,
        std::to_string(static_cast<long long>(*slice.actual_frame_duration_ms)));
  }
  put_pet_attributes(dataset, slice);
  put_pixel_format(dataset, slice.rows, slice.columns, slice.bits_allocated, slice.bits_stored,
                   slice.is_signed, slice.photometric);
  put_pixel_data(
      dataset,
      slice.stored_values.empty() ? ramp_values(slice.rows, slice.columns, 0) : slice.stored_values,
      slice.bits_allocated);
  save(file, path, transfer_syntax);
}

std::vector<SyntheticSlice> make_stack(int count, double spacing_mm) {
  std::vector<SyntheticSlice> slices(static_cast<size_t>(count));
  for (int k = 0; k < count; ++k) {
    SyntheticSlice& slice = slices[static_cast<size_t>(k)];
    slice.instance_number = k + 1;
    slice.position_mm = {0.0, 0.0, k * spacing_mm};
    slice.stored_values = ramp_values(slice.rows, slice.columns, 100 * static_cast<int64_t>(k));
  }
  return slices;
}

void write_stack(const std::vector<SyntheticSlice>& slices, const std::filesystem::path& folder,
                 E_TransferSyntax transfer_syntax) {
  std::filesystem::create_directories(folder);
  for (size_t k = 0; k < slices.size(); ++k) {
    write_slice(slices[k], folder / ("slice_" + std::to_string(k) + ".dcm"), transfer_syntax);
  }
}

void write_nm_tomo(const SyntheticNmTomo& nm, const std::filesystem::path& path) {
  SyntheticSlice identity;
  identity.modality = "NM";
  identity.sop_class_uid = UID_NuclearMedicineImageStorage;
  identity.series_uid = "1.2.826.0.1.3680043.10.1153.2.1";
  DcmFileFormat file;
  DcmDataset& dataset = *file.getDataset();
  put_patient_and_study(dataset, identity);
  put(dataset, DCM_ImageType, "ORIGINAL\\PRIMARY\\RECON TOMO\\EMISSION");
  put(dataset, DCM_NumberOfFrames, std::to_string(nm.slices));
  check(dataset.putAndInsertTagKey(DCM_FrameIncrementPointer, DCM_SliceVector),
        "FrameIncrementPointer");
  std::vector<Uint16> slice_vector(static_cast<size_t>(nm.slices));
  for (int k = 0; k < nm.slices; ++k)
    slice_vector[static_cast<size_t>(k)] = static_cast<Uint16>(k + 1);
  check(dataset.putAndInsertUint16Array(DCM_SliceVector, slice_vector.data(), slice_vector.size()),
        "SliceVector");
  check(dataset.putAndInsertUint16(DCM_NumberOfSlices, static_cast<Uint16>(nm.slices)),
        "NumberOfSlices");
  const double spacing[2] = {nm.pixel_spacing_mm, nm.pixel_spacing_mm};
  put(dataset, DCM_PixelSpacing, numbers_text(spacing, 2));
  put(dataset, DCM_SpacingBetweenSlices, number_text(nm.spacing_mm));
  put(dataset, DCM_SliceThickness, number_text(nm.spacing_mm));
  DcmItem* detector = nullptr;
  check(dataset.findOrCreateSequenceItem(DCM_DetectorInformationSequence, detector, -2),
        "DetectorInformationSequence");
  put(*detector, DCM_ImagePositionPatient, numbers_text(nm.first_position_mm.data(), 3));
  const double orientation[6] = {1, 0, 0, 0, 1, 0};
  put(*detector, DCM_ImageOrientationPatient, numbers_text(orientation, 6));
  DcmItem* mapping = nullptr;
  check(dataset.findOrCreateSequenceItem(DCM_RealWorldValueMappingSequence, mapping, -2), "RWVM");
  check(mapping->putAndInsertFloat64(DCM_RealWorldValueSlope, nm.real_world_slope), "RWV slope");
  check(mapping->putAndInsertFloat64(DCM_RealWorldValueIntercept, 0.0), "RWV intercept");
  DcmItem* units = nullptr;
  check(mapping->findOrCreateSequenceItem(DCM_MeasurementUnitsCodeSequence, units, -2), "units");
  put(*units, DCM_CodeValue, "Bq/ml");
  put(*units, DCM_CodingSchemeDesignator, "UCUM");
  put(*units, DCM_CodeMeaning, "becquerels/milliliter");
  DcmItem* isotope = nullptr;
  check(dataset.findOrCreateSequenceItem(DCM_RadiopharmaceuticalInformationSequence, isotope, -2),
        "isotope");
  put(*isotope, DCM_RadionuclideHalfLife, "574300");
  put_pixel_format(dataset, nm.rows, nm.columns, 16, 16, false, "MONOCHROME2");
  std::vector<int64_t> values;
  for (int k = 0; k < nm.slices; ++k) {
    const std::vector<int64_t> frame =
        ramp_values(nm.rows, nm.columns, 100 * static_cast<int64_t>(k));
    values.insert(values.end(), frame.begin(), frame.end());
  }
  put_pixel_data(dataset, values, 16);
  save(file, path, EXS_LittleEndianExplicit);
}

int64_t enhanced_stored_value(int t, int p, int row, int column) {
  return 1000 * t + 100 * p + 10 * row + column;
}

double enhanced_slope(int t, int p, int planes) { return 1.0 + 0.25 * (t * planes + p); }

void write_enhanced_pet(const SyntheticEnhancedPet& pet, const std::filesystem::path& path) {
  SyntheticSlice identity;
  identity.sop_class_uid = UID_EnhancedPETImageStorage;
  identity.series_uid = "1.2.826.0.1.3680043.10.1153.3.1";
  DcmFileFormat file;
  DcmDataset& dataset = *file.getDataset();
  put_patient_and_study(dataset, identity);
  put(dataset, DCM_ImageType, "ORIGINAL\\PRIMARY");
  const int frames = pet.planes * pet.time_frames;
  put(dataset, DCM_NumberOfFrames, std::to_string(frames));
  put(dataset, DCM_DecayCorrected, "YES");
  put(dataset, DCM_AttenuationCorrected, "YES");
  put(dataset, DCM_DecayCorrectionDateTime, "20250101100000");
  DcmItem* isotope = nullptr;
  check(dataset.findOrCreateSequenceItem(DCM_RadiopharmaceuticalInformationSequence, isotope, -2),
        "isotope");
  put(*isotope, DCM_RadionuclideTotalDose, "370000000");
  put(*isotope, DCM_RadionuclideHalfLife, "6586.2");
  put(*isotope, DCM_RadiopharmaceuticalStartDateTime, "20250101090000");

  DcmItem* shared = nullptr;
  check(dataset.findOrCreateSequenceItem(DCM_SharedFunctionalGroupsSequence, shared, -2), "shared");
  DcmItem* measures = nullptr;
  check(shared->findOrCreateSequenceItem(DCM_PixelMeasuresSequence, measures, -2), "measures");
  const double spacing[2] = {pet.pixel_spacing_mm, pet.pixel_spacing_mm};
  put(*measures, DCM_PixelSpacing, numbers_text(spacing, 2));
  put(*measures, DCM_SliceThickness, number_text(pet.plane_spacing_mm));
  DcmItem* orientation_item = nullptr;
  check(shared->findOrCreateSequenceItem(DCM_PlaneOrientationSequence, orientation_item, -2),
        "orientation");
  const double orientation[6] = {1, 0, 0, 0, 1, 0};
  put(*orientation_item, DCM_ImageOrientationPatient, numbers_text(orientation, 6));

  std::vector<int64_t> values;
  for (int t = 0; t < pet.time_frames; ++t) {
    for (int p = 0; p < pet.planes; ++p) {
      DcmItem* per_frame = nullptr;
      check(dataset.findOrCreateSequenceItem(DCM_PerFrameFunctionalGroupsSequence, per_frame, -2),
            "per-frame");
      DcmItem* position_item = nullptr;
      check(per_frame->findOrCreateSequenceItem(DCM_PlanePositionSequence, position_item, -2),
            "position");
      // Planes stored from head to feet, so the reader must sort them.
      const double position[3] = {-5.0, 7.0, (pet.planes - 1 - p) * pet.plane_spacing_mm};
      put(*position_item, DCM_ImagePositionPatient, numbers_text(position, 3));
      DcmItem* transformation = nullptr;
      check(per_frame->findOrCreateSequenceItem(DCM_PixelValueTransformationSequence,
                                                transformation, -2),
            "transformation");
      put(*transformation, DCM_RescaleSlope, number_text(enhanced_slope(t, p, pet.planes)));
      put(*transformation, DCM_RescaleIntercept, "0");
      put(*transformation, DCM_RescaleType, "BQML");
      DcmItem* content = nullptr;
      check(per_frame->findOrCreateSequenceItem(DCM_FrameContentSequence, content, -2), "content");
      char when[32];
      std::snprintf(when, sizeof(when), "2025010110%02d00", t);  // one minute per time frame
      put(*content, DCM_FrameAcquisitionDateTime, when);
      std::snprintf(when, sizeof(when), "2025010110%02d30", t);
      put(*content, DCM_FrameReferenceDateTime, when);
      check(content->putAndInsertFloat64(DCM_FrameAcquisitionDuration, 60000.0), "duration");
      check(content->putAndInsertUint32(DCM_TemporalPositionIndex, static_cast<Uint32>(t + 1)),
            "temporal index");
      for (int row = 0; row < pet.rows; ++row) {
        for (int column = 0; column < pet.columns; ++column) {
          values.push_back(enhanced_stored_value(t, p, row, column));
        }
      }
    }
  }
  put_pixel_format(dataset, pet.rows, pet.columns, 16, 16, true, "MONOCHROME2");
  put_pixel_data(dataset, values, 16);
  save(file, path, EXS_LittleEndianExplicit);
}

}  // namespace oncotrace::dicom::testing
