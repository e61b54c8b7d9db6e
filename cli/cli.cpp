#include "cli/cli.hpp"

#include <cstdio>
#include <regex>

namespace chairwatch::cli {

namespace {

std::string command_name(const CLI::App& app) {
    std::string name = app.get_name();
    for (auto* p = app.get_parent(); p; p = p->get_parent())
        name = p->get_name() + " " + name;
    return name;
}

// The innermost (sub)command that was being parsed when `e` was thrown.
const CLI::App& failing_app(const CLI::App& app) {
    const auto subs = app.get_subcommands();
    return subs.empty() ? app : failing_app(*subs.back());
}

// argv[1..] in the reverse order CLI11 takes them, with `--opt=` (an empty value) as `--opt ""`:
// CLI11 would take the next argument as its value (`--queue-dir= --check-config`).
std::vector<std::string> reversed_args(int argc, char** argv) {
    std::vector<std::string> args;
    for (int i = argc - 1; i >= 1; --i) {
        const std::string arg = argv[i];
        if (arg.size() > 3 && arg.rfind("--", 0) == 0 && arg.find('=') == arg.size() - 1) {
            args.emplace_back();
            args.push_back(arg.substr(0, arg.size() - 1));
        } else {
            args.push_back(arg);
        }
    }
    return args;
}

// The arguments no option or positional took.
std::string unexpected(const std::vector<std::string>& args) {
    std::string out;
    for (const auto& arg : args)
        out += std::string(out.empty() ? "" : ", ") +
               (arg.size() > 1 && arg[0] == '-' ? "unknown option '" : "unexpected argument '") +
               arg + "'";
    return out;
}

std::string lower_first(std::string s) {
    if (!s.empty() && s[0] >= 'A' && s[0] <= 'Z') s[0] = static_cast<char>(s[0] - 'A' + 'a');
    return s;
}

// One wording for every usage error, whatever CLI11's exception says.
std::string describe(const CLI::ParseError& e) {
    const std::string what = e.what();
    std::smatch m;
    if (dynamic_cast<const CLI::ArgumentMismatch*>(&e) &&
        std::regex_search(what, m, std::regex("^(\\S+): \\d+ required .* missing")))
        return "missing value for " + m[1].str();
    if (dynamic_cast<const CLI::ConversionError*>(&e) &&
        std::regex_search(what, m, std::regex("^Could not convert: (\\S+) = (.*)$")))
        return "bad value for " + m[1].str() + ": '" + m[2].str() + "'";
    if (dynamic_cast<const CLI::ValidationError*>(&e) &&
        std::regex_search(what, m, std::regex("^(\\S+): (.*)$")))
        return "bad value for " + m[1].str() + ": " + lower_first(m[2].str());
    if (dynamic_cast<const CLI::RequiredError*>(&e) &&
        std::regex_search(what, m, std::regex("^(\\S+) is required")))
        return (m[1].str()[0] == '-' ? "missing option " : "missing ") + m[1].str();
    if (dynamic_cast<const CLI::RequiredError*>(&e) && what.find("subcommand") != std::string::npos)
        return "missing subcommand";
    return what;
}

}  // namespace

void setup(CLI::App& app, const std::string& footer) {
    app.get_formatter()->column_width(28);
    app.set_help_flag("-h,--help", "print this help and exit");
    if (!footer.empty()) app.footer(footer);
}

std::optional<int> parse(CLI::App& app, int argc, char** argv) {
    try {
        auto args = reversed_args(argc, argv);
        app.parse(args);
    } catch (const CLI::CallForHelp&) {
        const auto& shown = failing_app(app);
        const auto* parent = shown.get_parent();
        std::fputs(shown.help(parent ? command_name(*parent) : "").c_str(), stdout);
        return 0;
    } catch (const CLI::CallForVersion& e) {
        std::printf("%s", e.what());
        return 0;
    } catch (const CLI::ParseError& e) {
        // Unknown arguments first (CLI11 checks required options before them).
        if (const auto extra = app.remaining(true); !extra.empty())
            return usage_error(failing_app(app), unexpected(extra));
        return usage_error(failing_app(app), e);
    }
    return std::nullopt;
}

int usage_error(const CLI::App& app, const std::string& what) {
    const auto name = command_name(app);
    std::fprintf(stderr, "%s: %s (see %s --help)\n", name.c_str(), what.c_str(), name.c_str());
    return 2;
}

int usage_error(const CLI::App& app, const CLI::ParseError& e) {
    return usage_error(app, describe(e));
}

}  // namespace chairwatch::cli
