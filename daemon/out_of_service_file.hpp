// The chairs out of service, kept across a restart in one small file beside the session logs
// (<sessions.log_dir>/out_of_service.json). Written whole (through a .tmp and a rename) on every
// change; read once at start.
#pragma once

#include <map>
#include <string>
#include <vector>

#include "alerts/clinic.hpp"

namespace chairwatch::daemon {

using OutOfServiceChairs = std::map<std::string, alerts::OutOfService, std::less<>>;

struct OutOfServiceLoad {
    OutOfServiceChairs chairs;
    std::vector<std::string> problems;  // "FILE: what is wrong"; what could be read is kept
};

// {"chairs":[{"chair":"chair-03","since":"2026-12-07T16:40:00.000Z","by":"admin-1",
// "reason":"cleaning"}]}. No file: none out of service.
OutOfServiceLoad load_out_of_service(const std::string& path);
// "" if written, else why not.
std::string save_out_of_service(const std::string& path, const OutOfServiceChairs& chairs);

}  // namespace chairwatch::daemon
