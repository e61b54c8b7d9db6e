#include "tools/replay_cli.hpp"

#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "alerts/time_format.hpp"
#include "cli/cli.hpp"
#include "drivers/codec/alert_codec.hpp"
#include "drivers/codec/json_writer.hpp"
#include "tools/replay_args.hpp"
#include "tools/subcommands.hpp"

namespace chairwatch::tools {

using namespace chairwatch::drivers;

namespace {

constexpr const char* footer =
    "Runs recordings (CSV t_s,signal,value,unit, or session logs .jsonl) through the rules, at\n"
    "full speed in recording time, and prints the alarm transitions they would raise.";

std::string chair_of(const std::string& path) {
    auto chair = std::filesystem::path(path).stem().string();
    return valid_chair_id(chair) ? chair : "replay";
}

ReplayResult replay_file(const std::string& path, const alerts::ClinicProfiles& profiles) {
    ReplayOptions opt;
    opt.chair = chair_of(path);
    auto rec = read_recording(path, &opt.wall_start);
    return replay(rec, profiles, opt);
}

std::string clock(alerts::Millis t) {
    const auto s = t.count() / 1000;
    char buf[32];
    std::snprintf(buf, sizeof buf, "%lld:%02lld:%02lld", static_cast<long long>(s / 3600),
                  static_cast<long long>(s / 60 % 60), static_cast<long long>(s % 60));
    return buf;
}

void print_replay(const std::string& path, const ReplayResult& r, bool jsonl) {
    for (const auto& a : r.alarms) {
        if (jsonl) {
            std::string head;
            JsonWriter w(head);
            w.begin_object()
                .key("recording")
                .value(path)
                .key("t_s")
                .number(static_cast<double>(a.t.count()) / 1000.0, 3);
            head.push_back(',');
            std::printf("%s%s\n", head.c_str(), a.json.c_str() + 1);
            continue;
        }
        std::printf("%-10s %-8s %-13s %-15s %s\n", clock(a.t).c_str(),
                    std::string(alerts::to_string(a.alarm.priority)).c_str(),
                    std::string(alerts::to_string(a.alarm.state)).c_str(), a.condition.c_str(),
                    alert_text(chair_of(path), a.alarm).c_str());
    }
    if (jsonl) return;
    std::size_t rejected = 0;
    for (auto n : r.rejected)
        rejected += n;
    std::printf("-- %s: %zu readings over %s, %zu rejected, %zu alarm transitions\n\n",
                path.c_str(), r.readings, clock(r.span).c_str(), rejected, r.alarms.size());
}

int run_replay(const ReplayArgs& a) {
    const bool jsonl = a.format == "jsonl";
    auto profiles = profiles_of(config::load_config_file(a.config), a);
    if (!profiles) return 2;
    int status = 0;
    for (const auto& path : a.recordings) {
        const auto r = replay_file(path, *profiles);
        for (const auto& e : r.errors)
            std::fprintf(stderr, "%s\n", e.c_str());
        if (r.readings == 0 && !r.errors.empty()) status = 1;
        print_replay(path, r, jsonl);
    }
    return status;
}

}  // namespace

void add_recording_options(CLI::App& app, ReplayArgs& a, const std::vector<std::string>& formats) {
    app.add_option("--format", a.format, "how to print the result")
        ->type_name("FORMAT")
        ->check(CLI::IsMember(formats))
        ->capture_default_str();
    app.add_option("--config", a.config, "chairwatchd's configuration, for the profiles")
        ->type_name("FILE")
        ->capture_default_str();
    app.add_option("--profile", a.profile, "replay with this profile (default: default_profile)")
        ->type_name("NAME");
    app.add_option("--sample-hold", a.sample_hold,
                   "keep each HR/SpO2 sample current this long (charted data, one a minute)")
        ->type_name("SECONDS")
        ->check(CLI::NonNegativeNumber);
    app.add_option("recording", a.recordings, "CSV recordings or session logs")
        ->type_name("RECORDING...")
        ->required();
}

Subcommand add_replay(CLI::App& chairwatch) {
    auto* app = chairwatch.add_subcommand(
        "replay", "run recordings through the rules and print the alarms they raise");
    cli::setup(*app, footer);
    auto a = std::make_shared<ReplayArgs>();
    add_recording_options(*app, *a, {"table", "jsonl"});
    return {app, [a] { return run_replay(*a); }};
}

ReplayResult replay_path(const std::string& path, const alerts::ClinicProfiles& profiles) {
    return replay_file(path, profiles);
}

}  // namespace chairwatch::tools
