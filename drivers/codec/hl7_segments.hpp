// The HL7 v2.6 segments both HL7 outputs build the same way: MSH, PID (a pseudonym, never a
// name) and PV1 (the chair as the bed). The alarm path's ORU^R40 (drivers/notify/hl7_acm) and
// the report's ORU^R01 (report/hl7_report) use them. Every text is escaped; segments end with CR.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

#include "alerts/types.hpp"

namespace chairwatch::drivers::hl7 {

// Who sends and who receives (MSH-3 to MSH-6).
struct Endpoints {
    std::string sending_application{"CHAIRWATCH"};
    std::string sending_facility;
    std::string receiving_application;
    std::string receiving_facility;
};

struct MshFields {
    std::string_view type;        // MSH-9, e.g. "ORU^R01^ORU_R01" (not escaped)
    std::string control_id;       // MSH-10
    std::string_view accept_ack;  // MSH-15
    std::string_view app_ack;     // MSH-16
    std::string_view profile;     // MSH-21 (not escaped)
};
// MSH with processing id P, version 2.6 and character set UNICODE UTF-8.
std::string msh(const Endpoints& e, const MshFields& f, alerts::Millis now_wall);

// "CW" + 16 hex digits of FNV-1a(key) + "." + index: the same for the same key and index, so a
// message sent again carries the control id it had.
std::string control_id(std::string_view key, std::size_t index);

// PID-3 and PID-5: the pseudonym as <patient_ref>^^^<authority>^PI, or with no pseudonym the
// session as <session_id>^^^<authority>^VN; the name as ^^^^^^U (unspecified).
std::string pid(std::string_view patient_ref, std::string_view session_id,
                std::string_view authority);
// PV1-2 O (outpatient), PV1-3 ^^<chair>^<facility> (PL: the chair is the bed), PV1-19 session.
std::string pv1(std::string_view chair, std::string_view facility, std::string_view session_id);

}  // namespace chairwatch::drivers::hl7
