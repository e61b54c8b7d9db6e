#include "daemon/open_files.hpp"

#include <sys/resource.h>

#include <algorithm>
#include <limits>

namespace chairwatch::daemon {

void raise_open_file_limit() {
    rlimit lim{};
    if (getrlimit(RLIMIT_NOFILE, &lim) != 0 || lim.rlim_cur >= lim.rlim_max) return;
    lim.rlim_cur = lim.rlim_max;
    setrlimit(RLIMIT_NOFILE, &lim);
}

std::variant<OpenFiles, std::string> plan_open_files(const config::Config& cfg, std::size_t limit) {
    const auto board = cfg.http.port ? static_cast<std::size_t>(cfg.http.max_connections) + 1 : 0;
    const auto needed = reserved_files + board + min_session_logs;
    if (limit < needed)
        return "this process may open " + std::to_string(limit) +
               " files (RLIMIT_NOFILE; systemd: LimitNOFILE=), but the configuration needs at "
               "least " +
               std::to_string(needed) + ": " + std::to_string(board) +
               " for the board (http.max_connections + its listener), " +
               std::to_string(min_session_logs) + " for session logs and " +
               std::to_string(reserved_files) +
               " for the broker links, queue and reports; lower http.max_connections or raise "
               "the limit";
    OpenFiles f;
    f.limit = limit;
    f.session_logs = std::min(cfg.input.max_chairs, limit - reserved_files - board);
    f.session_logs = std::max(f.session_logs, min_session_logs);
    return f;
}

std::variant<OpenFiles, std::string> plan_open_files(const config::Config& cfg) {
    rlimit lim{};
    std::size_t limit = std::numeric_limits<int>::max();
    if (getrlimit(RLIMIT_NOFILE, &lim) == 0 && lim.rlim_cur != RLIM_INFINITY)
        limit = static_cast<std::size_t>(lim.rlim_cur);
    return plan_open_files(cfg, limit);
}

}  // namespace chairwatch::daemon
