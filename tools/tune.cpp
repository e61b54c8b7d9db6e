#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <sstream>

#include "cli/cli.hpp"
#include "drivers/codec/json_writer.hpp"
#include "tools/replay_args.hpp"
#include "tools/replay_cli.hpp"
#include "tools/subcommands.hpp"

namespace chairwatch::tools {

using namespace chairwatch::drivers;

namespace {

constexpr const char* footer =
    "Compares the alarms of the config and of the config changed by --set across recordings:\n"
    "alarms per session-hour by condition and priority, alarms gained and lost, time in alarm.\n"
    "PATH names a key, e.g. --set profiles.adult-default.rules.sbp_high.tiers[0].at_or_above=165";

double seconds(alerts::Millis m) {
    return static_cast<double>(m.count()) / 1000.0;
}

bool overlaps(const Episode& a, const Episode& b) {
    return a.recording == b.recording && a.condition == b.condition && a.start <= b.end &&
           b.start <= a.end;
}

// Episodes of `from` with no overlapping episode of the same condition in `other`.
std::vector<Episode> unmatched(const std::vector<Episode>& from,
                               const std::vector<Episode>& other) {
    std::vector<Episode> out;
    for (const auto& e : from)
        if (std::none_of(other.begin(), other.end(),
                         [&](const Episode& o) { return overlaps(e, o); }))
            out.push_back(e);
    return out;
}

// HIGH episodes of `base` whose overlapping episodes in `changed` (there are some) all stay
// below HIGH: the changed config's episode with the highest priority, for each.
std::vector<Episode> demoted(const std::vector<Episode>& base,
                             const std::vector<Episode>& changed) {
    std::vector<Episode> out;
    for (const auto& e : base) {
        if (e.max_priority != alerts::Priority::high) continue;
        const Episode* top = nullptr;
        for (const auto& c : changed)
            if (overlaps(e, c) && (!top || c.max_priority > top->max_priority)) top = &c;
        if (top && top->max_priority < alerts::Priority::high) out.push_back(*top);
    }
    return out;
}

// Walks `PATH` (dots and [i]) from `node`; the node there, created if missing.
std::optional<YAML::Node> locate(YAML::Node node, const std::string& path, std::string& error) {
    std::size_t pos = 0;
    while (pos < path.size()) {
        if (path[pos] == '[') {
            const auto close = path.find(']', pos);
            if (close == std::string::npos) return error = "unclosed [ in " + path, std::nullopt;
            const auto index = std::stoul(path.substr(pos + 1, close - pos - 1));
            if (!node.IsSequence() || index >= node.size())
                return error = path + ": no item " + std::to_string(index), std::nullopt;
            node.reset(node[index]);
            pos = close + 1;
        } else {
            if (path[pos] == '.') ++pos;
            const auto end = path.find_first_of(".[", pos);
            const auto key =
                path.substr(pos, end == std::string::npos ? std::string::npos : end - pos);
            if (!node.IsMap())
                return error = path + ": '" + key + "' is not under a mapping", std::nullopt;
            node.reset(node[key]);
            pos = end == std::string::npos ? path.size() : end;
        }
    }
    return node;
}

void table(const TuneReport& t, std::size_t recordings) {
    std::printf("%zu recordings, %.1f session-hours\n\n", recordings, t.hours);
    std::printf("%-22s %27s   %27s\n", "alarms per session-hour", "current (low/medium/high)",
                "changed (low/medium/high)");
    std::map<std::string, int> names;
    for (const auto& [c, n] : t.per_condition_base)
        names[c] = 1;
    for (const auto& [c, n] : t.per_condition_changed)
        names[c] = 1;
    const auto rate = [&](const auto& m, const std::string& c, int p) {
        auto it = m.find(c);
        return it == m.end() || t.hours <= 0 ? 0.0
                                             : it->second[static_cast<std::size_t>(p)] / t.hours;
    };
    for (const auto& [c, unused] : names)
        std::printf("%-22s %8.2f %8.2f %8.2f   %8.2f %8.2f %8.2f\n", c.c_str(),
                    rate(t.per_condition_base, c, 0), rate(t.per_condition_base, c, 1),
                    rate(t.per_condition_base, c, 2), rate(t.per_condition_changed, c, 0),
                    rate(t.per_condition_changed, c, 1), rate(t.per_condition_changed, c, 2));
    std::printf("\ntime in alarm: %.0f s now, %.0f s changed\n", t.alarm_seconds_base,
                t.alarm_seconds_changed);
    std::printf("\n%zu alarms lost, %zu gained, %zu HIGH alarms demoted\n", t.lost.size(),
                t.gained.size(), t.demoted.size());
    for (const auto& e : t.demoted)
        std::printf(
            "  DEMOTED %-15s %-6s at %8.0f s for %6.0f s in %s   <-- HIGH PRIORITY ALARM "
            "DEMOTED to %s\n",
            e.condition.c_str(), std::string(alerts::to_string(e.max_priority)).c_str(),
            seconds(e.start), seconds(e.end - e.start), e.recording.c_str(),
            std::string(alerts::to_string(e.max_priority)).c_str());
    for (const auto* list : {&t.lost, &t.gained})
        for (const auto& e : *list)
            std::printf("  %s %-15s %-6s at %8.0f s for %6.0f s in %s%s\n",
                        list == &t.lost ? "LOST  " : "GAINED", e.condition.c_str(),
                        std::string(alerts::to_string(e.max_priority)).c_str(), seconds(e.start),
                        seconds(e.end - e.start), e.recording.c_str(),
                        list == &t.lost && e.max_priority == alerts::Priority::high
                            ? "   <-- HIGH PRIORITY ALARM LOST"
                            : "");
}

}  // namespace

std::vector<Episode> episodes_of(const ReplayResult& r, const std::string& recording) {
    std::vector<Episode> out;
    std::map<std::string, std::size_t> open;  // alert_id -> index
    for (const auto& a : r.alarms) {
        auto it = open.find(a.alert_id);
        if (a.alarm.state == alerts::AlarmState::raised && it == open.end()) {
            open[a.alert_id] = out.size();
            // Still open when the recording ends: the episode lasts until its last row.
            out.push_back({recording, a.condition, std::string(alerts::to_string(a.alarm.kind)),
                           a.alarm.priority, a.t, std::max(a.t, r.last)});
            continue;
        }
        if (it == open.end()) continue;
        auto& e = out[it->second];
        e.max_priority = std::max(e.max_priority, a.alarm.priority);
        if (a.alarm.state == alerts::AlarmState::cleared) {
            e.end = a.t;
            open.erase(it);
        }
    }
    return out;
}

TuneReport compare(const std::vector<std::vector<Episode>>& base,
                   const std::vector<std::vector<Episode>>& changed, double hours) {
    TuneReport t;
    t.hours = hours;
    for (std::size_t i = 0; i < base.size(); ++i) {
        for (const auto& e : base[i]) {
            ++t.per_condition_base[e.condition][static_cast<std::size_t>(e.max_priority)];
            t.alarm_seconds_base += seconds(e.end - e.start);
        }
        for (const auto& e : changed[i]) {
            ++t.per_condition_changed[e.condition][static_cast<std::size_t>(e.max_priority)];
            t.alarm_seconds_changed += seconds(e.end - e.start);
        }
        for (auto& e : unmatched(base[i], changed[i]))
            t.lost.push_back(e);
        for (auto& e : unmatched(changed[i], base[i]))
            t.gained.push_back(e);
        for (auto& e : demoted(base[i], changed[i]))
            t.demoted.push_back(e);
    }
    return t;
}

std::string tune_json(const TuneReport& t) {
    std::string out;
    JsonWriter w(out);
    w.begin_object().key("session_hours").number(t.hours, 2);
    for (const auto* which : {&t.per_condition_base, &t.per_condition_changed}) {
        w.key(which == &t.per_condition_base ? "current" : "changed").begin_object();
        for (const auto& [c, n] : *which) {
            w.key(c).begin_object();
            for (int p = 0; p < 3; ++p)
                w.key(alerts::to_string(static_cast<alerts::Priority>(p)))
                    .value(n[static_cast<std::size_t>(p)]);
            w.end_object();
        }
        w.end_object();
    }
    w.key("alarm_seconds")
        .begin_object()
        .key("current")
        .number(t.alarm_seconds_base)
        .key("changed")
        .number(t.alarm_seconds_changed)
        .end_object();
    bool high_lost = false;
    for (const auto* list : {&t.lost, &t.gained}) {
        w.key(list == &t.lost ? "lost" : "gained").begin_array();
        for (const auto& e : *list) {
            high_lost = high_lost || (list == &t.lost && e.max_priority == alerts::Priority::high);
            w.begin_object()
                .key("recording")
                .value(e.recording)
                .key("condition")
                .value(e.condition);
            w.key("kind")
                .value(e.kind)
                .key("max_priority")
                .value(alerts::to_string(e.max_priority));
            w.key("start_s")
                .number(seconds(e.start))
                .key("end_s")
                .number(seconds(e.end))
                .end_object();
        }
        w.end_array();
    }
    w.key("demoted").begin_array();
    for (const auto& e : t.demoted)
        w.begin_object()
            .key("recording")
            .value(e.recording)
            .key("condition")
            .value(e.condition)
            .key("max_priority")
            .value(alerts::to_string(e.max_priority))
            .key("start_s")
            .number(seconds(e.start))
            .key("end_s")
            .number(seconds(e.end))
            .end_object();
    w.end_array();
    w.key("high_priority_lost").value(high_lost);
    w.key("high_priority_demoted").value(!t.demoted.empty()).end_object();
    return out;
}

std::string apply_sets(const std::string& yaml, const std::vector<std::string>& sets,
                       std::string& error) {
    YAML::Node root;
    try {
        root = YAML::Load(yaml);
    } catch (const YAML::Exception& e) {
        error = std::string("the config is not valid YAML: ") + e.what();
        return {};
    }
    for (const auto& set : sets) {
        const auto eq = set.find('=');
        if (eq == std::string::npos || eq == 0) {
            error = "--set " + set + ": expected PATH=VALUE";
            return {};
        }
        auto node = locate(root, set.substr(0, eq), error);
        if (!node) return {};
        *node = YAML::Load(set.substr(eq + 1));
    }
    YAML::Emitter out;
    out << root;
    return out.c_str();
}

namespace {

int run_tune(const ReplayArgs& a) {
    std::ifstream in(a.config);
    if (!in) {
        std::fprintf(stderr, "chairwatch tune: cannot open %s: %s\n", a.config.c_str(),
                     std::strerror(errno));
        return 2;
    }
    std::stringstream text;
    text << in.rdbuf();
    std::string error;
    const auto edited = apply_sets(text.str(), a.sets, error);
    if (!error.empty()) {
        std::fprintf(stderr, "chairwatch tune: %s\n", error.c_str());
        return 2;
    }
    auto base = profiles_of(config::load_config_file(a.config), a);
    auto changed = profiles_of(config::load_config_text(edited, a.config + " (with --set)"), a);
    if (!base || !changed) return 2;
    std::vector<std::vector<Episode>> before, after;
    double hours = 0;
    for (const auto& path : a.recordings) {
        const auto r = replay_path(path, *base);
        for (const auto& e : r.errors)
            std::fprintf(stderr, "%s\n", e.c_str());
        hours += seconds(r.span) / 3600.0;
        before.push_back(episodes_of(r, path));
        after.push_back(episodes_of(replay_path(path, *changed), path));
    }
    const auto report = compare(before, after, hours);
    const auto json = tune_json(report);
    if (!a.json_file.empty() && !(std::ofstream(a.json_file) << json << "\n")) {
        std::fprintf(stderr, "chairwatch tune: cannot write %s: %s\n", a.json_file.c_str(),
                     std::strerror(errno));
        return 1;
    }
    if (a.format == "json")
        std::printf("%s\n", json.c_str());
    else
        table(report, a.recordings.size());
    return 0;
}

}  // namespace

Subcommand add_tune(CLI::App& chairwatch) {
    auto* app = chairwatch.add_subcommand(
        "tune", "compare alarms of the current and a changed config across recordings");
    cli::setup(*app, footer);
    auto a = std::make_shared<ReplayArgs>();
    add_recording_options(*app, *a, {"table", "json"});
    app->add_option("--set", a->sets, "change a key of the config (repeatable)")
        ->type_name("PATH=VALUE")
        ->allow_extra_args(false);
    app->add_option("--json", a->json_file, "also write the JSON comparison here")
        ->type_name("FILE");
    return {app, [a] { return run_tune(*a); }};
}

}  // namespace chairwatch::tools
