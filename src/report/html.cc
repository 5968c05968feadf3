// HTML helpers and the document frame of the report (src/report/report_internal.h).
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <fstream>

#include "oncotrace/error.h"
#include "oncotrace/version.h"
#include "report/report_internal.h"

namespace oncotrace {

std::string escape_html(const std::string& text) {
  std::string out;
  out.reserve(text.size());
  for (const char c : text) {
    switch (c) {
      case '&':
        out += "&amp;";
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '"':
        out += "&quot;";
        break;
      case '\'':
        out += "&#39;";
        break;
      default:
        out += c;
    }
  }
  return out;
}

namespace report_internal {
namespace {

// Print-friendly, no external resource (fonts are the reader's sans-serif).
constexpr const char* kStyle = R"css(
body { font-family: "DejaVu Sans", Arial, Helvetica, sans-serif; color: #1d1d1f; margin: 24px;
       max-width: 1200px; font-size: 14px; line-height: 1.4; }
h1 { font-size: 22px; margin: 0 0 4px 0; }
h2 { font-size: 17px; border-bottom: 2px solid #3a5f8f; padding-bottom: 3px; margin-top: 28px; }
h3 { font-size: 15px; margin: 16px 0 6px 0; }
table { border-collapse: collapse; margin: 6px 0 12px 0; }
th, td { border: 1px solid #c8ccd2; padding: 3px 7px; text-align: left; vertical-align: top; }
th { background: #eef1f5; font-weight: 600; }
td.num { text-align: right; font-variant-numeric: tabular-nums; }
table.kv th { width: 260px; }
.disclaimer { border: 2px solid #b3261e; background: #fdf1f0; padding: 8px 12px;
              font-weight: 600; margin: 12px 0; }
.note { color: #555; font-size: 13px; }
.warning { color: #8a4b00; }
figure { margin: 8px 0 18px 0; }
figure img { max-width: 100%; height: auto; border: 1px solid #d0d0d0; }
figcaption { font-size: 13px; color: #444; margin-top: 4px; }
.hidden-id { color: #777; font-style: italic; }
footer { margin-top: 30px; font-size: 12px; color: #666; }
@media print { body { margin: 0; max-width: none; } h2 { break-after: avoid; }
               figure, table { break-inside: avoid; } }
@page { size: A4; margin: 14mm; }
)css";

}  // namespace

std::string base64_encode(const std::string& bytes) {
  static constexpr char kAlphabet[] =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string out;
  out.reserve((bytes.size() + 2) / 3 * 4);
  size_t index = 0;
  for (; index + 2 < bytes.size(); index += 3) {
    const uint32_t triple = (uint32_t{static_cast<uint8_t>(bytes[index])} << 16) |
                            (uint32_t{static_cast<uint8_t>(bytes[index + 1])} << 8) |
                            uint32_t{static_cast<uint8_t>(bytes[index + 2])};
    out += kAlphabet[(triple >> 18) & 63];
    out += kAlphabet[(triple >> 12) & 63];
    out += kAlphabet[(triple >> 6) & 63];
    out += kAlphabet[triple & 63];
  }
  const size_t rest = bytes.size() - index;
  if (rest > 0) {
    uint32_t triple = uint32_t{static_cast<uint8_t>(bytes[index])} << 16;
    if (rest == 2) triple |= uint32_t{static_cast<uint8_t>(bytes[index + 1])} << 8;
    out += kAlphabet[(triple >> 18) & 63];
    out += kAlphabet[(triple >> 12) & 63];
    out += rest == 2 ? kAlphabet[(triple >> 6) & 63] : '=';
    out += '=';
  }
  return out;
}

std::string format_number(double value, int significant) {
  if (!std::isfinite(value)) return "-";
  char text[48];
  // Fixed notation for everyday magnitudes (no exponent in a table of SUVs and volumes).
  const double magnitude = std::fabs(value);
  if (magnitude != 0.0 && (magnitude >= 1e7 || magnitude < 1e-3)) {
    std::snprintf(text, sizeof(text), "%.*g", significant, value);
    return text;
  }
  // Digits before the first significant one count negative (0.05: -1), so 0.05 -> "0.0500".
  const int digits_before =
      magnitude == 0.0 ? 1 : static_cast<int>(std::floor(std::log10(magnitude))) + 1;
  const int decimals = std::max(0, significant - digits_before);
  std::snprintf(text, sizeof(text), "%.*f", decimals, value);
  return text;
}

std::string format_json_number(const nlohmann::json& value, int significant) {
  if (!value.is_number()) return "-";
  return format_number(value.get<double>(), significant);
}

std::string key_value_row(const std::string& key, const std::string& value) {
  return "<tr><th>" + escape_html(key) + "</th><td>" + escape_html(value) + "</td></tr>\n";
}

std::string json_text(const nlohmann::json& value) {
  if (value.is_null()) return "-";
  if (value.is_string()) return value.get<std::string>();
  if (value.is_boolean()) return value.get<bool>() ? "yes" : "no";
  if (value.is_number_integer()) return std::to_string(value.get<int64_t>());
  if (value.is_number()) return format_number(value.get<double>(), 6);
  if (value.is_array()) {
    std::string text;
    for (const auto& item : value) text += (text.empty() ? "" : ", ") + json_text(item);
    return text.empty() ? "-" : text;
  }
  return value.dump();
}

const nlohmann::json& at_or_null(const nlohmann::json& object, const std::string& key) {
  static const nlohmann::json kNull = nullptr;
  if (!object.is_object()) return kNull;
  const auto found = object.find(key);
  return found == object.end() ? kNull : *found;
}

std::string text_of(const nlohmann::json& object, const char* key) {
  const nlohmann::json& value = at_or_null(object, key);
  return value.is_string() ? value.get<std::string>() : std::string();
}

std::string text_cell(const std::string& text) { return "<td>" + escape_html(text) + "</td>"; }

std::string json_cell(const nlohmann::json& value) { return text_cell(json_text(value)); }

std::string number_cell(const nlohmann::json& value, int significant) {
  return "<td class=\"num\">" + escape_html(format_json_number(value, significant)) + "</td>";
}

std::string messages_list(const nlohmann::json& messages, const char* css_class) {
  if (!messages.is_array() || messages.empty()) return "";
  std::string html = "<ul class=\"" + std::string(css_class) + "\">\n";
  for (const nlohmann::json& message : messages) {
    html += "<li>" + escape_html(json_text(message)) + "</li>\n";
  }
  return html + "</ul>\n";
}

nlohmann::json read_json_file(const std::filesystem::path& file) {
  std::ifstream stream(file);
  if (!stream) throw InvalidInputError(file.string() + ": cannot be read");
  try {
    return nlohmann::json::parse(stream);
  } catch (const nlohmann::json::exception& error) {
    throw InvalidInputError(file.string() + ": not valid JSON (" + error.what() + ")");
  }
}

std::string uptake_unit_label(const std::string& ucum) {
  const size_t brace = ucum.find('{');
  if (brace != std::string::npos && ucum.back() == '}') {
    std::string base = ucum.substr(0, brace);
    const std::string kind = ucum.substr(brace + 1, ucum.size() - brace - 2);
    if (base == "g/ml") base = "g/mL";
    if (base == "cm2/ml") base = "cm\u00b2/mL";
    return kind + " (" + base + ")";
  }
  if (ucum == "Bq/ml") return "Bq/mL";
  return ucum;
}

std::string html_document(const std::string& title, const std::vector<Section>& sections) {
  std::string html =
      "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
      "<meta name=\"generator\" content=\"oncotrace " +
      escape_html(version_string()) + "\">\n<title>" + escape_html(title) + "</title>\n<style>" +
      kStyle + "</style>\n</head>\n<body>\n";
  for (const Section& section : sections) {
    html += "<section id=\"" + escape_html(section.id) + "\">\n";
    if (!section.title.empty()) html += "<h2>" + escape_html(section.title) + "</h2>\n";
    html += section.body + "</section>\n";
  }
  html += "<footer>Generated by oncotrace " + escape_html(version_string()) +
          ". Research use only; measurements and literature-referenced annotations, not "
          "treatment recommendations.</footer>\n</body>\n</html>\n";
  return html;
}

}  // namespace report_internal
}  // namespace oncotrace
