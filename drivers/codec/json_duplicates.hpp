// Boost.JSON's parser keeps the last of two equal keys in an object without a word, so
// {"hr":80,"hr":150} would read as 150 for one receiver and 80 for another. Every JSON payload
// read from outside is checked here first and refused if a key repeats. Pure.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace chairwatch::drivers {

// The first key given twice in one object of `json` (at any depth), or nothing. For text the
// caller has parsed already: whether invalid JSON has a duplicate is not worth an answer.
std::optional<std::string> duplicate_key(std::string_view json);

}  // namespace chairwatch::drivers
