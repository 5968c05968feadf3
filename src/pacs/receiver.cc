// C-STORE receiver (Storage SCP, DICOM PS3.4 Annex B) on DCMTK's DcmSCP
// (include/oncotrace/pacs.h).
#include <dcmtk/config/osconfig.h>  // before the other DCMTK headers
#include <dcmtk/dcmdata/dcdeftag.h>
#include <dcmtk/dcmdata/dcfilefo.h>
#include <dcmtk/dcmdata/dcuid.h>
#include <dcmtk/dcmnet/diutil.h>
#include <dcmtk/dcmnet/scp.h>
#include <fcntl.h>
#include <spdlog/spdlog.h>
#include <unistd.h>

#include <random>
#include <sstream>

#include "oncotrace/error.h"
#include "oncotrace/pacs.h"
#include "pacs/dcmtk_logging.h"

namespace oncotrace {
namespace {

// Transfer syntaxes accepted for every storage SOP class, preferred first. Instances are stored
// in the transfer syntax they arrived in.
const char* const kAcceptedTransferSyntaxes[] = {
    UID_LittleEndianExplicitTransferSyntax,
    UID_LittleEndianImplicitTransferSyntax,
    UID_BigEndianExplicitTransferSyntax,
    UID_DeflatedExplicitVRLittleEndianTransferSyntax,
    UID_JPEGProcess14SV1TransferSyntax,
    UID_JPEGProcess14TransferSyntax,
    UID_JPEGLSLosslessTransferSyntax,
    UID_JPEG2000LosslessOnlyTransferSyntax,
    UID_RLELosslessTransferSyntax,
    UID_JPEGProcess1TransferSyntax,
    UID_JPEGProcess2_4TransferSyntax,
    UID_JPEGLSLossyTransferSyntax,
    UID_JPEG2000TransferSyntax,
};

std::string string_of(DcmDataset& dataset, const DcmTagKey& tag) {
  OFString value;
  if (dataset.findAndGetOFString(tag, value).bad()) return {};
  // OFString is std::string only in STL-configured DCMTK builds; c_str() converts in all of them.
  return std::string(value.c_str());  // NOLINT(readability-redundant-string-cstr)
}

// Flushes a file or folder to the disk (fsync), so that an acknowledged instance survives a
// power loss. Returns false on failure.
bool sync_path(const std::filesystem::path& path) {
  const int descriptor = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (descriptor < 0) return false;
  const bool synced = ::fsync(descriptor) == 0;
  ::close(descriptor);
  return synced;
}

std::string random_hex() {
  std::random_device device;
  std::ostringstream text;
  text << std::hex << device() << device();
  return text.str();
}

}  // namespace

class StorageReceiver::Scp : public DcmSCP {
 public:
  explicit Scp(ReceiverOptions options) : options_(std::move(options)) {
    pacs::match_dcmtk_network_log_level();
    // DCMTK takes OFString, std::string only in STL-configured DCMTK builds.
    setAETitle(options_.ae_title.c_str());  // NOLINT(readability-redundant-string-cstr)
    setPort(options_.port);
    setACSETimeout(static_cast<Uint32>(options_.acse_timeout_s));
    setDIMSEBlockingMode(DIMSE_NONBLOCKING);
    setDIMSETimeout(static_cast<Uint32>(options_.dimse_timeout_s));
    // Non-blocking accept with a 1 s timeout, so that stop() is seen within about a second.
    setConnectionBlockingMode(DUL_NOBLOCK);
    setConnectionTimeout(1);
    setHostLookupEnabled(OFFalse);
    setEnableVerification();
    OFList<OFString> syntaxes;
    // OFList is std::list only in STL-configured DCMTK builds; DCMTK's own OFList has no
    // emplace_back.
    for (const char* syntax : kAcceptedTransferSyntaxes) {
      syntaxes.push_back(syntax);  // NOLINT(modernize-use-emplace)
    }
    for (int i = 0; i < numberOfDcmAllStorageSOPClassUIDs; ++i) {
      addPresentationContext(dcmAllStorageSOPClassUIDs[i], syntaxes);
    }
  }

  std::atomic<bool> stop_requested{false};
  std::atomic<uint64_t> stored{0};
  std::atomic<uint64_t> rejected{0};
  const ReceiverOptions& options() const { return options_; }

 protected:
  OFBool stopAfterConnectionTimeout() override { return stop_requested.load(); }
  OFBool stopAfterCurrentAssociation() override { return stop_requested.load(); }

  void notifyAssociationRequest(const T_ASC_Parameters& params,
                                DcmSCPActionType& desired_action) override {
    spdlog::debug("association from {} ({}) to {}", params.DULparams.callingAPTitle,
                  params.DULparams.callingPresentationAddress, params.DULparams.calledAPTitle);
    DcmSCP::notifyAssociationRequest(params, desired_action);
  }

  void notifyDIMSEError(const OFCondition& condition) override {
    spdlog::warn("DICOM receiver: association aborted after a network error: {}", condition.text());
  }

  OFCondition handleIncomingCommand(T_DIMSE_Message* message,
                                    const DcmPresentationContextInfo& context) override {
    if (message == nullptr || message->CommandField != DIMSE_C_STORE_RQ) {
      return DcmSCP::handleIncomingCommand(message, context);
    }
    T_DIMSE_C_StoreRQ& request = message->msg.CStoreRQ;
    DcmFileFormat file;
    DcmDataset* dataset = file.getDataset();
    OFCondition condition = receiveSTORERequest(request, context.presentationContextID, dataset);
    if (condition.bad()) {
      ++rejected;
      spdlog::error("DICOM receiver: instance {} could not be received: {}",
                    request.AffectedSOPInstanceUID, condition.text());
      if (condition == DIMSE_OUTOFRESOURCES) {
        sendSTOREResponse(context.presentationContextID, request,
                          STATUS_STORE_Refused_OutOfResources);
      }
      return condition;
    }
    const Uint16 status = store(request, file);
    return sendSTOREResponse(context.presentationContextID, request, status);
  }

 private:
  Uint16 reject(const T_DIMSE_C_StoreRQ& request, Uint16 status, const std::string& reason) {
    ++rejected;
    spdlog::error("DICOM receiver: rejected instance {} (SOP class {}) with status 0x{:04X}: {}",
                  request.AffectedSOPInstanceUID, request.AffectedSOPClassUID, status, reason);
    return status;
  }

  Uint16 store(const T_DIMSE_C_StoreRQ& request, DcmFileFormat& file) {
    DcmDataset& dataset = *file.getDataset();
    StoredInstance instance;
    instance.sop_class_uid = string_of(dataset, DCM_SOPClassUID);
    instance.sop_instance_uid = string_of(dataset, DCM_SOPInstanceUID);
    instance.study_instance_uid = string_of(dataset, DCM_StudyInstanceUID);
    instance.series_instance_uid = string_of(dataset, DCM_SeriesInstanceUID);
    instance.patient_id = string_of(dataset, DCM_PatientID);
    instance.study_date = string_of(dataset, DCM_StudyDate);
    const std::pair<const char*, const std::string*> uids[] = {
        {"SOPInstanceUID (0008,0018)", &instance.sop_instance_uid},
        {"StudyInstanceUID (0020,000D)", &instance.study_instance_uid},
        {"SeriesInstanceUID (0020,000E)", &instance.series_instance_uid},
    };
    for (const auto& [name, value] : uids) {
      if (value->empty()) {
        return reject(request, STATUS_STORE_Error_CannotUnderstand,
                      std::string(name) + " is missing");
      }
      if (!is_valid_dicom_uid(*value)) {
        return reject(request, STATUS_STORE_Error_CannotUnderstand,
                      std::string(name) + " '" + *value + "' is not a valid UID");
      }
    }
    if (instance.sop_instance_uid != request.AffectedSOPInstanceUID) {
      return reject(request, STATUS_STORE_Error_CannotUnderstand,
                    "SOPInstanceUID " + instance.sop_instance_uid +
                        " differs from the request's Affected SOP Instance UID");
    }
    if (instance.sop_class_uid != request.AffectedSOPClassUID) {
      return reject(request, STATUS_STORE_Error_DataSetDoesNotMatchSOPClass,
                    "SOPClassUID '" + instance.sop_class_uid +
                        "' differs from the request's Affected SOP Class UID");
    }

    const StoreLayout& layout = options_.store;
    const std::filesystem::path temporary = layout.temporary() / (".recv-" + random_hex() + ".dcm");
    const std::filesystem::path folder =
        layout.study_incoming(instance.study_instance_uid) / instance.series_instance_uid;
    instance.path = folder / (instance.sop_instance_uid + ".dcm");
    std::error_code error;
    std::filesystem::create_directories(folder, error);
    const OFCondition saved =
        error ? OFCondition(EC_IllegalCall) : file.saveFile(temporary.c_str(), EXS_Unknown);
    if (error || saved.bad() || !sync_path(temporary)) {
      std::filesystem::remove(temporary, error);
      return reject(request, STATUS_STORE_Refused_OutOfResources,
                    "cannot write " + instance.path.string() + " (" +
                        (saved.bad() ? std::string(saved.text()) : "disk or folder error") +
                        "); check free space and permissions of the store");
    }
    std::filesystem::rename(temporary, instance.path, error);
    if (error || !sync_path(folder)) {
      std::filesystem::remove(temporary, error);
      return reject(request, STATUS_STORE_Refused_OutOfResources,
                    "cannot move the received instance to " + instance.path.string());
    }
    try {
      if (options_.on_stored) options_.on_stored(instance);
    } catch (const std::exception& failure) {
      // The instance is on disk (start-up recovery finds it); the sender is told to retry.
      return reject(
          request, STATUS_STORE_Refused_OutOfResources,
          std::string("stored, but the study state could not be updated: ") + failure.what());
    }
    ++stored;
    spdlog::debug("stored {}", instance.path.string());
    return STATUS_Success;
  }

  ReceiverOptions options_;
};

StorageReceiver::StorageReceiver(ReceiverOptions options)
    : scp_(std::make_unique<Scp>(std::move(options))) {}

StorageReceiver::~StorageReceiver() = default;

void StorageReceiver::open() {
  const ReceiverOptions& options = scp_->options();
  check_ae_title(options.ae_title, "--aet");
  std::error_code error;
  std::filesystem::create_directories(options.store.temporary(), error);
  if (error) {
    throw InvalidInputError("cannot create " + options.store.temporary().string() + ": " +
                            error.message() + "; check --store");
  }
  // Instances that were being received when the listener stopped were never acknowledged: the
  // sender still has them, so their partial files are removed.
  for (const auto& item : std::filesystem::directory_iterator(options.store.temporary())) {
    std::filesystem::remove_all(item.path(), error);
  }
  const OFCondition condition = scp_->openListenPort();
  if (condition.bad()) {
    throw InvalidInputError("cannot listen on TCP port " + std::to_string(options.port) + " (" +
                            condition.text() +
                            "); choose a free port with --port (ports below 1024 need root)");
  }
}

void StorageReceiver::serve() {
  const OFCondition condition = scp_->acceptAssociations();
  if (condition.bad() && condition != NET_EC_StopAfterConnectionTimeout &&
      condition != NET_EC_StopAfterAssociation) {
    throw InternalError(std::string("DICOM receiver stopped: ") + condition.text());
  }
}

void StorageReceiver::stop() { scp_->stop_requested = true; }

uint64_t StorageReceiver::stored_count() const { return scp_->stored.load(); }
uint64_t StorageReceiver::rejected_count() const { return scp_->rejected.load(); }

}  // namespace oncotrace
