#include "drivers/replay.hpp"

#include <charconv>

namespace chairwatch::drivers {

namespace {

struct Runner {
    alerts::Clinic clinic;
    const ReplayOptions& opt;
    ReplayResult& result;
    std::vector<alerts::ClinicEvent> events;
    alerts::Millis clock{0};

    alerts::Instant instant(alerts::Millis t) const { return {t, opt.wall_start + t}; }

    void collect(alerts::Millis t) {
        for (const auto& e : events) {
            if (e.type != alerts::ClinicEvent::Type::alarm) continue;
            result.alarms.push_back({t, e.alarm, std::string(e.alarm.condition),
                                     e.session->alert_id(e.alarm.alarm_no)});
        }
        events.clear();
    }

    // Ticks at every whole tick before `to`, as the daemon's timer would.
    void advance_to(alerts::Millis to) {
        for (; clock < to; clock += opt.tick) {
            clinic.on_tick(instant(clock), events);
            collect(clock);
        }
    }

    void reading(const RecordedRow& row) {
        const auto signal = alerts::parse_signal(row.signal);
        if (!signal) return;  // events and other signals are not readings
        double v = 0;
        const auto* end = row.value.data() + row.value.size();
        if (std::from_chars(row.value.data(), end, v).ec != std::errc{}) {
            result.errors.push_back(row.signal + " value '" + row.value + "' at line " +
                                    std::to_string(row.line));
            return;
        }
        if (auto why = judge_value(*signal, v)) {
            ++result.rejected[static_cast<std::size_t>(*why)];
            return;
        }
        ++result.readings;
        clinic.on_reading(opt.chair, {*signal, v, opt.wall_start + row.t}, instant(row.t), events);
        collect(row.t);
    }
};

}  // namespace

ReplayResult replay(const Recording& rec, std::shared_ptr<const alerts::Profile> profile,
                    const ReplayOptions& options) {
    ReplayResult result;
    result.errors = rec.errors;
    Runner run{alerts::Clinic(alerts::ClinicProfiles::single(std::move(profile)), options.settings),
               options,
               result,
               {},
               {}};
    for (const auto& row : rec.rows) {
        run.advance_to(row.t);
        run.reading(row);
    }
    return result;
}

}  // namespace chairwatch::drivers
