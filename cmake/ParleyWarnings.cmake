# Warnings as errors on Parley's own targets only (not on protobuf or generated code).
function(parley_warnings target)
  target_compile_options(${target} PRIVATE -Wall -Wextra -Wconversion -Wno-sign-conversion -Werror)
endfunction()
