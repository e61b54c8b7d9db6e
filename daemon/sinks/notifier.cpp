#include "daemon/sinks/notifier.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <filesystem>

#include "daemon/notify/transports.hpp"
#include "drivers/codec/alert_codec.hpp"

namespace chairwatch::daemon {

namespace asio = boost::asio;
using alerts::Millis;
using drivers::notify::Outcome;
using std::chrono::milliseconds;

namespace {

std::string journal_key(std::uint64_t seq) {
    auto s = std::to_string(seq);
    return std::string(20 - std::min<std::size_t>(20, s.size()), '0') + s;
}

}  // namespace

Notifier::Notifier(asio::io_context& io, const config::NotifyConfig& cfg, Hooks hooks)
    : io_(io),
      cfg_(cfg),
      hooks_(std::move(hooks)),
      grouper_(cfg.group_window),
      health_(cfg.fail_after),
      timer_(io) {
    build_transports();
}

Notifier::~Notifier() {
    *alive_ = false;
}

void Notifier::build_transports() {
    transports_.clear();
    for (const auto& [name, r] : cfg_.receivers) {
        try {
            transports_[name] =
                hooks_.make_transport ? hooks_.make_transport(r) : notify::make_transport(io_, r);
        } catch (const std::exception& e) {
            spdlog::error("notifications: receiver '{}' cannot be used: {}", name, e.what());
        }
        stats_of(name);
    }
}

void Notifier::start() {
    if (!cfg_.enabled()) return;
    open_outbox();
    if (cfg_.acm_status_listener) {
        drivers::notify::ListenerOptions o;
        o.address = cfg_.acm_status_listener->address;
        o.port = static_cast<std::uint16_t>(cfg_.acm_status_listener->port);
        try {
            listener_ = drivers::notify::make_status_listener(
                io_, o, [this, alive = alive_](const drivers::notify::DispatchStatus& s) {
                    if (!*alive) return;
                    const auto state = hooks_.hold();
                    if (hooks_.on_receipt) hooks_.on_receipt(s);
                });
            spdlog::info("notifications: ACM status listener on {}:{}", o.address,
                         listener_->port());
        } catch (const std::exception& e) {
            spdlog::error("notifications: the ACM status listener cannot listen on {}:{}: {}",
                          o.address, o.port, e.what());
        }
    }
    spdlog::info("notifications: {} receiver{}, {} route{}{}; {} waiting from the last run",
                 cfg_.receivers.size(), cfg_.receivers.size() == 1 ? "" : "s", cfg_.routes.size(),
                 cfg_.routes.size() == 1 ? "" : "s", cfg_.default_route ? " and a default" : "",
                 pending_.size());
    post_pump();
}

void Notifier::open_outbox() {
    if (cfg_.outbox_dir.empty()) {
        spdlog::warn("notifications: no outbox_dir; pending notifications are kept in memory only");
        return;
    }
    try {
        std::filesystem::create_directories(cfg_.outbox_dir);
        journal_ =
            std::make_unique<drivers::OutboxJournal>(cfg_.outbox_dir + "/notifications.outbox");
    } catch (const std::exception& e) {
        spdlog::error(
            "notifications: outbox in {} cannot be used ({}); pending notifications are "
            "kept in memory only",
            cfg_.outbox_dir, e.what());
        journal_.reset();
        return;
    }
    const auto t = hooks_.now();
    std::size_t dropped = 0;
    for (const auto& key : journal_->keys()) {
        auto rec = notify::decode_record(journal_->get(key));
        if (!rec || !cfg_.receivers.count(rec->receiver)) {
            ++dropped;
            journal_->remove(key);
            continue;
        }
        next_seq_ = std::max(next_seq_, rec->seq + 1);
        Pending p{std::move(*rec), 0, t.mono, false};
        if (journal_key(p.record.seq) != key) {  // keep keys and seqs one to one
            journal_->remove(key);
            persist(p);
        }
        ++stats_of(p.record.receiver).pending;
        pending_.emplace(p.record.seq, std::move(p));
    }
    if (dropped)
        spdlog::warn(
            "notifications: {} record{} in the outbox unreadable or for a receiver no "
            "longer configured; dropped",
            dropped, dropped == 1 ? "" : "s");
}

void Notifier::stop() {
    stopped_ = true;
    timer_.cancel();
    listener_.reset();
    // What waits in a group goes to the outbox: the next start sends it.
    if (cfg_.enabled()) enqueue(grouper_.take_all(), hooks_.now());
    transports_.clear();
}

void Notifier::reload(const config::NotifyConfig& cfg) {
    const auto outbox = cfg_.outbox_dir;
    const auto listener = cfg_.acm_status_listener;
    cfg_ = cfg;
    cfg_.outbox_dir = outbox;  // at the next start
    cfg_.acm_status_listener = listener;
    grouper_.set_window(cfg_.group_window);
    health_.set_fail_after(cfg_.fail_after);
    build_transports();  // what was in flight is sent again
    std::size_t dropped = 0;
    for (auto it = pending_.begin(); it != pending_.end();) {
        it->second.in_flight = false;
        if (cfg_.receivers.count(it->second.record.receiver)) {
            ++it;
            continue;
        }
        ++dropped;
        if (journal_) journal_->remove(journal_key(it->first));
        it = pending_.erase(it);
    }
    if (dropped)
        spdlog::warn("notifications: reload removed receivers; {} pending notification{} dropped",
                     dropped, dropped == 1 ? "" : "s");
    for (auto& [name, s] : stats_)
        s.pending = 0;
    for (const auto& [seq, p] : pending_)
        ++stats_of(p.record.receiver).pending;
    if (!journal_ && cfg_.enabled() && !stopped_) open_outbox();
    post_pump();
}

void Notifier::on_events(std::span<const alerts::ClinicEvent> events, const Batch& batch) {
    if (!cfg_.enabled() || stopped_) return;
    for (const auto& e : events) {
        if (e.type != alerts::ClinicEvent::Type::alarm) continue;
        const auto& s = *e.session;
        const auto targets = router_.route(s.chair, e.alarm);
        if (targets.empty()) continue;
        notify::Item item{s.chair,
                          s.id,
                          s.info().patient_ref,
                          e.alarm,
                          s.alert_id(e.alarm.alarm_no),
                          drivers::alert_text(s.chair, e.alarm),
                          s.site};
        for (const auto& target : targets) {
            const auto it = cfg_.receivers.find(target.receiver);
            const bool grouped =
                it != cfg_.receivers.end() && it->second.type == config::Receiver::Type::webhook;
            grouper_.add(target.receiver, target.fallback, item, batch.at.mono, grouped);
        }
    }
}

void Notifier::on_service_alarm(const ServiceAlert& a, alerts::Instant t) {
    if (!cfg_.enabled() || stopped_) return;
    const auto state = alerts::parse_alarm_state(a.state);
    if (!state) return;
    alerts::AlarmTransition tr;
    tr.alarm_no = a.alarm_no;
    tr.kind = alerts::AlarmKind::technical;
    tr.state = *state;
    tr.priority = a.priority;
    tr.max_priority = a.priority;
    tr.active = *state != alerts::AlarmState::cleared;
    tr.condition = a.condition;
    tr.onset = {t.mono - (a.wall - a.onset), a.onset};
    tr.at = {t.mono, a.wall};
    const std::string chair(drivers::notify::daemon_chair);
    const auto targets = router_.route(chair, tr);
    if (targets.empty()) return;
    const notify::Item item{chair, a.run, "", tr, a.alert_id, a.text, hooks_.site};
    // Each a group of its own, due now: the daemon's alarm waits for no window.
    for (const auto& target : targets)
        grouper_.add(target.receiver, target.fallback, item, t.mono, false);
    enqueue(grouper_.take_due(t.mono, false), t);
    schedule(t);
}

void Notifier::on_done(const Batch& batch) {
    if (!cfg_.enabled() || stopped_ || grouper_.waiting() == 0) return;
    enqueue(grouper_.take_due(batch.at.mono, true), batch.at);
    schedule(batch.at);
}

void Notifier::enqueue(std::vector<notify::Group> groups, alerts::Instant t) {
    for (auto& g : groups) {
        notify::OutboxRecord r;
        r.receiver = std::move(g.receiver);
        r.fallback = std::move(g.fallback);
        r.queued = t.wall;
        auto& n = r.notification;
        n.key = notify::notification_key(g.alert_ids.front(), g.transitions.front(),
                                         g.transitions.size());
        n.chair = std::move(g.chair);
        n.session_id = std::move(g.session_id);
        n.site = std::move(g.site);
        n.patient_ref = std::move(g.patient_ref);
        n.transitions = std::move(g.transitions);
        n.texts = std::move(g.texts);
        add_pending(std::move(r), t);
    }
    if (!groups.empty()) post_pump();
}

void Notifier::add_pending(notify::OutboxRecord record, alerts::Instant t) {
    record.seq = next_seq_++;
    // A receiver failed already: its fallback gets it at once, beside it.
    if (health_.failed(record.receiver) && !record.fallback.empty() &&
        record.fallback != record.receiver) {
        record.fell_back = true;
        fall_back(record, t);
    }
    Pending p{std::move(record), 0, t.mono, false};
    persist(p);
    ++stats_of(p.record.receiver).pending;
    pending_.emplace(p.record.seq, std::move(p));
}

void Notifier::fall_back(const notify::OutboxRecord& record, alerts::Instant t) {
    notify::OutboxRecord copy = record;
    copy.receiver = record.fallback;
    copy.fallback.clear();  // a fallback has no fallback of its own
    copy.fell_back = false;
    spdlog::warn("notifications: {} goes to fallback receiver '{}' ('{}' is failing)",
                 record.notification.key, record.fallback, record.receiver);
    add_pending(std::move(copy), t);
}

void Notifier::persist(const Pending& p) {
    if (!journal_) return;
    try {
        const auto text = notify::encode_record(p.record);
        journal_->put(journal_key(p.record.seq), {text});
    } catch (const std::exception& e) {
        spdlog::error("notifications: outbox write failed ({}); {} is kept in memory only",
                      e.what(), p.record.notification.key);
    }
}

void Notifier::forget(std::uint64_t seq) {
    const auto it = pending_.find(seq);
    if (it == pending_.end()) return;
    auto& s = stats_of(it->second.record.receiver);
    if (s.pending) --s.pending;
    if (journal_) {
        try {
            journal_->remove(journal_key(seq));
        } catch (const std::exception& e) {
            spdlog::error("notifications: outbox write failed ({})", e.what());
        }
    }
    pending_.erase(it);
}

void Notifier::post_pump() {
    if (pump_posted_ || stopped_) return;
    pump_posted_ = true;
    asio::post(io_, [this, alive = alive_] {
        if (!*alive) return;
        const auto state = hooks_.hold();
        pump_posted_ = false;
        if (!stopped_) pump(hooks_.now());
    });
}

// Each receiver's oldest pending notification, when it is due and none is on its way.
void Notifier::pump(alerts::Instant t) {
    std::map<std::string, bool> busy;
    for (auto& [seq, p] : pending_) {
        const auto& receiver = p.record.receiver;
        if (busy[receiver]) continue;
        busy[receiver] = true;  // later ones wait their turn: a retraction never overtakes
        if (p.in_flight || p.next_try > t.mono) continue;
        const auto it = transports_.find(receiver);
        if (it == transports_.end()) {  // unusable (reported at load): a failing receiver
            health_.on_result(receiver, false, t.mono);
            continue;
        }
        p.in_flight = true;
        if (p.attempts > 0) ++stats_of(receiver).retried;
        ++p.attempts;
        it->second->send(p.record.notification,
                         [this, alive = alive_, seq = seq](drivers::notify::Result r) {
                             if (!*alive) return;
                             const auto state = hooks_.hold();
                             if (!stopped_) on_sent(seq, r);
                         });
    }
    schedule(t);
}

void Notifier::on_sent(std::uint64_t seq, const drivers::notify::Result& r) {
    const auto t = hooks_.now();
    const auto it = pending_.find(seq);
    if (it == pending_.end()) return;
    auto& p = it->second;
    p.in_flight = false;
    const auto receiver = p.record.receiver;
    auto& s = stats_of(receiver);
    const auto& key = p.record.notification.key;
    switch (r.outcome) {
        case Outcome::delivered:
            ++s.sent;
            s.last_latency_s = static_cast<double>((t.wall - p.record.queued).count()) / 1000.0;
            spdlog::debug("notifications: {} delivered to '{}' ({})", key, receiver, r.detail);
            forget(seq);
            break;
        case Outcome::rejected:
            ++s.rejected;
            spdlog::error("notifications: '{}' rejected {} for good: {}", receiver, key, r.detail);
            if (!p.record.fell_back && !p.record.fallback.empty()) fall_back(p.record, t);
            forget(seq);
            break;
        case Outcome::failed:
            ++s.failed;
            p.next_try = t.mono + notify::retry_delay(p.attempts, cfg_.retry_first, cfg_.retry_max);
            spdlog::warn("notifications: sending {} to '{}' failed ({}); retry in {} ms", key,
                         receiver, r.detail, (p.next_try - t.mono).count());
            break;
    }
    if (health_.on_result(receiver, r.outcome == Outcome::delivered, t.mono))
        spdlog::warn("notifications: receiver '{}' takes notifications again", receiver);
    check_health(t);
    pump(t);
}

void Notifier::check_health(alerts::Instant t) {
    for (const auto& name : health_.newly_failed(t.mono)) {
        spdlog::error("notifications: receiver '{}' has failed for {} s", name,
                      cfg_.fail_after.count() / 1000);
        // What it holds goes to the route's fallback.
        std::vector<notify::OutboxRecord> to_fall_back;
        for (auto& [seq, p] : pending_)
            if (p.record.receiver == name && !p.record.fell_back && !p.record.fallback.empty() &&
                p.record.fallback != name) {
                p.record.fell_back = true;
                persist(p);
                to_fall_back.push_back(p.record);
            }
        for (const auto& r : to_fall_back)
            fall_back(r, t);
    }
    auto failed = health_.failed_receivers();
    for (auto& [name, s] : stats_)
        s.failing = health_.failed(name);
    if (failed != reported_failed_) {
        reported_failed_ = failed;
        if (hooks_.on_failed) hooks_.on_failed(failed);
    }
}

void Notifier::schedule(alerts::Instant t) {
    std::optional<Millis> due = grouper_.next_due();
    const auto earlier = [&](Millis m) {
        if (!due || m < *due) due = m;
    };
    if (auto h = health_.next_due()) earlier(*h);
    std::map<std::string, bool> busy;
    for (const auto& [seq, p] : pending_) {
        if (busy[p.record.receiver]) continue;
        busy[p.record.receiver] = true;
        if (!p.in_flight) earlier(p.next_try);
    }
    if (!due || stopped_) return;
    if (timer_at_ && *timer_at_ <= *due && *timer_at_ >= t.mono) return;  // armed earlier
    timer_at_ = *due;
    timer_.expires_after(std::max(Millis(0), *due - t.mono));
    timer_.async_wait([this, alive = alive_](boost::system::error_code ec) {
        if (ec || !*alive) return;
        const auto state = hooks_.hold();
        timer_at_.reset();
        if (stopped_) return;
        on_tick(hooks_.now());
    });
}

void Notifier::on_tick(alerts::Instant t) {
    if (stopped_ || !cfg_.enabled()) return;
    enqueue(grouper_.take_due(t.mono, false), t);
    check_health(t);
    pump(t);
}

ReceiverStats& Notifier::stats_of(const std::string& receiver) {
    auto& s = stats_[receiver];
    if (s.name.empty()) s.name = receiver;
    return s;
}

std::vector<ReceiverStats> Notifier::stats() const {
    std::vector<ReceiverStats> out;
    for (const auto& [name, s] : stats_)
        out.push_back(s);
    return out;
}

}  // namespace chairwatch::daemon
