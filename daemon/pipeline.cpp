#include "daemon/pipeline.hpp"

namespace chairwatch::daemon {

bool is_urgent(const alerts::ClinicEvent& e) {
    return e.type == alerts::ClinicEvent::Type::alarm && e.alarm.priority == alerts::Priority::high;
}

void Pipeline::handle(const std::vector<alerts::ClinicEvent>& events, alerts::Instant at,
                      std::optional<std::int64_t> seq) {
    const bool any_urgent = std::any_of(events.begin(), events.end(), is_urgent);
    Batch batch{at, seq, false};
    if (!any_urgent) {  // the common case: no copies
        for (auto* sink : sinks_)
            sink->on_events(events, batch);
    } else {
        urgent_.clear();
        rest_.clear();
        for (const auto& e : events)
            (is_urgent(e) ? urgent_ : rest_).push_back(e);
        batch.urgent = true;
        for (auto* sink : sinks_)
            sink->on_events(urgent_, batch);
        batch.urgent = false;
        for (auto* sink : sinks_)
            sink->on_events(rest_, batch);
    }
    for (auto* sink : sinks_)
        sink->on_done(batch);
}

}  // namespace chairwatch::daemon
