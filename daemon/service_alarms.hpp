// The daemon's own technical alarms, published on <prefix>/chairwatchd/alerts beside the
// chairs' alerts: one alarm per condition at a time (session logs cannot be written, no
// readings arrive), numbered per run of the daemon. Pure: it returns the alert to publish.
#pragma once

#include <map>
#include <optional>
#include <string>

#include "alerts/types.hpp"

namespace chairwatch::daemon {

class ServiceAlarms {
  public:
    // `run` tells this run apart in alert ids: "chairwatchd:run-<run>:a<n>".
    explicit ServiceAlarms(std::string run) : run_(std::move(run)) {}

    // The alert raising `condition` (or changing its priority); nothing if it stands as it is.
    std::optional<std::string> raise(const std::string& condition, alerts::Priority p,
                                     const std::string& text, alerts::Millis wall);
    // The alert clearing `condition`; nothing if it was not raised.
    std::optional<std::string> clear(const std::string& condition, const std::string& text,
                                     alerts::Millis wall);
    bool active(const std::string& condition) const { return raised_.count(condition) > 0; }
    bool any() const { return !raised_.empty(); }

  private:
    struct Raised {
        int no{0};
        alerts::Priority priority{alerts::Priority::medium};
        alerts::Millis onset{0};
    };
    std::string encode(const std::string& condition, const Raised& r, const char* state,
                       bool active, const std::string& text, alerts::Millis wall) const;

    std::string run_;
    int last_no_{0};
    std::map<std::string, Raised> raised_;
};

}  // namespace chairwatch::daemon
