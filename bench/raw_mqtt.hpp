// RawPublisher: a minimal MQTT 3.1.1 publisher on a plain TCP socket, for floods. It writes
// PUBLISH packets in batches (hundreds per system call), so that one thread can offer tens of
// thousands of messages a second while the broker and the system under test keep the CPU:
// Paho's client makes a system call and wakes its sending thread for every publish. QoS 0 or 1;
// the broker's acknowledgements are read and counted on a thread of its own. No TLS, no
// reconnection, no MQTT 5: a load generator, not a client for anything else.
// Used by bench/flood_bench.cpp and tests/integration/test_flood.cpp.
#pragma once

#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <thread>

namespace chairwatch::bench {

class RawPublisher {
  public:
    // Connects and logs in (clean session, keep-alive 60 s); throws if the broker refuses.
    RawPublisher(const std::string& host, int port, const std::string& client_id,
                 const std::string& username = "", const std::string& password = "") {
        fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
        sockaddr_in addr{};
        addr.sin_family = AF_INET;
        addr.sin_port = htons(static_cast<std::uint16_t>(port));
        if (fd_ < 0 || ::inet_pton(AF_INET, host.c_str(), &addr.sin_addr) != 1 ||
            ::connect(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
            close_fd();
            throw std::runtime_error("raw publisher: cannot connect to " + host + ":" +
                                     std::to_string(port));
        }
        std::string body("\0\4MQTT\4", 7);
        body +=
            static_cast<char>(0x02 | (username.empty() ? 0 : 0x80) | (password.empty() ? 0 : 0x40));
        body += std::string("\0\x3c", 2);  // keep-alive 60 s
        add_string(body, client_id);
        if (!username.empty()) add_string(body, username);
        if (!password.empty()) add_string(body, password);
        add_packet(0x10, body);
        flush();
        unsigned char ack[4];
        std::size_t got = 0;
        while (got < sizeof ack) {
            const auto n = ::recv(fd_, ack + got, sizeof ack - got, 0);
            if (n <= 0) break;
            got += static_cast<std::size_t>(n);
        }
        if (got < sizeof ack || ack[0] != 0x20 || ack[3] != 0) {
            close_fd();
            throw std::runtime_error("raw publisher: broker refused the connection (CONNACK " +
                                     std::to_string(got == sizeof ack ? ack[3] : -1) + ")");
        }
        reader_ = std::thread([this] { read_acks(); });
    }

    ~RawPublisher() {
        if (fd_ >= 0) {
            out_.clear();
            add_packet(0xE0, "");  // DISCONNECT
            flush();
            ::shutdown(fd_, SHUT_RDWR);
        }
        if (reader_.joinable()) reader_.join();
        close_fd();
    }
    RawPublisher(const RawPublisher&) = delete;
    RawPublisher& operator=(const RawPublisher&) = delete;

    // Appends one PUBLISH to the batch; flush() sends the batch.
    void add(std::string_view topic, std::string_view payload, int qos = 0) {
        std::string& b = scratch_;
        b.clear();
        add_string(b, topic);
        if (qos > 0) {
            next_id_ = next_id_ == 0xFFFF ? 1 : next_id_ + 1;
            b += static_cast<char>(next_id_ >> 8);
            b += static_cast<char>(next_id_ & 0xFF);
        }
        b.append(payload);
        add_packet(static_cast<unsigned char>(0x30 | (qos > 0 ? 0x02 : 0)), b);
    }

    // Writes the batch; false once the connection is gone.
    bool flush() {
        std::size_t at = 0;
        while (at < out_.size()) {
            const auto n = ::send(fd_, out_.data() + at, out_.size() - at, MSG_NOSIGNAL);
            if (n <= 0) return false;
            at += static_cast<std::size_t>(n);
        }
        out_.clear();
        return true;
    }

    void ping() { add_packet(0xC0, ""); }
    std::size_t batched() const { return out_.size(); }
    std::uint64_t acks() const { return acks_.load(std::memory_order_relaxed); }
    bool lost() const { return lost_.load(); }

  private:
    static void add_string(std::string& b, std::string_view s) {
        b += static_cast<char>(s.size() >> 8);
        b += static_cast<char>(s.size() & 0xFF);
        b.append(s);
    }
    void add_packet(unsigned char type, std::string_view body) {
        out_ += static_cast<char>(type);
        std::size_t len = body.size();
        do {
            unsigned char byte = len % 128;
            len /= 128;
            if (len > 0) byte |= 0x80;
            out_ += static_cast<char>(byte);
        } while (len > 0);
        out_.append(body);
    }
    // Counts PUBACKs; skips everything else the broker sends (PINGRESP).
    void read_acks() {
        unsigned char buf[65536];
        int state = 0;  // 0: type byte, 1: length bytes, 2: body
        unsigned char type = 0;
        std::size_t len = 0, mult = 1;
        while (true) {
            const auto n = ::recv(fd_, buf, sizeof buf, 0);
            if (n <= 0) break;
            for (ssize_t i = 0; i < n;) {
                if (state == 0) {
                    type = buf[i++];
                    len = 0;
                    mult = 1;
                    state = 1;
                } else if (state == 1) {
                    len += (buf[i] & 0x7F) * mult;
                    mult *= 128;
                    state = (buf[i++] & 0x80) ? 1 : 2;
                    if (state == 2 && (type >> 4) == 4)
                        acks_.fetch_add(1, std::memory_order_relaxed);
                    if (state == 2 && len == 0) state = 0;
                } else {
                    const auto skip = std::min<std::size_t>(len, static_cast<std::size_t>(n - i));
                    i += static_cast<ssize_t>(skip);
                    len -= skip;
                    if (len == 0) state = 0;
                }
            }
        }
        lost_ = true;
    }
    void close_fd() {
        if (fd_ >= 0) ::close(fd_);
        fd_ = -1;
    }

    int fd_{-1};
    std::string out_, scratch_;
    std::uint16_t next_id_{0};
    std::thread reader_;
    std::atomic<std::uint64_t> acks_{0};
    std::atomic<bool> lost_{false};
};

// Publishes at `rate` messages a second for `seconds` (or until `stop`): `one(n, pub)` adds the
// n-th message (n from 0). Returns how many were sent; stops early if the connection is lost.
inline std::uint64_t pace(RawPublisher& pub, double rate, double seconds,
                          const std::function<void(std::uint64_t, RawPublisher&)>& one,
                          const std::atomic<bool>* stop = nullptr) {
    using Clock = std::chrono::steady_clock;
    const auto start = Clock::now();
    auto last_ping = start;
    std::uint64_t sent = 0;
    while (!(stop && stop->load())) {
        const auto now = Clock::now();
        const double elapsed = std::chrono::duration<double>(now - start).count();
        if (elapsed >= seconds) break;
        const auto due = static_cast<std::uint64_t>(rate * elapsed);
        while (sent < due && pub.batched() < (1 << 16))
            one(sent++, pub);
        if (now - last_ping > std::chrono::seconds(20)) {
            pub.ping();
            last_ping = now;
        }
        if (!pub.flush()) break;
        if (sent >= due) std::this_thread::sleep_for(std::chrono::microseconds(500));
    }
    return sent;
}

}  // namespace chairwatch::bench
