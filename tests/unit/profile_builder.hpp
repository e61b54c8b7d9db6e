// Profiles and instants for unit tests, built by hand so each test states its own limits.
#pragma once

#include <memory>

#include "alerts/profile.hpp"

namespace chairwatch::test {

using namespace std::chrono_literals;
using alerts::Millis;

inline alerts::Instant at(Millis t) {
    return {t, Millis(1'764'000'000'000) + t};
}

inline alerts::Tier tier(double limit, alerts::Priority p, Millis delay = 0ms, int consecutive = 1,
                         Millis within = 0ms, bool inclusive = true) {
    alerts::Tier t;
    t.limit = limit;
    t.priority = p;
    t.delay = delay;
    t.consecutive = consecutive;
    t.within = within;
    t.inclusive = inclusive;
    return t;
}

inline alerts::Rule rule(std::string condition, alerts::Signal s, alerts::Direction d,
                         double margin, Millis hold, std::vector<alerts::Tier> tiers) {
    alerts::Rule r;
    r.condition = std::move(condition);
    r.signal = s;
    r.direction = d;
    r.clear_margin = margin;
    r.clear_hold = hold;
    r.tiers = std::move(tiers);
    return r;
}

// A feed of one signal, e.g. hr_feed_lost with its silence tiers; `expected`: from the start.
inline alerts::FeedRule feed_rule(std::string condition, alerts::Signal s,
                                  std::vector<alerts::FeedTier> tiers, bool expected = false) {
    alerts::FeedRule f;
    f.condition = std::move(condition);
    f.signal_mask = alerts::mask_of(s);
    f.tiers = std::move(tiers);
    f.expected = expected;
    return f;
}

inline std::shared_ptr<alerts::Profile> profile(std::vector<alerts::Rule> rules,
                                                std::vector<alerts::FeedRule> feeds = {}) {
    auto p = std::make_shared<alerts::Profile>();
    p->rules = std::move(rules);
    p->feeds = std::move(feeds);
    return p;
}

}  // namespace chairwatch::test
