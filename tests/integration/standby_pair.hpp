// What the standby-pair tests (test_standby_pair.cpp) and bench/takeover_bench.cpp share: one
// instance's configuration, and what a webhook receiver (tests/notify/webhook_receiver.py)
// recorded.
#pragma once

#include <map>
#include <string>
#include <vector>

namespace chairwatch::it {

// "default_profile: pair" and profile "pair" (below), as YAML lines.
std::string pair_profile_yaml();

// Instance `instance` of group `group` (client id chairwatchd-<instance>), notifying the webhook
// receiver on `webhook_port` ungrouped; profile "pair": HR >= 150 HIGH and SBP >= 180 MEDIUM on
// the latest sample, high latching, no escalation within a test.
std::string standby_pair_config(const std::string& group, const std::string& instance,
                                int keepalive_s, int webhook_port);

// For each transition ("alert_id/state") in the receiver's record: the idempotency key of each
// delivery.
std::map<std::string, std::vector<std::string>> paged_keys(const std::string& record);

}  // namespace chairwatch::it
