#include "cli/cli.hpp"
#include "cli/version.hpp"

namespace chairwatch::cli {

std::string version_text(std::string_view program) {
    return std::string(program) + " " + std::string(version()) + "\ngit revision " +
           std::string(git_revision()) + ", built " + std::string(build_date()) + "\n";
}

void add_version_flag(CLI::App& app, std::string_view program) {
    const auto text = version_text(program);
    app.set_version_flag(
        "--version", [text] { return text; }, "print the version and exit");
}

}  // namespace chairwatch::cli
