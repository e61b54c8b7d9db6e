// The one lock on the daemon's state (Clinic, session logs, counters, outgoing queue), and the
// inbox of messages that came while it was held.
//
// Paho calls deliver() on its receiving thread. A message is handled right there when the
// state is free: handing every message to the executor woke its thread once per message, about
// a third of the daemon's CPU per reading. When a handler on the executor holds the state (a
// tick, a log flush, a board request), the message waits in the inbox, for the next message or
// the posted drain, whichever comes first; the inbox always goes first, so messages keep their
// order. Paho's thread never waits for the lock: it holds Paho's own mutex there, which a
// publish from the executor may be waiting for. Everything else runs on the executor with the
// state held: post() for handlers, hold() for a scope (the board's requests).
//
// No exception crosses the gate: one thrown by a handler is logged, counted and dropped, and
// the daemon goes on with the next message.
#pragma once

#include <atomic>
#include <boost/asio.hpp>
#include <functional>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

namespace chairwatch::daemon {

class StateGate {
  public:
    using Handler = std::function<void(std::string_view topic, std::string_view payload)>;
    using ErrorHandler = std::function<void(const char* where, const std::exception* e)>;

    StateGate(boost::asio::io_context& io, Handler handler, ErrorHandler on_error)
        : io_(io), handler_(std::move(handler)), on_error_(std::move(on_error)) {}

    // On Paho's thread: one message.
    void deliver(std::string_view topic, std::string_view payload);
    // On the executor, with the state held.
    template <class F>
    void post(F f) {
        boost::asio::post(io_, [this, f = std::move(f)]() mutable {
            const auto state = hold();
            drain();
            guarded("a timer or connection handler", f);
        });
    }
    // Holds the state in the calling scope (on the executor). What waits in the inbox stays
    // there for the drain posted when it arrived (a board request reads the state as it is).
    std::unique_lock<std::mutex> hold() { return std::unique_lock(state_); }
    // With the state held: handles what waits in the inbox.
    void drain();
    // From now on a message is dropped unread (the daemon stops; its receiving connection was
    // closed first, so none should come).
    void close() { closed_ = true; }
    bool closed() const { return closed_; }

  private:
    template <class F>
    void guarded(const char* where, F& f) {
        try {
            f();
        } catch (const std::exception& e) {
            on_error_(where, &e);
        } catch (...) {
            on_error_(where, nullptr);
        }
    }
    void handle(std::string_view topic, std::string_view payload);

    struct Inbound {
        std::string topic, payload;
    };
    boost::asio::io_context& io_;
    Handler handler_;
    ErrorHandler on_error_;
    std::mutex state_;
    std::mutex inbox_mutex_;
    std::vector<Inbound> inbox_;     // messages that came while the state was held
    std::vector<Inbound> draining_;  // being handled (state held)
    std::atomic<bool> closed_{false};
};

}  // namespace chairwatch::daemon
