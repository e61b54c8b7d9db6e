// The command-line conventions of chairwatchd and chairwatch, on CLI11: one wording for usage
// errors (unknown option, missing value, bad value, missing option), exit code 2 for them,
// `--opt=value` and `--opt value` alike, `--help` on stdout with exit code 0.
// Includes CLI11 (a heavy header): only the .cpp that builds a command's options includes this.
#pragma once

#include <CLI/CLI.hpp>
#include <optional>
#include <string>

namespace chairwatch::cli {

// A command (or subcommand) with our help formatting and `--help`; `footer` follows the options.
void setup(CLI::App& app, const std::string& footer = {});

// Adds `--version`, printing version_text(program).
void add_version_flag(CLI::App& app, std::string_view program);

// Parses argv into `app` (and its subcommands' callbacks run). Returns the exit code when the
// process should end now: 0 after --help or --version, 2 after a usage error (printed).
std::optional<int> parse(CLI::App& app, int argc, char** argv);

// Prints "COMMAND: what (see COMMAND --help)" on stderr for `app` (a subcommand names its
// parent too) and returns 2.
int usage_error(const CLI::App& app, const std::string& what);
// The same for a CLI11 error (thrown by a check after parsing, for example), in our wording.
int usage_error(const CLI::App& app, const CLI::ParseError& e);

}  // namespace chairwatch::cli
