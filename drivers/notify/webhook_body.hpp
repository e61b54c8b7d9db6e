// What a webhook receiver gets: the JSON body of one notification and its signature.
//
// Body (UTF-8 JSON, one object):
//   key            the idempotency key (also the Idempotency-Key header): the same on every retry
//   chair          "chair-03"
//   session_id     the chair's session
//   site           the instance's site.id; only with one (docs/high-availability.md)
//   test           true for `chairwatch notify-test`: not a patient alarm
//   summary        the texts of all transitions, one per line (what a push message shows)
//   transitions    in order, each:
//     alert_id         "[<site>:]<chair>:<session_id>:a<n>", stable for the alarm's life
//     condition        "sbp_high"
//     state            raised | updated | acknowledged | escalated | cleared
//     priority         low | medium | high
//     kind             physiological | technical | advisory
//     signal, value, limit, unit   the measurement that raised it (unit "s" for feed alarms);
//                                  monitor_link_lost: value, limit, unit "s", no signal;
//                                  absent for notices and the daemon's own alarms
//     active, latched, acknowledged, escalation_level
//     acknowledged_by  only when acknowledged
//     onset, at        ISO-8601 UTC wall times ("2026-11-24T18:41:00.500Z")
//     text             the sentence a nurse reads
//
// Signature: X-Chairwatch-Signature: sha256=<lower-case hex HMAC-SHA256 of the body bytes,
// keyed with the secret file's contents>.
#pragma once

#include <string>
#include <string_view>

#include "drivers/notify/notification.hpp"

namespace chairwatch::drivers::notify {

std::string webhook_body(const Notification& n);
// Lower-case hex HMAC-SHA256 of `data` keyed with `key` (OpenSSL).
std::string hmac_sha256_hex(std::string_view key, std::string_view data);

}  // namespace chairwatch::drivers::notify
