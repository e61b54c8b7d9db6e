// Session control and acknowledgement messages in; their results out. Pure.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <variant>

#include "alerts/clinic.hpp"
#include "drivers/codec/payload_codec.hpp"

namespace chairwatch::drivers {

// {"action":"pause_feeds","minutes":10,"reason":"bathroom break","by":"rn-4"} or
// {"action":"resume_feeds","by":"rn-4"}.
struct FeedPauseRequest {
    bool resume{false};
    double minutes{0};
    std::string reason;
    std::string by;
};

// {"action":"out_of_service","reason":"cleaning","by":"admin-1"} or
// {"action":"in_service","by":"admin-1"}.
struct ServiceRequest {
    bool in_service{false};
    std::string reason;
    std::string by;
};

struct ControlMessage {
    alerts::ControlAction action{alerts::ControlAction::start};
    alerts::SessionInfo info;
    // Set for {"action":"observation"} (then `action` means nothing; info.session_id, if
    // given, names the session it is for).
    std::optional<alerts::Observation> observation;
    // Set for pause_feeds and resume_feeds (then `action` means nothing; as an observation).
    std::optional<FeedPauseRequest> pause;
    // Set for out_of_service and in_service (then `action` means nothing).
    std::optional<ServiceRequest> service;
    // Set for {"action":"limit_change","rule":"sbp_high","tier":3,"value":190,"reason":"...",
    // "by":"rn-4"} (then `action` means nothing).
    std::optional<alerts::LimitRequest> limit;
};
// Free text of an observation: at most this many bytes.
inline constexpr std::size_t max_observation_text = 1000;
// {"action":"start","session_id":"...","profile":"iv-ketamine",...} or
// {"action":"observation","kind":"sedation","value":"present","text":"...","by":"rn-4"},
// or an error sentence.
std::variant<ControlMessage, std::string> decode_control(std::string_view payload,
                                                         std::size_t max_bytes);

struct AckMessage {
    std::string alert_id;
    std::string by;
    alerts::AckAction action;  // "action_taken" (not checked against the pick list), "action_note"
};
// {"alert_id":"...","by":"nurse-7","action_taken":"infusion slowed","action_note":"..."} or an
// error sentence.
std::variant<AckMessage, std::string> decode_ack(std::string_view payload, std::size_t max_bytes);

// {"ok":true|false,"<what>":"<id>","error":"...","session_id":"..."} for the result topics;
// `session_id` only when given.
std::string encode_result(bool ok, std::string_view key, std::string_view id,
                          std::string_view error, std::string_view ts_iso,
                          std::string_view session_id = {});

}  // namespace chairwatch::drivers
