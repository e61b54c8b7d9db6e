#include "daemon/command_line.hpp"

#include "cli/cli.hpp"

namespace chairwatch::daemon {

namespace {

constexpr const char* footer =
    R"(Exit codes: 0 normal stop or valid configuration, 1 runtime failure, 2 usage or
configuration error.

Signals: SIGTERM/SIGINT stop (open sessions are suspended and resume at the next start,
unless sessions.on_shutdown is end), SIGHUP reloads the configuration (an invalid one is
rejected and the running one kept).

Logging goes to stderr. Under systemd (JOURNAL_STREAM names stderr) each line carries its
syslog priority for the journal, without a timestamp of its own.)";

}  // namespace

std::optional<int> parse_command_line(int argc, char** argv, CommandLine& out) {
    CLI::App app{"Watches vital signs of infusion chairs over MQTT and raises alerts to nurses.",
                 "chairwatchd"};
    cli::setup(app, footer);
    cli::add_version_flag(app, "chairwatchd");
    app.add_option("--config", out.config,
                   std::string("configuration (YAML); without --config: ") + default_config_path)
        ->type_name("FILE");
    app.add_option(
           "--broker", out.overrides.broker_uri,
           "MQTT broker, overrides broker.uri (tcp://HOST:PORT or ssl://HOST:PORT; a cluster's "
           "nodes separated by commas)")
        ->type_name("URI");
    app.add_option("--log-dir", out.overrides.log_dir,
                   "where session logs go, overrides sessions.log_dir")
        ->type_name("DIR");
    app.add_option("--queue-dir", out.overrides.queue_dir,
                   "where alerts waiting for the broker are kept, overrides broker.queue_dir")
        ->type_name("DIR");
    app.add_option("--http", out.overrides.http_listen,
                   "the nurse-station board, /healthz and /metrics (default 127.0.0.1:8080, "
                   "http.address and http.port in the file; port 0: no HTTP server)")
        ->type_name("ADDR:PORT");
    app.add_option("--group-board", out.group_board,
                   "run the read-only group board of several sites with this file instead of "
                   "monitoring (docs/board.md, Group board); --config is then not read")
        ->type_name("FILE");
    app.add_flag("--check-config", out.check_only,
                 "validate the configuration and exit: 0 if valid, 2 with one "
                 "FILE:LINE:COLUMN: message line per problem otherwise");
    return cli::parse(app, argc, argv);
}

}  // namespace chairwatch::daemon
