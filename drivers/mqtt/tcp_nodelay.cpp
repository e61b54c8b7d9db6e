#include "drivers/mqtt/tcp_nodelay.hpp"

#include <dirent.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>

#include <charconv>
#include <cstdlib>

namespace chairwatch::drivers {

int broker_port(const std::string& uri) {
    const auto scheme_end = uri.find("://");
    const std::string scheme = scheme_end == std::string::npos ? "tcp" : uri.substr(0, scheme_end);
    const auto host_start = scheme_end == std::string::npos ? 0 : scheme_end + 3;
    auto host_end = uri.find('/', host_start);
    if (host_end == std::string::npos) host_end = uri.size();
    const auto authority = uri.substr(host_start, host_end - host_start);
    const auto colon = authority.rfind(':');
    const auto bracket = authority.rfind(']');
    if (colon != std::string::npos && (bracket == std::string::npos || colon > bracket)) {
        int port = 0;
        const char* first = authority.data() + colon + 1;
        const char* last = authority.data() + authority.size();
        const auto [end, ec] = std::from_chars(first, last, port);
        return ec == std::errc() && end == last && port > 0 && port < 65536 ? port : 0;
    }
    if (scheme == "tcp" || scheme == "mqtt") return 1883;
    if (scheme == "ssl" || scheme == "mqtts") return 8883;
    return 0;
}

int set_tcp_nodelay_towards(const std::string& uri) {
    const int port = broker_port(uri);
    if (port == 0) return 0;
    DIR* dir = opendir("/proc/self/fd");
    if (dir == nullptr) return 0;
    int set = 0;
    while (const dirent* e = readdir(dir)) {
        char* end = nullptr;
        const long fd = std::strtol(e->d_name, &end, 10);
        if (end == e->d_name || *end != '\0' || fd == dirfd(dir)) continue;
        const int s = static_cast<int>(fd);
        int type = 0, protocol = 0;
        socklen_t len = sizeof type;
        if (getsockopt(s, SOL_SOCKET, SO_TYPE, &type, &len) != 0 || type != SOCK_STREAM) continue;
        len = sizeof protocol;
        if (getsockopt(s, SOL_SOCKET, SO_PROTOCOL, &protocol, &len) != 0 || protocol != IPPROTO_TCP)
            continue;
        sockaddr_storage peer{};
        len = sizeof peer;
        if (getpeername(s, reinterpret_cast<sockaddr*>(&peer), &len) != 0) continue;
        int peer_port = 0;
        if (peer.ss_family == AF_INET)
            peer_port = ntohs(reinterpret_cast<const sockaddr_in*>(&peer)->sin_port);
        else if (peer.ss_family == AF_INET6)
            peer_port = ntohs(reinterpret_cast<const sockaddr_in6*>(&peer)->sin6_port);
        if (peer_port != port) continue;
        const int on = 1;
        if (setsockopt(s, IPPROTO_TCP, TCP_NODELAY, &on, sizeof on) == 0) ++set;
    }
    closedir(dir);
    return set;
}

}  // namespace chairwatch::drivers
