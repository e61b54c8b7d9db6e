// render_fhir: the session as a FHIR R4 Bundle of type "collection" (docs/records.md, "FHIR"):
// the Encounter, the vital signs, the dose, the alarms and their responses, and the filed HTML
// page. Every time is the device clock's, as in the session record.
#include "report/fhir_parts.hpp"
#include "report/report_format.hpp"

namespace chairwatch::report {

namespace fhir {

namespace {

constexpr std::string_view act_code = "http://terminology.hl7.org/CodeSystem/v3-ActCode";

void write_location(JsonWriter& w, const Context& c) {
    w.key("contained").begin_array().begin_object();
    w.key("resourceType").value("Location");
    w.key("id").value("chair");
    w.key("identifier").begin_array().begin_object();
    w.key("value").value(c.rec.site_chair());
    w.end_object().end_array();
    w.key("status").value("active");
    w.key("name").value(c.rec.site_chair());
    w.key("description").value("treatment chair monitored by chairwatch");
    w.key("mode").value("instance");
    w.end_object().end_array();
}

// The medicine by route (REFERENCE §9): intranasal is esketamine, IV and IM ketamine.
void write_medicine(JsonWriter& w, const std::string& route, const std::string& profile) {
    w.key("medicationCodeableConcept").begin_object();
    if (route == "intranasal") {
        w.key("coding").begin_array();
        coding(w, "http://www.nlm.nih.gov/research/umls/rxnorm", "2201623",
               "esketamine Nasal Spray");
        w.end_array();
        w.key("text").value("esketamine (nasal spray)");
    } else if (route == "iv" || route == "im") {
        w.key("text").value("ketamine");
    } else {
        w.key("text").value("the medicine of profile '" + profile +
                            "' (the session log names no route)");
    }
    w.end_object();
}

void write_route(JsonWriter& w, const std::string& route) {
    struct Route {
        std::string_view name, code, display;
    };
    static constexpr Route routes[] = {{"iv", "47625008", "Intravenous route"},
                                       {"im", "78421000", "Intramuscular route"},
                                       {"intranasal", "46713006", "Nasal route"}};
    for (const auto& r : routes)
        if (route == r.name) {
            w.key("route").begin_object();
            w.key("coding").begin_array();
            coding(w, snomed, r.code, r.display);
            w.end_array();
            w.key("text").value(route);
            w.end_object();
        }
}

}  // namespace

void write_encounter(JsonWriter& w, const Context& c) {
    const auto& rec = c.rec;
    begin_entry(w, c.encounter(), "Encounter");
    write_location(w, c);
    w.key("identifier").begin_array().begin_object();
    w.key("use").value("official");
    w.key("type").begin_object().key("text").value("chairwatch chair/session id").end_object();
    w.key("value").value(rec.site_chair() + "/" + rec.session_id);
    w.end_object().end_array();
    w.key("status").value(rec.end ? "finished" : "in-progress");
    w.key("class").begin_object();
    w.key("system").value(act_code);
    w.key("code").value("AMB");
    w.key("display").value("ambulatory");
    w.end_object();
    w.key("type").begin_array().begin_object();
    w.key("text").value(rec.profile.empty()
                            ? std::string("monitored treatment session")
                            : "monitored treatment session, profile " + rec.profile);
    w.end_object().end_array();
    patient_reference(w, c, "subject", false);
    period(w, c.s.start, rec.end ? std::optional(c.s.end) : std::nullopt);
    quantity(w, "length", c.s.minute_of(c.s.end), "min", "min");
    w.key("location").begin_array().begin_object();
    w.key("location").begin_object();
    w.key("reference").value("#chair");
    w.key("display").value(rec.chair);
    w.end_object();
    w.key("status").value(rec.end ? "completed" : "active");
    w.end_object().end_array();
    end_entry(w);
}

void write_medication(JsonWriter& w, const Context& c) {
    const auto dose = dosing_span(c.s);
    if (!dose) return;
    const auto& rec = c.rec;
    begin_entry(w, c.url("dose"), "MedicationAdministration");
    w.key("status").value(dose->ended ? "completed" : "in-progress");
    write_medicine(w, rec.route, rec.profile);
    patient_reference(w, c, "subject", true);
    reference(w, "context", c.encounter());
    w.key("effectivePeriod").begin_object();
    w.key("start").time(dose->from);
    if (dose->ended) w.key("end").time(dose->to);
    w.end_object();
    w.key("dosage").begin_object();
    std::string text = "dose_start to dose_end as the nurse station marked them";
    if (rec.dose_mg_per_kg) {
        text += "; " + fmt_number(*rec.dose_mg_per_kg, 3) + " mg/kg";
        if (rec.weight_kg) text += " for " + fmt_number(*rec.weight_kg) + " kg";
    }
    w.key("text").value(text);
    write_route(w, rec.route);
    if (rec.dose_mg_per_kg && rec.weight_kg)
        quantity(w, "dose", *rec.dose_mg_per_kg * *rec.weight_kg, "mg", "mg");
    w.end_object();
    end_entry(w);
}

void write_document(JsonWriter& w, const Context& c) {
    begin_entry(w, c.url("report"), "DocumentReference");
    w.key("status").value("current");
    w.key("docStatus").value(c.rec.end ? "final" : "preliminary");
    w.key("type").begin_object().key("text").value("chairwatch session report").end_object();
    patient_reference(w, c, "subject", false);
    w.key("date").time(c.o.generated_at);
    w.key("description")
        .value(
            "the one-page session report (chart, limits, phases, alarms, discharge) as "
            "chairwatch report --format html writes it");
    w.key("content").begin_array().begin_object();
    w.key("attachment").begin_object();
    w.key("contentType").value("text/html");
    w.key("language").value("en");
    w.key("data").value(base64(render_html(c.rec, c.o)));
    w.key("title").value("Session " + c.rec.session_id + ", " + c.rec.chair);
    w.key("creation").time(c.o.generated_at);
    w.end_object();
    w.end_object().end_array();
    w.key("context").begin_object();
    w.key("encounter").begin_array().begin_object();
    w.key("reference").value(c.encounter());
    w.end_object().end_array();
    period(w, c.s.start, c.s.end);
    w.end_object();
    end_entry(w);
}

}  // namespace fhir

std::string render_fhir(const SessionRecord& rec, const ReportOptions& options) {
    const auto s = summarize(rec);
    const fhir::Context c{rec, s, options};
    std::string out;
    drivers::JsonWriter w(out);
    w.begin_object();
    w.key("resourceType").value("Bundle");
    w.key("identifier").begin_object();
    w.key("system").value("urn:ietf:rfc:3986");
    w.key("value").value(c.url("bundle"));
    w.end_object();
    w.key("type").value("collection");
    w.key("timestamp").time(options.generated_at);
    w.key("entry").begin_array();
    fhir::write_encounter(w, c);
    fhir::write_vital_signs(w, c);
    fhir::write_medication(w, c);
    fhir::write_alarms(w, c);
    fhir::write_document(w, c);
    w.end_array();
    w.end_object();
    out += '\n';
    return out;
}

}  // namespace chairwatch::report
