#include "tcp_proxy.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <stdexcept>

namespace chairwatch::it {

namespace {

sockaddr_in loopback(int port) {
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    addr.sin_port = htons(static_cast<std::uint16_t>(port));
    return addr;
}

}  // namespace

TcpProxy::TcpProxy(int target_port) : target_port_(target_port) {
    listen_fd_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    const int one = 1;
    ::setsockopt(listen_fd_, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    auto addr = loopback(0);
    socklen_t len = sizeof addr;
    if (::bind(listen_fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0 ||
        ::listen(listen_fd_, 16) != 0 ||
        ::getsockname(listen_fd_, reinterpret_cast<sockaddr*>(&addr), &len) != 0)
        throw std::runtime_error("proxy: cannot listen");
    port_ = ntohs(addr.sin_port);
    acceptor_ = std::thread([this] { accept_loop(); });
}

TcpProxy::~TcpProxy() {
    stop_ = true;
    cut();
    acceptor_.join();
    for (auto& t : threads_)
        t.join();
    ::close(listen_fd_);
}

void TcpProxy::cut() {
    cut_ = true;
    const std::lock_guard lock(mu_);
    for (const int fd : open_)
        ::shutdown(fd, SHUT_RDWR);  // wakes the relay, which closes them
}

void TcpProxy::accept_loop() {
    while (!stop_) {
        pollfd p{listen_fd_, POLLIN, 0};
        if (::poll(&p, 1, 100) <= 0) continue;
        // CLOEXEC: a child started meanwhile (a daemon) must not hold them open.
        const int client = ::accept4(listen_fd_, nullptr, nullptr, SOCK_CLOEXEC);
        if (client < 0) continue;
        const int server = cut_ ? -1 : ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
        const auto addr = loopback(target_port_);
        if (server < 0 ||
            ::connect(server, reinterpret_cast<const sockaddr*>(&addr), sizeof addr) != 0) {
            if (server >= 0) ::close(server);
            ::close(client);
            continue;
        }
        const std::lock_guard lock(mu_);
        open_.push_back(client);
        open_.push_back(server);
        threads_.emplace_back([this, client, server] { relay(client, server); });
    }
}

void TcpProxy::relay(int a, int b) {
    char buf[16384];
    pollfd p[2] = {{a, POLLIN, 0}, {b, POLLIN, 0}};
    while (!stop_) {
        if (frozen_ && !cut_) {
            std::this_thread::sleep_for(std::chrono::milliseconds(50));
            continue;
        }
        if (::poll(p, 2, 200) < 0) break;
        if (frozen_ && !cut_) continue;  // frozen while it waited: what came stays unread
        bool done = false;
        for (int i = 0; i < 2 && !done; ++i) {
            if (!(p[i].revents & (POLLIN | POLLHUP | POLLERR))) continue;
            const auto n = ::recv(p[i].fd, buf, sizeof buf, 0);
            done =
                n <= 0 || ::send(p[1 - i].fd, buf, static_cast<std::size_t>(n), MSG_NOSIGNAL) != n;
        }
        if (done) break;
    }
    const std::lock_guard lock(mu_);
    open_.erase(
        std::remove_if(open_.begin(), open_.end(), [&](int fd) { return fd == a || fd == b; }),
        open_.end());
    ::shutdown(a, SHUT_RDWR);  // the connection ends even if a copy of the fd lives on
    ::shutdown(b, SHUT_RDWR);
    ::close(a);
    ::close(b);
}

}  // namespace chairwatch::it
