// The session log's schema, its writer and its reader agree: every line type written by
// SessionLog reads back through LogReader field by field, every field written is named in
// schema.hpp (and every field named there is written), older logs still read, and a bad line
// says what is wrong with it.
#include <doctest/doctest.h>

#include <unistd.h>
#include <boost/json.hpp>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <sstream>

#include "alerts/clinic.hpp"
#include "drivers/recording/recording.hpp"
#include "drivers/session_log/log_reader.hpp"
#include "drivers/session_log/schema.hpp"
#include "drivers/session_log/session_log.hpp"
#include "profile_builder.hpp"

using namespace chairwatch;
using namespace chairwatch::test;
using alerts::AlarmState;
using alerts::ClinicEvent;
using alerts::Signal;
using drivers::LogAlarm;
using drivers::LogEnd;
using drivers::LogLine;
using drivers::LogPhase;
using drivers::LogReading;
using drivers::LogReceipt;
using drivers::LogServiceAlarm;
using drivers::LogStart;
namespace fs = std::filesystem;
namespace schema = drivers::log_schema;

namespace {

constexpr Millis device_lag = 60s;  // the monitor's clock runs a minute behind

struct TempDir {
    fs::path path = fs::temp_directory_path() / ("cw-schema-" + std::to_string(::getpid()));
    TempDir() { fs::remove_all(path); }
    ~TempDir() { fs::remove_all(path); }
};

std::vector<LogLine> read_back(const fs::path& p) {
    std::ifstream in(p);
    drivers::LogReader reader(in);
    std::vector<LogLine> lines;
    for (LogLine l; reader.next(l);)
        lines.push_back(l);
    return lines;
}

std::vector<boost::json::object> raw_lines(const fs::path& p) {
    std::ifstream in(p);
    std::vector<boost::json::object> lines;
    for (std::string line; std::getline(in, line);)
        lines.push_back(boost::json::parse(line).as_object());
    return lines;
}

template <class T>
const T& entry(const LogLine& l) {
    CAPTURE(l.number);
    CAPTURE(l.problem);
    REQUIRE(l.problem.empty());
    REQUIRE(l.entry);
    REQUIRE(std::holds_alternative<T>(*l.entry));
    return std::get<T>(*l.entry);
}

// A session with every start field, as the Clinic would hold it.
alerts::Session started_session() {
    alerts::Session s;
    s.chair = "chair-03";
    s.id = "IV-0412";
    auto info = std::make_shared<alerts::SessionInfo>();
    info->session_id = s.id;
    info->profile = "iv-ketamine";
    info->route = "iv";
    info->weight_kg = 72.5;
    info->dose_mg_per_kg = 0.525;
    info->planned_duration_min = 40;
    info->patient_ref = "P-7f3a";
    info->age_65_plus = true;
    info->age = 71;
    info->hypertension = false;
    info->session_number = 2;
    info->devices = 2;
    info->sedatives = true;
    s.start_info = info;
    s.profile = "iv-ketamine";
    s.implicit = false;
    s.phase = alerts::Phase::baseline;
    s.started = at(0s);
    return s;
}

alerts::AlarmTransition transition(AlarmState state, Millis t) {
    alerts::AlarmTransition a;
    a.alarm_no = 3;
    a.kind = alerts::AlarmKind::physiological;
    a.state = state;
    a.priority = alerts::Priority::medium;
    a.max_priority = alerts::Priority::high;
    a.signal = Signal::sbp;
    a.high = true;
    a.inclusive = false;
    a.relative = true;
    a.rise_rule = true;
    a.condition = "bp_rise";
    a.value = 171.5;
    a.limit = 168;
    a.baseline = 128.125;
    a.peak = 176.5;
    a.onset = at(900s);
    a.at = at(t);
    return a;
}

// Every lifecycle field of an alarm line against the transition it was written from.
void check_alarm(const LogAlarm& l, const alerts::AlarmTransition& a, const alerts::Session& s,
                 std::optional<std::int64_t> seq) {
    CHECK(l.alert_id == s.alert_id(a.alarm_no));
    CHECK(l.alarm_no == a.alarm_no);
    CHECK(l.chair == s.chair);
    CHECK(l.session_id == s.id);
    CHECK(l.condition == a.condition);
    CHECK(l.kind == a.kind);
    CHECK(l.priority == a.priority);
    CHECK(l.state == a.state);
    CHECK(l.signal == a.signal);
    CHECK(l.value == a.value);
    CHECK(l.limit == a.limit);
    CHECK(l.unit == (a.feed ? "s" : alerts::unit_of(a.signal)));
    CHECK(l.peak == a.peak);
    CHECK(l.onset == a.onset.wall);
    CHECK(l.ts == a.at.wall);
    if (a.state == AlarmState::cleared)
        CHECK(l.cause == a.cause);
    else
        CHECK_FALSE(l.cause);
    CHECK(l.active == a.active);
    CHECK(l.latched == a.latched);
    CHECK(l.acknowledged == a.acknowledged);
    CHECK(l.acknowledged_by == a.acknowledged_by);
    if (a.acknowledged)
        CHECK(l.acknowledged_at == a.acknowledged_at.wall);
    else
        CHECK_FALSE(l.acknowledged_at);
    CHECK(l.action_taken == (a.ack_action ? a.ack_action->taken : ""));
    CHECK(l.action_note == (a.ack_action ? a.ack_action->note : ""));
    CHECK(l.escalation_level == a.escalation_level);
    CHECK(l.phase == s.phase);
    CHECK_FALSE(l.text.empty());
    CHECK(l.seq == seq);
    CHECK(l.max_priority == a.max_priority);
    CHECK(l.baseline == a.baseline);
    CHECK(l.high == a.high);
    CHECK(l.inclusive == a.inclusive);
    CHECK(l.relative == a.relative);
    CHECK(l.rise_rule == a.rise_rule);
    CHECK(l.feed == a.feed);
    CHECK(l.realarm == a.realarm);
    CHECK(l.hint == a.text_hint);
}

const schema::LineType* line_type(std::string_view name) {
    for (const auto& t : schema::line_types)
        if (t.name == name) return &t;
    return nullptr;
}

}  // namespace

TEST_CASE("every line type written by SessionLog reads back field by field") {
    TempDir dir;
    drivers::SessionLog log(dir.path.string());
    alerts::Session s = started_session();
    s.site = "north";  // the site's alert ids are read back like the others
    ClinicEvent e;
    e.session = &s;

    e.type = ClinicEvent::Type::session_started;
    REQUIRE(log.write(e, at(0s)));
    // One reading of every signal, the monitor's time a minute behind the receive time.
    const double values[alerts::signal_count] = {72, 131.5, 84, 99.7, 97, 14, 38};
    e.type = ClinicEvent::Type::reading;
    for (auto sig : alerts::all_signals) {
        const Millis rx = 10s * (1 + static_cast<int>(alerts::index_of(sig)));
        e.reading = {sig, values[alerts::index_of(sig)], at(rx).wall - device_lag};
        REQUIRE(log.write(e, at(rx)));
    }
    REQUIRE(log.flush());
    // Dosing, with the baseline formed; observation, without one.
    s.phase = alerts::Phase::dosing;
    s.baseline.value = {72.5, 128, 79, 95.3, 97};
    s.devices = 3;  // the dose start said more than the start planned
    e.type = ClinicEvent::Type::phase_changed;
    REQUIRE(log.write(e, at(600s)));
    // Every lifecycle field: raised with a sequence number, acknowledged, escalated again as a
    // realarm, cleared latched; a feed alarm and a notice with its own text.
    std::vector<std::pair<alerts::AlarmTransition, std::optional<std::int64_t>>> alarms;
    alarms.push_back({transition(AlarmState::raised, 900s), 41});
    auto acked = transition(AlarmState::acknowledged, 960s);
    acked.acknowledged = true;
    acked.acknowledged_by = "nurse-ana";
    acked.acknowledged_at = at(960s);
    acked.ack_action = std::make_shared<const alerts::AckAction>(
        alerts::AckAction{"infusion slowed", "rate halved"});
    alarms.push_back({acked, std::nullopt});
    auto escalated = transition(AlarmState::escalated, 1200s);
    escalated.escalation_level = 2;
    escalated.realarm = true;
    escalated.priority = alerts::Priority::high;
    alarms.push_back({escalated, 42});
    auto cleared = transition(AlarmState::cleared, 1500s);
    cleared.active = false;
    cleared.latched = true;
    cleared.cause = alerts::ClearCause::back_in_range;
    alarms.push_back({cleared, std::nullopt});
    auto feed = transition(AlarmState::raised, 1600s);
    feed.alarm_no = 4;
    feed.kind = alerts::AlarmKind::technical;
    feed.condition = "hr_feed_lost";
    feed.signal = Signal::hr;
    feed.feed = true;
    feed.relative = feed.rise_rule = false;
    feed.value = 31;
    feed.limit = 30;
    alarms.push_back({feed, std::nullopt});
    auto notice = transition(AlarmState::raised, 1700s);
    notice.alarm_no = 5;
    notice.kind = alerts::AlarmKind::advisory;
    notice.condition = "no_baseline";
    notice.text_hint = "too few baseline cuff readings";
    alarms.push_back({notice, std::nullopt});
    e.type = ClinicEvent::Type::alarm;
    for (const auto& [a, seq] : alarms) {
        e.alarm = a;
        REQUIRE(log.write(e, a.at, seq));
    }
    // A pager's receipt for the first alarm, with every field, and one with only the needed.
    const drivers::Receipt receipt{"chair-03:IV-0412:a1", "accepted", "Rivera^Ana", "pager-12",
                                   at(1000s).wall - 2s,   "ST1"};
    REQUIRE(log.write_receipt(s, receipt, at(1000s)));
    REQUIRE(log.write_receipt(s, {"chair-03:IV-0412:a1", "read", "", "", {}, ""}, at(1001s)));
    // The daemon's own technical alarm, raised and cleared while the session was open.
    const drivers::ServiceAlarmEntry raised{"chairwatchd:run-20260302T085000Z:a1",
                                            "notification_failed", "raised", "medium",
                                            "chairwatchd cannot notify receiver 'ward-pager'"};
    REQUIRE(log.write_service_alarm(s, raised, at(1100s)));
    REQUIRE(log.write_service_alarm(s,
                                    {raised.alert_id, raised.condition, "cleared", "medium",
                                     "every notification receiver takes notifications again"},
                                    at(1160s)));
    // A nurse's observations: one with every field, one with only the needed.
    const alerts::Observation sedation{"sedation", "present", "drowsy, rousable", "rn-4"};
    e.type = ClinicEvent::Type::observation;
    e.observation = &sedation;
    REQUIRE(log.write(e, at(1200s)));
    const alerts::Observation bare{"adverse_event", "", "", "rn-4"};
    e.observation = &bare;
    REQUIRE(log.write(e, at(1210s)));
    // A feed pause, and its end by a nurse's resume.
    alerts::FeedPause pause{at(1300s), at(1900s), "cuff off", "rn-4", ""};
    e.type = ClinicEvent::Type::feed_pause;
    e.pause = &pause;
    REQUIRE(log.write(e, at(1300s)));
    pause.ended_by = "rn-5";
    e.pause_end = alerts::PauseEnd::resumed;
    REQUIRE(log.write(e, at(1400s)));
    e.pause_end.reset();
    // A nurse's change of a limit.
    const alerts::LimitChange change{"sbp_high",        3,      180,      190.5,
                                     "baseline 176/94", "rn-4", at(1500s)};
    e.type = ClinicEvent::Type::limit_changed;
    e.limit_change = &change;
    REQUIRE(log.write(e, at(1500s)));
    s.phase = alerts::Phase::observation;
    e.type = ClinicEvent::Type::phase_changed;
    REQUIRE(log.write(e, at(3000s)));
    s.ended = at(6600s);
    s.end_reason = alerts::EndReason::explicit_end;
    s.discharge_ready = at(6500s);
    e.type = ClinicEvent::Type::session_ended;
    REQUIRE(log.write(e, at(6600s)));

    const auto path = dir.path / "chair-03" / "IV-0412.jsonl";
    const auto lines = read_back(path);
    REQUIRE(lines.size() ==
            1 + alerts::signal_count + 1 + alarms.size() + 2 + 2 + 2 + 2 + 1 + 1 + 1);
    std::size_t n = 0;

    const auto& start = entry<LogStart>(lines[n++]);
    CHECK(start.version == schema::version);
    CHECK(start.ts == at(0s).wall);
    CHECK(start.chair == "chair-03");
    CHECK(start.session_id == "IV-0412");
    CHECK(start.site == "north");
    CHECK_FALSE(start.implicit);
    CHECK(start.profile == "iv-ketamine");
    CHECK(start.phase == alerts::Phase::baseline);
    CHECK(start.route == "iv");
    CHECK(start.weight_kg == 72.5);
    CHECK(start.dose_mg_per_kg == 0.525);
    CHECK(start.planned_duration_min == 40);
    CHECK(start.patient_ref == "P-7f3a");
    CHECK(start.age_65_plus == true);
    CHECK(start.age == 71);
    CHECK(start.hypertension == false);
    CHECK(start.session_number == 2);
    CHECK(start.devices == 2);
    CHECK(start.sedatives == true);

    for (auto sig : alerts::all_signals) {
        const auto& r = entry<LogReading>(lines[n++]);
        const Millis rx = 10s * (1 + static_cast<int>(alerts::index_of(sig)));
        CHECK(r.signal == sig);
        CHECK(r.value == values[alerts::index_of(sig)]);
        CHECK(r.ts == at(rx).wall - device_lag);
        CHECK(r.rx == at(rx).wall);
    }

    const auto& dosing = entry<LogPhase>(lines[n++]);
    CHECK(dosing.phase == alerts::Phase::dosing);
    CHECK(dosing.ts == at(600s).wall);
    REQUIRE(dosing.baseline);
    CHECK(*dosing.baseline == s.baseline.value);
    CHECK(dosing.devices == 3);

    s.phase = alerts::Phase::dosing;  // as it was when the alarms were written
    for (const auto& [a, seq] : alarms) {
        CAPTURE(a.alarm_no);
        CAPTURE(alerts::to_string(a.state));
        check_alarm(entry<LogAlarm>(lines[n++]), a, s, seq);
    }

    const auto& r1 = entry<LogReceipt>(lines[n++]);
    CHECK(r1.ts == at(1000s).wall);
    CHECK(r1.alert_id == "chair-03:IV-0412:a1");
    CHECK(r1.chair == "chair-03");
    CHECK(r1.session_id == "IV-0412");
    CHECK(r1.status == "accepted");
    CHECK(r1.person == "Rivera^Ana");
    CHECK(r1.device == "pager-12");
    CHECK(r1.reported_at == at(1000s).wall - 2s);
    CHECK(r1.control_id == "ST1");
    const auto& r2 = entry<LogReceipt>(lines[n++]);
    CHECK(r2.status == "read");
    CHECK(r2.person.empty());
    CHECK_FALSE(r2.reported_at);

    const auto& sa1 = entry<LogServiceAlarm>(lines[n++]);
    CHECK(sa1.ts == at(1100s).wall);
    CHECK(sa1.chair == "chair-03");
    CHECK(sa1.session_id == "IV-0412");
    CHECK(sa1.alert_id == "chairwatchd:run-20260302T085000Z:a1");
    CHECK(sa1.condition == "notification_failed");
    CHECK(sa1.state == "raised");
    CHECK(sa1.priority == "medium");
    CHECK(sa1.text == "chairwatchd cannot notify receiver 'ward-pager'");
    const auto& sa2 = entry<LogServiceAlarm>(lines[n++]);
    CHECK(sa2.ts == at(1160s).wall);
    CHECK(sa2.alert_id == sa1.alert_id);
    CHECK(sa2.state == "cleared");
    CHECK(sa2.text == "every notification receiver takes notifications again");

    const auto& o1 = entry<drivers::LogObservation>(lines[n++]);
    CHECK(o1.ts == at(1200s).wall);
    CHECK(o1.chair == "chair-03");
    CHECK(o1.session_id == "IV-0412");
    CHECK(o1.kind == "sedation");
    CHECK(o1.value == "present");
    CHECK(o1.text == "drowsy, rousable");
    CHECK(o1.by == "rn-4");
    const auto& o2 = entry<drivers::LogObservation>(lines[n++]);
    CHECK(o2.kind == "adverse_event");
    CHECK(o2.value.empty());
    CHECK(o2.text.empty());

    const auto& p1 = entry<drivers::LogFeedPause>(lines[n++]);
    CHECK(p1.ts == at(1300s).wall);
    CHECK(p1.chair == "chair-03");
    CHECK(p1.session_id == "IV-0412");
    CHECK_FALSE(p1.ended);
    CHECK(p1.since == at(1300s).wall);
    CHECK(p1.until == at(1900s).wall);
    CHECK(p1.reason == "cuff off");
    CHECK(p1.by == "rn-4");
    CHECK_FALSE(p1.cause);
    const auto& p2 = entry<drivers::LogFeedPause>(lines[n++]);
    CHECK(p2.ts == at(1400s).wall);
    CHECK(p2.ended);
    CHECK(p2.since == p1.since);
    CHECK(p2.cause == alerts::PauseEnd::resumed);
    CHECK(p2.ended_by == "rn-5");

    const auto& lc = entry<drivers::LogLimitChange>(lines[n++]);
    CHECK(lc.ts == at(1500s).wall);
    CHECK(lc.chair == "chair-03");
    CHECK(lc.session_id == "IV-0412");
    CHECK(lc.condition == "sbp_high");
    CHECK(lc.tier == 3);
    CHECK(lc.from == 180);
    CHECK(lc.to == 190.5);
    CHECK(lc.reason == "baseline 176/94");
    CHECK(lc.by == "rn-4");

    const auto& observation = entry<LogPhase>(lines[n++]);
    CHECK(observation.phase == alerts::Phase::observation);
    CHECK(observation.ts == at(3000s).wall);
    CHECK_FALSE(observation.baseline);
    CHECK_FALSE(observation.devices);

    const auto& end = entry<LogEnd>(lines[n++]);
    CHECK(end.ts == at(6600s).wall);
    CHECK(end.chair == "chair-03");
    CHECK(end.session_id == "IV-0412");
    CHECK(end.reason == alerts::EndReason::explicit_end);
    CHECK(end.discharge_ready);
    CHECK(end.note.empty());

    // The schema names every field the writer put on a line, and the writer put every field
    // the schema names (the log above has each of them at least once).
    std::map<std::string, std::set<std::string>> seen;
    for (const auto& o : raw_lines(path)) {
        const auto type = std::string(o.at("type").as_string());
        const auto* t = line_type(type);
        REQUIRE_MESSAGE(t, "type '" << type << "' is not in the schema");
        for (const auto& [k, _] : o) {
            if (k == schema::key::type) continue;
            const bool named = std::any_of(t->fields.begin(), t->fields.end(),
                                           [&](const auto& f) { return f.name == k; });
            CHECK_MESSAGE(named, type << " field '" << std::string(k) << "' is not in the schema");
            seen[type].insert(std::string(k));
        }
    }
    for (const auto& t : schema::line_types)
        for (const auto& f : t.fields) {
            // A note is written only when a started session ends before discharge_ready.
            if (t.name == schema::line::session_end && f.name == schema::key::note) continue;
            CHECK_MESSAGE(seen[std::string(t.name)].count(std::string(f.name)),
                          t.name << " field '" << f.name << "' was never written");
        }
}

TEST_CASE("a session ended before discharge: the note, the fields it had, none it had not") {
    TempDir dir;
    drivers::SessionLog log(dir.path.string());
    alerts::Session s;
    s.chair = "chair-05";
    s.id = "S-9";
    s.profile = "im-ketamine";
    s.implicit = false;
    s.phase = alerts::Phase::baseline;
    s.started = at(0s);
    ClinicEvent e{ClinicEvent::Type::session_started, &s, {}, {}};
    REQUIRE(log.write(e, at(0s)));
    s.ended = at(300s);
    s.end_reason = alerts::EndReason::superseded;
    e.type = ClinicEvent::Type::session_ended;
    REQUIRE(log.write(e, at(300s)));

    const auto lines = read_back(dir.path / "chair-05" / "S-9.jsonl");
    REQUIRE(lines.size() == 2);
    const auto& start = entry<LogStart>(lines[0]);
    CHECK(start.route.empty());
    CHECK_FALSE(start.weight_kg);
    CHECK_FALSE(start.dose_mg_per_kg);
    CHECK_FALSE(start.planned_duration_min);
    CHECK(start.patient_ref.empty());
    const auto& end = entry<LogEnd>(lines[1]);
    CHECK(end.reason == alerts::EndReason::superseded);
    CHECK_FALSE(end.discharge_ready);
    CHECK(end.note == "session ended before the discharge criteria were met");
}

TEST_CASE("older logs: no version is version 0, and the old alert id form names the alarm") {
    const auto start = drivers::parse_log_line(
        R"({"type":"session_start","ts":"2026-03-02T09:00:00.000Z","chair":"c","session_id":"s"})",
        1);
    CHECK(start.problem.empty());
    CHECK(entry<LogStart>(start).version == 0);
    CHECK_FALSE(entry<LogStart>(start).implicit);

    const auto alarm = drivers::parse_log_line(
        R"({"type":"alarm","alert_id":"chair-04-20260302T090100Z-a12","condition":"sbp_high",)"
        R"("kind":"physiological","priority":"high","state":"cleared","ts":"2026-03-02T09:40:00.000Z","value":150})",
        2);
    const auto& a = entry<LogAlarm>(alarm);
    CHECK(a.alarm_no == 12);
    // What such a line lacks takes the reader's defaults.
    CHECK_FALSE(a.active);  // cleared
    CHECK(a.peak == 150);   // its value
    CHECK(a.onset == a.ts);
    CHECK(a.max_priority == alerts::Priority::high);
    CHECK_FALSE(a.feed);
    CHECK(drivers::alarm_no_of("chair-04:S-1:a7") == 7);
    CHECK(drivers::alarm_no_of("S-1") == 0);
    CHECK(drivers::alarm_no_of("S-1-ax") == 0);
}

TEST_CASE("a log of a newer version is read, and says so") {
    const auto l = drivers::parse_log_line(
        R"({"type":"session_start","v":7,"ts":"2026-03-02T09:00:00.000Z","chair":"c","session_id":"s","future":1})",
        1);
    REQUIRE(l.entry);
    CHECK(std::get<LogStart>(*l.entry).version == 7);
    CHECK(l.problem.find("format version 7 is newer than this reader's (1)") != std::string::npos);
}

TEST_CASE("a bad line says which field and why") {
    const std::vector<std::pair<std::string, std::string>> cases{
        {R"({"type":"reading","ts":"2026-03-02T09:00:0)", "not a JSON object (not JSON: "},
        {R"(["reading"])", "not a JSON object"},
        {R"({"ts":"2026-03-02T09:00:00.000Z"})", "missing field 'type'"},
        {R"({"type":"heartbeat"})", "unknown type 'heartbeat'"},
        {R"({"type":"reading","ts":"2026-03-02T09:00:00Z","signal":"hr"})",
         "missing field 'value'"},
        {R"({"type":"reading","ts":"2026-03-02T09:00:00Z","signal":"hr","value":null})",
         "field 'value' is null, not a number"},
        {R"({"type":"reading","ts":"2026-03-02T09:00:00Z","rx":7,"signal":"hr","value":70})",
         "field 'rx' is not an ISO 8601 time with a zone"},
        {R"({"type":"phase","ts":"2026-03-02T09:00:00Z","phase":"infusion"})",
         "unknown phase 'infusion'"},
        {R"({"type":"alarm","alert_id":"c:s:a1","condition":"x","kind":"physiological","priority":"low","state":"cleared","ts":"2026-03-02T09:00:00Z","cause":"magic"})",
         "unknown cause 'magic'"},
        {R"({"type":"alarm","alert_id":"c:s:a1","condition":"x","kind":"physiological","priority":"low","state":"raised","ts":"2026-03-02T09:00:00Z","seq":"1"})",
         "field 'seq' is not a whole number"},
        {R"({"type":"alarm","alert_id":"c:s:a1","condition":"x","kind":"physiological","priority":"low","state":"raised","ts":"2026-03-02T09:00:00Z","high":"yes"})",
         "field 'high' is not true or false"},
        {R"({"type":"session_end","ts":"2026-03-02T09:00:00Z","reason":"bored"})",
         "unknown reason 'bored'"},
        {R"({"type":"session_start","ts":"2026-03-02T09:00:00Z","chair":"c"})",
         "missing field 'session_id'"},
        {R"({"type":"service_alarm","ts":"2026-03-02T09:00:00Z","alert_id":"chairwatchd:run-1:a1","state":"raised"})",
         "missing field 'condition'"},
    };
    for (const auto& [text, problem] : cases) {
        CAPTURE(text);
        const auto l = drivers::parse_log_line(text, 9);
        CHECK(l.number == 9);
        CHECK_FALSE(l.entry);
        CHECK(l.problem.rfind(problem, 0) == 0);
    }
    // A start keeps what it can: its time, chair and session; the bad part is left out.
    const auto start = drivers::parse_log_line(
        R"({"type":"session_start","ts":"2026-03-02T09:00:00Z","chair":"c","session_id":"s","weight_kg":"72"})",
        1);
    REQUIRE(start.entry);
    CHECK_FALSE(std::get<LogStart>(*start.entry).weight_kg);
    CHECK(start.problem == "field 'weight_kg' is not a number");
}

TEST_CASE("a log written by SessionLog replays as a recording of its session") {
    TempDir dir;
    drivers::SessionLog log(dir.path.string());
    alerts::Session s = started_session();
    ClinicEvent e{ClinicEvent::Type::session_started, &s, {}, {}};
    REQUIRE(log.write(e, at(0s)));
    e.type = ClinicEvent::Type::reading;
    e.reading = {Signal::hr, 72, at(5s).wall - device_lag};
    REQUIRE(log.write(e, at(5s)));
    e.reading = {Signal::spo2, 97.5, at(5s).wall - device_lag};
    REQUIRE(log.write(e, at(5s)));
    REQUIRE(log.flush());
    s.phase = alerts::Phase::dosing;
    e.type = ClinicEvent::Type::phase_changed;
    REQUIRE(log.write(e, at(600s)));
    auto acked = transition(AlarmState::acknowledged, 900s);
    acked.acknowledged = true;
    acked.acknowledged_by = "nurse-ana";
    acked.acknowledged_at = at(900s);
    e.type = ClinicEvent::Type::alarm;
    e.alarm = acked;
    REQUIRE(log.write(e, at(900s)));
    // The daemon's technical alarm is no reading or event of the session: replay skips it.
    REQUIRE(log.write_service_alarm(
        s, {"chairwatchd:run-1:a1", "readings_link_lost", "raised", "high", "no readings"},
        at(1000s)));
    s.phase = alerts::Phase::observation;
    e.type = ClinicEvent::Type::phase_changed;
    REQUIRE(log.write(e, at(1200s)));
    s.ended = at(1800s);
    s.end_reason = alerts::EndReason::explicit_end;
    e.type = ClinicEvent::Type::session_ended;
    REQUIRE(log.write(e, at(1800s)));

    Millis start_wall{0};
    const auto rec =
        drivers::read_recording((dir.path / "chair-03" / "IV-0412.jsonl").string(), &start_wall);
    CHECK(rec.errors.empty());
    // On the monitor's clock: readings as stamped, events moved by the latest reading's lag.
    // The start, written before any reading, has no lag to go by and stays on the receive clock.
    CHECK(start_wall == at(0s).wall);
    std::ostringstream rows;
    for (const auto& r : rec.rows)
        rows << r.t.count() << ' ' << r.signal << ' ' << r.value << ' ' << r.unit << '\n';
    CHECK(rows.str() ==
          "-55000 hr 72 \n"
          "-55000 spo2 97.5 \n"
          "0 event start iv-ketamine;age_65_plus;age=71;session_number=2;sedatives\n"
          "540000 event dose_start \n"
          "840000 ack bp_rise nurse-ana\n"
          "1140000 event dose_end \n"
          "1740000 event end \n");
}
