// One instance of a standby pair (config `group`; docs/high-availability.md): follows the leader
// and status topics, claims leadership when the active is gone (Leadership), says its role on
// its status topic, and on a standby matches the active's alerts against its own decisions
// (Unconfirmed). Runs with the daemon's state held; publishes through `publish` (QoS 1, past
// the standby's muted outgoing queue).
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "config/config.hpp"
#include "daemon/ha/group_messages.hpp"
#include "daemon/ha/leadership.hpp"
#include "daemon/ha/unconfirmed.hpp"

namespace chairwatch::daemon::ha {

class Group {
  public:
    struct Hooks {
        std::function<bool(const std::string& topic, const std::string& payload, bool retain)>
            publish;
        // The role changed, or the active is connected again and still the leader (settled
        // after a reconnection): then it says so again (status, lists).
        std::function<void(bool active)> on_role;
        // A standby: the active published this alarm with this onset.
        std::function<void(const std::string& alert_id, alerts::Millis onset)> adopt_onset;
        // A standby: the active published this alarm of this chair acknowledged (by a nurse at
        // its board, say, which the standby does not see).
        std::function<void(const std::string& chair, const AlertKey& alert)> adopt_ack;
        // A standby: the active took this session message for this chair from its board.
        std::function<void(const std::string& chair, std::string_view payload)> apply_action;
    };
    Group(const config::Config& cfg, std::string run, Hooks hooks);

    bool active() const { return leadership_.active(); }
    std::uint64_t term() const { return leadership_.leader().term; }
    const std::string& instance() const { return instance_; }
    // The broker's last will of this instance: its status, offline.
    std::string will_topic() const { return topics_.status(instance_); }
    std::string will_payload() const;
    // Where the active sends a session message it took from its board (encode_action), for
    // the standby to take as well.
    std::string action_topic(std::string_view chair) const { return topics_.actions(chair); }
    // What to subscribe to at each connection.
    std::vector<std::string> filters() const;

    void on_connected(alerts::Instant t);
    void on_disconnected() { leadership_.on_disconnected(); }
    // True if the message was the group's (leader, status, an active's alert or board action).
    bool on_message(std::string_view topic, std::string_view payload, alerts::Instant t);
    void on_tick(alerts::Instant t);
    // Going away on purpose: status offline, so that a standby takes over at once.
    void stop(alerts::Instant t);

    Unconfirmed& unconfirmed() { return unconfirmed_; }
    std::uint64_t confirmed() const { return confirmed_; }

  private:
    // The chair of `<prefix>/<chair>/alerts`; nullopt for any other topic.
    std::optional<std::string_view> alert_topic_chair(std::string_view topic) const;
    void step(alerts::Instant t);
    void publish_status(alerts::Instant t);

    std::string prefix_, instance_;
    GroupTopics topics_;
    Claim me_;
    Hooks hooks_;
    Leadership leadership_;
    Unconfirmed unconfirmed_;
    std::uint64_t confirmed_{0};
    bool was_active_{false};
    bool reconfirm_{false};  // connected again: once settled, an active says so again
    bool announce_{false};   // connected again: once settled, the status says online
    alerts::Millis connected_at_{0};
};

}  // namespace chairwatch::daemon::ha
