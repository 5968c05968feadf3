#include "oncotrace/error.h"

namespace oncotrace {

int exit_code_for(ErrorKind kind) {
  switch (kind) {
    case ErrorKind::kInvalidInput:
    case ErrorKind::kMissingMetadata:
      return 2;
    case ErrorKind::kUnsupportedData:
      return 3;
    case ErrorKind::kInternal:
      return 1;
  }
  return 1;
}

const char* error_kind_name(ErrorKind kind) {
  switch (kind) {
    case ErrorKind::kInvalidInput:
      return "invalid_input";
    case ErrorKind::kMissingMetadata:
      return "missing_metadata";
    case ErrorKind::kUnsupportedData:
      return "unsupported_data";
    case ErrorKind::kInternal:
      return "internal_error";
  }
  return "internal_error";
}

}  // namespace oncotrace
