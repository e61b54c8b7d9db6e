#include "alerts/chair_monitor.hpp"

#include <algorithm>

namespace chairwatch::alerts {

namespace {

double seconds(Millis m) {
    return static_cast<double>(m.count()) / 1000.0;
}

bool more_extreme(bool high, double a, double b) {
    return high ? a > b : a < b;
}

}  // namespace

ChairMonitor::ChairMonitor(std::shared_ptr<const Profile> profile) : profile_(std::move(profile)) {
    init_state();
}

void ChairMonitor::init_state() {
    rules_.assign(profile_->rules.size(), RuleState{});
    for (std::size_t i = 0; i < rules_.size(); ++i)
        rules_[i].tiers.assign(profile_->rules[i].tiers.size(), TierState{});
    feeds_.assign(profile_->feeds.size(), FeedState{});
}

void ChairMonitor::set_profile(std::shared_ptr<const Profile> profile) {
    auto old_rules = std::move(rules_);
    auto old_feeds = std::move(feeds_);
    auto old_profile = std::move(profile_);
    profile_ = std::move(profile);
    init_state();
    // Keep alarms whose condition survives; their tiers re-qualify on the next value.
    for (std::size_t i = 0; i < profile_->rules.size(); ++i)
        for (std::size_t j = 0; j < old_profile->rules.size(); ++j)
            if (old_profile->rules[j].condition == profile_->rules[i].condition &&
                old_rules[j].alarm) {
                const Rule& rule = profile_->rules[i];
                rules_[i].alarm = old_rules[j].alarm;
                rules_[i].alarm->condition = rule.condition;
                // Tiers the last value is beyond stay active; the next value judges the rest.
                const double v =
                    last_value_[index_of(rule.signal)].value_or(rules_[i].alarm->value);
                for (std::size_t t = 0; t < rule.tiers.size(); ++t)
                    rules_[i].tiers[t].active = rule.beyond(rule.tiers[t], v);
            }
    for (std::size_t i = 0; i < profile_->feeds.size(); ++i)
        for (std::size_t j = 0; j < old_profile->feeds.size(); ++j)
            if (old_profile->feeds[j].condition == profile_->feeds[i].condition) {
                feeds_[i] = old_feeds[j];
                if (feeds_[i].alarm) feeds_[i].alarm->condition = profile_->feeds[i].condition;
            }
}

std::optional<double> ChairMonitor::current_value(Signal s, Millis now) const {
    if (is_cuff(s)) return last_value_[index_of(s)];
    return streams_[index_of(s)].median(now, profile_->stream_window, profile_->stream_hold);
}

void ChairMonitor::on_reading(const Reading& r, Instant now, std::vector<AlarmTransition>& out) {
    const auto si = index_of(r.signal);
    last_value_[si] = r.value;
    if (!is_cuff(r.signal)) streams_[si].push(now.mono, r.value);

    for (std::size_t i = 0; i < feeds_.size(); ++i) {
        if (!profile_->feeds[i].fed_by(r.signal)) continue;
        auto& fs = feeds_[i];
        if (fs.alarm) {
            fs.alarm->state = AlarmState::cleared;
            fs.alarm->cause = ClearCause::feed_resumed;
            fs.alarm->value = seconds(now.mono - *fs.last_seen);  // how long it was silent
            fs.alarm->peak = std::max(fs.alarm->peak, fs.alarm->value);
            fs.alarm->at = now;
            out.push_back(*fs.alarm);
            fs.alarm.reset();
        }
        fs.last_seen = now.mono;
    }
    const auto value = current_value(r.signal, now.mono);
    if (!value) return;
    for (std::size_t i = 0; i < rules_.size(); ++i)
        if (profile_->rules[i].signal == r.signal) evaluate(i, *value, now, true, out);
}

void ChairMonitor::on_tick(Instant now, std::vector<AlarmTransition>& out) {
    for (std::size_t i = 0; i < rules_.size(); ++i) {
        const auto value = current_value(profile_->rules[i].signal, now.mono);
        if (value) evaluate(i, *value, now, false, out);
    }
    for (std::size_t i = 0; i < feeds_.size(); ++i)
        evaluate_feed(i, now, out);
}

void ChairMonitor::reset(Instant now, ClearCause cause, std::vector<AlarmTransition>& out) {
    auto close = [&](std::optional<AlarmTransition>& alarm) {
        if (!alarm) return;
        alarm->state = AlarmState::cleared;
        alarm->cause = cause;
        alarm->at = now;
        out.push_back(*alarm);
        alarm.reset();
    };
    for (auto& r : rules_)
        close(r.alarm);
    for (auto& f : feeds_)
        close(f.alarm);
    init_state();
    for (auto& s : streams_)
        s.clear();
    last_value_.fill(std::nullopt);
}

void ChairMonitor::update_tier(const Rule& rule, const Tier& tier, TierState& ts, double value,
                               Millis now, bool new_reading) const {
    const bool beyond = rule.beyond(tier, value);
    if (new_reading) {
        if (!beyond) {
            ts.count = 0;
        } else {
            const bool gap_too_long = tier.within.count() > 0 && ts.last_count_at &&
                                      now - *ts.last_count_at > tier.within;
            ts.count = gap_too_long ? 1 : ts.count + 1;
            ts.last_count_at = now;
        }
    }
    if (beyond) {
        if (!ts.beyond_since) ts.beyond_since = now;
        ts.inside_since.reset();
    } else {
        ts.beyond_since.reset();
    }
    if (!ts.active) {
        ts.active = beyond && ts.count >= tier.consecutive && now - *ts.beyond_since >= tier.delay;
        return;
    }
    if (!rule.inside_by_margin(tier, value)) {
        ts.inside_since.reset();
        return;
    }
    if (!ts.inside_since) ts.inside_since = now;
    if (now - *ts.inside_since >= rule.clear_hold) {
        ts.active = false;
        ts.inside_since.reset();
    }
}

void ChairMonitor::evaluate(std::size_t rule_index, double value, Instant now, bool new_reading,
                            std::vector<AlarmTransition>& out) {
    const Rule& rule = profile_->rules[rule_index];
    RuleState& rs = rules_[rule_index];
    const bool high = rule.direction == Direction::high;

    const Tier* top = nullptr;
    for (std::size_t t = 0; t < rule.tiers.size(); ++t) {
        update_tier(rule, rule.tiers[t], rs.tiers[t], value, now.mono, new_reading);
        if (!rs.tiers[t].active) continue;
        const Tier& cand = rule.tiers[t];
        if (!top || cand.priority > top->priority ||
            (cand.priority == top->priority && more_extreme(high, cand.limit, top->limit)))
            top = &cand;
    }

    auto& alarm = rs.alarm;
    if (alarm && more_extreme(high, value, alarm->peak)) alarm->peak = value;
    if (!top) {
        if (!alarm) return;
        alarm->state = AlarmState::cleared;
        alarm->cause = ClearCause::back_in_range;
        alarm->value = value;
        alarm->at = now;
        out.push_back(*alarm);
        alarm.reset();
        return;
    }
    if (!alarm) {
        alarm = AlarmTransition{};
        alarm->alarm_no = next_alarm_no_++;
        alarm->condition = rule.condition;
        alarm->kind = AlarmKind::physiological;
        alarm->signal = rule.signal;
        alarm->high = high;
        alarm->onset = now;
        alarm->peak = value;
        alarm->state = AlarmState::raised;
    } else if (alarm->priority != top->priority || alarm->limit != top->limit) {
        alarm->state = AlarmState::updated;
    } else {
        return;
    }
    alarm->priority = top->priority;
    alarm->limit = top->limit;
    alarm->inclusive = top->inclusive;
    alarm->value = value;
    alarm->at = now;
    out.push_back(*alarm);
}

void ChairMonitor::evaluate_feed(std::size_t feed_index, Instant now,
                                 std::vector<AlarmTransition>& out) {
    const FeedRule& feed = profile_->feeds[feed_index];
    FeedState& fs = feeds_[feed_index];
    if (!fs.last_seen) return;  // a feed that never delivered cannot be lost
    const Millis silent = now.mono - *fs.last_seen;

    const FeedTier* top = nullptr;
    for (const auto& tier : feed.tiers)
        if (silent > tier.after && (!top || tier.priority >= top->priority)) top = &tier;

    auto& alarm = fs.alarm;
    if (!top) {
        if (!alarm) return;
        alarm->state = AlarmState::cleared;
        alarm->cause = ClearCause::feed_resumed;
        alarm->value = seconds(silent);
        alarm->at = now;
        out.push_back(*alarm);
        alarm.reset();
        return;
    }
    const double limit = seconds(top->after);
    if (!alarm) {
        alarm = AlarmTransition{};
        alarm->alarm_no = next_alarm_no_++;
        alarm->condition = feed.condition;
        alarm->kind = AlarmKind::technical;
        alarm->signal = feed.primary_signal();
        alarm->inclusive = false;
        alarm->onset = now;
        alarm->state = AlarmState::raised;
    } else if (alarm->priority != top->priority || alarm->limit != limit) {
        alarm->state = AlarmState::updated;
    } else {
        alarm->peak = std::max(alarm->peak, seconds(silent));
        return;
    }
    alarm->priority = top->priority;
    alarm->limit = limit;
    alarm->value = seconds(silent);
    alarm->peak = std::max(alarm->peak, alarm->value);
    alarm->at = now;
    out.push_back(*alarm);
}

std::vector<AlarmTransition> ChairMonitor::active_alarms() const {
    std::vector<AlarmTransition> result;
    for (const auto& r : rules_)
        if (r.alarm) result.push_back(*r.alarm);
    for (const auto& f : feeds_)
        if (f.alarm) result.push_back(*f.alarm);
    return result;
}

}  // namespace chairwatch::alerts
