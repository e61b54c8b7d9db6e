#include "drivers/mqtt/link_watch.hpp"

#include <fcntl.h>
#include <netdb.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>

#include "drivers/mqtt/tcp_nodelay.hpp"

namespace chairwatch::drivers {

namespace {

// A broker that has just gone may still accept for a moment; the first look waits this long.
constexpr std::chrono::milliseconds first_probe_after{1000};
// A connection Paho is busy connecting is asked again this often, this many times (its attempt
// against a broker that was still down ends within about a second).
constexpr std::chrono::milliseconds retry_after{250};
constexpr int retries{12};

std::string broker_host(const std::string& uri) {
    const auto scheme_end = uri.find("://");
    const auto start = scheme_end == std::string::npos ? 0 : scheme_end + 3;
    auto end = uri.find('/', start);
    if (end == std::string::npos) end = uri.size();
    const auto authority = uri.substr(start, end - start);
    if (!authority.empty() && authority.front() == '[')
        return authority.substr(1, authority.find(']') - 1);
    return authority.substr(0, authority.rfind(':'));
}

bool connects(const addrinfo& a, std::chrono::milliseconds timeout) {
    const int fd = ::socket(a.ai_family, a.ai_socktype | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (fd < 0) return false;
    bool ok = ::connect(fd, a.ai_addr, a.ai_addrlen) == 0;
    if (!ok && errno == EINPROGRESS) {
        pollfd p{fd, POLLOUT, 0};
        int err = 0;
        socklen_t len = sizeof err;
        ok = ::poll(&p, 1, static_cast<int>(timeout.count())) == 1 &&
             ::getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len) == 0 && err == 0;
    }
    ::close(fd);
    return ok;
}

}  // namespace

bool broker_answers(const std::string& uri, std::chrono::milliseconds timeout) {
    const int port = broker_port(uri);
    if (port == 0) return false;
    addrinfo hints{};
    hints.ai_family = AF_UNSPEC;
    hints.ai_socktype = SOCK_STREAM;
    addrinfo* found = nullptr;
    if (::getaddrinfo(broker_host(uri).c_str(), std::to_string(port).c_str(), &hints, &found) != 0)
        return false;
    bool ok = false;
    for (const addrinfo* a = found; a != nullptr && !ok; a = a->ai_next)
        ok = connects(*a, timeout);
    ::freeaddrinfo(found);
    return ok;
}

LinkWatch::LinkWatch(Hooks hooks) : hooks_(std::move(hooks)), thread_([this] { run(); }) {}

LinkWatch::~LinkWatch() {
    {
        std::lock_guard lock(mutex_);
        quit_ = true;
    }
    wake_.notify_one();
    thread_.join();
}

void LinkWatch::link_up() {
    std::lock_guard lock(mutex_);
    kick_ = true;
    wake_.notify_one();
}

void LinkWatch::link_lost() {
    std::lock_guard lock(mutex_);
    if (!answered_) next_probe_ = Clock::now() + first_probe_after;
    wake_.notify_one();
}

void LinkWatch::enable(bool on) {
    std::lock_guard lock(mutex_);
    enabled_ = on;
    kick_ = false;
    wake_.notify_one();
}

void LinkWatch::run() {
    std::unique_lock lock(mutex_);
    while (!quit_) {
        if (enabled_ && (kick_ || (retry_at_ && Clock::now() >= *retry_at_))) {
            if (kick_) retries_ = retries;
            kick_ = false;
            retry_at_.reset();
            lock.unlock();
            const bool asked = hooks_.reconnect_lost();
            lock.lock();
            if (!asked && retries_-- > 0) retry_at_ = Clock::now() + retry_after;
            continue;
        }
        kick_ = false;
        if (!enabled_) retry_at_.reset();
        const bool watching = enabled_ && hooks_.broker_answers && hooks_.any_lost();
        if (!watching) answered_.reset();
        if (watching && Clock::now() >= next_probe_) {
            probe(lock);
            continue;
        }
        auto until = Clock::time_point::max();
        if (watching) until = next_probe_;
        if (retry_at_) until = std::min(until, *retry_at_);
        if (until == Clock::time_point::max())
            wake_.wait(lock);
        else
            wake_.wait_until(lock, until);
    }
}

// One look at the broker's port. Refused, then answering: it is back, so the lost connections
// reconnect now. While it answers and they stay down (a login refused, say), the looks thin
// out to Paho's own pace.
void LinkWatch::probe(std::unique_lock<std::mutex>& lock) {
    lock.unlock();
    const bool answers = hooks_.broker_answers();
    lock.lock();
    if (answers && answered_ == false) kick_ = true;
    if (answers)
        answer_interval_ = answered_ == true ? std::min(answer_interval_ * 2, hooks_.probe_at_most)
                                             : hooks_.probe_every;
    answered_ = answers;
    next_probe_ = Clock::now() + (answers ? answer_interval_ : hooks_.probe_every);
}

}  // namespace chairwatch::drivers
