// C-STORE sender (Storage SCU) on DCMTK's DcmStorageSCU (include/oncotrace/pacs.h).
#include <dcmtk/config/osconfig.h>  // before the other DCMTK headers
#include <dcmtk/dcmnet/dstorscu.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <map>
#include <sstream>

#include "oncotrace/error.h"
#include "oncotrace/pacs.h"
#include "pacs/dcmtk_logging.h"

namespace oncotrace {
namespace {

std::string status_text(uint16_t status) {
  std::ostringstream text;
  text << "status 0x" << std::hex << std::uppercase;
  text.width(4);
  text.fill('0');
  text << status;
  if (status == 0x0000) return text.str() + " (success)";
  if ((status & 0xF000) == 0xB000) return text.str() + " (warning)";
  if ((status & 0xFF00) == 0xA700) return text.str() + " (refused: out of resources)";
  if ((status & 0xFF00) == 0xA900)
    return text.str() + " (error: data set does not match SOP class)";
  if ((status & 0xF000) == 0xC000) return text.str() + " (error: cannot understand)";
  if (status == 0x0122) return text.str() + " (refused: SOP class not supported)";
  if (status == 0x0124) return text.str() + " (refused: not authorized)";
  return text.str() + " (failure)";
}

// Records the response of each instance sent.
class RecordingStorageScu : public DcmStorageSCU {
 public:
  std::map<std::string, SendFileResult> results;  // by file name

 protected:
  void notifySOPInstanceSent(const TransferEntry& entry) override {
    SendFileResult& result = results[entry.Filename.getCharPointer()];
    // OFString is std::string only in STL-configured DCMTK builds; c_str() converts in all of them.
    // NOLINTBEGIN(readability-redundant-string-cstr)
    result.sop_class_uid = entry.SOPClassUID.c_str();
    result.sop_instance_uid = entry.SOPInstanceUID.c_str();
    // NOLINTEND(readability-redundant-string-cstr)
    result.sent = entry.RequestSent;
    result.status = entry.ResponseStatusCode;
    result.message = entry.RequestSent ? status_text(entry.ResponseStatusCode)
                                       : "not sent (no accepted presentation context)";
  }
};

}  // namespace

size_t SendReport::failed() const {
  return static_cast<size_t>(std::count_if(files.begin(), files.end(),
                                           [](const SendFileResult& file) { return !file.ok(); }));
}

std::vector<std::filesystem::path> collect_files(const std::vector<std::filesystem::path>& inputs) {
  std::vector<std::filesystem::path> files;
  for (const auto& input : inputs) {
    std::error_code error;
    if (std::filesystem::is_regular_file(input, error)) {
      files.push_back(input);
      continue;
    }
    if (!std::filesystem::is_directory(input, error)) {
      throw InvalidInputError(input.string() + " does not exist (or is not a file or folder)");
    }
    std::vector<std::filesystem::path> found;
    for (auto it = std::filesystem::recursive_directory_iterator(input);
         it != std::filesystem::recursive_directory_iterator(); ++it) {
      const std::string name = it->path().filename().string();
      if (!name.empty() && name.front() == '.') {
        if (it->is_directory()) it.disable_recursion_pending();
        continue;
      }
      if (it->is_regular_file()) found.push_back(it->path());
    }
    std::sort(found.begin(), found.end());
    files.insert(files.end(), found.begin(), found.end());
  }
  return files;
}

SendReport send_dicom_files(const std::vector<std::filesystem::path>& files,
                            const SendOptions& options) {
  check_ae_title(options.calling_ae_title, "--aet");
  pacs::match_dcmtk_network_log_level();
  SendReport report;
  RecordingStorageScu scu;
  // DCMTK takes OFString, std::string only in STL-configured DCMTK builds.
  // NOLINTBEGIN(readability-redundant-string-cstr)
  scu.setAETitle(options.calling_ae_title.c_str());
  scu.setPeerHostName(options.peer.host.c_str());
  scu.setPeerPort(options.peer.port);
  scu.setPeerAETitle(options.peer.ae_title.c_str());
  // NOLINTEND(readability-redundant-string-cstr)
  scu.setACSETimeout(static_cast<Uint32>(options.acse_timeout_s));
  scu.setDIMSEBlockingMode(DIMSE_NONBLOCKING);
  scu.setDIMSETimeout(static_cast<Uint32>(options.dimse_timeout_s));
  scu.setHaltOnUnsuccessfulStoreMode(OFFalse);
  scu.setHaltOnInvalidFileMode(OFFalse);

  std::map<std::string, std::string> unreadable;  // file -> reason
  for (const auto& file : files) {
    const OFCondition added = scu.addDicomFile(file.c_str(), ERM_fileOnly, OFTrue);
    if (added.bad()) {
      unreadable[file.string()] =
          std::string("not sent: not a DICOM file DCMTK can send (") + added.text() + ")";
    }
  }
  if (scu.getNumberOfSOPInstances() > 0) {
    const std::string peer = options.peer.text();
    OFCondition condition = scu.addPresentationContexts();
    if (condition.good()) condition = scu.initNetwork();
    if (condition.bad()) {
      throw InvalidInputError("cannot prepare sending to " + peer + ": " + condition.text());
    }
    // DcmStorageSCU proposes at most 128 presentation contexts per association and continues
    // with the next instances in a new association (as DCMTK's dcmsend does).
    size_t to_be_sent = scu.getNumberOfSOPInstancesToBeSent();
    while (to_be_sent > 0) {
      condition = scu.negotiateAssociation();
      if (condition.bad()) {
        throw InvalidInputError("cannot open an association with " + peer + " (" +
                                condition.text() +
                                "); check that the peer runs, that its AE title, host and port "
                                "are right and that it accepts calls from AE title " +
                                options.calling_ae_title);
      }
      condition = scu.sendSOPInstances();
      if (condition.bad()) {
        spdlog::warn("sending to {}: {}", peer, condition.text());
        scu.abortAssociation();
        break;
      }
      scu.releaseAssociation();
      // Instances no association can carry (no accepted presentation context) end the loop.
      const size_t left = scu.getNumberOfSOPInstancesToBeSent();
      if (left >= to_be_sent) break;
      to_be_sent = left;
    }
  }
  // Per-file results in input order; instances never handed to the network count as failed.
  for (const auto& file : files) {
    SendFileResult result;
    if (const auto bad = unreadable.find(file.string()); bad != unreadable.end()) {
      result.message = bad->second;
    } else if (const auto sent = scu.results.find(file.string()); sent != scu.results.end()) {
      result = sent->second;
    } else {
      result.message = "not sent (the association ended early)";
    }
    result.file = file;
    report.files.push_back(result);
  }
  return report;
}

}  // namespace oncotrace
