// The FHIR R4 export of the fixture session: the resources it is made of and what they carry.
// tests/records validates the same Bundles with the fhir package (R4 definitions).
#include <doctest/doctest.h>

#include <boost/json.hpp>
#include <map>

#include "report/fhir_parts.hpp"
#include "report/report.hpp"
#include "report_fixture.hpp"

namespace chairwatch::report {

using test::at;
using test::fixture;
namespace json = boost::json;

namespace {

ReportOptions fhir_options(std::string system = "https://clinic.example/patient-id") {
    ReportOptions o;
    o.profile = test::profile();
    o.generated_at = at("2026-03-02T11:00:00Z");
    o.version = "9.9.9";
    o.patient_identifier_system = std::move(system);
    return o;
}

std::vector<json::object> resources(const json::value& bundle, std::string_view type) {
    std::vector<json::object> out;
    for (const auto& e : bundle.at("entry").as_array())
        if (e.at("resource").at("resourceType").as_string() == type)
            out.push_back(e.at("resource").as_object());
    return out;
}

std::vector<std::string> loinc_codes(const json::object& r) {
    std::vector<std::string> out;
    for (const auto& c : r.at("code").at("coding").as_array())
        out.emplace_back(c.at("code").as_string());
    return out;
}

}  // namespace

TEST_CASE("the Bundle has the Encounter, the vital signs, the dose, the alarms and the page") {
    const auto b = json::parse(render_fhir(fixture(), fhir_options()));
    CHECK(b.at("resourceType") == "Bundle");
    CHECK(b.at("type") == "collection");
    const auto enc = resources(b, "Encounter");
    REQUIRE(enc.size() == 1);
    CHECK(enc[0].at("status") == "finished");
    CHECK(enc[0].at("period").at("start") == "2026-03-02T09:00:00.000Z");  // device clock
    CHECK(enc[0].at("period").at("end") == "2026-03-02T10:50:00.000Z");
    CHECK(enc[0].at("location").at(0).at("location").at("display") == "chair-04");
    CHECK(enc[0].at("subject").at("identifier").at("system") ==
          "https://clinic.example/patient-id");
    CHECK(enc[0].at("subject").at("identifier").at("value") == "PT-TEST-0042");

    std::map<std::string, int> by_code;
    for (const auto& o : resources(b, "Observation")) {
        CHECK(o.at("category").at(0).at("coding").at(0).at("code") == "vital-signs");
        CHECK(o.contains("effectiveDateTime"));
        for (const auto& c : loinc_codes(o))
            ++by_code[c];
    }
    const auto& rec = fixture();
    CHECK(by_code["85354-9"] == static_cast<int>(rec.of(Signal::sbp).size()));
    CHECK(by_code["8478-0"] == static_cast<int>(rec.of(Signal::map).size()));
    CHECK(by_code["8867-4"] > 100);  // one a minute over 110 minutes, less the gap
    CHECK(by_code["2708-6"] == by_code["59408-5"]);
    CHECK(by_code["59408-5"] > 100);

    const auto med = resources(b, "MedicationAdministration");
    REQUIRE(med.size() == 1);
    CHECK(med[0].at("medicationCodeableConcept").at("text") == "ketamine");
    CHECK(med[0].at("effectivePeriod").at("start") == "2026-03-02T09:10:00.000Z");
    CHECK(med[0].at("dosage").at("dose").at("value") == 36);  // 0.5 mg/kg for 72 kg
    CHECK(med[0].at("dosage").at("route").at("coding").at(0).at("code") == "47625008");

    // Four alarms (the advisory discharge_ready is not an issue); the BP one was acknowledged
    // twice and escalated once.
    const auto issues = resources(b, "DetectedIssue");
    REQUIRE(issues.size() == 4);
    CHECK(issues[0].at("severity") == "high");
    CHECK(issues[0].at("mitigation").as_array().size() == 2);
    CHECK(issues[0].at("mitigation").at(0).at("author").at("display") == "nurse-ana");
    int acks = 0, escalations = 0;
    for (const auto& c : resources(b, "Communication")) {
        const auto what = c.at("category").at(0).at("text");
        acks += what == "alarm acknowledgement";
        escalations += what == "alarm escalation";
        if (what == "alarm escalation") CHECK(c.at("priority") == "stat");
    }
    CHECK(acks == 4);
    CHECK(escalations == 1);
}

TEST_CASE("the filed page travels in the Bundle as the same HTML, base64") {
    const auto o = fhir_options();
    const auto b = json::parse(render_fhir(fixture(), o));
    const auto docs = resources(b, "DocumentReference");
    REQUIRE(docs.size() == 1);
    const auto& att = docs[0].at("content").at(0).at("attachment");
    CHECK(att.at("contentType") == "text/html");
    const std::string data(att.at("data").as_string());
    CHECK(data == fhir::base64(render_html(fixture(), o)));
    CHECK(fhir::base64("chair") == "Y2hhaXI=");
    CHECK(fhir::base64("ch") == "Y2g=");
    CHECK(fhir::base64("cha") == "Y2hh");
}

TEST_CASE("without a patient_ref nothing claims a patient the record does not name") {
    auto rec = fixture();
    rec.patient_ref.clear();
    const auto b = json::parse(render_fhir(rec, fhir_options()));
    CHECK_FALSE(resources(b, "Encounter")[0].contains("subject"));
    for (const auto& o : resources(b, "Observation")) {
        CHECK_FALSE(o.contains("subject"));
        CHECK_FALSE(o.contains("meta"));  // the vital-signs profiles require a subject
    }
    // MedicationAdministration.subject is required: it says that nobody is named.
    CHECK(
        resources(b, "MedicationAdministration")[0].at("subject").as_object().contains("display"));
}

TEST_CASE("the same session gives the same identifiers; another session others") {
    const auto a = render_fhir(fixture(), fhir_options());
    CHECK(a == render_fhir(fixture(), fhir_options()));
    auto other = fixture();
    other.session_id = "other";
    const auto b = json::parse(render_fhir(other, fhir_options()));
    const auto first = json::parse(a);
    CHECK(first.at("entry").at(0).at("fullUrl") != b.at("entry").at(0).at("fullUrl"));
}

}  // namespace chairwatch::report
