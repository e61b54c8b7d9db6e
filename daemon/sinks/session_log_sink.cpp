#include "daemon/sinks/session_log_sink.hpp"

#include <algorithm>

namespace chairwatch::daemon {

void SessionLogSink::on_events(std::span<const alerts::ClinicEvent> events, const Batch& batch) {
    for (const auto& e : events) {
        const bool written = log_.write(e, batch.at, batch.seq);
        on_written_(written, batch.at);
        if (!written) warnings_.warn("session-log", batch.at, "session log: " + log_.last_error());
        if (written && e.type == alerts::ClinicEvent::Type::session_ended)
            ended_.push_back(e.session);
    }
}

void SessionLogSink::on_done(const Batch& batch) {
    ended_.clear();  // the ends of this call only
    if (!log_.has_unflushed()) return;
    const bool ok = log_.flush();
    on_written_(ok, batch.at);
    if (ok) return;
    warnings_.warn("session-log", batch.at, "session log: " + log_.last_error());
    schedule_flush_();
}

bool SessionLogSink::end_written(const alerts::Session* s) const {
    return std::find(ended_.begin(), ended_.end(), s) != ended_.end();
}

}  // namespace chairwatch::daemon
