// The renderings of the fixture session: the HTML page (chart, limits, phases, alarm bars and
// table), the JSON summary read back with Boost.JSON, and the CSV of readings round-tripped.
#include <doctest/doctest.h>

#include <algorithm>
#include <boost/json.hpp>
#include <charconv>
#include <map>
#include <sstream>

#include "report/report.hpp"
#include "report/report_format.hpp"
#include "report_fixture.hpp"

namespace chairwatch::report {

using alerts::Signal;
using test::at;
using test::count;
using test::fixture;

namespace {

ReportOptions options(bool with_profile = true) {
    ReportOptions o;
    if (with_profile) {
        o.profile = test::profile();
        o.limits_source = "test-config.yaml";
    } else {
        o.limits_note = "no configuration";
    }
    o.generated_at = at("2026-03-02T11:00:00Z");
    o.version = "9.9.9";
    return o;
}

std::vector<std::string> split(const std::string& s, char sep) {
    std::vector<std::string> out;
    std::string field;
    std::istringstream in(s);
    while (std::getline(in, field, sep))
        out.push_back(field);
    return out;
}

}  // namespace

TEST_CASE("the HTML page: header, self-contained, small") {
    const auto html = render_html(fixture(), options());
    CHECK(html.rfind("<!DOCTYPE html>", 0) == 0);
    for (const char* field : {"Chair 4", "PT-TEST-0042", "iv-ketamine", "chair-04-20260302T090100Z",
                              "72 kg", "0.5 mg/kg = 36 mg", "40 min", "2026-03-02 09:00 UTC",
                              "2026-03-02 10:50 UTC", "ended by staff"}) {
        CAPTURE(field);
        CHECK(html.find(field) != std::string::npos);
    }
    CHECK(html.find("<b>Baseline</b> 10 min") != std::string::npos);
    CHECK(html.find("<b>Dosing</b> 40 min") != std::string::npos);
    CHECK(html.find("<b>Observation</b> 1 h 00 min") != std::string::npos);
    CHECK(html.find("@page { size: A4") != std::string::npos);
    CHECK(html.find("<script") == std::string::npos);
    CHECK(html.find("src=") == std::string::npos);
    CHECK(html.find("https://") == std::string::npos);
    CHECK(count(html, "http://") == 1);  // the SVG namespace, never fetched
    CHECK(html.size() < 200 * 1024);
    CHECK(html.find("chairwatch 9.9.9 on 2026-03-02 11:00 UTC") != std::string::npos);
    CHECK(html.find("secondary alarm system") != std::string::npos);
}

TEST_CASE("the chart: cuff points, MAP and HR lines, limits, phases and alarm bars") {
    const auto html = render_html(fixture(), options());
    CHECK(count(html, "<svg") == 1);
    CHECK(count(html, "class=\"pt-sbp\"") == 23);
    CHECK(count(html, "class=\"pt-dbp\"") == 23);
    CHECK(count(html, "class=\"pt-map\"") == 23);
    CHECK(count(html, "<polyline points=\"") >= 5);
    CHECK(count(html, "class=\"series-map\"") == 1);
    CHECK(count(html, "class=\"series-hr\"") == 2);  // broken by the feed gap at 70 min
    CHECK(count(html, "class=\"series-spo2\"") == 1);
    CHECK(html.find("<title>SBP 186 mmHg, 09:40 (min 40)</title>") != std::string::npos);
    for (const char* label : {"SBP ≥160 L", "SBP ≥180 M", "SBP ≥200 H", "DBP ≥100 L", "DBP ≥110 M",
                              "DBP ≥120 H", "HR &gt;110 L", "HR ≥130 M", "HR ≥150 H", "SBP ≤90 M",
                              "SpO2 &lt;92 M", "SBP ≥168 (base +40) L", "DBP ≥103 (base +25) L"}) {
        CAPTURE(label);
        CHECK(html.find(">" + std::string(label) + "</text>") != std::string::npos);
    }
    CHECK(html.find("SBP ≥140") == std::string::npos);  // advisories are not limits
    CHECK(count(html, "class=\"limit\"") == 13);
    for (const char* phase : {"phase-baseline", "phase-dosing", "phase-observation"})
        CHECK(count(html, std::string("class=\"phase ") + phase + "\"") == 1);
    CHECK(html.find(">Dosing 40 min</text>") != std::string::npos);
    CHECK(count(html, "class=\"alarm-bar\"") == 5);
    CHECK(count(html, "class=\"bar bar-H\" fill=\"#d62728\"") == 1);
    CHECK(count(html, "class=\"bar bar-M\" fill=\"#ffd21f\"") == 3);
    CHECK(count(html, "class=\"bar bar-L\" fill=\"#2ec4d6\"") == 4);
    CHECK(count(html, "class=\"bar bar-A\" fill=\"#b4b4b4\"") == 1);
    CHECK(count(html, "class=\"ack\"") == 4);
}

TEST_CASE("the alarm table and the vital signs and discharge sections") {
    const auto html = render_html(fixture(), options());
    CHECK(count(html, "<tr class=\"alarm-row\"") == 5);
    const auto row = html.substr(html.find("<tr class=\"alarm-row\" data-condition=\"sbp_high\""));
    const auto sbp = row.substr(0, row.find("</tr>"));
    for (const char* cell : {"prio-high", "09:30", "min&nbsp;30", "186 mmHg", "limit 180",
                             "35&nbsp;min", "nurse-ana, 7&nbsp;min", "nurse-ana, 12&nbsp;min",
                             "<td class=\"num\">1</td>", "back in range"}) {
        CAPTURE(cell);
        CHECK(sbp.find(cell) != std::string::npos);
    }
    CHECK(html.find("<b>not acknowledged</b>") != std::string::npos);  // hr_high
    CHECK(html.find("130 s<br><span class=\"sub\">limit 30") != std::string::npos);
    CHECK(count(html, "<tr class=\"vitals-row\"") == 5);
    CHECK(html.find("<b>Discharge criteria met</b> at 10:50") != std::string::npos);
    CHECK(html.find("Reviewed by") != std::string::npos);
}

TEST_CASE("what a nurse did: the action taken with an acknowledgement, and feed pauses") {
    auto rec = fixture();
    auto acked = std::find_if(rec.alarms.begin(), rec.alarms.end(), [](const AlarmEvent& a) {
        return a.condition == "sbp_high" && a.state == alerts::AlarmState::acknowledged;
    });
    REQUIRE(acked != rec.alarms.end());
    acked->action_taken = "infusion slowed";
    acked->action_note = "rate <halved>";
    rec.feed_pauses.push_back({1, at("2026-03-02T09:40:00Z"), at("2026-03-02T09:50:00Z"),
                               at("2026-03-02T09:44:00Z"), "high_alarm", "bathroom break", "rn-4",
                               ""});
    rec.feed_pauses.push_back({2,
                               at("2026-03-02T10:00:00Z"),
                               at("2026-03-02T10:05:00Z"),
                               {},
                               "",
                               "cuff off",
                               "rn-5",
                               ""});
    const auto html = render_html(rec, options());
    const auto row = html.substr(html.find("<tr class=\"alarm-row\" data-condition=\"sbp_high\""));
    const auto sbp = row.substr(0, row.find("</tr>"));
    CHECK(sbp.find("<span class=\"action\">infusion slowed: rate &lt;halved&gt;</span>") !=
          std::string::npos);
    CHECK(html.find("<h2>Feed alarms paused</h2>") != std::string::npos);
    CHECK(html.find("bathroom break</td><td>rn-4</td>") != std::string::npos);
    CHECK(html.find("(a HIGH alarm broke through)") != std::string::npos);
    CHECK(html.find("still paused when the log ends") != std::string::npos);
    const auto json = render_json(rec, options());
    CHECK(json.find(R"("action_taken":"infusion slowed","action_note":"rate <halved>")") !=
          std::string::npos);
    CHECK(render_fhir(rec, options()).find("Action taken: infusion slowed: rate <halved>") !=
          std::string::npos);
    // Without either, the page has neither.
    const auto plain = render_html(fixture(), options());
    CHECK(plain.find("class=\"action\">") == std::string::npos);
    CHECK(plain.find("Feed alarms paused") == std::string::npos);
}

TEST_CASE("limit changes: their table, the JSON record, and the limit line moved from then on") {
    auto rec = fixture();
    rec.limit_changes.push_back(
        {7, at("2026-03-02T09:20:00Z"), "sbp_high", 3, 180, 190, "baseline <176/94>", "rn-4"});
    const auto html = render_html(rec, options());
    CHECK(html.find("<h2>Limit changes</h2>") != std::string::npos);
    CHECK(html.find("<td>sbp_high tier 3</td><td>180</td><td>190</td><td>baseline "
                    "&lt;176/94&gt;</td><td>rn-4</td>") != std::string::npos);
    // The HIGH tier at 180 is drawn at 190 after the change (the MEDIUM one stays at 180).
    CHECK(html.find(">SBP ≥190 H</text>") != std::string::npos);
    CHECK(html.find(">SBP ≥180 M</text>") != std::string::npos);
    const auto v = boost::json::parse(render_json(rec, options()));
    const auto& changes = v.at("limit_changes").as_array();
    REQUIRE(changes.size() == 1);
    const auto& c = changes[0].as_object();
    CHECK(c.at("condition") == "sbp_high");
    CHECK(c.at("tier") == 3);
    CHECK(c.at("from").to_number<double>() == 180);
    CHECK(c.at("to").to_number<double>() == 190);
    CHECK(c.at("reason") == "baseline <176/94>");
    CHECK(c.at("by") == "rn-4");
    CHECK(std::string_view(c.at("at").as_string()).starts_with("2026-03-02T09:20:00"));
    // Without one, no table and an empty list.
    const auto plain = render_html(fixture(), options());
    CHECK(plain.find("Limit changes") == std::string::npos);
    CHECK(boost::json::parse(render_json(fixture(), options()))
              .at("limit_changes")
              .as_array()
              .empty());
}

TEST_CASE("without a profile the page draws no limits and says why") {
    const auto html = render_html(fixture(), options(false));
    CHECK(count(html, "class=\"limit\"") == 0);
    CHECK(html.find("No limits drawn:</b> no configuration") != std::string::npos);
    CHECK(count(html, "class=\"pt-sbp\"") == 23);
}

TEST_CASE("text from the log is escaped in the page") {
    auto rec = fixture();
    rec.patient_ref = "<script>alert(1)</script>";
    const auto html = render_html(rec, options());
    CHECK(html.find("<script>") == std::string::npos);
    CHECK(html.find("&lt;script&gt;alert(1)&lt;/script&gt;") != std::string::npos);
}

TEST_CASE("the session record parses back with the right numbers and its schema version") {
    const auto text = render_json(fixture(), options());
    const auto v = boost::json::parse(text);
    const auto& o = v.as_object();
    CHECK(o.at("schema") == "chairwatch-session-record");
    CHECK(o.at("schema_version") == 1);
    CHECK(o.at("record").at("clock") == "device");
    CHECK(o.at("record").at("generator") == "chairwatch 9.9.9");
    CHECK(o.at("session").at("patient_ref") == "PT-TEST-0042");
    CHECK(o.at("session").at("patient_identifier_system").is_null());
    CHECK(o.at("dose").at("start") == "2026-03-02T09:10:00.000Z");
    CHECK(o.at("dose").at("end") == "2026-03-02T09:50:00.000Z");
    const auto& session = o.at("session");
    CHECK(session.at("chair") == "chair-04");
    CHECK(session.at("weight_kg").to_number<double>() == 72);
    CHECK(session.at("dose_mg").to_number<double>() == 36);
    CHECK(session.at("start") == "2026-03-02T09:00:00.000Z");
    CHECK(session.at("duration_min").to_number<double>() == 110);
    const auto& phases = o.at("phases").as_array();
    REQUIRE(phases.size() == 3);
    CHECK(phases[1].at("phase") == "dosing");
    CHECK(phases[1].at("duration_min").to_number<double>() == 40);
    const auto& sbp = o.at("signals").at("sbp");
    CHECK(sbp.at("min").to_number<double>() == 126);
    CHECK(sbp.at("max").to_number<double>() == 186);
    CHECK(sbp.at("mean").to_number<double>() == doctest::Approx(145.3).epsilon(0.001));
    CHECK(sbp.at("baseline").to_number<double>() == 128);
    CHECK(sbp.at("peak").to_number<double>() == 186);
    CHECK(sbp.at("end").to_number<double>() == 127);
    CHECK(o.at("signals").at("hr").at("count").to_number<double>() == 649);
    const auto& alarms = o.at("alarms").as_array();
    REQUIRE(alarms.size() == 5);
    const auto& a = alarms[0];
    CHECK(a.at("condition") == "sbp_high");
    CHECK(a.at("max_priority") == "high");
    CHECK(a.at("onset_min").to_number<double>() == 30);
    CHECK(a.at("peak").to_number<double>() == 186);
    CHECK(a.at("duration_s").to_number<double>() == 2100);
    CHECK(a.at("acknowledged_by") == "nurse-ana");
    CHECK(a.at("acknowledged_after_s").to_number<double>() == 420);
    CHECK(a.at("acknowledgements").as_array().size() == 2);
    CHECK(a.at("escalations").to_number<double>() == 1);
    CHECK(a.at("end_cause") == "back_in_range");
    CHECK(alarms[2].at("acknowledged_by").is_null());
    CHECK(o.at("discharge").at("criteria_met") == true);
    CHECK(o.at("discharge").at("ended_before_criteria_met") == false);
    CHECK(o.at("limits").at("drawn") == true);
    CHECK(o.at("limits").at("lines").as_array().size() == 13);
    CHECK(o.at("log_errors").as_array().empty());
}

TEST_CASE("the CSV has one row per reading and gives the values back") {
    const auto& rec = fixture();
    const auto csv = render_csv(rec);
    CHECK(csv.find("PT-TEST-0042") == std::string::npos);
    const auto lines = split(csv, '\n');
    REQUIRE(lines.size() == rec.reading_count() + 1);
    CHECK(lines[0] == "chair,session_id,ts,signal,value,unit,phase");
    std::map<std::string, std::vector<TimedValue>> back;
    std::map<std::string, int> phases;
    for (std::size_t i = 1; i < lines.size(); ++i) {
        auto f = split(lines[i], ',');
        REQUIRE(f.size() == 7);
        CHECK(f[0] == "chair-04");
        CHECK(f[1] == "chair-04-20260302T090100Z");
        f.erase(f.begin(), f.begin() + 2);
        double value = 0;
        REQUIRE(std::from_chars(f[2].data(), f[2].data() + f[2].size(), value).ec == std::errc{});
        back[f[1]].push_back({at(f[0].c_str()), value, 0});
        const auto sig = alerts::parse_signal(f[1]);
        REQUIRE(sig);
        CHECK(f[3] == alerts::unit_of(*sig));
        ++phases[f[4]];
    }
    for (auto s : alerts::all_signals) {
        const auto& got = back[std::string(alerts::to_string(s))];
        REQUIRE(got.size() == rec.of(s).size());
        for (std::size_t i = 0; i < got.size(); ++i) {
            CHECK(got[i].t == rec.of(s)[i].t);
            CHECK(got[i].value == rec.of(s)[i].value);
        }
    }
    CHECK(phases.size() == 3);
    CHECK(lines[1] ==
          "chair-04,chair-04-20260302T090100Z,2026-03-02T09:00:00.000Z,sbp,126,mmHg,baseline");
    CHECK(csv.find("2026-03-02T09:10:00.000Z,sbp,128,mmHg,dosing") != std::string::npos);
    CHECK(csv.find("2026-03-02T09:55:00.000Z,sbp,158,mmHg,observation") != std::string::npos);
}

TEST_CASE("formatting: durations, numbers, zones") {
    CHECK(fmt_duration(std::chrono::seconds(45)) == "45 s");
    CHECK(fmt_duration(std::chrono::seconds(451)) == "7 min 31 s");
    CHECK(fmt_duration(std::chrono::minutes(40)) == "40 min");
    CHECK(fmt_duration(std::chrono::seconds(3599 + 3600)) == "2 h 00 min");
    CHECK(fmt_number(116.44) == "116.4");
    CHECK(fmt_number(-0.01) == "0");
    CHECK(fmt_number(0.5, 3) == "0.5");
    CHECK(fmt_zone(std::chrono::minutes(60)) == "UTC+01:00");
    CHECK(fmt_zone(std::chrono::minutes(-330)) == "UTC-05:30");
    CHECK(fmt_clock(at("2026-03-02T23:30:00Z"), std::chrono::hours(1)) == "00:30");
}

}  // namespace chairwatch::report
