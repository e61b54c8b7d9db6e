// Sink: the retained per-chair state on <prefix>/<chair>/state (daemon/chair_state.hpp), sent
// on the daemon's 1 s tick. Every instance keeps it, so a standby that takes over knows it; only
// the active publishes (and then every chair's again).
#pragma once

#include <functional>
#include <string>

#include "config/config.hpp"
#include "daemon/chair_state.hpp"
#include "daemon/outgoing.hpp"
#include "daemon/sinks/event_sink.hpp"

namespace chairwatch::daemon {

class ChairStatePublisher final : public EventSink {
  public:
    ChairStatePublisher(const config::Config& cfg, Outgoing& out, std::function<bool()> active)
        : cfg_(cfg), out_(out), active_(std::move(active)) {}

    void on_events(std::span<const alerts::ClinicEvent> events, const Batch& batch) override;
    // What is due, from the 1 s tick: never in the way of a message's alerts and lists.
    void flush(alerts::Instant now);
    // After a reconnection or a take-over: every chair's state again.
    void republish() { states_.mark_all(); }
    void forget(const std::string& chair) { states_.forget(chair); }

  private:
    const config::Config& cfg_;
    Outgoing& out_;
    std::function<bool()> active_;
    ChairStates states_;
};

}  // namespace chairwatch::daemon
