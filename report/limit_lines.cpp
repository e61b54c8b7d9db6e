#include "report/limit_lines.hpp"

#include <algorithm>

#include "report/report_format.hpp"

namespace chairwatch::report {

namespace {

using alerts::Direction;
using alerts::Rule;
using alerts::Tier;

struct Interval {
    Millis from;
    Millis to;
};

// The stretches of the session in which a rule applies, adjacent phases merged.
std::vector<Interval> applicable(const Rule& rule, const SessionSummary& s) {
    std::vector<Interval> out;
    for (const auto& p : s.phases) {
        if (!(rule.phases & alerts::phase_bit(p.phase))) continue;
        if (!out.empty() && out.back().to == p.from)
            out.back().to = p.to;
        else
            out.push_back({p.from, p.to});
    }
    return out;
}

std::string label_of(const Rule& rule, const Tier& tier, Signal sig, double value) {
    const bool high = rule.direction == Direction::high;
    std::string op = high ? (tier.inclusive ? "≥" : ">") : (tier.inclusive ? "≤" : "<");
    std::string label = std::string(short_name(sig)) + " " + op + fmt_number(value);
    if (rule.relative(tier)) {
        const auto rise =
            tier.rise_by ? fmt_number(*tier.rise_by) : fmt_number(*tier.rise_pct) + "%";
        label += " (base " + std::string(high ? "+" : "−") + rise + ")";
    }
    return label;
}

// The line of one tier, or nothing if it cannot be drawn (a relative tier with no baseline).
std::optional<LimitLine> line_of(const Rule& rule, const Tier& tier, const SessionRecord& rec,
                                 Interval span) {
    const Signal sig = rule.signal_of(tier);
    const bool high = rule.direction == Direction::high;
    LimitLine line;
    line.signal = sig;
    line.priority = tier.priority;
    line.high = high;
    line.relative = rule.relative(tier);
    line.condition = rule.condition;
    std::optional<double> base;
    if (line.relative) {
        base = rec.baseline[alerts::index_of(sig)];
        if (!base || !rec.baseline_at || *rec.baseline_at >= span.to) return std::nullopt;
        span.from = std::max(span.from, *rec.baseline_at);
    }
    line.value = rule.threshold_of(tier, base)->value;
    line.from = span.from;
    line.to = span.to;
    line.label = label_of(rule, tier, sig, line.value);
    return line;
}

// One line per value of a signal: lines that touch merge, with the lower priority (the one
// that alarms first) and the absolute label if either is absolute.
void add_unique(std::vector<LimitLine>& lines, LimitLine line) {
    for (auto& l : lines) {
        if (l.signal != line.signal || l.value != line.value || line.to < l.from ||
            l.to < line.from)
            continue;
        l.from = std::min(l.from, line.from);
        l.to = std::max(l.to, line.to);
        l.priority = std::min(l.priority, line.priority);
        if (l.relative && !line.relative) {
            l.relative = false;
            l.label = line.label;
            l.condition = line.condition;
        }
        return;
    }
    lines.push_back(std::move(line));
}

// The stretches of `span` with the limit of tier `at` in force in each (a nurse's changes move
// an absolute limit from their time on).
std::vector<std::pair<Interval, Tier>> in_force(const Rule& rule, std::size_t at,
                                                const SessionRecord& rec, Interval span) {
    std::vector<std::pair<Interval, Tier>> out;
    Tier tier = rule.tiers[at];
    for (const auto& c : rec.limit_changes) {
        if (c.condition != rule.condition || c.tier != static_cast<int>(at) + 1 || c.t >= span.to)
            continue;
        if (c.t > span.from) {
            out.push_back({{span.from, c.t}, tier});
            span.from = c.t;
        }
        tier.limit = c.to;
    }
    out.push_back({span, tier});
    return out;
}

}  // namespace

std::vector<LimitLine> limit_lines(const alerts::Profile& profile, const SessionRecord& rec,
                                   const SessionSummary& summary) {
    std::vector<LimitLine> out;
    for (const auto& rule : profile.rules) {
        if (rule.kind != alerts::AlarmKind::physiological) continue;
        for (const auto& span : applicable(rule, summary))
            for (std::size_t t = 0; t < rule.tiers.size(); ++t)
                for (const auto& [part, tier] : in_force(rule, t, rec, span))
                    if (auto line = line_of(rule, tier, rec, part))
                        add_unique(out, std::move(*line));
    }
    std::stable_sort(out.begin(), out.end(), [](const LimitLine& a, const LimitLine& b) {
        return a.signal != b.signal ? a.signal < b.signal : a.value > b.value;
    });
    return out;
}

}  // namespace chairwatch::report
