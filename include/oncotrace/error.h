// Error classes at the library boundary.
//
// Every failure a user can cause or fix belongs to one of four classes. The CLI maps each class
// to one exit code (docs/exit-codes.md), and never prints a stack trace for the first three:
//
//   InvalidInputError      exit 2  broken file, inconsistent geometry, implausible value
//   MissingMetadataError   exit 2  a required DICOM attribute (or sidecar field) is absent
//   UnsupportedDataError   exit 3  a valid input oncotrace has no defined path for
//   InternalError          exit 1  a bug: an invariant of oncotrace itself was violated
//
// Messages name the file, the tag or value, and the remedy (usually an override flag), e.g.
//   "series 1.2.3 (./pet/IM0001.dcm): PatientWeight (0010,1030) is missing; give --weight KG".
#ifndef ONCOTRACE_ERROR_H_
#define ONCOTRACE_ERROR_H_

#include <stdexcept>
#include <string>

namespace oncotrace {

enum class ErrorKind { kInvalidInput, kMissingMetadata, kUnsupportedData, kInternal };

class Error : public std::runtime_error {
 public:
  Error(ErrorKind kind, const std::string& message) : std::runtime_error(message), kind_(kind) {}
  ErrorKind kind() const { return kind_; }

 private:
  ErrorKind kind_;
};

class InvalidInputError : public Error {
 public:
  explicit InvalidInputError(const std::string& message)
      : Error(ErrorKind::kInvalidInput, message) {}
};

class MissingMetadataError : public Error {
 public:
  explicit MissingMetadataError(const std::string& message)
      : Error(ErrorKind::kMissingMetadata, message) {}
};

class UnsupportedDataError : public Error {
 public:
  explicit UnsupportedDataError(const std::string& message)
      : Error(ErrorKind::kUnsupportedData, message) {}
};

class InternalError : public Error {
 public:
  explicit InternalError(const std::string& message) : Error(ErrorKind::kInternal, message) {}
};

// The process exit code for an error class: 2 invalid input / missing metadata, 3 unsupported
// data, 1 internal error.
int exit_code_for(ErrorKind kind);

// Short machine-readable name of an error class ("invalid_input", "missing_metadata", ...).
const char* error_kind_name(ErrorKind kind);

}  // namespace oncotrace

#endif  // ONCOTRACE_ERROR_H_
