// The monitors of `chairwatch simulate --monitor-links`: each chair's own MQTT connection with
// the last will {"online":false}, retained on <prefix>/<chair>/monitor, where it publishes
// {"online":true,"device":"sim-<chair>"} (docs/mqtt-interface.md "Monitor link in"). A link can
// be dropped without a clean goodbye: an MQTT 5 DISCONNECT with reason "disconnect with will
// message" makes the broker send the will exactly as when a socket dies.
#pragma once

#include <memory>
#include <string>
#include <vector>

namespace mqtt {
class async_client;
}

namespace chairwatch::sim {

class MonitorLinks {
  public:
    // Connects one client per chair and says each is online; throws if the broker refuses.
    MonitorLinks(const std::string& broker, const std::string& prefix,
                 const std::vector<std::string>& chairs);
    ~MonitorLinks();
    MonitorLinks(const MonitorLinks&) = delete;
    MonitorLinks& operator=(const MonitorLinks&) = delete;

    // The chair's monitor loses its link: the broker publishes its will.
    void drop(std::size_t chair);
    // Connected again, and online.
    void restore(std::size_t chair);
    bool online(std::size_t chair) const { return links_[chair].online; }
    // Every monitor says it is offline (switched off at the end of the day) and disconnects.
    void finish();

  private:
    struct Link {
        std::unique_ptr<mqtt::async_client> client;
        std::string topic, device;
        bool online{false};
    };
    void connect(Link& link);
    std::vector<Link> links_;
};

}  // namespace chairwatch::sim
