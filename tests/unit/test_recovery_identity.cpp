// Alarm identity across restarts, as a property: a scripted IV session (baseline, surge, acks,
// a lost HR feed, escalations, latching) is cut at random instants. Each cut's log is read back
// into a fresh Clinic, which must list every alarm exactly as the uninterrupted Clinic does
// (id, condition, onset, priority, latch, acknowledgement, escalation level) and then, given the
// same inputs, publish the same transitions with the same ids. The daemon's ticks are not on the
// replay's grid (they run 0.4 s after each second here), as they are not in a real restart.
#include <doctest/doctest.h>

#include <unistd.h>
#include <filesystem>
#include <fstream>
#include <functional>
#include <random>
#include <set>
#include <sstream>

#include "alerts/clinic.hpp"
#include "alerts/time_format.hpp"
#include "config/config.hpp"
#include "drivers/codec/alert_codec.hpp"
#include "drivers/session_log/session_log.hpp"
#include "drivers/session_log/session_recovery.hpp"
#include "profile_builder.hpp"

using namespace chairwatch;
using namespace chairwatch::test;
namespace fs = std::filesystem;
using alerts::ClinicEvent;
using alerts::ControlAction;
using alerts::Signal;

namespace {

constexpr std::string_view chair = "chair-04";

config::Config shipped() {
    auto loaded = config::load_config_file(CHAIRWATCH_SOURCE_DIR "/config/chairwatch.yaml");
    REQUIRE(loaded.config);
    return *loaded.config;
}

// Everything a nurse sees of an alarm.
std::string describe(const alerts::Session& s, const alerts::AlarmTransition& a) {
    std::ostringstream o;
    o << s.alert_id(a.alarm_no) << ' ' << a.condition << ' ' << alerts::to_string(a.state) << ' '
      << alerts::to_string(a.priority) << " max=" << alerts::to_string(a.max_priority)
      << " onset=" << a.onset.wall.count() << " at=" << a.at.wall.count() << " active=" << a.active
      << " latched=" << a.latched << " ack=" << a.acknowledged << '/' << a.acknowledged_by
      << " esc=" << a.escalation_level << " | " << drivers::alert_text(s.chair, a);
    return o.str();
}

// One line per alarm, so that a failed check shows both lists.
std::string listed(const alerts::Clinic& c) {
    std::string out;
    const auto* s = c.session(chair);
    if (!s) return out;
    for (const auto& a : c.listed_alarms(chair))
        out += describe(*s, a) + "\n";
    return out;
}

std::string joined(const std::vector<std::string>& lines) {
    std::string out;
    for (const auto& l : lines)
        out += l + "\n";
    return out;
}

std::vector<std::string> transitions(const std::vector<ClinicEvent>& events) {
    std::vector<std::string> out;
    for (const auto& e : events)
        if (e.type == ClinicEvent::Type::alarm) out.push_back(describe(*e.session, e.alarm));
    return out;
}

// The session's inputs, in time order: what a monitor and a nurse station send.
struct Step {
    Millis t;
    std::function<void(alerts::Clinic&, alerts::Instant, std::vector<ClinicEvent>&)> apply;
};

std::vector<Step> iv_session() {
    std::vector<Step> steps;
    const auto control = [&](Millis t, ControlAction a) {
        steps.push_back({t, [a](alerts::Clinic& c, alerts::Instant now, auto& out) {
                             alerts::SessionInfo info;
                             info.session_id = "IV-0412";
                             info.profile = "iv-ketamine";
                             REQUIRE(c.on_control(chair, a, info, now, out) ==
                                     alerts::ControlResult::ok);
                         }});
    };
    const auto bp = [&](Millis t, double sbp, double dbp) {
        steps.push_back({t, [=](alerts::Clinic& c, alerts::Instant now, auto& out) {
                             const alerts::Reading r[] = {
                                 {Signal::sbp, sbp, now.wall},
                                 {Signal::dbp, dbp, now.wall},
                                 {Signal::map, (sbp + 2 * dbp) / 3, now.wall}};
                             c.on_readings(chair, r, now, out);
                         }});
    };
    // Acknowledges the listed alarm of `condition` (the station knows its id from the alert).
    const auto ack = [&](Millis t, std::string condition) {
        steps.push_back({t, [=](alerts::Clinic& c, alerts::Instant now, auto& out) {
                             const auto* s = c.session(chair);
                             REQUIRE(s);
                             for (const auto& a : c.listed_alarms(chair))
                                 if (a.condition == condition) {
                                     CHECK(c.acknowledge(chair, s->alert_id(a.alarm_no), "nurse-2",
                                                         now, out) == alerts::AckResult::ok);
                                     return;
                                 }
                             FAIL("no listed alarm of " << condition);
                         }});
    };
    const auto hr_value = [](Millis t) {
        if (t >= 1500s && t < 1545s) return -1.0;   // the HR feed is lost for 45 s
        if (t >= 2100s && t < 2160s) return 156.0;  // a minute of tachycardia
        if (t >= 1000s && t < 2400s) return 96.0;
        return 74.0;
    };
    control(0s, ControlAction::start);
    for (Millis t = 700ms; t < 3900s; t += 1s)
        if (const double v = hr_value(t); v > 0)
            steps.push_back({t, [v](alerts::Clinic& c, alerts::Instant now, auto& out) {
                                 c.on_reading(chair, {Signal::hr, v, now.wall}, now, out);
                             }});
    for (int i = 0; i < 3; ++i)
        bp(Millis(60'200 + 300'000 * i), 128 + i, 80);
    control(900s, ControlAction::dose_start);
    bp(1200s + 200ms, 150, 88);
    bp(1500s + 200ms, 186, 104);  // MEDIUM sbp_high, bp_rise
    bp(1800s + 200ms, 206, 112);  // HIGH
    ack(1890s, "sbp_high");       // after one escalation
    bp(2100s + 200ms, 172, 96);   // back to LOW
    bp(2400s + 200ms, 150, 88);   // clears
    ack(2300s, "hr_high");        // the latched tachycardia
    control(3000s, ControlAction::dose_end);
    bp(3300s + 200ms, 138, 84);
    bp(3600s + 200ms, 132, 82);
    std::stable_sort(steps.begin(), steps.end(),
                     [](const Step& a, const Step& b) { return a.t < b.t; });
    return steps;
}

// A Clinic and the session log it writes, driven like the daemon: inputs as they come, a tick
// 0.4 s after every second, readings flushed to the log within the second.
struct Daemon {
    Daemon(const config::Config& c, const fs::path& dir)
        : clinic(c.clinic_profiles(), c.clinic_settings()), log(dir.string()) {}

    void record(alerts::Instant t) {
        for (const auto& e : events)
            REQUIRE(log.write(e, t));
        REQUIRE(log.flush());
        published.push_back(transitions(events));
        events.clear();
    }
    // Runs the inputs and ticks before `until`; returns the transitions published.
    std::vector<std::string> run(const std::vector<Step>& steps, std::size_t& next, Millis until) {
        published.clear();
        while (true) {
            const bool step_first =
                next < steps.size() && steps[next].t < until && steps[next].t <= next_tick;
            if (step_first) {
                steps[next].apply(clinic, at(steps[next].t), events);
                record(at(steps[next].t));
                ++next;
            } else if (next_tick < until) {
                clinic.on_tick(at(next_tick), events);
                record(at(next_tick));
                next_tick += 1s;
            } else {
                break;
            }
        }
        std::vector<std::string> all;
        for (auto& p : published)
            all.insert(all.end(), p.begin(), p.end());
        return all;
    }

    alerts::Clinic clinic;
    drivers::SessionLog log;
    std::vector<ClinicEvent> events;
    std::vector<std::vector<std::string>> published;
    Millis next_tick{400ms};
};

}  // namespace

TEST_CASE(
    "cut anywhere, a session's log gives back every alarm as it was, and the same next ones") {
    const auto base = fs::temp_directory_path() / ("cw-identity-" + std::to_string(::getpid()));
    fs::remove_all(base);
    const auto cfg = shipped();
    const auto steps = iv_session();

    // The uninterrupted session, for what it raises over the whole script.
    std::size_t next = 0;
    Daemon whole(cfg, base / "whole");
    const auto everything = whole.run(steps, next, 4000s);
    std::set<std::string> conditions;
    for (const auto& line : everything)
        conditions.insert(line.substr(line.find(' ') + 1,
                                      line.find(' ', line.find(' ') + 1) - line.find(' ') - 1));
    for (const char* c : {"sbp_high", "bp_rise", "hr_high", "hr_feed_lost"})
        CHECK(conditions.count(c));
    bool escalated = false, latched = false;
    for (const auto& line : everything) {
        escalated |= line.find(" escalated ") != std::string::npos;
        latched |= line.find("latched=1") != std::string::npos;
    }
    CHECK(escalated);
    CHECK(latched);

    std::mt19937 rng(20261207);
    std::uniform_int_distribution<std::int64_t> when(1'000, 3'700'000);
    std::vector<Millis> cuts;
    for (int i = 0; i < 25; ++i)
        cuts.push_back(Millis(when(rng)));
    // The instants that matter most: right after an alarm changed, and inside the feed loss.
    for (const auto t : {1500'300, 1512'500, 1800'300, 1860'500, 1890'100, 2115'500, 2300'100})
        cuts.push_back(Millis(t));
    std::sort(cuts.begin(), cuts.end());

    int compared_alarms = 0;
    for (std::size_t k = 0; k < cuts.size(); ++k) {
        const auto cut = cuts[k];
        CAPTURE(cut.count());
        const auto dir = base / ("cut-" + std::to_string(k));
        std::size_t live_next = 0;
        Daemon live(cfg, dir);
        live.run(steps, live_next, cut);

        // kill -9 here: the log is all that is left; the next run starts at once.
        alerts::Clinic back(cfg.clinic_profiles(), cfg.clinic_settings());
        const auto logs = drivers::find_open_session_logs(dir.string());
        REQUIRE(logs.size() == 1);
        std::vector<std::string> news;
        const auto r = drivers::recover_session(logs[0], back, at(cut),
                                                [&](const std::vector<ClinicEvent>& events) {
                                                    const auto t = transitions(events);
                                                    news.insert(news.end(), t.begin(), t.end());
                                                });
        CHECK(r.restored);
        CHECK(r.problems.empty());
        CHECK(r.restored_alarms == r.alarm_lines);
        CHECK(joined(news) == "");  // nothing was judged between the last line and the cut
        const auto expected = listed(live.clinic);
        CHECK(listed(back) == expected);
        compared_alarms += static_cast<int>(std::count(expected.begin(), expected.end(), '\n'));

        // Both go on alike: the same transitions, ids and numbering to the end.
        Daemon resumed(cfg, dir / "resumed");
        resumed.clinic = std::move(back);
        resumed.next_tick = live.next_tick;
        std::size_t resumed_next = live_next;
        const auto a = live.run(steps, live_next, cut + 600s);
        const auto b = resumed.run(steps, resumed_next, cut + 600s);
        CHECK(joined(a) == joined(b));
    }
    CHECK(compared_alarms > 20);  // the cuts saw alarms listed, not only quiet moments
    fs::remove_all(base);
}

namespace {

// The log as kill -9 leaves it when the process died after judging the inputs at `t` but
// before writing the alarm transitions they gave: those lines are missing.
void drop_alarm_lines_at(const fs::path& dir, Millis t) {
    const auto logs = drivers::find_open_session_logs(dir.string());
    REQUIRE(logs.size() == 1);
    std::ifstream in(logs[0]);
    std::string kept, line;
    const auto stamp = "\"ts\":\"" + alerts::format_iso8601(at(t).wall) + "\"";
    int dropped = 0;
    while (std::getline(in, line)) {
        if (line.find("\"type\":\"alarm\"") != std::string::npos &&
            line.find(stamp) != std::string::npos) {
            ++dropped;
            continue;
        }
        kept += line + "\n";
    }
    in.close();
    REQUIRE(dropped > 0);
    std::ofstream(logs[0], std::ios::trunc) << kept;
}

struct Reconciled {
    std::vector<std::string> news;
    std::string listed;
};

Reconciled recover_cut(const config::Config& cfg, const fs::path& dir, Millis cut) {
    alerts::Clinic back(cfg.clinic_profiles(), cfg.clinic_settings());
    Reconciled r;
    const auto logs = drivers::find_open_session_logs(dir.string());
    REQUIRE(logs.size() == 1);
    const auto rec = drivers::recover_session(logs[0], back, at(cut),
                                              [&](const std::vector<ClinicEvent>& events) {
                                                  const auto t = transitions(events);
                                                  r.news.insert(r.news.end(), t.begin(), t.end());
                                              });
    CHECK(rec.restored);
    CHECK(rec.reconciled == r.news.size());
    r.listed = listed(back);
    return r;
}

bool has(const std::vector<std::string>& lines, const std::string& part) {
    return std::any_of(lines.begin(), lines.end(),
                       [&](const std::string& l) { return l.find(part) != std::string::npos; });
}

}  // namespace

TEST_CASE("a transition judged but never written is given at recovery: raised, updated, cleared") {
    const auto base = fs::temp_directory_path() / ("cw-reconcile-" + std::to_string(::getpid()));
    fs::remove_all(base);
    const auto cfg = shipped();
    const auto steps = iv_session();

    SUBCASE("the surge's first reading: its alarms are raised, numbered as they would have been") {
        std::size_t next = 0;
        Daemon live(cfg, base / "raise");
        live.run(steps, next, 1500'300ms);
        drop_alarm_lines_at(base / "raise", 1500'200ms);
        const auto r = recover_cut(cfg, base / "raise", 1500'300ms);
        CHECK(has(r.news, "chair-04:IV-0412:a1 sbp_high raised medium"));
        CHECK(has(r.news, ":a2 dbp_high raised low"));
        CHECK(has(r.news, ":a3 bp_rise raised medium"));
        CHECK(r.news.size() == 3);
    }
    SUBCASE("the HIGH reading: the listed alarm is updated, same id") {
        std::size_t next = 0;
        Daemon live(cfg, base / "update");
        live.run(steps, next, 1800'300ms);
        drop_alarm_lines_at(base / "update", 1800'200ms);
        const auto r = recover_cut(cfg, base / "update", 1800'300ms);
        CHECK(has(r.news, "chair-04:IV-0412:a1 sbp_high updated high"));
        CHECK(has(r.news, ":a2 dbp_high updated medium"));
        CHECK(r.listed.find(":a1 sbp_high updated high") != std::string::npos);
    }
    SUBCASE("the reading back in range: cleared, and a HIGH alarm latches") {
        std::size_t next = 0;
        Daemon live(cfg, base / "clear");
        live.run(steps, next, 2400'300ms);
        const auto expected = listed(live.clinic);
        drop_alarm_lines_at(base / "clear", 2400'200ms);
        const auto r = recover_cut(cfg, base / "clear", 2400'300ms);
        CHECK(has(r.news, ":a1 sbp_high cleared high"));
        CHECK(has(r.news, ":a3 bp_rise cleared"));
        CHECK(r.listed.find(":a1 sbp_high cleared high") != std::string::npos);
        CHECK(r.listed.find("latched=1") != std::string::npos);
        CHECK(expected.find(":a1 sbp_high cleared high") != std::string::npos);
    }
    fs::remove_all(base);
}
