#include "tools/alert_watch.hpp"

#include <unistd.h>

#include <mqtt/async_client.h>
#include <atomic>
#include <boost/json.hpp>
#include <csignal>
#include <cstdio>

#include "cli/cli.hpp"
#include "drivers/codec/text_rules.hpp"
#include "tools/subcommands.hpp"

namespace chairwatch::drivers {

namespace json = boost::json;

namespace {

std::atomic<bool> stop_requested{false};

void on_signal(int) {
    stop_requested = true;
}

std::string_view str(const json::object& o, const char* key) {
    auto* v = o.if_contains(key);
    return v && v->is_string() ? std::string_view(v->get_string()) : std::string_view();
}

// `s` made safe for the terminal (anyone may publish on the alert topics), padded to `width`.
std::string field(std::string_view s, std::size_t max_bytes, std::size_t width = 0) {
    auto out = printable(s, max_bytes);
    if (out.size() < width) out.append(width - out.size(), ' ');
    return out;
}

struct AlertsArgs {
    std::string broker, prefix = "clinic";
    double duration = 0;
    bool no_color = false;
};

}  // namespace

std::optional<std::string> format_alert_line(const std::string& payload, bool color) {
    json::error_code ec;
    auto v = json::parse(payload, ec);
    if (ec || !v.is_object()) return std::nullopt;
    const auto& o = v.get_object();
    const auto prio = str(o, "priority");
    const auto state = str(o, "state");
    const auto text = str(o, "text");
    if (prio.empty() || text.empty()) return std::nullopt;
    auto ts = str(o, "ts");
    ts = ts.size() >= 19 ? ts.substr(11, 8) : ts;
    const char* on = "";
    const char* off = "";
    if (color) {
        off = "\033[0m";
        if (state == "cleared")
            on = "\033[2m";
        else if (prio == "high")
            on = "\033[1;41;97m";
        else if (prio == "medium")
            on = "\033[30;43m";
        else
            on = "\033[30;46m";
    }
    std::string upper;
    for (char c : prio)
        upper += c >= 'a' && c <= 'z' ? static_cast<char>(c - 'a' + 'A') : c;
    return field(ts, 32) + "  " + on + field(upper, 16, 6) + off + "  " + field(state, 32, 8) +
           " " + field(text, 512);
}

namespace {

int watch_alerts(const AlertsArgs& a) {
    const auto& broker = a.broker;
    const auto& prefix = a.prefix;
    const double duration = a.duration;
    const bool color = !a.no_color && ::isatty(1) != 0;
    std::signal(SIGINT, on_signal);
    std::signal(SIGTERM, on_signal);
    mqtt::async_client client(broker, "");
    try {
        client.start_consuming();
        client.connect(mqtt::connect_options_builder().clean_session(true).finalize())
            ->wait_for(std::chrono::seconds(5));
        if (!client.is_connected()) throw mqtt::exception(-1, "no answer from the broker");
        client.subscribe(prefix + "/+/alerts", 1)->wait();
        client.subscribe(prefix + "/chairwatchd/status", 1)->wait();
    } catch (const mqtt::exception& e) {
        std::fprintf(stderr, "chairwatch alerts: cannot reach %s: %s\n", broker.c_str(), e.what());
        return 1;
    }
    const auto until = std::chrono::steady_clock::now() +
                       std::chrono::milliseconds(static_cast<long long>(duration * 1000));
    while (!stop_requested && (duration <= 0 || std::chrono::steady_clock::now() < until)) {
        mqtt::const_message_ptr msg;
        if (!client.try_consume_message_for(&msg, std::chrono::milliseconds(200)) || !msg) continue;
        const auto payload = msg->get_payload_str();
        if (msg->get_topic().find("/chairwatchd/status") != std::string::npos) {
            json::error_code ec;
            auto v = json::parse(payload, ec);
            const auto state =
                field(!ec && v.is_object() ? str(v.get_object(), "state") : payload, 64);
            std::printf("--- chairwatchd is %s%s\n", state.c_str(),
                        msg->is_retained() ? " (retained)" : "");
        } else if (auto line = format_alert_line(payload, color)) {
            std::printf("%s\n", line->c_str());
        }
        std::fflush(stdout);
    }
    try {
        client.disconnect()->wait_for(std::chrono::seconds(2));
    } catch (const mqtt::exception&) {
    }
    return 0;
}

}  // namespace

}  // namespace chairwatch::drivers

namespace chairwatch::tools {

Subcommand add_alerts(CLI::App& chairwatch) {
    auto* app = chairwatch.add_subcommand(
        "alerts", "print alerts as a nurse station shows them, as they arrive");
    cli::setup(*app, "Prints every alert and the monitor's status as they arrive, until Ctrl-C.");
    auto a = std::make_shared<drivers::AlertsArgs>();
    app->add_option("--broker", a->broker, "MQTT broker, e.g. tcp://127.0.0.1:1883")
        ->type_name("URI")
        ->required();
    app->add_option("--prefix", a->prefix, "topic prefix")
        ->type_name("PREFIX")
        ->capture_default_str();
    app->add_option("--duration", a->duration, "stop after this long (default: at Ctrl-C)")
        ->type_name("SECONDS")
        ->check(CLI::NonNegativeNumber);
    app->add_flag("--no-color", a->no_color,
                  "no colours (the default when stdout is not a terminal)");
    return {app, [a] { return drivers::watch_alerts(*a); }};
}

}  // namespace chairwatch::tools
