#include "daemon/sinks/hl7_exporter.hpp"

#include <spdlog/spdlog.h>
#include <boost/asio/post.hpp>
#include <filesystem>

#include "daemon/notify/receiver_health.hpp"
#include "daemon/notify/transports.hpp"
#include "drivers/notify/notification.hpp"
#include "report/hl7_report.hpp"

namespace chairwatch::daemon {

namespace asio = boost::asio;
using drivers::notify::Outcome;

namespace {

report::Hl7Options header_of(const config::RecordsConfig& r) {
    report::Hl7Options h;
    h.patient_identifier_system = r.patient_identifier_system;
    const auto& e = *r.hl7_export;
    h.endpoints = {e.sending_application, e.sending_facility, e.receiving_application,
                   e.receiving_facility};
    return h;
}

alerts::Millis wall_now() {
    return std::chrono::duration_cast<alerts::Millis>(
        std::chrono::system_clock::now().time_since_epoch());
}

}  // namespace

Hl7Exporter::Hl7Exporter(asio::io_context& io, const config::Config& cfg,
                         const drivers::SessionLog& log, const SessionLogSink& logged)
    : io_(io), cfg_(cfg), log_(log), logged_(logged) {}

void Hl7Exporter::start() {
    if (!cfg_.records.hl7_export) return;
    records_ = cfg_.records;
    retry_first_ = cfg_.notifications.retry_first;
    retry_max_ = cfg_.notifications.retry_max;
    sender_ = drivers::notify::make_hl7_sender(io_, notify::acm_options(*records_.hl7_export));
    const auto& dir = cfg_.notifications.outbox_dir;
    if (dir.empty()) return;  // in memory only, as the notifications
    try {
        std::filesystem::create_directories(dir);
        journal_ = std::make_unique<drivers::OutboxJournal>(dir + "/records-hl7.outbox");
    } catch (const std::exception& e) {
        spdlog::error(
            "records.hl7_export: outbox in {} cannot be used ({}); exports are kept in "
            "memory only",
            dir, e.what());
        journal_.reset();
        return;
    }
    for (const auto& key : journal_->keys()) {
        exports_[key].log_path = journal_->get(key);
        spdlog::info("records.hl7_export: session {} from the last run sent again", key);
        send(key);
    }
}

void Hl7Exporter::stop() {
    *alive_ = false;
    exports_.clear();  // the timers with them
    sender_.reset();   // abandons what is in flight
}

void Hl7Exporter::remember(const alerts::Session& s) {
    if (sender_) add(s, false);
}

void Hl7Exporter::on_events(std::span<const alerts::ClinicEvent> events, const Batch&) {
    if (!sender_) return;
    for (const auto& e : events)
        if (e.type == alerts::ClinicEvent::Type::session_ended && logged_.end_written(e.session))
            add(*e.session, true);
}

// State held: the journal first, then the send from the executor.
void Hl7Exporter::add(const alerts::Session& s, bool send_now) {
    const auto key = s.chair + "/" + s.id;
    const auto path = log_.path_of(s, ".jsonl");
    if (journal_) {
        try {
            journal_->put(key, {path});
        } catch (const std::exception& e) {
            spdlog::error("records.hl7_export: session {}: outbox: {}", key, e.what());
        }
    }
    if (!send_now) return;
    asio::post(io_, [this, alive = alive_, key, path] {
        if (!*alive) return;
        exports_[key].log_path = path;
        send(key);
    });
}

// Executor: builds the messages from the log and sends them.
void Hl7Exporter::send(const std::string& key) {
    auto& x = exports_.at(key);
    std::string error;
    const auto rec = report::read_session_log(x.log_path, error);
    if (!rec) return on_sent(key, {Outcome::rejected, error});
    const auto messages = report::hl7_messages(*rec, header_of(records_), wall_now());
    ++x.attempts;
    sender_->send(messages, [this, alive = alive_, key,
                             n = messages.size()](const drivers::notify::Result& r) {
        if (!*alive) return;
        if (r.outcome == Outcome::delivered)
            spdlog::info("records.hl7_export: session {}: {} ORU^R01 delivered", key, n);
        on_sent(key, r);
    });
}

void Hl7Exporter::on_sent(const std::string& key, const drivers::notify::Result& r) {
    auto it = exports_.find(key);
    if (it == exports_.end()) return;
    if (r.outcome != Outcome::failed) {
        if (r.outcome == Outcome::rejected)
            spdlog::error("records.hl7_export: session {} refused, not sent again: {}", key,
                          r.detail);
        if (journal_) journal_->remove(key);
        exports_.erase(it);
        return;
    }
    auto& x = it->second;
    const auto delay = notify::retry_delay(x.attempts, retry_first_, retry_max_);
    spdlog::warn("records.hl7_export: session {}: {} (attempt {}); again in {} ms", key, r.detail,
                 x.attempts, delay.count());
    x.retry = std::make_unique<asio::steady_timer>(io_, delay);
    x.retry->async_wait([this, alive = alive_, key](boost::system::error_code ec) {
        if (ec || !*alive || !exports_.count(key)) return;
        send(key);
    });
}

}  // namespace chairwatch::daemon
