#include "codec/byte_io.h"

#include "common/decimal.h"

namespace parley::codec {

bool ByteReader::u8(uint8_t& out) {
  if (remaining() < 1) return false;
  out = static_cast<uint8_t>(data_[pos_++]);
  return true;
}

bool ByteReader::u16(uint16_t& out) {
  if (remaining() < 2) return false;
  out = static_cast<uint16_t>((static_cast<uint8_t>(data_[pos_]) << 8) |
                              static_cast<uint8_t>(data_[pos_ + 1]));
  pos_ += 2;
  return true;
}

bool ByteReader::u32(uint32_t& out) {
  if (remaining() < 4) return false;
  uint32_t v = 0;
  for (int i = 0; i < 4; ++i) v = (v << 8) | static_cast<uint8_t>(data_[pos_ + static_cast<size_t>(i)]);
  out = v;
  pos_ += 4;
  return true;
}

bool ByteReader::u64(uint64_t& out) {
  if (remaining() < 8) return false;
  uint64_t v = 0;
  for (int i = 0; i < 8; ++i) v = (v << 8) | static_cast<uint8_t>(data_[pos_ + static_cast<size_t>(i)]);
  out = v;
  pos_ += 8;
  return true;
}

Result<std::string> ByteReader::utf(const char* what) {
  const size_t start = pos_;
  uint16_t len = 0;
  if (!u16(len)) {
    return make_error(ErrorCode::kTruncated,
                      std::string("truncated in the length of ") + what + " at byte " +
                          decimal(start));
  }
  if (remaining() < len) {
    pos_ = start;
    return make_error(ErrorCode::kTruncated, std::string(what) + " declares " +
                                                 decimal(len) + " bytes but only " +
                                                 decimal(remaining() - 0) + " remain");
  }
  auto text = cesu8_to_utf8(data_.substr(pos_, len));
  if (!text) {
    pos_ = start;
    return make_error(ErrorCode::kBadString, std::string(what) + ": " + text.error().message);
  }
  pos_ += len;
  return std::move(text).value();
}

std::string ByteReader::rest() {
  std::string out(data_.substr(pos_));
  pos_ = data_.size();
  return out;
}

void ByteWriter::u16(uint16_t v) {
  u8(static_cast<uint8_t>(v >> 8));
  u8(static_cast<uint8_t>(v));
}

void ByteWriter::u32(uint32_t v) {
  for (int shift = 24; shift >= 0; shift -= 8) u8(static_cast<uint8_t>(v >> shift));
}

void ByteWriter::u64(uint64_t v) {
  for (int shift = 56; shift >= 0; shift -= 8) u8(static_cast<uint8_t>(v >> shift));
}

bool ByteWriter::utf(std::string_view utf8) {
  const std::string bytes = utf8_to_cesu8(utf8);
  if (bytes.size() > 0xFFFF) return false;
  u16(static_cast<uint16_t>(bytes.size()));
  raw(bytes);
  return true;
}

}  // namespace parley::codec
