// Sink: at a session's end, its vital signs as HL7 v2.6 ORU^R01 messages (IHE PCD-01,
// report/hl7_report.hpp) to the interface engine of records.hl7_export, over MLLP
// (drivers/notify/mllp.hpp), once the session log has its last line.
//
// Each export is kept in an outbox journal (<notifications.outbox_dir>/records-hl7.outbox: the
// session's log path under "<chair>/<session_id>") until every message is acknowledged. A send
// that fails is tried again after notifications.retry_first_s, doubling up to retry_max_s, with
// the same control ids; one refused (AR/CR) is dropped with an error in the service log. What
// the journal holds at start (the daemon stopped first) is sent again. Sends run on the
// executor; the messages are built there from the log, never with the state held.
#pragma once

#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <functional>
#include <map>
#include <memory>
#include <string>

#include "config/config.hpp"
#include "daemon/sinks/event_sink.hpp"
#include "daemon/sinks/session_log_sink.hpp"
#include "daemon/warnings.hpp"
#include "drivers/mqtt/outbox_journal.hpp"
#include "drivers/notify/mllp.hpp"

namespace chairwatch::daemon {

class Hl7Exporter final : public EventSink {
  public:
    Hl7Exporter(boost::asio::io_context& io, const config::Config& cfg,
                const drivers::SessionLog& log, const SessionLogSink& logged);
    ~Hl7Exporter() override { *alive_ = false; }  // handlers still queued do nothing

    // Opens the journal and sends what it holds; nothing when records.hl7_export is unset. The
    // records section and the retry times in force now stay until the next start.
    void start();
    // Abandons what is in flight (the journal keeps it for the next start).
    void stop();
    // A session ended without the pipeline (the daemon stopping): kept for the next start.
    void remember(const alerts::Session& s);

    void on_events(std::span<const alerts::ClinicEvent> events, const Batch& batch) override;

    std::size_t pending() const { return exports_.size(); }

  private:
    struct Export {
        std::string log_path;
        int attempts{0};
        std::unique_ptr<boost::asio::steady_timer> retry;
    };

    void add(const alerts::Session& s, bool send_now);
    void send(const std::string& key);
    void on_sent(const std::string& key, const drivers::notify::Result& r);

    boost::asio::io_context& io_;
    const config::Config& cfg_;
    config::RecordsConfig records_;  // as at start()
    alerts::Millis retry_first_{0}, retry_max_{0};
    const drivers::SessionLog& log_;
    const SessionLogSink& logged_;
    std::unique_ptr<drivers::notify::Hl7Sender> sender_;
    std::unique_ptr<drivers::OutboxJournal> journal_;
    std::map<std::string, Export> exports_;  // by "<chair>/<session_id>"; executor only
    std::shared_ptr<bool> alive_ = std::make_shared<bool>(true);
};

}  // namespace chairwatch::daemon
