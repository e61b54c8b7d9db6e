// `chairwatch report`: reads a session log and the limits of its profile, writes the report.
#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <string_view>

#include "cli/cli.hpp"
#include "config/config.hpp"
#include "report/hl7_report.hpp"
#include "report/report.hpp"
#include "tools/subcommands.hpp"

namespace chairwatch::report {

namespace {

constexpr const char* default_config = "/etc/chairwatch/chairwatch.yaml";

constexpr const char* footer =
    "Renders a session log (<session_id>.jsonl from chairwatchd's log directory) as a report:\n"
    "  html  one page to file with the chart (default): vitals over time, limits, phases,\n"
    "        alarms and responses, baseline/peak/end values, discharge\n"
    "  json  the session record (docs/records.md; what chairwatchd writes as .summary.json)\n"
    "  fhir  a FHIR R4 Bundle: Encounter, vital-sign Observations, MedicationAdministration,\n"
    "        alarms (DetectedIssue, Communication) and this page (DocumentReference)\n"
    "  csv   one row per reading: chair,session_id,ts,signal,value,unit,phase\n"
    "  hl7   the vital signs as HL7 v2.6 ORU^R01 messages (IHE PCD-01), one per measurement,\n"
    "        each followed by a newline; MSH and PID from the config's records section\n"
    "Without --config, /etc/chairwatch/chairwatch.yaml gives the limits and the records section\n"
    "if it exists; without a configuration the report draws no limits and says so.";

struct Args {
    std::string input;
    std::string output;
    std::string format{"html"};
    std::string config;
};

// MSH-3 to MSH-6 and the patient identifier system from the config's records section.
Hl7Options hl7_options(const config::RecordsConfig& records) {
    Hl7Options h;
    h.patient_identifier_system = records.patient_identifier_system;
    if (const auto& e = records.hl7_export)
        h.endpoints = {e->sending_application, e->sending_facility, e->receiving_application,
                       e->receiving_facility};
    return h;
}

// Fills the limits of the session's profile and the patient identifier system into `o`, the
// HL7 header into `h`; false if a config was unreadable.
bool load_config(const Args& a, const SessionRecord& rec, ReportOptions& o, Hl7Options& h) {
    std::error_code ec;
    std::string path = a.config;
    if (path.empty() && std::filesystem::exists(default_config, ec)) path = default_config;
    if (path.empty()) {
        o.limits_note = std::string("no configuration (") + default_config +
                        " does not exist and no --config was given).";
        return true;
    }
    const auto loaded = config::load_config_file(path);
    if (!loaded.config) {
        for (const auto& e : loaded.errors)
            std::fprintf(stderr, "chairwatch report: %s\n", e.format().c_str());
        std::fprintf(stderr, "chairwatch report: cannot use %s for the limits\n", path.c_str());
        return false;
    }
    o.patient_identifier_system = loaded.config->records.patient_identifier_system;
    h = hl7_options(loaded.config->records);
    const auto& profiles = loaded.config->profiles;
    const auto it = profiles.find(rec.profile);
    if (it == profiles.end()) {
        o.limits_note = "the session's profile '" + rec.profile + "' is not in " + path + ".";
        return true;
    }
    o.profile = it->second;
    o.limits_source = path;
    return true;
}

bool write_out(const std::string& path, const std::string& text) {
    if (path.empty() || path == "-")
        return std::fwrite(text.data(), 1, text.size(), stdout) == text.size() &&
               std::fflush(stdout) == 0;
    std::ofstream out(path, std::ios::binary | std::ios::trunc);
    out << text;
    out.close();
    return static_cast<bool>(out);
}

void report_log_errors(const SessionRecord& rec) {
    constexpr std::size_t shown = 20;
    for (std::size_t i = 0; i < rec.errors.size() && i < shown; ++i)
        std::fprintf(stderr, "chairwatch report: %s\n", rec.errors[i].c_str());
    if (rec.errors.size() > shown)
        std::fprintf(stderr, "chairwatch report: ... and %zu more unreadable lines\n",
                     rec.errors.size() - shown);
}

int report(const Args& args) {
    std::string error;
    const auto rec = read_session_log(args.input, error);
    if (!rec) {
        std::fprintf(stderr, "chairwatch report: %s\n", error.c_str());
        return 1;
    }
    report_log_errors(*rec);
    if (!rec->has_start && rec->reading_count() == 0) {
        std::fprintf(stderr,
                     "chairwatch report: %s: no session in it (no session_start, no "
                     "readings)\n",
                     args.input.c_str());
        return 1;
    }
    ReportOptions options;
    Hl7Options hl7;
    if (!load_config(args, *rec, options, hl7)) return 1;
    options.utc_offset = local_utc_offset(rec->start);
    options.generated_at =
        std::chrono::duration_cast<Millis>(std::chrono::system_clock::now().time_since_epoch());
    const auto text = args.format == "json"   ? render_json(*rec, options)
                      : args.format == "fhir" ? render_fhir(*rec, options)
                      : args.format == "csv"  ? render_csv(*rec)
                      : args.format == "hl7"  ? render_hl7(*rec, hl7, options.generated_at)
                                              : render_html(*rec, options);
    if (!write_out(args.output, text)) {
        std::fprintf(stderr, "chairwatch report: cannot write %s: %s\n",
                     args.output.empty() ? "to stdout" : args.output.c_str(), std::strerror(errno));
        return 1;
    }
    return 0;
}

}  // namespace

}  // namespace chairwatch::report

namespace chairwatch::tools {

Subcommand add_report(CLI::App& chairwatch) {
    auto* app = chairwatch.add_subcommand(
        "report",
        "render a session log as a report to file with the chart (HTML, JSON, FHIR, CSV, HL7)");
    cli::setup(*app, report::footer);
    auto a = std::make_shared<report::Args>();
    app->add_option("session_log", a->input, "the session log")
        ->type_name("SESSION.jsonl")
        ->required();
    app->add_option("-o,--output", a->output, "write here instead of stdout")->type_name("FILE");
    app->add_option("--format", a->format, "html, json, fhir, csv or hl7")
        ->type_name("FORMAT")
        ->check(CLI::IsMember({"html", "json", "fhir", "csv", "hl7"}))
        ->capture_default_str();
    app->add_option("--config", a->config,
                    "chairwatchd's config, for the profile's limits and the records section")
        ->type_name("FILE");
    return {app, [a] { return report::report(*a); }};
}

}  // namespace chairwatch::tools
