#include "daemon/subscriptions.hpp"

namespace chairwatch::daemon {

std::vector<Subscription> chair_subscriptions(const config::Config& cfg) {
    std::vector<std::string> levels{"+"};
    if (cfg.site.chairs.literal()) levels = cfg.site.chairs.patterns;
    std::vector<Subscription> out;
    out.reserve(levels.size() * 4);
    const auto& prefix = cfg.broker.topic_prefix;
    for (const auto& chair : levels) {
        out.push_back({prefix + "/" + chair + "/vitals/#", cfg.broker.qos});
        out.push_back({prefix + "/" + chair + "/session", 1});
        out.push_back({prefix + "/" + chair + "/alerts/ack", 1});
        out.push_back({prefix + "/" + chair + "/monitor", 1});  // retained link statuses
    }
    return out;
}

}  // namespace chairwatch::daemon
