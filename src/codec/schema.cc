#include "codec/schema.h"

#include <cstring>

namespace parley::codec::schema {
namespace detail {
// Generated (tools/gen_schema_table.py): the messages as one string, and room for their
// unpacked descriptions.
extern const char kTable[];
extern MessageDesc g_messages[];
extern FieldDesc g_fields[];
}  // namespace detail

namespace {

// Unpacks detail::kTable into g_messages and g_fields (once); names point into kTable.
const MessageDesc* messages() {
  static const MessageDesc* const table = [] {
    const char* p = detail::kTable;
    FieldDesc* f = detail::g_fields;
    for (size_t i = 0; i < kMessageCount; ++i) {
      MessageDesc& m = detail::g_messages[i];
      m.name = p;
      p += std::strlen(p) + 1;
      m.fields = f;
      for (; *p != '\0'; ++f) {
        const auto kind_label = static_cast<uint8_t>(p[1]);
        f->number = static_cast<uint8_t>(p[0]);
        f->kind = static_cast<FieldKind>(kind_label & 15);
        f->label = static_cast<Label>(kind_label >> 4);
        f->message = static_cast<uint8_t>(p[2]) - 1;
        f->name = p + 3;
        p += 3 + std::strlen(p + 3) + 1;
      }
      m.field_count = static_cast<size_t>(f - m.fields);
      ++p;
    }
    return detail::g_messages;
  }();
  return table;
}

}  // namespace

const MessageDesc& MessageTable::operator[](size_t index) const { return messages()[index]; }

const MessageDesc* find_message(std::string_view name) {
  const MessageDesc* m = messages();
  for (size_t i = 0; i < kMessageCount; ++i)
    if (name == m[i].name) return &m[i];
  return nullptr;
}

}  // namespace parley::codec::schema
