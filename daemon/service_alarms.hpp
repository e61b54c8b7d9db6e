// The daemon's own technical alarms, published on <prefix>/chairwatchd/alerts beside the
// chairs' alerts: one alarm per condition at a time (session logs cannot be written, no
// readings arrive), numbered per run of the daemon. Pure: it returns the alert to publish,
// which also goes into the log of every open session and to the notifier.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>

#include "alerts/types.hpp"

namespace chairwatch::daemon {

// One change of a technical alarm: its fields, and the alert as published on MQTT.
struct ServiceAlert {
    std::string alert_id;  // "chairwatchd:run-<run>:a<n>"
    std::string run;       // "run-<run>": in the place of a session id
    std::uint32_t alarm_no{0};
    std::string condition;
    std::string state;  // raised, updated, cleared
    alerts::Priority priority{alerts::Priority::medium};
    std::string text;
    alerts::Millis onset{0};
    alerts::Millis wall{0};
    std::string json;
};

class ServiceAlarms {
  public:
    // `run` tells this run apart in alert ids: "chairwatchd:run-<run>:a<n>"; with a site,
    // "<site>:chairwatchd:run-<run>:a<n>".
    explicit ServiceAlarms(std::string run, const std::string& site = {})
        : run_(std::move(run)), id_prefix_(site.empty() ? "" : site + ":") {}

    // The alert raising `condition` (or changing its priority); nothing if it stands as it is.
    std::optional<ServiceAlert> raise(const std::string& condition, alerts::Priority p,
                                      const std::string& text, alerts::Millis wall);
    // The alert clearing `condition`; nothing if it was not raised.
    std::optional<ServiceAlert> clear(const std::string& condition, const std::string& text,
                                      alerts::Millis wall);
    bool active(const std::string& condition) const { return raised_.count(condition) > 0; }
    bool any() const { return !raised_.empty(); }

  private:
    struct Raised {
        int no{0};
        alerts::Priority priority{alerts::Priority::medium};
        alerts::Millis onset{0};
    };
    ServiceAlert encode(const std::string& condition, const Raised& r, const char* state,
                        bool active, const std::string& text, alerts::Millis wall) const;

    std::string run_;
    std::string id_prefix_;  // "<site>:" or empty
    int last_no_{0};
    std::map<std::string, Raised> raised_;
};

}  // namespace chairwatch::daemon
