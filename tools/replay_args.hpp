// Arguments shared by `chairwatch replay` and `chairwatch tune`.
#pragma once

#include <cstdio>
#include <cstdlib>
#include <optional>
#include <string>
#include <vector>

#include "config/config.hpp"
#include "drivers/recording/replay.hpp"

namespace chairwatch::tools {

struct ReplayArgs {
    std::string config = "/etc/chairwatch/chairwatch.yaml";
    std::string profile, format, json_file;
    std::vector<std::string> sets, recordings;
    std::optional<double> sample_hold;
};

inline bool parse_replay_args(int argc, char** argv, ReplayArgs& a, const char* usage,
                              std::string& error) {
    for (int i = 1; i < argc; ++i) {
        const std::string arg = argv[i];
        auto value = [&]() -> std::optional<std::string> {
            if (i + 1 < argc) return std::string(argv[++i]);
            error = arg + " needs a value";
            return std::nullopt;
        };
        if (arg == "--help" || arg == "-h") {
            std::fputs(usage, stdout);
            std::exit(0);
        }
        if (arg.rfind("--", 0) != 0) {
            a.recordings.push_back(arg);
            continue;
        }
        auto v = value();
        if (!v) return false;
        if (arg == "--config")
            a.config = *v;
        else if (arg == "--profile")
            a.profile = *v;
        else if (arg == "--format")
            a.format = *v;
        else if (arg == "--json")
            a.json_file = *v;
        else if (arg == "--set")
            a.sets.push_back(*v);
        else if (arg == "--sample-hold")
            a.sample_hold = std::stod(*v);
        else {
            error = "unknown option " + arg;
            return false;
        }
    }
    if (a.recordings.empty()) error = "no recording given";
    return error.empty();
}

// The profiles to replay with: the config's, the chosen one as default, sample hold applied.
inline std::optional<alerts::ClinicProfiles> profiles_of(const config::LoadResult& loaded,
                                                         const ReplayArgs& a) {
    if (!loaded.config) {
        for (const auto& e : loaded.errors)
            std::fprintf(stderr, "%s\n", e.format().c_str());
        return std::nullopt;
    }
    auto p = loaded.config->clinic_profiles();
    if (!a.profile.empty()) {
        if (!p.find(a.profile)) {
            std::fprintf(stderr, "chairwatch: no profile named '%s' in %s\n", a.profile.c_str(),
                         loaded.config->source.c_str());
            return std::nullopt;
        }
        p.default_profile = a.profile;
    }
    if (a.sample_hold)
        for (auto& [name, prof] : p.by_name) {
            auto copy = std::make_shared<alerts::Profile>(*prof);
            copy->stream_hold = alerts::Millis(static_cast<long long>(*a.sample_hold * 1000));
            prof = copy;
        }
    return p;
}

}  // namespace chairwatch::tools
