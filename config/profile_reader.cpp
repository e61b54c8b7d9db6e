#include "config/profile_reader.hpp"

#include <algorithm>
#include <map>
#include <set>

#include "config/limit_bounds_reader.hpp"
#include "config/reader_util.hpp"
#include "config/rule_reader.hpp"

namespace chairwatch::config {

namespace {

bool valid_name(const std::string& s) {
    if (s.empty()) return false;
    for (char ch : s)
        if (!((ch >= 'a' && ch <= 'z') || (ch >= '0' && ch <= '9') || ch == '_' || ch == '-'))
            return false;
    return true;
}

constexpr std::string_view modifier_flags[] = {"age_65_plus", "hypertension", "first_sessions",
                                               "sedatives"};

// Every rule or feed a modifier overrides must be one of the profile (resolved, with what it
// inherits): a modifier changes named limits, it adds no condition.
template <typename T>
void check_overrides(YamlReader& r, const YAML::Node& n, const std::string& path,
                     const std::string& flag, const char* what, const std::vector<T>& overrides,
                     const std::vector<T>& own) {
    for (const auto& item : overrides) {
        const bool known = std::any_of(
            own.begin(), own.end(), [&](const auto& x) { return x.condition == item.condition; });
        if (!known)
            r.error(n, path + ": modifier " + flag + " overrides " + what + " '" + item.condition +
                           "', which the profile does not have");
    }
}

void check_modifiers(YamlReader& r, const YAML::Node& n, const std::string& path,
                     const alerts::Profile& p) {
    for (const auto& m : p.modifiers) {
        check_overrides(r, n, path, m.flag, "rule", m.rules, p.rules);
        check_overrides(r, n, path, m.flag, "feed", m.feeds, p.feeds);
    }
}

// `checkpoints: {<name>: {at_min: 40, tolerance_min: 10, priority: medium}}`: a profile's list
// replaces the one it inherits.
void read_checkpoints(YamlReader& r, const YAML::Node& n, const std::string& path,
                      alerts::Profile& p) {
    if (!r.expect_map(n, path)) return;
    p.checkpoints.clear();
    for (const auto& kv : n) {
        const auto name = kv.first.Scalar();
        const auto cp = join(path, name);
        if (!valid_name(name))
            r.error(kv.first, path + ": name '" + name + "' may use only a-z, 0-9, '_' and '-'");
        if (!r.expect_map(kv.second, cp, {"at_min", "tolerance_min", "priority"})) continue;
        const auto at = r.number(kv.second, "at_min", cp, 1, 1440);
        const auto tolerance = r.number(kv.second, "tolerance_min", cp, 0, 240);
        const auto priority = read_priority(r, kv.second, cp, "priority", false);
        if (!at) {
            if (!kv.second["at_min"]) r.error(kv.second, join(cp, "at_min") + ": missing");
            continue;
        }
        alerts::Checkpoint c;
        c.name = name;
        c.at = from_seconds(*at * 60);
        if (tolerance) c.tolerance = from_seconds(*tolerance * 60);
        if (priority) c.priority = *priority;
        const bool clash = std::any_of(p.rules.begin(), p.rules.end(),
                                       [&](const auto& x) { return x.condition == name; }) ||
                           std::any_of(p.feeds.begin(), p.feeds.end(),
                                       [&](const auto& x) { return x.condition == name; });
        if (clash) r.error(kv.first, cp + ": also the name of a rule or feed");
        p.checkpoints.push_back(std::move(c));
    }
}

void read_baseline(YamlReader& r, const YAML::Node& n, const std::string& path,
                   alerts::BaselinePolicy& b) {
    if (!r.expect_map(
            n, path,
            {"seated_rest_s", "min_cuff_readings", "min_cuff_span_s", "use_last", "min_hr_span_s"}))
        return;
    if (auto v = r.number(n, "seated_rest_s", path, 0, 3600)) b.seated_rest = from_seconds(*v);
    if (auto v = r.integer(n, "min_cuff_readings", path, 1, 8)) b.min_cuff_readings = *v;
    if (auto v = r.number(n, "min_cuff_span_s", path, 0, 7200)) b.min_cuff_span = from_seconds(*v);
    if (auto v = r.integer(n, "use_last", path, 1, 8)) b.use_last = *v;
    if (auto v = r.number(n, "min_hr_span_s", path, 0, 7200)) b.min_hr_span = from_seconds(*v);
}

void read_discharge(YamlReader& r, const YAML::Node& n, const std::string& path,
                    alerts::DischargePolicy& d) {
    if (!r.expect_map(
            n, path,
            {"min_observation_s", "sbp_below", "dbp_below", "hr_below", "within_pct_of_baseline"}))
        return;
    if (auto v = r.number(n, "min_observation_s", path, 0, 86400))
        d.min_observation = from_seconds(*v);
    if (auto v = r.number(n, "sbp_below", path, 40, 270)) d.sbp_below = *v;
    if (auto v = r.number(n, "dbp_below", path, 10, 210)) d.dbp_below = *v;
    if (auto v = r.number(n, "hr_below", path, 15, 300)) d.hr_below = *v;
    if (auto v = r.number(n, "within_pct_of_baseline", path, 0, 200)) d.within_pct_of_baseline = *v;
}

void read_escalation(YamlReader& r, const YAML::Node& n, const std::string& path,
                     std::array<alerts::EscalationPolicy, 3>& e) {
    if (!r.expect_map(n, path, {"low", "medium", "high"})) return;
    for (const char* prio : {"low", "medium", "high"}) {
        const auto node = n[prio];
        if (!node) continue;
        const auto p = join(path, prio);
        if (!r.expect_map(node, p, {"after_s", "repeat_s"})) continue;
        auto& policy = e[static_cast<std::size_t>(*alerts::parse_priority(prio))];
        if (auto v = r.number(node, "after_s", p, 0, 86400)) policy.after = from_seconds(*v);
        if (auto v = r.number(node, "repeat_s", p, 0, 86400)) policy.repeat = from_seconds(*v);
    }
}

std::optional<std::uint8_t> read_latching(YamlReader& r, const YAML::Node& n,
                                          const std::string& path) {
    const auto list = n["latching"];
    if (!list.IsSequence()) {
        r.error(list, join(path, "latching") + ": expected a list of priorities such as [high]");
        return std::nullopt;
    }
    std::uint8_t bits = 0;
    for (const auto& p : list) {
        auto prio = p.IsScalar() ? alerts::parse_priority(p.Scalar()) : std::nullopt;
        if (!prio) {
            r.error(p, join(path, "latching") + ": '" + (p.IsScalar() ? p.Scalar() : "?") +
                           "' is not one of low, medium, high");
            return std::nullopt;
        }
        bits |= static_cast<std::uint8_t>(1U << static_cast<unsigned>(*prio));
    }
    return bits;
}

// A resolved profile with the absolute limits its rules wrote, by condition.
struct Resolved {
    std::shared_ptr<alerts::Profile> profile;
    std::map<std::string, std::vector<LimitSeen>> seen;
};

class ProfileResolver {
  public:
    ProfileResolver(YamlReader& r, const YAML::Node& profiles) : r_(r), profiles_(profiles) {}

    // The profile `name` with everything it inherits; null if it has errors of its own.
    const Resolved* resolve(const std::string& name, const YAML::Mark& used_at);

  private:
    void read_own(const std::string& name, const YAML::Node& n, const std::string& path,
                  Resolved& out);
    void merge_rules(const YAML::Node& rules, const std::string& path, Resolved& out);
    void merge_feeds(const YAML::Node& feeds, const std::string& path, Resolved& out);
    void merge_modifiers(const YAML::Node& mods, const std::string& path, Resolved& out);

    YamlReader& r_;
    const YAML::Node& profiles_;
    std::map<std::string, Resolved> done_;
    std::set<std::string> in_progress_;
};

const Resolved* ProfileResolver::resolve(const std::string& name, const YAML::Mark& used_at) {
    if (auto it = done_.find(name); it != done_.end())
        return it->second.profile ? &it->second : nullptr;
    const auto node = profiles_[name];
    if (!node) {
        r_.error(used_at, "no profile named '" + name + "'");
        return nullptr;
    }
    if (in_progress_.count(name)) {
        r_.error(used_at, "profile '" + name + "' inherits from itself (a cycle)");
        return nullptr;
    }
    const auto path = "profiles." + name;
    Resolved res;
    if (r_.expect_map(
            node, path,
            {"inherits", "route", "stream_window_s", "stream_hold_s", "bp_current_for_s",
             "monitor_lost_s", "latching", "ack_lasts_s", "baseline", "discharge", "escalation",
             "rules", "feeds", "modifiers", "checkpoints", "limit_bounds"})) {
        in_progress_.insert(name);
        if (auto base = r_.string(node, "inherits", path)) {
            const Resolved* b = resolve(*base, node["inherits"].Mark());
            if (b) {
                res.profile = std::make_shared<alerts::Profile>(*b->profile);
                res.seen = b->seen;
            }
        } else {
            res.profile = std::make_shared<alerts::Profile>();
        }
        in_progress_.erase(name);
        if (res.profile) read_own(name, node, path, res);
    }
    return done_.emplace(name, std::move(res)).first->second.profile ? &done_[name] : nullptr;
}

void ProfileResolver::read_own(const std::string& name, const YAML::Node& n,
                               const std::string& path, Resolved& out) {
    auto& p = *out.profile;
    p.name = name;
    if (auto v = r_.string(n, "route", path)) p.route = *v;
    if (auto v = r_.number(n, "stream_window_s", path, 0, 60)) p.stream_window = from_seconds(*v);
    if (auto v = r_.number(n, "stream_hold_s", path, 0, 3600)) p.stream_hold = from_seconds(*v);
    if (auto v = r_.number(n, "bp_current_for_s", path, 60, 7200))
        p.cuff_current_for = from_seconds(*v);
    if (auto v = r_.number(n, "monitor_lost_s", path, 1, 300)) p.monitor_lost = from_seconds(*v);
    if (n["latching"])
        if (auto v = read_latching(r_, n, path)) p.latching = *v;
    if (auto v = r_.number(n, "ack_lasts_s", path, 0, 3600)) p.ack_lasts = from_seconds(*v);
    if (n["baseline"]) read_baseline(r_, n["baseline"], join(path, "baseline"), p.baseline);
    if (n["discharge"]) read_discharge(r_, n["discharge"], join(path, "discharge"), p.discharge);
    if (n["escalation"])
        read_escalation(r_, n["escalation"], join(path, "escalation"), p.escalation);
    if (n["rules"]) merge_rules(n["rules"], join(path, "rules"), out);
    if (n["feeds"]) merge_feeds(n["feeds"], join(path, "feeds"), out);
    if (n["modifiers"]) merge_modifiers(n["modifiers"], join(path, "modifiers"), out);
    if (n["checkpoints"]) read_checkpoints(r_, n["checkpoints"], join(path, "checkpoints"), p);
    check_modifiers(r_, n, path, p);
    read_limit_bounds(r_, n, path, p);
    std::vector<LimitSeen> all;
    for (const auto& [cond, limits] : out.seen)
        all.insert(all.end(), limits.begin(), limits.end());
    check_low_below_high(r_, all);
}

void ProfileResolver::merge_rules(const YAML::Node& rules, const std::string& path, Resolved& out) {
    if (!r_.expect_map(rules, path)) return;
    auto& list = out.profile->rules;
    for (const auto& kv : rules) {
        const auto cond = kv.first.Scalar();
        if (!valid_name(cond))
            r_.error(kv.first,
                     path + ": condition name '" + cond + "' may use only a-z, 0-9, '_' and '-'");
        std::erase_if(list, [&](const alerts::Rule& x) { return x.condition == cond; });
        out.seen.erase(cond);
        if (kv.second.IsNull()) continue;  // `cond: ~` removes an inherited rule
        std::vector<LimitSeen> seen;
        auto rule = read_rule(r_, cond, kv.second, join(path, cond), seen);
        if (!rule) continue;
        for (const auto& f : out.profile->feeds)
            if (f.condition == cond)
                r_.error(kv.first, path + ": condition '" + cond + "' is also a feed rule");
        if (list.size() == alerts::Profile::max_rules) {
            r_.error(kv.first, path + ": more than " + std::to_string(alerts::Profile::max_rules) +
                                   " rules in one profile");
            continue;
        }
        list.push_back(std::move(*rule));
        out.seen[cond] = std::move(seen);
    }
}

void ProfileResolver::merge_feeds(const YAML::Node& feeds, const std::string& path, Resolved& out) {
    if (!r_.expect_map(feeds, path)) return;
    auto& list = out.profile->feeds;
    for (const auto& kv : feeds) {
        const auto cond = kv.first.Scalar();
        if (!valid_name(cond))
            r_.error(kv.first,
                     path + ": condition name '" + cond + "' may use only a-z, 0-9, '_' and '-'");
        std::erase_if(list, [&](const alerts::FeedRule& x) { return x.condition == cond; });
        if (kv.second.IsNull()) continue;
        auto feed = read_feed(r_, cond, kv.second, join(path, cond));
        if (!feed) continue;
        for (const auto& rule : out.profile->rules)
            if (rule.condition == cond)
                r_.error(kv.first, path + ": condition '" + cond + "' is also a rule");
        list.push_back(std::move(*feed));
    }
}

// `modifiers: {<flag>: {rules: {<condition>: <rule>}, feeds: {<condition>: <feed>}}}`; a
// profile's modifier replaces the one of the same flag it inherits (`<flag>: ~` removes it).
void ProfileResolver::merge_modifiers(const YAML::Node& mods, const std::string& path,
                                      Resolved& out) {
    if (!r_.expect_map(mods, path)) return;
    auto& list = out.profile->modifiers;
    for (const auto& kv : mods) {
        const auto flag = kv.first.Scalar();
        if (std::find(std::begin(modifier_flags), std::end(modifier_flags), flag) ==
            std::end(modifier_flags)) {
            r_.error(kv.first, path + ": '" + flag +
                                   "' is not one of age_65_plus, hypertension, first_sessions, "
                                   "sedatives");
            continue;
        }
        std::erase_if(list, [&](const alerts::Modifier& m) { return m.flag == flag; });
        if (kv.second.IsNull()) continue;
        const auto mpath = join(path, flag);
        if (!r_.expect_map(kv.second, mpath, {"rules", "feeds"})) continue;
        const auto rules = kv.second["rules"];
        const auto feeds = kv.second["feeds"];
        if ((rules && (!r_.expect_map(rules, join(mpath, "rules")) || rules.size() == 0)) ||
            (feeds && (!r_.expect_map(feeds, join(mpath, "feeds")) || feeds.size() == 0)) ||
            (!rules && !feeds)) {
            r_.error(kv.second, mpath + ": expected the rules and/or feeds it overrides");
            continue;
        }
        alerts::Modifier m;
        m.flag = flag;
        for (const auto& fk : feeds) {
            const auto cond = fk.first.Scalar();
            if (auto feed = read_feed(r_, cond, fk.second, join(join(mpath, "feeds"), cond)))
                m.feeds.push_back(std::move(*feed));
        }
        for (const auto& rk : rules) {
            const auto cond = rk.first.Scalar();
            std::vector<LimitSeen> seen;
            auto rule = read_rule(r_, cond, rk.second, join(join(mpath, "rules"), cond), seen);
            if (!rule) continue;
            check_low_below_high(r_, seen);
            m.rules.push_back(std::move(*rule));
        }
        list.push_back(std::move(m));
    }
}

void read_chairs(YamlReader& r, const YAML::Node& chairs, Config& c) {
    if (!r.expect_map(chairs, "chairs")) return;
    for (const auto& kv : chairs) {
        const auto chair = kv.first.Scalar();
        const auto path = "chairs." + chair;
        if (!r.expect_map(kv.second, path, {"profile"})) continue;
        auto name = r.string(kv.second, "profile", path);
        if (!name) {
            r.error(kv.second, join(path, "profile") + ": missing");
            continue;
        }
        if (!c.profiles.count(*name)) {
            r.error(kv.second["profile"],
                    join(path, "profile") + ": no profile named '" + *name + "'");
            continue;
        }
        c.chair_profiles[chair] = *name;
    }
}

}  // namespace

void read_profiles(YamlReader& r, const YAML::Node& root, Config& c) {
    const auto profiles = root["profiles"];
    if (!profiles) {
        r.error(root, "profiles: missing (at least one profile of rules is needed)");
        return;
    }
    if (!r.expect_map(profiles, "profiles")) return;
    if (profiles.size() == 0) {
        r.error(profiles, "profiles: at least one profile of rules is needed");
        return;
    }
    ProfileResolver resolver(r, profiles);
    for (const auto& kv : profiles) {
        const auto name = kv.first.Scalar();
        if (!valid_name(name))
            r.error(kv.first, "profiles: name '" + name + "' may use only a-z, 0-9, '_' and '-'");
        if (const auto* p = resolver.resolve(name, kv.first.Mark())) c.profiles[name] = p->profile;
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
    if (root["chairs"]) read_chairs(r, root["chairs"], c);
}

}  // namespace chairwatch::config
