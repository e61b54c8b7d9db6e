// Session control and acknowledgement messages in; their results out. Pure.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <variant>

#include "alerts/clinic.hpp"
#include "drivers/codec/payload_codec.hpp"

namespace chairwatch::drivers {

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

// {"ok":true|false,"<what>":"<id>","error":"...","session_id":"..."} for the result topics;
// `session_id` only when given.
std::string encode_result(bool ok, std::string_view key, std::string_view id,
                          std::string_view error, std::string_view ts_iso,
                          std::string_view session_id = {});

}  // namespace chairwatch::drivers
