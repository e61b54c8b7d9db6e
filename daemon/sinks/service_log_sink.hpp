// Sink: one line in the service log (journal) per alarm transition and session event. Chairs
// and session ids only: nothing that names a patient.
#pragma once

#include "daemon/sinks/event_sink.hpp"
#include "drivers/session_log/session_log.hpp"

namespace chairwatch::daemon {

class ServiceLogSink final : public EventSink {
  public:
    explicit ServiceLogSink(const drivers::SessionLog& log) : log_(log) {}
    void on_events(std::span<const alerts::ClinicEvent> events, const Batch& batch) override;

  private:
    const drivers::SessionLog& log_;
};

}  // namespace chairwatch::daemon
