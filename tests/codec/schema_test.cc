// The schema table (schema.h) as unpacked from the generated string: every message findable
// by its name, fields in number order with sane kinds, labels and type indexes, and a few
// messages checked field by field against proto/rongcloud.proto.
#include <gtest/gtest.h>

#include <cstring>
#include <initializer_list>
#include <string>

#include "codec/schema.h"

namespace parley::codec::schema {
namespace {

TEST(SchemaTable, EveryMessageIsFoundByNameAndWellFormed) {
  ASSERT_GT(kMessageCount, 90u);
  for (size_t i = 0; i < kMessageCount; ++i) {
    const MessageDesc& m = kMessages[i];
    SCOPED_TRACE(m.name);
    EXPECT_EQ(find_message(m.name), &m);
    if (i > 0) {
      EXPECT_LT(std::strcmp(kMessages[i - 1].name, m.name), 0);
    }
    for (size_t k = 0; k < m.field_count; ++k) {
      const FieldDesc& f = m.fields[k];
      SCOPED_TRACE(f.name);
      EXPECT_GT(std::strlen(f.name), 0u);
      if (k > 0) {
        EXPECT_LT(m.fields[k - 1].number, f.number);
      }
      EXPECT_LE(static_cast<int>(f.kind), static_cast<int>(FieldKind::kMessage));
      EXPECT_LE(static_cast<int>(f.label), static_cast<int>(Label::kRepeated));
      if (f.kind == FieldKind::kMessage) {
        EXPECT_GE(f.message, 0);
        EXPECT_LT(static_cast<size_t>(f.message), kMessageCount);
      } else if (f.kind == FieldKind::kEnum) {
        EXPECT_GE(f.message, 0);
      } else {
        EXPECT_EQ(f.message, -1);
      }
    }
  }
  EXPECT_EQ(find_message("NoSuchMessage"), nullptr);
  EXPECT_EQ(find_message(""), nullptr);
  EXPECT_EQ(find_message("UpStreamMessag"), nullptr);
}

struct Expected {
  uint32_t number;
  const char* name;
  FieldKind kind;
  Label label;
  const char* type;  // the message or enum type's name, or nullptr
};

void expect_fields(const char* message, std::initializer_list<Expected> want) {
  SCOPED_TRACE(message);
  const MessageDesc* m = find_message(message);
  ASSERT_NE(m, nullptr);
  EXPECT_STREQ(m->name, message);
  ASSERT_EQ(m->field_count, want.size());
  size_t k = 0;
  for (const Expected& e : want) {
    const FieldDesc& f = m->fields[k++];
    SCOPED_TRACE(e.name);
    EXPECT_EQ(f.number, e.number);
    EXPECT_STREQ(f.name, e.name);
    EXPECT_EQ(f.kind, e.kind);
    EXPECT_EQ(f.label, e.label);
    if (e.type == nullptr) {
      EXPECT_EQ(f.message, -1);
    } else if (f.kind == FieldKind::kMessage) {
      EXPECT_STREQ(kMessages[f.message].name, e.type);
    } else {
      EXPECT_STREQ(kEnums[f.message].name, e.type);
    }
  }
}

TEST(SchemaTable, FieldsAsInTheProtoFile) {
  using K = FieldKind;
  using L = Label;
  expect_fields("UpStreamMessage", {
      {1, "sessionId", K::kInt32, L::kRequired, nullptr},
      {2, "classname", K::kString, L::kRequired, nullptr},
      {3, "content", K::kBytes, L::kRequired, nullptr},
      {4, "pushText", K::kString, L::kOptional, nullptr},
      {5, "appData", K::kString, L::kOptional, nullptr},
      {6, "userId", K::kString, L::kRepeated, nullptr},
      {7, "delMsgTime", K::kInt64, L::kOptional, nullptr},
      {8, "delMsgId", K::kString, L::kOptional, nullptr},
      {9, "configFlag", K::kInt32, L::kOptional, nullptr},
      {10, "clientUniqueId", K::kInt64, L::kOptional, nullptr},
      {11, "extraContent", K::kString, L::kOptional, nullptr},
      {12, "pushExt", K::kMessage, L::kOptional, "PushExtra"},
  });
  expect_fields("DownStreamMessages", {
      {1, "list", K::kMessage, L::kRepeated, "DownStreamMessage"},
      {2, "syncTime", K::kInt64, L::kRequired, nullptr},
      {3, "finished", K::kBool, L::kOptional, nullptr},
  });
  const MessageDesc* down = find_message("DownStreamMessage");
  ASSERT_NE(down, nullptr);
  ASSERT_EQ(down->field_count, 18u);
  EXPECT_EQ(down->fields[1].kind, K::kEnum);
  EXPECT_STREQ(kEnums[down->fields[1].message].name, "ChannelType");
  EXPECT_EQ(down->fields[17].number, 18u);
  EXPECT_STREQ(down->fields[17].name, "pushExt");
  expect_fields("Add2BlackListInput", {{1, "userId", K::kString, L::kRequired, nullptr}});
}

}  // namespace
}  // namespace parley::codec::schema
