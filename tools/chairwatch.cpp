// `chairwatch`: the clinic's command-line tool. Parses `chairwatch <subcommand> ...` with the
// options each subcommand declares (tools/subcommands.hpp) and runs the one given.
#include <algorithm>
#include <cstdio>
#include <exception>
#include <string_view>
#include <vector>

#include "cli/cli.hpp"
#include "tools/subcommands.hpp"

int main(int argc, char** argv) {
    namespace tools = chairwatch::tools;
    CLI::App app{
        "Vital-sign alarm monitor tools: simulate chairs, watch alerts, render reports, "
        "replay recordings, tune thresholds, test notifications, manage board accounts.",
        "chairwatch"};
    chairwatch::cli::setup(app, "`chairwatch SUBCOMMAND --help` describes a subcommand's options.");
    chairwatch::cli::add_version_flag(app, "chairwatch");
    app.require_subcommand(1);
    const std::vector<tools::Subcommand> subcommands{
        tools::add_simulate(app), tools::add_alerts(app), tools::add_report(app),
        tools::add_replay(app),   tools::add_tune(app),   tools::add_notify_test(app),
        tools::add_user(app)};

    if (argc > 1 && std::string_view(argv[1]) == "help") {
        std::fputs(app.help().c_str(), stdout);
        return 0;
    }
    const auto known = [&](std::string_view name) {
        return std::any_of(subcommands.begin(), subcommands.end(),
                           [&](const tools::Subcommand& s) { return s.app->get_name() == name; });
    };
    if (argc > 1 && argv[1][0] != '-' && !known(argv[1]))
        return chairwatch::cli::usage_error(app,
                                            std::string("unknown subcommand '") + argv[1] + "'");
    if (auto code = chairwatch::cli::parse(app, argc, argv)) return *code;
    for (const auto& s : subcommands) {
        if (!s.app->parsed()) continue;
        try {
            return s.run();
        } catch (const std::exception& e) {
            std::fprintf(stderr, "chairwatch %s: %s\n", s.app->get_name().c_str(), e.what());
            return 1;
        }
    }
    return 2;  // require_subcommand(1) leaves no way here
}
