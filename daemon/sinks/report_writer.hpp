// Sink: once a session has ended and its last line is written, the session record
// (<session_id>.summary.json, docs/records.md) and, with sessions.report: html, the clinician's
// one-page record (<session_id>.html) beside its log. Both are made from the log by report/.
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
    // The record (and page) of an ended session whose last line is written; for the sessions
    // a shutdown ends outside the pipeline.
    void write(const alerts::Session& s, alerts::Instant t);

  private:
    // Writes `text` to the session's file with `suffix` (through a .tmp and a rename).
    void save(const alerts::Session& s, const char* suffix, const std::string& text,
              alerts::Instant t);

    const config::Config& cfg_;
    const drivers::SessionLog& log_;
    const SessionLogSink& logged_;
    Counters& counters_;
    Warnings& warnings_;
};

}  // namespace chairwatch::daemon
