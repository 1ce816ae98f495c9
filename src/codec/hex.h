// Lowercase hex for logs, tools and the JSON form of opaque bytes.
#pragma once

#include <string>
#include <string_view>

namespace parley::codec {

std::string to_hex(std::string_view bytes);
// Accepts upper/lower case and ignores spaces; false on any other character or odd length.
bool from_hex(std::string_view hex, std::string& out);

}  // namespace parley::codec
