// Allocation of whole-image buffers backed by transparent huge pages.
//
// A whole-body PET volume is tens of megabytes and is written right after it is allocated. With
// 4 KiB pages the kernel takes one page fault per 4 KiB on that first write, which costs more
// than reading the image's DICOM files from the page cache (measured in bench/ingest_bench.cc).
// Linux's transparent huge pages (madvise mode, the Debian default) back an advised range with
// 2 MiB pages instead, 512 times fewer faults. The advice changes only how memory is backed,
// never values; elsewhere than Linux it does nothing. Written by hand because the standard
// library and TBB's allocators give no way to request huge pages for a std::vector's buffer.
#ifndef ONCOTRACE_CORE_LARGE_BUFFER_H_
#define ONCOTRACE_CORE_LARGE_BUFFER_H_

#include <cstddef>
#include <vector>

namespace oncotrace {

// Buffers smaller than this are left to the allocator's defaults.
inline constexpr size_t kHugePageAdviceMinimumBytes = size_t{8} << 20;

// Advises the kernel to back the 2 MiB-aligned part of [data, data + bytes) with huge pages.
// Call before the memory is first touched. Ignored for small ranges and where unsupported.
void advise_huge_pages(const void* data, size_t bytes);

// Makes `values` hold `count` copies of `fill` in a fresh buffer that was advised before being
// written. Same result as `values.assign(count, fill)`.
template <typename T>
void assign_large_buffer(std::vector<T>& values, size_t count, const T& fill = T{}) {
  std::vector<T> fresh;
  fresh.reserve(count);
  advise_huge_pages(fresh.data(), count * sizeof(T));
  fresh.resize(count, fill);
  values.swap(fresh);
}

}  // namespace oncotrace

#endif  // ONCOTRACE_CORE_LARGE_BUFFER_H_
