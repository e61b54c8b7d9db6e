// The pipeline's view of a group's roles (docs/high-availability.md). ActiveOnly hands events
// to the sink it wraps on the active instance only (the MQTT publisher, the notifier, the
// report writer, the HL7 export): a standby judges every message and logs it, and sends nothing.
// StandbyRecorder keeps, on a standby, each alarm transition as the active would publish it,
// until the active is seen to publish it (Unconfirmed).
#pragma once

#include <functional>

#include "daemon/ha/unconfirmed.hpp"
#include "daemon/sinks/event_sink.hpp"

namespace chairwatch::daemon::ha {

class ActiveOnly final : public EventSink {
  public:
    ActiveOnly(EventSink& inner, std::function<bool()> active)
        : inner_(inner), active_(std::move(active)) {}
    void on_events(std::span<const alerts::ClinicEvent> events, const Batch& batch) override {
        if (active_()) inner_.on_events(events, batch);
    }
    void on_done(const Batch& batch) override {
        if (active_()) inner_.on_done(batch);
    }

  private:
    EventSink& inner_;
    std::function<bool()> active_;
};

class StandbyRecorder final : public EventSink {
  public:
    StandbyRecorder(Unconfirmed& book, std::function<bool()> standby)
        : book_(book), standby_(std::move(standby)) {}
    void on_events(std::span<const alerts::ClinicEvent> events, const Batch& batch) override;

  private:
    Unconfirmed& book_;
    std::function<bool()> standby_;
};

}  // namespace chairwatch::daemon::ha
