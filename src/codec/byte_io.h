// Bounds-checked big-endian readers and writers for the frame layer. Every read reports
// truncation instead of reading past the end.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "codec/utf.h"
#include "common/result.h"

namespace parley::codec {

class ByteReader {
 public:
  explicit ByteReader(std::string_view data) : data_(data) {}

  size_t remaining() const { return data_.size() - pos_; }
  size_t position() const { return pos_; }
  bool at_end() const { return pos_ == data_.size(); }

  // Each returns false (and leaves the position) when fewer bytes remain than needed.
  bool u8(uint8_t& out);
  bool u16(uint16_t& out);
  bool u32(uint32_t& out);
  bool u64(uint64_t& out);
  // A u16-length-prefixed string, converted to valid UTF-8. `what` names the field in
  // the error ("topic", "userId").
  Result<std::string> utf(const char* what);
  // Everything left (the protobuf payload).
  std::string rest();

 private:
  std::string_view data_;
  size_t pos_ = 0;
};

class ByteWriter {
 public:
  void u8(uint8_t v) { out_.push_back(static_cast<char>(v)); }
  void u16(uint16_t v);
  void u32(uint32_t v);
  void u64(uint64_t v);
  // Writes the official encoder's form: u16 length, CESU-8. False if over 65535 bytes.
  bool utf(std::string_view utf8);
  void raw(std::string_view bytes) { out_.append(bytes); }
  std::string take() { return std::move(out_); }

 private:
  std::string out_;
};

}  // namespace parley::codec
