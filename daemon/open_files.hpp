// What chairwatchd may hold open at once, worked out from the process's open-file limit
// (RLIMIT_NOFILE) and the configuration: the board's connections, a reserve for the broker
// links, the outbox journal, reports and the event loop, and the session logs (which are
// closed and opened again on demand beyond their share). A configuration whose fixed needs do
// not fit is refused at start, at --check-config and at reload.
#pragma once

#include <cstddef>
#include <string>
#include <variant>

#include "config/config.hpp"

namespace chairwatch::daemon {

struct OpenFiles {
    std::size_t limit{0};         // the soft limit, after raising it to the hard one
    std::size_t session_logs{0};  // descriptors for session logs
};

// Descriptors kept for everything but the board and the session logs.
constexpr std::size_t reserved_files = 64;
// Fewer session log descriptors than this would reopen files on almost every write.
constexpr std::size_t min_session_logs = 16;

// Raises the soft open-file limit to the hard one (systemd's default soft limit is 1,024).
void raise_open_file_limit();
// The budget for `cfg` under `limit`, or why the configuration cannot fit.
std::variant<OpenFiles, std::string> plan_open_files(const config::Config& cfg, std::size_t limit);
// The same under this process's current limit.
std::variant<OpenFiles, std::string> plan_open_files(const config::Config& cfg);

}  // namespace chairwatch::daemon
