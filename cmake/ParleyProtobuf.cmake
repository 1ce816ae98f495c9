# protobuf-lite and protoc.
#
# Natively: Debian's libprotobuf (3.21.12). For WASM: protobuf-lite compiled from the
# same version's source. The source comes from PARLEY_PROTOBUF_SOURCE_DIR (tools/setup
# fetches it with `apt-get source`); where that is absent, FetchContent downloads the
# v3.21.12 release (set FETCHCONTENT_SOURCE_DIR_PROTOBUF to build offline).
# protoc always runs on the host, so generated code matches the runtime version.
find_program(PARLEY_PROTOC protoc REQUIRED)

if(EMSCRIPTEN)
  if(EXISTS "${PARLEY_PROTOBUF_SOURCE_DIR}/CMakeLists.txt")
    set(_pb_src "${PARLEY_PROTOBUF_SOURCE_DIR}")
  else()
    include(FetchContent)
    FetchContent_Declare(protobuf
      URL https://github.com/protocolbuffers/protobuf/releases/download/v21.12/protobuf-cpp-3.21.12.tar.gz)
    FetchContent_GetProperties(protobuf)
    if(NOT protobuf_POPULATED)
      FetchContent_Populate(protobuf)
    endif()
    set(_pb_src "${protobuf_SOURCE_DIR}")
  endif()
  set(protobuf_BUILD_TESTS OFF CACHE BOOL "" FORCE)
  set(protobuf_BUILD_PROTOC_BINARIES OFF CACHE BOOL "" FORCE)
  set(protobuf_BUILD_LIBPROTOC OFF CACHE BOOL "" FORCE)
  set(protobuf_BUILD_SHARED_LIBS OFF CACHE BOOL "" FORCE)
  set(protobuf_WITH_ZLIB OFF CACHE BOOL "" FORCE)
  set(protobuf_INSTALL OFF CACHE BOOL "" FORCE)
  set(protobuf_DISABLE_RTTI ON CACHE BOOL "" FORCE)
  add_subdirectory("${_pb_src}" "${CMAKE_BINARY_DIR}/protobuf" EXCLUDE_FROM_ALL SYSTEM)
  add_library(parley_protobuf_lite ALIAS libprotobuf-lite)
else()
  find_package(Protobuf REQUIRED)
  add_library(parley_protobuf_lite INTERFACE)
  target_link_libraries(parley_protobuf_lite INTERFACE protobuf::libprotobuf-lite)
endif()
