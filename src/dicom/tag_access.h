// Typed access to DICOM element values through DCMTK, in the forms the reader needs: trimmed
// text, numbers from any numeric VR (DS, IS, FD, FL, US, SS, UL, SL), multi-valued lists, and
// the first item of a sequence.
//
// Elements of VR UN are read as their raw bytes. A private element in an implicit-VR file whose
// private creator is missing has no dictionary entry, so DCMTK gives it VR UN; its bytes are the
// text of the original DS/DT/LO value (PS3.5 §6.2: those VRs are character strings).
#ifndef ONCOTRACE_DICOM_TAG_ACCESS_H_
#define ONCOTRACE_DICOM_TAG_ACCESS_H_

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

class DcmElement;
class DcmItem;
class DcmTagKey;

namespace oncotrace::dicom {

// The elements of one item (a dataset or a sequence item) indexed by tag. DCMTK's own lookup
// (DcmItem::findAndGetElement) walks the element list from its start on every query; with about
// 60 queries per instance that walk cost as much as parsing the file, so the reader indexes each
// item once (one pass, elements are stored in tag order) and looks tags up by binary search.
class ItemIndex {
 public:
  explicit ItemIndex(DcmItem& item);

  DcmItem& item() const { return *item_; }
  // The element with this tag in the item itself (not in nested sequences), or nullptr.
  DcmElement* find(const DcmTagKey& tag) const;
  // (group << 16 | element, element) in ascending tag order.
  const std::vector<std::pair<uint32_t, DcmElement*>>& elements() const { return elements_; }

 private:
  DcmItem* item_;
  std::vector<std::pair<uint32_t, DcmElement*>> elements_;
};

// True when the element is present in the item itself (not searched in sub-sequences).
bool has_element(const ItemIndex& item, const DcmTagKey& tag);

// The whole value as text with leading/trailing spaces and NULs removed (all values of a
// multi-valued element, joined by backslashes); nullopt when absent or empty.
std::optional<std::string> get_text(const ItemIndex& item, const DcmTagKey& tag);

// The values of a multi-valued string element, each trimmed ("ORIGINAL\PRIMARY" -> 2 values).
std::vector<std::string> get_strings(const ItemIndex& item, const DcmTagKey& tag);

// Value number `position` as a number; nullopt when absent, empty or not a number.
std::optional<double> get_number(const ItemIndex& item, const DcmTagKey& tag,
                                 unsigned long position = 0);

// All values as numbers; empty when absent or any value is not a number.
std::vector<double> get_numbers(const ItemIndex& item, const DcmTagKey& tag);

// The first item of a sequence, indexed; nullopt when the sequence is absent or empty.
std::optional<ItemIndex> first_item(const ItemIndex& item, const DcmTagKey& sequence);

// All items of a sequence in order (one pass over the sequence).
std::vector<DcmItem*> sequence_items(const ItemIndex& item, const DcmTagKey& sequence);

// Parses a decimal number (DS/IS text, with surrounding spaces); nullopt when malformed.
std::optional<double> parse_number(std::string_view text);

}  // namespace oncotrace::dicom

#endif  // ONCOTRACE_DICOM_TAG_ACCESS_H_
