#include "alerts/chair_monitor.hpp"

#include <algorithm>
#include <limits>
#include <stdexcept>

namespace chairwatch::alerts {

namespace {

double seconds(Millis m) {
    return static_cast<double>(m.count()) / 1000.0;
}

bool more_extreme(bool high, double a, double b) {
    return high ? a > b : a < b;
}

}  // namespace

ChairMonitor::ChairMonitor(std::shared_ptr<const Profile> profile, Shortcuts shortcuts)
    : profile_(std::move(profile)), shortcuts_(shortcuts == Shortcuts::on) {
    init_state();
}

void ChairMonitor::init_state() {
    asleep_ = false;
    calm_band_.fill({});
    const Profile& profile = *profile_;
    State::Sizes sizes{static_cast<std::uint32_t>(profile.rules.size()), 0, 0,
                       static_cast<std::uint32_t>(profile.feeds.size())};
    for (const auto& r : profile.rules)
        for (const auto& t : r.tiers) {
            ++sizes[1];
            sizes[2] += t.within.count() > 0;
        }
    if (sizes[1] > std::numeric_limits<std::uint16_t>::max())
        throw std::length_error("a profile has more tiers than a chair can keep");
    state_ = State(sizes);
    std::uint32_t first_tier = 0;
    for (std::size_t i = 0; i < profile.rules.size(); ++i) {
        const Rule& rule = profile.rules[i];
        RuleState& rs = rules()[i];
        rs.first_tier = static_cast<std::uint16_t>(first_tier);
        for (const auto& t : rule.tiers)
            rs.uses |= mask_of(rule.signal_of(t)) | (t.or_limit ? mask_of(t.or_limit->signal) : 0) |
                       (t.and_limit ? mask_of(t.and_limit->signal) : 0);
        first_tier += static_cast<std::uint32_t>(rule.tiers.size());
    }
    std::fill(counts().begin(), counts().end(), never);
    for (std::size_t i = 0; i < profile.feeds.size(); ++i) {
        FeedState& fs = feeds()[i];
        fs.quiet_for = Millis::max();
        for (const auto& t : profile.feeds[i].tiers)
            fs.quiet_for = std::min(fs.quiet_for, t.after);
        if (const auto& s = profile.feeds[i].schedule; s && !s->windows.empty())
            fs.quiet_for = std::min(fs.quiet_for, s->shortest());
    }
    compute_bounds();
}

// The least extreme threshold of each single-signal rule: what Rule::beyond() needs at least.
void ChairMonitor::compute_bounds() {
    constexpr double inf = std::numeric_limits<double>::infinity();
    for (std::size_t i = 0; i < rules().size(); ++i) {
        const Rule& rule = profile_->rules[i];
        RuleState& rs = rules()[i];
        const bool high = rule.direction == Direction::high;
        rs.bounded = std::all_of(rule.tiers.begin(), rule.tiers.end(), [&](const Tier& t) {
            return rule.signal_of(t) == rule.signal && !t.or_limit;
        });
        rs.bound = high ? inf : -inf;
        for (const auto& t : rule.tiers) {
            const auto th = rule.threshold_of(t, base_of(rule.signal));
            if (!th) continue;
            rs.bound = high ? std::min(rs.bound, th->value) : std::max(rs.bound, th->value);
        }
    }
}

void ChairMonitor::wake_all() {
    for (auto& r : rules())
        r.due = RuleState::due_now;
    asleep_ = false;
    calm_band_.fill({});
}

void ChairMonitor::settle() {
    asleep_ = true;
    std::int32_t due = RuleState::due_never;
    for (const auto& r : rules())
        due = std::min(due, r.due);
    wake_at_ = due == RuleState::due_never ? Millis::max() : tier_base_ + Millis(due);
    for (const auto& f : feeds()) {
        if (f.alarm) {  // a silent feed's alarm grows with the silence
            asleep_ = false;
            return;
        }
        if (f.last_seen != never && f.quiet_for != Millis::max())
            wake_at_ = std::min(wake_at_, f.last_seen + f.quiet_for);
    }
}

// A rule that does not apply in this phase has no say. Every other rule judging the stream must
// be quiet and bounded on the stream's own signal, and every sample kept must be short of its
// bound. Then, by induction, the median of any later window of samples inside the band is short
// of every bound: a full judgement would find each rule idle and leave it so.
ChairMonitor::Band ChairMonitor::Band::inside(double lo, double hi) {
    constexpr float inf = std::numeric_limits<float>::infinity();
    Band b{static_cast<float>(lo), static_cast<float>(hi)};
    if (static_cast<double>(b.lo) < lo) b.lo = std::nextafter(b.lo, inf);
    if (static_cast<double>(b.hi) > hi) b.hi = std::nextafter(b.hi, -inf);
    return b;
}

void ChairMonitor::compute_band(Signal s) {
    constexpr double inf = std::numeric_limits<double>::infinity();
    Band& band = calm_band_[stream_slot(s)];
    band = {};
    double next_lo = -inf, next_hi = inf;
    const auto rule_states = rules();
    for (std::size_t i = 0; i < rule_states.size(); ++i) {
        const RuleState& rs = rule_states[i];
        const Rule& rule = profile_->rules[i];
        if (!(rs.uses & mask_of(s)) || !applies(rule)) continue;
        if (!rs.quiet() || !rs.idle || rs.alarm || !rs.bounded || rule.signal != s) return;
        if (rule.direction == Direction::high)
            next_hi = std::min(next_hi, rs.bound);
        else
            next_lo = std::max(next_lo, rs.bound);
    }
    const Band next = Band::inside(next_lo, next_hi);
    const auto& stream = streams_[stream_slot(s)];
    if (!stream.empty()) {
        const auto [lo, hi] = stream.range();
        if (!next.holds(lo) || !next.holds(hi)) return;
    }
    band = next;
}

namespace {

// The counts() slot of a tier with a `within` bound, by its index among all the profile's
// tiers: how many such tiers come before it.
std::size_t within_slot(const Profile& profile, std::size_t tier_index) {
    std::size_t slot = 0, index = 0;
    for (const auto& r : profile.rules)
        for (const auto& t : r.tiers) {
            if (index++ == tier_index) return slot;
            slot += t.within.count() > 0;
        }
    return slot;
}

bool same_tiers(const Rule& a, const Rule& b) {
    if (a.signal != b.signal || a.direction != b.direction || a.tiers.size() != b.tiers.size())
        return false;
    for (std::size_t i = 0; i < a.tiers.size(); ++i) {
        const Tier& x = a.tiers[i];
        const Tier& y = b.tiers[i];
        if (x.signal != y.signal || x.limit != y.limit || x.inclusive != y.inclusive ||
            x.priority != y.priority || x.delay != y.delay || x.consecutive != y.consecutive ||
            x.within != y.within || x.rise_by != y.rise_by || x.rise_pct != y.rise_pct ||
            x.and_limit.has_value() != y.and_limit.has_value() ||
            (x.and_limit && (x.and_limit->signal != y.and_limit->signal ||
                             x.and_limit->limit != y.and_limit->limit ||
                             x.and_limit->inclusive != y.and_limit->inclusive)))
            return false;
    }
    return true;
}

}  // namespace

void ChairMonitor::set_profile(std::shared_ptr<const Profile> profile, Instant now,
                               std::vector<ConditionChange>& out) {
    State old_state = std::move(state_);
    const auto old_rules = old_state.get<0>();
    const auto old_tiers = old_state.get<1>();
    const auto old_counts = old_state.get<2>();
    const auto old_feeds = old_state.get<3>();
    auto old_profile = std::move(profile_);
    profile_ = std::move(profile);
    init_state();
    std::vector<bool> kept(old_rules.size(), false);
    for (std::size_t i = 0; i < profile_->rules.size(); ++i) {
        const Rule& rule = profile_->rules[i];
        for (std::size_t j = 0; j < old_profile->rules.size(); ++j) {
            if (old_profile->rules[j].condition != rule.condition) continue;
            kept[j] = true;
            auto& alarm = rules()[i].alarm;
            if (same_tiers(rule, old_profile->rules[j])) {
                // Unchanged: timers and counts go on.
                alarm = std::move(old_rules[j].alarm);
                std::copy_n(old_tiers.begin() + old_rules[j].first_tier, rule.tiers.size(),
                            tiers().begin() + rules()[i].first_tier);
                for (std::size_t t = 0; t < rule.tiers.size(); ++t)
                    if (rule.tiers[t].within.count() > 0)
                        count_at(rules()[i].first_tier + t) =
                            old_counts[within_slot(*old_profile, old_rules[j].first_tier + t)];
            } else if (old_rules[j].alarm) {
                // Changed limits: keep the alarm; a tier the value is beyond stays active only
                // up to the alarm's priority, so a reload never escalates without the rule's
                // own delay or confirmation.
                alarm = std::make_unique<ConditionChange>(*old_rules[j].alarm);
                for (std::size_t t = 0; t < rule.tiers.size(); ++t) {
                    const Tier& tier = rule.tiers[t];
                    const Signal sig = rule.signal_of(tier);
                    const auto v = current_value(sig, now.mono);
                    tiers_of(i)[t].active = v && tier.priority <= alarm->priority &&
                                            rule.beyond(tier, *v, base_of(sig));
                }
            }
            if (alarm) alarm->condition = rule.condition;
        }
    }
    for (std::size_t j = 0; j < old_rules.size(); ++j)  // conditions the new profile lacks end
        if (!kept[j]) close(old_rules[j].alarm, now, ClearCause::reconfigured, out);
    for (std::size_t i = 0; i < profile_->feeds.size(); ++i)
        for (std::size_t j = 0; j < old_profile->feeds.size(); ++j)
            if (old_profile->feeds[j].condition == profile_->feeds[i].condition) {
                feeds()[i].last_seen = old_feeds[j].last_seen;
                feeds()[i].alarm = old_feeds[j].alarm
                                       ? std::make_unique<ConditionChange>(*old_feeds[j].alarm)
                                       : nullptr;
                old_feeds[j].alarm.reset();
                if (feeds()[i].alarm) feeds()[i].alarm->condition = profile_->feeds[i].condition;
            }
    for (auto& f : old_feeds)
        close(f.alarm, now, ClearCause::reconfigured, out);
    // Re-judge at once so alarms carried over match the new limits.
    on_tick(now, out);
}

std::optional<double> ChairMonitor::current_value(Signal s, Millis now) const {
    if (is_cuff(s))
        return cuff_at_ == never || now - cuff_at_ > profile_->cuff_current_for
                   ? std::nullopt
                   : known(last_value_[index_of(s)]);
    return streams_[stream_slot(s)].median(now, profile_->stream_window, profile_->stream_hold);
}

const std::optional<double>& ChairMonitor::value_of(Values& v, Signal s, Millis now) const {
    const auto i = index_of(s);
    if (!(v.known & mask_of(s))) {
        v.value[i] = current_value(s, now);
        v.known |= mask_of(s);
    }
    return v.value[i];
}

void ChairMonitor::on_reading(const Reading& r, Instant now, std::vector<ConditionChange>& out) {
    on_readings(std::span<const Reading>(&r, 1), now, out);
}

void ChairMonitor::on_readings(std::span<const Reading> readings, Instant now,
                               std::vector<ConditionChange>& out) {
    if (shortcuts_ && readings.size() == 1 && !is_cuff(readings[0].signal) &&
        calm_band_[stream_slot(readings[0].signal)].holds(readings[0].value)) {
        // The common case: a stream sample well inside every limit. Its rules stay quiet. Feeds
        // were seen later than sleeping() assumed, which can only wake the chair early.
        const auto before = out.size();
        take(readings[0], now, out);
        if (out.size() != before) settle();  // a silent feed's alarm ended
        return;
    }
    std::uint8_t fresh = 0;
    for (const auto& r : readings) {
        take(r, now, out);
        fresh |= mask_of(r.signal);
    }
    Values values;
    const auto rule_states = rules();
    for (std::size_t i = 0; i < rule_states.size(); ++i)
        if (rule_states[i].uses & fresh) evaluate(i, now, fresh, values, out);
    settle();
    for (const Signal s : streamed)
        if (fresh & mask_of(s)) compute_band(s);
}

void ChairMonitor::take(const Reading& r, Instant now, std::vector<ConditionChange>& out) {
    const auto si = index_of(r.signal);
    last_value_[si] = r.value;
    if (is_cuff(r.signal)) cuff_at_ = now.mono;
    if (!is_cuff(r.signal)) streams_[stream_slot(r.signal)].push(now.mono, r.value);

    const auto feed_states = feeds();
    for (std::size_t i = 0; i < feed_states.size(); ++i) {
        if (!profile_->feeds[i].fed_by(r.signal)) continue;
        auto& fs = feed_states[i];
        if (fs.alarm) {
            fs.alarm->state = ConditionState::cleared;
            fs.alarm->cause = ClearCause::feed_resumed;
            fs.alarm->value = seconds(now.mono - fs.last_seen);  // how long it was silent
            fs.alarm->peak = std::max(fs.alarm->peak, fs.alarm->value);
            fs.alarm->at = now;
            out.push_back(*fs.alarm);
            fs.alarm.reset();
        }
        fs.last_seen = now.mono;
    }
}

bool ChairMonitor::calm(const RuleState& rs, const Rule& rule, Values& values) const {
    if (rs.bounded && !is_cuff(rule.signal)) {
        if (streams_[stream_slot(rule.signal)].empty()) return true;
        if (short_of_bound(rs, rule, extreme(rule, values))) return true;
        // Near a limit: the exact judgement below decides.
    }
    for (const auto& tier : rule.tiers) {
        const Signal sig = rule.signal_of(tier);
        if (is_cuff(sig)) continue;  // idle on it now, and it stays until the next reading
        if (streams_[stream_slot(sig)].empty()) continue;
        if (rule.beyond(tier, extreme(rule, values, sig), base_of(sig))) return false;
    }
    return true;
}

double ChairMonitor::extreme(const Rule& rule, Values& values, std::optional<Signal> signal) const {
    const auto slot = stream_slot(signal.value_or(rule.signal));
    if (!(values.ranged & (1U << slot))) {
        values.range[slot] = streams_[slot].range();
        values.ranged |= static_cast<std::uint8_t>(1U << slot);
    }
    const auto [lo, hi] = values.range[slot];
    return rule.direction == Direction::high ? hi : lo;
}

bool ChairMonitor::still_idle(std::size_t rule_index, Millis now, std::uint8_t fresh,
                              Values& values) {
    RuleState& rs = rules()[rule_index];
    if (!shortcuts_ || !rs.idle || rs.alarm) return false;
    const Rule& rule = profile_->rules[rule_index];
    if (rs.bounded) {
        // A stream's median (or held latest sample) lies within its samples' range: a range
        // short of the bound spares working the median out.
        const bool settled_by_range =
            !is_cuff(rule.signal) && (streams_[stream_slot(rule.signal)].empty() ||
                                      short_of_bound(rs, rule, extreme(rule, values)));
        if (!settled_by_range) {
            const auto& value = value_of(values, rule.signal, now);
            if (value && !short_of_bound(rs, rule, *value)) return false;
        }
    } else {
        for (const auto& tier : rule.tiers) {
            const Signal sig = rule.signal_of(tier);
            const auto& value = value_of(values, sig, now);
            if (value && rule.beyond(tier, *value, base_of(sig))) return false;
            if (!tier.or_limit) continue;
            const auto& other = value_of(values, tier.or_limit->signal, now);
            if (other && rule.or_beyond(tier, *other)) return false;
        }
    }
    // What update_tier() would do to an idle tier whose value is not beyond: a new reading ends
    // a run of consecutive readings; nothing else changes.
    // (A signal that just arrived always has a current value.)
    TierState* states = tiers_of(rule_index);
    for (std::size_t t = 0; t < rule.tiers.size(); ++t)
        if (fresh & mask_of(rule.signal_of(rule.tiers[t]))) states[t].count = 0;
    rs.due = calm(rs, rule, values) ? RuleState::due_never : stream_due(rs, now);
    return true;
}

void ChairMonitor::on_tick(Instant now, std::vector<ConditionChange>& out) {
    if (sleeping(now.mono)) return;
    Values values;
    const std::int32_t tier_now = tier_time(now.mono);
    const auto rule_states = rules();
    for (std::size_t i = 0; i < rule_states.size(); ++i)
        if (!shortcuts_ || tier_now > rule_states[i].due) evaluate(i, now, 0, values, out);
    const auto feed_count = feeds().size();
    for (std::size_t i = 0; i < feed_count; ++i)
        evaluate_feed(i, now, out);
    settle();
}

void ChairMonitor::close(std::unique_ptr<ConditionChange>& alarm, Instant now, ClearCause cause,
                         std::vector<ConditionChange>& out) {
    if (!alarm) return;
    alarm->state = ConditionState::cleared;
    alarm->cause = cause;
    alarm->at = now;
    out.push_back(*alarm);
    alarm.reset();
}

void ChairMonitor::reset(Instant now, ClearCause cause, std::vector<ConditionChange>& out) {
    for (auto& r : rules())
        close(r.alarm, now, cause, out);
    for (auto& f : feeds())
        close(f.alarm, now, cause, out);
    init_state();
    for (auto& s : streams_)
        s.clear();
    last_value_.fill(none);
    cuff_at_ = never;
    dose_start_ = never;
    baseline_.fill(none);
    compute_bounds();
    phase_ = Phase::monitoring;
}

void ChairMonitor::watch_expected_feeds(Instant now) {
    for (std::size_t i = 0; i < feeds().size(); ++i)
        if (profile_->feeds[i].expected && feeds()[i].last_seen == never)
            feeds()[i].last_seen = now.mono;
    asleep_ = false;  // settle() works the feeds' wake-up in on the next judgement
}

void ChairMonitor::set_phase(Phase phase, Instant now, std::vector<ConditionChange>& out) {
    phase_ = phase;
    wake_all();
    for (std::size_t i = 0; i < rules().size(); ++i) {
        const Rule& rule = profile_->rules[i];
        if (applies(rule)) continue;
        close(rules()[i].alarm, now, ClearCause::phase_changed, out);
        std::fill_n(tiers_of(i), rule.tiers.size(), TierState{});
        for (std::size_t t = 0; t < rule.tiers.size(); ++t)
            if (rule.tiers[t].within.count() > 0) count_at(rules()[i].first_tier + t) = never;
    }
    // Judge at once in the new phase, so a phase-specific limit takes effect without waiting.
    on_tick(now, out);
}

Millis& ChairMonitor::count_at(std::size_t tier_index) {
    return counts()[within_slot(*profile_, tier_index)];
}

std::int32_t ChairMonitor::tier_time(Millis now) {
    const std::int64_t offset = (now - tier_base_).count();
    if (short_time::fits(offset)) return static_cast<std::int32_t>(offset);
    for (auto& ts : tiers())
        if (ts.since != TierState::no_time)
            ts.since = short_time::rebased(ts.since, offset, TierState::no_time + 1);
    for (auto& rs : rules())
        if (rs.due != RuleState::due_now && rs.due != RuleState::due_never)
            rs.due = std::min(short_time::rebased(rs.due, offset, RuleState::due_now),
                              RuleState::due_never - 1);
    tier_base_ = now;
    return 0;
}

namespace {

std::int32_t to_due(std::int64_t t) {
    return static_cast<std::int32_t>(std::clamp<std::int64_t>(
        t, std::numeric_limits<std::int32_t>::min(), std::numeric_limits<std::int32_t>::max() - 1));
}

}  // namespace

std::int32_t ChairMonitor::stream_due(const RuleState& rs, Millis now) const {
    // (A change found is clamped to a due that is never later than it, however far tier_base_
    // lags behind; only no change at all is due_never.)
    constexpr auto no_change = std::numeric_limits<std::int64_t>::max();
    std::int64_t due = no_change;
    for (const Signal s : streamed) {
        if (!(rs.uses & mask_of(s))) continue;
        const Millis next = streams_[stream_slot(s)].next_change(now, profile_->stream_window,
                                                                 profile_->stream_hold);
        if (next != Millis::max()) due = std::min(due, (next - tier_base_).count() - 1);
    }
    return due == no_change ? RuleState::due_never : to_due(due);
}

std::int32_t ChairMonitor::due_after(const Rule& rule, const RuleState& rs, Millis now) const {
    const std::int32_t streams = stream_due(rs, now);
    std::int64_t due =
        streams == RuleState::due_never ? std::numeric_limits<std::int64_t>::max() : streams;
    const TierState* states = &tiers()[rs.first_tier];
    for (std::size_t t = 0; t < rule.tiers.size(); ++t) {
        const Tier& tier = rule.tiers[t];
        const TierState& ts = states[t];
        if (!ts.active && ts.beyond_pending() &&
            (tier.consecutive <= 1 || ts.count >= tier.consecutive))
            due = std::min(due, std::int64_t{ts.since} + tier.delay.count() - 1);
        else if (ts.active && ts.inside)
            due = std::min(due, std::int64_t{ts.since} + rule.clear_hold.count() - 1);
    }
    return due == std::numeric_limits<std::int64_t>::max() ? RuleState::due_never : to_due(due);
}

void ChairMonitor::update_tier(const Rule& rule, const Tier& tier, TierState& ts, double value,
                               std::optional<double> other, std::optional<double> with, Millis now,
                               std::int32_t tier_now, bool new_reading) {
    const auto base = base_of(rule.signal_of(tier));
    const bool joined = !tier.and_limit || (with && rule.and_beyond(tier, *with));
    const bool beyond =
        (joined && rule.beyond(tier, value, base)) || (other && rule.or_beyond(tier, *other));
    const auto one_more = [](std::int16_t n) {
        return static_cast<std::int16_t>(std::min<int>(n + 1, TierState::max_count));
    };
    if (new_reading) {
        if (!beyond) {
            ts.count = 0;
        } else if (tier.within.count() > 0) {
            Millis& last = count_at(static_cast<std::size_t>(&ts - tiers().data()));
            const bool gap_too_long = last != never && now - last > tier.within;
            ts.count = gap_too_long ? std::int16_t{1} : one_more(ts.count);
            last = now;
        } else {
            ts.count = one_more(ts.count);
        }
    }
    if (beyond) {
        if (!ts.beyond_pending()) ts.since = tier_now;
        ts.inside = false;
    } else if (ts.beyond_pending()) {
        ts.since = TierState::no_time;
    }
    if (!ts.active) {
        ts.active = beyond && (tier.consecutive <= 1 || ts.count >= tier.consecutive) &&
                    elapsed(tier_now, ts.since) >= tier.delay;
        return;
    }
    // A joined tier ends when either of its two signals is back inside by its margin.
    const bool with_inside = tier.and_limit && with && rule.and_inside_by_margin(tier, *with);
    if ((!rule.inside_by_margin(tier, value, base) && !with_inside) ||
        (other && !rule.or_inside_by_margin(tier, *other))) {
        if (ts.inside) ts.since = TierState::no_time, ts.inside = false;
        return;
    }
    if (!ts.inside) ts.since = tier_now, ts.inside = true;
    if (elapsed(tier_now, ts.since) >= rule.clear_hold) {
        ts.active = false;
        ts.since = TierState::no_time;
        ts.inside = false;
    }
}

void ChairMonitor::evaluate(std::size_t rule_index, Instant now, std::uint8_t fresh, Values& values,
                            std::vector<ConditionChange>& out) {
    const Rule& rule = profile_->rules[rule_index];
    if (!applies(rule)) {
        rules()[rule_index].due = RuleState::due_never;  // until the phase changes, which wakes all
        return;
    }
    if (still_idle(rule_index, now.mono, fresh, values)) return;
    RuleState& rs = rules()[rule_index];
    const std::int32_t tier_now = tier_time(now.mono);
    TierState* states = tiers_of(rule_index);
    const bool high = rule.direction == Direction::high;

    std::size_t top = rule.tiers.size();
    double top_value = 0;
    std::optional<OrLimit> top_other;  // the top tier alarms on its or_limit's signal
    std::optional<double> judged;      // a value of the rule's own signal, for the record
    bool idle = true;
    for (std::size_t t = 0; t < rule.tiers.size(); ++t) {
        const Tier& tier = rule.tiers[t];
        const Signal sig = rule.signal_of(tier);
        const auto& value = value_of(values, sig, now.mono);
        TierState& ts = states[t];
        if (!value) {  // nothing current to judge: an alarm stays, a pending delay starts over
            ts.since = TierState::no_time;
            ts.inside = false;
            idle = idle && !ts.active;
            continue;
        }
        if (!judged || sig == rule.signal) judged = value;
        const auto other = tier.or_limit ? value_of(values, tier.or_limit->signal, now.mono)
                                         : std::optional<double>{};
        const auto with = tier.and_limit ? value_of(values, tier.and_limit->signal, now.mono)
                                         : std::optional<double>{};
        const std::uint8_t feeds_it = mask_of(sig) |
                                      (tier.or_limit ? mask_of(tier.or_limit->signal) : 0) |
                                      (tier.and_limit ? mask_of(tier.and_limit->signal) : 0);
        update_tier(rule, tier, ts, *value, other, with, now.mono, tier_now,
                    (fresh & feeds_it) != 0);
        idle = idle && ts.idle();
        if (!ts.active) continue;
        const Tier* best = top < rule.tiers.size() ? &rule.tiers[top] : nullptr;
        const auto base = [&](const Tier& x) { return base_of(rule.signal_of(x)); };
        if (!best || tier.priority > best->priority ||
            (tier.priority == best->priority && more_extreme(high, rule.limit_of(tier, base(tier)),
                                                             rule.limit_of(*best, base(*best))))) {
            top = t;
            top_value = *value;
            top_other.reset();
            if (other && !rule.beyond(tier, *value, base(tier)) && rule.or_beyond(tier, *other)) {
                top_other = tier.or_limit;
                top_value = *other;
            }
        }
    }
    rs.idle = idle;
    rs.due = idle && !rs.alarm && top == rule.tiers.size() && calm(rs, rule, values)
                 ? RuleState::due_never
                 : due_after(rule, rs, now.mono);

    auto& alarm = rs.alarm;
    if (alarm && judged && alarm->signal == rule.signal && more_extreme(high, *judged, alarm->peak))
        alarm->peak = *judged;
    if (top == rule.tiers.size()) {
        if (!alarm || !judged) return;
        alarm->signal = rule.signal;  // the clear speaks of the rule's own signal, as the peak does
        alarm->value = *judged;
        alarm->relative = false;
        close(alarm, now, ClearCause::back_in_range, out);
        return;
    }
    const Tier& tier = rule.tiers[top];
    const Signal sig = top_other ? top_other->signal : rule.signal_of(tier);
    const double limit = top_other ? top_other->limit : rule.limit_of(tier, base_of(sig));
    if (!alarm) {
        alarm = std::make_unique<ConditionChange>();
        alarm->condition = rule.condition;
        alarm->kind = rule.kind;
        alarm->high = high;
        alarm->rise_rule = std::any_of(rule.tiers.begin(), rule.tiers.end(),
                                       [&](const Tier& x) { return rule.relative(x); });
        alarm->onset = now;
        alarm->peak = top_value;
        alarm->state = ConditionState::raised;
    } else if (alarm->priority != tier.priority || alarm->limit != limit || alarm->signal != sig) {
        alarm->state = ConditionState::updated;
    } else {
        if (sig == alarm->signal && more_extreme(high, top_value, alarm->peak))
            alarm->peak = top_value;
        return;
    }
    alarm->signal = sig;
    alarm->priority = tier.priority;
    alarm->limit = limit;
    alarm->relative = !top_other && rule.relative(tier);
    alarm->baseline = base_of(sig).value_or(0);
    alarm->inclusive = top_other ? top_other->inclusive : tier.inclusive;
    alarm->value = top_value;
    if (more_extreme(high, top_value, alarm->peak)) alarm->peak = top_value;
    alarm->at = now;
    out.push_back(*alarm);
}

FeedTier ChairMonitor::scheduled_tier(const FeedRule& feed, const FeedState& fs) const {
    if (!feed.schedule || dose_start_ == never ||
        (phase_ != Phase::dosing && phase_ != Phase::observation))
        return FeedTier{Millis(0), Priority::low, 0};  // no phase: not scheduled
    const CuffSchedule& s = *feed.schedule;
    const Millis last = fs.last_seen - dose_start_;
    const Millis due = s.expected_after(last);
    return FeedTier{due - last + s.grace, s.window_at(due).priority, all_phases};
}

void ChairMonitor::evaluate_feed(std::size_t feed_index, Instant now,
                                 std::vector<ConditionChange>& out) {
    const FeedRule& feed = profile_->feeds[feed_index];
    FeedState& fs = feeds()[feed_index];
    if (fs.last_seen == never) return;  // not expected, and never delivered: nothing to lose
    const Millis silent = now.mono - fs.last_seen;
    if (!fs.alarm && silent <= fs.quiet_for) return;  // no tier could apply yet
    const FeedTier scheduled = scheduled_tier(feed, fs);
    const std::span<const FeedTier> tiers =
        scheduled.phases ? std::span<const FeedTier>(&scheduled, 1) : std::span(feed.tiers);

    // The tier in force after a silence of `s`: the highest priority of those it exceeds.
    const auto top_after = [&](Millis s) {
        const FeedTier* top = nullptr;
        for (const auto& tier : tiers)
            if ((tier.phases & phase_bit(phase_)) && s > tier.after &&
                (!top || tier.priority >= top->priority))
                top = &tier;
        return top;
    };
    const FeedTier* top = top_after(silent);

    auto& alarm = fs.alarm;
    if (!top) {
        if (!alarm) return;
        alarm->state = ConditionState::cleared;
        // Still silent but no tier applies in this phase: the phase ended it, not the feed.
        const bool still_silent = std::any_of(tiers.begin(), tiers.end(),
                                              [&](const FeedTier& t) { return silent > t.after; });
        alarm->cause = still_silent ? ClearCause::phase_changed : ClearCause::feed_resumed;
        alarm->value = seconds(silent);
        alarm->at = now;
        out.push_back(*alarm);
        alarm.reset();
        return;
    }
    // Moves the alarm to `tier`: raised if there is none yet, updated if the tier differs.
    const auto step_to = [&](const FeedTier& tier) {
        const double limit = seconds(tier.after);
        if (!alarm) {
            alarm = std::make_unique<ConditionChange>();
            alarm->condition = feed.condition;
            alarm->kind = AlarmKind::technical;
            alarm->feed = true;
            alarm->signal = feed.primary_signal();
            alarm->inclusive = false;
            alarm->onset = now;
            alarm->state = ConditionState::raised;
        } else if (alarm->priority != tier.priority || alarm->limit != limit) {
            alarm->state = ConditionState::updated;
        } else {
            alarm->peak = std::max(alarm->peak, seconds(silent));
            return;
        }
        alarm->priority = tier.priority;
        alarm->limit = limit;
        alarm->value = seconds(silent);
        alarm->peak = std::max(alarm->peak, alarm->value);
        alarm->at = now;
        out.push_back(*alarm);
    };
    if (!alarm) {
        // A silence first judged past several tiers (the daemon was down, or the machine
        // slept) goes through them in the order the silence reached them, as it would have
        // second by second: raised LOW, then updated to MEDIUM; never straight to the top.
        std::vector<Millis> reached;
        for (const auto& tier : tiers)
            if ((tier.phases & phase_bit(phase_)) && silent > tier.after)
                reached.push_back(tier.after);
        std::sort(reached.begin(), reached.end());
        for (const auto after : reached)
            if (const FeedTier* step = top_after(after + Millis(1)); step && step != top)
                step_to(*step);
    }
    step_to(*top);
}

std::vector<ConditionChange> ChairMonitor::active_conditions() const {
    std::vector<ConditionChange> result;
    for (const auto& r : rules())
        if (r.alarm) result.push_back(*r.alarm);
    for (const auto& f : feeds())
        if (f.alarm) result.push_back(*f.alarm);
    return result;
}

}  // namespace chairwatch::alerts
