#include "daemon/sinks/service_log_sink.hpp"

#include <spdlog/spdlog.h>

#include "drivers/codec/alert_codec.hpp"

namespace chairwatch::daemon {

using alerts::ClinicEvent;

void ServiceLogSink::on_events(std::span<const ClinicEvent> events, const Batch&) {
    for (const auto& e : events) {
        const auto& s = *e.session;
        switch (e.type) {
            case ClinicEvent::Type::alarm:
                spdlog::info("alert {} {}: {}", s.alert_id(e.alarm.alarm_no),
                             alerts::to_string(e.alarm.state),
                             drivers::alert_text(s.chair, e.alarm));
                break;
            case ClinicEvent::Type::session_started:
                spdlog::info("session {} started on chair {} ({}, profile {})", s.id, s.chair,
                             s.implicit ? "implicit, from readings" : "start message", s.profile);
                break;
            case ClinicEvent::Type::phase_changed:
                spdlog::info("session {}: phase {}", s.id, alerts::to_string(s.phase));
                break;
            case ClinicEvent::Type::session_ended:
                spdlog::info("session {} ended ({}); log {}", s.id, alerts::to_string(s.end_reason),
                             log_.path_of(s, ".jsonl"));
                break;
            case ClinicEvent::Type::observation:
                // Its value and text are clinical content: the session log has them.
                spdlog::info("session {}: nurse observation ({}) recorded", s.id,
                             e.observation->kind);
                break;
            case ClinicEvent::Type::feed_pause:
                // Its reason is the nurse's text: the session log has it.
                if (e.pause_end)
                    spdlog::info("session {}: feed alarms back ({})", s.id,
                                 alerts::to_string(*e.pause_end));
                else
                    spdlog::info("session {}: feed alarms paused by {} for {} s", s.id, e.pause->by,
                                 (e.pause->until.mono - e.pause->since.mono).count() / 1000);
                break;
            case ClinicEvent::Type::limit_changed: {
                // Its reason is the nurse's text: the session log has it.
                const auto& c = *e.limit_change;
                spdlog::info("session {}: limit of {} tier {} changed from {:g} to {:g} by {}",
                             s.id, c.condition, c.tier, c.from, c.to, c.by);
                break;
            }
            case ClinicEvent::Type::reading:
                break;
        }
    }
}

}  // namespace chairwatch::daemon
