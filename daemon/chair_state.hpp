// The retained per-chair state, <prefix>/<chair>/state (docs/mqtt-interface.md): what a group
// board shows beside the alarm list, so that it needs nothing but MQTT: the session, its phase,
// when the dose started and ended, and the latest value of each signal. Pure: events and the
// time in, the payloads to publish out; no clock, no I/O.
//
// Bounded in rate: a chair's state is due at once when its session starts, changes phase or
// ends, and otherwise, while readings change it, at most once every `min_interval`.
#pragma once

#include <array>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "alerts/clinic.hpp"

namespace chairwatch::daemon {

class ChairStates {
  public:
    static constexpr alerts::Millis default_interval{5000};
    explicit ChairStates(alerts::Millis min_interval = default_interval)
        : min_interval_(min_interval) {}

    void on_event(const alerts::ClinicEvent& e, alerts::Instant at);
    struct Due {
        std::string chair;
        std::string payload;
    };
    // What is due at `now`; each is then counted as published.
    std::vector<Due> due(alerts::Instant now);
    // Every chair known is due again (a reconnection, a take-over).
    void mark_all();
    void forget(const std::string& chair);
    std::size_t pending() const { return dirty_.size(); }

  private:
    struct Latest {
        double value{0};
        alerts::Millis ts{0};  // wall time received
    };
    struct Chair {
        std::string session_id;
        alerts::Phase phase{alerts::Phase::monitoring};
        bool open{false};
        alerts::Millis started{0};
        std::optional<alerts::Millis> dose_start, dose_end;
        std::array<std::optional<Latest>, alerts::signal_count> latest{};
        bool urgent{false};
        std::optional<alerts::Millis> sent;  // monotonic time of the last publish
    };
    void from_session(Chair& c, const alerts::Session& s);
    static std::string encode(const std::string& chair, const Chair& c, alerts::Millis wall);

    alerts::Millis min_interval_;
    std::map<std::string, Chair, std::less<>> chairs_;
    std::set<std::string, std::less<>> dirty_;
};

}  // namespace chairwatch::daemon
