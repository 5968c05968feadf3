# Warnings for every target of the project; -Werror when ONCOTRACE_WERROR (CI).
function(oncotrace_set_warnings target)
  target_compile_options(${target} PRIVATE -Wall -Wextra -Wpedantic -Wshadow -Wnon-virtual-dtor
                                           -Wcast-align -Wunused -Woverloaded-virtual
                                           -Wimplicit-fallthrough)
  if(ONCOTRACE_WERROR)
    target_compile_options(${target} PRIVATE -Werror)
  endif()
endfunction()

if(ONCOTRACE_SANITIZE)
  add_compile_options(-fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=all)
  add_link_options(-fsanitize=address,undefined)
endif()
