// One destination of the Clinic's events (spdlog's sinks are the model: a logger hands each
// message to its sinks in order, and a new destination never touches the logger). The
// pipeline (daemon/pipeline.hpp) hands every batch of events to each sink in a fixed order:
// the session log first (an alarm is written before it is published, so that a restart finds
// what a nurse has seen), then the MQTT publisher, the notifier (pagers), the board, the report
// writer, the service log. A sink has one job and does its own I/O; it may not call back into the
// Clinic.
#pragma once

#include <cstdint>
#include <optional>
#include <span>

#include "alerts/clinic.hpp"

namespace chairwatch::daemon {

// What the events of one call share.
struct Batch {
    alerts::Instant at;               // when the daemon handled them
    std::optional<std::int64_t> seq;  // the message's own sequence number, if it had one
    // The HIGH-priority alarm transitions of a call come first, as a batch of their own: none
    // of them waits behind a retained list, a lower priority or another line of the log.
    bool urgent{false};
};

class EventSink {
  public:
    virtual ~EventSink() = default;
    // The events of one batch, in the order the Clinic returned them. `session` pointers are
    // valid during the call only.
    virtual void on_events(std::span<const alerts::ClinicEvent> events, const Batch& batch) = 0;
    // After the urgent batch and the rest of one call (per-call work: retained lists).
    virtual void on_done(const Batch&) {}
};

}  // namespace chairwatch::daemon
