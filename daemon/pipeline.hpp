// Inbound -> core -> sinks: every batch of events the Clinic returns goes here, and from here to
// each registered sink in order (daemon/sinks/event_sink.hpp). HIGH-priority alarm transitions
// are handed over first, as a batch of their own, then the rest of the call.
#pragma once

#include <memory>
#include <vector>

#include "daemon/sinks/event_sink.hpp"

namespace chairwatch::daemon {

class Pipeline {
  public:
    // Sinks receive events in the order they were added.
    void add(EventSink& sink) { sinks_.push_back(&sink); }
    void handle(const std::vector<alerts::ClinicEvent>& events, alerts::Instant at,
                std::optional<std::int64_t> seq = {});

  private:
    std::vector<EventSink*> sinks_;
    std::vector<alerts::ClinicEvent> urgent_, rest_;
};

// A HIGH alarm transition: raised or updated to high, escalated, acknowledged or cleared at high.
bool is_urgent(const alerts::ClinicEvent& e);

}  // namespace chairwatch::daemon
