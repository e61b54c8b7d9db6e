// Arguments shared by `chairwatch replay` and `chairwatch tune`.
#pragma once

#include <cstdio>
#include <optional>
#include <string>
#include <vector>

#include "config/config.hpp"
#include "drivers/recording/replay.hpp"

namespace CLI {
class App;
}

namespace chairwatch::tools {

struct ReplayArgs {
    std::string config = "/etc/chairwatch/chairwatch.yaml";
    std::string profile, format = "table", json_file;
    std::vector<std::string> sets, recordings;
    std::optional<double> sample_hold;
};

// The options replay and tune share: --format (one of `formats`), --config, --profile,
// --sample-hold and the recordings.
void add_recording_options(CLI::App& app, ReplayArgs& a, const std::vector<std::string>& formats);

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
