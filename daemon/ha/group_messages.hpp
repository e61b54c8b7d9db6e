// The group's own MQTT messages (docs/high-availability.md), under <prefix>/_group/<name>/:
//   leader             retained {"instance","run","term","ts"}: the accepted claim
//   <instance>/status  retained {"state":"online"|"offline","instance","run","role","term",...};
//                      the broker's last will sets it offline
//   actions/<chair>/session
//                      a session message the active took from its board, for the standby
// and the active's alerts as the standby reads them back. Pure.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "alerts/types.hpp"
#include "daemon/ha/leadership.hpp"

namespace chairwatch::daemon::ha {

struct GroupTopics {
    std::string base;  // <prefix>/_group/<name>
    std::string leader() const { return base + "/leader"; }
    std::string status(std::string_view instance) const {
        return base + "/" + std::string(instance) + "/status";
    }
    std::string status_filter() const { return base + "/+/status"; }
    // Three levels below the base, so that no instance's status topic matches it.
    std::string actions(std::string_view chair) const {
        return base + "/actions/" + std::string(chair) + "/session";
    }
    std::string actions_filter() const { return base + "/actions/+/session"; }
};

struct InstanceStatus {
    std::string instance;
    bool online{false};
    std::string run;
};

std::string encode_claim(const Claim& c, alerts::Millis wall);
std::optional<Claim> decode_claim(std::string_view payload);
// role: "active", "standby", or empty (the last will: offline).
std::string encode_status(const Claim& me, bool online, std::string_view role, std::uint64_t term,
                          alerts::Millis wall, std::string_view reason);
std::optional<InstanceStatus> decode_status(std::string_view payload);
// The instance of <base>/<instance>/status, if the topic is one.
std::optional<std::string> status_instance(const GroupTopics& t, std::string_view topic);

// The chair of <base>/actions/<chair>/session, if the topic is one.
std::optional<std::string> action_chair(const GroupTopics& t, std::string_view topic);
// A session message as the active took it from its board, for the standby to take the same way.
// A start names the session id the active gave it (`session_id`), so that both hold one session
// under one id even where the standby's clock turned to the next second.
std::string encode_action(std::string_view payload, std::string_view session_id);

// alert_id and state of an alert as published on <prefix>/<chair>/alerts.
struct AlertKey {
    std::string alert_id, state;
    std::optional<alerts::Millis> onset, ts;
    // Of an acknowledged alarm: who, and the action taken (empty when none).
    std::string acknowledged_by, action_taken, action_note;
};
std::optional<AlertKey> decode_alert_key(std::string_view payload);

}  // namespace chairwatch::daemon::ha
