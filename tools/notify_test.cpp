// `chairwatch notify-test --config FILE [--receiver NAME]`: the test path a clinic runs each
// shift (docs/notifications.md). Sends a clearly marked test alarm to each receiver of the
// configuration (or the one named) and prints, per receiver, delivered or failed with the
// detail and the latency. Exit code 0 when every receiver took it, 1 when one did not, 2 for
// usage or configuration errors.
#include <boost/asio.hpp>
#include <chrono>
#include <cstdio>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "cli/cli.hpp"
#include "config/config.hpp"
#include "drivers/codec/alert_codec.hpp"
#include "drivers/notify/notification.hpp"
#include "tools/subcommands.hpp"

namespace chairwatch::tools {

namespace {

namespace notify = drivers::notify;
using std::chrono::milliseconds;

constexpr const char* footer =
    R"(Sends a test alarm, clearly marked as a test, to every receiver under `notifications:` in
FILE (or only to NAME) and prints for each: delivered or failed, with the detail and the
latency. Run it at the start of each shift: it checks the path from chairwatchd to the
pagers. Exit code: 0 all delivered, 1 one failed, 2 usage or configuration error.)";

// The same mapping as the daemon's (daemon/notify/transports.cpp), which tools may not include.
std::unique_ptr<notify::Transport> transport_for(boost::asio::io_context& io,
                                                 const config::Receiver& r) {
    if (r.type == config::Receiver::Type::acm) {
        notify::AcmOptions o;
        o.host = r.acm.host;
        o.port = static_cast<std::uint16_t>(r.acm.port);
        o.tls = r.acm.tls;
        o.tls_verify = r.acm.tls_verify;
        o.ca_file = r.acm.ca_file;
        o.timeout = r.acm.timeout;
        o.sending_application = r.acm.sending_application;
        o.sending_facility = r.acm.sending_facility;
        o.receiving_application = r.acm.receiving_application;
        o.receiving_facility = r.acm.receiving_facility;
        o.patient_id = r.acm.patient_pseudonym ? notify::PatientIdMode::pseudonym
                                               : notify::PatientIdMode::none;
        return notify::make_acm(io, o);
    }
    notify::WebhookOptions o;
    o.url = r.webhook.url;
    o.secret = r.webhook.secret;
    o.timeout = r.webhook.timeout;
    o.tls_verify = r.webhook.tls_verify;
    o.ca_file = r.webhook.ca_file;
    o.headers = r.webhook.headers;
    return notify::make_webhook(io, o);
}

notify::Notification test_notification() {
    const auto wall = std::chrono::duration_cast<milliseconds>(
        std::chrono::system_clock::now().time_since_epoch());
    const auto mono = std::chrono::duration_cast<milliseconds>(
        std::chrono::steady_clock::now().time_since_epoch());
    alerts::AlarmTransition t;
    t.alarm_no = 1;
    t.kind = alerts::AlarmKind::technical;
    t.state = alerts::AlarmState::raised;
    t.priority = alerts::Priority::low;
    t.max_priority = alerts::Priority::low;
    t.condition = "notification_test";
    t.onset = t.at = {mono, wall};
    notify::Notification n;
    n.chair = "chairwatch-test";
    n.session_id = "test-" + std::to_string(wall.count());
    n.key = n.chair + ":" + n.session_id + ":a1/raised/" + std::to_string(wall.count());
    n.transitions.push_back(t);
    n.texts.push_back(
        "TEST ONLY - chairwatch notification test, no patient involved. "
        "No action needed.");
    n.test = true;
    return n;
}

int notify_test(const std::string& file, const std::string& only) {
    const auto loaded = config::load_config_file(file);
    if (!loaded.config) {
        for (const auto& e : loaded.errors)
            std::fprintf(stderr, "%s\n", e.format().c_str());
        return 2;
    }
    const auto& receivers = loaded.config->notifications.receivers;
    if (!only.empty() && !receivers.count(only)) {
        std::fprintf(stderr, "chairwatch notify-test: no receiver '%s' in %s\n", only.c_str(),
                     file.c_str());
        return 2;
    }
    if (receivers.empty()) {
        std::fprintf(stderr, "chairwatch notify-test: %s has no notifications.receivers\n",
                     file.c_str());
        return 2;
    }

    boost::asio::io_context io;
    const auto n = test_notification();
    struct Outcome {
        std::unique_ptr<notify::Transport> transport;
        std::optional<notify::Result> result;
        milliseconds latency{0};
    };
    std::map<std::string, Outcome> outcomes;
    const auto start = std::chrono::steady_clock::now();
    for (const auto& [name, r] : receivers) {
        if (!only.empty() && name != only) continue;
        auto& o = outcomes[name];
        try {
            o.transport = transport_for(io, r);
        } catch (const std::exception& e) {
            o.result = notify::Result{notify::Outcome::rejected, e.what()};
            continue;
        }
        o.transport->send(n, [&o, start](notify::Result res) {
            o.latency =
                std::chrono::duration_cast<milliseconds>(std::chrono::steady_clock::now() - start);
            o.result = std::move(res);
        });
    }
    io.run();

    int failed = 0;
    for (const auto& [name, o] : outcomes) {
        const bool ok = o.result && o.result->outcome == notify::Outcome::delivered;
        if (!ok) ++failed;
        std::printf("%-20s %-9s %5lld ms  %s\n", name.c_str(), ok ? "delivered" : "FAILED",
                    static_cast<long long>(o.latency.count()),
                    o.result ? o.result->detail.c_str() : "no answer");
    }
    std::printf("%zu of %zu receivers took the test alarm (key %s)\n", outcomes.size() - failed,
                outcomes.size(), n.key.c_str());
    return failed ? 1 : 0;
}

}  // namespace

Subcommand add_notify_test(CLI::App& chairwatch) {
    auto* app = chairwatch.add_subcommand("notify-test",
                                          "send a marked test alarm to each notification receiver");
    cli::setup(*app, footer);
    auto file = std::make_shared<std::string>();
    auto only = std::make_shared<std::string>();
    app->add_option("--config", *file, "chairwatchd's configuration")
        ->type_name("FILE")
        ->required();
    app->add_option("--receiver", *only, "only this receiver")->type_name("NAME");
    return {app, [file, only] { return notify_test(*file, *only); }};
}

}  // namespace chairwatch::tools
