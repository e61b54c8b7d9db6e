#include "daemon/systemd_notify.hpp"

#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <cstdlib>
#include <cstring>
#include <string>

namespace chairwatch::daemon {

bool sd_notify(std::string_view state) {
    const char* path = std::getenv("NOTIFY_SOCKET");
    if (!path || !*path) return false;
    sockaddr_un addr{};
    addr.sun_family = AF_UNIX;
    const std::size_t len = std::strlen(path);
    if (len >= sizeof(addr.sun_path) || (path[0] != '/' && path[0] != '@')) return false;
    std::memcpy(addr.sun_path, path, len);
    if (path[0] == '@') addr.sun_path[0] = '\0';  // abstract namespace
    const int fd = ::socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    if (fd < 0) return false;
    const auto size = static_cast<socklen_t>(offsetof(sockaddr_un, sun_path) + len);
    const bool ok = ::sendto(fd, state.data(), state.size(), MSG_NOSIGNAL,
                             reinterpret_cast<const sockaddr*>(&addr),
                             size) == static_cast<ssize_t>(state.size());
    ::close(fd);
    return ok;
}

std::chrono::milliseconds sd_watchdog_interval() {
    const char* usec = std::getenv("WATCHDOG_USEC");
    if (!usec) return std::chrono::milliseconds(0);
    const char* pid = std::getenv("WATCHDOG_PID");
    if (pid && std::strtol(pid, nullptr, 10) != ::getpid()) return std::chrono::milliseconds(0);
    return std::chrono::milliseconds(std::strtoll(usec, nullptr, 10) / 1000);
}

}  // namespace chairwatch::daemon
