// Text from outside (MQTT payloads, the board's HTTP bodies, topic names): which of it may be
// kept as a name or an id, and how any of it is shown in a log line or on a terminal. Pure.
//
// A kept text is valid UTF-8 without control characters (C0, DEL, C1, U+2028/U+2029: they
// forge log lines and drive terminals) and without invisible formatting characters (Unicode
// category Cf: bidirectional overrides and isolates, zero-width characters, ...: they make a
// name read as another). printable() shows exactly those as \xNN, byte by byte.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

namespace chairwatch::drivers {

// Why `s` cannot be kept ("must not contain control characters", ...: the caller puts the
// field's name in front), or nothing if it can.
std::optional<std::string_view> text_fault(std::string_view s);

// `s` safe for a log line or a terminal: printable UTF-8 as it is, every other byte as \xNN;
// at most `max_bytes` of `s` (never half a character), then "...". Backslashes stay as they
// are: a text escaped once comes through a second time unchanged.
std::string printable(std::string_view s, std::size_t max_bytes = 256);

}  // namespace chairwatch::drivers
