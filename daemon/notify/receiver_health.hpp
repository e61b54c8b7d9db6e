// Delivery bookkeeping per receiver (docs/notifications.md, "Guarantees"): the retry schedule,
// and how long a receiver has been failing. A receiver whose attempts have all failed for
// fail_after is `failed`: the daemon raises the technical alarm notification_failed and sends
// to the route's fallback; its first delivery after that recovers it. Pure: time is an argument.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "alerts/types.hpp"

namespace chairwatch::daemon::notify {

// The wait before attempt `attempt` + 1 after `attempt` failed ones: first, doubling, up to max.
alerts::Millis retry_delay(int attempt, alerts::Millis first, alerts::Millis max);

class ReceiverHealth {
  public:
    explicit ReceiverHealth(alerts::Millis fail_after) : fail_after_(fail_after) {}
    void set_fail_after(alerts::Millis fail_after) { fail_after_ = fail_after; }

    // An attempt's outcome. Returns true when a delivery ends a failure (the alarm clears).
    bool on_result(const std::string& receiver, bool delivered, alerts::Millis now);
    // Receivers whose failure has lasted fail_after by `now` and was not reported yet.
    std::vector<std::string> newly_failed(alerts::Millis now);

    bool failed(const std::string& receiver) const;
    bool failing(const std::string& receiver) const { return state_.count(receiver) > 0; }
    // Every failed receiver, by name.
    std::vector<std::string> failed_receivers() const;
    // When the next receiver fails, if one is failing.
    std::optional<alerts::Millis> next_due() const;

  private:
    struct Failing {
        alerts::Millis since{0};
        bool failed{false};
    };
    alerts::Millis fail_after_;
    std::map<std::string, Failing> state_;  // receivers whose last attempt failed
};

}  // namespace chairwatch::daemon::notify
