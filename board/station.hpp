// What the board may ask of the daemon: a read-only view of the clinic and its counters, and
// the ways to change anything, each through the very path its MQTT message takes: a session
// message (as on <prefix>/<chair>/session) and an acknowledgement (as on .../alerts/ack).
// Every hook is called on the daemon's executor, with `state` held.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "alerts/alarm_book.hpp"
#include "alerts/clinic.hpp"
#include "alerts/profile.hpp"

namespace chairwatch::board {

// One notification receiver (docs/notifications.md).
struct NotifyStats {
    std::string name;
    std::uint64_t sent{0};
    std::uint64_t failed{0};
    std::uint64_t retried{0};
    std::uint64_t rejected{0};
    std::size_t pending{0};
    bool failing{false};  // failed for longer than notifications.fail_after_s
    double last_latency_s{0};
};

struct DaemonStats {
    bool broker_connected{false};
    bool receiving{false};   // the connection that brings readings is up
    bool publishing{false};  // the connection that alerts go out on is up
    std::uint64_t messages{0};
    std::uint64_t readings{0};
    std::vector<std::pair<std::string, std::uint64_t>> rejected;  // by reason
    std::uint64_t refused_chairs{0};
    std::uint64_t foreign_chairs{0};  // messages for chairs this site does not own (ignored)
    std::uint64_t alerts{0};
    std::uint64_t log_errors{0};
    std::uint64_t disconnects{0};
    std::uint64_t reconnects{0};
    std::uint64_t control_errors{0};
    std::uint64_t monitor_errors{0};
    std::uint64_t ack_errors{0};
    std::size_t outgoing_queue{0};
    std::vector<NotifyStats> notify;
    std::uint64_t notify_receipts{0};  // dispatch statuses from the alert manager
};

// The outcome of an acknowledgement, as published on <prefix>/<chair>/alerts/ack/result.
struct AckReply {
    std::optional<alerts::AckResult> result;  // empty: the payload was refused before the clinic
    std::string error;                        // empty when ok
};

// The outcome of a session message, as published on <prefix>/<chair>/session/result.
struct ControlReply {
    std::optional<alerts::ControlResult> result;  // empty: refused before the clinic
    std::string action;                           // as decoded; "?" when it could not be
    std::string error;                            // empty when ok
    std::string session_id;                       // the chair's open session after it, if any
};

// What the board offers to choose from.
struct Choices {
    std::vector<std::pair<std::string, std::string>> profiles;  // name, route ("" if none)
    std::vector<std::string> ack_actions;  // an acknowledgement's action_taken (sessions.)
    int max_feed_pause_min{15};            // sessions.max_feed_pause_s, in whole minutes
};

struct Station {
    // Holds the daemon's state for the caller's scope: the board holds it in each of its
    // handlers on the executor (the daemon holds it when it calls the board). Required.
    std::function<std::unique_lock<std::mutex>()> hold;
    std::function<const alerts::Clinic&()> clinic;
    std::function<std::shared_ptr<const alerts::Profile>(std::string_view name)> profile;
    std::function<DaemonStats()> stats;
    // `payload` exactly as a station would publish it on <prefix>/<chair>/alerts/ack.
    std::function<AckReply(const std::string& chair, const std::string& payload)> acknowledge;
    std::function<Choices()> choices;
    // `payload` exactly as a station would publish it on <prefix>/<chair>/session.
    std::function<ControlReply(const std::string& chair, const std::string& payload)> control;
    // Where the ReportWriter leaves each ended session's record and page (sessions.log_dir):
    // the history view reads them there. Empty (or unset): no history.
    std::function<std::string()> records_dir;
};

}  // namespace chairwatch::board
