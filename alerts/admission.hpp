// Which readings of a message the Clinic is given to judge. Pure: time is an argument.
#pragma once

#include <array>
#include <functional>
#include <span>
#include <string>
#include <string_view>
#include <unordered_map>

#include "alerts/types.hpp"

namespace chairwatch::alerts {

// A reading stamped too far ahead of its arrival (a device clock gone wrong) or too long before
// it (a stale replay, a device that buffered for hours) would move the session's clock or be
// judged as current: it is refused. Readings in between, late or out of order after a
// reconnection among them, are judged as usual.
enum class Timing : std::uint8_t { ok, ahead, behind };
inline Timing timing(Millis device_ts, Millis arrival_wall, Millis max_future, Millis max_age) {
    const auto ahead = device_ts - arrival_wall;
    if (ahead > max_future) return Timing::ahead;
    if (-ahead > max_age) return Timing::behind;
    return Timing::ok;
}

// A message delivered twice (a QoS 1 redelivery, a monitor that repeats itself) carries the
// same device time as the reading before it: judging it again would count one measurement twice
// towards a rule's `consecutive`. Older, out-of-order readings are still judged.
class RepeatFilter {
  public:
    // Whether `r` repeats the chair's last judged reading of its signal. A reading without a time
    // of its own was stamped with its arrival time: never a repeat.
    bool repeats(std::string_view chair, const Reading& r, Millis arrival_wall) const {
        if (r.device_ts == arrival_wall) return false;
        const auto it = last_.find(chair);
        return it != last_.end() && it->second[index_of(r.signal)] == r.device_ts;
    }
    // The readings the Clinic judged.
    void judged(std::string_view chair, std::span<const Reading> readings) {
        auto it = last_.find(chair);
        if (it == last_.end())
            it = last_.emplace(std::string(chair), std::array<Millis, signal_count>{}).first;
        auto& last = it->second;
        for (const auto& r : readings)
            last[index_of(r.signal)] = r.device_ts;
    }
    // After a restart: the last reading of each signal a session's log holds.
    void seed(std::string_view chair, const std::array<Millis, signal_count>& last) {
        last_[std::string(chair)] = last;
    }
    void forget(std::string_view chair) {
        if (const auto it = last_.find(chair); it != last_.end()) last_.erase(it);
    }

  private:
    struct Hash {
        using is_transparent = void;
        std::size_t operator()(std::string_view s) const {
            return std::hash<std::string_view>{}(s);
        }
    };
    std::unordered_map<std::string, std::array<Millis, signal_count>, Hash, std::equal_to<>> last_;
};

}  // namespace chairwatch::alerts
