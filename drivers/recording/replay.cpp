#include "drivers/recording/replay.hpp"

#include <charconv>

#include "drivers/codec/alert_codec.hpp"
#include "drivers/recording/start_spec.hpp"

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
                                     e.session->alert_id(e.alarm.alarm_no),
                                     encode_alert(opt.chair, *e.session, e.alarm)});
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

    void event(const RecordedRow& row, alerts::Millis t) {
        alerts::SessionInfo info;
        info.ts = opt.wall_start + t;
        std::optional<alerts::ControlAction> action;
        if (row.value == "start") {
            action = alerts::ControlAction::start;
            if (std::string error; !parse_start_spec(row.unit, info, error)) {
                result.errors.push_back(where(row) + ": " + error);
                return;
            }
        } else if (row.value == "dose_start") {
            action = alerts::ControlAction::dose_start;
        } else if (row.value == "dose_end") {
            action = alerts::ControlAction::dose_end;
        } else if (row.value == "end") {
            action = alerts::ControlAction::end;
        }
        if (!action) {
            result.errors.push_back(where(row) + ": unknown event '" + row.value + "'");
            return;
        }
        const auto r = clinic.on_control(opt.chair, *action, info, instant(t), events);
        if (r != alerts::ControlResult::ok)
            result.errors.push_back(where(row) + ": " + row.value +
                                    " refused: " + std::string(alerts::to_string(r)));
    }

    void ack(const RecordedRow& row, alerts::Millis t) {
        const auto* s = clinic.session(opt.chair);
        for (const auto& a : clinic.listed_alarms(opt.chair))
            if (s && a.condition == row.value) {
                clinic.acknowledge(opt.chair, s->alert_id(a.alarm_no),
                                   row.unit.empty() ? "replay" : row.unit, instant(t), events);
                return;
            }
        result.errors.push_back(where(row) + ": no listed alarm '" + row.value +
                                "' to acknowledge");
    }

    std::string where(const RecordedRow& row) const { return "line " + std::to_string(row.line); }

    // The rows of one moment, judged together as the daemon judges one payload.
    void moment(const std::vector<const RecordedRow*>& rows, alerts::Millis t) {
        Decoded d;
        for (const auto* row : rows) {
            if (row->signal == "event")
                event(*row, t);
            else if (row->signal == "ack")
                ack(*row, t);
            const auto signal = alerts::parse_signal(row->signal);
            if (!signal) continue;
            double v = 0;
            const auto* end = row->value.data() + row->value.size();
            if (std::from_chars(row->value.data(), end, v).ec != std::errc{}) {
                result.errors.push_back(where(*row) + ": " + row->signal + " value '" + row->value +
                                        "'");
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

ReplayResult replay(const Recording& rec, alerts::ClinicProfiles profiles,
                    const ReplayOptions& options) {
    ReplayResult result;
    result.errors = rec.errors;
    if (!rec.rows.empty()) {
        result.span = rec.rows.back().t - rec.rows.front().t;
        result.last = rec.rows.back().t;
    }
    Runner run{alerts::Clinic(std::move(profiles), options.settings), options, result, {}, {}};
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

ReplayResult replay(const Recording& rec, std::shared_ptr<const alerts::Profile> profile,
                    const ReplayOptions& options) {
    return replay(rec, alerts::ClinicProfiles::single(std::move(profile)), options);
}

}  // namespace chairwatch::drivers
