// LeakSanitizer suppressions of the report tests (sanitizer build only; unused otherwise).
//
// fontconfig, loaded by cairo for the figure text, keeps its font configuration and pattern
// caches for the life of the process and frees them only in FcFini(), which cairo never calls;
// LeakSanitizer reports those one-time allocations. They are the library's, not oncotrace's, so
// only allocations made inside libfontconfig are suppressed.
// NOLINTBEGIN(bugprone-reserved-identifier,readability-identifier-naming): the sanitizer's name.
extern "C" const char* __lsan_default_suppressions();
extern "C" const char* __lsan_default_suppressions() { return "leak:libfontconfig.so\n"; }
// NOLINTEND(bugprone-reserved-identifier,readability-identifier-naming)
