// A TCP relay on a free loopback port to another one, whose link can be cut and restored: a
// network partition between one client and the broker, made for real (both sockets closed, new
// connections refused while cut). Its threads stop with it.
#pragma once

#include <atomic>
#include <mutex>
#include <thread>
#include <vector>

namespace chairwatch::it {

class TcpProxy {
  public:
    explicit TcpProxy(int target_port);
    ~TcpProxy();
    TcpProxy(const TcpProxy&) = delete;
    TcpProxy& operator=(const TcpProxy&) = delete;

    int port() const { return port_; }
    // Closes every relayed connection; new ones are closed at once until restore().
    void cut();
    // Relays nothing more but keeps every connection open: a host gone without a word (no FIN,
    // no RST); the broker finds out by its keepalive.
    void freeze() { frozen_ = true; }
    // Takes new connections again; a frozen one relays again (and learns what became of its
    // other end).
    void restore() {
        cut_ = false;
        frozen_ = false;
    }

  private:
    void accept_loop();
    void relay(int a, int b);

    int target_port_;
    int port_{0};
    int listen_fd_{-1};
    std::atomic<bool> stop_{false}, cut_{false}, frozen_{false};
    std::mutex mu_;
    std::vector<int> open_;  // both ends of each relayed connection
    std::vector<std::thread> threads_;
    std::thread acceptor_;
};

}  // namespace chairwatch::it
