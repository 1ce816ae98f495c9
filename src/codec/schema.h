// The field table of every protocol message, generated from proto/*.proto at build time
// (tools/gen_schema_table.py). Used where protobuf-lite has no reflection: the JSON form
// of payloads for comet and tools/rmtp.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>

namespace parley::codec::schema {

enum class FieldKind : uint8_t {
  kInt32, kInt64, kUint32, kUint64, kSint32, kSint64, kBool, kEnum, kString, kBytes, kMessage,
};
enum class Label : uint8_t { kOptional, kRequired, kRepeated };

struct FieldDesc {
  uint32_t number;
  const char* name;
  FieldKind kind;
  Label label;
  int message;  // index into kMessages for kMessage fields, kEnums for kEnum fields, else -1
};

// The values an enum declares: protobuf-lite keeps any other value of an enum field out of
// the message (as an unknown field), so the field reads as unset.
struct EnumDesc {
  const char* name;
  const int32_t* values;  // sorted
  size_t value_count;
};

struct MessageDesc {
  const char* name;
  const FieldDesc* fields;  // sorted by number
  size_t field_count;
};

// The messages, in name order: kMessages[i] for i < kMessageCount (a FieldDesc's
// `message`). The table is unpacked on first use; descriptions stay put for the program's
// life.
class MessageTable {
 public:
  const MessageDesc& operator[](size_t index) const;
  const MessageDesc& operator[](int index) const { return (*this)[static_cast<size_t>(index)]; }
};

extern const EnumDesc kEnums[];
inline constexpr MessageTable kMessages{};
extern const size_t kMessageCount;

// The message named `name` ("UpStreamMessage"), or nullptr. In the WASM build the table
// holds only the messages that some file of src/ names in a string literal, and those they
// contain (gen_schema_table.py --named-in): name a payload type in full, never build it.
const MessageDesc* find_message(std::string_view name);

}  // namespace parley::codec::schema
