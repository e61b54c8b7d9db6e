#include "config/rule_reader.hpp"

#include <functional>

#include "config/reader_util.hpp"

namespace chairwatch::config {

using alerts::Direction;
using alerts::Signal;

std::optional<alerts::Priority> read_priority(YamlReader& r, const YAML::Node& n,
                                              const std::string& path, const char* key,
                                              bool required) {
    auto name = r.string(n, key, path);
    if (!name) {
        if (!n[key] && required) r.error(n, join(path, key) + ": missing (low, medium or high)");
        return std::nullopt;
    }
    auto p = alerts::parse_priority(*name);
    if (!p) r.error(n[key], join(path, key) + ": '" + *name + "' is not one of low, medium, high");
    return p;
}

std::optional<std::uint8_t> read_phases(YamlReader& r, const YAML::Node& n,
                                        const std::string& path) {
    const auto list = n["phases"];
    if (!list) return std::nullopt;
    if (!list.IsSequence() || list.size() == 0) {
        r.error(list, join(path, "phases") + ": expected a list such as [dosing, observation]");
        return std::nullopt;
    }
    std::uint8_t bits = 0;
    for (const auto& p : list) {
        auto phase = p.IsScalar() ? alerts::parse_phase(p.Scalar()) : std::nullopt;
        if (!phase) {
            r.error(p, join(path, "phases") + ": '" + (p.IsScalar() ? p.Scalar() : "?") +
                           "' is not one of monitoring, baseline, dosing, observation");
            return std::nullopt;
        }
        bits |= alerts::phase_bit(*phase);
    }
    return bits;
}

namespace {

std::optional<Signal> read_signal(YamlReader& r, const YAML::Node& n, const std::string& path,
                                  bool required) {
    auto name = r.string(n, "signal", path);
    if (!name) {
        if (required && !n["signal"])
            r.error(n, join(path, "signal") + ": missing (" +
                           std::string(alerts::signal_names_text) + ")");
        return std::nullopt;
    }
    auto sig = alerts::parse_signal(*name);
    if (!sig)
        r.error(n["signal"], join(path, "signal") + ": '" + *name + "' is not one of " +
                                 std::string(alerts::signal_names_text));
    return sig;
}

// The absolute limit of a tier, if it has one: which key, the direction and the value.
bool read_limit(YamlReader& r, const YAML::Node& n, const std::string& path, Signal signal,
                alerts::Tier& t, Direction& dir, std::vector<LimitSeen>& seen) {
    int keys = 0;
    std::string key;
    for (const char* k : {"above", "at_or_above", "below", "at_or_below"})
        if (n[k]) {
            ++keys;
            key = k;
        }
    const bool relative = n["rise_by"] || n["rise_pct"];
    if (keys > 1 || (keys == 0 && !relative)) {
        r.error(n, path + ": needs exactly one of above, at_or_above, below, at_or_below" +
                       std::string(relative ? "" : " (or rise_by / rise_pct)"));
        return false;
    }
    t.has_limit = keys == 1;
    dir = Direction::high;
    if (!t.has_limit) return true;
    dir = (key == "above" || key == "at_or_above") ? Direction::high : Direction::low;
    t.inclusive = key.rfind("at_or_", 0) == 0;
    const auto limit = r.number(n, key, path, -1e9, 1e9);
    if (!limit) return false;
    const auto range = alerts::plausible_range(signal);
    if (!range.contains(*limit)) {
        r.error(n[key], join(path, key) + ": " + fmt(*limit) +
                            " is outside the physiological range of " +
                            std::string(alerts::to_string(signal)) + " (" + fmt(range.lo) + "-" +
                            fmt(range.hi) + " " + std::string(alerts::unit_of(signal)) + ")");
        return false;
    }
    t.limit = *limit;
    if (!relative) seen.push_back({signal, dir, *limit, n[key].Mark(), join(path, key)});
    return true;
}

// The limit of a tier's other signal (`or`/`and`): its signal and a limit in the tier's direction.
std::optional<alerts::OrLimit> read_side_limit(YamlReader& r, const YAML::Node& n,
                                               const std::string& path, Direction dir,
                                               std::vector<LimitSeen>& seen,
                                               const std::function<bool(Signal)>& allowed,
                                               const std::string& refusal) {
    if (!r.expect_map(n, path, {"signal", "above", "at_or_above", "below", "at_or_below"}))
        return std::nullopt;
    const auto sig = read_signal(r, n, path, true);
    if (!sig) return std::nullopt;
    if (!allowed(*sig)) {
        r.error(n["signal"], join(path, "signal") + ": " + refusal);
        return std::nullopt;
    }
    alerts::Tier alt;
    Direction alt_dir = dir;
    std::vector<LimitSeen> alt_seen;
    if (!read_limit(r, n, path, *sig, alt, alt_dir, alt_seen)) return std::nullopt;
    if (!alt.has_limit || alt_dir != dir) {
        r.error(n, path + ": needs a limit in the same direction as its tier");
        return std::nullopt;
    }
    seen.insert(seen.end(), alt_seen.begin(), alt_seen.end());
    return alerts::OrLimit{*sig, alt.limit, alt.inclusive};
}

// `or: {signal: dbp, at_or_above: 110}`: the same cuff measurement's other signal, beyond too.
bool read_or_limit(YamlReader& r, const YAML::Node& n, const std::string& path, Signal signal,
                   Direction dir, alerts::Tier& t, std::vector<LimitSeen>& seen) {
    t.or_limit = read_side_limit(
        r, n, path, dir, seen,
        [&](Signal s) { return alerts::is_cuff(signal) && alerts::is_cuff(s) && s != signal; },
        "'or' joins another cuff signal (sbp, dbp, map) of the same measurement to a cuff tier");
    return t.or_limit.has_value();
}

// `and: {signal: rr, at_or_below: 11}`: beyond only while another streamed signal is beyond too.
bool read_and_limit(YamlReader& r, const YAML::Node& n, const std::string& path, Signal signal,
                    Direction dir, alerts::Tier& t) {
    std::vector<LimitSeen> ignored;  // a joined limit is no low/high limit of its own signal
    t.and_limit = read_side_limit(
        r, n, path, dir, ignored,
        [&](Signal s) { return !alerts::is_cuff(signal) && !alerts::is_cuff(s) && s != signal; },
        "'and' joins another streamed signal (hr, spo2, rr, etco2) to a streamed tier");
    return t.and_limit.has_value();
}

std::optional<alerts::Tier> read_tier(YamlReader& r, const YAML::Node& n, const std::string& path,
                                      const alerts::Rule& rule, bool& direction_known,
                                      Direction& direction, std::vector<LimitSeen>& seen) {
    if (!r.expect_map(n, path,
                      {"above", "at_or_above", "below", "at_or_below", "rise_by", "rise_pct",
                       "signal", "or", "and", "priority", "delay_s", "consecutive", "within_s"}))
        return std::nullopt;
    alerts::Tier t;
    if (n["signal"]) {
        auto sig = read_signal(r, n, path, false);
        if (!sig) return std::nullopt;
        if (*sig != rule.signal) t.signal = sig;
    }
    const Signal signal = rule.signal_of(t);
    Direction dir = Direction::high;
    if (!read_limit(r, n, path, signal, t, dir, seen)) return std::nullopt;
    if (n["or"] && !read_or_limit(r, n["or"], join(path, "or"), signal, dir, t, seen))
        return std::nullopt;
    if (n["and"] && !read_and_limit(r, n["and"], join(path, "and"), signal, dir, t))
        return std::nullopt;
    if (auto v = r.number(n, "rise_by", path, 1, 200)) t.rise_by = *v;
    if (auto v = r.number(n, "rise_pct", path, 1, 200)) t.rise_pct = *v;
    if ((t.rise_by || t.rise_pct) && dir != Direction::high)
        r.error(n,
                path + ": rise_by / rise_pct describe a rise; pair them with above or at_or_above");
    if (!direction_known) {
        direction = dir;
        direction_known = true;
    } else if (dir != direction) {
        r.error(n, path + ": all tiers of a rule must be upper limits or all lower limits");
    }
    auto priority = read_priority(r, n, path);
    if (priority) t.priority = *priority;
    if (auto v = r.number(n, "delay_s", path, 0, 3600)) t.delay = from_seconds(*v);
    if (auto v = r.integer(n, "consecutive", path, 1, 10)) {
        if (*v > 1 && !alerts::is_cuff(signal))
            r.error(n["consecutive"], join(path, "consecutive") +
                                          ": counting readings is only for cuff signals (sbp, dbp, "
                                          "map); use delay_s for a streamed signal");
        t.consecutive = *v;
    }
    if (auto v = r.number(n, "within_s", path, 0, 86400)) t.within = from_seconds(*v);
    if (!priority) return std::nullopt;
    return t;
}

// `clear_margin: {sbp: 10, dbp: 5}`: a margin per signal; signals not named clear at 0.
void read_signal_margins(YamlReader& r, const YAML::Node& n, const std::string& path,
                         alerts::Rule& rule) {
    for (const auto& kv : n) {
        const auto name = kv.first.Scalar();
        const auto sig = alerts::parse_signal(name);
        if (!sig) {
            r.error(kv.first, path + ": '" + name + "' is not one of " +
                                  std::string(alerts::signal_names_text));
            continue;
        }
        if (auto v = r.number(n, name, path, 0, 100))
            rule.signal_margin[alerts::index_of(*sig)] = *v;
    }
}

// `schedule: {grace_s: 180, windows: [{from_min: 0, every_min: 10, priority: medium}, ...]}`
std::optional<alerts::CuffSchedule> read_schedule(YamlReader& r, const YAML::Node& n,
                                                  const std::string& path) {
    if (!r.expect_map(n, path, {"grace_s", "windows"})) return std::nullopt;
    alerts::CuffSchedule s;
    if (auto v = r.number(n, "grace_s", path, 0, 3600)) s.grace = from_seconds(*v);
    const auto windows = n["windows"];
    if (!windows || !windows.IsSequence() || windows.size() == 0) {
        r.error(windows ? windows : n,
                join(path, "windows") + ": expected a list of {from_min, every_min, priority}");
        return std::nullopt;
    }
    for (std::size_t i = 0; i < windows.size(); ++i) {
        const auto wp = path + ".windows[" + std::to_string(i) + "]";
        const auto& w = windows[i];
        if (!r.expect_map(w, wp, {"from_min", "every_min", "priority"})) return std::nullopt;
        const auto from = r.number(w, "from_min", wp, 0, 1440);
        const auto every = r.number(w, "every_min", wp, 1, 240);
        const auto priority = read_priority(r, w, wp);
        if (!from || !every || !priority) {
            if (!w["from_min"] || !w["every_min"])
                r.error(w, wp + ": needs from_min and every_min");
            return std::nullopt;
        }
        const alerts::CuffWindow cw{from_seconds(*from * 60), from_seconds(*every * 60), *priority};
        if ((i == 0 && cw.from != alerts::Millis(0)) ||
            (i > 0 && cw.from <= s.windows.back().from)) {
            r.error(w["from_min"],
                    join(wp, "from_min") + ": windows start at 0 and follow in increasing order");
            return std::nullopt;
        }
        s.windows.push_back(cw);
    }
    return s;
}

}  // namespace

std::optional<alerts::Rule> read_rule(YamlReader& r, const std::string& name, const YAML::Node& n,
                                      const std::string& path, std::vector<LimitSeen>& seen) {
    if (!r.expect_map(n, path,
                      {"signal", "kind", "phases", "clear_margin", "clear_hold_s", "tiers"}))
        return std::nullopt;
    alerts::Rule rule;
    rule.condition = name;
    auto sig = read_signal(r, n, path, true);
    if (!sig) return std::nullopt;
    rule.signal = *sig;
    if (auto k = r.string(n, "kind", path)) {
        auto kind = alerts::parse_alarm_kind(*k);
        if (!kind)
            r.error(n["kind"], join(path, "kind") + ": '" + *k +
                                   "' is not one of physiological, technical, advisory");
        else
            rule.kind = *kind;
    }
    if (auto phases = read_phases(r, n, path)) rule.phases = *phases;
    if (n["clear_margin"] && n["clear_margin"].IsMap())
        read_signal_margins(r, n["clear_margin"], join(path, "clear_margin"), rule);
    else if (auto v = r.number(n, "clear_margin", path, 0, 100))
        rule.clear_margin = *v;
    if (auto v = r.number(n, "clear_hold_s", path, 0, 3600)) rule.clear_hold = from_seconds(*v);
    const auto tiers = n["tiers"];
    if (!tiers || !tiers.IsSequence() || tiers.size() == 0) {
        r.error(tiers ? tiers : n, join(path, "tiers") + ": expected a non-empty list of limits");
        return std::nullopt;
    }
    if (tiers.size() > alerts::Profile::max_tiers) {
        r.error(tiers, join(path, "tiers") + ": " + std::to_string(tiers.size()) +
                           " limits; a rule has at most " +
                           std::to_string(alerts::Profile::max_tiers));
        return std::nullopt;
    }
    bool direction_known = false;
    bool ok = true;
    for (std::size_t i = 0; i < tiers.size(); ++i) {
        auto t = read_tier(r, tiers[i], path + ".tiers[" + std::to_string(i) + "]", rule,
                           direction_known, rule.direction, seen);
        if (t)
            rule.tiers.push_back(*t);
        else
            ok = false;
    }
    if (!ok) return std::nullopt;
    return rule;
}

std::optional<alerts::FeedRule> read_feed(YamlReader& r, const std::string& name,
                                          const YAML::Node& n, const std::string& path) {
    if (!r.expect_map(n, path, {"signals", "tiers", "expected", "schedule"})) return std::nullopt;
    alerts::FeedRule feed;
    feed.condition = name;
    if (auto v = r.boolean(n, "expected", path)) feed.expected = *v;
    const auto sigs = n["signals"];
    if (!sigs || !sigs.IsSequence() || sigs.size() == 0) {
        r.error(sigs ? sigs : n,
                join(path, "signals") + ": expected a non-empty list such as [hr]");
        return std::nullopt;
    }
    for (const auto& s : sigs) {
        auto sig = s.IsScalar() ? alerts::parse_signal(s.Scalar()) : std::nullopt;
        if (!sig)
            r.error(s, join(path, "signals") + ": '" + (s.IsScalar() ? s.Scalar() : "?") +
                           "' is not one of " + std::string(alerts::signal_names_text));
        else
            feed.signal_mask |= alerts::mask_of(*sig);
    }
    const auto tiers = n["tiers"];
    if (!tiers || !tiers.IsSequence() || tiers.size() == 0) {
        r.error(tiers ? tiers : n,
                join(path, "tiers") + ": expected a non-empty list of {after_s, priority}");
        return std::nullopt;
    }
    if (n["schedule"]) {
        if (!(feed.signal_mask & alerts::mask_of(Signal::sbp)))
            r.error(n["schedule"], join(path, "schedule") + ": a schedule is for cuff feeds");
        feed.schedule = read_schedule(r, n["schedule"], join(path, "schedule"));
    }
    for (std::size_t i = 0; i < tiers.size(); ++i) {
        const auto tp = path + ".tiers[" + std::to_string(i) + "]";
        if (!r.expect_map(tiers[i], tp, {"after_s", "priority", "phases"})) continue;
        alerts::FeedTier t;
        auto after = r.number(tiers[i], "after_s", tp, 1, 86400);
        if (!after && !tiers[i]["after_s"]) r.error(tiers[i], join(tp, "after_s") + ": missing");
        auto p = read_priority(r, tiers[i], tp);
        if (auto phases = read_phases(r, tiers[i], tp)) t.phases = *phases;
        if (!after || !p) continue;
        t.after = from_seconds(*after);
        t.priority = *p;
        const bool overlaps = !feed.tiers.empty() && (feed.tiers.back().phases & t.phases);
        if (overlaps && t.after <= feed.tiers.back().after)
            r.error(tiers[i]["after_s"],
                    join(tp, "after_s") + ": tiers must be in increasing order of after_s");
        feed.tiers.push_back(t);
    }
    return feed;
}

void check_low_below_high(YamlReader& r, const std::vector<LimitSeen>& seen) {
    for (const auto& low : seen) {
        if (low.direction != Direction::low) continue;
        for (const auto& high : seen) {
            if (high.direction != Direction::high || high.signal != low.signal) continue;
            if (low.limit >= high.limit)
                r.error(low.mark, low.path + ": low limit " + fmt(low.limit) +
                                      " is not below the high limit " + fmt(high.limit) + " (" +
                                      high.path + ", line " + std::to_string(high.mark.line + 1) +
                                      ")");
        }
    }
}

}  // namespace chairwatch::config
