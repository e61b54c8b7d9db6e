#include "drivers/recording.hpp"

#include <charconv>
#include <fstream>
#include <sstream>

namespace chairwatch::drivers {

namespace {

std::vector<std::string> split(const std::string& line) {
    std::vector<std::string> out;
    std::string field;
    std::istringstream in(line);
    while (std::getline(in, field, ','))
        out.push_back(field);
    if (!line.empty() && line.back() == ',') out.emplace_back();
    return out;
}

}  // namespace

Recording parse_csv_recording(const std::string& text, const std::string& name) {
    Recording rec;
    rec.name = name;
    std::istringstream in(text);
    std::string line;
    int n = 0;
    while (std::getline(in, line)) {
        ++n;
        if (!line.empty() && line.back() == '\r') line.pop_back();
        if (line.empty() || line[0] == '#' || (n == 1 && line.rfind("t_s", 0) == 0)) continue;
        auto f = split(line);
        double t = 0;
        if (f.size() < 3 ||
            std::from_chars(f[0].data(), f[0].data() + f[0].size(), t).ec != std::errc{}) {
            rec.errors.push_back(name + ":" + std::to_string(n) +
                                 ": expected t_s,signal,value,unit");
            continue;
        }
        rec.rows.push_back({alerts::Millis(static_cast<long long>(t * 1000.0)), f[1], f[2],
                            f.size() > 3 ? f[3] : "", n});
    }
    return rec;
}

Recording read_csv_recording(const std::string& path) {
    std::ifstream in(path);
    if (!in) return Recording{path, {}, {path + ":1: cannot open the file"}};
    std::ostringstream text;
    text << in.rdbuf();
    return parse_csv_recording(text.str(), path);
}

}  // namespace chairwatch::drivers
