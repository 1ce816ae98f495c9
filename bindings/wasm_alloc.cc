// The WASM builds' allocator (linked with -sMALLOC=none), in place of emmalloc: 0.9 KB
// gzipped less, the largest single cut left in the SDK's size (web/build.mjs prints it).
// emmalloc splits and merges blocks of any size; this one does neither. The core's
// allocations are small and short-lived (strings, JSON values, tree nodes, one input's
// actions) plus buffers that grow by doubling (the input buffer, strings, vectors).
//
// A block holds a power-of-two payload from 16 B, after an 8-byte header with its size
// class (so payloads are 8-byte aligned, as emmalloc's). Power-of-two payloads, not
// blocks: doubling buffers ask for exactly those sizes. A freed block goes on its class's
// free list and is the next one handed out for that class; a class with an empty list
// cuts a new block off the top of the heap, growing the memory when needed.
//
// The price is memory: a payload is rounded up to a power of two, and memory freed in one
// class serves only that class. tests/wasm/wasm_memory.test.cjs checks that a repeated
// load stops growing the memory; under that load (hundreds of queued messages up to
// 100 KB) the memory peaks about 1.7x higher than with emmalloc. An instance's memory
// never shrinks with either.
//
// Only malloc/free and operator new/delete are defined: calloc, realloc and
// posix_memalign are not used, and would fail the link if they were. The aligned operator
// new is defined (the debug build's libc++ links it) for alignments up to 8; nothing in
// the core asks for more.
#include <cstddef>
#include <cstdint>
#include <new>

extern "C" unsigned char __heap_base;  // the linker's: the first byte after the stack and data

namespace {

constexpr unsigned kMinShift = 4;       // the smallest payload: 16 B
constexpr unsigned kClasses = 27;       // payloads up to 1 GiB
constexpr size_t kHeader = 8;
constexpr size_t kMaxRequest = size_t{1} << 30;
constexpr size_t kPage = 65536;

void* g_free[kClasses];   // per size class, the last freed block (each links to the next)
uintptr_t g_top = 0;      // where the next new block starts; 0 before the first

}  // namespace

extern "C" void* malloc(size_t n) {
  if (n > kMaxRequest) return nullptr;
  unsigned c = 0;
  while ((size_t{1} << (c + kMinShift)) < n) ++c;
  auto* block = static_cast<unsigned char*>(g_free[c]);
  if (block) {
    g_free[c] = *reinterpret_cast<void**>(block + kHeader);
  } else {
    if (!g_top) g_top = (reinterpret_cast<uintptr_t>(&__heap_base) + 7) & ~uintptr_t{7};
    const uintptr_t end = g_top + kHeader + (uintptr_t{1} << (c + kMinShift));
    const uintptr_t have = __builtin_wasm_memory_size(0) * kPage;
    if (end < g_top) return nullptr;  // past 4 GiB
    if (end > have && __builtin_wasm_memory_grow(0, (end - have + kPage - 1) / kPage) == SIZE_MAX)
      return nullptr;
    block = reinterpret_cast<unsigned char*>(g_top);
    g_top = end;
  }
  *reinterpret_cast<uint32_t*>(block) = c;
  return block + kHeader;
}

extern "C" void free(void* p) {
  if (!p) return;
  unsigned char* block = static_cast<unsigned char*>(p) - kHeader;
  const uint32_t c = *reinterpret_cast<uint32_t*>(block);
  *static_cast<void**>(p) = g_free[c];
  g_free[c] = block;
}

// Built without exceptions: running out of memory stops the module (a trap, which the JS
// side sees as an error from the call), as libc++'s operator new does with abort().
void* operator new(size_t n) {
  void* p = malloc(n);
  if (!p) __builtin_trap();
  return p;
}
void* operator new[](size_t n) { return operator new(n); }
void* operator new(size_t n, std::align_val_t align) {
  if (static_cast<size_t>(align) > kHeader) __builtin_trap();
  return operator new(n);
}
void* operator new[](size_t n, std::align_val_t align) { return operator new(n, align); }
void operator delete(void* p) noexcept { free(p); }
void operator delete[](void* p) noexcept { free(p); }
void operator delete(void* p, size_t) noexcept { free(p); }
void operator delete[](void* p, size_t) noexcept { free(p); }
void operator delete(void* p, std::align_val_t) noexcept { free(p); }
void operator delete[](void* p, std::align_val_t) noexcept { free(p); }
void operator delete(void* p, size_t, std::align_val_t) noexcept { free(p); }
void operator delete[](void* p, size_t, std::align_val_t) noexcept { free(p); }
