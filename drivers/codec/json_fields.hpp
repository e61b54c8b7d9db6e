// Reading the JSON objects that come from outside (session, ack and monitor status messages):
// the object itself, refused with a sentence if too large, not JSON, or with a key given twice;
// and its text fields. Pure. Only the codecs' .cpp files include this (Boost.JSON is heavy).
#pragma once

#include <boost/json.hpp>
#include <string>
#include <string_view>
#include <variant>

namespace chairwatch::drivers {

std::variant<boost::json::object, std::string> parse_object(std::string_view payload,
                                                            std::size_t max_bytes);

// Reads an optional string field; false (with `error`) if present but not a string of at most
// `max` bytes without control or invisible formatting characters (text_rules.hpp, as the
// board's acknowledgement). Names by default; free text (an observation's, a note) is longer.
bool text(const boost::json::object& o, const char* key, std::string& out, std::string& error,
          std::size_t max = 128, const char* unit = "characters");

}  // namespace chairwatch::drivers
