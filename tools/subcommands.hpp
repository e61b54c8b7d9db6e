// The subcommands of `chairwatch`. Each add_*() declares its subcommand and options on the
// `chairwatch` command (CLI11, which only the subcommands' .cpp files include) and returns what
// runs it once the command line is parsed.
#pragma once

#include <functional>

namespace CLI {
class App;
}

namespace chairwatch::tools {

struct Subcommand {
    CLI::App* app;
    std::function<int()> run;  // the exit code
};

Subcommand add_simulate(CLI::App& chairwatch);
Subcommand add_alerts(CLI::App& chairwatch);
Subcommand add_report(CLI::App& chairwatch);
Subcommand add_replay(CLI::App& chairwatch);
Subcommand add_tune(CLI::App& chairwatch);
Subcommand add_notify_test(CLI::App& chairwatch);
Subcommand add_user(CLI::App& chairwatch);

}  // namespace chairwatch::tools
