#include "tools/simulator/monitor_links.hpp"

#include <netdb.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include <array>
#include <stdexcept>
#include <string_view>

namespace chairwatch::sim {

namespace {

const std::string offline = R"({"online":false})";

void put_string(std::string& out, std::string_view s) {
    out += static_cast<char>((s.size() >> 8) & 0xFF);
    out += static_cast<char>(s.size() & 0xFF);
    out += s;
}

// An MQTT 3.1.1 packet: its type byte, the remaining length, the body.
std::string packet(unsigned char type, const std::string& body) {
    std::string out(1, static_cast<char>(type));
    std::size_t n = body.size();
    do {
        auto byte = static_cast<unsigned char>(n % 128);
        n /= 128;
        if (n > 0) byte |= 0x80;
        out += static_cast<char>(byte);
    } while (n > 0);
    return out + body;
}

// CONNECT, clean session, no keepalive, with the will {"online":false} (QoS 1, retained).
std::string connect_packet(const std::string& client_id, const std::string& will_topic) {
    std::string body;
    put_string(body, "MQTT");
    body += '\x04';                                        // protocol level: 3.1.1
    body += static_cast<char>(0x02 | 0x04 | 0x08 | 0x20);  // clean, will, will QoS 1, retain
    body += std::string("\x00\x00", 2);                    // keepalive 0: the socket tells
    put_string(body, client_id);
    put_string(body, will_topic);
    put_string(body, offline);
    return packet(0x10, body);
}

// PUBLISH, QoS 0, retained.
std::string publish_packet(const std::string& topic, const std::string& payload) {
    std::string body;
    put_string(body, topic);
    return packet(0x31, body + payload);
}

// tcp://host:port -> a connected socket, or -1.
int dial(const std::string& broker) {
    constexpr std::string_view scheme = "tcp://";
    const auto colon = broker.rfind(':');
    if (!broker.starts_with(scheme) || colon <= scheme.size()) return -1;
    const auto host = broker.substr(scheme.size(), colon - scheme.size());
    const auto port = broker.substr(colon + 1);
    addrinfo hints{};
    hints.ai_socktype = SOCK_STREAM;
    addrinfo* found = nullptr;
    if (::getaddrinfo(host.c_str(), port.c_str(), &hints, &found) != 0) return -1;
    int fd = -1;
    for (auto* a = found; a && fd < 0; a = a->ai_next) {
        fd = ::socket(a->ai_family, a->ai_socktype, a->ai_protocol);
        if (fd >= 0 && ::connect(fd, a->ai_addr, a->ai_addrlen) != 0) {
            ::close(fd);
            fd = -1;
        }
    }
    ::freeaddrinfo(found);
    return fd;
}

bool send_all(int fd, const std::string& bytes) {
    std::size_t sent = 0;
    while (sent < bytes.size()) {
        const auto n = ::send(fd, bytes.data() + sent, bytes.size() - sent, MSG_NOSIGNAL);
        if (n <= 0) return false;
        sent += static_cast<std::size_t>(n);
    }
    return true;
}

}  // namespace

MonitorLinks::MonitorLinks(const std::string& broker, const std::string& prefix,
                           const std::vector<std::string>& chairs)
    : broker_(broker) {
    for (const auto& chair : chairs) {
        Link link;
        link.client_id = "chairwatch-sim-" + std::to_string(::getpid()) + "-monitor-" + chair;
        link.topic = prefix + "/" + chair + "/monitor";
        link.device = "sim-" + chair;
        links_.push_back(std::move(link));
    }
    for (auto& link : links_)
        connect(link);
}

MonitorLinks::~MonitorLinks() {
    for (auto& link : links_)
        if (link.fd >= 0) ::close(link.fd);
}

void MonitorLinks::connect(Link& link) {
    link.fd = dial(broker_);
    if (link.fd < 0)
        throw std::runtime_error("monitor link of " + link.topic + ": cannot reach " + broker_ +
                                 " (--monitor-links needs a tcp:// broker)");
    timeval five{5, 0};
    ::setsockopt(link.fd, SOL_SOCKET, SO_RCVTIMEO, &five, sizeof five);
    std::array<unsigned char, 4> connack{};
    const auto online = R"({"online":true,"device":")" + link.device + R"("})";
    if (!send_all(link.fd, connect_packet(link.client_id, link.topic)) ||
        ::recv(link.fd, connack.data(), connack.size(), MSG_WAITALL) != 4 || connack[0] != 0x20 ||
        connack[3] != 0 || !send_all(link.fd, publish_packet(link.topic, online)))
        throw std::runtime_error("monitor link of " + link.topic + ": the broker refused it");
    link.online = true;
}

void MonitorLinks::drop(std::size_t chair) {
    auto& link = links_[chair];
    if (!link.online) return;
    ::close(link.fd);  // no DISCONNECT: the broker publishes the will
    link.fd = -1;
    link.online = false;
}

void MonitorLinks::restore(std::size_t chair) {
    if (!links_[chair].online) connect(links_[chair]);
}

void MonitorLinks::finish() {
    for (auto& link : links_) {
        if (!link.online) continue;
        send_all(link.fd, publish_packet(link.topic, offline));
        send_all(link.fd, std::string("\xE0\x00", 2));  // DISCONNECT: no will
        ::close(link.fd);
        link.fd = -1;
        link.online = false;
    }
}

}  // namespace chairwatch::sim
