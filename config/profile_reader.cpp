#include "config/profile_reader.hpp"

#include <cstdio>

namespace chairwatch::config {

namespace {

using alerts::Direction;
using alerts::Signal;

struct LimitSeen {
    Signal signal;
    Direction direction;
    double limit;
    YAML::Mark mark;
    std::string path;
};

Millis from_seconds(double s) {
    return std::chrono::milliseconds(static_cast<long long>(s * 1000.0 + 0.5));
}

std::string fmt(double v) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "%g", v);
    return buf;
}

bool valid_name(const std::string& s) {
    if (s.empty()) return false;
    for (char ch : s)
        if (!((ch >= 'a' && ch <= 'z') || (ch >= '0' && ch <= '9') || ch == '_' || ch == '-'))
            return false;
    return true;
}

std::optional<alerts::Priority> read_priority(YamlReader& r, const YAML::Node& n,
                                              const std::string& path) {
    auto name = r.string(n, "priority", path);
    if (!name) {
        if (!n["priority"]) r.error(n, join(path, "priority") + ": missing (low, medium or high)");
        return std::nullopt;
    }
    auto p = alerts::parse_priority(*name);
    if (!p)
        r.error(n["priority"],
                join(path, "priority") + ": '" + *name + "' is not one of low, medium, high");
    return p;
}

std::optional<alerts::Tier> read_tier(YamlReader& r, const YAML::Node& n, const std::string& path,
                                      Signal signal, Direction& direction, bool& direction_known,
                                      std::vector<LimitSeen>& seen) {
    if (!r.expect_map(n, path,
                      {"above", "at_or_above", "below", "at_or_below", "priority", "delay_s",
                       "consecutive", "within_s"}))
        return std::nullopt;
    alerts::Tier t;
    int limit_keys = 0;
    Direction dir = Direction::high;
    std::string limit_key;
    for (const char* key : {"above", "at_or_above", "below", "at_or_below"}) {
        if (!n[key]) continue;
        ++limit_keys;
        limit_key = key;
        dir =
            (limit_key == "above" || limit_key == "at_or_above") ? Direction::high : Direction::low;
        t.inclusive = limit_key.rfind("at_or_", 0) == 0;
    }
    if (limit_keys != 1) {
        r.error(n, path + ": needs exactly one of above, at_or_above, below, at_or_below");
        return std::nullopt;
    }
    const auto range = alerts::plausible_range(signal);
    const auto limit = r.number(n, limit_key, path, -1e9, 1e9);
    if (!limit) return std::nullopt;
    if (!range.contains(*limit)) {
        r.error(n[limit_key], join(path, limit_key) + ": " + fmt(*limit) +
                                  " is outside the physiological range of " +
                                  std::string(alerts::to_string(signal)) + " (" + fmt(range.lo) +
                                  "-" + fmt(range.hi) + " " + std::string(alerts::unit_of(signal)) +
                                  ")");
        return std::nullopt;
    }
    t.limit = *limit;
    if (!direction_known) {
        direction = dir;
        direction_known = true;
    } else if (dir != direction) {
        r.error(n[limit_key], join(path, limit_key) +
                                  ": all tiers of a rule must be upper limits or all lower limits");
    }
    seen.push_back({signal, dir, *limit, n[limit_key].Mark(), join(path, limit_key)});

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

std::optional<alerts::Rule> read_rule(YamlReader& r, const std::string& name, const YAML::Node& n,
                                      const std::string& path, std::vector<LimitSeen>& seen) {
    if (!r.expect_map(n, path, {"signal", "clear_margin", "clear_hold_s", "tiers"}))
        return std::nullopt;
    alerts::Rule rule;
    rule.condition = name;
    auto sig_name = r.string(n, "signal", path);
    if (!sig_name) {
        if (!n["signal"])
            r.error(n, join(path, "signal") + ": missing (hr, sbp, dbp, map or spo2)");
        return std::nullopt;
    }
    auto sig = alerts::parse_signal(*sig_name);
    if (!sig) {
        r.error(n["signal"], join(path, "signal") + ": '" + *sig_name +
                                 "' is not one of hr, sbp, dbp, map, spo2");
        return std::nullopt;
    }
    rule.signal = *sig;
    if (auto v = r.number(n, "clear_margin", path, 0, 100)) rule.clear_margin = *v;
    if (auto v = r.number(n, "clear_hold_s", path, 0, 3600)) rule.clear_hold = from_seconds(*v);
    const auto tiers = n["tiers"];
    if (!tiers || !tiers.IsSequence() || tiers.size() == 0) {
        r.error(tiers ? tiers : n, join(path, "tiers") + ": expected a non-empty list of limits");
        return std::nullopt;
    }
    bool direction_known = false;
    bool ok = true;
    for (std::size_t i = 0; i < tiers.size(); ++i) {
        auto t = read_tier(r, tiers[i], path + ".tiers[" + std::to_string(i) + "]", rule.signal,
                           rule.direction, direction_known, seen);
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
    if (!r.expect_map(n, path, {"signals", "tiers"})) return std::nullopt;
    alerts::FeedRule feed;
    feed.condition = name;
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
                           "' is not one of hr, sbp, dbp, map, spo2");
        else
            feed.signal_mask |= alerts::mask_of(*sig);
    }
    const auto tiers = n["tiers"];
    if (!tiers || !tiers.IsSequence() || tiers.size() == 0) {
        r.error(tiers ? tiers : n,
                join(path, "tiers") + ": expected a non-empty list of {after_s, priority}");
        return std::nullopt;
    }
    for (std::size_t i = 0; i < tiers.size(); ++i) {
        const auto tp = path + ".tiers[" + std::to_string(i) + "]";
        if (!r.expect_map(tiers[i], tp, {"after_s", "priority"})) continue;
        alerts::FeedTier t;
        auto after = r.number(tiers[i], "after_s", tp, 1, 86400);
        if (!after && !tiers[i]["after_s"]) r.error(tiers[i], join(tp, "after_s") + ": missing");
        auto p = read_priority(r, tiers[i], tp);
        if (!after || !p) continue;
        t.after = from_seconds(*after);
        t.priority = *p;
        if (!feed.tiers.empty() && t.after <= feed.tiers.back().after)
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

std::shared_ptr<const alerts::Profile> read_profile(YamlReader& r, const std::string& name,
                                                    const YAML::Node& n, const std::string& path) {
    if (!r.expect_map(n, path, {"stream_window_s", "stream_hold_s", "rules", "feeds"}))
        return nullptr;
    auto p = std::make_shared<alerts::Profile>();
    p->name = name;
    if (auto v = r.number(n, "stream_window_s", path, 1, 60)) p->stream_window = from_seconds(*v);
    if (auto v = r.number(n, "stream_hold_s", path, 0, 3600)) p->stream_hold = from_seconds(*v);
    std::vector<LimitSeen> seen;
    std::vector<std::string> names;
    auto check_name = [&](const YAML::Node& key, const std::string& cond) {
        if (!valid_name(cond))
            r.error(key,
                    path + ": condition name '" + cond + "' may use only a-z, 0-9, '_' and '-'");
        for (const auto& other : names)
            if (other == cond) r.error(key, path + ": condition '" + cond + "' is defined twice");
        names.push_back(cond);
    };
    if (const auto rules = n["rules"]; rules && r.expect_map(rules, join(path, "rules"))) {
        for (const auto& kv : rules) {
            const auto cond = kv.first.Scalar();
            check_name(kv.first, cond);
            auto rule = read_rule(r, cond, kv.second, join(path, "rules." + cond), seen);
            if (rule) p->rules.push_back(std::move(*rule));
        }
    }
    if (const auto feeds = n["feeds"]; feeds && r.expect_map(feeds, join(path, "feeds"))) {
        for (const auto& kv : feeds) {
            const auto cond = kv.first.Scalar();
            check_name(kv.first, cond);
            auto feed = read_feed(r, cond, kv.second, join(path, "feeds." + cond));
            if (feed) p->feeds.push_back(std::move(*feed));
        }
    }
    check_low_below_high(r, seen);
    return p;
}

}  // namespace

void read_profiles(YamlReader& r, const YAML::Node& root, Config& c) {
    const auto profiles = root["profiles"];
    if (!profiles) {
        r.error(root, "profiles: missing (at least one profile of rules is needed)");
        return;
    }
    if (!r.expect_map(profiles, "profiles")) return;
    for (const auto& kv : profiles) {
        const auto name = kv.first.Scalar();
        auto p = read_profile(r, name, kv.second, "profiles." + name);
        if (p) c.profiles[name] = std::move(p);
    }
    if (auto v = r.string(root, "default_profile", "")) {
        if (!profiles[*v])
            r.error(root["default_profile"], "default_profile: no profile named '" + *v + "'");
        c.default_profile = *v;
    } else if (profiles.size() == 1) {
        c.default_profile = profiles.begin()->first.Scalar();
    } else {
        r.error(root, "default_profile: missing (there is more than one profile)");
    }
}

}  // namespace chairwatch::config
