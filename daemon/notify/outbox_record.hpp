// One pending notification as the notifier's outbox journal keeps it (one JSON object a
// record), so that a restart sends what was not delivered. Pure.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "drivers/notify/notification.hpp"

namespace chairwatch::daemon::notify {

struct OutboxRecord {
    std::uint64_t seq{0};  // order of queueing: each receiver gets its notifications in order
    std::string receiver;
    std::string fallback;      // the route's, when the receiver fails
    bool fell_back{false};     // already given to the fallback
    alerts::Millis queued{0};  // wall time it was queued
    drivers::notify::Notification notification;
};

std::string encode_record(const OutboxRecord& r);
// nullopt for a record this build cannot read.
std::optional<OutboxRecord> decode_record(std::string_view json);

}  // namespace chairwatch::daemon::notify
