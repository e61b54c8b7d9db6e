// What `--version` prints: the version, the git revision and the build date. Defined in one
// small generated file (cli/version_info.cpp.in), so a new commit recompiles only that file.
#pragma once

#include <string>
#include <string_view>

namespace chairwatch::cli {

std::string_view version();       // "0.1.0"
std::string_view git_revision();  // `git describe --always --dirty`, or "unknown"
std::string_view build_date();    // YYYY-MM-DD (UTC, or SOURCE_DATE_EPOCH)

// "PROGRAM VERSION\ngit revision ...\nbuilt ...\n": the first line is what help2man reads.
std::string version_text(std::string_view program);

}  // namespace chairwatch::cli
