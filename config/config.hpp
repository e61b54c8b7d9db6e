// chairwatch's configuration: YAML in, validated plain values out, or every problem found with
// its file, line and column. `--check-config` and SIGHUP reload use exactly this path.
#pragma once

#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "alerts/clinic.hpp"
#include "alerts/profile.hpp"

namespace chairwatch::config {

using alerts::Millis;

struct BrokerConfig {
    std::string uri;
    std::string client_id{"chairwatchd"};
    std::string topic_prefix{"clinic"};
    std::string status_topic;      // default: <prefix>/chairwatchd/status
    std::string escalation_topic;  // default: <prefix>/escalations
    int qos{1};
    int keepalive_s{30};
    int max_buffered_alerts{10000};
};

struct InputConfig {
    std::size_t max_payload_bytes{4096};
    std::size_t max_chairs{256};
    Millis warn_interval{std::chrono::seconds(60)};
};

struct SessionConfig {
    std::string log_dir{"/var/lib/chairwatch/sessions"};
    Millis idle_end{std::chrono::minutes(30)};
    bool html_report{true};  // write <session_id>.html beside the log when a session ends
};

struct Config {
    std::string source;  // the file it came from
    BrokerConfig broker;
    InputConfig input;
    SessionConfig sessions;
    std::string log_level{"info"};
    std::map<std::string, std::shared_ptr<const alerts::Profile>, std::less<>> profiles;
    std::string default_profile;
    std::map<std::string, std::string, std::less<>> chair_profiles;  // chair -> profile name

    std::shared_ptr<const alerts::Profile> profile() const { return profiles.at(default_profile); }
    alerts::ClinicProfiles clinic_profiles() const {
        return {profiles, default_profile, chair_profiles};
    }
    alerts::ClinicSettings clinic_settings() const { return {sessions.idle_end, input.max_chairs}; }
};

struct ConfigError {
    std::string file;
    int line{1};
    int column{1};
    std::string message;
    std::string format() const;  // "FILE:LINE:COLUMN: message"
};

// Command-line values that take precedence over the file.
struct Overrides {
    std::optional<std::string> broker_uri;
    std::optional<std::string> log_dir;
};

struct LoadResult {
    std::optional<Config> config;  // set only when `errors` is empty
    std::vector<ConfigError> errors;
};

LoadResult load_config_file(const std::string& path, const Overrides& overrides = {});
LoadResult load_config_text(const std::string& text, const std::string& name,
                            const Overrides& overrides = {});

}  // namespace chairwatch::config
