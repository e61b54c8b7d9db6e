// The chair topics chairwatchd subscribes to: every chair's under the prefix ('+'), or, when the
// site's chairs are all named without wildcards, exactly those chairs' (docs/high-availability.md,
// "Many sites"). MQTT filters match whole topic levels, so a pattern such as "north-*" needs '+'
// and Inbound ignores (and counts) the other sites' chairs.
#pragma once

#include <string>
#include <vector>

#include "config/config.hpp"

namespace chairwatch::daemon {

struct Subscription {
    std::string filter;
    int qos{1};
};

std::vector<Subscription> chair_subscriptions(const config::Config& cfg);

}  // namespace chairwatch::daemon
