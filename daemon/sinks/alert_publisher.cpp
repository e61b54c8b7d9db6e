#include "daemon/sinks/alert_publisher.hpp"

#include "drivers/codec/alert_codec.hpp"

namespace chairwatch::daemon {

using alerts::ClinicEvent;

void AlertPublisher::on_events(std::span<const ClinicEvent> events, const Batch& batch) {
    const auto lane = batch.urgent ? Outgoing::Lane::urgent : Outgoing::Lane::normal;
    for (const auto& e : events) {
        const auto& s = *e.session;
        if (e.type == ClinicEvent::Type::alarm) {
            auto alert = drivers::encode_alert(s.chair, s, e.alarm, batch.seq);
            const bool escalated = e.alarm.state == alerts::AlarmState::escalated;
            out_.send(topic(s.chair, "alerts"), escalated ? alert : std::move(alert),
                      cfg_.broker.qos, false, lane);
            if (escalated)
                out_.send(cfg_.broker.escalation_topic, std::move(alert), cfg_.broker.qos, false,
                          lane);
            ++counters_.alerts;
            changed_.insert(s.chair);
        } else if (e.type == ClinicEvent::Type::session_ended) {
            changed_.insert(s.chair);
        }
    }
}

void AlertPublisher::on_done(const Batch&) {
    for (const auto& chair : changed_) {
        publish_list(chair);
        published_.insert(chair);
    }
    changed_.clear();
}

void AlertPublisher::republish_lists() {
    for (const auto& chair : published_)
        publish_list(chair);
}

void AlertPublisher::publish_list(const std::string& chair) {
    out_.send(
        topic(chair, "alarms"),
        drivers::encode_active_alarms(chair, clinic_.session(chair), clinic_.listed_alarms(chair)),
        1, true);
}

}  // namespace chairwatch::daemon
