// sd_notify(3) without libsystemd: one datagram to $NOTIFY_SOCKET. Does nothing when the
// daemon does not run under systemd (no NOTIFY_SOCKET).
#pragma once

#include <chrono>
#include <string_view>

namespace chairwatch::daemon {

// Sends `state` ("READY=1", "WATCHDOG=1", "STOPPING=1", "STATUS=..."); false if it could not.
bool sd_notify(std::string_view state);

// The watchdog interval systemd asked for (WATCHDOG_USEC), zero if none.
std::chrono::milliseconds sd_watchdog_interval();

}  // namespace chairwatch::daemon
