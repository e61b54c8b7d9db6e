#include "daemon/ha/standby_sinks.hpp"

#include "drivers/codec/alert_codec.hpp"

namespace chairwatch::daemon::ha {

void StandbyRecorder::on_events(std::span<const alerts::ClinicEvent> events, const Batch& batch) {
    if (!standby_()) return;
    for (const auto& e : events) {
        if (e.type != alerts::ClinicEvent::Type::alarm) continue;
        const auto& s = *e.session;
        UnconfirmedAlert a;
        a.chair = s.chair;
        a.session_id = s.id;
        a.alert_id = s.alert_id(e.alarm.alarm_no);
        a.state = std::string(alerts::to_string(e.alarm.state));
        a.json = drivers::encode_alert(s.chair, s, e.alarm, batch.seq);
        a.escalated = e.alarm.state == alerts::AlarmState::escalated;
        a.urgent = batch.urgent;
        a.transition = e.alarm;
        a.at = batch.at.mono;
        book_.add(std::move(a));
    }
}

}  // namespace chairwatch::daemon::ha
