// `chairwatch`: the clinic's command-line tool. Dispatches `chairwatch <subcommand> ...` to
// the subcommand's own entry point, which parses its own arguments and returns the exit code.
#include <array>
#include <cstdio>
#include <exception>
#include <string_view>

#include "report/report.hpp"
#include "tools/alert_watch.hpp"
#include "tools/notify_test.hpp"
#include "tools/replay_cli.hpp"
#include "tools/simulator/simulator.hpp"

namespace {

struct Subcommand {
    std::string_view name;
    std::string_view summary;
    int (*run)(int argc, char** argv);  // argv[0] is the subcommand's name
};

// Add `replay`, `report`, `tune` here.
constexpr std::array subcommands{
    Subcommand{"simulate", "publish simulated chair vitals to an MQTT broker",
               &chairwatch::sim::run_simulate},
    Subcommand{"alerts", "print alerts as a nurse station shows them, as they arrive",
               &chairwatch::drivers::run_alerts},
    Subcommand{"report",
               "render a session log as a report to file with the chart (HTML, JSON, CSV)",
               &chairwatch::report::run_report},
    Subcommand{"replay", "run recordings through the rules and print the alarms they raise",
               &chairwatch::tools::run_replay},
    Subcommand{"tune", "compare alarms of the current and a changed config across recordings",
               &chairwatch::tools::run_tune},
    Subcommand{"notify-test", "send a marked test alarm to each notification receiver",
               &chairwatch::tools::run_notify_test},
};

void print_usage(std::FILE* out) {
    std::fprintf(out, "chairwatch %s: vital-sign alarm monitor tools\n\n", CHAIRWATCH_VERSION);
    std::fputs(
        "usage: chairwatch <subcommand> [options]\n"
        "       chairwatch --help | --version\n\nsubcommands:\n",
        out);
    for (const auto& s : subcommands)
        std::fprintf(out, "  %-12.*s %.*s\n", static_cast<int>(s.name.size()), s.name.data(),
                     static_cast<int>(s.summary.size()), s.summary.data());
    std::fputs("\n`chairwatch <subcommand> --help` describes a subcommand's options.\n", out);
}

}  // namespace

int main(int argc, char** argv) {
    if (argc < 2) {
        print_usage(stderr);
        return 2;
    }
    const std::string_view command = argv[1];
    if (command == "--help" || command == "-h" || command == "help") {
        print_usage(stdout);
        return 0;
    }
    if (command == "--version") {
        std::printf("chairwatch %s\n", CHAIRWATCH_VERSION);
        return 0;
    }
    for (const auto& s : subcommands) {
        if (s.name != command) continue;
        try {
            return s.run(argc - 1, argv + 1);
        } catch (const std::exception& e) {
            std::fprintf(stderr, "chairwatch %s: %s\n", argv[1], e.what());
            return 1;
        }
    }
    std::fprintf(stderr, "chairwatch: unknown subcommand '%s'\n\n", argv[1]);
    print_usage(stderr);
    return 2;
}
