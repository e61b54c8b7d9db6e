// A chair's monitor link as the monitor (or its gateway) reports it on its retained status
// topic: online, or offline (its last will, sent by the broker when the link drops). REF §8:
// the link lost > 15 s is a MEDIUM alarm, HIGH while dosing. Pure: statuses and times in, the
// priority the chair's link alarm should have out.
#pragma once

#include <algorithm>
#include <optional>
#include <string>
#include <string_view>

#include "alerts/types.hpp"

namespace chairwatch::alerts {

// The chair's technical alarm while its monitor's link is lost, and what it says.
inline constexpr std::string_view monitor_link_lost = "monitor_link_lost";
inline constexpr std::string_view monitor_link_text =
    "the chair's monitor is offline (its link to the broker is lost): no readings can arrive; "
    "check the monitor and its network";

class MonitorLink {
  public:
    // The monitor said it is online or offline at `now`. A repeated offline keeps the first one's
    // time: the outage is as old as its first report.
    void on_status(bool online, Millis now, std::string_view device = {}) {
        if (!device.empty()) device_ = std::string(device);
        if (!online && known_ && !online_) return;
        known_ = true;
        online_ = online;
        since_ = now;
    }
    // Never reported: the chair is watched by its feeds alone.
    bool known() const { return known_; }
    bool offline() const { return known_ && !online_; }
    // When the current status (online or offline) began.
    Millis since() const { return since_; }
    // What the monitor last said it is ("" if it never said).
    const std::string& device() const { return device_; }

    // The priority the link alarm should have at `now` for an outage counted from `from` (the
    // later of the loss and the session's start): none while online, unknown, or lost for no
    // longer than `after`; MEDIUM, HIGH while dosing.
    std::optional<Priority> wanted(Millis now, Millis from, Millis after, bool dosing) const {
        if (!offline() || now - std::max(from, since_) <= after) return std::nullopt;
        return dosing ? Priority::high : Priority::medium;
    }
    // The first instant at which wanted() turns on by itself (Millis::max(): never).
    Millis due(Millis from, Millis after) const {
        return offline() ? std::max(from, since_) + after + Millis(1) : Millis::max();
    }

  private:
    std::string device_;
    Millis since_{0};
    bool known_{false};
    bool online_{false};
};

}  // namespace chairwatch::alerts
