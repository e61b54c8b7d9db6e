#include "daemon/sinks/report_writer.hpp"

#include <filesystem>
#include <fstream>

#include "report/report.hpp"

namespace chairwatch::daemon {

void ReportWriter::on_events(std::span<const alerts::ClinicEvent> events, const Batch& batch) {
    for (const auto& e : events)
        if (e.type == alerts::ClinicEvent::Type::session_ended && logged_.end_written(e.session))
            write(*e.session, batch.at);
}

// Runs once per session, after its last line.
void ReportWriter::write(const alerts::Session& s, alerts::Instant t) {
    std::string error;
    const auto rec = report::read_session_log(log_.path_of(s, ".jsonl"), error);
    if (!rec) {
        ++counters_.log_errors;
        warnings_.warn("report", t, "session " + s.id + ": no record: " + error);
        return;
    }
    report::ReportOptions opt;
    auto it = cfg_.profiles.find(s.profile);
    opt.profile = it != cfg_.profiles.end() ? it->second : cfg_.profile();
    opt.limits_source = cfg_.source;
    opt.generated_at = t.wall;
    opt.utc_offset = report::local_utc_offset(rec->start);
    opt.patient_identifier_system = cfg_.records.patient_identifier_system;
    save(s, ".summary.json", report::render_json(*rec, opt), t);
    if (cfg_.sessions.html_report) save(s, ".html", report::render_html(*rec, opt), t);
}

void ReportWriter::save(const alerts::Session& s, const char* suffix, const std::string& text,
                        alerts::Instant t) {
    const auto path = log_.path_of(s, suffix);
    const auto tmp = path + ".tmp";
    {
        std::ofstream out(tmp);
        out << text;
        if (!out.flush()) {
            ++counters_.log_errors;
            warnings_.warn("report", t, "session " + s.id + ": cannot write " + tmp);
            return;
        }
    }
    std::error_code ec;
    std::filesystem::rename(tmp, path, ec);
    if (ec) {
        ++counters_.log_errors;
        warnings_.warn("report", t,
                       "session " + s.id + ": cannot rename " + tmp + ": " + ec.message());
    }
}

}  // namespace chairwatch::daemon
