// Sink: alarm transitions out on MQTT. Each transition on <prefix>/<chair>/alerts (an escalation
// also on the escalation topic); after each call, the retained list of every chair whose alarms
// changed on <prefix>/<chair>/alarms, once per chair however many transitions it had.
#pragma once

#include <set>
#include <string>

#include "config/config.hpp"
#include "daemon/counters.hpp"
#include "daemon/outgoing.hpp"
#include "daemon/sinks/event_sink.hpp"

namespace chairwatch::daemon {

class AlertPublisher final : public EventSink {
  public:
    AlertPublisher(const config::Config& cfg, const alerts::Clinic& clinic, Outgoing& out,
                   Counters& counters)
        : cfg_(cfg), clinic_(clinic), out_(out), counters_(counters) {}

    void on_events(std::span<const alerts::ClinicEvent> events, const Batch& batch) override;
    void on_done(const Batch&) override;
    // After a reconnection: the retained list of every chair that had a change since the start,
    // so a station that missed something catches up.
    void republish_lists();
    // Marks a chair's list as one to publish (a session recovered at start).
    void touched(const std::string& chair) { published_.insert(chair); }
    void forget(const std::string& chair) { published_.erase(chair); }

  private:
    void publish_list(const std::string& chair);
    std::string topic(const std::string& chair, const char* leaf) const {
        return cfg_.broker.topic_prefix + "/" + chair + "/" + leaf;
    }

    const config::Config& cfg_;
    const alerts::Clinic& clinic_;
    Outgoing& out_;
    Counters& counters_;
    std::set<std::string> changed_;    // in this call
    std::set<std::string> published_;  // since the start
};

}  // namespace chairwatch::daemon
