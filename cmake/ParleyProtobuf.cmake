# protobuf-lite and protoc, for native builds only.
#
# Debian's libprotobuf (3.21.12) and protoc. Native code (the tests, the server) uses
# protoc's classes; the core reads and writes payloads through the schema codec instead
# (src/session/payload.h), so the WASM build needs neither the runtime nor protoc.
# protoc runs on the host, so generated code matches the runtime version.
if(NOT EMSCRIPTEN)
  find_program(PARLEY_PROTOC protoc REQUIRED)
  find_package(Protobuf REQUIRED)
  add_library(parley_protobuf_lite INTERFACE)
  target_link_libraries(parley_protobuf_lite INTERFACE protobuf::libprotobuf-lite)
endif()
