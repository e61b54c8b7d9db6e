// What a transport has in flight. Each exchange starts on the executor, never inside send()
// (Transport's promise), and when the transport goes away every exchange still running is
// abandoned: it closes what it holds and never calls its `done`.
#pragma once

#include <algorithm>
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <memory>
#include <vector>

namespace chairwatch::drivers::notify {

class Abandonable {
  public:
    virtual ~Abandonable() = default;
    virtual void abandon() = 0;
};

class InFlight {
  public:
    explicit InFlight(boost::asio::io_context& io) : io_(io) {}
    InFlight(const InFlight&) = delete;
    InFlight& operator=(const InFlight&) = delete;
    ~InFlight() {
        for (auto& weak : live_)
            if (auto e = weak.lock()) e->abandon();
    }

    // Keeps `e` to abandon later and starts it (`e->start()`) from the executor.
    template <class E>
    void start(const std::shared_ptr<E>& e) {
        std::erase_if(live_, [](const auto& w) { return w.expired(); });
        live_.push_back(e);
        boost::asio::post(io_, [e] { e->start(); });
    }

  private:
    boost::asio::io_context& io_;
    std::vector<std::weak_ptr<Abandonable>> live_;
};

}  // namespace chairwatch::drivers::notify
