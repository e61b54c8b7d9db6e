// The MQTT client's own thread, for what must not run on Paho's threads (Paho calls its
// callbacks holding its lock, which most client calls take again):
// bringing the connections that are down back at once when another one has just connected, or
// when the broker's port answers again after it did not. Paho's own retries back off up to
// reconnect_max_s and would leave them down that long after the broker returned.
// Its public calls only take its own mutex, so Paho's callbacks may make them.
#pragma once

#include <chrono>
#include <condition_variable>
#include <functional>
#include <mutex>
#include <optional>
#include <string>
#include <thread>

namespace chairwatch::drivers {

class LinkWatch {
  public:
    using Clock = std::chrono::steady_clock;
    struct Hooks {
        std::function<bool()> any_lost;  // a connection that was up is down
        // Asks those to reconnect now; false if one could not be asked (Paho refuses while an
        // attempt of its own is under way), to be asked again shortly.
        std::function<bool()> reconnect_lost;
        std::function<bool()> broker_answers;            // empty: no probe (unknown port)
        std::chrono::milliseconds probe_every{1000};     // while the broker does not answer
        std::chrono::milliseconds probe_at_most{30000};  // while it answers and links stay down
    };

    explicit LinkWatch(Hooks hooks);
    ~LinkWatch();  // stops the thread
    LinkWatch(const LinkWatch&) = delete;
    LinkWatch& operator=(const LinkWatch&) = delete;

    void link_up();        // a connection came up: bring the lost ones back too
    void link_lost();      // a connection went down: start watching the broker's port
    void enable(bool on);  // off: no reconnection of ours (while we disconnect)

  private:
    void run();
    void probe(std::unique_lock<std::mutex>& lock);

    Hooks hooks_;
    std::mutex mutex_;
    std::condition_variable wake_;
    bool quit_{false};
    bool enabled_{true};
    bool kick_{false};
    std::optional<Clock::time_point> retry_at_;  // ask again then
    int retries_{0};
    std::optional<bool> answered_;  // the last probe's answer since a connection was lost
    Clock::time_point next_probe_{};
    std::chrono::milliseconds answer_interval_{0};
    std::thread thread_;
};

// Whether a TCP connection to the host and port of an MQTT URI opens within `timeout`. False
// for a URI whose port is not known (ws:// without one).
bool broker_answers(const std::string& uri, std::chrono::milliseconds timeout);

}  // namespace chairwatch::drivers
