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

    // The vital-sign rows of one moment, judged together as the daemon judges one payload.
    void moment(const std::vector<const RecordedRow*>& rows, alerts::Millis t) {
        Decoded d;
        for (const auto* row : rows) {
            const auto signal = alerts::parse_signal(row->signal);
            if (!signal) continue;  // events and other signals are not readings
            double v = 0;
            const auto* end = row->value.data() + row->value.size();
            if (std::from_chars(row->value.data(), end, v).ec != std::errc{}) {
                result.errors.push_back(row->signal + " value '" + row->value + "' at line " +
                                        std::to_string(row->line));
                continue;
            }
            if (auto why = judge_value(*signal, v))
                d.reject(*why, row->signal, *signal);
            else
                d.add(*signal, v, opt.wall_start + t);
        }
        const bool artifact = reject_cuff_artifact(d);
        for (std::size_t i = 0; i < d.rejected; ++i)
            ++result.rejected[static_cast<std::size_t>(d.rejections[i].reason)];
        if (artifact)
            clinic.on_cuff_artifact(opt.chair, d.rejections[d.rejected - 1].detail, instant(t),
                                    events);
        result.readings += d.count;
        clinic.on_readings(opt.chair, std::span<const alerts::Reading>(d.readings.data(), d.count),
                           instant(t), events);
        collect(t);
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
    std::vector<const RecordedRow*> group;
    for (std::size_t i = 0; i < rec.rows.size(); ++i) {
        group.push_back(&rec.rows[i]);
        if (i + 1 < rec.rows.size() && rec.rows[i + 1].t == rec.rows[i].t) continue;
        run.advance_to(rec.rows[i].t);
        run.moment(group, rec.rows[i].t);
        group.clear();
    }
    return result;
}

}  // namespace chairwatch::drivers
