// Sink: the clinician's one-page record (HTML) beside a session's log, once the session has
// ended and its last line is written (sessions.report: html).
#pragma once

#include "config/config.hpp"
#include "daemon/counters.hpp"
#include "daemon/sinks/event_sink.hpp"
#include "daemon/sinks/session_log_sink.hpp"
#include "daemon/warnings.hpp"

namespace chairwatch::daemon {

class ReportWriter final : public EventSink {
  public:
    ReportWriter(const config::Config& cfg, const drivers::SessionLog& log,
                 const SessionLogSink& logged, Counters& counters, Warnings& warnings)
        : cfg_(cfg), log_(log), logged_(logged), counters_(counters), warnings_(warnings) {}

    void on_events(std::span<const alerts::ClinicEvent> events, const Batch& batch) override;

  private:
    void write(const alerts::Session& s, alerts::Instant t);

    const config::Config& cfg_;
    const drivers::SessionLog& log_;
    const SessionLogSink& logged_;
    Counters& counters_;
    Warnings& warnings_;
};

}  // namespace chairwatch::daemon
