// The group board's picture of several sites (docs/high-availability.md, "Group board"): what
// each site's chairwatchd publishes on MQTT (retained alarm lists and states per chair, its
// status topic, its standby pair's instance statuses) in, one JSON document out. Pure: messages and
// the time are arguments; no clock, no socket. A site whose daemon is offline, silent or unknown,
// or every site while the group board has lost the broker, is marked stale: its last alarm lists
// are shown as last known, never as current.
#pragma once

#include <cstddef>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "alerts/types.hpp"

namespace chairwatch::board {

struct GroupSite {
    std::string name;          // shown on the board
    std::string prefix;        // the site's broker.topic_prefix
    std::string status_topic;  // its broker.status_topic (default <prefix>/chairwatchd/status)
};

struct GroupLimits {
    std::size_t max_chairs_per_site{512};
    std::size_t max_alarms_per_chair{64};
    std::size_t max_payload_bytes{256 * 1024};
};

class GroupModel {
  public:
    explicit GroupModel(std::vector<GroupSite> sites, GroupLimits limits = {});

    // The MQTT filters that bring everything the model reads.
    std::vector<std::string> filters() const;
    // One message; `wall` is the receive time. Messages of no site, and bad ones, are counted.
    void on_message(std::string_view topic, std::string_view payload, alerts::Millis wall);
    // The group board's own link to the broker. Lost: everything is stale; back: the retained
    // messages come again on subscription, so the last known lists are kept until then.
    void set_connected(bool connected, alerts::Millis wall);
    std::string json(alerts::Millis wall) const;

    std::uint64_t ignored() const { return ignored_; }  // of no site, or not understood
    std::uint64_t rejected() const { return rejected_; }

  private:
    struct Status {
        std::string state;  // "online", "offline"; empty: none received
        std::string instance, role, reason, ts;
        std::int64_t term{-1};
        alerts::Millis received{0};
    };
    struct Chair {
        std::string alarms{"[]"};  // the alarms as JSON array, filtered
        std::string highest;
        std::size_t count{0};
        std::optional<alerts::Millis> received;  // of the list; none yet: no list
        std::string state;  // <prefix>/<chair>/state as JSON object, filtered; empty: none
        alerts::Millis state_received{0};
    };
    struct Site {
        GroupSite cfg;
        Status status;
        std::map<std::string, Status, std::less<>> instances;
        std::map<std::string, Chair, std::less<>> chairs;
    };

    Site* site_of(std::string_view topic, std::string_view& rest);
    bool on_status(Status& s, std::string_view payload, alerts::Millis wall);
    Chair* chair_of(Site& site, std::string_view chair);
    bool on_alarms(Site& site, std::string_view chair, std::string_view payload,
                   alerts::Millis wall);
    bool on_state(Site& site, std::string_view chair, std::string_view payload,
                  alerts::Millis wall);
    std::string site_json(const Site& s, alerts::Millis wall) const;

    std::vector<Site> sites_;
    GroupLimits limits_;
    bool connected_{false};
    alerts::Millis connection_changed_{0};
    std::uint64_t ignored_{0};
    std::uint64_t rejected_{0};
};

}  // namespace chairwatch::board
