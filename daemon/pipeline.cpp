#include "daemon/pipeline.hpp"

#include <algorithm>

namespace chairwatch::daemon {

bool is_urgent(const alerts::ClinicEvent& e) {
    return e.type == alerts::ClinicEvent::Type::alarm && e.alarm.priority == alerts::Priority::high;
}

void Pipeline::handle(const std::vector<alerts::ClinicEvent>& events, alerts::Instant at,
                      std::optional<std::int64_t> seq) {
    // A HIGH goes ahead of the rest of its call, but never ahead of the start, phase change or
    // end of a session that comes before it in the call: a session log begins with its start
    // line (recovery reads it in order), and a station sees the session before its alarms.
    // What precedes the last such event goes first, in its order, then the HIGHs, then the rest.
    std::size_t last_urgent = events.size();
    for (std::size_t i = 0; i < events.size(); ++i)
        if (is_urgent(events[i])) last_urgent = i;
    Batch batch{at, seq, false};
    if (last_urgent == events.size()) {  // the common case: no copies
        for (auto* sink : sinks_)
            sink->on_events(events, batch);
    } else {
        std::size_t lead = 0;  // events [0, lead) keep their place ahead of the HIGHs
        for (std::size_t i = 0; i < last_urgent; ++i)
            if (events[i].type != alerts::ClinicEvent::Type::reading &&
                events[i].type != alerts::ClinicEvent::Type::alarm)
                lead = i + 1;
        urgent_.clear();
        rest_.clear();
        for (std::size_t i = 0; i < events.size(); ++i)
            (i < lead || is_urgent(events[i]) ? urgent_ : rest_).push_back(events[i]);
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
