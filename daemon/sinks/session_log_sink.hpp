// Sink: every event into its session's log (drivers/session_log). Alarm transitions, phases,
// starts and ends are written through at once; the readings of a message at the end of its
// batch, so that a message the broker counts as delivered is in the log (in the kernel's hands)
// before its acknowledgement goes back, and a kill -9 loses none of them. A failed write is
// reported to the daemon (its technical alarm), and the daemon's timer tries again.
#pragma once

#include <functional>
#include <vector>

#include "daemon/counters.hpp"
#include "daemon/sinks/event_sink.hpp"
#include "daemon/warnings.hpp"
#include "drivers/session_log/session_log.hpp"

namespace chairwatch::daemon {

class SessionLogSink final : public EventSink {
  public:
    using Written = std::function<void(bool ok, alerts::Instant t)>;
    SessionLogSink(drivers::SessionLog& log, Warnings& warnings, Written on_written,
                   std::function<void()> schedule_flush)
        : log_(log),
          warnings_(warnings),
          on_written_(std::move(on_written)),
          schedule_flush_(std::move(schedule_flush)) {}

    void on_events(std::span<const alerts::ClinicEvent> events, const Batch& batch) override;
    void on_done(const Batch& batch) override;
    // Whether the end of this session reached its log in the current call (its report may be
    // written from it).
    bool end_written(const alerts::Session* s) const;

  private:
    drivers::SessionLog& log_;
    Warnings& warnings_;
    Written on_written_;
    std::function<void()> schedule_flush_;
    std::vector<const alerts::Session*> ended_;
};

}  // namespace chairwatch::daemon
