// Session control and acknowledgement messages in; their results out. Pure.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <variant>

#include "alerts/clinic.hpp"

namespace chairwatch::drivers {

// `<prefix>/<chair>/<rest>`: the chair and the rest of the topic, or nothing.
struct ChairTopic {
    std::string_view chair;
    std::string_view rest;  // "vitals/bp", "session", "alerts/ack"
};
std::optional<ChairTopic> parse_chair_topic(std::string_view topic, std::string_view prefix);

struct ControlMessage {
    alerts::ControlAction action{alerts::ControlAction::start};
    alerts::SessionInfo info;
};
// {"action":"start","session_id":"...","profile":"iv-ketamine",...} or an error sentence.
std::variant<ControlMessage, std::string> decode_control(std::string_view payload,
                                                         std::size_t max_bytes);

struct AckMessage {
    std::string alert_id;
    std::string by;
};
// {"alert_id":"...","by":"nurse-7"} or an error sentence.
std::variant<AckMessage, std::string> decode_ack(std::string_view payload, std::size_t max_bytes);

// {"ok":true|false,"<what>":"<id>","error":"..."} for the result topics.
std::string encode_result(bool ok, std::string_view key, std::string_view id,
                          std::string_view error, std::string_view ts_iso);

}  // namespace chairwatch::drivers
