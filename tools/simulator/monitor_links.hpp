// The monitors of `chairwatch simulate --monitor-links`: each chair's own MQTT 3.1.1 connection
// (a plain TCP socket: tcp:// brokers) with the last will {"online":false}, retained on
// <prefix>/<chair>/monitor, where it publishes {"online":true,"device":"sim-<chair>"}
// (docs/mqtt-interface.md "Monitor link in"). A dropped link is the socket closed without a
// DISCONNECT, as when a monitor loses power: the broker then publishes the will. (Paho cannot
// close its socket without a DISCONNECT, hence the few packets written here.)
#pragma once

#include <string>
#include <vector>

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
        int fd{-1};
        std::string client_id, topic, device;
        bool online{false};
    };
    void connect(Link& link);
    std::string broker_;
    std::vector<Link> links_;
};

}  // namespace chairwatch::sim
