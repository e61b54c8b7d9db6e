#include "report/session_summary.hpp"

#include <algorithm>
#include <map>

namespace chairwatch::report {

namespace {

using alerts::AlarmState;

constexpr Millis trend_width{60000};

double median_of_sorted(const std::vector<double>& v) {
    const auto n = v.size();
    return n % 2 == 1 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2.0;
}

std::vector<PhaseSpan> phase_spans(const SessionRecord& rec, Millis end) {
    std::vector<PhaseSpan> out{{rec.first_phase, rec.start, end}};
    for (const auto& change : rec.phases) {
        const Millis t = std::clamp(change.t, rec.start, end);
        out.back().to = t;
        out.push_back({change.phase, t, end});
    }
    std::erase_if(out, [](const PhaseSpan& p) { return p.to <= p.from; });
    if (out.empty()) out.push_back({rec.first_phase, rec.start, end});
    return out;
}

std::optional<SignalSummary> signal_summary(const SessionRecord& rec, Signal s,
                                            const std::vector<TrendPoint>& trend) {
    const auto& series = rec.of(s);
    if (series.empty()) return std::nullopt;
    SignalSummary out;
    out.signal = s;
    out.count = series.size();
    out.min = out.max = series.front().value;
    double sum = 0;
    for (const auto& r : series) {
        out.min = std::min(out.min, r.value);
        out.max = std::max(out.max, r.value);
        sum += r.value;
    }
    out.mean = sum / static_cast<double>(series.size());
    out.baseline = rec.baseline[alerts::index_of(s)];
    out.lowest_is_worst = s == Signal::spo2;
    std::vector<TimedValue> points;
    for (const auto& p : trend)
        points.push_back({p.t, p.median, 0});
    const auto& pool = is_streamed(s) && !points.empty() ? points : series;
    auto worse = [&](const TimedValue& a, const TimedValue& b) {
        return out.lowest_is_worst ? a.value > b.value : a.value < b.value;
    };
    out.peak = *std::max_element(pool.begin(), pool.end(), worse);
    out.end = pool.back();
    return out;
}

class EpisodeBuilder {
  public:
    explicit EpisodeBuilder(const AlarmEvent& first) {
        ep_.alert_id = first.alert_id;
        ep_.condition = first.condition;
        ep_.kind = first.kind;
        ep_.signal = first.signal;
        ep_.unit = first.unit;
        ep_.onset = first.onset;
        ep_.max_priority = first.priority;
        ep_.limit = first.limit;
        ep_.text = first.text;
        from_ = first.onset;
        priority_ = first.priority;
    }

    void add(const AlarmEvent& e);
    AlarmEpisode finish(Millis session_end);

  private:
    void close(Millis at, std::string cause) {
        span_to(at);
        if (ep_.spans.empty()) ep_.spans.push_back({from_, from_, priority_, true});
        ep_.end = at;
        ep_.cause = std::move(cause);
        done_ = true;
    }
    void span_to(Millis t) {
        if (t > from_) ep_.spans.push_back({from_, t, priority_, active_});
        from_ = std::max(from_, t);
    }

    AlarmEpisode ep_;
    Millis from_{0};
    Priority priority_{Priority::low};
    bool active_{true};
    bool done_{false};
};

void EpisodeBuilder::add(const AlarmEvent& e) {
    if (done_) return;
    if (e.priority != priority_ || e.active != active_) {
        span_to(e.t);
        priority_ = e.priority;
        active_ = e.active;
    }
    if (e.priority > ep_.max_priority) {
        ep_.max_priority = e.priority;
        ep_.limit = e.limit;
    }
    ep_.peak = e.peak;
    if (e.state == AlarmState::escalated) {
        ++ep_.escalations;
        ep_.escalation_steps.push_back({e.t, e.escalation_level, e.priority});
    }
    if (e.state == AlarmState::acknowledged)
        ep_.acks.push_back({e.acknowledged_by, e.acknowledged_at.value_or(e.t), e.priority,
                            e.action_taken, e.action_note});
    if (e.state == AlarmState::raised && e.active) ep_.latched_from.reset();
    if (e.state == AlarmState::cleared && e.latched) ep_.latched_from = e.t;
    if (e.state == AlarmState::cleared && !e.latched) close(e.t, e.cause);
    if (e.state == AlarmState::acknowledged && !e.active) close(e.t, "acknowledged_after_latch");
}

AlarmEpisode EpisodeBuilder::finish(Millis session_end) {
    if (!done_) {
        close(std::max(session_end, from_), "");
        ep_.open = true;
    }
    return std::move(ep_);
}

std::vector<AlarmEpisode> episodes(const SessionRecord& rec, Millis end) {
    std::vector<EpisodeBuilder> builders;
    std::map<std::string, std::size_t> index;
    for (const auto& e : rec.alarms) {
        const auto [it, fresh] = index.try_emplace(e.alert_id, builders.size());
        if (fresh) builders.emplace_back(e);
        builders[it->second].add(e);
    }
    std::vector<AlarmEpisode> out;
    for (auto& b : builders)
        out.push_back(b.finish(end));
    std::stable_sort(out.begin(), out.end(), [](const AlarmEpisode& a, const AlarmEpisode& b) {
        return a.onset < b.onset;
    });
    return out;
}

Discharge discharge_of(const SessionRecord& rec) {
    Discharge d;
    d.applicable = !rec.implicit;
    d.ended = rec.end.has_value();
    d.met_at_end = rec.discharge_ready;
    for (const auto& e : rec.alarms)
        if (e.condition == "discharge_ready" && e.state == AlarmState::raised) {
            d.first_met = e.onset;
            break;
        }
    return d;
}

}  // namespace

std::vector<TrendPoint> trend_of(const std::vector<TimedValue>& series, Millis origin,
                                 Millis width) {
    std::vector<TrendPoint> out;
    std::vector<double> bucket;
    Millis first{0};
    Millis last{0};
    auto flush = [&] {
        if (bucket.empty()) return;
        std::sort(bucket.begin(), bucket.end());
        auto at = [&](double q) {
            return bucket[static_cast<std::size_t>(q * static_cast<double>(bucket.size() - 1))];
        };
        out.push_back({first + (last - first) / 2, median_of_sorted(bucket), at(0.1), at(0.9)});
        bucket.clear();
    };
    std::int64_t current = 0;
    for (const auto& r : series) {
        const auto k = r.t >= origin ? (r.t - origin) / width : -1;
        if (k != current || bucket.empty()) {
            flush();
            first = r.t;
        }
        current = k;
        last = r.t;
        bucket.push_back(r.value);
    }
    flush();
    return out;
}

alerts::Phase SessionSummary::phase_at(Millis t) const {
    for (const auto& p : phases)
        if (t < p.to) return p.phase;
    return phases.back().phase;
}

double SessionSummary::minute_of(Millis t) const {
    return static_cast<double>((t - start).count()) / 60000.0;
}

std::optional<DoseSpan> dosing_span(const SessionSummary& s) {
    for (std::size_t i = 0; i < s.phases.size(); ++i)
        if (s.phases[i].phase == alerts::Phase::dosing)
            return DoseSpan{s.phases[i].from, s.phases[i].to, i + 1 < s.phases.size()};
    return std::nullopt;
}

SessionSummary summarize(const SessionRecord& rec) {
    SessionSummary s;
    s.start = rec.start;
    s.end = std::max(rec.last_time(), rec.start);
    s.phases = phase_spans(rec, s.end);
    for (auto sig : alerts::all_signals) {
        const auto i = alerts::index_of(sig);
        if (is_streamed(sig)) s.trends[i] = trend_of(rec.readings[i], s.start, trend_width);
        s.signals[i] = signal_summary(rec, sig, s.trends[i]);
    }
    s.alarms = episodes(rec, s.end);
    s.discharge = discharge_of(rec);
    return s;
}

}  // namespace chairwatch::report
