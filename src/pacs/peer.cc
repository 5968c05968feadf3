// Addresses of DICOM application entities and UID checks (include/oncotrace/pacs.h).
#include <algorithm>
#include <cctype>
#include <charconv>

#include "oncotrace/error.h"
#include "oncotrace/pacs.h"

namespace oncotrace {

std::string DicomPeer::text() const { return ae_title + "@" + host + ":" + std::to_string(port); }

void check_ae_title(const std::string& ae_title, const std::string& what) {
  // VR AE (PS3.5 Table 6.2-1): at most 16 characters, default repertoire without backslash and
  // control characters; leading and trailing spaces are not significant, so not only spaces.
  bool only_spaces = true;
  bool valid = !ae_title.empty() && ae_title.size() <= 16;
  for (const char c : ae_title) {
    const auto byte = static_cast<unsigned char>(c);
    if (byte < 0x20 || byte > 0x7E || c == '\\') valid = false;
    if (c != ' ') only_spaces = false;
  }
  if (!valid || only_spaces) {
    throw InvalidInputError(what + " '" + ae_title +
                            "' is not an AE title: use 1 to 16 printable ASCII characters "
                            "without backslash, e.g. ONCOTRACE");
  }
}

DicomPeer parse_dicom_peer(const std::string& text, const std::string& what) {
  const std::string expected =
      ": expected AET@HOST:PORT, e.g. ORTHANC@127.0.0.1:4242 (AE title, host name or IPv4 "
      "address, TCP port 1-65535)";
  const size_t at = text.rfind('@');
  const size_t colon = text.rfind(':');
  if (at == std::string::npos || colon == std::string::npos || colon < at || at == 0 ||
      colon == at + 1 || colon + 1 == text.size()) {
    throw InvalidInputError(what + " '" + text + "'" + expected);
  }
  DicomPeer peer;
  peer.ae_title = text.substr(0, at);
  peer.host = text.substr(at + 1, colon - at - 1);
  const std::string port_text = text.substr(colon + 1);
  unsigned int port = 0;
  const auto [end, error] =
      std::from_chars(port_text.data(), port_text.data() + port_text.size(), port);
  if (error != std::errc() || end != port_text.data() + port_text.size() || port == 0 ||
      port > 65535) {
    throw InvalidInputError(what + " '" + text + "': port '" + port_text + "' is not a TCP port" +
                            expected);
  }
  peer.port = static_cast<uint16_t>(port);
  const bool host_is_name = std::none_of(peer.host.begin(), peer.host.end(), [](char c) {
    return std::isspace(static_cast<unsigned char>(c)) || c == '@' || c == '/';
  });
  if (!host_is_name) {
    throw InvalidInputError(what + " '" + text + "': host '" + peer.host + "' is not a host name" +
                            expected);
  }
  check_ae_title(peer.ae_title, what + " AE title");
  return peer;
}

bool is_valid_dicom_uid(const std::string& uid) {
  if (uid.empty() || uid.size() > 64 || uid.front() == '.' || uid.back() == '.') return false;
  char previous = '.';
  for (const char c : uid) {
    if (c == '.') {
      if (previous == '.') return false;
    } else if (c < '0' || c > '9') {
      return false;
    }
    previous = c;
  }
  return true;
}

}  // namespace oncotrace
