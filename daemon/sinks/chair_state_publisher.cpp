#include "daemon/sinks/chair_state_publisher.hpp"

namespace chairwatch::daemon {

void ChairStatePublisher::on_events(std::span<const alerts::ClinicEvent> events,
                                    const Batch& batch) {
    for (const auto& e : events)
        states_.on_event(e, batch.at);
}

void ChairStatePublisher::flush(alerts::Instant now) {
    if (!active_()) return;  // kept for a take-over, published by the active alone
    for (auto& d : states_.due(now))
        out_.send(cfg_.broker.topic_prefix + "/" + d.chair + "/state", std::move(d.payload), 1,
                  true);
}

}  // namespace chairwatch::daemon
