// chairwatchd: the monitoring daemon. Runs in the foreground, logs to stderr, stops cleanly on
// SIGTERM/SIGINT, reloads its configuration on SIGHUP.
#include <malloc.h>
#include <sys/resource.h>

#include <spdlog/spdlog.h>

#include <boost/asio.hpp>
#include <cstdio>
#include <cstring>
#include <string>

#include "config/config.hpp"
#include "config/group_board_config.hpp"
#include "daemon/command_line.hpp"
#include "daemon/group_board.hpp"
#include "daemon/logging.hpp"
#include "daemon/open_files.hpp"
#include "daemon/service.hpp"

namespace {

// chairwatchd --group-board FILE [--check-config].
int group_board_main(const chairwatch::daemon::CommandLine& args) {
    auto loaded = chairwatch::config::load_group_board_file(args.group_board);
    if (!loaded.config) {
        for (const auto& e : loaded.errors)
            std::fprintf(stderr, "%s\n", e.format().c_str());
        return 2;
    }
    if (args.check_only) {
        std::printf("%s: group board configuration is valid (%zu site%s)\n",
                    args.group_board.c_str(), loaded.config->sites.size(),
                    loaded.config->sites.size() == 1 ? "" : "s");
        return 0;
    }
    chairwatch::daemon::setup_logging("info");
    return chairwatch::daemon::run_group_board(*loaded.config);
}

}  // namespace

int main(int argc, char** argv) {
    chairwatch::daemon::CommandLine args;
    if (auto code = chairwatch::daemon::parse_command_line(argc, argv, args)) return *code;

    if (!args.group_board.empty()) return group_board_main(args);
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

    chairwatch::daemon::setup_logging(loaded.config->log_level);
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
