#include "drivers/session_log/session_log.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>

#include "drivers/codec/alert_codec.hpp"
#include "drivers/codec/json_writer.hpp"
#include "drivers/session_log/schema.hpp"

namespace chairwatch::drivers {

using alerts::ClinicEvent;
namespace key = log_schema::key;
namespace line = log_schema::line;

namespace {

void write_header(JsonWriter& w, const alerts::Session& s) {
    w.key(key::chair).value(s.chair);
    w.key(key::session_id).value(s.id);
}

void write_session_info(JsonWriter& w, const alerts::Session& s) {
    w.key(key::implicit).value(s.implicit);
    w.key(key::profile).value(s.profile);
    w.key(key::phase).value(alerts::to_string(s.phase));
    const auto& i = s.info();
    if (!i.route.empty()) w.key(key::route).value(i.route);
    if (i.weight_kg) w.key(key::weight_kg).number(*i.weight_kg);
    if (i.dose_mg_per_kg) w.key(key::dose_mg_per_kg).number(*i.dose_mg_per_kg, 3);
    if (i.planned_duration_min) w.key(key::planned_duration_min).number(*i.planned_duration_min);
    // The pseudonym goes to the session log (for the chart), never to the service log.
    if (!i.patient_ref.empty()) w.key(key::patient_ref).value(i.patient_ref);
    if (i.age_65_plus) w.key(key::age_65_plus).value(*i.age_65_plus);
    if (i.age) w.key(key::age).number(*i.age);
    if (i.hypertension) w.key(key::hypertension).value(*i.hypertension);
    if (i.sedatives) w.key(key::sedatives).value(*i.sedatives);
    if (i.session_number) w.key(key::session_number).number(*i.session_number);
    if (i.devices) w.key(key::devices).number(*i.devices);
}

void write_baseline(JsonWriter& w, const alerts::Session& s) {
    w.key(key::baseline).begin_object();
    for (auto sig : alerts::all_signals) {
        const auto& v = s.baseline.value[alerts::index_of(sig)];
        if (v) w.key(alerts::to_string(sig)).number(*v);
    }
    w.end_object();
}

// What a restart needs beyond the published alert to take the alarm back exactly as it was
// (drivers/session_recovery reads them).
void write_alarm_state(JsonWriter& w, const alerts::AlarmTransition& t) {
    w.key(key::max_priority).value(alerts::to_string(t.max_priority));
    w.key(key::baseline).number(t.baseline, 3);
    w.key(key::high).value(t.high);
    w.key(key::inclusive).value(t.inclusive);
    w.key(key::relative).value(t.relative);
    w.key(key::rise_rule).value(t.rise_rule);
    w.key(key::feed).value(t.feed);
    w.key(key::realarm).value(t.realarm);
    if (!t.text_hint.empty()) w.key(key::hint).value(t.text_hint);
}

}  // namespace

std::string SessionLog::path_of(const alerts::Session& s, const char* suffix) const {
    return dir_ + "/" + s.chair + "/" + s.id + suffix;
}

bool SessionLog::has_log(std::string_view chair, std::string_view session_id) const {
    std::error_code ec;  // an unreadable directory: not known to be taken (opening will say why)
    std::string path = dir_;
    path.append("/").append(chair).append("/").append(session_id).append(".jsonl");
    return std::filesystem::exists(path, ec);
}

SessionLog::OpenLog::~OpenLog() {
    if (fd >= 0) ::close(fd);
}

SessionLog::OpenLog* SessionLog::open(const alerts::Session& s) {
    key_.assign(s.chair).append("/").append(s.id);
    auto it = files_.find(key_);
    if (it != files_.end()) return it->second.get();
    std::error_code ec;
    std::filesystem::create_directories(dir_ + "/" + s.chair, ec);
    if (ec) {
        last_error_ = "cannot create " + dir_ + "/" + s.chair + ": " + ec.message();
        return nullptr;
    }
    auto log = std::make_unique<OpenLog>();
    log->path = path_of(s, ".jsonl");
    log->session_id = s.id;
    if (!hold(*log)) return nullptr;
    return files_.emplace(key_, std::move(log)).first->second.get();
}

bool SessionLog::hold(OpenLog& log) {
    log.used = ++uses_;
    if (log.fd >= 0) return true;
    while (open_fds_ >= max_open_ && open_fds_ > 0)
        release_one();
    log.fd = ::open(log.path.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0640);
    if (log.fd < 0) {
        last_error_ = "cannot open " + log.path + ": " + std::strerror(errno);
        return false;
    }
    ++open_fds_;
    return true;
}

// Closes the descriptor of the log written least recently (its pending lines stay pending).
void SessionLog::release_one() {
    OpenLog* lru = nullptr;
    for (auto& [_, log] : files_)
        if (log->fd >= 0 && (!lru || log->used < lru->used)) lru = log.get();
    if (!lru) {
        open_fds_ = 0;
        return;
    }
    ::close(lru->fd);
    lru->fd = -1;
    --open_fds_;
}

// Writes out what is pending. What the kernel took is gone from `pending`; what it refused
// (a full disk) stays for the next attempt, up to max_pending.
bool SessionLog::write_out(OpenLog& log) {
    constexpr std::size_t max_pending = 1 << 20;
    if (!hold(log)) return false;
    std::size_t done = 0;
    while (done < log.pending.size()) {
        const auto n = ::write(log.fd, log.pending.data() + done, log.pending.size() - done);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) {
            last_error_ = "cannot write the log of session " + log.session_id + ": " +
                          std::strerror(n < 0 ? errno : ENOSPC);
            log.pending.erase(0, done);
            if (log.pending.size() > max_pending) {
                last_error_ += "; " + std::to_string(log.pending.size()) + " bytes dropped";
                log.pending.clear();
            }
            return false;
        }
        done += static_cast<std::size_t>(n);
    }
    log.pending.clear();
    if (log.pending.capacity() > 4096) log.pending.shrink_to_fit();
    return true;
}

bool SessionLog::append(const alerts::Session& s, const std::string& line, bool now) {
    OpenLog* log = open(s);
    if (!log) return false;
    log->pending += line;
    log->pending += '\n';
    if (now) return write_out(*log);
    if (!log->dirty) {
        log->dirty = true;
        dirty_.push_back(log);
    }
    return true;
}

bool SessionLog::flush() {
    bool ok = true;
    for (auto* log : dirty_) {
        log->dirty = false;
        if (!log->pending.empty() && !write_out(*log)) ok = false;
    }
    dirty_.clear();
    return ok;
}

void SessionLog::close(const std::string& key) {
    const auto it = files_.find(key);
    if (it == files_.end()) return;
    std::erase(dirty_, it->second.get());
    if (it->second->fd >= 0) --open_fds_;
    files_.erase(it);
}

bool SessionLog::write(const ClinicEvent& e, alerts::Instant now, std::optional<std::int64_t> seq) {
    const alerts::Session& s = *e.session;
    std::string& line = line_;
    line.clear();
    JsonWriter w(line);
    w.begin_object();
    switch (e.type) {
        case ClinicEvent::Type::session_started:
            w.key(key::type).value(line::session_start);
            w.key(key::version).value(log_schema::version);
            w.key(key::ts).time(s.started.wall);
            write_header(w, s);
            if (!s.site.empty()) w.key(key::site).value(s.site);
            write_session_info(w, s);
            break;
        case ClinicEvent::Type::phase_changed:
            w.key(key::type).value(line::phase);
            w.key(key::ts).time(now.wall);
            w.key(key::phase).value(alerts::to_string(s.phase));
            if (s.phase == alerts::Phase::dosing) write_baseline(w, s);
            if (s.phase == alerts::Phase::dosing && s.devices)
                w.key(key::devices).number(*s.devices);
            break;
        case ClinicEvent::Type::reading:
            w.key(key::type).value(line::reading);
            w.key(key::ts).time(e.reading.device_ts);
            w.key(key::rx).time(now.wall);
            w.key(key::signal).value(alerts::to_string(e.reading.signal));
            w.key(key::value).number(e.reading.value);
            break;
        case ClinicEvent::Type::alarm:
            w.key(key::type).value(line::alarm);
            write_alarm_fields(w, s.chair, s, e.alarm);
            write_alarm_state(w, e.alarm);
            if (seq) w.key(key::seq).value(*seq);
            break;
        case ClinicEvent::Type::session_ended: {
            w.key(key::type).value(line::session_end);
            w.key(key::ts).time(s.ended ? s.ended->wall : now.wall);
            write_header(w, s);
            w.key(key::reason).value(alerts::to_string(s.end_reason));
            w.key(key::discharge_ready).value(s.discharge_ready.has_value());
            if (!s.implicit && !s.discharge_ready)
                w.key(key::note).value("session ended before the discharge criteria were met");
            w.end_object();
            bool ok = append(s, line, true);
            close(s.chair + "/" + s.id);
            return ok;
        }
        case ClinicEvent::Type::observation: {
            const alerts::Observation& o = *e.observation;
            w.key(key::type).value(line::observation);
            w.key(key::ts).time(now.wall);
            write_header(w, s);
            w.key(key::kind).value(o.kind);
            if (!o.value.empty()) w.key(key::value).value(o.value);
            if (!o.text.empty()) w.key(key::text).value(o.text);
            w.key(key::by).value(o.by);
            break;
        }
        case ClinicEvent::Type::feed_pause: {
            const alerts::FeedPause& p = *e.pause;
            w.key(key::type).value(line::feed_pause);
            w.key(key::ts).time(now.wall);
            write_header(w, s);
            w.key(key::state).value(e.pause_end ? "ended" : "paused");
            w.key(key::since).time(p.since.wall);
            w.key(key::until).time(p.until.wall);
            w.key(key::reason).value(p.reason);
            w.key(key::by).value(p.by);
            if (e.pause_end) w.key(key::cause).value(alerts::to_string(*e.pause_end));
            if (!p.ended_by.empty()) w.key(key::ended_by).value(p.ended_by);
            break;
        }
        case ClinicEvent::Type::limit_changed: {
            const alerts::LimitChange& c = *e.limit_change;
            w.key(key::type).value(line::limit_change);
            w.key(key::ts).time(c.at.wall);
            write_header(w, s);
            w.key(key::condition).value(c.condition);
            w.key(key::tier).value(c.tier);
            w.key(key::from).number(c.from);
            w.key(key::to).number(c.to);
            w.key(key::reason).value(c.reason);
            w.key(key::by).value(c.by);
            break;
        }
    }
    w.end_object();
    return append(s, line, e.type != ClinicEvent::Type::reading);
}

bool SessionLog::write_receipt(const alerts::Session& s, const Receipt& r, alerts::Instant now) {
    std::string& line = line_;
    line.clear();
    JsonWriter w(line);
    w.begin_object();
    w.key(key::type).value(line::receipt);
    w.key(key::ts).time(now.wall);
    w.key(key::alert_id).value(r.alert_id);
    w.key(key::chair).value(s.chair);
    w.key(key::session_id).value(s.id);
    w.key(key::status).value(r.status);
    if (!r.person.empty()) w.key(key::person).value(r.person);
    if (!r.device.empty()) w.key(key::device).value(r.device);
    if (r.reported_at) w.key(key::reported_at).time(*r.reported_at);
    if (!r.control_id.empty()) w.key(key::control_id).value(r.control_id);
    w.end_object();
    return append(s, line, true);
}

bool SessionLog::write_service_alarm(const alerts::Session& s, const ServiceAlarmEntry& a,
                                     alerts::Instant now) {
    std::string& line = line_;
    line.clear();
    JsonWriter w(line);
    w.begin_object();
    w.key(key::type).value(line::service_alarm);
    w.key(key::ts).time(now.wall);
    w.key(key::chair).value(s.chair);
    w.key(key::session_id).value(s.id);
    w.key(key::alert_id).value(a.alert_id);
    w.key(key::condition).value(a.condition);
    w.key(key::state).value(a.state);
    w.key(key::priority).value(a.priority);
    w.key(key::text).value(a.text);
    w.end_object();
    return append(s, line, true);
}

}  // namespace chairwatch::drivers
