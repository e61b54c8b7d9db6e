// A monitoring profile as plain values: the physiological rules and the feed timeouts the engine
// applies to one chair. Built by config/ from YAML, or by hand in tests.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "alerts/types.hpp"

namespace chairwatch::alerts {

enum class Direction : std::uint8_t { high, low };

// One threshold of a rule. A rule alarms at the priority of its highest active tier.
struct Tier {
    double limit{0};
    bool inclusive{true};  // true: the limit value itself is beyond (>= or <=)
    Priority priority{Priority::medium};
    Millis delay{0};     // the value must stay beyond this long (alarm condition delay)
    int consecutive{1};  // cuff signals: this many readings in a row beyond the limit ...
    Millis within{0};    // ... each no more than this after the previous one (0: no bound)
};

struct Rule {
    std::string condition;  // "sbp_high"; one alarm per condition, never stacked
    Signal signal{Signal::hr};
    Direction direction{Direction::high};
    double clear_margin{0};  // hysteresis: clears once back inside the limit by this much ...
    Millis clear_hold{0};    // ... for this long (0: on the next reading)
    std::vector<Tier> tiers;

    bool beyond(const Tier& t, double v) const {
        if (direction == Direction::high) return t.inclusive ? v >= t.limit : v > t.limit;
        return t.inclusive ? v <= t.limit : v < t.limit;
    }
    bool inside_by_margin(const Tier& t, double v) const {
        if (beyond(t, v)) return false;
        return direction == Direction::high ? v <= t.limit - clear_margin
                                            : v >= t.limit + clear_margin;
    }
};

struct FeedTier {
    Millis after{0};  // silent for longer than this
    Priority priority{Priority::low};
};

// A technical alarm when a feed that has delivered in this session goes silent.
struct FeedRule {
    std::string condition;        // "hr_feed_lost"
    std::uint8_t signal_mask{0};  // readings of any of these signals feed it
    std::vector<FeedTier> tiers;  // ascending by `after`

    bool fed_by(Signal s) const { return (signal_mask >> index_of(s)) & 1U; }
    Signal primary_signal() const;
};

constexpr std::uint8_t mask_of(Signal s) {
    return static_cast<std::uint8_t>(1U << index_of(s));
}

struct Profile {
    std::string name{"default"};
    std::vector<Rule> rules;
    std::vector<FeedRule> feeds;
    Millis stream_window{5000};  // streamed signals are judged on the median over this window
    Millis stream_hold{10000};   // with no sample in the window, the latest counts this long
};

}  // namespace chairwatch::alerts
