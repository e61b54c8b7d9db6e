// chairwatchd: the monitoring daemon. Runs in the foreground, logs to stderr, stops cleanly on
// SIGTERM/SIGINT, reloads its configuration on SIGHUP.
#include <malloc.h>
#include <sys/resource.h>

#include <spdlog/sinks/stdout_sinks.h>
#include <spdlog/spdlog.h>

#include <boost/asio.hpp>
#include <cstdio>
#include <cstring>
#include <iostream>
#include <optional>
#include <string>

#include "config/config.hpp"
#include "daemon/open_files.hpp"
#include "daemon/service.hpp"

namespace {

using chairwatch::config::Overrides;

constexpr const char* usage =
    R"(usage: chairwatchd --config FILE [--broker URI] [--log-dir DIR] [--queue-dir DIR]
                   [--http ADDR:PORT] [--check-config]

Watches vital signs of infusion chairs over MQTT and raises alerts to nurses.

  --config FILE    configuration (YAML), e.g. /etc/chairwatch/chairwatch.yaml
  --broker URI     MQTT broker, overrides broker.uri (tcp://HOST:PORT or ssl://HOST:PORT)
  --log-dir DIR    where session logs go, overrides sessions.log_dir
  --queue-dir DIR  where alerts waiting for the broker are kept, overrides broker.queue_dir
  --http ADDR:PORT the nurse-station board, /healthz and /metrics (default 127.0.0.1:8080,
                   http.address and http.port in the file; port 0: no HTTP server)
  --check-config   validate the configuration and exit: 0 if valid, 2 with one
                   FILE:LINE:COLUMN: message line per problem otherwise
  --help           this text
  --version        the version

Signals: SIGTERM/SIGINT stop (open sessions are suspended and resume at the next start,
unless sessions.on_shutdown is end), SIGHUP reloads the config.
)";

struct Args {
    std::string config;
    Overrides overrides;
    bool check_only{false};
};

// Parses argv; returns an exit code when the process should end right away.
std::optional<int> parse_args(int argc, char** argv, Args& a) {
    for (int i = 1; i < argc; ++i) {
        const std::string arg = argv[i];
        auto value = [&](const char* name) -> std::optional<std::string> {
            if (i + 1 >= argc) {
                std::fprintf(stderr, "chairwatchd: %s needs a value\n", name);
                return std::nullopt;
            }
            return std::string(argv[++i]);
        };
        if (arg == "--help" || arg == "-h") {
            std::fputs(usage, stdout);
            return 0;
        } else if (arg == "--version") {
            std::printf("chairwatchd %s\n", CHAIRWATCH_VERSION);
            return 0;
        } else if (arg == "--check-config") {
            a.check_only = true;
        } else if (arg == "--config" || arg == "--broker" || arg == "--log-dir" ||
                   arg == "--queue-dir" || arg == "--http") {
            auto v = value(arg.c_str());
            if (!v) return 2;
            if (arg == "--config")
                a.config = *v;
            else if (arg == "--broker")
                a.overrides.broker_uri = *v;
            else if (arg == "--queue-dir")
                a.overrides.queue_dir = *v;
            else if (arg == "--http")
                a.overrides.http_listen = *v;
            else
                a.overrides.log_dir = *v;
        } else {
            std::fprintf(stderr, "chairwatchd: unknown argument '%s' (try --help)\n", arg.c_str());
            return 2;
        }
    }
    if (a.config.empty()) {
        std::fprintf(stderr, "chairwatchd: --config FILE is required (try --help)\n");
        return 2;
    }
    return std::nullopt;
}

}  // namespace

int main(int argc, char** argv) {
    Args args;
    if (auto code = parse_args(argc, argv, args)) return *code;

    chairwatch::daemon::raise_open_file_limit();
    auto loaded = chairwatch::config::load_config_file(args.config, args.overrides);
    if (!loaded.config) {
        for (const auto& e : loaded.errors)
            std::fprintf(stderr, "%s\n", e.format().c_str());
        return 2;
    }
    if (const auto plan = chairwatch::daemon::plan_open_files(*loaded.config);
        std::holds_alternative<std::string>(plan)) {
        std::fprintf(stderr, "%s: %s\n", args.config.c_str(), std::get<std::string>(plan).c_str());
        return 2;
    }
    if (args.check_only) {
        std::printf("%s: configuration is valid (%zu profile%s, default '%s')\n",
                    args.config.c_str(), loaded.config->profiles.size(),
                    loaded.config->profiles.size() == 1 ? "" : "s",
                    loaded.config->default_profile.c_str());
        return 0;
    }

    auto logger = spdlog::stderr_logger_mt("chairwatchd");
    logger->set_pattern("%Y-%m-%dT%H:%M:%S.%e %^%l%$ %v");
    logger->set_level(spdlog::level::from_str(loaded.config->log_level));
    spdlog::set_default_logger(logger);
    // An oversized MQTT message is copied and freed on Paho's thread, whose heap would keep the
    // freed memory (glibc raises its mmap threshold after each large free); with a fixed one,
    // big buffers are mapped on their own and go back to the system when freed.
    mallopt(M_MMAP_THRESHOLD, 256 * 1024);

    try {
        boost::asio::io_context io;
        chairwatch::daemon::Service service(io, std::move(*loaded.config));
        boost::asio::signal_set signals(io, SIGTERM, SIGINT, SIGHUP);
        std::function<void(boost::system::error_code, int)> on_signal =
            [&](boost::system::error_code ec, int sig) {
                if (ec) return;
                if (sig == SIGHUP) {
                    auto again = chairwatch::config::load_config_file(args.config, args.overrides);
                    if (again.config) {
                        const auto plan = chairwatch::daemon::plan_open_files(*again.config);
                        if (const auto* why = std::get_if<std::string>(&plan)) {
                            spdlog::error("reload rejected, keeping the running configuration: {}",
                                          *why);
                            signals.async_wait(on_signal);
                            return;
                        }
                        service.reload(std::move(*again.config));
                    } else {
                        spdlog::error("reload rejected, keeping the running configuration:");
                        for (const auto& e : again.errors)
                            spdlog::error("  {}", e.format());
                    }
                    signals.async_wait(on_signal);
                    return;
                }
                spdlog::info("{} received, stopping", strsignal(sig));
                service.stop();
                io.stop();
            };
        signals.async_wait(on_signal);
        service.start();
        io.run();
    } catch (const std::exception& e) {
        spdlog::critical("chairwatchd failed: {}", e.what());
        return 1;
    }
    return 0;
}
