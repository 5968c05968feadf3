#include "dicom/tag_access.h"

#include <dcmtk/config/osconfig.h>
#include <dcmtk/dcmdata/dcelem.h>
#include <dcmtk/dcmdata/dcitem.h>
#include <dcmtk/dcmdata/dcsequen.h>

#include <algorithm>
#include <charconv>

namespace oncotrace::dicom {
namespace {

std::string_view trimmed(std::string_view text) {
  const auto is_padding = [](char c) {
    return c == ' ' || c == '\0' || c == '\t' || c == '\r' || c == '\n';
  };
  while (!text.empty() && is_padding(text.front())) text.remove_prefix(1);
  while (!text.empty() && is_padding(text.back())) text.remove_suffix(1);
  return text;
}

uint32_t tag_number(const DcmTagKey& tag) {
  return (static_cast<uint32_t>(tag.getGroup()) << 16) | tag.getElement();
}

DcmElement* find_element(const ItemIndex& item, const DcmTagKey& tag) { return item.find(tag); }

std::optional<std::string> raw_text(DcmElement& element) {
  Uint8* bytes = nullptr;
  if (element.getUint8Array(bytes).bad() || bytes == nullptr) return std::nullopt;
  const std::string_view text(reinterpret_cast<const char*>(bytes), element.getLength());
  return std::string(trimmed(text));
}

std::optional<std::string> element_text(DcmElement& element) {
  if (element.ident() == EVR_UN) return raw_text(element);
  OFString value;
  if (element.getOFStringArray(value).bad()) return std::nullopt;
  return std::string(trimmed(std::string_view(value.c_str(), value.length())));
}

std::vector<std::string> split_values(const std::string& text) {
  std::vector<std::string> values;
  size_t start = 0;
  while (true) {
    const size_t end = text.find('\\', start);
    const std::string_view part(text.data() + start,
                                (end == std::string::npos ? text.size() : end) - start);
    values.emplace_back(trimmed(part));
    if (end == std::string::npos) break;
    start = end + 1;
  }
  return values;
}

}  // namespace

ItemIndex::ItemIndex(DcmItem& item) : item_(&item) {
  elements_.reserve(item.card());
  for (DcmObject* object = item.nextInContainer(nullptr); object != nullptr;
       object = item.nextInContainer(object)) {
    elements_.emplace_back(tag_number(object->getTag()), OFstatic_cast(DcmElement*, object));
  }
  // DCMTK keeps items sorted by tag; sort anyway so the binary search never depends on it.
  if (!std::is_sorted(elements_.begin(), elements_.end(),
                      [](const auto& a, const auto& b) { return a.first < b.first; })) {
    std::stable_sort(elements_.begin(), elements_.end(),
                     [](const auto& a, const auto& b) { return a.first < b.first; });
  }
}

DcmElement* ItemIndex::find(const DcmTagKey& tag) const {
  const uint32_t wanted = tag_number(tag);
  const auto it =
      std::lower_bound(elements_.begin(), elements_.end(), wanted,
                       [](const auto& entry, uint32_t key) { return entry.first < key; });
  if (it == elements_.end() || it->first != wanted) return nullptr;
  return it->second;
}

bool has_element(const ItemIndex& item, const DcmTagKey& tag) { return item.find(tag) != nullptr; }

std::optional<std::string> get_text(const ItemIndex& item, const DcmTagKey& tag) {
  DcmElement* element = find_element(item, tag);
  if (element == nullptr) return std::nullopt;
  auto text = element_text(*element);
  if (!text || text->empty()) return std::nullopt;
  return text;
}

std::vector<std::string> get_strings(const ItemIndex& item, const DcmTagKey& tag) {
  const auto text = get_text(item, tag);
  if (!text) return {};
  return split_values(*text);
}

std::optional<double> parse_number(std::string_view text) {
  text = trimmed(text);
  if (!text.empty() && text.front() == '+') text.remove_prefix(1);
  if (text.empty()) return std::nullopt;
  double value = 0.0;
  const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (error != std::errc() || end != text.data() + text.size()) return std::nullopt;
  return value;
}

std::optional<double> get_number(const ItemIndex& item, const DcmTagKey& tag,
                                 unsigned long position) {
  DcmElement* element = find_element(item, tag);
  if (element == nullptr) return std::nullopt;
  switch (element->ident()) {
    case EVR_FD:
    case EVR_FL: {
      Float64 value = 0.0;
      if (element->getVM() <= position || element->getFloat64(value, position).bad()) {
        return std::nullopt;
      }
      return value;
    }
    case EVR_US: {
      Uint16 value = 0;
      if (element->getVM() <= position || element->getUint16(value, position).bad()) {
        return std::nullopt;
      }
      return value;
    }
    case EVR_SS: {
      Sint16 value = 0;
      if (element->getVM() <= position || element->getSint16(value, position).bad()) {
        return std::nullopt;
      }
      return value;
    }
    case EVR_UL: {
      Uint32 value = 0;
      if (element->getVM() <= position || element->getUint32(value, position).bad()) {
        return std::nullopt;
      }
      return value;
    }
    case EVR_SL: {
      Sint32 value = 0;
      if (element->getVM() <= position || element->getSint32(value, position).bad()) {
        return std::nullopt;
      }
      return value;
    }
    default:
      break;
  }
  // DS, IS and text read as UN: parse the text of one value.
  const auto text = element_text(*element);
  if (!text) return std::nullopt;
  const std::vector<std::string> values = split_values(*text);
  if (position >= values.size()) return std::nullopt;
  return parse_number(values[position]);
}

std::vector<double> get_numbers(const ItemIndex& item, const DcmTagKey& tag) {
  DcmElement* element = find_element(item, tag);
  if (element == nullptr) return {};
  std::vector<double> numbers;
  switch (element->ident()) {
    case EVR_FD:
    case EVR_FL:
    case EVR_US:
    case EVR_SS:
    case EVR_UL:
    case EVR_SL:
      for (unsigned long position = 0; position < element->getVM(); ++position) {
        const auto number = get_number(item, tag, position);
        if (!number) return {};
        numbers.push_back(*number);
      }
      return numbers;
    default:
      break;
  }
  const auto text = element_text(*element);
  if (!text || text->empty()) return {};
  for (const std::string& value : split_values(*text)) {
    const auto number = parse_number(value);
    if (!number) return {};
    numbers.push_back(*number);
  }
  return numbers;
}

namespace {

DcmSequenceOfItems* find_sequence(const ItemIndex& item, const DcmTagKey& sequence) {
  DcmElement* element = item.find(sequence);
  if (element == nullptr || element->ident() != EVR_SQ) return nullptr;
  return OFstatic_cast(DcmSequenceOfItems*, element);
}

}  // namespace

std::optional<ItemIndex> first_item(const ItemIndex& item, const DcmTagKey& sequence) {
  DcmSequenceOfItems* items = find_sequence(item, sequence);
  if (items == nullptr || items->card() == 0) return std::nullopt;
  return ItemIndex(*items->getItem(0));
}

std::vector<DcmItem*> sequence_items(const ItemIndex& item, const DcmTagKey& sequence) {
  std::vector<DcmItem*> result;
  DcmSequenceOfItems* items = find_sequence(item, sequence);
  if (items == nullptr) return result;
  result.reserve(items->card());
  for (DcmObject* object = items->nextInContainer(nullptr); object != nullptr;
       object = items->nextInContainer(object)) {
    result.push_back(OFstatic_cast(DcmItem*, object));
  }
  return result;
}

}  // namespace oncotrace::dicom
